"""The rules of a contract's execution (DOMAIN.md §4.3, DOMAIN_RULES.md §2.7, §2.9, §3): amendments, payment
delays and late-payment interest, sub-contractors, acceptance, final account, mandatory advance.

Pure computation, Decimal only, no query: the caller gives the rows (the contract, its amendments, the dated
`LatePaymentRate` rows, the EU threshold in force) and the day. A rate that no dated row covers raises
`MissingReferenceData` (French message) — the pages show it, nothing is guessed.

The values that the law fixes and that no dated reference table holds yet are named constants here, in one
place, with their source. The final-account step durations are [P] (CCAG wording, ≈ 30 days): a change is one
line below.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pvd.deadlines import OVERDUE, STATUS_BADGES, STATUS_LABELS, UPCOMING, URGENCY, WARNING, add_months
from pvd.deadlines import timing as _place
from pvd.errors import MissingReferenceData
from pvd.money import ZERO, format_euros, format_percent, round_cents

# --- Legal values (CCP, CGCT, CCAG) ---------------------------------------------------------------------------
# Amendments (R2194-3, R2194-5, R2194-8; CGCT L1414-4)
SINGLE_CHANGE_CAP = Decimal(
    "0.50"
)  # each additional / unforeseeable modification ≤ 50 % of the initial amount
DE_MINIMIS_CAP_WORKS = Decimal("0.15")
DE_MINIMIS_CAP_OTHER = Decimal("0.10")  # supplies and services
CAO_OPINION_ABOVE = Decimal("0.05")  # an increase over 5 % of a CAO-awarded contract needs the CAO's opinion
# Sub-contracting (R2193-10, R2193-3 to -4; loi 75-1334 art. 3)
DIRECT_PAYMENT_FROM_TTC = Decimal("600.00")
TACIT_ACCEPTANCE_DAYS = 21
# Advance (R2191-3)
ADVANCE_MANDATORY_ABOVE_HT = Decimal("50000.00")
ADVANCE_MANDATORY_ABOVE_MONTHS = 2
ADVANCE_MIN_RATE = Decimal("0.05")
# Payment: the 30-day limit and the rates are dated data (LatePaymentRate); the year of the interest formula:
DAYS_IN_YEAR = 365
INVOICE_WARNING_DAYS = 10  # "at risk": within 10 days of the due date and not yet ordered
# Acceptance and final account (CCAG-Travaux; [P] durations ≈ 30 days, to check against CCAG-Travaux 2021)
ACCEPTANCE_DECISION_DAYS = 30  # decision notified within 30 days of the OPR report
PERFECT_COMPLETION_MONTHS = 12  # garantie de parfait achèvement
FINAL_STATEMENT_DAYS = 30  # contractor's projet de décompte final after acceptance
GENERAL_STATEMENT_DAYS = (
    30  # owner notifies the décompte général after receiving the projet de décompte final
)
GENERAL_STATEMENT_RETURN_DAYS = 30  # contractor returns the décompte général signed
RETENTION_RELEASE_DAYS = 30  # retention refunded within one month of the guarantee's end (R2191-35)
DEADLINE_WARNING_DAYS = 10


def rate_of(part: Decimal, whole: Decimal) -> Decimal:
    """part / whole as a fraction (0 when whole is 0)."""
    return part / whole if whole else ZERO


# --- Amendments ------------------------------------------------------------------------------------------------

GROUNDS_CAPPED_AT_50 = frozenset({"additional", "unforeseeable"})
DE_MINIMIS = "de_minimis"


@dataclass(frozen=True)
class AmendmentSummary:
    """Where the contract's amendments stand against the thresholds (the contract page, the amendment form)."""

    initial_ht: Decimal
    amendments_ht: Decimal
    cumulative_rate: Decimal
    de_minimis_cap: Decimal
    cao_awarded: bool

    @property
    def current_ht(self) -> Decimal:
        return self.initial_ht + self.amendments_ht

    @property
    def over_cao_threshold(self) -> bool:
        return self.cumulative_rate > CAO_OPINION_ABOVE

    @property
    def over_de_minimis(self) -> bool:
        return abs(self.cumulative_rate) > self.de_minimis_cap

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.over_cao_threshold and self.cao_awarded:
            out.append(
                f"Les avenants augmentent le marché de {format_percent(self.cumulative_rate)} (plus de "
                f"{format_percent(CAO_OPINION_ABOVE, 0)}) : chaque avenant au-delà requiert l'avis préalable de "
                "la commission d'appel d'offres (CGCT L1414-4)."
            )
        if self.over_de_minimis:
            out.append(
                f"La modification cumulée ({format_percent(self.cumulative_rate)}) dépasse le seuil de faible "
                f"montant de {format_percent(self.de_minimis_cap, 0)} (R2194-8) : un autre fondement juridique "
                "est requis (clause de réexamen, prestations supplémentaires, circonstances imprévisibles)."
            )
        return out


def de_minimis_cap(nature: str) -> Decimal:
    return DE_MINIMIS_CAP_WORKS if nature == "works" else DE_MINIMIS_CAP_OTHER


def amendment_summary(
    *, initial_ht: Decimal, amendments_ht: Iterable[Decimal], nature: str, cao_awarded: bool
) -> AmendmentSummary:
    total = sum(amendments_ht, ZERO)
    return AmendmentSummary(
        initial_ht=initial_ht,
        amendments_ht=total,
        cumulative_rate=rate_of(total, initial_ht),
        de_minimis_cap=de_minimis_cap(nature),
        cao_awarded=cao_awarded,
    )


@dataclass(frozen=True)
class AmendmentCheck:
    """The verdict on a new amendment: refusals (French, the amendment is not recorded) and warnings."""

    summary: AmendmentSummary  # with the new amendment counted
    single_rate: Decimal
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.errors


def check_amendment(
    *,
    initial_ht: Decimal,
    previous_ht: Sequence[Decimal],
    amount_ht: Decimal,
    ground: str,
    nature: str,
    eu_threshold_ht: Decimal | None,
    cao_awarded: bool,
    cao_opinion_on: datetime.date | None,
) -> AmendmentCheck:
    """Check a new amendment of `amount_ht` (signed: a reduction is negative) against the law.

    - additional services or unforeseeable circumstances: the amendment alone ≤ 50 % of the initial amount;
    - de minimis: the net cumulative change (this one included) ≤ 10 % (supplies, services) or 15 % (works) of
      the initial amount, and strictly below the EU threshold in force (`eu_threshold_ht`; None = not known:
      refused, the threshold must be entered);
    - a CAO-awarded contract increased by more than 5 % in all: the CAO's opinion is required (CGCT L1414-4).
    Exactly 5 %, 10 %, 15 % and 50 % are not "over".
    """
    summary = amendment_summary(
        initial_ht=initial_ht, amendments_ht=[*previous_ht, amount_ht], nature=nature, cao_awarded=cao_awarded
    )
    single = rate_of(amount_ht, initial_ht)
    errors: list[str] = []
    warnings: list[str] = []
    if ground in GROUNDS_CAPPED_AT_50 and abs(single) > SINGLE_CHANGE_CAP:
        errors.append(
            f"Cet avenant représente {format_percent(abs(single))} du montant initial : une modification pour "
            f"prestations supplémentaires ou circonstances imprévisibles ne peut pas dépasser "
            f"{format_percent(SINGLE_CHANGE_CAP, 0)} du montant initial (R2194-3, R2194-5)."
        )
    if ground == DE_MINIMIS:
        cumulative_ht = abs(summary.amendments_ht)
        if summary.over_de_minimis:
            errors.append(
                f"La modification cumulée atteint {format_percent(summary.cumulative_rate)} du montant initial, "
                f"au-delà de {format_percent(summary.de_minimis_cap, 0)} pour un marché de "
                f"{'travaux' if nature == 'works' else 'fournitures ou services'} : le fondement « faible "
                "montant » (R2194-8) ne s'applique plus, un autre fondement juridique est requis."
            )
        if eu_threshold_ht is None:
            errors.append(
                "Aucun seuil européen n'est en vigueur à la date de l'avenant : le fondement « faible montant » "
                "(R2194-8) ne peut pas être vérifié ; l'administrateur doit saisir le seuil, ou choisissez un "
                "autre fondement."
            )
        elif cumulative_ht >= eu_threshold_ht:
            errors.append(
                f"La modification cumulée ({format_euros(cumulative_ht)} HT) atteint le seuil européen de "
                f"{format_euros(eu_threshold_ht)} HT : le fondement « faible montant » (R2194-8) ne s'applique "
                "plus, un autre fondement juridique est requis."
            )
    elif summary.over_de_minimis:
        warnings.append(
            f"La modification cumulée ({format_percent(summary.cumulative_rate)}) dépasse le seuil de faible "
            f"montant ({format_percent(summary.de_minimis_cap, 0)}) : le fondement retenu doit être justifié."
        )
    if cao_awarded and amount_ht > 0 and summary.over_cao_threshold:
        if cao_opinion_on is None:
            errors.append(
                f"Avec cet avenant, le marché attribué par la commission d'appel d'offres augmente de "
                f"{format_percent(summary.cumulative_rate)} (plus de {format_percent(CAO_OPINION_ABOVE, 0)}) : "
                "l'avis préalable de la CAO est obligatoire (CGCT L1414-4) ; indiquez sa date."
            )
        else:
            warnings.append(
                f"Augmentation cumulée de {format_percent(summary.cumulative_rate)} : avis de la CAO du "
                f"{cao_opinion_on:%d/%m/%Y} (CGCT L1414-4)."
            )
    return AmendmentCheck(summary=summary, single_rate=single, errors=errors, warnings=warnings)


def current_amount_ttc(*, initial_ttc: Decimal, vat_rate: Decimal, amendments_ht: Decimal) -> Decimal:
    """The contract's current amount TTC: the initial TTC plus the amendments with the contract's VAT rate."""
    return initial_ttc + round_cents(amendments_ht * (1 + vat_rate))


# --- Invoices and late payment -----------------------------------------------------------------------------------

PAID_ON_TIME = "paid_on_time"
PAID_LATE = "paid_late"
LATE = "late"
AT_RISK = "at_risk"
PENDING = "pending"
SUSPENDED = "suspended"
INVOICE_STATUS_LABELS = {
    PAID_ON_TIME: "Payée dans le délai",
    PAID_LATE: "Payée en retard",
    LATE: "En retard (non payée)",
    AT_RISK: "À risque (échéance proche, non mandatée)",
    PENDING: "À payer",
    SUSPENDED: "Délai suspendu",
}
INVOICE_STATUS_BADGES = {
    PAID_ON_TIME: "text-bg-success",
    PAID_LATE: "text-bg-warning",
    LATE: "text-bg-danger",
    AT_RISK: "text-bg-warning",
    PENDING: "text-bg-light border",
    SUSPENDED: "text-bg-secondary",
}


class RateLike:  # the fields of LatePaymentRate read here (duck-typed: tests may pass simple objects)
    valid_from: datetime.date
    valid_until: datetime.date | None
    ecb_rate: Decimal
    margin: Decimal
    flat_fee: Decimal
    payment_days: int


def rate_on[R: RateLike](rates: Iterable[R], day: datetime.date) -> R:
    """The late-payment row in force on `day` (the latest start when periods overlap)."""
    in_force = [r for r in rates if r.valid_from <= day and (r.valid_until is None or r.valid_until >= day)]
    if not in_force:
        raise MissingReferenceData(
            f"Aucun taux des intérêts moratoires n'est en vigueur le {day:%d/%m/%Y} : l'administrateur doit le "
            "saisir (taux BCE du semestre + 8 points, R2192-31)."
        )
    return max(in_force, key=lambda r: r.valid_from)


@dataclass(frozen=True)
class PaymentDelay:
    """An invoice's payment delay on `day`: due date, days late, interest and fee, status."""

    due_on: datetime.date | None
    suspension_days: int
    days_late: int
    interest: Decimal
    flat_fee: Decimal
    annual_rate: Decimal | None
    status: str
    missing: str = ""  # the MissingReferenceData message when a rate is missing

    @property
    def status_label(self) -> str:
        return INVOICE_STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return INVOICE_STATUS_BADGES[self.status]

    @property
    def total_due(self) -> Decimal:
        return self.interest + self.flat_fee

    @property
    def is_late(self) -> bool:
        return self.days_late > 0


def payment_delay(
    *,
    amount_ttc: Decimal,
    received_on: datetime.date,
    suspended_on: datetime.date | None,
    resumed_on: datetime.date | None,
    ordered_on: datetime.date | None,
    paid_on: datetime.date | None,
    rates: Sequence[RateLike],
    day: datetime.date,
) -> PaymentDelay:
    """R2192-10 to -36: due = receipt + the payment days of the row in force on the receipt date + the days the
    clock was suspended (suspended_on → resumed_on). Late days = (paid_on or `day`) − due. Interest =
    amount TTC × (ECB rate + margin) × days / 365, with the row in force on the first day of lateness, and the
    flat fee once per late invoice. A suspension not yet lifted stops the clock (no due date)."""
    try:
        receipt_rate = rate_on(rates, received_on)
    except MissingReferenceData as error:
        return PaymentDelay(
            None, 0, 0, ZERO, ZERO, None, PENDING if paid_on is None else PAID_ON_TIME, str(error)
        )
    if suspended_on is not None and resumed_on is None:
        if paid_on is not None:
            return PaymentDelay(None, 0, 0, ZERO, ZERO, None, PAID_ON_TIME)
        return PaymentDelay(None, 0, 0, ZERO, ZERO, None, SUSPENDED)
    suspension = (resumed_on - suspended_on).days if suspended_on and resumed_on else 0
    due = received_on + datetime.timedelta(days=receipt_rate.payment_days + suspension)
    end = paid_on or day
    days_late = max((end - due).days, 0)
    if days_late == 0:
        if paid_on is not None:
            status = PAID_ON_TIME
        elif ordered_on is None and (due - day).days <= INVOICE_WARNING_DAYS:
            status = AT_RISK
        else:
            status = PENDING
        return PaymentDelay(due, suspension, 0, ZERO, ZERO, None, status)
    status = PAID_LATE if paid_on is not None else LATE
    first_late_day = due + datetime.timedelta(days=1)
    try:
        late_rate = rate_on(rates, first_late_day)
    except MissingReferenceData as error:
        return PaymentDelay(due, suspension, days_late, ZERO, ZERO, None, status, str(error))
    annual = late_rate.ecb_rate + late_rate.margin
    interest = round_cents(amount_ttc * annual * days_late / DAYS_IN_YEAR)
    return PaymentDelay(due, suspension, days_late, interest, late_rate.flat_fee, annual, status)


def invoice_cap_error(
    *, current_ttc: Decimal, other_invoices_ttc: Decimal, amount_ttc: Decimal, number: str
) -> str | None:
    """Σ invoices TTC ≤ the contract's current amount TTC: the French refusal, or None."""
    total = other_invoices_ttc + amount_ttc
    if total > current_ttc:
        return (
            f"La facture {number} ({format_euros(amount_ttc)} TTC) porterait le total facturé à "
            f"{format_euros(total)} TTC, au-delà du montant du marché avenants compris "
            f"({format_euros(current_ttc)} TTC ; déjà facturé : {format_euros(other_invoices_ttc)}). "
            "Un avenant est nécessaire avant de payer davantage."
        )
    return None


# --- Sub-contractors -----------------------------------------------------------------------------------------------


def direct_payment(amount_ttc: Decimal) -> bool:
    """R2193-10: a sub-contractor of 600 € TTC or more is paid directly by the buyer."""
    return amount_ttc >= DIRECT_PAYMENT_FROM_TTC


def tacit_acceptance_on(declared_on: datetime.date) -> datetime.date:
    """The day the acceptance is deemed given when the buyer stays silent for 21 days after the DC4."""
    return declared_on + datetime.timedelta(days=TACIT_ACCEPTANCE_DAYS)


@dataclass(frozen=True)
class SubcontractorState:
    code: str  # accepted / refused / tacit / pending
    label: str
    accepted_on: datetime.date | None
    direct_payment: bool


def subcontractor_state(
    *,
    amount_ttc: Decimal,
    declared_on: datetime.date,
    accepted_on: datetime.date | None,
    refused_on: datetime.date | None,
    day: datetime.date,
) -> SubcontractorState:
    direct = direct_payment(amount_ttc)
    if refused_on is not None:
        return SubcontractorState("refused", f"Refusé le {refused_on:%d/%m/%Y}", None, direct)
    if accepted_on is not None:
        return SubcontractorState("accepted", f"Accepté le {accepted_on:%d/%m/%Y}", accepted_on, direct)
    tacit = tacit_acceptance_on(declared_on)
    if day >= tacit:
        return SubcontractorState("tacit", f"Accepté tacitement le {tacit:%d/%m/%Y}", tacit, direct)
    return SubcontractorState(
        "pending", f"En attente de décision (acceptation tacite le {tacit:%d/%m/%Y})", None, direct
    )


# --- Advance -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdvanceCheck:
    mandatory: bool
    rate: Decimal
    ok: bool
    message: str


def advance_required(amount_ht: Decimal, duration_months: int) -> bool:
    """R2191-3: an advance is due above 50 000 € HT and 2 months."""
    return amount_ht > ADVANCE_MANDATORY_ABOVE_HT and duration_months > ADVANCE_MANDATORY_ABOVE_MONTHS


def advance_check(*, amount_ht: Decimal, duration_months: int, advance_rate: Decimal) -> AdvanceCheck:
    """R2191-3: a contract over 50 000 € HT and longer than 2 months carries an advance of at least 5 %."""
    mandatory = advance_required(amount_ht, duration_months)
    if not mandatory:
        return AdvanceCheck(
            False,
            advance_rate,
            True,
            "Avance facultative (marché de 50 000 € HT ou moins, ou de 2 mois ou moins).",
        )
    if advance_rate >= ADVANCE_MIN_RATE:
        return AdvanceCheck(
            True,
            advance_rate,
            True,
            f"Avance obligatoire (R2191-3) : {format_percent(advance_rate)}, au moins 5 %.",
        )
    return AdvanceCheck(
        True,
        advance_rate,
        False,
        f"Avance obligatoire (R2191-3) : le marché dépasse 50 000 € HT et 2 mois, l'avance doit être d'au moins "
        f"5 % (taux actuel : {format_percent(advance_rate)}).",
    )


# --- Acceptance, guarantee, final account ------------------------------------------------------------------------


def guarantee_end(
    *, accepted_on: datetime.date | None, reserves: str, reserves_lifted_on: datetime.date | None
) -> datetime.date | None:
    """The end of the garantie de parfait achèvement: one year from the acceptance, or from the lifting of the
    reserves when the acceptance had some; None while it cannot end (not accepted, reserves not lifted)."""
    if accepted_on is None:
        return None
    if reserves.strip():
        if reserves_lifted_on is None:
            return None
        return add_months(reserves_lifted_on, PERFECT_COMPLETION_MONTHS)
    return add_months(accepted_on, PERFECT_COMPLETION_MONTHS)


def retention_release_error(
    *,
    released_on: datetime.date,
    accepted_on: datetime.date | None,
    reserves: str,
    reserves_lifted_on: datetime.date | None,
) -> str | None:
    end = guarantee_end(accepted_on=accepted_on, reserves=reserves, reserves_lifted_on=reserves_lifted_on)
    if accepted_on is None:
        return "La retenue de garantie ne peut pas être libérée avant la réception."
    if end is None:
        return (
            "La retenue de garantie ne peut pas être libérée : les réserves de la réception ne sont pas levées, "
            "le délai de garantie est prolongé jusqu'à leur levée."
        )
    if released_on < end:
        return (
            f"La retenue de garantie ne peut pas être libérée le {released_on:%d/%m/%Y} : la garantie de parfait "
            f"achèvement court jusqu'au {end:%d/%m/%Y}."
        )
    return None


@dataclass(frozen=True)
class ContractDeadline:
    """One deadline of a contract (same vocabulary as budget.deadlines.Deadline)."""

    code: str
    label: str
    due_on: datetime.date
    warn_from: datetime.date | None
    status: str
    rule: str
    contract_id: int | None = None
    contract_label: str = ""
    detail: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in (UPCOMING, WARNING, OVERDUE)


def timing(due: datetime.date, day: datetime.date, done: bool, warn_days: int = DEADLINE_WARNING_DAYS) -> str:
    return _place(due, day, warn_from=due - datetime.timedelta(days=warn_days), done=done)


def _days(day: datetime.date, n: int) -> datetime.date:
    return day + datetime.timedelta(days=n)


class ContractLike:  # the fields read by contract_deadlines
    pk: int
    number: str
    pre_acceptance_report_on: datetime.date | None
    accepted_on: datetime.date | None
    acceptance_reserves: str
    reserves_lifted_on: datetime.date | None
    final_statement_received_on: datetime.date | None
    general_statement_notified_on: datetime.date | None
    general_statement_signed_on: datetime.date | None
    retention_rate: Decimal
    retention_replaced_by_guarantee: bool
    retention_released_on: datetime.date | None
    status: str


def acceptance_deadlines(contract: ContractLike, day: datetime.date) -> list[ContractDeadline]:
    """Acceptance decision, guarantee end, final-account steps and retention release, as deadlines."""
    out: list[ContractDeadline] = []
    if contract.status == "terminated":
        return out
    common = {"contract_id": contract.pk, "contract_label": f"Marché {contract.number}"}

    def add(code: str, label: str, due: datetime.date, done: bool, rule: str, detail: str = "") -> None:
        out.append(
            ContractDeadline(
                code,
                label,
                due,
                due - datetime.timedelta(days=DEADLINE_WARNING_DAYS),
                timing(due, day, done),
                rule,
                detail=detail,
                **common,
            )
        )

    if contract.pre_acceptance_report_on:
        add(
            "acceptance_decision",
            "Décision de réception",
            _days(contract.pre_acceptance_report_on, ACCEPTANCE_DECISION_DAYS),
            contract.accepted_on is not None,
            f"Décision notifiée dans les {ACCEPTANCE_DECISION_DAYS} jours du procès-verbal des OPR (CCAG-Travaux).",
        )
    if contract.accepted_on:
        add(
            "final_statement",
            "Projet de décompte final du titulaire",
            _days(contract.accepted_on, FINAL_STATEMENT_DAYS),
            contract.final_statement_received_on is not None,
            f"Environ {FINAL_STATEMENT_DAYS} jours après la réception (durée indicative, CCAG-Travaux).",
        )
        end = guarantee_end(
            accepted_on=contract.accepted_on,
            reserves=contract.acceptance_reserves,
            reserves_lifted_on=contract.reserves_lifted_on,
        )
        if end is not None:
            add(
                "guarantee_end",
                "Fin de la garantie de parfait achèvement",
                end,
                day >= end,
                "Un an à compter de la réception, ou de la levée des réserves.",
            )
            if contract.retention_rate > 0 and not contract.retention_replaced_by_guarantee:
                add(
                    "retention_release",
                    "Libération de la retenue de garantie",
                    _days(end, RETENTION_RELEASE_DAYS),
                    contract.retention_released_on is not None,
                    f"Dans le mois suivant la fin du délai de garantie (R2191-35), pas avant le {end:%d/%m/%Y}.",
                )
    if contract.final_statement_received_on:
        add(
            "general_statement",
            "Notification du décompte général",
            _days(contract.final_statement_received_on, GENERAL_STATEMENT_DAYS),
            contract.general_statement_notified_on is not None,
            f"Environ {GENERAL_STATEMENT_DAYS} jours après le projet de décompte final ; en cas de retard du "
            "maître d'ouvrage, le titulaire peut faire naître un décompte général tacite (CCAG-Travaux).",
        )
    if contract.general_statement_notified_on:
        add(
            "general_statement_signed",
            "Retour du décompte général signé (DGD)",
            _days(contract.general_statement_notified_on, GENERAL_STATEMENT_RETURN_DAYS),
            contract.general_statement_signed_on is not None,
            f"Le titulaire renvoie le décompte général signé, avec ou sans réserves, dans les "
            f"{GENERAL_STATEMENT_RETURN_DAYS} jours environ : il devient définitif (CCAG-Travaux).",
        )
    return out


def sort_deadlines(deadlines: Iterable[ContractDeadline]) -> list[ContractDeadline]:
    return sorted(deadlines, key=lambda d: (URGENCY[d.status], d.due_on, d.code))
