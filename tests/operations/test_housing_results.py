"""Targets against achievements of a housing programme, small-cell masking, the XLSX, the operator's report and
query counts — every figure against a hand-computed fixture:

- 7 owner-occupier « très modestes » files, filed 01/03/2025, approved 01/05/2025, DPE F → C (300 → 150 kWh),
  each with a committed Anah grant of 10 000 € (01/05/2025); 2 of them received a 3 000 € advance (01/09/2025);
- 3 owner-occupier « modestes » files, filed 01/04/2025, awaiting the decision;
- targets 2025: 10 very modest, 6 modest; Anah works envelope 2025: 100 000 €.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from operations.housing.models import FileStatus, GrantStatus, IncomeCategory, OwnerType, TargetCategory
from operations.housing.selectors.results import mask_cell, parse_period, programme_results, report_data
from operations.models import HousingProgramme
from pvd.accounts import policy
from tests.factories import HousingProgrammeFactory
from tests.operations.housing_factories import (
    HousingEnvelopeFactory,
    HousingFileFactory,
    HousingGrantFactory,
    HousingGrantPaymentFactory,
    HousingTargetFactory,
)

D = datetime.date


def make_programme(t) -> HousingProgramme:
    return HousingProgrammeFactory(
        name="OPAH-RU de Wassy (essai des résultats)",
        owner=t.epci,
        programme=t.programme,
        communes=[t.wassy],
        starts_on=D(2024, 1, 1),
        ends_on=D(2026, 12, 31),
    )


def make_files(t, hp: HousingProgramme, factor: int = 1) -> None:
    for _ in range(factor):
        very_modest = [
            HousingFileFactory(
                housing_programme=hp,
                commune=t.wassy,
                owner_type=OwnerType.OCCUPIER,
                income_category=IncomeCategory.VERY_MODEST,
                reference_income=Decimal("15432.00"),
                theme_energy=False,
                status=FileStatus.APPROVED,
                first_contact_on=D(2025, 1, 10),
                visit_on=D(2025, 2, 1),
                filed_on=D(2025, 3, 1),
                decided_on=D(2025, 5, 1),
                label_before="F",
                label_after="C",
                consumption_before=Decimal(300),
                consumption_after=Decimal(150),
            )
            for _ in range(7)
        ]
        grants = [
            HousingGrantFactory(
                file=file,
                funder=t.anah,
                status=GrantStatus.COMMITTED,
                committed_on=D(2025, 5, 1),
                amount=Decimal("10000.00"),
            )
            for file in very_modest
        ]
        for grant in grants[:2]:
            HousingGrantPaymentFactory(grant=grant, amount=Decimal("3000.00"), paid_on=D(2025, 9, 1))
        for _ in range(3):
            HousingFileFactory(
                housing_programme=hp,
                commune=t.wassy,
                owner_type=OwnerType.OCCUPIER,
                income_category=IncomeCategory.MODEST,
                theme_energy=False,
                status=FileStatus.FILED,
                first_contact_on=D(2025, 1, 20),
                filed_on=D(2025, 4, 1),
            )


@pytest.fixture
def hp(territory) -> HousingProgramme:
    hp = make_programme(territory)
    make_files(territory, hp)
    HousingTargetFactory(housing_programme=hp, category=TargetCategory.PO_VERY_MODEST, year=2025, count=10)
    HousingTargetFactory(housing_programme=hp, category=TargetCategory.PO_MODEST, year=2025, count=6)
    HousingEnvelopeFactory(
        housing_programme=hp, funder=territory.anah, year=2025, amount=Decimal("100000.00")
    )
    return hp


def _category(results, category):
    return next(row for row in results.categories if row.category == category)


def _year(row, year):
    return next(y for y in row.years if y.year == year)


def test_mask_cell_hides_one_to_four_households_and_their_money_but_keeps_zero() -> None:
    assert mask_cell(0, hide_small=True, amount=Decimal(0)).label == "0"
    masked = mask_cell(4, hide_small=True, amount=Decimal(12000))
    assert masked.masked and masked.label == "< 5" and masked.amount is None and masked.export() == "< 5"
    assert mask_cell(5, hide_small=True).label == "5"
    assert mask_cell(3, hide_small=False, amount=Decimal(1)).label == "3"


def test_the_manager_sees_every_figure_against_the_targets(hp, manager) -> None:
    results = programme_results(hp, manager)
    assert results.years == [2024, 2025, 2026]
    assert not results.masked
    very_modest = _year(_category(results, TargetCategory.PO_VERY_MODEST), 2025)
    assert (
        very_modest.target,
        very_modest.filed.label,
        very_modest.approved.label,
        very_modest.paid.label,
    ) == (
        10,
        "7",
        "7",
        "0",
    )
    assert very_modest.rate == Decimal("0.7")
    modest = _year(_category(results, TargetCategory.PO_MODEST), 2025)
    assert (modest.target, modest.filed.label, modest.approved.label) == (6, "3", "0")
    assert _category(results, TargetCategory.PO_MODEST).total.filed.shown == 3
    [anah] = results.funders
    year = next(y for y in anah.years if y.year == 2025)
    assert year.envelope == Decimal("100000.00")
    assert (year.committed.households, year.committed.amount) == (7, Decimal("70000.00"))
    assert (year.paid.households, year.paid.amount) == (2, Decimal("6000.00"))
    assert results.energy.files.shown == 7
    assert results.energy.mean_gain == Decimal("0.5000")
    assert results.energy.two_classes_or_more.shown == 7
    assert [(jump, cell.shown) for jump, cell in results.energy.jumps] == [("3", 7)]


@pytest.mark.parametrize("persona", ["referent", "partner"])
def test_aggregate_readers_see_small_cells_masked(hp, persona, request) -> None:
    results = programme_results(hp, request.getfixturevalue(persona))
    assert results.masked
    modest = _year(_category(results, TargetCategory.PO_MODEST), 2025)
    assert modest.filed.label == "< 5"
    assert modest.approved.label == "0"
    very_modest = _year(_category(results, TargetCategory.PO_VERY_MODEST), 2025)
    assert very_modest.filed.label == "7"
    year = next(y for y in results.funders[0].years if y.year == 2025)
    assert year.committed.amount == Decimal("70000.00")
    assert year.paid.masked and year.paid.amount is None


def test_results_page_masks_for_the_referent_and_shows_the_manager(hp, client_for) -> None:
    url = reverse("operations:housing_results", kwargs={"pk": hp.pk})
    referent_page = client_for("referent").get(url).content.decode()
    manager_page = client_for("manager").get(url).content.decode()
    assert "Moins de 5 ménages : valeur masquée" in referent_page
    assert "Moins de 5 ménages : valeur masquée" not in manager_page
    assert "6\xa0000,00\xa0€" not in referent_page  # the 2 paid households' money is hidden
    assert "6\xa0000,00\xa0€" in manager_page
    assert 'role="img"' in manager_page and "<title" in manager_page
    assert "Données du graphique" in manager_page


def test_results_xlsx_is_masked_for_aggregate_readers(hp, client_for) -> None:
    url = reverse("operations:housing_results_xlsx", kwargs={"pk": hp.pk})

    def cells(persona: str) -> list[object]:
        response = client_for(persona).get(url)
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        return [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]

    referent = cells("referent")
    manager = cells("manager")
    assert "< 5" in referent and "masqué" in referent
    assert "< 5" not in manager and Decimal(6000) in [
        Decimal(str(c)) for c in manager if isinstance(c, float | int)
    ]
    assert not any(isinstance(c, str) and "Ménage Essai" in c for c in referent + manager)


def test_report_of_a_quarter_counts_the_quarter_only(hp, manager) -> None:
    report = report_data(hp, parse_period("2025-T2"), manager)
    assert (report.period.start, report.period.end) == (D(2025, 4, 1), D(2025, 6, 30))
    assert report.filed.shown == 3  # the modest files, filed 01/04/2025
    assert report.approved.shown == 7  # decided 01/05/2025
    assert report.contacts.shown == 0 and report.visits.shown == 0
    assert report.committed_total.amount == Decimal("70000.00")
    assert report.paid_total.households == 0
    assert report.energy.mean_gain == Decimal("0.5000")
    [wassy] = report.communes
    assert (wassy.commune, wassy.filed.shown, wassy.approved.shown) == ("Wassy", 3, 7)


def test_report_of_a_year_and_its_targets(hp, referent) -> None:
    report = report_data(hp, parse_period("2025"), referent)
    assert report.contacts.shown == 10 and report.visits.shown == 7
    assert report.filed.shown == 10 and report.approved.shown == 7
    assert report.paid_total.masked  # 2 households paid in 2025: hidden from the referent
    modest = next(row for row in report.year_targets if row[0] == TargetCategory.PO_MODEST.label)
    assert modest[2] == 6 and modest[3].label == "< 5"


def test_report_page_is_printable_and_refuses_a_bad_period(hp, client_for) -> None:
    client = client_for("manager")
    url = reverse("operations:housing_report", kwargs={"pk": hp.pk})
    page = client.get(url, {"periode": "2025-T2"})
    assert page.status_code == 200
    assert "2e trimestre 2025" in page.content.decode() and "print.css" in page.content.decode()
    assert client.get(url, {"periode": "2025-T5"}).status_code == 404


@pytest.mark.parametrize("persona", ["manager", "referent"])
def test_results_take_the_same_queries_at_1x_and_10x(territory, persona, request) -> None:
    user = request.getfixturevalue(persona)
    policy.scope_for(user)  # the user's scope is computed once per request, cached on the user
    counts = []
    for factor in (1, 10):
        hp = make_programme(territory)
        make_files(territory, hp, factor)
        with CaptureQueriesContext(connection) as ctx:
            programme_results(hp, user)
            report_data(hp, parse_period("2025"), user)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_results_page_takes_the_same_queries_at_1x_and_10x(territory, client_for) -> None:
    client = client_for("manager")
    counts = []
    for factor in (1, 10):
        hp = make_programme(territory)
        make_files(territory, hp, factor)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("operations:housing_results", kwargs={"pk": hp.pk})).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_masked_cell_cannot_be_worked_out_from_the_total_of_its_row(territory, referent, manager) -> None:
    """2025: 7 very modest files filed; 2026: 3 more. The total (10) is shown; 10 − 7 would give away the 3 of
    2026, so the 7 of 2025 is masked too for the referent (« masqué », not « < 5 »: it is 7); the manager sees
    all."""
    hp = make_programme(territory)
    make_files(territory, hp)
    for n in range(3):
        HousingFileFactory(
            housing_programme=hp,
            commune=territory.wassy,
            owner_type=OwnerType.OCCUPIER,
            income_category=IncomeCategory.VERY_MODEST,
            status=FileStatus.FILED,
            first_contact_on=D(2026, 1, 5),
            filed_on=D(2026, 2, n + 1),
        )
    row = _category(programme_results(hp, referent), TargetCategory.PO_VERY_MODEST)
    assert (_year(row, 2025).filed.label, _year(row, 2026).filed.label, row.total.filed.label) == (
        "masqué",
        "< 5",
        "10",
    )
    row = _category(programme_results(hp, manager), TargetCategory.PO_VERY_MODEST)
    assert (_year(row, 2025).filed.label, _year(row, 2026).filed.label, row.total.filed.label) == (
        "7",
        "3",
        "10",
    )
