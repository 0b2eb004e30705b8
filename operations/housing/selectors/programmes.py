"""Page-shaped reads of a housing programme: the programme in the user's scope, its convention (avenants,
targets grid, envelopes grid, local top-up rules, perimeter sectors) and the history of its targets and envelopes.

No household file is read here: the page is open to every reader of the housing programme (referents and
partners included); named files are engineer B's pages, linked for those who may read them.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from operations.housing.models import EnvelopeKind, TargetCategory
from operations.housing.selectors.results import programme_years
from operations.models import (
    Contract,
    HousingAmendment,
    HousingEnvelope,
    HousingProgramme,
    HousingSector,
    HousingTarget,
    TopUpRule,
)
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.money import ZERO, format_euros

HISTORY_LIMIT = 40


def housing_programme_for_page(user: User, pk: int) -> HousingProgramme:
    """The housing programme if the user sees it (404 otherwise), with what its header shows."""
    return policy.get_for_user(
        HousingProgramme.objects.select_related(
            "owner", "operator", "programme", "operator_contract", "operation"
        ),
        user,
        pk=pk,
    )


@dataclass
class GridRow:
    key: str
    label: str
    cells: list[object]  # one value (or None) per year
    total: object


@dataclass
class Grid:
    years: list[int]
    rows: list[GridRow]
    totals: list[object]
    total: object


def targets_grid(housing_programme: HousingProgramme, targets: list[HousingTarget]) -> Grid:
    years = programme_years(housing_programme)
    values = {(t.category, t.year): t.count for t in targets}
    rows = []
    for category, label in TargetCategory.choices:
        cells = [values.get((category, year)) for year in years]
        rows.append(GridRow(category, str(label), cells, sum(c for c in cells if c is not None)))
    totals = [sum(values.get((c, year), 0) for c in TargetCategory.values) for year in years]
    return Grid(years, rows, totals, sum(totals))


def envelopes_grid(housing_programme: HousingProgramme, envelopes: list[HousingEnvelope]) -> Grid:
    years = programme_years(housing_programme)
    values: dict[tuple[int, str], dict[int, Decimal]] = defaultdict(dict)
    names: dict[tuple[int, str], str] = {}
    for envelope in envelopes:
        key = (envelope.funder_id, envelope.kind)
        values[key][envelope.year] = envelope.amount
        names[key] = f"{envelope.funder.name} — {envelope.get_kind_display()}"
    rows = []
    for key in sorted(names, key=lambda k: (names[k], k)):
        cells = [values[key].get(year) for year in years]
        rows.append(
            GridRow(f"{key[0]}_{key[1]}", names[key], cells, sum((c for c in cells if c is not None), ZERO))
        )
    totals = [sum((values[key].get(year, ZERO) for key in values), ZERO) for year in years]
    return Grid(years, rows, totals, sum(totals, ZERO))


@dataclass
class ConventionChange:
    when: object
    who: str
    what: str
    change: str
    amendment: str


def convention_history(housing_programme: HousingProgramme) -> list[ConventionChange]:
    """Who changed which target or envelope, when, and under which avenant (two queries)."""
    amendments = {a.pk: str(a) for a in housing_programme.amendments.all()}
    entries: list[ConventionChange] = []
    targets = (
        HousingTarget.history.filter(housing_programme_id=housing_programme.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    kind_labels = dict(EnvelopeKind.choices)
    for record in targets:
        entries.append(
            ConventionChange(
                when=record.history_date,
                who=_who(record),
                what=f"Objectif {TargetCategory(record.category).label} {record.year}",
                change=_change(record, f"{record.count} logement(s)"),
                amendment=amendments.get(record.amendment_id, "Convention initiale"),
            )
        )
    envelopes = (
        HousingEnvelope.history.filter(housing_programme_id=housing_programme.pk)
        .select_related("history_user", "funder")
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    for record in envelopes:
        entries.append(
            ConventionChange(
                when=record.history_date,
                who=_who(record),
                what=f"Enveloppe {record.funder.name} — {kind_labels.get(record.kind, record.kind)} {record.year}",
                change=_change(record, format_euros(record.amount)),
                amendment=amendments.get(record.amendment_id, "Convention initiale"),
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:HISTORY_LIMIT]


def _who(record: object) -> str:
    user = record.history_user  # type: ignore[attr-defined]
    if user is None:
        return "un traitement automatique"
    return user.get_full_name() or user.email


def _change(record: object, value: str) -> str:
    kind = record.history_type  # type: ignore[attr-defined]
    if kind == "+":
        return f"fixé à {value}"
    if kind == "-":
        return "supprimé"
    return f"porté à {value}"


@dataclass
class ProgrammePage:
    amendments: list[HousingAmendment]
    sectors: list[HousingSector]
    communes: list[object]
    targets: Grid
    envelopes: Grid
    top_ups: list[TopUpRule]
    history: list[ConventionChange]
    contract_visible: bool


def programme_page(housing_programme: HousingProgramme, user: User) -> ProgrammePage:
    hp = housing_programme
    contract_visible = bool(
        hp.operator_contract_id
        and policy.visible_to(Contract.objects.filter(pk=hp.operator_contract_id), user).exists()
    )
    return ProgrammePage(
        amendments=list(hp.amendments.order_by("number")),
        sectors=list(hp.sectors.select_related("commune").order_by("name")),
        communes=list(hp.communes.order_by("name")),
        targets=targets_grid(hp, list(hp.targets.all())),
        envelopes=envelopes_grid(hp, list(hp.envelopes.select_related("funder"))),
        top_ups=list(hp.top_up_rules.select_related("funder").order_by("funder__name", "label", "pk")),
        history=convention_history(hp),
        contract_visible=contract_visible,
    )


def envelope_rows(housing_programme: HousingProgramme) -> QuerySet[HousingEnvelope]:
    return housing_programme.envelopes.select_related("funder")
