"""Data block of conventions read from the financing plans (issue 9): the **maquette financière** of the programme,
named by `operations.conventions.blocks.PROVIDERS`. Two queries whatever the number of operations and lines."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from budget.models import FinancingLine, FinancingLineStatus
from budget.models.reference import OWN_CATEGORIES
from operations.conventions.blocks import Table, table
from operations.conventions.models import BlockKind, Convention
from operations.models import Operation
from operations.selectors.conventions import EXCLUDED_STATUSES
from pvd.money import ZERO, format_euros

OWN_SHARE = "Autofinancement"


def _euros(amount: Decimal | None) -> str:
    return format_euros(amount) if amount else "—"


def financing_block(convention: Convention) -> Table:
    """One row per operation of the programme: its cost HT (the financing plan's eligible expense, else the
    operation's estimate), one column per financer of these operations (largest total first), then the owners'
    own share (own funds and borrowing, CGCT L1111-10); refused lines left out; totals in the footer."""
    if convention.programme_id is None:
        return table(
            BlockKind.FINANCING,
            [("Opération", False), ("Coût HT", True)],
            [],
            empty="La convention ne relève d'aucun programme Petites Villes de Demain : pas de maquette financière.",
        )
    operations = list(
        Operation.objects.filter(programme_id=convention.programme_id)
        .exclude(status__in=EXCLUDED_STATUSES)
        .select_related("financing_plan")
        .order_by("code", "pk")
    )
    sums = (
        FinancingLine.objects.filter(plan__operation__in=[operation.pk for operation in operations])
        .exclude(status=FinancingLineStatus.REFUSED)
        .values("plan__operation_id", "category", "funder_id", "funder__name")
        .annotate(total=Sum("amount_ht"))
        .order_by()
    )
    by_operation: dict[int, dict[object, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    funder_totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    funder_names: dict[int, str] = {}
    for row in sums:
        column: object = OWN_SHARE if row["category"] in OWN_CATEGORIES else row["funder_id"]
        by_operation[row["plan__operation_id"]][column] += row["total"]
        if column != OWN_SHARE:
            funder_totals[row["funder_id"]] += row["total"]
            funder_names[row["funder_id"]] = row["funder__name"]
    funders = sorted(funder_totals, key=lambda pk: (-funder_totals[pk], funder_names[pk], pk))
    has_own_share = any(OWN_SHARE in amounts for amounts in by_operation.values())
    order: list[object] = [*funders, *([OWN_SHARE] if has_own_share else [])]

    columns = [("Opération", False), ("Coût HT", True)]
    columns += [(funder_names[pk], True) for pk in funders]
    columns += [(OWN_SHARE, True)] if has_own_share else []

    rows = []
    total_cost = ZERO
    column_totals: dict[object, Decimal] = defaultdict(lambda: ZERO)
    for operation in operations:
        plan = getattr(operation, "financing_plan", None)
        cost = plan.eligible_cost_ht if plan is not None else operation.estimated_cost_ht
        total_cost += cost or ZERO
        amounts = by_operation.get(operation.pk, {})
        for column in order:
            column_totals[column] += amounts.get(column, ZERO)
        rows.append(
            (
                f"operation-{operation.pk}",
                [
                    f"{operation.code} — {operation.title}",
                    _euros(cost),
                    *(_euros(amounts.get(c)) for c in order),
                ],
            )
        )
    footer = (
        ["Total", format_euros(total_cost), *(format_euros(column_totals[c]) for c in order)] if rows else []
    )
    return table(
        BlockKind.FINANCING,
        columns,
        rows,
        footer=footer,
        empty="Aucune opération n'est inscrite au plan d'action.",
        note="Montants HT. Coût : dépense éligible du plan de financement, à défaut coût estimé de l'opération. "
        "Financements refusés et opérations abandonnées exclus ; autofinancement : fonds propres et emprunt du "
        "maître d'ouvrage.",
    )
