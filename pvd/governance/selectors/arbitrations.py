"""Page-shaped reads of arbitration notes (issue 8, H3): the programme's list with its filters, one note with all it
shows (links, timeline, effects), the frozen note as decided, and the decisions inbox. Every read starts from
`Arbitration.objects.visible_to(user)`: managers see drafts, referents see notes once submitted, nobody else."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime

from budget.models import FinancingLine, SubsidyRequest
from operations.models import Operation, Phase
from operations.procurement.models import Contract
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.governance.models import (
    ARBITRATION_LEVELS,
    Arbitration,
    ArbitrationEffect,
    ArbitrationOutcome,
    ArbitrationStatus,
    DecisionLevel,
)
from pvd.models import StatusChange
from pvd.money import format_euros, format_percent

# --- The list ---------------------------------------------------------------------------------------------------


@dataclass
class ArbitrationFilters:
    status: str = ""
    level: str = ""
    operation: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.status or self.level or self.operation)


def filters_from(query: QueryDict) -> ArbitrationFilters:
    """The list's filters from the query string; unknown values are ignored."""
    status = query.get("statut", "")
    level = query.get("niveau", "")
    operation = query.get("operation", "")
    return ArbitrationFilters(
        status=status if status in ArbitrationStatus.values else "",
        level=level if level in [lvl.value for lvl in ARBITRATION_LEVELS] else "",
        operation=int(operation) if operation.isdigit() else None,
    )


def arbitrations_of_programme(
    user: User, programme: Programme, filters: ArbitrationFilters
) -> QuerySet[Arbitration]:
    """The notes of the programme the user sees, newest first, with what the list shows (constant query count)."""
    arbitrations = (
        Arbitration.objects.visible_to(user)
        .filter(programme=programme)
        .select_related("committee", "requested_by", "chosen_option")
        .annotate(option_count=Count("options", distinct=True))
        .prefetch_related(Prefetch("operations", queryset=Operation.objects.order_by("code", "pk")))
        .order_by("-requested_on", "-pk")
    )
    if filters.status:
        arbitrations = arbitrations.filter(status=filters.status)
    if filters.level:
        arbitrations = arbitrations.filter(decision_level=filters.level)
    if filters.operation:
        arbitrations = arbitrations.filter(operations__pk=filters.operation)
    return arbitrations


def operations_for_filter(user: User, programme: Programme) -> QuerySet[Operation]:
    return (
        Operation.objects.visible_to(user)
        .filter(programme=programme)
        .order_by("code", "pk")
        .only("pk", "code", "title")
    )


# --- One note ---------------------------------------------------------------------------------------------------


def arbitration_for_page(user: User, pk: int) -> Arbitration:
    """The note (404 outside the user's scope — a referent never sees a draft), with its relations."""
    return policy.get_for_user(
        Arbitration.objects.select_related(
            "programme",
            "committee",
            "requested_by",
            "recommended_option",
            "chosen_option",
            "decided_by",
            "decided_in__committee",
            "implemented_by",
            "risk__operation",
            "alert",
        ),
        user,
        pk=pk,
    )


@dataclass
class Linked:
    label: str
    url: str = ""


def linked_objects(user: User, arbitration: Arbitration) -> dict[str, list[Linked]]:
    """The operations, subsidy requests and contracts of the note, linked when the user may open them."""
    operations = arbitration.operations.order_by("code", "pk")
    visible_operations = set(
        Operation.objects.visible_to(user).filter(arbitrations=arbitration).values_list("pk", flat=True)
    )
    requests = arbitration.subsidy_requests.order_by("title", "pk")
    visible_requests = set(
        SubsidyRequest.objects.visible_to(user).filter(arbitrations=arbitration).values_list("pk", flat=True)
    )
    contracts = arbitration.contracts.select_related("lot").order_by("number", "pk")
    visible_contracts = set(
        Contract.objects.visible_to(user).filter(arbitrations=arbitration).values_list("pk", flat=True)
    )
    return {
        "operations": [
            Linked(str(o), reverse("operations:detail", args=[o.pk]) if o.pk in visible_operations else "")
            for o in operations
        ],
        "subsidy_requests": [
            Linked(str(r), reverse("budget:subsidy_detail", args=[r.pk]) if r.pk in visible_requests else "")
            for r in requests
        ],
        "contracts": [
            Linked(
                str(c),
                reverse("operations:contract_detail", args=[c.pk]) if c.pk in visible_contracts else "",
            )
            for c in contracts
        ],
    }


STATUS_LABELS = dict(ArbitrationStatus.choices)


@dataclass
class TimelineEntry:
    at: datetime.datetime
    by: str
    source: str
    target: str
    comment: str


def timeline(arbitration: Arbitration) -> list[TimelineEntry]:
    """The note's status changes, oldest first, with their French labels."""
    changes = (
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Arbitration), object_id=arbitration.pk
        )
        .select_related("by")
        .order_by("at", "pk")
    )
    return [
        TimelineEntry(
            at=change.at,
            by=str(change.by) if change.by else "un traitement automatique",
            source=STATUS_LABELS.get(change.source, change.source),
            target=STATUS_LABELS.get(change.target, change.target),
            comment=change.comment,
        )
        for change in changes
    ]


@dataclass
class EffectView:
    effect: ArbitrationEffect
    url: str = ""


def effects(arbitration: Arbitration) -> list[EffectView]:
    """The changes applied when the note was implemented, each linked to the page of the object it changed."""
    rows = list(ArbitrationEffect.objects.filter(arbitration=arbitration).select_related("content_type"))
    by_model: dict[type, set[int]] = {}
    for row in rows:
        model = row.content_type.model_class()
        if model is not None:
            by_model.setdefault(model, set()).add(row.object_id)
    phase_operation = (
        dict(Phase.objects.filter(pk__in=by_model.get(Phase, set())).values_list("pk", "operation_id"))
        if Phase in by_model
        else {}
    )
    line_operation = (
        dict(
            FinancingLine.objects.filter(pk__in=by_model.get(FinancingLine, set())).values_list(
                "pk", "plan__operation_id"
            )
        )
        if FinancingLine in by_model
        else {}
    )
    views = []
    for row in rows:
        model = row.content_type.model_class()
        url = ""
        if model is Operation:
            url = reverse("operations:detail", args=[row.object_id])
        elif model is Phase and row.object_id in phase_operation:
            url = reverse("operations:detail", args=[phase_operation[row.object_id]])
        elif model is FinancingLine and row.object_id in line_operation:
            url = reverse("budget:operation_money", args=[line_operation[row.object_id]])
        elif model is SubsidyRequest:
            url = reverse("budget:subsidy_detail", args=[row.object_id])
        elif model is Contract:
            url = reverse("operations:contract_detail", args=[row.object_id])
        views.append(EffectView(row, url))
    return views


# --- The frozen note ---------------------------------------------------------------------------------------------


@dataclass
class OptionSnapshot:
    letter: str
    title: str
    description: str
    recommended: bool
    chosen: bool
    facts: list[tuple[str, str]] = field(default_factory=list)
    data: dict[str, object] = field(default_factory=dict)


def _date(value: object) -> datetime.date | None:
    return parse_date(value) if isinstance(value, str) and value else None


def _datetime(value: object) -> datetime.datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _money(value: object) -> str:
    if value in (None, ""):
        return "—"
    try:
        return format_euros(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def _rate(value: object) -> str:
    if value in (None, ""):
        return "—"
    try:
        return format_percent(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def _day(value: object) -> str:
    parsed = _date(value)
    return f"{parsed:%d/%m/%Y}" if parsed else "—"


def _before_after(pair: object, fmt: object) -> str:
    pair = pair if isinstance(pair, dict) else {}
    return f"{fmt(pair.get('before'))} → {fmt(pair.get('after'))}"  # type: ignore[operator]


def option_facts(value: dict[str, object]) -> list[tuple[str, str]]:
    """What a frozen option says, as (label, French text) rows: its changes and their computed impact."""
    facts: list[tuple[str, str]] = []
    changes = value.get("changes") if isinstance(value.get("changes"), dict) else {}
    impact = value.get("impact") if isinstance(value.get("impact"), dict) else {}
    if changes.get("operation"):  # type: ignore[union-attr]
        facts.append(("Opération modifiée", str(changes["operation"])))  # type: ignore[index]
    if impact:
        facts.append(("Coût HT", _before_after(impact.get("cost_ht"), _money)))  # type: ignore[union-attr]
        facts.append(("Coût TTC", _before_after(impact.get("cost_ttc"), _money)))  # type: ignore[union-attr]
    if changes.get("new_status_label"):  # type: ignore[union-attr]
        facts.append(("Nouveau statut", str(changes["new_status_label"])))  # type: ignore[index]
    if changes.get("shift_days"):  # type: ignore[union-attr]
        facts.append(("Décalage du calendrier", f"{changes['shift_days']} jours"))  # type: ignore[index]
    for line in changes.get("financing") or []:  # type: ignore[union-attr]
        facts.append(("Financement", str(line)))
    if impact:
        for funder in impact.get("funders") or []:  # type: ignore[union-attr]
            delta = Decimal(str(funder.get("delta") or 0))
            if delta:
                what = "Subvention gagnée" if delta > 0 else "Subvention perdue"
                facts.append(
                    (
                        what,
                        f"{funder.get('funder')} : {_money(funder.get('before'))} → {_money(funder.get('after'))} HT",
                    )
                )
        facts.append(
            ("Part du maître d'ouvrage (règle des 20 %)", _before_after(impact.get("own_share_rate"), _rate))
        )  # type: ignore[union-attr]
        for check in impact.get("checks") or []:  # type: ignore[union-attr]
            after = check.get("after") or {}
            if after and (check.get("changed") or after.get("state") == "failed"):
                facts.append((str(check.get("title")), f"{after.get('label')} : {after.get('message')}"))
        for ap in impact.get("authorisations") or []:  # type: ignore[union-attr]
            facts.append((f"AP {ap.get('number')}", str(ap.get("message"))))
        years = [y for y in impact.get("years") or [] if Decimal(str(y.get("delta") or 0))]  # type: ignore[union-attr]
        for year in years:
            facts.append(
                (
                    f"Crédits {year.get('year')} (TTC)",
                    f"{_money(year.get('before'))} → {_money(year.get('after'))}",
                )
            )
        facts.append(("Fin prévue", _before_after(impact.get("end"), _day)))  # type: ignore[union-attr]
        for deadline in impact.get("deadlines") or []:  # type: ignore[union-attr]
            facts.append((str(deadline.get("label")), str(deadline.get("message"))))
    if value.get("risks"):
        facts.append(("Risques", str(value["risks"])))
    if value.get("partner_opinions"):
        facts.append(("Avis des partenaires", str(value["partner_opinions"])))
    return facts


def note_for_display(data: dict[str, object] | None) -> dict[str, object]:
    """A note's JSON (frozen snapshot or live note) ready for a template: dates parsed, options as a list."""
    data = dict(data or {})
    decision = dict(data.get("decision") or {})  # type: ignore[call-overload]
    options_data = data.get("options") or {}
    options = []
    if isinstance(options_data, dict):
        for letter, value in sorted(options_data.items()):
            value = value if isinstance(value, dict) else {"description": str(value)}
            options.append(
                OptionSnapshot(
                    letter=str(letter),
                    title=str(value.get("title", "")),
                    description=str(value.get("description", "")),
                    recommended=letter == data.get("recommended_option"),
                    chosen=letter == decision.get("option"),
                    facts=option_facts(value),
                    data=value,
                )
            )
    data["options"] = options
    data["requested_on"] = _date(data.get("requested_on"))
    data["due_on"] = _date(data.get("due_on"))
    if decision:
        decision["decided_on"] = _date(decision.get("decided_on"))
        decision["decided_at"] = _datetime(decision.get("decided_at"))
        data["decision"] = decision
    return data


# --- The decisions inbox -----------------------------------------------------------------------------------------


def _inbox_queryset(user: User) -> QuerySet[Arbitration]:
    return (
        Arbitration.objects.visible_to(user)
        .filter(status=ArbitrationStatus.SUBMITTED)
        .select_related("programme", "committee", "recommended_option", "requested_by")
        .order_by("submitted_at", "pk")
    )


def inbox(user: User) -> dict[str, list[Arbitration]]:
    """What awaits the user's decision: the notes put to them as élu(e) référent(e) (their programmes), oldest
    first; for a manager, the notes put to a body whose decision is still to be recorded."""
    scope = policy.scope_for(user)
    to_decide = list(
        _inbox_queryset(user).filter(
            decision_level=DecisionLevel.REFERENT, programme_id__in=scope.referent_programmes
        )
    )
    to_record = list(
        _inbox_queryset(user)
        .exclude(decision_level=DecisionLevel.REFERENT)
        .filter(programme_id__in=scope.managed_programmes)
    )
    return {"to_decide": to_decide, "to_record": to_record}


OUTCOME_LABELS = dict(ArbitrationOutcome.choices)
