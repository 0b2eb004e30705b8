"""PDF documents rendered by WeasyPrint in Celery (ARCHITECTURE.md §4 « Documents », STYLE.md §17-18).

A *renderer* says, for one kind of document, its title, its print template, the context of an object and who
may read it. `request_document(obj, kind, by)` records a queued `RenderedDocument` and queues the Celery task
on commit; the task calls `render_document(doc)`, which renders the print template to a tagged PDF (PDF/UA-1,
`lang="fr"`, a title, local fonts and logo, a running footer « page X / Y »), stores the file in the default
storage with its SHA-256 and size and marks it done — or, on any error, marks it failed with the message: a
document is never left half done.

Renderers are registered by kind. An app declares its renderers in `RENDERERS` (kind → dotted path of a
`Renderer`), resolved on first use: `pvd` imports no app module when loaded (conventions, issue 9, add
their lines there). Tests may `register()` a renderer directly.
"""

import functools
import hashlib
import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import slugify

from pvd.models import DocumentStatus, RenderedDocument

logger = logging.getLogger(__name__)

STATIC_DIR = Path(settings.BASE_DIR) / "static"
PDF_VARIANT = "pdf/ua-1"  # tagged PDF with its structure tree, language and title (WeasyPrint ≥ 61)


@dataclass(frozen=True)
class Renderer:
    """How to render one kind of document."""

    kind: str
    template: str  # print template, under templates/pdf/ (extends pdf/base.html)
    title: Callable[[models.Model], str]  # the document's title, from its object
    context: Callable[[models.Model], dict[str, object]]  # the template's context, from its object
    can_read: Callable[[object, models.Model], bool]  # may this user read the object's documents?
    url: Callable[[models.Model], str] | None = None  # the object's page (back link of the status page)


# kind -> dotted path of its Renderer, imported on first use.
RENDERERS: dict[str, str] = {
    "practice_sheet": "operations.participation.services.sheets.PRACTICE_SHEET_PDF",
    "convention_draft": "operations.conventions.services.versions.CONVENTION_DRAFT_PDF",
    "convention_version": "operations.conventions.services.versions.CONVENTION_VERSION_PDF",
    "operation_sheet": "pvd.reports.OPERATION_SHEET_PDF",
    "project_summary": "pvd.reports.PROJECT_SUMMARY_PDF",
    "committee_report": "pvd.reports.COMMITTEE_REPORT_PDF",
    # --- issue 10: H4 commune summary, H5 annual report ---
    "commune_summary": "pvd.dashboards.commune.COMMUNE_SUMMARY_PDF",
    "annual_report": "pvd.dashboards.annual.ANNUAL_REPORT_PDF",  # H5
    # --- end issue 10 ---
    # --- issue 8: printable agenda and minutes of a meeting (H2), the arbitration note (H3) ---
    "meeting_agenda": "pvd.governance.services.minutes.MEETING_AGENDA_PDF",
    "meeting_minutes": "pvd.governance.services.minutes.MEETING_MINUTES_PDF",
    "arbitration_note": "pvd.governance.services.arbitrations.ARBITRATION_NOTE_PDF",
    # --- end issue 8 ---
}
_registry: dict[str, Renderer] = {}


class DocumentError(LookupError):
    """No renderer for this kind of document."""


def register(renderer: Renderer) -> Renderer:
    """Register a renderer under its kind (replaces a previous one)."""
    _registry[renderer.kind] = renderer
    return renderer


def unregister(kind: str) -> None:
    _registry.pop(kind, None)


def renderer_for(kind: str) -> Renderer:
    if kind not in _registry:
        path = RENDERERS.get(kind)
        if path is None:
            raise DocumentError(f"Aucun modèle de document « {kind} ».")
        register(import_string(path))
    return _registry[kind]


# --- Requests and reads -----------------------------------------------------------------------------------


def documents_of(obj: models.Model, kind: str) -> models.QuerySet[RenderedDocument]:
    """The documents of `kind` rendered (or asked) for `obj`, newest first."""
    return RenderedDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, kind=kind
    ).order_by("-requested_at", "-pk")


@transaction.atomic
def request_document(obj: models.Model, kind: str, by: object | None) -> RenderedDocument:
    """Record a queued document for `obj` and queue its rendering once the transaction commits (the worker
    must see the row and the object's latest data)."""
    from pvd.tasks import render_document as render_task  # pvd.tasks imports this module lazily too

    renderer = renderer_for(kind)
    doc = RenderedDocument.objects.create(
        obj=obj,
        kind=kind,
        title=renderer.title(obj)[:250],
        requested_by=by if getattr(by, "is_authenticated", False) else None,
    )
    render_task.delay_on_commit(doc.pk)
    return doc


# --- Rendering ----------------------------------------------------------------------------------------------


def static_path(url: str) -> Path:
    """The file under static/ that `url` names, or ValueError: a print template never reaches the network nor
    any other file (assets are local; user text cannot make the worker fetch anything)."""
    parsed = urlparse(url)
    path = Path(unquote(parsed.path)).resolve()
    if parsed.scheme != "file" or not path.is_relative_to(STATIC_DIR.resolve()) or not path.is_file():
        raise ValueError(f"Ressource refusée dans un PDF : {url}")
    return path


@functools.cache
def _static_fetcher() -> object:
    """WeasyPrint's URL fetcher restricted to static/ (built lazily: WeasyPrint is imported where PDFs are made)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            path = static_path(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticFetcher()


def render_pdf(template_name: str, context: dict[str, object]) -> bytes:
    """Render a print template to the bytes of a tagged PDF (PDF/UA-1), with local fonts and images."""
    from weasyprint import HTML  # heavy import: only where PDFs are made

    html = render_to_string(
        template_name,
        {
            "territory_name": settings.TERRITORY_NAME,
            "territory_short_name": settings.TERRITORY_SHORT_NAME,
            "territory_logo": settings.TERRITORY_LOGO,
            **context,
        },
    )
    document = HTML(string=html, base_url=f"{STATIC_DIR}/", url_fetcher=_static_fetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def _fail(doc: RenderedDocument, message: str) -> RenderedDocument:
    RenderedDocument.objects.filter(pk=doc.pk).update(
        status=DocumentStatus.FAILED, error=message, finished_at=timezone.now()
    )
    doc.refresh_from_db()
    return doc


def render_document(doc: RenderedDocument) -> RenderedDocument:
    """Render `doc` now: done with its file, SHA-256 and size, or failed with the reason (in French).

    Runs in the Celery worker. A document already done is left as it is (a task delivered twice)."""
    with transaction.atomic():
        current = RenderedDocument.objects.select_for_update().get(pk=doc.pk)
        if current.status == DocumentStatus.DONE:
            return current
        current.status = DocumentStatus.RENDERING
        current.error = ""
        current.save(update_fields=["status", "error"])
    stored_name = ""
    try:
        obj = current.obj
        if obj is None:
            return _fail(current, "L'objet de ce document n'existe plus : rien à produire.")
        renderer = renderer_for(current.kind)
        content = render_pdf(
            renderer.template, {**renderer.context(obj), "document_title": current.title, "document": current}
        )
        digest = hashlib.sha256(content).hexdigest()
        name = f"{slugify(current.kind)}-{current.object_id}-{current.pk}.pdf"
        with transaction.atomic():
            current.file.save(name, ContentFile(content), save=False)
            stored_name = current.file.name
            current.sha256 = digest
            current.size = len(content)
            current.status = DocumentStatus.DONE
            current.finished_at = timezone.now()
            current.save(update_fields=["file", "sha256", "size", "status", "finished_at"])
        return current
    except Exception as error:  # any failure is recorded, never left "rendering"
        logger.exception("Rendering of document %s failed", current.pk)
        if stored_name:
            current.file.storage.delete(stored_name)
        RenderedDocument.objects.filter(pk=current.pk).update(file="", sha256="", size=None)
        return _fail(current, f"La production du PDF a échoué : {error}")


def file_name(doc: RenderedDocument) -> str:
    """The download's file name: the title, slugified, with the date of production."""
    day = timezone.localtime(doc.finished_at or doc.requested_at).date()
    return f"{slugify(doc.title)[:80] or 'document'}-{day:%Y-%m-%d}.pdf"
