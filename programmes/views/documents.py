"""Strategic documents and studies of a programme: inventory, page, create/edit, file download, export.

Access (pvd/accounts/policy.py): the programme's readers and the mayors of its communes read; its
managers write (403 for the other readers); everyone else gets 404. Files are served here, through the
policy, never from a public media URL.
"""

from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from programmes.forms.documents import DocumentFilter, DocumentForm
from programmes.selectors import strategy as selectors
from programmes.services import documents as services
from programmes.strategy_exports import documents_xlsx
from programmes.views._strategy import programme_context, xlsx_response
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.downloads import private_download


@login_required
@require_GET
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_strategy(request.user, pk)
    filterset = DocumentFilter(
        request.GET or None,
        queryset=selectors.documents_for_page(request.user, programme),
        user=request.user,
        programme=programme,
    )
    ctx = {
        **programme_context(request, programme),
        "filter": filterset,
        "documents": filterset.qs,
    }
    return render(request, "programmes/documents/list.html", ctx)


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_for_page(request.user, pk)
    ctx = {
        **programme_context(request, document.programme),
        "document": document,
        "file_name": PurePath(document.file.name).name if document.file else "",
    }
    return render(request, "programmes/documents/detail.html", ctx)


def _document_fields(data: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in data.items() if name not in {"version", "file"}}


@login_required
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_strategy(request.user, pk)
    policy.require(policy.can_edit_strategy(request.user, programme))
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"] if isinstance(data["file"], UploadedFile) else None
        document = run_service(
            request,
            form,
            "Le document a été ajouté à l'inventaire.",
            lambda: services.document_create(
                programme=programme, by=request.user, file=upload, **_document_fields(data)
            ),
        )
        if document is not None:
            return redirect("programmes:document_detail", pk=document.pk)
    return render(
        request, "programmes/documents/form.html", {**programme_context(request, programme), "form": form}
    )


@login_required
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_for_page(request.user, pk)
    programme = document.programme
    policy.require(policy.can_edit_strategy(request.user, programme))
    form = DocumentForm(
        request.POST or None, request.FILES or None, instance=document, user=request.user, programme=programme
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"] if isinstance(data["file"], UploadedFile) else None
        saved = run_service(
            request,
            form,
            "Le document a été enregistré.",
            lambda: services.document_update(
                document=document,
                expected_version=data["version"],
                by=request.user,
                file=upload,
                remove_file=data["file"] is False,  # the "Effacer" box of the file input
                **_document_fields(data),
            ),
        )
        if saved is not None:
            return redirect("programmes:document_detail", pk=saved.pk)
    ctx = {**programme_context(request, programme), "form": form, "document": document}
    return render(request, "programmes/documents/form.html", ctx)


@login_required
@require_GET
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """The stored file, to whoever may read the document (404 otherwise, and when there is no file)."""
    document = selectors.document_for_page(request.user, pk)
    if not document.file:
        raise Http404("Ce document n'a pas de fichier.")
    return private_download(document.file)


@login_required
@require_GET
def document_export(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_strategy(request.user, pk)
    content = documents_xlsx(selectors.documents_for_page(request.user, programme))
    return xlsx_response(content, f"documents-strategiques-{slugify(programme.name)}.xlsx")
