"""The housing figures of one year of a PVD programme for its annual report (issue 10, H5): the files of its OPAH
and PIG filed, approved and paid during the year, by category — aggregates only, small cells masked as on the
housing results page (`results.mask_cell`: the report is read by partners and referents, who never see named
files). Two queries whatever the number of files: the housing programmes, then one GROUP BY.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from operations.housing.models import TargetCategory
from operations.housing.selectors.results import (
    APPROVED_OR_LATER,
    CATEGORY_FILTERS,
    DWELLING_CATEGORIES,
    Cell,
    mask_cell,
)
from operations.models import HousingFile, HousingProgramme

ALL = "all"
STAGES = (
    ("filed", "filed_on", None),
    ("approved", "decided_on", Q(status__in=APPROVED_OR_LATER)),
    ("paid", "paid_on", None),
)


@dataclass(frozen=True)
class HousingYearRow:
    """One category of files: how many were filed, approved and paid in the year (masked cells)."""

    category: str
    label: str
    unit: str
    filed: Cell
    approved: Cell
    paid: Cell


@dataclass
class HousingYear:
    housing_programme: HousingProgramme
    rows: list[HousingYearRow]

    @property
    def masked(self) -> bool:
        return any(cell.masked for row in self.rows for cell in (row.filed, row.approved, row.paid))


def _categories() -> list[tuple[str, str, Q]]:
    return [(ALL, "Tous les dossiers", Q())] + [
        (category, str(label), CATEGORY_FILTERS[category]) for category, label in TargetCategory.choices
    ]


def housing_year(programme_id: int, year: int) -> list[HousingYear]:
    """The programme's housing programmes with their files filed / approved / paid in `year`, by category."""
    housing_programmes = list(
        HousingProgramme.objects.filter(programme_id=programme_id).order_by("starts_on", "name", "pk")
    )
    if not housing_programmes:
        return []
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    annotations: dict[str, object] = {}
    for category, _, condition in _categories():
        for stage, date_field, extra in STAGES:
            in_year = Q(**{f"{date_field}__gte": start, f"{date_field}__lte": end}) & condition
            if extra is not None:
                in_year &= extra
            annotations[f"c_{stage}_{category}"] = Count("pk", filter=in_year)
            if category in DWELLING_CATEGORIES:
                annotations[f"d_{stage}_{category}"] = Sum("dwellings", filter=in_year)
    counts = {
        row["housing_programme_id"]: row
        for row in HousingFile.objects.filter(housing_programme__in=[h.pk for h in housing_programmes])
        .order_by()
        .values("housing_programme_id")
        .annotate(**annotations)
    }
    result = []
    for housing_programme in housing_programmes:
        row = counts.get(housing_programme.pk, {})

        def cell(stage: str, category: str, row: dict = row) -> Cell:
            dwellings = row.get(f"d_{stage}_{category}") if category in DWELLING_CATEGORIES else None
            return mask_cell(row.get(f"c_{stage}_{category}", 0), hide_small=True, value=dwellings or None)

        rows = [
            HousingYearRow(
                category=category,
                label=label,
                unit="logements" if category in DWELLING_CATEGORIES else "dossiers",
                filed=cell("filed", category),
                approved=cell("approved", category),
                paid=cell("paid", category),
            )
            for category, label, _ in _categories()
        ]
        result.append(HousingYear(housing_programme, rows))
    return result
