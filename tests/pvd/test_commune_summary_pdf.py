"""The commune's one-page PDF (issue 10, H4): its text read back with pypdf, exactly one A4 page for a realistic
commune (15 operations), and who may ask for it (POST; GET answers 405 in the access matrix)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from operations.models import OperationStatus as S
from pvd import documents
from pvd.dashboards import commune as summaries
from pvd.models import DocumentStatus, RenderedDocument
from tests.budget.subsidy_rows import awarded_request
from tests.conftest import Territory
from tests.operations.factories import OperationFactory, PhaseFactory
from tests.programmes.indicator_factories import IndicatorFactory, MeasurementFactory, TargetFactory

NBSP = "\xa0"
STATUSES = [S.DELIVERED, S.CLOSED, S.WORKS, S.WORKS, S.COMMITTED, S.IDEA, S.MATURE, S.SUSPENDED, S.ABANDONED]


def _fifteen_operations(t: Territory, by) -> None:
    for n in range(15):
        operation = OperationFactory(
            programme=t.programme,
            code=f"W-{n + 1:02d}",
            title=f"Requalification de l'îlot n° {n + 1} du centre-bourg et de ses abords",
            owner=t.wassy,
            communes=[t.wassy],
            status=STATUSES[n % len(STATUSES)],
        )
        PhaseFactory(operation=operation, progress=Decimal("0.4"))
        if n < 3:
            awarded_request(
                t, by, operation=operation, title=f"DETR 2024 — îlot {n + 1}", awarded=Decimal("1234.56")
            )


def _pdf(doc: RenderedDocument) -> PdfReader:
    with default_storage.open(doc.file.name, "rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def test_the_summary_fits_one_page_and_names_the_commune_the_groups_and_the_amounts(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    _fifteen_operations(territory, manager)
    with django_capture_on_commit_callbacks(execute=True):
        doc = documents.request_document(territory.wassy, summaries.COMMUNE_SUMMARY, manager)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DONE, doc.error
    reader = _pdf(doc)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text().replace("\n", " ")
    assert "Wassy" in text
    assert "livrées" in text
    # 3 DETR of 1 234,56 € awarded: 3 703,68 € obtained
    assert f"3{NBSP}703,68{NBSP}€" in text or "3 703,68 €" in text
    assert doc.title == "Synthèse de la commune — Wassy"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("mayor_of_wassy", 302),
        ("manager", 302),
        ("referent", 302),
        ("partner", 302),
        ("staff", 302),
        ("mayor_of_la_porte_du_der", 404),
        ("operator", 404),
        ("outsider", 404),
    ],
)
def test_who_may_ask_for_the_wassy_summary(
    territory, client_for, persona, status, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(persona).post("/communes/52550/synthese.pdf")
    assert response.status_code == status
    if status == 302:
        doc = RenderedDocument.objects.get()
        assert response["Location"] == f"/documents/{doc.pk}/"
        assert doc.kind == "commune_summary"
    else:
        assert not RenderedDocument.objects.exists()


def test_the_summary_stays_on_one_page_for_a_large_commune_and_says_what_it_leaves_out(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    """40 operations with long titles, 9 indicators with measurements and targets, 5 deadlines: still one page;
    the counts cover every operation and the page says how many operations and indicators are not listed."""
    t = territory
    for n in range(40):
        operation = OperationFactory(
            programme=t.programme,
            code=f"W-{n + 1:02d}",
            title=f"Requalification de l'îlot n° {n + 1} du centre-bourg, de ses abords et des rues adjacentes",
            owner=t.wassy,
            communes=[t.wassy],
            status=STATUSES[n % len(STATUSES)],
        )
        if n < 5:
            awarded_request(t, manager, operation=operation, title=f"DETR 2024 — îlot {n + 1}")
    for n in range(9):
        indicator = IndicatorFactory(
            programme=t.programme, commune=t.wassy, name=f"Indicateur de suivi du centre-bourg n° {n + 1}"
        )
        MeasurementFactory(indicator=indicator, measured_on=datetime.date(2025, 6, 1), value=Decimal("12.5"))
        MeasurementFactory(indicator=indicator, measured_on=datetime.date(2026, 6, 1), value=Decimal("11.5"))
        TargetFactory(indicator=indicator, year=2026, value=Decimal(10))
    with django_capture_on_commit_callbacks(execute=True):
        doc = documents.request_document(t.wassy, summaries.COMMUNE_SUMMARY, manager)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DONE, doc.error
    reader = _pdf(doc)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text().replace("\n", " ")
    assert "40 opérations" in text
    assert f"Et {40 - summaries.PDF_OPERATIONS} autres opérations" in text
    assert f"Et {9 - summaries.PDF_INDICATORS} autres indicateurs" in text


def test_the_anonymous_is_sent_to_the_login_page(territory, client) -> None:
    response = client.post("/communes/52550/synthese.pdf")
    assert response.status_code == 302 and response["Location"].startswith("/comptes/")
