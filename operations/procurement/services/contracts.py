"""Writes of a contract's execution (DOMAIN.md §4.3): the contract's edit and status workflow, amendments,
invoices (receipt, payment order, payment), sub-contractors, service orders, purchase orders, acceptance, final
account and the release of the retention money.

Keyword-only, atomic, audited (history user on every row, a StatusChange per transition), refusals as
ContractError (French). Every write that adds money to a contract locks the contract row first, so two
simultaneous invoices (or amendments, purchase orders) cannot both pass the caps.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum

from operations.models import (
    Contract,
    ContractAmendment,
    ContractStatus,
    Invoice,
    LatePaymentRate,
    PurchaseOrder,
    ServiceOrder,
    ServiceOrderKind,
    Subcontractor,
)
from operations.procurement import execution as rules
from operations.procurement.thresholds import load_thresholds, threshold_in_force
from partners.models import Organisation
from pvd import workflow
from pvd.accounts.models import User
from pvd.concurrency import save_versioned
from pvd.errors import DomainError
from pvd.models import StatusChange
from pvd.money import ZERO, format_euros

S = ContractStatus


class ContractError(DomainError):
    """A rule of the contract's execution refused the action (French message)."""


# notified → in_progress → accepted → final_account → closed; any open status → terminated (with a reason).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NOTIFIED: frozenset({S.IN_PROGRESS, S.TERMINATED}),
    S.IN_PROGRESS: frozenset({S.ACCEPTED, S.TERMINATED}),
    S.ACCEPTED: frozenset({S.FINAL_ACCOUNT, S.TERMINATED}),
    S.FINAL_ACCOUNT: frozenset({S.CLOSED, S.TERMINATED}),
    S.CLOSED: frozenset(),
    S.TERMINATED: frozenset(),
}
# The date each target status records (given with the change, or already stored).
EVENT_DATE: dict[str, str] = {
    S.IN_PROGRESS: "notified_on",
    S.ACCEPTED: "accepted_on",
    S.FINAL_ACCOUNT: "general_statement_notified_on",
    S.CLOSED: "general_statement_signed_on",
}

# Fields the contract's edit form changes (its status only moves through contract_change_status).
EDITABLE_FIELDS = (
    "number",
    "holder_siret",
    "amount_ht",
    "vat_rate",
    "amount_ttc",
    "duration_months",
    "price_form",
    "ccag",
    "signed_on",
    "notified_on",
    "prefecture_sent_on",
    "advance_rate",
    "retention_rate",
    "retention_replaced_by_guarantee",
    "pre_acceptance_report_on",
    "accepted_on",
    "acceptance_reserves",
    "reserves_lifted_on",
    "final_statement_received_on",
    "general_statement_notified_on",
    "general_statement_signed_on",
    "retention_released_on",
)
# (earlier, later): the later date may not precede the earlier one.
DATE_ORDER = (
    ("signed_on", "notified_on"),
    ("signed_on", "prefecture_sent_on"),
    ("notified_on", "pre_acceptance_report_on"),
    ("notified_on", "accepted_on"),
    ("accepted_on", "reserves_lifted_on"),
    ("accepted_on", "final_statement_received_on"),
    ("final_statement_received_on", "general_statement_notified_on"),
    ("accepted_on", "general_statement_notified_on"),
    ("general_statement_notified_on", "general_statement_signed_on"),
    ("accepted_on", "retention_released_on"),
)


def _label(status: str) -> str:
    return S(status).label


def _field_label(name: str) -> str:
    return str(Contract._meta.get_field(name).verbose_name)


def allowed_targets(status: str) -> list[str]:
    return workflow.in_order(TRANSITIONS[status], S)


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related("lot__consultation").get(pk=contract.pk)


def _check_contract_values(values: dict[str, object]) -> None:
    """Dates in order, reserves lifted only when there were reserves, retention not released before the end
    of the guarantee (ValidationError on the field, French)."""
    errors: dict[str, str] = {}
    for before, after in DATE_ORDER:
        first, second = values.get(before), values.get(after)
        if first and second and second < first:
            errors.setdefault(
                after,
                f"« {_field_label(after).capitalize()} » ({second:%d/%m/%Y}) ne peut pas précéder "
                f"« {_field_label(before)} » ({first:%d/%m/%Y}).",
            )
    if values.get("reserves_lifted_on") and not str(values.get("acceptance_reserves") or "").strip():
        errors.setdefault("reserves_lifted_on", "La réception a été prononcée sans réserves : rien à lever.")
    if (values.get("acceptance_reserves") or "").strip() and not values.get("accepted_on"):
        errors.setdefault(
            "acceptance_reserves", "Les réserves accompagnent la décision de réception : datez-la."
        )
    released = values.get("retention_released_on")
    if released and "retention_released_on" not in errors:
        message = rules.retention_release_error(
            released_on=released,
            accepted_on=values.get("accepted_on"),
            reserves=str(values.get("acceptance_reserves") or ""),
            reserves_lifted_on=values.get("reserves_lifted_on"),
        )
        if message:
            errors["retention_released_on"] = message
    if errors:
        raise ValidationError(errors)


def _amendments_ht(contract: Contract) -> Decimal:
    return contract.amendments.aggregate(total=Sum("amount_ht"))["total"] or ZERO


@transaction.atomic
def contract_update(
    *, contract: Contract, expected_version: int, by: User, changes: dict[str, object]
) -> Contract:
    """Edit the contract's terms, acceptance and final-account dates. StaleObjectError when somebody saved it
    since `expected_version`; ValidationError (French, on the field) for dates out of order or a retention
    released before the guarantee ends."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ContractError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    values = {name: getattr(contract, name) for name in EDITABLE_FIELDS}
    values.update(changes)
    _check_contract_values(values)
    new_ht, new_vat = values["amount_ht"], values["vat_rate"]
    if changes and (
        new_ht != contract.amount_ht
        or new_vat != contract.vat_rate
        or values["amount_ttc"] != contract.amount_ttc
    ):
        current = rules.current_amount_ttc(
            initial_ttc=values["amount_ttc"], vat_rate=new_vat, amendments_ht=_amendments_ht(contract)
        )
        invoiced = contract.invoices.aggregate(total=Sum("amount_ttc"))["total"] or ZERO
        if invoiced > current:
            raise ValidationError(
                {
                    "amount_ttc": f"Déjà {format_euros(invoiced)} TTC facturés : le marché ne peut pas descendre à "
                    f"{format_euros(current)} TTC avenants compris."
                }
            )
    return save_versioned(contract, expected_version=expected_version, by=by, changes=changes)


@transaction.atomic
def contract_change_status(
    *,
    contract: Contract,
    to: str,
    by: User,
    on: datetime.date | None = None,
    reserves: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> Contract:
    """Move the contract to `to`, recording the event's date `on` (notification, acceptance, notification of
    the général statement, its signature by the holder) or checking it is already stored; terminated needs a
    reason in `comment`. ContractError (French) when refused; a StatusChange row records the transition."""
    if expected_version is None:
        current = _lock(contract)
        expected_version = current.version
    else:
        current = contract
    source = current.status
    message = workflow.refusal(
        transitions=TRANSITIONS,
        choices=S,
        source=source,
        target=to,
        subject=f"Le marché {current.number}",
        pronoun="il",
    )
    if message:
        raise ContractError(message)
    changes: dict[str, object] = {}
    field = EVENT_DATE.get(to)
    if field is not None:
        if on is not None:
            changes[field] = on
        elif getattr(current, field) is None:
            raise ContractError(
                f"Pour passer à « {_label(to)} », indiquez la date : « {_field_label(field)} »."
            )
    if to == S.ACCEPTED and reserves.strip():
        changes["acceptance_reserves"] = reserves.strip()
    if to == S.CLOSED:
        values = {name: getattr(current, name) for name in EDITABLE_FIELDS} | changes
        if (
            values["retention_rate"] > 0
            and not values["retention_replaced_by_guarantee"]
            and not values["retention_released_on"]
        ):
            raise ContractError(
                "Le marché ne peut pas être soldé tant que la retenue de garantie n'est pas libérée."
            )
    if to == S.TERMINATED and not comment.strip():
        raise ContractError("Indiquez le motif de la résiliation.")
    if changes:
        values = {name: getattr(current, name) for name in EDITABLE_FIELDS} | changes
        _check_contract_values(values)
    changes["status"] = to
    saved = save_versioned(current, expected_version=expected_version, by=by, changes=changes)
    detail = comment.strip()
    if field is not None:
        stamp = f"{_field_label(field).capitalize()} : {getattr(saved, field):%d/%m/%Y}."
        detail = f"{stamp} {detail}".strip()
    StatusChange.objects.create(obj=saved, source=source, target=to, by=by, comment=detail)
    return saved


def contract_accept(
    *, contract: Contract, expected_version: int, by: User, accepted_on: datetime.date, reserves: str = ""
) -> Contract:
    """Pronounce the acceptance (with or without reserves): the contract moves to « Réceptionné »."""
    return contract_change_status(
        contract=contract,
        to=S.ACCEPTED,
        by=by,
        on=accepted_on,
        reserves=reserves,
        expected_version=expected_version,
        comment="Réception avec réserves." if reserves.strip() else "Réception sans réserves.",
    )


def reserves_lift(
    *, contract: Contract, expected_version: int, by: User, lifted_on: datetime.date
) -> Contract:
    return contract_update(
        contract=contract, expected_version=expected_version, by=by, changes={"reserves_lifted_on": lifted_on}
    )


def final_account_record(
    *,
    contract: Contract,
    expected_version: int,
    by: User,
    final_statement_received_on: datetime.date | None = None,
    general_statement_notified_on: datetime.date | None = None,
    general_statement_signed_on: datetime.date | None = None,
) -> Contract:
    changes = {
        name: value
        for name, value in (
            ("final_statement_received_on", final_statement_received_on),
            ("general_statement_notified_on", general_statement_notified_on),
            ("general_statement_signed_on", general_statement_signed_on),
        )
        if value is not None
    }
    return contract_update(contract=contract, expected_version=expected_version, by=by, changes=changes)


def retention_release(
    *, contract: Contract, expected_version: int, by: User, released_on: datetime.date
) -> Contract:
    """Release the retention money: refused before the end of the garantie de parfait achèvement."""
    if contract.retention_rate == 0 or contract.retention_replaced_by_guarantee:
        raise ContractError("Ce marché n'a pas de retenue de garantie à libérer.")
    return contract_update(
        contract=contract,
        expected_version=expected_version,
        by=by,
        changes={"retention_released_on": released_on},
    )


# --- Amendments ------------------------------------------------------------------------------------------------


def eu_threshold_ht(nature: str, day: datetime.date) -> Decimal | None:
    row = threshold_in_force("eu", nature, day, load_thresholds())
    return row.value_ht if row is not None else None


@transaction.atomic
def amendment_create(
    *,
    contract: Contract,
    by: User,
    signed_on: datetime.date,
    ground: str,
    amount_ht: Decimal,
    description: str,
    duration_months: int = 0,
    cao_opinion_on: datetime.date | None = None,
) -> tuple[ContractAmendment, list[str]]:
    """Record an amendment, numbered after the last one, when the law allows it (execution.check_amendment);
    returns it with the warnings to show. ContractError (French) lists the refusals."""
    locked = _lock(contract)
    if locked.status in (S.CLOSED, S.TERMINATED):
        raise ContractError(f"Le marché est « {_label(locked.status)} » : il ne peut plus être modifié.")
    if signed_on < locked.signed_on:
        raise ValidationError({"signed_on": "Un avenant ne peut pas précéder la signature du marché."})
    if cao_opinion_on is not None and cao_opinion_on > signed_on:
        raise ValidationError({"cao_opinion_on": "L'avis de la CAO précède la signature de l'avenant."})
    consultation = locked.lot.consultation
    previous = list(locked.amendments.values_list("amount_ht", flat=True))
    check = rules.check_amendment(
        initial_ht=locked.amount_ht,
        previous_ht=previous,
        amount_ht=amount_ht,
        ground=ground,
        nature=consultation.nature,
        eu_threshold_ht=eu_threshold_ht(consultation.nature, signed_on)
        if ground == rules.DE_MINIMIS
        else None,
        cao_awarded=consultation.cao_on is not None,
        cao_opinion_on=cao_opinion_on,
    )
    if not check.allowed:
        raise ContractError(" ".join(check.errors))
    invoiced = locked.invoices.aggregate(total=Sum("amount_ttc"))["total"] or ZERO
    current = rules.current_amount_ttc(
        initial_ttc=locked.amount_ttc, vat_rate=locked.vat_rate, amendments_ht=sum(previous, ZERO) + amount_ht
    )
    if invoiced > current:
        raise ContractError(
            f"Déjà {format_euros(invoiced)} TTC facturés : l'avenant ramènerait le marché à "
            f"{format_euros(current)} TTC."
        )
    number = (locked.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    amendment = ContractAmendment(
        contract=locked,
        number=number,
        signed_on=signed_on,
        ground=ground,
        amount_ht=amount_ht,
        duration_months=duration_months,
        description=description,
        cao_opinion_on=cao_opinion_on,
        recorded_by=by,
    )
    amendment.full_clean()
    amendment._history_user = by  # type: ignore[attr-defined]
    amendment.save()
    return amendment, check.warnings


# --- Invoices --------------------------------------------------------------------------------------------------

INVOICE_FIELDS = (
    "number",
    "received_on",
    "amount_ht",
    "amount_ttc",
    "retention_ttc",
    "advance_repaid_ttc",
    "suspended_on",
    "resumed_on",
    "ordered_on",
    "paid_on",
    "late_interest_paid",
)


def _check_invoice_values(values: dict[str, object]) -> None:
    errors: dict[str, str] = {}
    received, ordered, paid = values.get("received_on"), values.get("ordered_on"), values.get("paid_on")
    suspended, resumed = values.get("suspended_on"), values.get("resumed_on")
    if ordered and received and ordered < received:
        errors["ordered_on"] = "Le mandatement ne peut pas précéder la réception de la facture."
    if paid and not ordered:
        errors["paid_on"] = "Une facture est mandatée avant d'être payée : indiquez la date de mandatement."
    elif paid and ordered and paid < ordered:
        errors["paid_on"] = "Le paiement ne peut pas précéder le mandatement."
    if suspended and received and suspended < received:
        errors["suspended_on"] = "Le délai ne peut pas être suspendu avant la réception de la facture."
    if resumed and not suspended:
        errors["resumed_on"] = "Le délai ne peut reprendre que s'il a été suspendu."
    elif resumed and suspended and resumed < suspended:
        errors["resumed_on"] = "Le délai reprend après sa suspension."
    if suspended and not resumed and paid:
        errors["resumed_on"] = "Indiquez la reprise du délai (réception des pièces) avant le paiement."
    amount_ht, amount_ttc = values.get("amount_ht"), values.get("amount_ttc")
    if amount_ht is not None and amount_ttc is not None and amount_ttc < amount_ht:
        errors["amount_ttc"] = "Le TTC ne peut pas être inférieur au HT."
    for name in ("retention_ttc", "advance_repaid_ttc"):
        value = values.get(name)
        if value and amount_ttc is not None and value > amount_ttc:
            errors[name] = "Ce montant ne peut pas dépasser le montant TTC de la facture."
    if errors:
        raise ValidationError(errors)


def _check_cap(contract: Contract, *, amount_ttc: Decimal, number: str, exclude: int | None = None) -> None:
    others = contract.invoices.exclude(pk=exclude) if exclude else contract.invoices.all()
    other_ttc = others.aggregate(total=Sum("amount_ttc"))["total"] or ZERO
    current = rules.current_amount_ttc(
        initial_ttc=contract.amount_ttc, vat_rate=contract.vat_rate, amendments_ht=_amendments_ht(contract)
    )
    message = rules.invoice_cap_error(
        current_ttc=current, other_invoices_ttc=other_ttc, amount_ttc=amount_ttc, number=number
    )
    if message:
        raise ContractError(message)


@transaction.atomic
def invoice_create(
    *,
    contract: Contract,
    by: User,
    number: str,
    received_on: datetime.date,
    amount_ht: Decimal,
    amount_ttc: Decimal,
    retention_ttc: Decimal = ZERO,
    advance_repaid_ttc: Decimal = ZERO,
    suspended_on: datetime.date | None = None,
    resumed_on: datetime.date | None = None,
    ordered_on: datetime.date | None = None,
    paid_on: datetime.date | None = None,
    late_interest_paid: Decimal | None = None,
) -> Invoice:
    """Record a payment request. Refused (ContractError) when the invoices would exceed the contract's current
    amount TTC (amendments included); the contract row is locked while checking."""
    locked = _lock(contract)
    values = {
        "number": number.strip(),
        "received_on": received_on,
        "amount_ht": amount_ht,
        "amount_ttc": amount_ttc,
        "retention_ttc": retention_ttc or ZERO,
        "advance_repaid_ttc": advance_repaid_ttc or ZERO,
        "suspended_on": suspended_on,
        "resumed_on": resumed_on,
        "ordered_on": ordered_on,
        "paid_on": paid_on,
        "late_interest_paid": late_interest_paid,
    }
    _check_invoice_values(values)
    if locked.notified_on and received_on < locked.notified_on:
        raise ValidationError({"received_on": "Une facture ne peut pas précéder la notification du marché."})
    _check_cap(locked, amount_ttc=amount_ttc, number=values["number"])
    invoice = Invoice(contract=locked, **values)
    invoice.full_clean()
    invoice._history_user = by  # type: ignore[attr-defined]
    invoice.save()
    return invoice


@transaction.atomic
def invoice_update(
    *, invoice: Invoice, expected_version: int, by: User, changes: dict[str, object]
) -> Invoice:
    """Correct an invoice or record its suspension, payment order and payment (dates in order, cap checked)."""
    unknown = set(changes) - set(INVOICE_FIELDS)
    if unknown:
        raise ContractError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    locked = _lock(invoice.contract)
    values = {name: getattr(invoice, name) for name in INVOICE_FIELDS} | changes
    _check_invoice_values(values)
    if "amount_ttc" in changes:
        _check_cap(locked, amount_ttc=values["amount_ttc"], number=str(values["number"]), exclude=invoice.pk)
    return save_versioned(invoice, expected_version=expected_version, by=by, changes=changes)


def invoice_order(*, invoice: Invoice, expected_version: int, by: User, ordered_on: datetime.date) -> Invoice:
    return invoice_update(
        invoice=invoice, expected_version=expected_version, by=by, changes={"ordered_on": ordered_on}
    )


def invoice_pay(
    *,
    invoice: Invoice,
    expected_version: int,
    by: User,
    paid_on: datetime.date,
    late_interest_paid: Decimal | None = None,
) -> Invoice:
    changes: dict[str, object] = {"paid_on": paid_on}
    if late_interest_paid is not None:
        changes["late_interest_paid"] = late_interest_paid
    return invoice_update(invoice=invoice, expected_version=expected_version, by=by, changes=changes)


def invoice_delay(
    invoice: Invoice, day: datetime.date, rates: list[LatePaymentRate] | None = None
) -> rules.PaymentDelay:
    """The payment delay of one invoice on `day` (reads the rates when not given)."""
    rates = rates if rates is not None else list(LatePaymentRate.objects.all())
    return rules.payment_delay(
        amount_ttc=invoice.amount_ttc,
        received_on=invoice.received_on,
        suspended_on=invoice.suspended_on,
        resumed_on=invoice.resumed_on,
        ordered_on=invoice.ordered_on,
        paid_on=invoice.paid_on,
        rates=rates,
        day=day,
    )


# --- Sub-contractors ---------------------------------------------------------------------------------------------


@transaction.atomic
def subcontractor_declare(
    *,
    contract: Contract,
    by: User,
    organisation: Organisation,
    siret: str,
    scope: str,
    amount_ttc: Decimal,
    declared_on: datetime.date,
) -> Subcontractor:
    """Record a DC4 received: the buyer accepts or refuses within 21 days, silence is acceptance."""
    locked = _lock(contract)
    if locked.status in (S.CLOSED, S.TERMINATED):
        raise ContractError(f"Le marché est « {_label(locked.status)} » : plus de sous-traitant à déclarer.")
    if organisation.pk == locked.holder_id:
        raise ValidationError({"organisation": "Le titulaire ne peut pas être son propre sous-traitant."})
    if declared_on < locked.signed_on:
        raise ValidationError({"declared_on": "La déclaration ne peut pas précéder la signature du marché."})
    subcontractor = Subcontractor(
        contract=locked,
        organisation=organisation,
        siret=siret.strip(),
        scope=scope,
        amount_ttc=amount_ttc,
        declared_on=declared_on,
    )
    subcontractor.full_clean()
    subcontractor._history_user = by  # type: ignore[attr-defined]
    subcontractor.save()
    return subcontractor


@transaction.atomic
def subcontractor_decide(
    *, subcontractor: Subcontractor, by: User, accept: bool, on: datetime.date
) -> Subcontractor:
    """Accept or refuse a declared sub-contractor. A refusal after 21 days of silence is refused: the
    acceptance is already deemed given (tacit)."""
    current = Subcontractor.objects.select_for_update().get(pk=subcontractor.pk)
    if current.accepted_on or current.refused_on:
        raise ContractError("Une décision est déjà enregistrée pour ce sous-traitant.")
    if on < current.declared_on:
        raise ValidationError({"on": "La décision ne peut pas précéder la réception de la déclaration."})
    tacit = rules.tacit_acceptance_on(current.declared_on)
    if accept:
        current.accepted_on = min(on, tacit)
    else:
        if on >= tacit:
            raise ContractError(
                f"Le sous-traitant est accepté tacitement depuis le {tacit:%d/%m/%Y} (21 jours de silence après "
                "la déclaration) : un refus n'est plus possible."
            )
        current.refused_on = on
    current.full_clean()
    current._history_user = by  # type: ignore[attr-defined]
    current.save()
    return current


# --- Service orders and purchase orders ---------------------------------------------------------------------------


@transaction.atomic
def service_order_create(
    *,
    contract: Contract,
    by: User,
    kind: str,
    issued_on: datetime.date,
    effective_on: datetime.date,
    description: str = "",
) -> ServiceOrder:
    """Record a service order, numbered after the last one: no resume without a stop in force, no stop while
    stopped, no stop or resume before the start order."""
    locked = _lock(contract)
    if issued_on < locked.signed_on:
        raise ValidationError(
            {"issued_on": "Un ordre de service ne peut pas précéder la signature du marché."}
        )
    if effective_on < issued_on:
        raise ValidationError({"effective_on": "Un ordre de service ne prend pas effet avant d'être émis."})
    orders = list(locked.service_orders.order_by("effective_on", "number"))
    state = [
        o.kind
        for o in orders
        if o.kind in (ServiceOrderKind.START, ServiceOrderKind.STOP, ServiceOrderKind.RESUME)
    ]
    last_effective = max((o.effective_on for o in orders), default=None)
    stopped = bool(state) and state[-1] == ServiceOrderKind.STOP
    if kind == ServiceOrderKind.START and ServiceOrderKind.START in state:
        raise ContractError("Un ordre de démarrage est déjà enregistré pour ce marché.")
    if kind == ServiceOrderKind.RESUME and not stopped:
        raise ContractError("Pas de reprise sans arrêt : aucun ordre d'arrêt n'est en cours.")
    if kind == ServiceOrderKind.STOP and stopped:
        raise ContractError("Les prestations sont déjà arrêtées : enregistrez d'abord un ordre de reprise.")
    if kind == ServiceOrderKind.STOP and ServiceOrderKind.START not in state:
        raise ContractError("Pas d'arrêt avant l'ordre de démarrage.")
    if (
        kind in (ServiceOrderKind.STOP, ServiceOrderKind.RESUME)
        and last_effective
        and effective_on < last_effective
    ):
        raise ValidationError(
            {
                "effective_on": f"L'ordre précédent prend effet le {last_effective:%d/%m/%Y} : celui-ci ne peut pas le précéder."
            }
        )
    number = (locked.service_orders.aggregate(n=Max("number"))["n"] or 0) + 1
    order = ServiceOrder(
        contract=locked,
        number=number,
        kind=kind,
        issued_on=issued_on,
        effective_on=effective_on,
        description=description,
    )
    order.full_clean()
    order._history_user = by  # type: ignore[attr-defined]
    order.save()
    return order


@transaction.atomic
def purchase_order_create(
    *,
    contract: Contract,
    by: User,
    number: str,
    issued_on: datetime.date,
    amount_ht: Decimal,
    amount_ttc: Decimal,
    description: str,
) -> PurchaseOrder:
    """Record a purchase order of a framework agreement: Σ orders HT ≤ the contract's maximum (amendments
    included)."""
    locked = _lock(contract)
    if not locked.lot.consultation.framework_agreement:
        raise ContractError("Les bons de commande ne concernent que les accords-cadres à bons de commande.")
    if issued_on < (locked.notified_on or locked.signed_on):
        raise ValidationError(
            {"issued_on": "Un bon de commande ne peut pas précéder la notification du marché."}
        )
    ordered = locked.purchase_orders.aggregate(total=Sum("amount_ht"))["total"] or ZERO
    maximum = locked.amount_ht + _amendments_ht(locked)
    if ordered + amount_ht > maximum:
        raise ContractError(
            f"Ce bon de commande porterait le total commandé à {format_euros(ordered + amount_ht)} HT, au-delà du "
            f"maximum de l'accord-cadre ({format_euros(maximum)} HT, avenants compris ; déjà commandé : "
            f"{format_euros(ordered)} HT)."
        )
    order = PurchaseOrder(
        contract=locked,
        number=number.strip(),
        issued_on=issued_on,
        amount_ht=amount_ht,
        amount_ttc=amount_ttc,
        description=description,
    )
    order.full_clean()
    order._history_user = by  # type: ignore[attr-defined]
    order.save()
    return order
