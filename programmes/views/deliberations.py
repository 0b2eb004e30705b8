"""Deliberations and ORT perimeters of a programme (issue 9, H4).

Access (pvd/accounts/policy.py): the programme's readers and the mayors of its communes read both lists (404 for
everyone else); its managers record deliberations and perimeters (403 for the other readers). A deliberation's page
opens to whoever sees the authority that adopted it (public act). Files are served here, through the policy —
`?fichier` on a deliberation's page, `?carte=<pk>` on the perimeters page — never from a public media URL.
"""

from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from programmes.forms.deliberations import DeliberationForm, OrtSectorForm
from programmes.models import Deliberation, OrtSector, Programme
from programmes.selectors import deliberations as selectors
from programmes.selectors.strategy import programme_for_strategy
from programmes.services import deliberations as services
from programmes.services import ort as ort_services
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.actions import run_service
from pvd.downloads import private_download


def _context(request: HttpRequest, programme: Programme | None) -> dict[str, object]:
    """What every page's header needs: the programme (a deliberation may have none), whether its overview opens for
    the user (mayors read these pages, not the programme page), and whether they may record acts."""
    return {
        "programme": programme,
        "can_read_programme": programme is not None and policy.can_read_programme(request.user, programme),
        "can_manage": programme is not None and policy.can_manage_conventions(request.user, programme),
    }


def _require_manager(user: User, deliberation: Deliberation) -> None:
    if deliberation.programme is None:
        policy.require(user.is_staff)
    else:
        policy.require(policy.can_manage_conventions(user, deliberation.programme))


def _upload(value: object) -> UploadedFile | None:
    return value if isinstance(value, UploadedFile) else None


def _fields(data: dict[str, object], *files: str) -> dict[str, object]:
    return {name: value for name, value in data.items() if name not in {"version", *files}}


# --- Deliberations ---------------------------------------------------------------------------------------------


@login_required
def deliberation_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_strategy(request.user, pk)
    deliberations = list(selectors.deliberations_for_page(request.user, programme))
    ctx = {**_context(request, programme), "deliberations": deliberations}
    return render(request, "programmes/deliberations/list.html", ctx)


@login_required
def deliberation_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_strategy(request.user, pk)
    policy.require(policy.can_manage_conventions(request.user, programme))
    form = DeliberationForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        deliberation = run_service(
            request,
            form,
            "La délibération a été enregistrée.",
            lambda: services.deliberation_create(
                programme=programme, by=request.user, file=_upload(data["file"]), **_fields(data, "file")
            ),
        )
        if deliberation is not None:
            return redirect("programmes:deliberation", pk=deliberation.pk)
    ctx = {**_context(request, programme), "form": form}
    return render(request, "programmes/deliberations/form.html", ctx)


@login_required
def deliberation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deliberation = selectors.deliberation_for_page(request.user, pk)
    if "fichier" in request.GET:
        if not deliberation.file:
            raise Http404("Cette délibération n'a pas de fichier.")
        return private_download(deliberation.file)
    ctx = {
        **_context(request, deliberation.programme),
        "deliberation": deliberation,
        "file_name": PurePath(deliberation.file.name).name if deliberation.file else "",
    }
    if deliberation.programme is None:
        ctx["can_manage"] = request.user.is_staff
    return render(request, "programmes/deliberations/detail.html", ctx)


@login_required
def deliberation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deliberation = selectors.deliberation_for_page(request.user, pk)
    _require_manager(request.user, deliberation)
    form = DeliberationForm(
        request.POST or None, request.FILES or None, instance=deliberation, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            request,
            form,
            "La délibération a été enregistrée.",
            lambda: services.deliberation_update(
                deliberation=deliberation,
                expected_version=data["version"],
                by=request.user,
                file=_upload(data["file"]),
                remove_file=data["file"] is False,  # the « Effacer » box of the file input
                **_fields(data, "file"),
            ),
        )
        if saved is not None:
            return redirect("programmes:deliberation", pk=saved.pk)
    ctx = {**_context(request, deliberation.programme), "form": form, "deliberation": deliberation}
    return render(request, "programmes/deliberations/form.html", ctx)


# --- ORT perimeters ----------------------------------------------------------------------------------------------


@login_required
def ort_sector_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_strategy(request.user, pk)
    sectors = selectors.ort_sectors_for_page(request.user, programme)
    if "carte" in request.GET:
        sector = sectors.filter(pk=request.GET["carte"] if request.GET["carte"].isdigit() else 0).first()
        if sector is None or not sector.map_file:
            raise Http404("Ce secteur n'a pas de carte.")
        return private_download(sector.map_file)
    sectors = list(sectors)
    ctx = {
        **_context(request, programme),
        "sectors": sectors,
        "has_town_centre": any(sector.is_town_centre for sector in sectors),
    }
    return render(request, "programmes/ort/list.html", ctx)


@login_required
def ort_sector_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_strategy(request.user, pk)
    policy.require(policy.can_manage_conventions(request.user, programme))
    form = OrtSectorForm(request.POST or None, request.FILES or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sector = run_service(
            request,
            form,
            "Le secteur d'intervention a été ajouté.",
            lambda: ort_services.ort_sector_create(
                programme=programme,
                by=request.user,
                map_file=_upload(data["map_file"]),
                **_fields(data, "map_file"),
            ),
        )
        if sector is not None:
            return redirect("programmes:ort_sectors", pk=programme.pk)
    ctx = {**_context(request, programme), "form": form}
    return render(request, "programmes/ort/form.html", ctx)


@login_required
def ort_sector_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sector: OrtSector = selectors.ort_sector_for_page(request.user, pk)
    programme = sector.programme
    policy.require(policy.can_manage_conventions(request.user, programme))
    form = OrtSectorForm(request.POST or None, request.FILES or None, instance=sector, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            request,
            form,
            "Le secteur d'intervention a été enregistré.",
            lambda: ort_services.ort_sector_update(
                sector=sector,
                expected_version=data["version"],
                by=request.user,
                map_file=_upload(data["map_file"]),
                remove_map=data["map_file"] is False,
                **_fields(data, "map_file"),
            ),
        )
        if saved is not None:
            return redirect("programmes:ort_sectors", pk=programme.pk)
    ctx = {**_context(request, programme), "form": form, "sector": sector}
    return render(request, "programmes/ort/form.html", ctx)
