"""Data block of conventions read from the action plan (issue 9): the programme's operations (fiches-actions),
named by `operations.conventions.blocks.PROVIDERS`. Two queries whatever the number of operations."""

from decimal import Decimal

from django.db.models import Prefetch

from operations.conventions.blocks import Table, table
from operations.conventions.models import BlockKind, Convention
from operations.models import Operation, OperationStatus
from operations.selectors.operations import with_calendar
from partners.models import Organisation
from pvd.money import format_euros

# Operations the convention no longer carries.
EXCLUDED_STATUSES = (OperationStatus.ABANDONED,)


def _date(value: object) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"  # type: ignore[attr-defined]


def action_plan_block(convention: Convention) -> Table:
    """The programme's operations with their owner, communes, status, maturity, planned dates (baseline of their
    phases) and estimated cost HT; abandoned operations left out; total in the footer."""
    columns = [
        ("Code", False),
        ("Opération", False),
        ("Maître d'ouvrage", False),
        ("Commune(s)", False),
        ("Statut", False),
        ("Maturité", False),
        ("Début prévu", False),
        ("Fin prévue", False),
        ("Coût HT", True),
    ]
    if convention.programme_id is None:
        return table(
            BlockKind.ACTION_PLAN,
            columns,
            [],
            empty="La convention ne relève d'aucun programme Petites Villes de Demain : pas de plan d'action.",
        )
    operations = list(
        with_calendar(
            Operation.objects.filter(programme_id=convention.programme_id)
            .exclude(status__in=EXCLUDED_STATUSES)
            .select_related("owner")
            .prefetch_related(Prefetch("communes", queryset=Organisation.objects.order_by("name", "pk")))
        ).order_by("code", "pk")
    )
    rows = [
        (
            f"operation-{operation.pk}",
            [
                operation.code,
                operation.title,
                operation.owner.name,
                ", ".join(commune.name for commune in operation.communes.all()) or "—",
                operation.get_status_display(),
                operation.get_maturity_display(),
                _date(operation.planned_start),
                _date(operation.planned_end),
                format_euros(operation.estimated_cost_ht) if operation.estimated_cost_ht is not None else "—",
            ],
        )
        for operation in operations
    ]
    total = sum(
        (operation.estimated_cost_ht for operation in operations if operation.estimated_cost_ht is not None),
        Decimal("0.00"),
    )
    return table(
        BlockKind.ACTION_PLAN,
        columns,
        rows,
        footer=["Total", "", "", "", "", "", "", "", format_euros(total)] if rows else [],
        empty="Aucune opération n'est inscrite au plan d'action.",
        note="Opérations abandonnées exclues ; coûts estimés hors taxes ; dates prévues d'après le calendrier de "
        "référence des phases.",
    )
