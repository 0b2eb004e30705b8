"""Reads of household files: the housing programme's list (filters, counts by status), its kanban (one column
per pipeline status, at most N cards each), a file's page (energy, category kept or provisional, deadlines,
transitions) and the named export's rows.

Named files are personal data: every read goes through `visible_to` / `policy.get_for_user` (404 out of scope),
and hp-level pages require `can_read_household_files` (403 for the programme's aggregate-only readers).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils.http import urlencode

from operations.housing import deadlines as rules
from operations.housing.filters import HousingFileFilter
from operations.housing.grants import class_jumps, energy_gain
from operations.housing.income import CategoryResult, income_category, latest_table_year
from operations.housing.models import FileStatus, HousingFile
from operations.housing.services.files import EVENT_DATE, PIPELINE_STATUSES, allowed_targets
from operations.models import HousingProgramme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.errors import MissingReferenceData
from pvd.models import StatusChange

S = FileStatus
PAGE_SIZE = 50
KANBAN_CARDS = 12  # a column never loads more cards than this


def housing_programme_for_files(user: User, pk: int) -> HousingProgramme:
    """The housing programme whose named files the user reads: 404 out of scope, 403 for aggregate readers."""
    housing_programme = policy.get_for_user(
        HousingProgramme.objects.select_related("programme", "operator"), user, pk=pk
    )
    policy.require(
        policy.can_read_household_files(user, housing_programme),
        "Les dossiers nominatifs sont réservés aux gestionnaires du dispositif et à son opérateur ; "
        "vous consultez les chiffres agrégés.",
    )
    return housing_programme


def file_for_page(user: User, pk: int) -> HousingFile:
    """A named file the user reads, or 404 (out of scope looks exactly like non-existent)."""
    return policy.get_for_user(
        HousingFile.objects.select_related(
            "housing_programme__programme", "commune", "sector", "scheme", "assigned_to"
        ),
        user,
        pk=pk,
    )


def _status_since() -> Subquery:
    """When the file entered its current status (its latest StatusChange to it), as a subquery."""
    return Subquery(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(HousingFile),
            object_id=OuterRef("pk"),
            target=OuterRef("status"),
        )
        .order_by("-at", "-pk")
        .values("at")[:1]
    )


def days_in_status(file: HousingFile, day: datetime.date) -> int:
    """Days since the file entered its status: its StatusChange, else the status's date, else first contact."""
    since = getattr(file, "status_since", None)
    start = since.date() if isinstance(since, datetime.datetime) else None
    if start is None:
        evidence = EVENT_DATE.get(file.status)
        start = (getattr(file, evidence) if evidence else None) or file.first_contact_on
    return max((day - start).days, 0)


# --- The list -------------------------------------------------------------------------------------------------


@dataclass
class FileList:
    housing_programme: HousingProgramme
    filter: HousingFileFilter
    files: QuerySet[HousingFile]  # filtered, unpaginated (the export reads it)
    page: Page
    counts: list[tuple[str, str, int]]  # status, label, count (the programme's files, every status)
    total: int
    query: str  # the filters as a query string, without the page

    @property
    def filtered(self) -> bool:
        return bool(self.query)


def _filtered_files(
    user: User, housing_programme: HousingProgramme, params: dict[str, str]
) -> tuple[HousingFileFilter, QuerySet[HousingFile]]:
    base = HousingFile.objects.visible_to(user).filter(housing_programme=housing_programme)
    years = [d.year for d in base.dates("filed_on", "year", order="DESC")]
    file_filter = HousingFileFilter(
        params or None, queryset=base, housing_programme=housing_programme, years=years
    )
    files = file_filter.qs if file_filter.is_bound and file_filter.is_valid() else base
    return file_filter, files.select_related("commune").order_by("-first_contact_on", "reference", "pk")


def file_list(
    user: User, housing_programme: HousingProgramme, params: dict[str, str], page: str | None
) -> FileList:
    """The programme's files, filtered and paginated, with the counts by status. Fixed number of queries: the
    years filed, the communes (form), the counts, the page's count and rows."""
    clean = {k: v for k, v in params.items() if k != "page" and v}
    file_filter, files = _filtered_files(user, housing_programme, clean)
    counted = dict(
        HousingFile.objects.visible_to(user)
        .filter(housing_programme=housing_programme)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    counts = [(value, str(label), counted.get(value, 0)) for value, label in S.choices]
    paginator = Paginator(files, PAGE_SIZE)
    return FileList(
        housing_programme=housing_programme,
        filter=file_filter,
        files=files,
        page=paginator.get_page(page),
        counts=counts,
        total=sum(counted.values()),
        query=urlencode(clean),
    )


def export_files(
    user: User, housing_programme: HousingProgramme, params: dict[str, str]
) -> list[HousingFile]:
    """The filtered list, every row (the named export)."""
    clean = {k: v for k, v in params.items() if k != "page" and v}
    _, files = _filtered_files(user, housing_programme, clean)
    return list(files.select_related("commune", "scheme"))


# --- The kanban -----------------------------------------------------------------------------------------------


@dataclass
class Card:
    file: HousingFile
    days_in_status: int
    next_deadline: rules.Deadline | None


@dataclass
class Column:
    status: str
    label: str
    count: int
    cards: list[Card] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)


@dataclass
class Kanban:
    columns: list[Column]
    closed: list[tuple[str, str, int]]  # the final statuses: status, label, count
    per_column: int


def kanban(
    user: User, housing_programme: HousingProgramme, *, day: datetime.date, per_column: int = KANBAN_CARDS
) -> Kanban:
    """One column per pipeline status, the files that stayed longest in it first, at most `per_column` cards
    (a window function: one query for every column), with the counts and each card's next deadline. Four
    queries whatever the number of files: counts, cards, deadline rules (plus the content type, cached)."""
    files = HousingFile.objects.visible_to(user).filter(housing_programme=housing_programme)
    counted = dict(files.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    ranked = (
        files.filter(status__in=PIPELINE_STATUSES)
        .annotate(status_since=_status_since())
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("status")],
                order_by=[
                    F("status_since").asc(nulls_first=True),
                    F("first_contact_on").asc(),
                    F("pk").asc(),
                ],
            )
        )
        .filter(rank__lte=per_column)
        .select_related("commune")
        .only(
            "reference",
            "status",
            "commune__name",
            "income_category",
            "first_contact_on",
            "housing_programme",
            *EVENT_DATE.values(),
            "receipt_on",
            "works_extension_months",
        )
        .order_by("status", "rank")
    )
    deadline_rules = rules.load_rules()
    columns = {
        status: Column(status, str(S(status).label), counted.get(status, 0)) for status in PIPELINE_STATUSES
    }
    for file in ranked:
        columns[file.status].cards.append(
            Card(file, days_in_status(file, day), rules.next_deadline(file, deadline_rules, day=day))
        )
    closed = [
        (status, str(S(status).label), counted.get(status, 0)) for status in S.values if status not in columns
    ]
    return Kanban(columns=list(columns.values()), closed=closed, per_column=per_column)


# --- A file's page --------------------------------------------------------------------------------------------


@dataclass
class Energy:
    label_before: str
    label_after: str
    class_jump: int | None
    gain_rate: Decimal | None  # 0.55 for 55 %


def energy(file: HousingFile) -> Energy:
    """Class jump (G → D = 3) and energy gain (consumption before → after) of the file."""
    return Energy(
        file.label_before,
        file.label_after,
        class_jumps(file.label_before or None, file.label_after or None),
        energy_gain(file.consumption_before, file.consumption_after),
    )


@dataclass
class CategoryView:
    """The category shown on the page: kept at filing, or provisional from the latest loaded table."""

    category: str
    label: str
    provisional: bool
    year: int | None
    source_label: str
    missing: str = ""  # why no provisional category can be shown


def category_view(file: HousingFile) -> CategoryView | None:
    if file.income_category:
        return CategoryView(
            category=file.income_category,
            label=file.get_income_category_display(),
            provisional=False,
            year=file.ceiling_year,
            source_label=file.get_category_source_display() if file.category_source else "",
        )
    if file.reference_income is None:
        return CategoryView("", "", True, None, "", missing="Revenu fiscal de référence non renseigné.")
    year = latest_table_year(file.zone)
    if year is None:
        return CategoryView("", "", True, None, "", missing="Aucun barème Anah n'est chargé pour cette zone.")
    try:
        result: CategoryResult = income_category(
            reference_income=Decimal(file.reference_income),
            household_size=file.household_size,
            zone=file.zone,
            year=year,
        )
    except MissingReferenceData as missing:
        return CategoryView("", "", True, year, "", missing=str(missing))
    return CategoryView(
        category=result.category,
        label=result.label,
        provisional=True,
        year=year,
        source_label=f"Provisoire : barème {year}, recalculée au dépôt avec le barème de l'année de dépôt.",
    )


def status_changes(file: HousingFile) -> list[StatusChange]:
    """The file's transitions, newest first, with their authors and French labels (one query)."""
    changes = list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(HousingFile), object_id=file.pk
        )
        .select_related("by")
        .order_by("-at", "-pk")
    )
    for change in changes:
        change.source_label = S(change.source).label if change.source else ""  # type: ignore[attr-defined]
        change.target_label = S(change.target).label  # type: ignore[attr-defined]
        by = change.by
        change.by_label = (by.get_full_name() or by.email) if by else "Système"  # type: ignore[attr-defined]
    return changes


DATE_CHAIN = (
    "first_contact_on",
    "france_renov_appointment_on",
    "visit_on",
    "diagnostic_on",
    "filed_on",
    "receipt_on",
    "decided_on",
    "works_started_on",
    "works_completed_on",
    "payment_requested_on",
    "paid_on",
    "closed_on",
    "ended_on",
)


@dataclass
class FilePage:
    file: HousingFile
    energy: Energy
    category: CategoryView | None
    dates: list[tuple[str, datetime.date | None]]
    deadlines: list[rules.Deadline]
    targets: list[str]
    changes: list[StatusChange]


def file_page(file: HousingFile, *, day: datetime.date) -> FilePage:
    return FilePage(
        file=file,
        energy=energy(file),
        category=category_view(file),
        dates=[
            (str(HousingFile._meta.get_field(name).verbose_name), getattr(file, name)) for name in DATE_CHAIN
        ],
        deadlines=rules.deadlines_for(file, rules.load_rules(), day=day),
        targets=allowed_targets(file.status),
        changes=status_changes(file),
    )
