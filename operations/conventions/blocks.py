"""Data blocks: the live tables an article inserts with `[[bloc:<kind>]]` (the action plan, the maquette
financière, the engineering needs, the ORT perimeters, the OPAH targets and envelopes…).

Every block is a **table** in one plain, JSON-ready shape, so that a draft shows live data, an issued version
freezes it in its snapshot, the PDF and the page render it with one template (`operations/conventions/
partials/_block.html`, `pdf/convention_block.html`) and an avenant compares two of them row by row (`key`):

    {"kind": "plan_action", "title": "Plan d'action",
     "columns": [{"label": "Opération", "numeric": False}, …],
     "rows": [{"key": "operation-12", "cells": ["Halles de Wassy", "1 234,00 €", …]}, …],
     "footer": ["Total", "", "2 468,00 €"],      # may be empty
     "empty": "Aucune opération au plan d'action.",
     "note": "Montants HT ; source : plans de financement au 14/04/2026."}   # may be empty

The shape is `pvd.tables.Table` (providers live in every app, below this one). Cells are text already formatted the French way (`1 234 567,89 €`, `14/04/2026`): a snapshot must show exactly
what was issued, whatever the formatting code becomes.

Providers are named by dotted path and imported on first use: each lives with the data it reads — the money of
the maquette in `budget`, the action plan in `operations`, the strategy in `programmes` — and reads it through
that app's selectors, in a fixed number of queries whatever the number of rows.
"""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.utils.module_loading import import_string

from operations.conventions.models import BlockKind
from pvd import tables
from pvd.tables import Table

if TYPE_CHECKING:
    from operations.conventions.models import Convention


def table(
    kind: str,
    columns: Sequence[tuple[str, bool]],
    rows: Sequence[tuple[object, Sequence[object]]],
    **options: object,
) -> Table:
    """A block's table (pvd.tables.table) titled with the block's label."""
    return tables.table(kind, columns, rows, title=str(BlockKind(kind).label), **options)  # type: ignore[arg-type]


# kind -> dotted path of `provider(convention) -> Table`
PROVIDERS: dict[str, str] = {
    BlockKind.STAKES: "programmes.selectors.conventions.stakes_block",
    BlockKind.AXES: "programmes.selectors.conventions.axes_block",
    BlockKind.NEEDS: "programmes.selectors.conventions.needs_block",
    BlockKind.ORT_SECTORS: "programmes.selectors.conventions.ort_sectors_block",
    BlockKind.ACTION_PLAN: "operations.selectors.conventions.action_plan_block",
    BlockKind.FINANCING: "budget.selectors.conventions.financing_block",
    BlockKind.HOUSING_TARGETS: "operations.housing.selectors.conventions.targets_block",
    BlockKind.HOUSING_ENVELOPES: "operations.housing.selectors.conventions.envelopes_block",
    BlockKind.SIGNATORIES: "operations.conventions.selectors.conventions.signatories_block",
    BlockKind.INDICATORS: "programmes.selectors.conventions.indicators_block",  # issue 10
    BlockKind.GOVERNANCE: "pvd.governance.selectors.hooks.governance_block",  # issue 8 (dotted: no import)
}


def provider(kind: str) -> Callable[["Convention"], Table]:
    if kind not in PROVIDERS:
        raise LookupError(f"Bloc de données inconnu : « {kind} ».")
    return import_string(PROVIDERS[kind])


def render_blocks(convention: "Convention", kinds: Sequence[str]) -> dict[str, Table]:
    """The live tables of the given kinds (each computed once, however many articles insert it), titled with the
    block's label."""
    return {
        kind: {**provider(kind)(convention), "title": str(BlockKind(kind).label)}  # type: ignore[typeddict-item]
        for kind in dict.fromkeys(kinds)
    }
