"""The deadlines of a subsidy request, computed from its stored dates and its scheme's rules (DOMAIN_RULES §3).

Pure computation: no query in here. The caller gives the request, the scheme's rules (one row, or every row of
the scheme so that each deadline reads the row in force on its own trigger date: the notification for the
start, the start for the completion, the filing for the non-start rule and the completeness) and the day.

Months are calendar months (dateutil.relativedelta): a month end clamps, so 29/02/2024 + 24 months is
28/02/2026 and 31/08/2025 + 6 months is 28/02/2026. A scheme without rules, or a rule without a value, yields
no deadline: nothing is invented (DOMAIN.md §10).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from budget.models import PaymentKind, SchemeRule, SubsidyStatus
from pvd.deadlines import (
    DONE,
    NOT_APPLICABLE,
    OVERDUE,
    UPCOMING,
    URGENCY,
    WARNING,
    HasDeadlineStatus,
    add_months,
    timing,
)

# A request in one of these statuses has no deadline left to meet.
CLOSED_STATUSES = frozenset(
    {SubsidyStatus.REJECTED, SubsidyStatus.WITHDRAWN, SubsidyStatus.LAPSED, SubsidyStatus.SETTLED}
)

START = "start"
START_EXTENSION = "start_extension"
COMPLETION = "completion"
COMPLETION_EXTENSION = "completion_extension"
BALANCE = "balance"
NON_START = "non_start"
COMPLETENESS = "completeness"


@dataclass(frozen=True)
class Deadline(HasDeadlineStatus):
    """One deadline of a request: when it is due, from when to warn, where it stands, and the rule."""

    code: str
    label: str
    due_on: datetime.date
    warn_from: datetime.date | None
    status: str
    rule: str
    request_id: int | None
    detail: str = ""
    request_title: str = ""

    @property
    def is_open(self) -> bool:
        """Still to be met (or already missed): what an alert is about."""
        return self.status in (UPCOMING, WARNING, OVERDUE)

    def days_left(self, day: datetime.date) -> int:
        return (self.due_on - day).days


def rule_on(
    rules: "SchemeRule | Sequence[SchemeRule] | None", day: datetime.date | None
) -> SchemeRule | None:
    """The row in force on `day` among the scheme's rows (the latest start when periods overlap); a single
    row is taken as given (the caller chose it)."""
    if rules is None or isinstance(rules, SchemeRule):
        return rules
    if day is None:
        return None
    in_force = [r for r in rules if r.valid_from <= day and (r.valid_until is None or r.valid_until >= day)]
    return max(in_force, key=lambda r: r.valid_from, default=None)


def _timing(due: datetime.date, warn_from: datetime.date | None, day: datetime.date) -> str:
    return timing(due, day, warn_from=warn_from)


def _warn(due: datetime.date, rule: SchemeRule) -> datetime.date:
    return due - datetime.timedelta(days=rule.warning_days)


def _months(n: int) -> str:
    return f"{n} mois"


def deadlines_for(
    request: object,
    rule: "SchemeRule | Sequence[SchemeRule] | None",
    *,
    day: datetime.date,
    payments: Iterable[object] = (),
) -> list[Deadline]:
    """Every deadline of `request` on `day`, in date order. `rule`: the scheme's row, or all its rows (each
    deadline then reads the row in force on its trigger date). `payments`: the request's payments (a balance
    recorded meets the balance deadline even when the request's date was not filled in)."""
    closed = request.status in CLOSED_STATUSES
    deadlines: list[Deadline] = []
    rid = request.pk
    title = str(getattr(request, "title", ""))

    def add(
        code: str,
        label: str,
        due: datetime.date,
        warn: datetime.date | None,
        status: str,
        text: str,
        detail: str = "",
    ) -> None:
        if closed and status != DONE:
            status = NOT_APPLICABLE
        deadlines.append(Deadline(code, label, due, warn, status, text, rid, detail, title))

    # 1. Start of works (first legal commitment), counted from the notification.
    start_rule = rule_on(rule, request.notified_on)
    start_due = None
    if start_rule is not None and request.notified_on and start_rule.start_deadline_months is not None:
        months = start_rule.start_deadline_months
        original = add_months(request.notified_on, months)
        extended = bool(request.start_extension_granted and start_rule.start_extension_months)
        start_due = add_months(original, start_rule.start_extension_months) if extended else original
        text = (
            f"{start_rule.legal_reference} — commencement dans les {_months(months)} suivant la notification"
        )
        if extended:
            text += f", prorogé de {_months(start_rule.start_extension_months)}"
        warn = _warn(start_due, start_rule)
        if request.started_on:
            late = request.started_on > start_due
            status = OVERDUE if late else DONE
            detail = f"Commencée le {request.started_on:%d/%m/%Y}" + (
                " : après l'échéance (caducité)" if late else ""
            )
        else:
            status = _timing(start_due, warn, day)
            detail = (
                "Délai dépassé sans commencement : risque de caducité."
                if status == OVERDUE
                else "Premier engagement juridique (devis signé, marché notifié) ; études et acquisitions "
                "ne comptent pas."
            )
        add(START, "Commencement de l'opération", start_due, warn, status, text, detail)

        # 2. Extension request of the start deadline, due some months before the original expiry.
        if start_rule.start_extension_months and start_rule.extension_request_months is not None:
            due = add_months(original, -start_rule.extension_request_months)
            text = (
                f"{start_rule.legal_reference} — demande motivée au plus tard "
                f"{_months(start_rule.extension_request_months)} avant l'échéance, prorogation de "
                f"{_months(start_rule.start_extension_months)}"
            )
            if request.start_extension_granted or request.start_extension_requested_on:
                when = request.start_extension_requested_on
                detail = "Prorogation accordée" if request.start_extension_granted else "Prorogation demandée"
                if when:
                    detail += f" (demande du {when:%d/%m/%Y})"
                add(START_EXTENSION, "Demande de prorogation du commencement", due, None, DONE, text, detail)
            elif request.started_on:
                add(
                    START_EXTENSION,
                    "Demande de prorogation du commencement",
                    due,
                    None,
                    NOT_APPLICABLE,
                    text,
                    "Opération commencée : pas de prorogation nécessaire.",
                )
            else:
                warn = _warn(due, start_rule)
                add(
                    START_EXTENSION,
                    "Demande de prorogation du commencement",
                    due,
                    warn,
                    _timing(due, warn, day),
                    text,
                )

    # 3. Completion, counted from the start.
    completion_rule = rule_on(rule, request.started_on)
    completion_due = None
    if (
        completion_rule is not None
        and request.started_on
        and completion_rule.completion_deadline_months is not None
    ):
        months = completion_rule.completion_deadline_months
        original = add_months(request.started_on, months)
        extended = bool(request.completion_extension_granted and completion_rule.completion_extension_months)
        completion_due = (
            add_months(original, completion_rule.completion_extension_months) if extended else original
        )
        text = f"{completion_rule.legal_reference} — achèvement dans les {_months(months)} suivant le commencement"
        if extended:
            text += f", prorogé de {_months(completion_rule.completion_extension_months)}"
        warn = _warn(completion_due, completion_rule)
        if request.completed_on:
            late = request.completed_on > completion_due
            status = OVERDUE if late else DONE
            detail = f"Achevée le {request.completed_on:%d/%m/%Y}" + (" : après l'échéance" if late else "")
        else:
            status = _timing(completion_due, warn, day)
            detail = (
                "Au-delà, les demandes de paiement sont refusées."
                if status != OVERDUE
                else ("Délai d'achèvement dépassé : les demandes de paiement seront refusées.")
            )
        add(COMPLETION, "Achèvement de l'opération", completion_due, warn, status, text, detail)

        if (
            completion_rule.completion_extension_months
            and completion_rule.extension_request_months is not None
        ):
            due = add_months(original, -completion_rule.extension_request_months)
            text = (
                f"{completion_rule.legal_reference} — demande motivée au plus tard "
                f"{_months(completion_rule.extension_request_months)} avant l'échéance, prorogation de "
                f"{_months(completion_rule.completion_extension_months)}"
            )
            label = "Demande de prorogation de l'achèvement"
            if request.completion_extension_granted or request.completion_extension_requested_on:
                detail = (
                    "Prorogation accordée" if request.completion_extension_granted else "Prorogation demandée"
                )
                add(COMPLETION_EXTENSION, label, due, None, DONE, text, detail)
            elif request.completed_on:
                add(
                    COMPLETION_EXTENSION,
                    label,
                    due,
                    None,
                    NOT_APPLICABLE,
                    text,
                    "Opération achevée : pas de prorogation nécessaire.",
                )
            else:
                warn = _warn(due, completion_rule)
                add(COMPLETION_EXTENSION, label, due, warn, _timing(due, warn, day), text)

    # 4. The balance request: months after the completion when the rule says so, else the completion deadline.
    if completion_rule is not None:
        balance_due = None
        if completion_rule.balance_deadline_months is not None:
            if request.completed_on:
                balance_due = add_months(request.completed_on, completion_rule.balance_deadline_months)
                text = (
                    f"{completion_rule.legal_reference} — demande de solde dans les "
                    f"{_months(completion_rule.balance_deadline_months)} suivant l'achèvement"
                )
        elif completion_due is not None:
            balance_due = completion_due
            text = (
                f"{completion_rule.legal_reference} — demande de solde avant la date limite d'achèvement ; "
                "les demandes de paiement plus tardives sont refusées"
            )
        if balance_due is not None:
            balance_paid = any(p.kind == PaymentKind.BALANCE for p in payments)
            warn = _warn(balance_due, completion_rule)
            if request.balance_requested_on or balance_paid:
                when = request.balance_requested_on
                detail = f"Solde demandé le {when:%d/%m/%Y}" if when else "Solde demandé"
                add(BALANCE, "Demande de solde", balance_due, warn, DONE, text, detail)
            else:
                add(BALANCE, "Demande de solde", balance_due, warn, _timing(balance_due, warn, day), text)

    # 5. The non-start rule: no legal commitment before the filing (or its acknowledgement, when known).
    reference_day = request.acknowledged_on or request.filed_on
    filing_rule = rule_on(rule, request.filed_on)
    if filing_rule is not None and filing_rule.non_start_rule and reference_day and request.started_on:
        text = f"{filing_rule.legal_reference} — aucun engagement juridique avant le dépôt de la demande"
        what = "l'accusé de réception" if request.acknowledged_on else "le dépôt"
        if request.started_on < reference_day:
            deadlines.append(
                Deadline(
                    NON_START,
                    "Commencement avant le dépôt : dépense inéligible",
                    reference_day,
                    None,
                    OVERDUE,
                    text,
                    rid,
                    f"Commencement le {request.started_on:%d/%m/%Y}, avant {what} du {reference_day:%d/%m/%Y}.",
                    title,
                )
            )
        else:
            add(
                NON_START,
                "Pas de commencement avant le dépôt",
                reference_day,
                None,
                DONE,
                text,
                f"Commencement le {request.started_on:%d/%m/%Y}, après {what}.",
            )

    # 6. Completeness deemed acquired after the funder's silence.
    if filing_rule is not None and request.filed_on and filing_rule.completeness_months is not None:
        due = add_months(request.filed_on, filing_rule.completeness_months)
        text = (
            f"{filing_rule.legal_reference} — sans demande de pièces dans les "
            f"{_months(filing_rule.completeness_months)} suivant le dépôt, le dossier est réputé complet"
        )
        if request.complete_on:
            add(
                COMPLETENESS,
                "Complétude du dossier",
                due,
                None,
                DONE,
                text,
                f"Dossier complet le {request.complete_on:%d/%m/%Y}.",
            )
        elif request.decided_on or day >= due:
            add(
                COMPLETENESS,
                "Complétude réputée acquise",
                due,
                None,
                DONE,
                text,
                f"Complétude réputée acquise le {due:%d/%m/%Y}.",
            )
        else:
            add(
                COMPLETENESS,
                "Complétude réputée acquise",
                due,
                None,
                UPCOMING,
                text,
                "Sans demande de pièces d'ici là, le dossier sera réputé complet.",
            )

    deadlines.sort(key=lambda d: (d.due_on, URGENCY[d.status]))
    return deadlines


def start_deadline(deadlines: Iterable[Deadline]) -> Deadline | None:
    return next((d for d in deadlines if d.code == START), None)


def balance_deadline(deadlines: Iterable[Deadline]) -> Deadline | None:
    return next((d for d in deadlines if d.code == BALANCE), None)
