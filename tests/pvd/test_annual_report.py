"""The annual report of a programme (pvd/dashboards/annual.py, issue 10, H5): the figures of a year against
hand-computed fixtures (boundaries of 31/12 and 01/01 included), their query budget at 1× and 10×, the PDF read back,
the XLSX read back, the create and edit forms, and who may do what."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from budget.models import ExpenseStatus, SubsidyStatus
from operations.conventions.models import ConventionKind, ConventionStatus
from operations.housing.models import FileStatus
from operations.models import OperationStatus as S
from programmes.indicators.models import (
    AnnualReport,
    Indicator,
    IndicatorDirection,
    IndicatorTarget,
    Measurement,
)
from programmes.models import ProjectStatus, RevitalisationProject
from pvd import documents
from pvd.accounts import policy
from pvd.dashboards import annual, services
from pvd.models import DocumentStatus, RenderedDocument
from pvd.xlsx import NUMBER_FORMAT
from tests.budget.factories import (
    BudgetLineFactory,
    ExpenseFactory,
    SubsidyPaymentFactory,
    SubsidyRequestFactory,
)
from tests.conftest import Territory
from tests.factories import HousingProgrammeFactory, OrganisationFactory
from tests.operations.convention_factories import ConventionFactory, DeliberationFactory
from tests.operations.factories import OperationFactory
from tests.operations.housing_factories import HousingFileFactory

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
NBSP = "\xa0"
Y = 2025


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def _date_new_records(operation, since: datetime.datetime, when: datetime.datetime) -> None:
    """Date the history records written since `since` (the ones just saved) at `when`."""
    operation.history.filter(history_date__gte=since).update(history_date=when)


def operation_with_history(t: Territory, code: str, steps: list[tuple[datetime.datetime, str]], **fields):
    """An operation whose history says it was created at steps[0] in that status, then moved through the others."""
    since = timezone.now()
    first_on, first_status = steps[0]
    programme = fields.pop("programme", t.programme)
    commune = fields.pop("commune", t.wassy)
    operation = OperationFactory(
        programme=programme, code=code, status=first_status, owner=commune, communes=[commune], **fields
    )
    _date_new_records(operation, since, first_on)
    for when, status in steps[1:]:
        since = timezone.now()
        operation.status = status
        operation.save()
        _date_new_records(operation, since, when)
    return operation


def paid_expense(line, *, paid_on: D, ttc: str, operation=None, **fields):
    amount_ttc = Decimal(ttc)
    return ExpenseFactory(
        budget_line=line,
        operation=operation,
        amount_ht=(amount_ttc / Decimal("1.2")).quantize(Decimal("0.01")),
        amount_ttc=amount_ttc,
        status=fields.pop("status", ExpenseStatus.PAID),
        committed_on=D(paid_on.year - 1, 12, 1),
        liquidated_on=D(paid_on.year - 1, 12, 15),
        ordered_on=D(paid_on.year - 1, 12, 20),
        paid_on=paid_on,
        **fields,
    )


@pytest.fixture
def year_data(territory: Territory, manager):
    """The hand-computed year 2025 of the programme (and noise just outside it, or in another programme)."""
    t = territory
    ops = {
        # Works since 2024, delivered on 31/12/2025 at 23:30 Paris time (22:30 UTC): done in 2025.
        "A-01": operation_with_history(
            t,
            "A-01",
            [
                (at(2024, 3, 1), S.COMMITTED),
                (at(2024, 9, 1), S.WORKS),
                (at(2025, 12, 31, 23, 30), S.DELIVERED),
            ],
            title="Requalification de la place de la République",
            estimated_cost_ht=Decimal("100000.00"),
        ),
        # Delivered on 01/01/2026 at 00:30 Paris time (still 2025 in UTC): works at the end of 2025.
        "A-02": operation_with_history(
            t,
            "A-02",
            [(at(2024, 3, 1), S.COMMITTED), (at(2025, 2, 1), S.WORKS), (at(2026, 1, 1, 0, 30), S.DELIVERED)],
            estimated_cost_ht=Decimal("50000.00"),
        ),
        # Created in 2026: not in the plan of 2025.
        "A-03": operation_with_history(
            t, "A-03", [(at(2026, 2, 1), S.IDEA)], estimated_cost_ht=Decimal("7.00")
        ),
        # An idea of 2025 that became ready: in preparation, no cost.
        "A-04": operation_with_history(
            t, "A-04", [(at(2025, 5, 1), S.IDEA), (at(2025, 8, 1), S.MATURE)], estimated_cost_ht=None
        ),
        # Delivered in 2024, closed in 2025: delivered at the end of 2025, but not done in 2025.
        "A-05": operation_with_history(
            t,
            "A-05",
            [(at(2024, 1, 10), S.WORKS), (at(2024, 11, 1), S.DELIVERED), (at(2025, 3, 1), S.CLOSED)],
            estimated_cost_ht=Decimal("30000.00"),
        ),
        # Abandoned in 2025.
        "A-06": operation_with_history(
            t,
            "A-06",
            [(at(2024, 6, 1), S.COMMITTED), (at(2025, 4, 1), S.ABANDONED)],
            estimated_cost_ht=Decimal("20000.00"),
        ),
    }
    # Another programme's operation delivered in 2025: not ours.
    operation_with_history(
        t,
        "J-01",
        [(at(2024, 1, 1), S.WORKS), (at(2025, 6, 1), S.DELIVERED)],
        programme=t.other_programme,
        commune=t.other_commune,
    )
    line = BudgetLineFactory(programme=t.programme, organisation=t.wassy, year=2025)
    paid_expense(line, paid_on=D(2025, 12, 31), ttc="1234.56", operation=ops["A-01"])
    paid_expense(line, paid_on=D(2025, 6, 1), ttc="1000.00")
    paid_expense(line, paid_on=D(2026, 1, 1), ttc="999.00", operation=ops["A-01"])  # next year
    paid_expense(line, paid_on=D(2025, 6, 2), ttc="555.00", status=ExpenseStatus.CANCELLED)
    prefecture = OrganisationFactory(name="Préfecture de la Haute-Marne", kind="state_service")
    region = OrganisationFactory(name="Région Grand Est", kind="region")
    detr = SubsidyRequestFactory(
        programme=t.programme,
        beneficiary=t.wassy,
        funder=prefecture,
        title="DETR 2025 — Place de la République",
        status=SubsidyStatus.NOTIFIED,
        decided_on=D(2025, 12, 31),
        awarded_amount=Decimal("80000.00"),
        requested_amount=Decimal("90000.00"),
    )
    SubsidyRequestFactory(
        programme=t.programme,
        beneficiary=t.wassy,
        funder=region,
        status=SubsidyStatus.AWARDED,
        decided_on=D(2026, 1, 1),
        awarded_amount=Decimal("5000.00"),
    )
    SubsidyPaymentFactory(
        request=detr, amount=Decimal("20000.00"), requested_on=D(2025, 12, 1), received_on=D(2025, 12, 31)
    )
    SubsidyPaymentFactory(
        request=detr, amount=Decimal("6000.00"), requested_on=D(2025, 12, 1), received_on=D(2026, 1, 1)
    )
    SubsidyPaymentFactory(
        request=detr, amount=Decimal("7000.00"), requested_on=D(2025, 12, 1)
    )  # not received
    DeliberationFactory(
        programme=t.programme,
        organisation=t.wassy,
        number="2025-031",
        adopted_on=D(2025, 4, 14),
        published_on=D(2025, 4, 16),
        transmitted_on=D(2025, 4, 17),
        subject="Approbation de la convention-cadre valant ORT",
    )
    DeliberationFactory(
        programme=t.programme, organisation=t.wassy, number="2024-099", adopted_on=D(2024, 12, 31)
    )
    DeliberationFactory(
        programme=t.programme, organisation=t.wassy, number="2026-001", adopted_on=D(2026, 1, 1)
    )
    ConventionFactory(
        programme=t.programme,
        kind=ConventionKind.FRAMEWORK,
        title="Convention-cadre PVD valant ORT de Wassy et La Porte du Der",
        status=ConventionStatus.SIGNED,
        signed_on=D(2025, 7, 1),
    )
    ConventionFactory(
        programme=t.programme,
        kind=ConventionKind.PARTNER,
        title="Convention avec l'EPF",
        status=ConventionStatus.SIGNED,
        signed_on=D(2024, 7, 1),
    )
    RevitalisationProject.objects.create(
        programme=t.programme,
        number=1,
        status=ProjectStatus.VALIDATED,
        validated_on=D(2025, 9, 15),
        snapshot={},
        title="Projet de revitalisation",
    )
    vacancy = Indicator.objects.create(
        programme=t.programme,
        name="Taux de vacance commerciale",
        unit="%",
        direction=IndicatorDirection.DOWN,
        baseline_on=D(2022, 1, 1),
        baseline_value=Decimal("20.00"),
    )
    IndicatorTarget.objects.create(indicator=vacancy, year=2025, value=Decimal("15.00"))
    IndicatorTarget.objects.create(indicator=vacancy, year=2026, value=Decimal("12.00"))
    for on, value in [
        (D(2024, 6, 30), "19"),
        (D(2025, 3, 31), "18"),
        (D(2025, 12, 31), "17"),
        (D(2026, 1, 1), "10"),
    ]:
        Measurement.objects.create(indicator=vacancy, measured_on=on, value=Decimal(value))
    shops = Indicator.objects.create(programme=t.programme, name="Commerces ouverts", unit="commerces")
    IndicatorTarget.objects.create(indicator=shops, year=2025, value=Decimal("4.00"))
    Measurement.objects.create(indicator=shops, measured_on=D(2024, 12, 31), value=Decimal(2))
    Indicator.objects.create(programme=t.programme, name="Ancien indicateur", unit="u", archived=True)
    opah = HousingProgrammeFactory(
        name="OPAH-RU de Wassy", programme=t.programme, owner=t.wassy, communes=[t.wassy]
    )
    for n in range(6):
        approved = n < 2
        HousingFileFactory(
            housing_programme=opah,
            commune=t.wassy,
            filed_on=D(2025, 3, 1),
            decided_on=D(2025, 6, 1) if approved else None,
            status=FileStatus.APPROVED if approved else FileStatus.FILED,
        )
    HousingFileFactory(
        housing_programme=opah, commune=t.wassy, filed_on=D(2026, 1, 1), status=FileStatus.FILED
    )
    report = AnnualReport.objects.create(
        programme=t.programme,
        year=Y,
        created_by=manager,
        assessment="Une année de travaux.\nEt de décisions.",
    )
    return report


# --- Figures of a year -----------------------------------------------------------------------------------------


def test_the_plan_at_the_end_of_the_year_comes_from_the_history_of_the_operations(year_data) -> None:
    plan = annual.annual_figures(year_data).plan
    by_key = {group.key: (group.count, group.cost_ht) for group in plan.groups}
    assert by_key == {
        "delivered": (2, Decimal("130000.00")),  # A-01 (31/12 23:30) and A-05 (closed)
        "works": (1, Decimal("50000.00")),  # A-02, delivered only on 01/01/2026
        "committed": (0, Decimal(0)),
        "preparation": (1, Decimal(0)),  # A-04, no cost
        "suspended": (0, Decimal(0)),
        "abandoned": (1, Decimal("20000.00")),
    }
    assert plan.count == 5  # A-03, created in 2026, is not counted
    assert plan.cost_ht == Decimal("200000.00")
    assert [o.code for o in plan.operations] == ["A-01", "A-02", "A-04", "A-05", "A-06"]


def test_done_counts_only_the_operations_first_delivered_during_the_year(year_data) -> None:
    delivered = annual.annual_figures(year_data).delivered
    assert [(o.code, o.communes, o.delivered_on) for o in delivered] == [("A-01", "Wassy", D(2025, 12, 31))]


def test_spent_is_the_expenses_paid_in_the_year_by_operation(year_data) -> None:
    figures = annual.annual_figures(year_data)
    assert [(line.label, line.count, line.amount) for line in figures.expenses_by_operation] == [
        ("A-01 — Requalification de la place de la République", 1, Decimal("1234.56")),
        ("Hors opération", 1, Decimal("1000.00")),
    ]
    assert figures.expenses_total == Decimal("2234.56")  # 01/01/2026 and the cancelled one left out


def test_obtained_is_awarded_by_decision_date_and_received_by_payment_date(year_data) -> None:
    figures = annual.annual_figures(year_data)
    assert [(line.label, line.amount) for line in figures.awarded_by_funder] == [
        ("Préfecture de la Haute-Marne", Decimal("80000.00"))
    ]
    assert [(line.label, line.count, line.amount) for line in figures.received_by_funder] == [
        ("Préfecture de la Haute-Marne", 1, Decimal("20000.00"))
    ]


def test_indicators_show_the_target_of_the_year_and_the_last_measurement_in_it(year_data) -> None:
    lines = {line.indicator.name: line for line in annual.annual_figures(year_data).indicators}
    assert set(lines) == {"Taux de vacance commerciale", "Commerces ouverts"}  # archived one left out
    vacancy = lines["Taux de vacance commerciale"]
    assert vacancy.summary.target == Decimal("15.00")
    assert (vacancy.measurement.on, vacancy.measurement.value) == (D(2025, 12, 31), Decimal(17))
    assert vacancy.attainment == Decimal("0.6")  # (17 − 20) / (15 − 20)
    shops = lines["Commerces ouverts"]
    assert shops.measurement is None and shops.attainment is None  # measured in 2024 only


def test_decisions_are_those_of_the_year_only(year_data) -> None:
    figures = annual.annual_figures(year_data)
    assert [d.number for d in figures.deliberations] == ["2025-031"]
    assert [c.title for c in figures.conventions] == [
        "Convention-cadre PVD valant ORT de Wassy et La Porte du Der"
    ]
    assert [p.validated_on for p in figures.validations] == [D(2025, 9, 15)]


def test_housing_counts_the_files_of_the_year_with_small_cells_masked(year_data) -> None:
    (housing,) = annual.annual_figures(year_data).housing
    everything = housing.rows[0]
    assert everything.label == "Tous les dossiers"
    assert everything.filed.label == "6"  # the file of 01/01/2026 left out
    assert everything.approved.label == "< 5"  # two households: masked
    assert everything.paid.label == "0"
    assert housing.masked


def _count(report) -> int:
    with CaptureQueriesContext(connection) as captured:
        annual.annual_figures(report)
    return len(captured.captured_queries)


def grow(t: Territory, n: int, factor: int) -> None:
    """`factor` more of everything the figures read, all inside the year."""
    line = BudgetLineFactory(programme=t.programme, organisation=t.wassy, year=2025)
    opah = HousingProgrammeFactory(programme=t.programme, owner=t.wassy, communes=[t.wassy])
    funder = OrganisationFactory(kind="state_service")
    for i in range(factor):
        code = f"G{n}-{i}"
        operation = operation_with_history(
            t,
            code,
            [(at(2024, 2, 1), S.WORKS), (at(2025, 5, 1), S.DELIVERED)],
            estimated_cost_ht=Decimal("10.00"),
        )
        paid_expense(line, paid_on=D(2025, 5, 2), ttc="12.00", operation=operation)
        request = SubsidyRequestFactory(
            programme=t.programme,
            beneficiary=t.wassy,
            funder=funder,
            status=SubsidyStatus.AWARDED,
            decided_on=D(2025, 5, 3),
            awarded_amount=Decimal("5.00"),
        )
        SubsidyPaymentFactory(
            request=request, amount=Decimal("1.00"), requested_on=D(2025, 5, 4), received_on=D(2025, 5, 5)
        )
        DeliberationFactory(
            programme=t.programme, organisation=t.wassy, number=f"D{code}", adopted_on=D(2025, 5, 6)
        )
        ConventionFactory(
            programme=t.programme,
            kind=ConventionKind.PARTNER,
            status=ConventionStatus.SIGNED,
            signed_on=D(2025, 5, 7),
        )
        indicator = Indicator.objects.create(programme=t.programme, name=f"Indicateur {code}", unit="u")
        IndicatorTarget.objects.create(indicator=indicator, year=2025, value=Decimal(2))
        Measurement.objects.create(indicator=indicator, measured_on=D(2025, 5, 8), value=Decimal(1))
        HousingFileFactory(
            housing_programme=opah, commune=t.wassy, filed_on=D(2025, 5, 9), status=FileStatus.FILED
        )


def test_the_figures_cost_the_same_queries_at_one_and_ten_times_the_data(territory, manager) -> None:
    report = AnnualReport.objects.create(programme=territory.programme, year=Y, created_by=manager)
    grow(territory, 1, 1)
    once = _count(report)
    grow(territory, 2, 10)
    assert _count(report) == once == 16  # issue 8: + the decisions and the arbitrations of the year
    assert len(annual.annual_figures(report).delivered) == 11


# --- The PDF and the XLSX ----------------------------------------------------------------------------------------


def test_the_pdf_shows_title_amounts_dates_and_operation_codes(
    year_data, manager, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        doc = documents.request_document(year_data, annual.ANNUAL_REPORT, manager)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DONE, doc.error
    assert doc.title == "Rapport annuel 2025 — PVD Wassy et La Porte du Der"
    with default_storage.open(doc.file.name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")
    assert "Rapport annuel 2025" in text and "PVD Wassy et La Porte du Der" in text
    assert f"1{NBSP}234,56{NBSP}€" in text  # the expense paid on 31/12/2025
    assert f"80{NBSP}000,00{NBSP}€" in text  # the DETR awarded
    assert "14/04/2025" in text  # the deliberation adopted
    assert "A-01" in text and "Requalification de la place de la République" in text
    assert "Une année de travaux." in text
    assert "pas de mesure en 2025" in text
    assert "< 5" in text


def test_the_pdf_is_readable_by_the_programme_readers_only(
    year_data, manager, referent, partner, mayor_of_wassy
) -> None:
    renderer = documents.renderer_for("annual_report")
    assert renderer is annual.ANNUAL_REPORT_PDF
    assert renderer.can_read(manager, year_data)
    assert renderer.can_read(referent, year_data)
    assert renderer.can_read(partner, year_data)
    assert not renderer.can_read(mayor_of_wassy, year_data)
    assert renderer.url(year_data) == reverse("annual_report", args=[year_data.pk])


def test_the_xlsx_holds_every_figure_typed(year_data, client_for) -> None:
    response = client_for("referent").get(reverse("annual_report_xlsx", args=[year_data.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="rapport-annuel-2025-pvd-wassy-et-la-porte-du-der.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    assert "Plan d'actions" in book.sheetnames and "Habitat" in book.sheetnames
    expenses = [
        row
        for row in book["Dépenses payées"].iter_rows(values_only=True)
        if isinstance(row[0], datetime.datetime)
    ]
    assert [(row[0].date(), row[1], row[5]) for row in expenses] == [
        (D(2025, 6, 1), "Hors opération", 1000),
        (D(2025, 12, 31), "A-01", 1234.56),
    ]
    funders = [
        row
        for row in book["Financeurs"].iter_rows(values_only=True)
        if row and row[0] == "Préfecture de la Haute-Marne"
    ]
    assert funders == [("Préfecture de la Haute-Marne", 80000, 20000)]
    plan = {row[0]: row[1:] for row in book["Plan d'actions"].iter_rows(values_only=True) if row and row[0]}
    assert plan["Livrées ou soldées"] == (2, 130000)
    indicators = {row[0]: row for row in book["Indicateurs"].iter_rows(values_only=True) if row and row[0]}
    vacancy = indicators["Taux de vacance commerciale"]
    assert vacancy[5] == 15 and vacancy[7] == 17 and vacancy[8] == pytest.approx(0.6)
    value_cell = next(c for c in book["Indicateurs"]["H"] if c.value == 17)
    assert value_cell.number_format == NUMBER_FORMAT  # a value, not an amount in euros
    housing = [
        row for row in book["Habitat"].iter_rows(values_only=True) if row and row[1] == "Tous les dossiers"
    ]
    assert housing[0][3:] == (6, "< 5", 0)


# --- Pages, forms and access -------------------------------------------------------------------------------------


def test_a_manager_creates_the_report_of_last_year_by_default(territory, client_for) -> None:
    client = client_for("manager")
    url = reverse("annual_reports", args=[territory.programme.pk])
    last_year = policy.today().year - 1
    assert f'value="{last_year}"' in client.get(url).content.decode()
    response = client.post(url, {"year": "2025"})
    report = AnnualReport.objects.get(programme=territory.programme, year=2025)
    assert response.status_code == 302 and response["Location"] == reverse("annual_report", args=[report.pk])
    assert report.history.count() == 1


def test_a_second_report_for_the_same_year_is_refused_in_french(territory, client_for, manager) -> None:
    services.annual_report_create(programme=territory.programme, year=2025, by=manager)
    response = client_for("manager").post(
        reverse("annual_reports", args=[territory.programme.pk]), {"year": "2025"}
    )
    assert response.status_code == 200
    assert "Ce programme a déjà un rapport annuel pour cette année." in response.content.decode()
    assert AnnualReport.objects.filter(programme=territory.programme).count() == 1


def test_the_manager_writes_the_assessment_and_a_stale_edit_is_refused(
    territory, client_for, manager, staff
) -> None:
    report = services.annual_report_create(programme=territory.programme, year=2025, by=manager)
    client = client_for("manager")
    url = reverse("annual_report", args=[report.pk])
    response = client.post(url, {"assessment": "Bilan positif.", "version": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.assessment, report.version) == ("Bilan positif.", 2)
    services.annual_report_update(report=report, expected_version=2, by=staff, assessment="Bilan revu.")
    response = client.post(url, {"assessment": "Écrasement", "version": "2"}, follow=True)
    assert "a été modifié" in response.content.decode()
    report.refresh_from_db()
    assert report.assessment == "Bilan revu."


def test_the_report_page_shows_the_assessment_buttons_and_history(year_data, client_for) -> None:
    page = client_for("partner").get(reverse("annual_report", args=[year_data.pk])).content.decode()
    assert "Rapport annuel (PDF)" in page and "Tous les chiffres (XLSX)" in page
    assert "Une année de travaux.<br>Et de décisions." in page
    assert "Historique" in page
    assert f'Préfecture de la Haute-Marne</th><td class="text-end">80{NBSP}000,00{NBSP}€' in page
    assert "<textarea" not in page  # the partner reads, does not write


@pytest.mark.parametrize("persona", ["referent", "partner"])
def test_readers_who_do_not_manage_cannot_create_nor_edit(territory, client_for, manager, persona) -> None:
    report = services.annual_report_create(programme=territory.programme, year=2025, by=manager)
    client = client_for(persona)
    assert (
        client.post(reverse("annual_reports", args=[territory.programme.pk]), {"year": "2024"}).status_code
        == 403
    )
    response = client.post(reverse("annual_report", args=[report.pk]), {"assessment": "x", "version": "1"})
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["manager", "referent", "partner", "staff"])
def test_the_programme_readers_ask_for_the_pdf(
    territory, client_for, manager, persona, django_capture_on_commit_callbacks
) -> None:
    report = services.annual_report_create(programme=territory.programme, year=2025, by=manager)
    response = client_for(persona).post(reverse("annual_report_pdf", args=[report.pk]))
    doc = RenderedDocument.objects.get(kind="annual_report")
    assert response.status_code == 302 and response["Location"] == reverse("document", args=[doc.pk])


@pytest.mark.parametrize("persona", ["mayor_of_wassy", "mayor_of_la_porte_du_der", "operator", "outsider"])
def test_everyone_else_finds_nothing(territory, client_for, manager, persona) -> None:
    report = services.annual_report_create(programme=territory.programme, year=2025, by=manager)
    client = client_for(persona)
    assert client.get(reverse("annual_reports", args=[territory.programme.pk])).status_code == 404
    assert (
        client.post(reverse("annual_reports", args=[territory.programme.pk]), {"year": "2024"}).status_code
        == 404
    )
    assert client.get(reverse("annual_report", args=[report.pk])).status_code == 404
    assert client.post(reverse("annual_report_pdf", args=[report.pk])).status_code == 404
    assert client.get(reverse("annual_report_xlsx", args=[report.pk])).status_code == 404
    assert not RenderedDocument.objects.exists()


def test_the_list_costs_the_same_queries_with_one_or_ten_reports(territory, client_for, manager) -> None:
    client = client_for("manager")
    url = reverse("annual_reports", args=[territory.programme.pk])
    services.annual_report_create(programme=territory.programme, year=2010, by=manager)
    client.get(url)
    with CaptureQueriesContext(connection) as once:
        assert client.get(url).status_code == 200
    for year in range(2011, 2020):
        services.annual_report_create(programme=territory.programme, year=year, by=manager)
    with CaptureQueriesContext(connection) as ten:
        page = client.get(url).content.decode()
    assert len(ten.captured_queries) == len(once.captured_queries)
    assert page.count("Rapport annuel 20") == 10


def test_the_demo_report_is_the_current_years_and_is_loaded_once(territory, manager) -> None:
    """The current year: the demo's operations start their history when the demo loads, so the report of a past
    year would show an empty action plan."""
    from pvd.dashboards import demo

    year = timezone.localdate().year
    first = demo.load(territory.programme, {"cheffe-de-projet": manager})
    second = demo.load(territory.programme, {"cheffe-de-projet": manager})
    assert first.pk == second.pk and first.year == year
    assert f"Perspectives {year + 1}" in first.assessment
    assert first.history.count() == 1


def test_the_report_page_costs_the_same_queries_at_one_and_ten_times_the_data(
    territory, client_for, manager
) -> None:
    report = services.annual_report_create(programme=territory.programme, year=Y, by=manager)
    client = client_for("manager")
    url = reverse("annual_report", args=[report.pk])
    grow(territory, 1, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as once:
        assert client.get(url).status_code == 200
    grow(territory, 2, 10)
    with CaptureQueriesContext(connection) as ten:
        page = client.get(url).content.decode()
    assert len(ten.captured_queries) == len(once.captured_queries)
    assert "Indicateur G2-9" in page
