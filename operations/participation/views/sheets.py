"""Network and capitalisation pages (issue 11): a programme's network events (list with filters, page with
history, create, edit), its good-practice sheets (list, page with history and PDF state, create — optionally from
an operation —, edit, publish, withdraw, PDF), the library of sheets for logged-in users, and the public pages of
published sheets (no login: library, sheet, PDF).

Network events: the programme's readers (manager, referent, partner); mayors, operators and others 404.
Sheets: the programme's readers and the mayors of its communes; published sheets: anyone with a role, and the
public. Writes: policy.can_manage_participation (403 for the other readers). The public pages show the public
content only — no person, history, internal link or draft — and never start a PDF rendering.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from operations.models import NetworkEvent, PracticeSheet
from operations.participation.forms.sheets import (
    NetworkEventForm,
    PracticeSheetForm,
    UnpublishForm,
    VersionForm,
)
from operations.participation.selectors import sheets as selectors
from operations.participation.selectors.programmes import (
    page_header,
    programme_for_participation,
    programme_for_readers,
)
from operations.participation.services import sheets as services
from programmes.models import Programme
from pvd import documents
from pvd.accounts import policy
from pvd.actions import run_service

TEMPLATES = "operations/participation/"


def _can_manage(request: HttpRequest, programme: Programme) -> bool:
    return policy.can_manage_participation(request.user, programme)


def _header(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return page_header(request.user, programme)


# --- Network events ---------------------------------------------------------------------------------------


@login_required
@require_GET
def network(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_readers(request.user, pk)
    listing = selectors.network_list(request.user, programme, request.GET.dict(), request.GET.get("page"))
    return render(
        request,
        TEMPLATES + "network/list.html",
        {**_header(request, programme), "listing": listing},
    )


def _network_form_page(
    request: HttpRequest, programme: Programme, form: NetworkEventForm, title: str, event: NetworkEvent | None
) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "network/form.html",
        {**_header(request, programme), "form": form, "title": title, "event": event},
    )


@login_required
def network_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_readers(request.user, pk)
    policy.require(_can_manage(request, programme))
    form = NetworkEventForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        themes = list(data.pop("themes"))
        created = run_service(
            request,
            form,
            "La rencontre a été enregistrée.",
            lambda: services.network_event_create(
                programme=programme, by=request.user, themes=themes, **data
            ),
        )
        if created is not None:
            return redirect("operations:network_event", pk=created.pk)
    return _network_form_page(request, programme, form, "Nouvelle rencontre du réseau", None)


@login_required
@require_GET
def network_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.network_event_for_page(request.user, pk)
    return render(
        request,
        TEMPLATES + "network/detail.html",
        {**_header(request, event.programme), "event": event},
    )


@login_required
def network_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.network_event_for_page(request.user, pk)
    policy.require(_can_manage(request, event.programme))
    form = NetworkEventForm(request.POST or None, instance=event, programme=event.programme)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        themes = list(data.pop("themes"))
        version = data.pop("version")
        original = NetworkEvent.objects.get(pk=event.pk)
        saved = run_service(
            request,
            form,
            "La rencontre a été enregistrée.",
            lambda: services.network_event_update(
                event=original, by=request.user, changes=data, expected_version=version, themes=themes
            ),
        )
        if saved is not None:
            return redirect("operations:network_event", pk=event.pk)
    return _network_form_page(request, event.programme, form, f"Modifier « {event.title} »", event)


# --- Good-practice sheets ---------------------------------------------------------------------------------------


@login_required
@require_GET
def sheets(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_participation(request.user, pk)
    return render(
        request,
        TEMPLATES + "sheets/list.html",
        {**_header(request, programme), "sheets": selectors.sheet_list(request.user, programme)},
    )


def _sheet_form_page(
    request: HttpRequest,
    programme: Programme,
    form: PracticeSheetForm,
    title: str,
    sheet: PracticeSheet | None,
) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "sheets/form.html",
        {**_header(request, programme), "form": form, "title": title, "sheet": sheet},
    )


@login_required
def sheet_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft sheet; `?operation=<pk>` (an operation of the programme) prefills it."""
    programme = programme_for_participation(request.user, pk)
    policy.require(_can_manage(request, programme))
    operation = selectors.operation_for_sheet(request.user, programme, request.GET.get("operation"))
    initial: dict[str, object] = {}
    if operation is not None:
        initial = {
            "operation": operation.pk,
            "title": operation.title,
            "context": operation.description,
            "cost_ht": operation.estimated_cost_ht,
            "communes": [c.pk for c in operation.communes.all()],
            "themes": [t.pk for t in operation.themes.all()],
        }
    form = PracticeSheetForm(request.POST or None, initial=initial, programme=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        communes, themes = list(data.pop("communes")), list(data.pop("themes"))
        created = run_service(
            request,
            form,
            "La fiche a été créée en brouillon.",
            lambda: services.sheet_create(
                programme=programme, by=request.user, communes=communes, themes=themes, **data
            ),
        )
        if created is not None:
            return redirect("operations:sheet", pk=created.pk)
    title = f"Nouvelle fiche retour d'expérience{f' — {operation.code}' if operation else ''}"
    return _sheet_form_page(request, programme, form, title, None)


@login_required
@require_GET
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = selectors.sheet_for_page(request.user, pk)
    header = _header(request, sheet.programme)
    return render(
        request,
        TEMPLATES + "sheets/detail.html",
        {
            **header,
            "sheet": sheet,
            "page": selectors.sheet_page(sheet),
            "sections": selectors.public_sections(sheet),
            "reads_programme": policy.can_read_participation(request.user, sheet.programme),
            "unpublish_form": UnpublishForm(initial={"version": sheet.version})
            if header["can_manage"]
            else None,
        },
    )


def _sheet_for_write(request: HttpRequest, pk: int) -> PracticeSheet:
    sheet = selectors.sheet_for_page(request.user, pk)
    policy.require(_can_manage(request, sheet.programme))
    return sheet


@login_required
def sheet_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _sheet_for_write(request, pk)
    form = PracticeSheetForm(
        request.POST or None, instance=sheet, programme=sheet.programme, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        communes, themes = list(data.pop("communes")), list(data.pop("themes"))
        version = data.pop("version")
        original = PracticeSheet.objects.select_related("programme").get(pk=sheet.pk)
        saved = run_service(
            request,
            form,
            "La fiche a été enregistrée.",
            lambda: services.sheet_update(
                sheet=original,
                by=request.user,
                changes=data,
                expected_version=version,
                communes=communes,
                themes=themes,
            ),
        )
        if saved is not None:
            return redirect("operations:sheet", pk=sheet.pk)
    return _sheet_form_page(request, sheet.programme, form, f"Modifier « {sheet.title} »", sheet)


@login_required
@require_POST
def sheet_publish(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _sheet_for_write(request, pk)
    form = VersionForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            form,
            "La fiche est publiée : sa page publique est en ligne et son PDF est en cours de production.",
            lambda: services.sheet_publish(
                sheet=sheet, by=request.user, on=policy.today(), expected_version=form.cleaned_data["version"]
            ),
        )
    return redirect("operations:sheet", pk=sheet.pk)


@login_required
@require_POST
def sheet_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _sheet_for_write(request, pk)
    form = UnpublishForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            form,
            "La fiche est retirée de la publication : sa page publique n'est plus accessible.",
            lambda: services.sheet_unpublish(
                sheet=sheet,
                by=request.user,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            ),
        )
    return redirect("operations:sheet", pk=sheet.pk)


@login_required
@require_POST
def sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A fresh PDF of the sheet (whoever reads the sheet), then its status page."""
    sheet = selectors.sheet_for_page(request.user, pk)
    doc = services.sheet_request_pdf(sheet=sheet, by=request.user)
    return redirect("document", pk=doc.pk)


@login_required
@require_GET
def practice_library(request: HttpRequest) -> HttpResponse:
    """Every published sheet, of every programme, and the drafts the user reads: for users with a role."""
    policy.require(
        policy.can_view_directory(request.user), "La bibliothèque est réservée aux membres d'un programme."
    )
    listing = selectors.library(request.user, request.GET.dict(), request.GET.get("page"))
    return render(request, TEMPLATES + "sheets/library.html", {"listing": listing})


# --- Public pages (no login) -----------------------------------------------------------------------------------
# Rendered as for an anonymous visitor (`user`), so the layout shows no logged-in navigation.


def _public(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    return render(request, TEMPLATES + template, {**context, "user": AnonymousUser()})


@require_GET
def public_library(request: HttpRequest) -> HttpResponse:
    listing = selectors.public_library(request.GET.dict(), request.GET.get("page"))
    return _public(request, "public/library.html", {"listing": listing})


@require_GET
def public_sheet(request: HttpRequest, slug: str) -> HttpResponse:
    sheet = selectors.public_sheet(slug)
    return _public(
        request,
        "public/sheet.html",
        {
            "sheet": sheet,
            "sections": selectors.public_sections(sheet),
            "has_pdf": selectors.public_pdf(sheet) is not None,
        },
    )


@require_GET
def public_sheet_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The latest PDF rendered since publication; 404 when none is ready (the public never starts a render)."""
    doc = selectors.public_pdf(selectors.public_sheet(slug))
    if doc is None:
        raise Http404("Le PDF de cette fiche n'est pas encore disponible.")
    return FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=documents.file_name(doc),
        content_type="application/pdf",
    )
