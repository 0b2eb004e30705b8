"""A rendered document's pages: its status (queued, rendering — the page refreshes itself politely —, done with
its download, size and SHA-256, or failed with the reason) and the download of the PDF.

Access: the renderer's `can_read` on the document's object; a user who cannot read the object gets 404, exactly
as if the document did not exist (pvd/documents.py).
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pvd import documents
from pvd.models import DocumentStatus, RenderedDocument
from pvd.money import format_decimal

REFRESH_SECONDS = 3


def _size(size: int | None) -> str:
    """48 213 -> « 47,1 ko (48 213 octets) »."""
    if not size:
        return ""
    return f"{format_decimal(Decimal(size) / 1024, 1)}\xa0ko ({format_decimal(Decimal(size), 0)}\xa0octets)"


def _document_for_user(request: HttpRequest, pk: int) -> tuple[RenderedDocument, documents.Renderer]:
    doc = RenderedDocument.objects.select_related("content_type", "requested_by").filter(pk=pk).first()
    if doc is None:
        raise Http404("Aucun document ne correspond à votre demande.")
    try:
        renderer = documents.renderer_for(doc.kind)
    except documents.DocumentError as error:
        raise Http404("Aucun document ne correspond à votre demande.") from error
    obj = doc.obj
    if obj is None or not renderer.can_read(request.user, obj):
        raise Http404("Aucun document ne correspond à votre demande.")
    return doc, renderer


@login_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    doc, renderer = _document_for_user(request, pk)
    pending = doc.status in (DocumentStatus.QUEUED, DocumentStatus.RENDERING)
    context = {
        "doc": doc,
        "pending": pending,
        "refresh_seconds": REFRESH_SECONDS,
        "object_url": renderer.url(doc.obj) if renderer.url else "",
        "size_label": _size(doc.size),
    }
    if request.headers.get("HX-Request"):
        return render(request, "documents/status.html#document_state", context)
    return render(request, "documents/status.html", context)


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    doc, _ = _document_for_user(request, pk)
    if doc.status != DocumentStatus.DONE or not doc.file:
        raise Http404("Ce document n'est pas prêt.")
    return FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=documents.file_name(doc),
        content_type="application/pdf",
    )
