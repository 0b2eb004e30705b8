"""What the action plan reports to the alerts engine (issue 8): the late operations (the lateness rule of the
action plan, `OperationQuerySet.with_lateness`). One query per programme whatever the number of operations."""

import datetime
from collections.abc import Iterator

from django.db.models import Count, Min, OuterRef, Subquery
from django.urls import reverse

from operations.models import Operation, Phase, late_phase_condition
from programmes.models import Programme
from pvd.deadlines import ATTENTION, CRITICAL, AlertCandidate

# Late by more than this many days against the baseline: critical, for the comité de projet.
CRITICAL_LATE_DAYS = 90


def late_operations(programme: Programme, day: datetime.date) -> Iterator[AlertCandidate]:
    """Each active operation with a phase late against its baseline: attention for the COTECH, critical (late by
    more than three months) for the comité de projet. The due date is the earliest missed baseline end."""
    late_phases = Phase.objects.filter(late_phase_condition(day), operation=OuterRef("pk")).order_by(
        "baseline_end"
    )
    operations = (
        Operation.objects.filter(programme=programme)
        .late(day)
        .annotate(
            first_late_end=Subquery(late_phases.values("baseline_end")[:1]),
            first_late_phase=Subquery(late_phases.values("name")[:1]),
            commune_count=Count("communes", distinct=True),
            first_commune=Min("communes"),
        )
        .only("pk", "code", "title", "status")
        .order_by("code", "pk")
    )
    for operation in operations:
        due = operation.first_late_end
        critical = due is not None and (day - due).days > CRITICAL_LATE_DAYS
        yield AlertCandidate(
            kind="operations.late",
            key=f"operations.late:{operation.pk}",
            level=CRITICAL if critical else ATTENTION,
            title=f"Opération en retard — {operation.code} {operation.title}",
            url=reverse("operations:detail", args=[operation.pk]),
            due_on=due,
            detail=(
                f"Phase « {operation.first_late_phase} » en retard sur sa fin prévue de référence"
                + (f" ({due:%d/%m/%Y})." if due else ".")
            ),
            obj=operation,
            commune_id=operation.first_commune if operation.commune_count == 1 else None,
            decision_level="project_committee" if critical else "cotech",
        )
