"""Documents rendered by WeasyPrint in Celery (pvd/documents.py): the PDF read back, its hash, a failed render,
the status page and the download, and who may open them."""

import hashlib
import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from pvd import documents
from pvd.models import DocumentStatus, RenderedDocument
from tests.conftest import Territory
from tests.operations.participation_factories import PracticeSheetFactory
from tests.operations.participation_rows import participation_rows

NBSP = "\xa0"


def _sheet(t: Territory, **fields: object):
    sheet = participation_rows(t).published_sheet
    for name, value in {
        "title": "Une balade urbaine qui change un projet",
        "cost_ht": Decimal("4500.00"),
        "actions": "Deux balades urbaines et un questionnaire.",
        "lessons": "Marcher avec les habitants avant de dessiner la place.",
        **fields,
    }.items():
        setattr(sheet, name, value)
    sheet.save()
    return sheet


def _render(obj, by, django_capture_on_commit_callbacks) -> RenderedDocument:
    with django_capture_on_commit_callbacks(execute=True):
        doc = documents.request_document(obj, "practice_sheet", by)
    doc.refresh_from_db()
    return doc


def _text(doc: RenderedDocument) -> str:
    with default_storage.open(doc.file.name, "rb") as handle:
        content = handle.read()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_requested_document_is_queued_and_rendered_only_after_commit(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    sheet = _sheet(territory)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        doc = documents.request_document(sheet, "practice_sheet", manager)
    assert (doc.status, doc.title) == (DocumentStatus.QUEUED, f"Fiche retour d'expérience — {sheet.title}")
    assert len(callbacks) == 1  # the task waits for the commit
    callbacks[0]()
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DONE


def test_the_pdf_holds_the_title_the_french_cost_the_lessons_and_the_page_numbers(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    doc = _render(_sheet(territory), manager, django_capture_on_commit_callbacks)
    assert doc.status == DocumentStatus.DONE, doc.error
    text = _text(doc)
    assert "Une balade urbaine qui change un projet" in text
    # The euros filter writes 4 500,00 € with no-break spaces (U+00A0); pypdf gives them back as they are.
    assert f"4{NBSP}500,00{NBSP}€" in text
    assert "Marcher avec les habitants avant de dessiner la place." in text
    assert "page 1 / 1" in text


def test_the_pdf_is_tagged_in_french_with_its_title(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    doc = _render(_sheet(territory), manager, django_capture_on_commit_callbacks)
    with default_storage.open(doc.file.name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # PDF/UA: a structure tree, so readers can navigate it
    assert catalog["/MarkInfo"]["/Marked"]
    assert str(catalog["/Lang"]) == "fr"
    assert reader.metadata.title == doc.title


def test_the_stored_hash_and_size_are_those_of_the_file(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    doc = _render(_sheet(territory), manager, django_capture_on_commit_callbacks)
    with default_storage.open(doc.file.name, "rb") as handle:
        content = handle.read()
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    assert doc.size == len(content)
    assert doc.finished_at is not None


@pytest.fixture
def broken_renderer():
    def explode(obj):
        raise ValueError("données incohérentes")

    documents.register(
        documents.Renderer(
            kind="broken",
            template="pdf/practice_sheet.html",
            title=lambda obj: f"Document cassé — {obj}",
            context=explode,
            can_read=lambda user, obj: True,
        )
    )
    yield
    documents.unregister("broken")


def test_a_failed_render_is_recorded_as_failed_with_its_reason(
    territory, manager, broken_renderer, django_capture_on_commit_callbacks
) -> None:
    sheet = _sheet(territory)
    with django_capture_on_commit_callbacks(execute=True):
        doc = documents.request_document(sheet, "broken", manager)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.FAILED
    assert doc.error == "La production du PDF a échoué : données incohérentes"
    assert (doc.sha256, doc.size, doc.file.name) == ("", None, "")


def test_the_status_page_shows_the_failure_in_french(
    territory, manager, client_for, broken_renderer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        doc = documents.request_document(_sheet(territory), "broken", manager)
    html = client_for("staff").get(reverse("document", args=[doc.pk])).content.decode()
    assert "Échec" in html
    assert "La production du PDF a échoué : données incohérentes" in html
    assert 'http-equiv="refresh"' not in html


def test_a_queued_document_page_refreshes_politely(territory, manager, client_for) -> None:
    doc = RenderedDocument.objects.create(obj=_sheet(territory), kind="practice_sheet", title="Fiche")
    html = client_for("manager").get(reverse("document", args=[doc.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert 'aria-live="polite"' in html
    assert "En attente" in html
    assert reverse("document_download", args=[doc.pk]) not in html
    assert client_for("manager").get(reverse("document_download", args=[doc.pk])).status_code == 404


def test_a_done_document_page_links_the_download_with_its_size_and_hash(
    territory, manager, client_for, django_capture_on_commit_callbacks
) -> None:
    doc = _render(_sheet(territory), manager, django_capture_on_commit_callbacks)
    html = client_for("manager").get(reverse("document", args=[doc.pk])).content.decode()
    assert reverse("document_download", args=[doc.pk]) in html
    assert doc.sha256 in html
    assert f"{doc.size:,}".replace(",", NBSP) + f"{NBSP}octets" in html
    assert 'http-equiv="refresh"' not in html


def test_the_download_is_the_pdf_as_an_attachment(
    territory, manager, client_for, django_capture_on_commit_callbacks
) -> None:
    doc = _render(_sheet(territory), manager, django_capture_on_commit_callbacks)
    response = client_for("partner").get(reverse("document_download", args=[doc.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="fiche-retour-dexperience-une-balade'
    )
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == doc.sha256


def test_a_user_who_cannot_read_the_object_gets_404_on_its_documents(
    territory, manager, client_for, django_capture_on_commit_callbacks
) -> None:
    draft = PracticeSheetFactory(
        programme=territory.programme, title="Brouillon interne", lessons="x", actions="y"
    )
    doc = _render(draft, manager, django_capture_on_commit_callbacks)
    assert doc.status == DocumentStatus.DONE
    for persona in ["outsider", "operator"]:
        client = client_for(persona)
        assert client.get(reverse("document", args=[doc.pk])).status_code == 404
        assert client.get(reverse("document_download", args=[doc.pk])).status_code == 404
    assert client_for("anonymous").get(reverse("document", args=[doc.pk])).status_code == 302
    assert client_for("referent").get(reverse("document_download", args=[doc.pk])).status_code == 200


def test_a_document_whose_object_was_deleted_answers_404(territory, client_for) -> None:
    doc = RenderedDocument.objects.create(
        obj=_sheet(territory), kind="practice_sheet", title="Fiche", status=DocumentStatus.QUEUED
    )
    RenderedDocument.objects.filter(pk=doc.pk).update(object_id=10**9)
    assert client_for("staff").get(reverse("document", args=[doc.pk])).status_code == 404


def test_print_templates_cannot_reach_files_outside_static() -> None:
    with pytest.raises(ValueError, match="Ressource refusée"):
        documents.static_path("file:///etc/passwd")
    with pytest.raises(ValueError, match="Ressource refusée"):
        documents.static_path(f"file://{documents.STATIC_DIR}/../pvd/settings.py")
    with pytest.raises(ValueError, match="Ressource refusée"):
        documents.static_path("https://example.com/img/logo-territoire.svg")
    assert documents.static_path(f"file://{documents.STATIC_DIR}/css/pdf.css").name == "pdf.css"
