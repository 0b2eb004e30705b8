"""OPAH / PIG targets against achievements for the programme dashboard (issue 10): for each housing programme
linked to the PVD programme, per target category, the convention's target over the whole programme and the files
filed, approved and paid — the total row of the housing results page (`results.programme_results`), with the same
definitions and the same small-cell rule (`results.mask_cell`: 1 to 4 households are « < 5 » for whoever cannot
read that programme's named files).

Three queries whatever the number of housing programmes and files: the housing programmes, their targets by
category, their files counted by category and stage (one GROUP BY).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from operations.housing.models import TargetCategory
from operations.housing.selectors.results import (
    APPROVED_OR_LATER,
    CATEGORY_FILTERS,
    DWELLING_CATEGORIES,
    Cell,
    hides_small_cells,
    mask_cell,
)
from operations.models import HousingFile, HousingProgramme, HousingTarget
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User

STAGES = {
    "filed": Q(filed_on__isnull=False),
    "approved": Q(decided_on__isnull=False, status__in=APPROVED_OR_LATER),
    "paid": Q(paid_on__isnull=False),
}


@dataclass
class TargetRow:
    category: str
    label: str
    unit: str
    target: int | None
    filed: Cell
    approved: Cell
    paid: Cell

    @property
    def rate(self) -> Decimal | None:
        """Approved against the target (None when masked or without target), as on the results page."""
        if not self.target or self.approved.masked:
            return None
        return Decimal(self.approved.shown or 0) / Decimal(self.target)


@dataclass
class HousingTargets:
    housing_programme: HousingProgramme
    masked: bool
    rows: list[TargetRow]


def housing_targets(user: User, programme: Programme) -> list[HousingTargets]:
    """The housing programmes of `programme` the user sees, each with its categories that have a target or an
    achievement."""
    housing_programmes = list(
        policy.visible_to(HousingProgramme.objects.all(), user)
        .filter(programme=programme)
        .order_by("-starts_on", "name", "pk")
    )
    if not housing_programmes:
        return []
    ids = [hp.pk for hp in housing_programmes]
    targets: dict[tuple[int, str], int] = {}
    for row in (
        HousingTarget.objects.filter(housing_programme_id__in=ids)
        .values("housing_programme_id", "category")
        .annotate(total=Sum("count"))
        .order_by()
    ):
        targets[(row["housing_programme_id"], row["category"])] = row["total"]
    annotations: dict[str, object] = {}
    for stage, stage_filter in STAGES.items():
        for category, condition in CATEGORY_FILTERS.items():
            annotations[f"{stage}_c_{category}"] = Count("pk", filter=stage_filter & condition)
            if category in DWELLING_CATEGORIES:
                annotations[f"{stage}_d_{category}"] = Sum("dwellings", filter=stage_filter & condition)
    counts = {
        row["housing_programme_id"]: row
        for row in HousingFile.objects.filter(housing_programme_id__in=ids)
        .values("housing_programme_id")
        .annotate(**annotations)
        .order_by()
    }
    result = []
    for hp in housing_programmes:
        hide = hides_small_cells(user, hp)
        row = counts.get(hp.pk, {})

        def cell(stage: str, category: str, row: dict = row, hide: bool = hide) -> Cell:
            dwellings = None
            if category in DWELLING_CATEGORIES:
                dwellings = row.get(f"{stage}_d_{category}") or 0
            return mask_cell(row.get(f"{stage}_c_{category}") or 0, hide_small=hide, value=dwellings)

        rows = []
        for category, label in TargetCategory.choices:
            target = targets.get((hp.pk, category))
            line = TargetRow(
                category=category,
                label=str(label),
                unit="logements" if category in DWELLING_CATEGORIES else "dossiers",
                target=target,
                filed=cell("filed", category),
                approved=cell("approved", category),
                paid=cell("paid", category),
            )
            if target or line.filed.households or line.approved.households:
                rows.append(line)
        result.append(HousingTargets(hp, hide, rows))
    return result
