"""The housing figures of computed indicators (issue 10): OPAH-RU / PIG results, one aggregate query each.

Providers (named by dotted path in `programmes.indicators.computations.PROVIDERS`, called as
`provider(programme_id, commune_id, day) -> Decimal | None`). The housing programmes are those attached to the PVD
programme (`HousingProgramme.programme`, as `operations.selectors.housing.housing_programmes_of_programme`);
for a commune, only the household files of that commune. Statuses are the current ones, dates say « by `day` ».
The stages are those of the housing results page (`operations.housing.selectors.results`):

- `dwellings_renovated`: dwellings of the files « soldés » (paid or closed), with their balance paid (or, without
  a payment date, closed) on or before `day`;
- `works_amount`: € HT of works of the files approved or further (« agréés »), decided on or before `day`;
- `aid_amount`: € of the grants committed on or before `day` (every funder);
- `energy_gain`: the mean energy gain, in %, of the approved files decided by `day` that have both consumptions
  (before − after) ÷ before, as on the results page; None without such a file;
- `target_rate`: approved files ÷ the convention's targets, in %: for each target category (counted as on the
  results page: households, dwellings for landlords), the files approved by `day`, summed over the categories that
  have targets, ÷ the sum of those targets (all years of the convention). Programme-wide only: targets are not set
  per commune (None for a commune).

Measurements are read by mayors and partners: like every housing aggregate they may not tell about 1 to 4
households (DOMAIN_RULES §5), so a figure resting on 1 to 4 files is not computed (None) — 0 files give 0.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from operations.housing.models import FileStatus
from operations.housing.selectors.results import (
    APPROVED_OR_LATER,
    CATEGORY_FILTERS,
    DWELLING_CATEGORIES,
    GAIN,
    HAS_GAIN,
    PAID_STAGE,
    mask_cell,
)
from operations.models import HousingFile, HousingGrant, HousingTarget
from pvd.money import ZERO, round_cents


def _files(programme_id: int, commune_id: int | None) -> QuerySet[HousingFile]:
    files = HousingFile.objects.filter(housing_programme__programme_id=programme_id).order_by()
    if commune_id is not None:
        files = files.filter(commune_id=commune_id)
    return files


def _approved(day: datetime.date) -> Q:
    return Q(status__in=APPROVED_OR_LATER, decided_on__lte=day)


def _told(households: int, value: Decimal | None) -> Decimal | None:
    """The value, unless it rests on 1 to 4 households (results.mask_cell, the small-cell rule)."""
    return None if mask_cell(households, hide_small=True).masked else value


def dwellings_renovated(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """Dwellings of the files paid or closed by `day`."""
    done = Q(status__in=PAID_STAGE) & (
        Q(paid_on__lte=day) | Q(paid_on__isnull=True, status=FileStatus.CLOSED, closed_on__lte=day)
    )
    row = _files(programme_id, commune_id).filter(done).aggregate(n=Count("pk"), dwellings=Sum("dwellings"))
    return _told(row["n"], Decimal(row["dwellings"] or 0))


def works_amount(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """€ HT of works of the files approved by `day`."""
    row = (
        _files(programme_id, commune_id)
        .filter(_approved(day))
        .aggregate(n=Count("pk"), amount=Sum("works_amount_ht"))
    )
    return _told(row["n"], round_cents(Decimal(row["amount"] or ZERO)))


def aid_amount(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """€ of the grants committed by `day` on the files."""
    grants = HousingGrant.objects.filter(
        file__in=_files(programme_id, commune_id).values("pk"),
        status=HousingGrant.Status.COMMITTED,
        committed_on__lte=day,
    )
    row = grants.aggregate(n=Count("file_id", distinct=True), amount=Sum("amount"))
    return _told(row["n"], round_cents(Decimal(row["amount"] or ZERO)))


def energy_gain(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """Mean energy gain (%) of the approved files with both consumptions; None without any."""
    row = (
        _files(programme_id, commune_id)
        .filter(_approved(day) & HAS_GAIN)
        .aggregate(n=Count("pk"), gain=Sum(GAIN))
    )
    if not row["n"]:
        return None
    return _told(row["n"], round_cents(Decimal(row["gain"]) * 100 / row["n"]))


def target_rate(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """Approved ÷ targets (%), over the target categories of the convention; programme-wide only. Two queries."""
    if commune_id is not None:
        return None
    targets: dict[str, int] = {}
    for category, count in HousingTarget.objects.filter(
        housing_programme__programme_id=programme_id
    ).values_list("category", "count"):
        targets[category] = targets.get(category, 0) + count
    total_target = sum(targets.values())
    if not total_target:
        return None
    annotations: dict[str, object] = {"n": Count("pk")}
    for category in targets:
        annotations[f"c_{category}"] = (
            Sum("dwellings", filter=CATEGORY_FILTERS[category])
            if category in DWELLING_CATEGORIES
            else Count("pk", filter=CATEGORY_FILTERS[category])
        )
    row = _files(programme_id, None).filter(_approved(day)).aggregate(**annotations)
    achieved = sum(row[f"c_{category}"] or 0 for category in targets)
    return _told(row["n"], round_cents(Decimal(achieved) * 100 / Decimal(total_target)))
