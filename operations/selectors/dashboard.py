"""The action plan's progress for the programme dashboard (issue 10): operations counted by group of statuses —
delivered versus committed, honestly — in total and by axis, theme and commune, with the late ones.

Four queries whatever the number of operations: one GROUP BY per dimension (axis — which every operation has or
lacks exactly once, so it also gives the totals and the estimated costs —, theme, commune), each counting the late
operations with the lateness rule of the action plan (`OperationQuerySet.with_lateness`, decision 0008), and the
list of the late operations. Rows come through the access policy.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from operations.models import DELIVERED_STATUSES, PREPARATION_STATUSES, Operation, OperationStatus
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.money import ZERO

S = OperationStatus


@dataclass(frozen=True)
class StatusGroup:
    key: str
    label: str
    statuses: tuple[str, ...]


# The groups the dashboard reads, from the most advanced; « engagées ou plus » are the first three.
GROUPS = (
    StatusGroup("delivered", "Livrées", tuple(s for s in S if s in DELIVERED_STATUSES)),
    StatusGroup("works", "En travaux", (S.WORKS,)),
    StatusGroup("committed", "Engagées", (S.COMMITTED,)),
    StatusGroup("preparation", "En préparation", tuple(s for s in S if s in PREPARATION_STATUSES)),
    StatusGroup("suspended", "Suspendues", (S.SUSPENDED,)),
    StatusGroup("abandoned", "Abandonnées", (S.ABANDONED,)),
)
COMMITTED_OR_MORE = ("delivered", "works", "committed")
STATUS_LABELS = {value: str(label) for value, label in OperationStatus.choices}


@dataclass
class ProgressRow:
    """The operations of one axis, theme or commune (or of the whole plan) by group and by status."""

    key: int | None
    label: str
    by_status: dict[str, int] = field(default_factory=dict)
    late: int = 0

    def add(self, status: str, count: int, late: int) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + count
        self.late += late

    def count(self, group: str) -> int:
        statuses = next(g.statuses for g in GROUPS if g.key == group)
        return sum(self.by_status.get(s, 0) for s in statuses)

    @property
    def counts(self) -> dict[str, int]:
        return {group.key: self.count(group.key) for group in GROUPS}

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass
class ActionPlanProgress:
    day: datetime.date
    totals: ProgressRow
    by_axis: list[ProgressRow]
    by_theme: list[ProgressRow]
    by_commune: list[ProgressRow]
    cost_ht: Decimal
    cost_ttc: Decimal
    late_operations: list[Operation]

    @property
    def delivered(self) -> int:
        return self.totals.count("delivered")

    @property
    def total(self) -> int:
        return self.totals.total

    @property
    def delivered_share(self) -> Decimal | None:
        """Delivered (livrées or soldées) out of every operation of the plan, abandoned ones included."""
        return Decimal(self.delivered) / Decimal(self.total) if self.total else None

    @property
    def committed_or_more(self) -> int:
        return sum(self.totals.count(group) for group in COMMITTED_OR_MORE)

    @property
    def committed_or_more_share(self) -> Decimal | None:
        return Decimal(self.committed_or_more) / Decimal(self.total) if self.total else None


def _operations(user: User, programme: Programme, day: datetime.date) -> QuerySet[Operation]:
    return policy.visible_to(Operation.objects.all(), user).filter(programme=programme).with_lateness(day)


def _rows(
    queryset: QuerySet, key: str, label: str, order: tuple[str, ...], none_label: str
) -> list[ProgressRow]:
    rows: dict[int | None, ProgressRow] = {}
    values = (
        queryset.values(key, label, "status")
        .annotate(n=Count("pk", distinct=True), late=Count("pk", filter=Q(is_late=True), distinct=True))
        .order_by(*order, key, "status")
    )
    for row in values:
        progress = rows.setdefault(row[key], ProgressRow(row[key], row[label] or none_label))
        progress.add(row["status"], row["n"], row["late"])
    # The rows without an axis, theme or commune come last.
    return sorted(rows.values(), key=lambda r: r.key is None)


def action_plan_progress(user: User, programme: Programme, *, day: datetime.date) -> ActionPlanProgress:
    """The programme's operations the user sees, by group of statuses and late on `day`. Four queries."""
    operations = _operations(user, programme, day)
    by_axis: dict[int | None, ProgressRow] = {}
    totals = ProgressRow(None, "Ensemble du plan d'actions")
    cost_ht = cost_ttc = ZERO
    for row in (
        operations.values("axis_id", "axis__title", "axis__project__number", "status")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=Q(is_late=True)),
            ht=Sum("estimated_cost_ht"),
            ttc=Sum("estimated_cost_ttc"),
        )
        .order_by("-axis__project__number", "axis__order", "axis__title", "axis_id", "status")
    ):
        label = "Sans axe du projet"
        if row["axis_id"] is not None:
            label = f"{row['axis__title']} (version {row['axis__project__number']})"
        by_axis.setdefault(row["axis_id"], ProgressRow(row["axis_id"], label)).add(
            row["status"], row["n"], row["late"]
        )
        totals.add(row["status"], row["n"], row["late"])
        cost_ht += row["ht"] or ZERO
        cost_ttc += row["ttc"] or ZERO
    late = list(operations.filter(is_late=True).only("pk", "code", "title", "status").order_by("code", "pk"))
    return ActionPlanProgress(
        day=day,
        totals=totals,
        by_axis=sorted(by_axis.values(), key=lambda r: r.key is None),
        by_theme=_rows(operations, "themes__id", "themes__name", ("themes__order",), "Sans thème"),
        by_commune=_rows(operations, "communes__id", "communes__name", ("communes__name",), "Sans commune"),
        cost_ht=cost_ht,
        cost_ttc=cost_ttc,
        late_operations=late,
    )
