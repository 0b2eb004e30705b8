"""Data blocks of conventions read from the housing programmes (issue 9): the OPAH / PIG quantitative targets and
financial envelopes, named by `operations.conventions.blocks.PROVIDERS`.

The convention's own housing programme, else the housing programmes of its PVD programme (a convention-cadre
quotes its OPAH-RU). Targets and envelopes are stored as they stand after the housing avenants (each row says
which avenant set it), so the grids of the housing programme page are reused as they are. Three queries whatever
the number of programmes, targets and envelopes.
"""

from collections.abc import Sequence

from django.db.models import Prefetch

from operations.conventions.blocks import Table, table
from operations.conventions.models import BlockKind, Convention
from operations.housing.selectors.programmes import Grid, envelopes_grid, targets_grid
from operations.models import HousingEnvelope, HousingProgramme, HousingTarget
from pvd.money import ZERO, format_euros

NO_HOUSING = "La convention ne porte sur aucune OPAH ni aucun PIG."


def _housing_programmes(convention: Convention, prefetch: Prefetch) -> list[HousingProgramme]:
    if convention.housing_programme_id is not None:
        queryset = HousingProgramme.objects.filter(pk=convention.housing_programme_id)
    elif convention.programme_id is not None:
        queryset = HousingProgramme.objects.filter(programme_id=convention.programme_id)
    else:
        return []
    return list(queryset.prefetch_related(prefetch).order_by("starts_on", "name", "pk"))


def _years(grids: Sequence[Grid]) -> list[int]:
    return sorted({year for grid in grids for year in grid.years})


def targets_block(convention: Convention) -> Table:
    """Dwellings to treat by category and year (categories without any target left out), total per row and year."""
    programmes = _housing_programmes(
        convention, Prefetch("targets", queryset=HousingTarget.objects.order_by("category", "year"))
    )
    grids = [targets_grid(programme, list(programme.targets.all())) for programme in programmes]
    years = _years(grids)
    columns = [("Catégorie", False), *((str(year), True) for year in years), ("Total", True)]
    if not programmes:
        return table(BlockKind.HOUSING_TARGETS, columns, [], empty=NO_HOUSING)
    several = len(programmes) > 1
    rows = []
    year_totals = dict.fromkeys(years, 0)
    for programme, grid in zip(programmes, grids, strict=True):
        for grid_row in grid.rows:
            values = dict(zip(grid.years, grid_row.cells, strict=True))
            if all(value is None for value in values.values()):
                continue
            for year, value in values.items():
                year_totals[year] += value or 0
            label = f"{programme.name} — {grid_row.label}" if several else grid_row.label
            rows.append(
                (
                    f"target-{programme.pk}-{grid_row.key}",
                    [label, *(_count(values.get(year)) for year in years), _count(grid_row.total)],
                )
            )
    footer = ["Total", *(_count(year_totals[year]) for year in years), _count(sum(year_totals.values()))]
    return table(
        BlockKind.HOUSING_TARGETS,
        columns,
        rows,
        footer=footer if rows else [],
        empty="Aucun objectif quantitatif n'est fixé.",
        note="Nombre de logements (copropriétés : nombre de copropriétés), avenants compris.",
    )


def _count(value: int | None) -> str:
    """1234 -> '1 234' (non-breaking space); None -> '—'."""
    if value is None:
        return "—"
    return f"{value:,}".replace(",", "\u00a0")


def envelopes_block(convention: Convention) -> Table:
    """What each financer commits, by kind of envelope (works aid, engineering) and year, with totals."""
    programmes = _housing_programmes(
        convention, Prefetch("envelopes", queryset=HousingEnvelope.objects.select_related("funder"))
    )
    grids = [envelopes_grid(programme, list(programme.envelopes.all())) for programme in programmes]
    years = _years(grids)
    columns = [("Financeur et nature", False), *((str(year), True) for year in years), ("Total", True)]
    if not programmes:
        return table(BlockKind.HOUSING_ENVELOPES, columns, [], empty=NO_HOUSING)
    several = len(programmes) > 1
    rows = []
    year_totals = dict.fromkeys(years, ZERO)
    for programme, grid in zip(programmes, grids, strict=True):
        for grid_row in grid.rows:
            values = dict(zip(grid.years, grid_row.cells, strict=True))
            for year, value in values.items():
                year_totals[year] += value or ZERO
            label = f"{programme.name} — {grid_row.label}" if several else grid_row.label
            rows.append(
                (
                    f"envelope-{programme.pk}-{grid_row.key}",
                    [
                        label,
                        *(
                            format_euros(values[year]) if values.get(year) is not None else "—"
                            for year in years
                        ),
                        format_euros(grid_row.total),
                    ],
                )
            )
    footer = [
        "Total",
        *(format_euros(year_totals[year]) for year in years),
        format_euros(sum(year_totals.values(), ZERO)),
    ]
    return table(
        BlockKind.HOUSING_ENVELOPES,
        columns,
        rows,
        footer=footer if rows else [],
        empty="Aucune enveloppe financière n'est engagée.",
        note="Montants en euros, avenants compris.",
    )
