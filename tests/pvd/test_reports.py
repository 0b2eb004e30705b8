"""Reports rendered through pvd.documents (pvd/reports.py, issue 9, H5): the fiche-action, the project summary and
the committee report — their PDF read back, their query budgets, and who may ask for them."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from budget.models import FundingCategory
from operations.models import OperationStatus, ProgressReport, Risk, RiskKind
from pvd import documents, reports
from pvd.models import DocumentStatus, RenderedDocument
from tests.budget.factories import FinancingLineFactory, FinancingPlanFactory
from tests.budget.subsidy_rows import awarded_request, prefecture
from tests.conftest import Territory
from tests.factories import UserFactory
from tests.operations.factories import OperationFactory, PhaseFactory
from tests.operations.housing_rows import housing_rows
from tests.programmes.factories import NeedFactory, StakeFactory
from tests.programmes.project_rows import freeze, write_version

NBSP = "\xa0"
D = datetime.date


def _render(obj, kind: str, by, django_capture_on_commit_callbacks) -> RenderedDocument:
    with django_capture_on_commit_callbacks(execute=True):
        doc = documents.request_document(obj, kind, by)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DONE, doc.error
    return doc


def _text(doc: RenderedDocument) -> str:
    with default_storage.open(doc.file.name, "rb") as handle:
        content = handle.read()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return text.replace("\n", " ")  # lines wrap where the page is narrow


def _euros(text: str) -> str:
    """« 1 234 567,89 € » as the euros filter writes it (no-break spaces)."""
    return text.replace(" ", NBSP)


def _operation(t: Territory, code: str = "W-03", commune=None, **fields: object):
    commune = commune or t.wassy
    return OperationFactory(
        programme=t.programme,
        code=code,
        title=fields.pop("title", "Requalification de la place de la République"),
        owner=commune,
        communes=[commune],
        **fields,
    )


def _full_operation(t: Territory, phases: int = 1):
    """An operation with phases (the first one starts on 14/04/2026), a journal entry, a difficulty and a plan
    of two lines: a DETR of 1 234 567,89 € and the owner's own funds."""
    operation = _operation(t, status=OperationStatus.COMMITTED, description="Refaire la place et ses abords.")
    for n in range(phases):
        PhaseFactory(
            operation=operation,
            name="Études de maîtrise d'œuvre" if n == 0 else f"Phase {n + 1}",
            baseline_start=D(2026, 4, 14),
            baseline_end=D(2026, 9, 30),
            progress=Decimal("0.5"),
        )
    ProgressReport.objects.create(
        operation=operation,
        reported_on=D(2026, 5, 4),
        author=UserFactory(),
        weather=ProgressReport.Weather.ON_TRACK,
        text="Le maître d'œuvre est retenu.",
    )
    Risk.objects.create(
        operation=operation, kind=RiskKind.DIFFICULTY, description="Réseaux anciens à dévoyer"
    )
    plan = FinancingPlanFactory(
        operation=operation, eligible_cost_ht=Decimal("2469135.78"), eligible_cost_ttc=Decimal("2962962.94")
    )
    FinancingLineFactory(
        plan=plan,
        category=FundingCategory.STATE_DOTATION,
        funder=prefecture(t),
        base_ht=Decimal("2469135.78"),
        amount_ht=Decimal("1234567.89"),
        label="DETR 2026",
    )
    FinancingLineFactory(plan=plan, funder=t.wassy, amount_ht=Decimal("1234567.89"), label="Autofinancement")
    return operation


def _queries(function, obj) -> int:
    with CaptureQueriesContext(connection) as captured:
        function(obj)
    return len(captured.captured_queries)


# --- The fiche-action ------------------------------------------------------------------------------------------


def test_the_fiche_action_shows_code_title_financing_amount_phase_date_and_own_share(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    operation = _full_operation(territory)
    text = _text(_render(operation, reports.OPERATION_SHEET, manager, django_capture_on_commit_callbacks))
    assert "W-03 — Requalification de la place de la République" in text
    assert "PVD Wassy et La Porte du Der" in text
    assert "Engagée" in text
    assert _euros("1 234 567,89 €") in text  # the DETR line, HT
    assert _euros("50,00 %") in text  # its rate on the eligible base
    assert _euros("2 469 135,78 €") in text  # the total of the plan
    assert "part du maître d'ouvrage" in text
    assert "14/04/2026" in text  # the phase's baseline start
    assert "Le maître d'œuvre est retenu." in text
    assert "Réseaux anciens à dévoyer" in text


def test_the_fiche_action_lists_the_subsidies_requested_granted_and_received(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    operation = _operation(territory)
    awarded_request(territory, manager, operation=operation, awarded=Decimal("80000.00"))
    text = _text(_render(operation, reports.OPERATION_SHEET, manager, django_capture_on_commit_callbacks))
    assert "DETR 2024 — Halle de Wassy" in text
    assert _euros("80 000,00 €") in text
    assert "Préfecture de la Haute-Marne" in text


def test_the_fiche_action_costs_the_same_queries_with_one_or_ten_phases_lines_and_operations(
    territory,
) -> None:
    operation = _full_operation(territory, phases=1)
    reports.operation_sheet_context(operation)  # warm the content-type cache
    once = _queries(reports.operation_sheet_context, operation)
    for n in range(9):
        PhaseFactory(operation=operation, name=f"Phase supplémentaire {n}")
        FinancingLineFactory(plan=operation.financing_plan, funder=territory.epci, amount_ht=Decimal("10.00"))
        _operation(territory, code=f"W-9{n}")
    assert _queries(reports.operation_sheet_context, operation) == once


# --- The project summary ---------------------------------------------------------------------------------------


def test_the_project_summary_shows_the_project_stakes_needs_and_the_action_plan_by_axis_and_status(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    project = freeze(
        write_version(territory.programme, axes=1, objectives=1, vision="Un centre-bourg habité.")
    )
    axis = project.axes.get()
    _operation(territory, "W-01", axis=axis, status=OperationStatus.DELIVERED)
    _operation(territory, "W-02", axis=axis, status=OperationStatus.WORKS)
    _operation(territory, "W-03", status=OperationStatus.IDEA)
    StakeFactory(programme=territory.programme, title="Vacance commerciale du centre")
    StakeFactory(programme=territory.programme, title="Enjeu confidentiel de Wassy", commune=territory.wassy)
    NeedFactory(programme=territory.programme, title="Étude de programmation urbaine")
    text = _text(
        _render(territory.programme, reports.PROJECT_SUMMARY, manager, django_capture_on_commit_callbacks)
    )
    assert "Un centre-bourg habité." in text
    assert "Axe écrit n° 1" in text and "Objectif 1.1" in text
    assert "Vacance commerciale du centre" in text
    assert "Étude de programmation urbaine" in text
    assert "Sans axe" in text
    assert "Livrées" in text and "En travaux" in text and "En préparation" in text


def test_a_communes_own_stakes_are_counted_not_listed_in_the_summary_mayors_share(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    StakeFactory(
        programme=territory.programme,
        title="Enjeu propre à La Porte du Der",
        commune=territory.la_porte_du_der,
    )
    text = _text(
        _render(territory.programme, reports.PROJECT_SUMMARY, manager, django_capture_on_commit_callbacks)
    )
    assert "Enjeu propre à La Porte du Der" not in text
    assert "La Porte du Der : 1" in text


def test_the_project_summary_costs_the_same_queries_with_one_or_ten_operations(territory) -> None:
    freeze(write_version(territory.programme, axes=1, objectives=1))
    _operation(territory, "W-00")
    reports.project_summary_context(territory.programme)
    once = _queries(reports.project_summary_context, territory.programme)
    for n in range(9):
        _operation(territory, f"W-1{n}", status=OperationStatus.WORKS)
    assert _queries(reports.project_summary_context, territory.programme) == once


# --- The committee report --------------------------------------------------------------------------------------


def test_the_committee_report_lists_every_operation_with_its_status_and_the_funders_totals(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    _full_operation(territory)
    _operation(territory, "L-01", commune=territory.la_porte_du_der, title="Maison de santé")
    other = _operation(territory, "W-07", title="Halle couverte", status=OperationStatus.WORKS)
    awarded_request(territory, manager, operation=other, awarded=Decimal("100000.00"))
    text = _text(
        _render(territory.programme, reports.COMMITTEE_REPORT, manager, django_capture_on_commit_callbacks)
    )
    for code, title, status in [
        ("W-03", "Requalification de la place de la République", "Engagée"),
        ("L-01", "Maison de santé", "Idée / en maturation"),
        ("W-07", "Halle couverte", "En cours (travaux)"),
    ]:
        assert code in text and title in text and status in text
    assert "Préfecture de la Haute-Marne" in text
    # Plans: DETR 1 234 567,89 + 100 000,00 (the halle's line) from the prefecture; awarded 100 000,00.
    assert _euros("1 334 567,89 €") in text
    assert _euros("100 000,00 €") in text


def test_the_committee_report_masks_small_housing_cells_as_the_housing_pages_do(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    housing_rows(territory)  # one approved file of a very modest occupier in the programme's OPAH-RU
    text = _text(
        _render(territory.programme, reports.COMMITTEE_REPORT, manager, django_capture_on_commit_callbacks)
    )
    assert "OPAH-RU des centres de Wassy et La Porte du Der" in text
    assert "< 5" in text
    assert "masqué" in text
    assert _euros("20 000,00 €") not in text  # the single grant's amount is hidden


def test_the_committee_report_lists_the_subsidy_deadlines_of_the_next_six_months(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    today = datetime.date.today()
    operation = _operation(territory)
    # Notified nearly two years ago: the start-of-works deadline (24 months for the DETR) falls within six months.
    awarded_request(
        territory,
        manager,
        operation=operation,
        title="DETR — place de la République",
        filed_on=today - datetime.timedelta(days=700),
        notified_on=today - datetime.timedelta(days=650),
    )
    context = reports.committee_report_context(territory.programme)
    assert [d.request_title for d in context["deadlines"]], "an open deadline in the next six months"
    assert all(d.due_on <= context["deadline_limit"] for d in context["deadlines"])
    text = _text(
        _render(territory.programme, reports.COMMITTEE_REPORT, manager, django_capture_on_commit_callbacks)
    )
    assert "DETR — place de la République" in text


def test_the_committee_report_costs_the_same_queries_with_one_or_ten_operations(territory, manager) -> None:
    housing_rows(territory)
    first = _full_operation(territory)
    awarded_request(territory, manager, operation=first)
    reports.committee_report_context(territory.programme)
    once = _queries(reports.committee_report_context, territory.programme)
    for n in range(9):
        operation = _operation(territory, f"W-2{n}", status=OperationStatus.WORKS)
        PhaseFactory(operation=operation)
        FinancingLineFactory(plan=FinancingPlanFactory(operation=operation), funder=territory.epci)
        awarded_request(territory, manager, operation=operation, title=f"DETR n° {n}")
    assert _queries(reports.committee_report_context, territory.programme) == once


# --- Who may ask for them ----------------------------------------------------------------------------------------


def _post(client, name: str, pk: int, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse(name, args=[pk]))


def test_the_mayor_of_wassy_gets_the_fiche_of_a_wassy_operation_not_of_la_porte_du_der(
    territory, client_for, django_capture_on_commit_callbacks
) -> None:
    wassy = _operation(territory, "W-01")
    lpdd = _operation(territory, "L-01", commune=territory.la_porte_du_der)
    client = client_for("mayor_of_wassy")
    response = _post(client, "report_operation", wassy.pk, django_capture_on_commit_callbacks)
    doc = RenderedDocument.objects.get(kind=reports.OPERATION_SHEET)
    assert response.status_code == 302 and response["Location"] == reverse("document", args=[doc.pk])
    assert (doc.status, doc.title) == (DocumentStatus.DONE, f"Fiche-action W-01 — {wassy.title}")
    assert client.get(reverse("document_download", args=[doc.pk])).status_code == 200
    assert _post(client, "report_operation", lpdd.pk, django_capture_on_commit_callbacks).status_code == 404
    # Nor can the mayor of La Porte du Der read the Wassy fiche someone else asked for.
    other = client_for("mayor_of_la_porte_du_der")
    assert other.get(reverse("document", args=[doc.pk])).status_code == 404


def test_a_mayor_gets_the_project_summary_of_their_programme_but_not_the_committee_report(
    territory, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for("mayor_of_wassy")
    response = _post(client, "report_project", territory.programme.pk, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    doc = RenderedDocument.objects.get(kind=reports.PROJECT_SUMMARY)
    assert client.get(reverse("document", args=[doc.pk])).status_code == 200
    assert (
        _post(
            client, "report_committee", territory.programme.pk, django_capture_on_commit_callbacks
        ).status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["manager", "referent", "partner", "staff"])
def test_the_programmes_readers_get_the_committee_report(
    territory, client_for, persona, django_capture_on_commit_callbacks
) -> None:
    client = client_for(persona)
    response = _post(client, "report_committee", territory.programme.pk, django_capture_on_commit_callbacks)
    doc = RenderedDocument.objects.get(kind=reports.COMMITTEE_REPORT)
    assert response.status_code == 302 and doc.status == DocumentStatus.DONE


@pytest.mark.parametrize("name", ["report_project", "report_committee"])
def test_an_outsider_or_an_operator_gets_404_on_the_programme_reports(
    territory, client_for, name, django_capture_on_commit_callbacks
) -> None:
    for persona in ("outsider", "operator"):
        response = _post(
            client_for(persona), name, territory.programme.pk, django_capture_on_commit_callbacks
        )
        assert response.status_code == 404
    assert not RenderedDocument.objects.exists()


def test_the_programme_and_operation_pages_offer_the_reports_as_post_buttons(territory, client_for) -> None:
    operation = _operation(territory)
    client = client_for("manager")
    programme_page = client.get(reverse("programme", args=[territory.programme.pk])).content.decode()
    assert f'action="{reverse("report_project", args=[territory.programme.pk])}"' in programme_page
    assert f'action="{reverse("report_committee", args=[territory.programme.pk])}"' in programme_page
    assert "Rapport au comité de projet (PDF)" in programme_page
    detail = (
        client_for("mayor_of_wassy").get(reverse("operations:detail", args=[operation.pk])).content.decode()
    )
    assert f'action="{reverse("report_operation", args=[operation.pk])}"' in detail
    assert "Fiche-action PDF" in detail
