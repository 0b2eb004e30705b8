"""Writes of subsidy requests: create, edit, allocate to operations, the status workflow, award, payments,
receipts, reductions and repayments (DOMAIN.md §2.3, DOMAIN_RULES.md §2.4 and §3).

Every rule value comes from the scheme's SchemeRule in force on the filing date (payment caps) or the date the
deadline counts from (budget.deadlines). Each transition checks TRANSITIONS, requires its evidence (the date of
the event, the decision's amount…), bumps the version and writes a StatusChange in the same transaction.
Payments lock the request row, so two simultaneous payments cannot both pass the caps.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from budget.deadlines import balance_deadline, deadlines_for
from budget.models import (
    AdjustmentKind,
    BudgetDirection,
    BudgetLine,
    FinancingLine,
    FinancingLineStatus,
    PaymentKind,
    SchemeRule,
    SubsidyAdjustment,
    SubsidyAllocation,
    SubsidyPayment,
    SubsidyRequest,
    SubsidyStatus,
)
from budget.models.subsidies import DATE_ORDER
from operations.models import Operation
from programmes.models import Programme
from pvd import workflow
from pvd.accounts.models import User
from pvd.concurrency import save_versioned
from pvd.errors import DomainError
from pvd.models import StatusChange
from pvd.money import ZERO, format_euros, format_percent, round_cents

S = SubsidyStatus


class SubsidyError(DomainError):
    """A subsidy rule refused the action (French message)."""


OPEN_STATUSES = frozenset(
    {
        S.TO_PREPARE,
        S.DELIBERATED,
        S.FILED,
        S.ACKNOWLEDGED,
        S.COMPLETE,
        S.AWARDED,
        S.NOTIFIED,
        S.STARTED,
        S.COMPLETED,
    }
)

# DOMAIN.md §2.3. Completeness may be implicit (réputée acquise after the funder's silence): a decision may
# follow the acknowledgement. Any open status may be withdrawn; a notified or started request may lapse.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.TO_PREPARE: frozenset({S.DELIBERATED, S.FILED, S.WITHDRAWN}),
    S.DELIBERATED: frozenset({S.FILED, S.WITHDRAWN}),
    S.FILED: frozenset({S.ACKNOWLEDGED, S.COMPLETE, S.REJECTED, S.WITHDRAWN}),
    S.ACKNOWLEDGED: frozenset({S.COMPLETE, S.AWARDED, S.REJECTED, S.WITHDRAWN}),
    S.COMPLETE: frozenset({S.AWARDED, S.REJECTED, S.WITHDRAWN}),
    S.AWARDED: frozenset({S.NOTIFIED, S.WITHDRAWN}),
    S.NOTIFIED: frozenset({S.STARTED, S.LAPSED, S.WITHDRAWN}),
    S.STARTED: frozenset({S.COMPLETED, S.LAPSED, S.WITHDRAWN}),
    S.COMPLETED: frozenset({S.SETTLED, S.WITHDRAWN}),
    S.SETTLED: frozenset(),
    S.REJECTED: frozenset(),
    S.LAPSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

# The evidence each target status requires: fields that must be known (given now or already stored).
EVIDENCE: dict[str, tuple[str, ...]] = {
    S.DELIBERATED: ("deliberation_on",),
    S.FILED: ("filed_on",),
    S.ACKNOWLEDGED: ("acknowledged_on",),
    S.COMPLETE: ("complete_on",),
    S.AWARDED: ("decided_on", "awarded_amount"),
    S.REJECTED: ("decided_on",),
    S.NOTIFIED: ("notified_on",),
    S.STARTED: ("started_on",),
    S.COMPLETED: ("completed_on",),
    S.SETTLED: ("settled_on",),
    S.LAPSED: (),
    S.WITHDRAWN: (),
}
# The date a status change records (the form's "date of the event").
EVENT_DATE: dict[str, str] = {
    S.DELIBERATED: "deliberation_on",
    S.FILED: "filed_on",
    S.ACKNOWLEDGED: "acknowledged_on",
    S.COMPLETE: "complete_on",
    S.AWARDED: "decided_on",
    S.REJECTED: "decided_on",
    S.NOTIFIED: "notified_on",
    S.STARTED: "started_on",
    S.COMPLETED: "completed_on",
    S.SETTLED: "settled_on",
}
# Statuses whose change needs a reason written down.
REASON_REQUIRED = frozenset({S.REJECTED, S.LAPSED, S.WITHDRAWN})

# Fields a status change may fill in along with its date.
STATUS_FIELDS = frozenset(
    {
        "deliberation_on",
        "deliberation_reference",
        "filed_on",
        "platform_reference",
        "acknowledged_on",
        "complete_on",
        "decided_on",
        "decision_reference",
        "awarded_amount",
        "awarded_base_ht",
        "conditions",
        "notified_on",
        "started_on",
        "start_declared_on",
        "completed_on",
        "balance_requested_on",
        "settled_on",
    }
)

# Descriptive fields (create and edit) and the dates/amounts the edit form may correct.
DESCRIPTIVE_FIELDS = (
    "beneficiary",
    "funder",
    "scheme",
    "title",
    "platform_reference",
    "call_deadline",
    "requested_base_ht",
    "requested_amount",
    "publicity_required",
    "advance_guaranteed",
    "planned_duration_months",
    "revenue_account",
)
EDITABLE_FIELDS = DESCRIPTIVE_FIELDS + (
    "deliberation_on",
    "deliberation_reference",
    "filed_on",
    "acknowledged_on",
    "complete_on",
    "decided_on",
    "decision_reference",
    "awarded_base_ht",
    "awarded_amount",
    "conditions",
    "notified_on",
    "started_on",
    "start_declared_on",
    "completed_on",
    "balance_requested_on",
    "settled_on",
    "start_extension_requested_on",
    "start_extension_granted",
    "completion_extension_requested_on",
    "completion_extension_granted",
)

# The plan line follows its request: filed → requested, awarded → granted, rejected → refused.
LINE_STATUS: dict[str, str] = {
    S.FILED: FinancingLineStatus.REQUESTED,
    S.ACKNOWLEDGED: FinancingLineStatus.REQUESTED,
    S.COMPLETE: FinancingLineStatus.REQUESTED,
    S.AWARDED: FinancingLineStatus.GRANTED,
    S.NOTIFIED: FinancingLineStatus.GRANTED,
    S.STARTED: FinancingLineStatus.GRANTED,
    S.COMPLETED: FinancingLineStatus.GRANTED,
    S.SETTLED: FinancingLineStatus.GRANTED,
    S.REJECTED: FinancingLineStatus.REFUSED,
}


def _label(status: str) -> str:
    return S(status).label


def _field_label(name: str) -> str:
    return str(SubsidyRequest._meta.get_field(name).verbose_name)


def allowed_targets(status: str) -> list[str]:
    """The statuses a request in `status` may move to, in lifecycle order (for the forms)."""
    return workflow.in_order(TRANSITIONS[status], S)


def check_transition(request: SubsidyRequest, to: str) -> None:
    message = workflow.refusal(
        transitions=TRANSITIONS,
        choices=S,
        source=request.status,
        target=to,
        subject="La demande",
        pronoun="elle",
    )
    if message:
        raise SubsidyError(message)


def date_order_errors(values: dict[str, object]) -> dict[str, str]:
    """For each pair of DATE_ORDER both known and out of order: the later field and a French message naming
    both dates (the form and the service show it on the field)."""
    errors: dict[str, str] = {}
    for before, after in DATE_ORDER:
        first, second = values.get(before), values.get(after)
        if first and second and second < first:
            errors.setdefault(
                after,
                f"« {_field_label(after).capitalize()} » ({second:%d/%m/%Y}) ne peut pas précéder "
                f"« {_field_label(before)} » ({first:%d/%m/%Y}).",
            )
    return errors


def _values(request: SubsidyRequest, changes: dict[str, object]) -> dict[str, object]:
    values = {name: getattr(request, name) for name in EDITABLE_FIELDS if not name.endswith("_granted")}
    values.update(changes)
    return values


def _check_dates(request: SubsidyRequest, changes: dict[str, object]) -> None:
    errors = date_order_errors(_values(request, changes))
    if errors:
        raise ValidationError(errors)


# --- Money read from the stored rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    """What was asked for and received under a request, and what its award is worth after reductions."""

    awarded: Decimal | None
    reductions: Decimal
    repayments: Decimal
    advances: Decimal
    instalments: Decimal
    balances: Decimal
    requested_payments: Decimal
    received: Decimal

    @property
    def effective_award(self) -> Decimal | None:
        return None if self.awarded is None else self.awarded - self.reductions

    @property
    def net_received(self) -> Decimal:
        return self.received - self.repayments

    @property
    def net_payments(self) -> Decimal:
        return self.requested_payments - self.repayments

    @property
    def remaining_to_receive(self) -> Decimal | None:
        award = self.effective_award
        return None if award is None else max(award - self.net_received, ZERO)


def money_of(request: SubsidyRequest) -> Money:
    """Payments and adjustments of the request (two aggregate queries)."""
    by_kind = {
        row["kind"]: row
        for row in SubsidyPayment.objects.filter(request=request)
        .order_by()
        .values("kind")
        .annotate(total=Sum("amount"), received=Sum("amount", filter=Q(received_on__isnull=False)))
    }
    adjustments = {
        row["kind"]: row["total"]
        for row in SubsidyAdjustment.objects.filter(request=request)
        .order_by()
        .values("kind")
        .annotate(total=Sum("amount"))
    }
    return money_from(request.awarded_amount, by_kind, adjustments)


def money_from(
    awarded: Decimal | None,
    by_kind: dict[str, dict[str, Decimal | None]],
    adjustments: dict[str, Decimal | None],
) -> Money:
    def total(kind: str) -> Decimal:
        return (by_kind.get(kind) or {}).get("total") or ZERO

    return Money(
        awarded=awarded,
        reductions=adjustments.get(AdjustmentKind.REDUCTION) or ZERO,
        repayments=adjustments.get(AdjustmentKind.REPAYMENT) or ZERO,
        advances=total(PaymentKind.ADVANCE),
        instalments=total(PaymentKind.INSTALMENT),
        balances=total(PaymentKind.BALANCE),
        requested_payments=sum((row.get("total") or ZERO for row in by_kind.values()), ZERO),
        received=sum((row.get("received") or ZERO for row in by_kind.values()), ZERO),
    )


@dataclass(frozen=True)
class Cap:
    """One payment cap: its label, the rate of the award and the amount, what is used and what remains."""

    code: str
    label: str
    rate: Decimal | None
    amount: Decimal
    used: Decimal
    rule: str

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.used


def payment_rule(request: SubsidyRequest) -> SchemeRule | None:
    """The scheme's rules in force on the filing date (the decision's date, then today, when not filed)."""
    if request.scheme_id is None:
        return None
    day = request.filed_on or request.decided_on or timezone.localdate()
    return SchemeRule.in_force(request.scheme_id, day)


def caps_for(request: SubsidyRequest, money: Money, rule: SchemeRule | None) -> list[Cap]:
    """The caps of décret 2018-514 / the scheme's rule, as amounts of the effective award (rounded to the cent)."""
    award = money.effective_award
    if award is None:
        return []
    caps: list[Cap] = []
    if rule is not None:
        if request.advance_guaranteed and rule.advance_max_rate_guaranteed is not None:
            rate, label = rule.advance_max_rate_guaranteed, "Avance (avec garantie bancaire)"
        else:
            rate, label = rule.advance_max_rate, "Avance"
        if rate is not None:
            caps.append(
                Cap(
                    "advance",
                    label,
                    rate,
                    round_cents(award * rate),
                    money.advances,
                    rule.legal_reference,
                )
            )
        long = (
            rule.instalments_max_rate_long is not None
            and rule.long_operation_months is not None
            and request.planned_duration_months is not None
            and request.planned_duration_months > rule.long_operation_months
        )
        rate = rule.instalments_max_rate_long if long else rule.instalments_max_rate
        if rate is not None:
            label = "Avance et acomptes cumulés"
            if long:
                label += f" (opération de plus de {rule.long_operation_months} mois)"
            caps.append(
                Cap(
                    "instalments",
                    label,
                    rate,
                    round_cents(award * rate),
                    money.advances + money.instalments,
                    rule.legal_reference,
                )
            )
    caps.append(
        Cap(
            "total",
            "Ensemble des versements (subvention attribuée, réductions déduites)",
            None,
            award,
            money.net_payments,
            "Le versement ne peut excéder la subvention attribuée.",
        )
    )
    return caps


# --- Plan lines in step with their request ---------------------------------------------------------------


def _sync_line(line: FinancingLine, target: str, by: User, comment: str) -> None:
    """Move the plan line to `target` through the financing service's allowed steps (envisaged → requested →
    granted | refused), when it is not already there."""
    from budget.services.financing import line_set_status

    if line.status == target:
        return
    path = [target]
    if line.status == FinancingLineStatus.ENVISAGED and target in (
        FinancingLineStatus.GRANTED,
        FinancingLineStatus.REFUSED,
    ):
        path = [FinancingLineStatus.REQUESTED, target]
    elif line.status in (FinancingLineStatus.REFUSED,) and target == FinancingLineStatus.GRANTED:
        path = [FinancingLineStatus.ENVISAGED, FinancingLineStatus.REQUESTED, target]
    for step in path:
        line = line_set_status(line=line, status=step, by=by, comment=comment)


def _sync_lines(request: SubsidyRequest, by: User, comment: str = "") -> None:
    target = LINE_STATUS.get(request.status)
    if target is None:
        return
    lines = FinancingLine.objects.filter(allocation__request=request).exclude(status=target).order_by("pk")
    for line in lines:
        _sync_line(
            line,
            target,
            by,
            comment or f"Demande de subvention « {request.title} » : {_label(request.status)}.",
        )


# --- Create, edit, allocate -----------------------------------------------------------------------------------


def _allocation_rows(
    request: SubsidyRequest, allocations: Iterable[tuple[Operation, FinancingLine | None, Decimal]]
) -> list[SubsidyAllocation]:
    rows = list(allocations)
    seen: set[int] = set()
    lines: set[int] = set()
    for operation, line, amount in rows:
        if operation.programme_id != request.programme_id:
            raise SubsidyError(f"L'opération « {operation} » n'appartient pas au programme de la demande.")
        if operation.pk in seen:
            raise SubsidyError(f"L'opération « {operation} » figure deux fois dans la répartition.")
        seen.add(operation.pk)
        if amount is None or amount < 0:
            raise SubsidyError(f"Le montant affecté à « {operation} » doit être positif ou nul.")
        if line is not None:
            if line.plan.operation_id != operation.pk:
                raise SubsidyError(
                    f"La ligne « {line} » n'appartient pas au plan de financement de l'opération « {operation} »."
                )
            if line.pk in lines:
                raise SubsidyError(f"La ligne « {line} » est rattachée deux fois.")
            lines.add(line.pk)
    if lines:
        taken = (
            SubsidyAllocation.objects.filter(financing_line_id__in=lines)
            .exclude(request=request)
            .select_related("request", "financing_line")
        )
        for other in taken:
            raise SubsidyError(
                f"La ligne « {other.financing_line} » est déjà couverte par la demande « {other.request} »."
            )
    total = sum((round_cents(amount) for _, _, amount in rows), ZERO)
    ceiling = request.awarded_amount if request.awarded_amount is not None else request.requested_amount
    if total > ceiling:
        what = "attribué" if request.awarded_amount is not None else "demandé"
        raise SubsidyError(
            f"La répartition ({format_euros(total)}) dépasse le montant {what} ({format_euros(ceiling)})."
        )
    return [
        SubsidyAllocation(
            request=request, operation=operation, financing_line=line, amount=round_cents(amount)
        )
        for operation, line, amount in rows
    ]


@transaction.atomic
def set_allocations(
    *,
    request: SubsidyRequest,
    allocations: Sequence[tuple[Operation, FinancingLine | None, Decimal]],
    by: User,
) -> list[SubsidyAllocation]:
    """Replace the request's allocation to operations, all or nothing; the plan lines follow its status."""
    request = SubsidyRequest.objects.select_for_update().get(pk=request.pk)
    rows = _allocation_rows(request, allocations)
    for old in SubsidyAllocation.objects.filter(request=request):
        old._history_user = by  # type: ignore[attr-defined]
        old.delete()
    saved = []
    for row in rows:
        row.full_clean(validate_unique=False)
        row._history_user = by  # type: ignore[attr-defined]
        row.save()
        saved.append(row)
    _sync_lines(request, by)
    return saved


@transaction.atomic
def request_create(
    *,
    programme: Programme,
    data: dict[str, object],
    allocations: Sequence[tuple[Operation, FinancingLine | None, Decimal]] = (),
    by: User,
) -> SubsidyRequest:
    """Record a request (to prepare) and its allocation to operations; its first StatusChange says who."""
    unknown = set(data) - set(DESCRIPTIVE_FIELDS)
    if unknown:
        raise SubsidyError(f"Champs non modifiables à la création : {', '.join(sorted(unknown))}.")
    request = SubsidyRequest(programme=programme, status=S.TO_PREPARE, **data)
    request.full_clean()
    request._history_user = by  # type: ignore[attr-defined]
    request.save()
    StatusChange.objects.create(obj=request, source="", target=S.TO_PREPARE, by=by, comment="Demande créée.")
    if allocations:
        set_allocations(request=request, allocations=allocations, by=by)
    return request


@transaction.atomic
def request_update(
    *, request: SubsidyRequest, data: dict[str, object], expected_version: int, by: User
) -> SubsidyRequest:
    """Correct what the request is, its dates and amounts (its status moves only through change_status).

    Dates out of order: ValidationError on the later field; an award below what was already paid out is refused.
    StaleObjectError when somebody saved it since `expected_version`."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise SubsidyError(f"Champs non modifiables : {', '.join(sorted(unknown))}.")
    _check_dates(request, data)
    if "awarded_amount" in data:
        money = money_of(request)
        awarded = data["awarded_amount"]
        if awarded is None and money.requested_payments:
            raise SubsidyError(
                "Des versements sont enregistrés : le montant attribué ne peut pas être effacé."
            )
        if awarded is not None and awarded - money.reductions < money.net_payments:
            raise SubsidyError(
                f"Le montant attribué, réductions déduites ({format_euros(awarded - money.reductions)}), ne peut pas "
                f"être inférieur aux versements déjà demandés ({format_euros(money.net_payments)})."
            )
    return save_versioned(request, expected_version=expected_version, changes=dict(data), by=by)


@transaction.atomic
def change_status(
    *,
    request: SubsidyRequest,
    status: str,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
    **evidence: object,
) -> SubsidyRequest:
    """Move the request to `status` with its evidence (the event's date, the decision's amount…).

    SubsidyError (French) when the transition is not allowed or its evidence is missing; ValidationError on
    the field when a date is out of order; StaleObjectError when `expected_version` is stale."""
    unknown = set(evidence) - STATUS_FIELDS
    if unknown:
        raise SubsidyError(f"Champs inattendus pour un changement de statut : {', '.join(sorted(unknown))}.")
    current = SubsidyRequest.objects.select_for_update().get(pk=request.pk)
    if expected_version is None:
        expected_version = current.version
    check_transition(current, status)
    changes = {name: value for name, value in evidence.items() if value not in (None, "")}
    missing = [name for name in EVIDENCE[status] if changes.get(name, getattr(current, name)) in (None, "")]
    if missing:
        fields = ", ".join(f"« {_field_label(name)} »" for name in missing)
        raise SubsidyError(f"Pour passer la demande à « {_label(status)} », indiquez : {fields}.")
    comment = comment.strip()
    if status in REASON_REQUIRED and not comment:
        raise SubsidyError(f"Indiquez le motif pour passer la demande à « {_label(status)} ».")
    if status == S.AWARDED:
        amount = changes.get("awarded_amount", current.awarded_amount)
        base = changes.get("awarded_base_ht", current.awarded_base_ht)
        if amount is not None and amount < 0:
            raise ValidationError({"awarded_amount": "Un montant ne peut pas être négatif."})
        if base is not None and amount is not None and amount > base:
            raise ValidationError(
                {
                    "awarded_amount": "Le montant attribué ne peut pas dépasser l'assiette retenue (taux > 100 %)."
                }
            )
    if status in REASON_REQUIRED:
        changes["closing_reason"] = comment
    _check_dates(current, changes)
    source = current.status
    saved = save_versioned(
        current, expected_version=expected_version, by=by, changes={**changes, "status": status}
    )
    StatusChange.objects.create(obj=saved, source=source, target=status, by=by, comment=comment)
    _sync_lines(saved, by, comment)
    return saved


def record_award(
    *,
    request: SubsidyRequest,
    awarded_amount: Decimal,
    decided_on: datetime.date,
    by: User,
    awarded_base_ht: Decimal | None = None,
    decision_reference: str = "",
    conditions: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> SubsidyRequest:
    """The funder's decision (arrêté attributif or convention): amount, rate via the base, reference, conditions."""
    base = awarded_base_ht
    rate = f" ({format_percent(awarded_amount / base)} de {format_euros(base)} HT)" if base else ""
    return change_status(
        request=request,
        status=S.AWARDED,
        by=by,
        comment=comment or f"Subvention attribuée : {format_euros(awarded_amount)}{rate}.",
        expected_version=expected_version,
        awarded_amount=awarded_amount,
        awarded_base_ht=awarded_base_ht,
        decided_on=decided_on,
        decision_reference=decision_reference,
        conditions=conditions,
    )


# --- Payments, receipts, reductions, repayments ----------------------------------------------------------

PAYABLE_STATUSES = frozenset({S.AWARDED, S.NOTIFIED, S.STARTED, S.COMPLETED})


def _check_payment(request: SubsidyRequest, kind: str, amount: Decimal, requested_on: datetime.date) -> None:
    if kind not in PaymentKind.values:
        raise SubsidyError(f"Nature de versement inconnue : « {kind} ».")
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Un versement est un montant positif."})
    if request.status not in PAYABLE_STATUSES or request.awarded_amount is None:
        raise SubsidyError(
            f"La demande est « {_label(request.status)} » : un versement suppose une subvention attribuée et "
            "non soldée."
        )
    money = money_of(request)
    rule = payment_rule(request)
    kind_label = PaymentKind(kind).label.lower()
    if kind == PaymentKind.BALANCE:
        if not request.completed_on:
            raise SubsidyError(
                "Le solde se demande après l'achèvement : indiquez d'abord la date d'achèvement."
            )
        if money.balances:
            raise SubsidyError(
                "Le solde de cette subvention a déjà été demandé : il ne se demande qu'une fois."
            )
        if requested_on < request.completed_on:
            raise ValidationError(
                {"requested_on": f"Le solde se demande après l'achèvement ({request.completed_on:%d/%m/%Y})."}
            )
    if request.decided_on and requested_on < request.decided_on:
        raise ValidationError(
            {"requested_on": "Un versement ne peut pas être demandé avant la décision d'attribution."}
        )
    # Later payment requests are refused past the balance deadline (completion deadline by default).
    rules = list(SchemeRule.objects.filter(scheme_id=request.scheme_id)) if request.scheme_id else []
    deadline = balance_deadline(deadlines_for(request, rules, day=requested_on))
    if deadline is not None and requested_on > deadline.due_on:
        raise SubsidyError(
            f"La date limite de demande de paiement était le {deadline.due_on:%d/%m/%Y} ({deadline.rule}) : "
            "une demande plus tardive est refusée."
        )
    after = {
        PaymentKind.ADVANCE: (money.advances + amount, money.advances + money.instalments + amount),
        PaymentKind.INSTALMENT: (money.advances, money.advances + money.instalments + amount),
        PaymentKind.BALANCE: (money.advances, money.advances + money.instalments),
    }[kind]
    for cap in caps_for(request, money, rule):
        used = {"advance": after[0], "instalments": after[1], "total": money.net_payments + amount}[cap.code]
        if used > cap.amount:
            rate = f" ({format_percent(cap.rate, 0)} de la subvention)" if cap.rate is not None else ""
            raise SubsidyError(
                f"Ce versement ({kind_label}) de {format_euros(amount)} porterait « {cap.label} » à {format_euros(used)}, "
                f"au-delà du plafond de {format_euros(cap.amount)}{rate} — {cap.rule}. "
                f"Reste possible : {format_euros(max(cap.amount - (used - amount), ZERO))}."
            )


@transaction.atomic
def record_payment(
    *,
    request: SubsidyRequest,
    kind: str,
    amount: Decimal,
    requested_on: datetime.date,
    by: User,
    received_on: datetime.date | None = None,
    revenue_order_reference: str = "",
    note: str = "",
    budget_line: BudgetLine | None = None,
) -> SubsidyPayment:
    """Record an advance, an instalment or the balance asked for (and received, when known), within the caps
    of the rule in force on the filing date. The request row is locked: concurrent payments queue."""
    locked = SubsidyRequest.objects.select_for_update().get(pk=request.pk)
    amount = round_cents(amount)
    _check_payment(locked, kind, amount, requested_on)
    if received_on is not None and received_on < requested_on:
        raise ValidationError({"received_on": "L'encaissement ne peut pas précéder la demande de versement."})
    _check_revenue_line(locked, budget_line)
    payment = SubsidyPayment(
        request=locked,
        kind=kind,
        amount=amount,
        requested_on=requested_on,
        received_on=received_on,
        revenue_order_reference=revenue_order_reference.strip(),
        note=note.strip(),
        recorded_by=by,
        budget_line=budget_line,
    )
    payment.full_clean()
    payment._history_user = by  # type: ignore[attr-defined]
    payment.save()
    if kind == PaymentKind.BALANCE and locked.balance_requested_on is None:
        save_versioned(
            locked, expected_version=locked.version, by=by, changes={"balance_requested_on": requested_on}
        )
    return payment


def _check_revenue_line(request: SubsidyRequest, line: BudgetLine | None) -> None:
    """The revenue line that receives the money: a revenue line of the request's programme, in the
    beneficiary's budget (the titre de recette is issued in it)."""
    if line is None:
        return
    if (
        line.direction != BudgetDirection.REVENUE
        or line.programme_id != request.programme_id
        or line.organisation_id != request.beneficiary_id
    ):
        raise ValidationError(
            {"budget_line": "Choisissez une ligne de recette du budget du bénéficiaire, dans ce programme."}
        )


@transaction.atomic
def record_receipt(
    *,
    payment: SubsidyPayment,
    received_on: datetime.date,
    revenue_order_reference: str,
    by: User,
) -> SubsidyPayment:
    """The money came: its date and the revenue order (titre de recette) issued."""
    SubsidyRequest.objects.select_for_update().get(pk=payment.request_id)
    current = SubsidyPayment.objects.select_for_update().get(pk=payment.pk)
    if received_on is None:
        raise ValidationError({"received_on": "Indiquez la date d'encaissement."})
    if received_on < current.requested_on:
        raise ValidationError(
            {
                "received_on": f"L'encaissement ne peut pas précéder la demande de versement "
                f"({current.requested_on:%d/%m/%Y})."
            }
        )
    if not revenue_order_reference.strip():
        raise ValidationError({"revenue_order_reference": "Indiquez la référence du titre de recette."})
    current.received_on = received_on
    current.revenue_order_reference = revenue_order_reference.strip()
    current.full_clean()
    current._history_user = by  # type: ignore[attr-defined]
    current.save()
    return current


@transaction.atomic
def record_adjustment(
    *,
    request: SubsidyRequest,
    kind: str,
    amount: Decimal,
    decided_on: datetime.date,
    reason: str,
    by: User,
    reference: str = "",
) -> SubsidyAdjustment:
    """A reduction of the award (it cannot fall below what was received unless repaid first) or a repayment
    of money received (at most what was received and not yet repaid)."""
    locked = SubsidyRequest.objects.select_for_update().get(pk=request.pk)
    if kind not in AdjustmentKind.values:
        raise SubsidyError(f"Nature inconnue : « {kind} ».")
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Le montant est positif."})
    amount = round_cents(amount)
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif."})
    if locked.awarded_amount is None:
        raise SubsidyError("Aucune subvention n'a été attribuée : il n'y a rien à réduire ni à reverser.")
    money = money_of(locked)
    if kind == AdjustmentKind.REDUCTION:
        award_after = money.effective_award - amount
        if award_after < 0:
            raise SubsidyError(
                f"La réduction ({format_euros(amount)}) dépasse la subvention restante "
                f"({format_euros(money.effective_award)})."
            )
        if award_after < money.net_received:
            raise SubsidyError(
                f"Après cette réduction, la subvention ({format_euros(award_after)}) serait inférieure aux sommes "
                f"déjà encaissées ({format_euros(money.net_received)}) : enregistrez d'abord le reversement de "
                f"{format_euros(money.net_received - award_after)}."
            )
        if award_after < money.net_payments:
            raise SubsidyError(
                f"Après cette réduction, la subvention ({format_euros(award_after)}) serait inférieure aux versements "
                f"déjà demandés ({format_euros(money.net_payments)})."
            )
    elif amount > money.net_received:
        raise SubsidyError(
            f"Le reversement ({format_euros(amount)}) dépasse les sommes encaissées et non reversées "
            f"({format_euros(money.net_received)})."
        )
    if locked.decided_on and decided_on < locked.decided_on:
        raise ValidationError({"decided_on": "La date ne peut pas précéder la décision d'attribution."})
    adjustment = SubsidyAdjustment(
        request=locked,
        kind=kind,
        amount=amount,
        decided_on=decided_on,
        reference=reference.strip(),
        reason=reason.strip(),
        recorded_by=by,
    )
    adjustment.full_clean()
    adjustment._history_user = by  # type: ignore[attr-defined]
    adjustment.save()
    return adjustment
