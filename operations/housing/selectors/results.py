"""Targets against achievements of a housing programme, its operator's report and a commune's housing aggregates.

Every figure is an aggregate computed by the database (a few GROUP BY queries whatever the number of files: no
per-file work). Aggregates are read by whoever sees the housing programme; for users who cannot read its named
files (`policy.can_read_household_files` false: referents, partners, mayors) a cell counting 1 to 4 households is
masked as « < 5 » and its money hidden too (DOMAIN_RULES §5). `mask_cell` is the one place that decides, for the
pages and for the exports.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import ExtractYear

from operations.housing.grants import class_jumps
from operations.housing.models import EnvelopeKind, FileStatus, IncomeCategory, OwnerType, TargetCategory
from operations.models import (
    HousingEnvelope,
    HousingFile,
    HousingGrant,
    HousingGrantPayment,
    HousingProgramme,
    HousingTarget,
)
from partners.models import Organisation
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.money import ZERO, format_decimal, format_euros, format_percent

SMALL_CELL = 5
MASK = "< 5"
SECONDARY_MASK = "masqué"

# A file is « agréé » from its approval on: approved, works, payment requested, paid, closed.
APPROVED_OR_LATER = (
    FileStatus.APPROVED,
    FileStatus.WORKS,
    FileStatus.PAYMENT_REQUESTED,
    FileStatus.PAID,
    FileStatus.CLOSED,
)
IN_PROGRESS = (
    FileStatus.CONTACT,
    FileStatus.PRE_ELIGIBILITY,
    FileStatus.VISIT,
    FileStatus.DIAGNOSTIC,
    FileStatus.WORKS_PROGRAMME,
)
APPROVED_STAGE = (FileStatus.APPROVED, FileStatus.WORKS, FileStatus.PAYMENT_REQUESTED)
PAID_STAGE = (FileStatus.PAID, FileStatus.CLOSED)

# Which files count towards each target category (DOMAIN.md §3.2, art. 4 of the convention).
CATEGORY_FILTERS: dict[str, Q] = {
    TargetCategory.PO_VERY_MODEST: Q(
        owner_type=OwnerType.OCCUPIER, income_category=IncomeCategory.VERY_MODEST
    ),
    TargetCategory.PO_MODEST: Q(owner_type=OwnerType.OCCUPIER, income_category=IncomeCategory.MODEST),
    TargetCategory.LANDLORD: Q(owner_type=OwnerType.LANDLORD),
    TargetCategory.CONDOMINIUM: Q(owner_type=OwnerType.CONDOMINIUM),
    TargetCategory.INDIGNE: Q(theme_indigne=True),
    TargetCategory.ENERGY: Q(theme_energy=True),
    TargetCategory.AUTONOMY: Q(theme_autonomy=True),
    TargetCategory.VACANCY: Q(theme_vacancy=True),
}
# Landlord targets are counted in dwellings, the others in files (households, condominiums).
DWELLING_CATEGORIES = frozenset({TargetCategory.LANDLORD})
STAGES = (("filed", "Déposés"), ("approved", "Agréés"), ("paid", "Soldés"))

GAIN = ExpressionWrapper(
    # × 1.000000 first: SQLite would divide the stored integers as integers.
    (F("consumption_before") - F("consumption_after"))
    * Value(Decimal("1.000000"), output_field=DecimalField(max_digits=8, decimal_places=6))
    / F("consumption_before"),
    output_field=DecimalField(max_digits=12, decimal_places=6),
)
HAS_GAIN = Q(consumption_before__gt=0, consumption_after__isnull=False)


# --- Masking -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """An aggregate cell: a number of households (and what it shows: files or dwellings), maybe an amount;
    `masked` when it counts 1 to 4 households and the reader may not read named files."""

    households: int
    value: int | None = None
    amount: Decimal | None = None
    masked: bool = False
    secondary: bool = False  # masked so that a small cell cannot be worked out from the total (protect_row)

    @property
    def shown(self) -> int | None:
        """The count to show (None when masked)."""
        if self.masked:
            return None
        return self.households if self.value is None else self.value

    @property
    def label(self) -> str:
        if self.masked:
            return SECONDARY_MASK if self.secondary else MASK
        return format_decimal(Decimal(self.shown or 0), 0)

    @property
    def amount_label(self) -> str:
        if self.masked:
            return "masqué"
        return format_euros(self.amount if self.amount is not None else ZERO)

    def export(self) -> int | str:
        return self.label if self.masked else (self.shown or 0)

    def export_amount(self) -> Decimal | str:
        return "masqué" if self.masked else (self.amount if self.amount is not None else ZERO)


def mask_cell(
    households: int, *, hide_small: bool, value: int | None = None, amount: Decimal | None = None
) -> Cell:
    """THE small-cell rule: for a reader of aggregates only (`hide_small`), 1 to 4 households are « < 5 » and the
    cell's amount is hidden; 0 stays 0."""
    households = households or 0
    masked = hide_small and 0 < households < SMALL_CELL
    return Cell(households=households, value=value, amount=None if masked else amount, masked=masked)


def protect_row(cells: list[Cell], total: Cell) -> list[Cell]:
    """Complementary suppression: when a row's total is shown and exactly one of its cells is masked, the masked
    value would be the total minus the visible cells; the smallest other non-zero cell is masked too, so that only
    the sum of the two can be told."""
    masked = [cell for cell in cells if cell.masked]
    if total.masked or len(masked) != 1:
        return cells
    candidates = [i for i, cell in enumerate(cells) if not cell.masked and cell.households > 0]
    if not candidates:
        return cells
    smallest = min(candidates, key=lambda i: cells[i].households)
    return [
        replace(cell, masked=True, secondary=True, amount=None) if i == smallest else cell
        for i, cell in enumerate(cells)
    ]


def hides_small_cells(user: User, housing_programme: HousingProgramme) -> bool:
    return not policy.can_read_household_files(user, housing_programme)


# --- Results of a housing programme --------------------------------------------------------------------------


@dataclass
class YearFigures:
    year: int
    target: int | None
    filed: Cell
    approved: Cell
    paid: Cell

    @property
    def rate(self) -> Decimal | None:
        """Approved against target (None when masked or without target)."""
        if not self.target or self.approved.masked:
            return None
        return Decimal(self.approved.shown or 0) / Decimal(self.target)


@dataclass
class CategoryResults:
    category: str
    label: str
    unit: str
    years: list[YearFigures]
    total: YearFigures


@dataclass
class FundYear:
    year: int
    envelope: Decimal | None
    committed: Cell
    paid: Cell


@dataclass
class FunderResults:
    funder: Organisation
    years: list[FundYear]
    total: FundYear


@dataclass
class EnergyResults:
    files: Cell
    mean_gain: Decimal | None  # fraction; None when unknown or masked
    two_classes_or_more: Cell
    jumps: list[tuple[str, Cell]]  # ("0", cell), ("1", cell)… classes gained


@dataclass
class ProgrammeResults:
    housing_programme: HousingProgramme
    years: list[int]
    masked: bool
    categories: list[CategoryResults]
    funders: list[FunderResults]
    energy: EnergyResults
    notes: list[str] = field(default_factory=list)


def programme_years(housing_programme: HousingProgramme) -> list[int]:
    return list(range(housing_programme.starts_on.year, housing_programme.ends_on.year + 1))


def _category_counts(files: QuerySet, date_field: str, extra: Q | None = None) -> dict[int, dict[str, int]]:
    """{year: {category: households, category + '__dwellings': dwellings}} of the files dated in that year."""
    qs = files.filter(**{f"{date_field}__isnull": False})
    if extra is not None:
        qs = qs.filter(extra)
    annotations: dict[str, object] = {}
    for category, condition in CATEGORY_FILTERS.items():
        annotations[f"c_{category}"] = Count("pk", filter=condition)
        if category in DWELLING_CATEGORIES:
            annotations[f"d_{category}"] = Sum("dwellings", filter=condition)
    rows = qs.annotate(y=ExtractYear(date_field)).values("y").annotate(**annotations).order_by("y")
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result[row["y"]] = {key: value or 0 for key, value in row.items() if key != "y"}
    return result


def _cell(counts: dict[str, int], category: str, hide: bool) -> Cell:
    households = counts.get(f"c_{category}", 0)
    dwellings = counts.get(f"d_{category}") if category in DWELLING_CATEGORIES else None
    return mask_cell(households, hide_small=hide, value=dwellings)


def _sum_counts(per_year: dict[int, dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for counts in per_year.values():
        for key, value in counts.items():
            total[key] += value
    return total


def _energy(files: QuerySet, hide: bool) -> EnergyResults:
    """Files with both DPE labels: mean energy gain, distribution of class jumps, count gaining ≥ 2 classes."""
    rows = (
        files.exclude(label_before="")
        .exclude(label_after="")
        .values("label_before", "label_after")
        .annotate(n=Count("pk"), gain_sum=Sum(GAIN, filter=HAS_GAIN), gain_n=Count("pk", filter=HAS_GAIN))
        .order_by()
    )
    jumps: dict[int, int] = defaultdict(int)
    total = gain_n = 0
    gain_sum = ZERO
    for row in rows:
        jump = max(class_jumps(row["label_before"], row["label_after"]) or 0, 0)
        jumps[jump] += row["n"]
        total += row["n"]
        gain_n += row["gain_n"]
        gain_sum += Decimal(row["gain_sum"] or 0)
    files_cell = mask_cell(total, hide_small=hide)
    two_or_more = mask_cell(sum(n for jump, n in jumps.items() if jump >= 2), hide_small=hide)
    mean = None
    if gain_n and not mask_cell(gain_n, hide_small=hide).masked:
        mean = (gain_sum / gain_n).quantize(Decimal("0.0001"))
    distribution = [(str(jump), mask_cell(jumps.get(jump, 0), hide_small=hide)) for jump in range(7)]
    return EnergyResults(
        files=files_cell,
        mean_gain=mean,
        two_classes_or_more=two_or_more,
        jumps=[(jump, cell) for jump, cell in distribution if cell.households],
    )


def _money_by_funder_year(
    grants: QuerySet, payments: QuerySet
) -> tuple[dict[tuple[int, int], tuple[int, Decimal]], dict[tuple[int, int], tuple[int, Decimal]]]:
    committed = {
        (row["funder_id"], row["y"]): (row["households"], row["amount"] or ZERO)
        for row in grants.annotate(y=ExtractYear("committed_on"))
        .values("funder_id", "y")
        .annotate(households=Count("file_id", distinct=True), amount=Sum("amount"))
        .order_by()
    }
    paid = {
        (row["grant__funder_id"], row["y"]): (row["households"], row["amount"] or ZERO)
        for row in payments.annotate(y=ExtractYear("paid_on"))
        .values("grant__funder_id", "y")
        .annotate(households=Count("grant__file_id", distinct=True), amount=Sum("amount"))
        .order_by()
    }
    return committed, paid


def _funders(
    housing_programme: HousingProgramme, years: list[int], hide: bool, grants: QuerySet, payments: QuerySet
) -> list[FunderResults]:
    envelopes: dict[tuple[int, int], Decimal] = {}
    funder_ids: set[int] = set()
    for funder_id, year, amount in HousingEnvelope.objects.filter(
        housing_programme=housing_programme, kind=EnvelopeKind.WORKS
    ).values_list("funder_id", "year", "amount"):
        envelopes[(funder_id, year)] = amount
        funder_ids.add(funder_id)
    committed, paid = _money_by_funder_year(grants, payments)
    funder_ids |= {key[0] for key in committed} | {key[0] for key in paid}
    funders = Organisation.objects.filter(pk__in=funder_ids).order_by("name", "pk") if funder_ids else []
    results = []
    for funder in funders:
        rows = []
        for year in years:
            c_n, c_amount = committed.get((funder.pk, year), (0, ZERO))
            p_n, p_amount = paid.get((funder.pk, year), (0, ZERO))
            rows.append(
                FundYear(
                    year=year,
                    envelope=envelopes.get((funder.pk, year)),
                    committed=mask_cell(c_n, hide_small=hide, amount=c_amount),
                    paid=mask_cell(p_n, hide_small=hide, amount=p_amount),
                )
            )
        # Totals over the whole programme (also what falls outside its years).
        c_all = [v for (f, _), v in committed.items() if f == funder.pk]
        p_all = [v for (f, _), v in paid.items() if f == funder.pk]
        env_total = sum((a for (f, _), a in envelopes.items() if f == funder.pk), ZERO)
        total = FundYear(
            year=0,
            envelope=env_total,
            committed=mask_cell(
                sum(n for n, _ in c_all), hide_small=hide, amount=sum((a for _, a in c_all), ZERO)
            ),
            paid=mask_cell(
                sum(n for n, _ in p_all), hide_small=hide, amount=sum((a for _, a in p_all), ZERO)
            ),
        )
        for stage in ("committed", "paid"):
            protected = protect_row([getattr(row, stage) for row in rows], getattr(total, stage))
            for row, cell in zip(rows, protected, strict=True):
                setattr(row, stage, cell)
        results.append(FunderResults(funder=funder, years=rows, total=total))
    return results


def programme_results(housing_programme: HousingProgramme, user: User) -> ProgrammeResults:
    """Targets vs achieved, aid against envelopes, energy results. Queries: targets, filed, approved, paid,
    envelopes, committed grants, payments, funders, energy — the same count at any number of files."""
    hide = hides_small_cells(user, housing_programme)
    years = programme_years(housing_programme)
    files = HousingFile.objects.filter(housing_programme=housing_programme).order_by()
    targets: dict[tuple[str, int], int] = {
        (category, year): count
        for category, year, count in HousingTarget.objects.filter(
            housing_programme=housing_programme
        ).values_list("category", "year", "count")
    }
    filed = _category_counts(files, "filed_on")
    approved = _category_counts(files, "decided_on", Q(status__in=APPROVED_OR_LATER))
    paid = _category_counts(files, "paid_on")
    filed_total, approved_total, paid_total = _sum_counts(filed), _sum_counts(approved), _sum_counts(paid)
    categories = []
    for category, label in TargetCategory.choices:
        rows = [
            YearFigures(
                year=year,
                target=targets.get((category, year)),
                filed=_cell(filed.get(year, {}), category, hide),
                approved=_cell(approved.get(year, {}), category, hide),
                paid=_cell(paid.get(year, {}), category, hide),
            )
            for year in years
        ]
        target_total = [count for (c, _), count in targets.items() if c == category]
        filed_cell, approved_cell, paid_cell = (
            _cell(filed_total, category, hide),
            _cell(approved_total, category, hide),
            _cell(paid_total, category, hide),
        )
        for stage, stage_total in (("filed", filed_cell), ("approved", approved_cell), ("paid", paid_cell)):
            protected = protect_row([getattr(row, stage) for row in rows], stage_total)
            for row, cell in zip(rows, protected, strict=True):
                setattr(row, stage, cell)
        total = YearFigures(
            year=0,
            target=sum(target_total) if target_total else None,
            filed=filed_cell,
            approved=approved_cell,
            paid=paid_cell,
        )
        categories.append(
            CategoryResults(
                category=category,
                label=str(label),
                unit="logements" if category in DWELLING_CATEGORIES else "dossiers",
                years=rows,
                total=total,
            )
        )
    grants = HousingGrant.objects.filter(
        file__housing_programme=housing_programme,
        status=HousingGrant.Status.COMMITTED,
        committed_on__isnull=False,
    )
    payments = HousingGrantPayment.objects.filter(grant__file__housing_programme=housing_programme)
    return ProgrammeResults(
        housing_programme=housing_programme,
        years=years,
        masked=hide,
        categories=categories,
        funders=_funders(housing_programme, years, hide, grants, payments),
        energy=_energy(files.filter(status__in=APPROVED_OR_LATER), hide),
    )


def results_summary(results: ProgrammeResults) -> list[CategoryResults]:
    """The categories with a target or an achievement, for the programme page's summary."""
    return [
        row
        for row in results.categories
        if row.total.target or row.total.filed.households or row.total.approved.households
    ]


# --- The operator's report ---------------------------------------------------------------------------------

PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-T(?P<quarter>[1-4]))?$")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    year: int
    quarter: int | None

    @property
    def label(self) -> str:
        if self.quarter:
            ordinal = "1er" if self.quarter == 1 else f"{self.quarter}e"
            return f"{ordinal} trimestre {self.year}"
        return f"année {self.year}"

    @property
    def code(self) -> str:
        return f"{self.year}-T{self.quarter}" if self.quarter else str(self.year)


def parse_period(text: str) -> Period:
    """« 2026 » (the year) or « 2026-T3 » (a quarter); ValueError (French) otherwise."""
    match = PERIOD_PATTERN.match((text or "").strip())
    if not match:
        raise ValueError("Période invalide : indiquez une année (2026) ou un trimestre (2026-T3).")
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        raise ValueError("Période invalide : année hors limites.")
    if match["quarter"]:
        quarter = int(match["quarter"])
        start = datetime.date(year, 3 * quarter - 2, 1)
        end = _add_months(start, 3) - datetime.timedelta(days=1)
        return Period(start, end, year, quarter)
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), year, None)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of a month plus whole calendar months (only used on firsts of months)."""
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


@dataclass
class CommuneLine:
    commune: str
    contacts: Cell
    filed: Cell
    approved: Cell
    paid: Cell


@dataclass
class ReportData:
    housing_programme: HousingProgramme
    period: Period
    masked: bool
    contacts: Cell
    visits: Cell
    filed: Cell
    approved: Cell
    paid: Cell
    committed_by_funder: list[tuple[str, Cell]]
    paid_by_funder: list[tuple[str, Cell]]
    committed_total: Cell
    paid_total: Cell
    energy: EnergyResults
    year_targets: list[
        tuple[str, str, int | None, Cell, Cell, Cell]
    ]  # label, unit, target, filed, approved, paid
    communes: list[CommuneLine]


def _between(name: str, period: Period) -> Q:
    return Q(**{f"{name}__gte": period.start, f"{name}__lte": period.end})


def report_data(housing_programme: HousingProgramme, period: Period, user: User) -> ReportData:
    """Everything the operator's quarterly or annual report shows, masked for aggregate-only readers; the
    template (and a later PDF rendering) only lays it out."""
    hide = hides_small_cells(user, housing_programme)
    files = HousingFile.objects.filter(housing_programme=housing_programme).order_by()
    approved_q = _between("decided_on", period) & Q(status__in=APPROVED_OR_LATER)
    totals = files.aggregate(
        contacts=Count("pk", filter=_between("first_contact_on", period)),
        visits=Count("pk", filter=_between("visit_on", period)),
        filed=Count("pk", filter=_between("filed_on", period)),
        approved=Count("pk", filter=approved_q),
        paid=Count("pk", filter=_between("paid_on", period)),
    )
    by_commune = (
        files.filter(
            _between("first_contact_on", period)
            | _between("filed_on", period)
            | approved_q
            | _between("paid_on", period)
        )
        .values("commune__name")
        .annotate(
            contacts=Count("pk", filter=_between("first_contact_on", period)),
            filed=Count("pk", filter=_between("filed_on", period)),
            approved=Count("pk", filter=approved_q),
            paid=Count("pk", filter=_between("paid_on", period)),
        )
        .order_by("commune__name")
    )
    grants = HousingGrant.objects.filter(
        file__housing_programme=housing_programme,
        status=HousingGrant.Status.COMMITTED,
    ).filter(_between("committed_on", period))
    committed = list(
        grants.values("funder__name")
        .annotate(households=Count("file_id", distinct=True), amount=Sum("amount"))
        .order_by("funder__name")
    )
    committed_all = grants.aggregate(households=Count("file_id", distinct=True), amount=Sum("amount"))
    payments = HousingGrantPayment.objects.filter(grant__file__housing_programme=housing_programme).filter(
        _between("paid_on", period)
    )
    paid = list(
        payments.values("grant__funder__name")
        .annotate(households=Count("grant__file_id", distinct=True), amount=Sum("amount"))
        .order_by("grant__funder__name")
    )
    paid_all = payments.aggregate(households=Count("grant__file_id", distinct=True), amount=Sum("amount"))
    # Targets of the year against what was achieved in the year (whole year, even for a quarter).
    targets = dict(
        HousingTarget.objects.filter(housing_programme=housing_programme, year=period.year).values_list(
            "category", "count"
        )
    )
    filed_y = _category_counts(files, "filed_on").get(period.year, {})
    approved_y = _category_counts(files, "decided_on", Q(status__in=APPROVED_OR_LATER)).get(period.year, {})
    paid_y = _category_counts(files, "paid_on").get(period.year, {})
    year_targets = [
        (
            str(label),
            "logements" if category in DWELLING_CATEGORIES else "dossiers",
            targets.get(category),
            _cell(filed_y, category, hide),
            _cell(approved_y, category, hide),
            _cell(paid_y, category, hide),
        )
        for category, label in TargetCategory.choices
    ]
    return ReportData(
        housing_programme=housing_programme,
        period=period,
        masked=hide,
        contacts=mask_cell(totals["contacts"], hide_small=hide),
        visits=mask_cell(totals["visits"], hide_small=hide),
        filed=mask_cell(totals["filed"], hide_small=hide),
        approved=mask_cell(totals["approved"], hide_small=hide),
        paid=mask_cell(totals["paid"], hide_small=hide),
        committed_by_funder=[
            (row["funder__name"], mask_cell(row["households"], hide_small=hide, amount=row["amount"]))
            for row in committed
        ],
        paid_by_funder=[
            (row["grant__funder__name"], mask_cell(row["households"], hide_small=hide, amount=row["amount"]))
            for row in paid
        ],
        committed_total=mask_cell(
            committed_all["households"], hide_small=hide, amount=committed_all["amount"] or ZERO
        ),
        paid_total=mask_cell(paid_all["households"], hide_small=hide, amount=paid_all["amount"] or ZERO),
        energy=_energy(files.filter(approved_q), hide),
        year_targets=year_targets,
        communes=[
            CommuneLine(
                commune=row["commune__name"],
                contacts=mask_cell(row["contacts"], hide_small=hide),
                filed=mask_cell(row["filed"], hide_small=hide),
                approved=mask_cell(row["approved"], hide_small=hide),
                paid=mask_cell(row["paid"], hide_small=hide),
            )
            for row in by_commune
        ],
    )


# --- The commune page --------------------------------------------------------------------------------------


@dataclass
class CommuneHousing:
    housing_programme: HousingProgramme
    can_open: bool
    masked: bool
    in_progress: Cell
    filed: Cell
    approved: Cell
    paid: Cell
    committed: Cell
    paid_aid: Cell
    dwellings_renovated: Cell
    mean_gain: Decimal | None

    @property
    def mean_gain_label(self) -> str:
        return format_percent(self.mean_gain, 1) if self.mean_gain is not None else "—"


def commune_housing_aggregates(commune: Organisation, user: User) -> list[CommuneHousing]:
    """For each housing programme covering the commune, the commune's aggregates only (no name, address or
    income is read): files by stage, aid committed and paid, dwellings renovated, mean energy gain. Masked
    below 5 households for whoever cannot read that programme's named files. Queries: the programmes, those the
    user may open, files by programme, committed grants, payments — whatever the number of files."""
    programmes = list(commune.housing_programmes.select_related("operator").order_by("-starts_on", "pk"))
    if not programmes:
        return []
    ids = [hp.pk for hp in programmes]
    openable = set(HousingProgramme.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    files = HousingFile.objects.filter(commune=commune, housing_programme_id__in=ids).order_by()
    engaged = Q(status__in=APPROVED_OR_LATER)
    stats = {
        row["housing_programme_id"]: row
        for row in files.values("housing_programme_id").annotate(
            in_progress=Count("pk", filter=Q(status__in=IN_PROGRESS)),
            filed=Count("pk", filter=Q(status=FileStatus.FILED)),
            approved=Count("pk", filter=Q(status__in=APPROVED_STAGE)),
            paid=Count("pk", filter=Q(status__in=PAID_STAGE)),
            renovated=Count("pk", filter=Q(status__in=PAID_STAGE)),
            dwellings=Sum("dwellings", filter=Q(status__in=PAID_STAGE)),
            gain_sum=Sum(GAIN, filter=HAS_GAIN & engaged),
            gain_n=Count("pk", filter=HAS_GAIN & engaged),
        )
    }
    committed = {
        row["file__housing_programme_id"]: row
        for row in HousingGrant.objects.filter(
            file__commune=commune, file__housing_programme_id__in=ids, status=HousingGrant.Status.COMMITTED
        )
        .values("file__housing_programme_id")
        .annotate(households=Count("file_id", distinct=True), amount=Sum("amount"))
        .order_by()
    }
    paid = {
        row["grant__file__housing_programme_id"]: row
        for row in HousingGrantPayment.objects.filter(
            grant__file__commune=commune, grant__file__housing_programme_id__in=ids
        )
        .values("grant__file__housing_programme_id")
        .annotate(households=Count("grant__file_id", distinct=True), amount=Sum("amount"))
        .order_by()
    }
    result = []
    for hp in programmes:
        hide = hides_small_cells(user, hp)
        row = stats.get(hp.pk, {})
        c_row = committed.get(hp.pk, {})
        p_row = paid.get(hp.pk, {})
        gain_n = row.get("gain_n", 0)
        mean = None
        if gain_n and not mask_cell(gain_n, hide_small=hide).masked:
            mean = (Decimal(row["gain_sum"]) / gain_n).quantize(Decimal("0.0001"))
        result.append(
            CommuneHousing(
                housing_programme=hp,
                can_open=hp.pk in openable,
                masked=hide,
                in_progress=mask_cell(row.get("in_progress", 0), hide_small=hide),
                filed=mask_cell(row.get("filed", 0), hide_small=hide),
                approved=mask_cell(row.get("approved", 0), hide_small=hide),
                paid=mask_cell(row.get("paid", 0), hide_small=hide),
                committed=mask_cell(
                    c_row.get("households", 0), hide_small=hide, amount=c_row.get("amount") or ZERO
                ),
                paid_aid=mask_cell(
                    p_row.get("households", 0), hide_small=hide, amount=p_row.get("amount") or ZERO
                ),
                dwellings_renovated=mask_cell(
                    row.get("renovated", 0), hide_small=hide, value=row.get("dwellings") or 0
                ),
                mean_gain=mean,
            )
        )
    return result
