"""Household files' pages: a housing programme's list (filters, counts by status) and kanban, its named XLSX
export, a file's page (household, dwelling, energy, works, category, dates, deadlines, transitions, grants,
history), its create, edit and status change.

Named files are personal data: the programme's operator and managers (and staff) only. A file out of scope →
404; a housing programme seen by an aggregate-only reader (referent, partner) → 403. Every view of a file is
logged, every file of a named export too (HousingFileAccess).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from operations.housing.forms.files import CREATE_FIELDS, HousingFileForm, HousingFileStatusForm
from operations.housing.models import HousingFile, IncomeCategory
from operations.housing.selectors import files as selectors
from operations.housing.selectors.grants import grants_summary
from operations.housing.services import files as services
from operations.housing.services.privacy import log_access, log_accesses
from operations.models import HousingProgramme
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.xlsx import XLSX_CONTENT_TYPE, Column, Sheet, workbook


def _header(request: HttpRequest, housing_programme: HousingProgramme) -> dict[str, object]:
    return {
        "housing_programme": housing_programme,
        "can_edit": policy.can_edit_household_files(request.user, housing_programme),
    }


def _file_for_write(request: HttpRequest, pk: int) -> HousingFile:
    file = selectors.file_for_page(request.user, pk)
    policy.require(policy.can_edit_household_files(request.user, file.housing_programme))
    return file


@login_required
@require_GET
def housing_files(request: HttpRequest, pk: int) -> HttpResponse:
    housing_programme = selectors.housing_programme_for_files(request.user, pk)
    data = selectors.file_list(request.user, housing_programme, request.GET.dict(), request.GET.get("page"))
    return render(
        request,
        "operations/housing/files/list.html",
        {**_header(request, housing_programme), "data": data, "filter_form": data.filter.form},
    )


@login_required
@require_GET
def housing_kanban(request: HttpRequest, pk: int) -> HttpResponse:
    housing_programme = selectors.housing_programme_for_files(request.user, pk)
    day = policy.today()
    return render(
        request,
        "operations/housing/files/kanban.html",
        {
            **_header(request, housing_programme),
            "board": selectors.kanban(request.user, housing_programme, day=day),
            "day": day,
        },
    )


@login_required
@require_GET
def housing_files_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The filtered list, named: for the readers of named files only; one « export » access per file."""
    housing_programme = selectors.housing_programme_for_files(request.user, pk)
    files = selectors.export_files(request.user, housing_programme, request.GET.dict())
    log_accesses(files=files, user=request.user, action="export")
    columns = [
        Column("Référence", lambda f: f.reference, 18),
        Column("Statut", lambda f: f.get_status_display(), 22),
        Column("Demandeur", lambda f: f.applicant_name, 28),
        Column("Type de demandeur", lambda f: f.get_owner_type_display(), 24),
        Column("Adresse du logement", lambda f: f.address, 32),
        Column("Commune", lambda f: f.commune.name, 20),
        Column("Personnes", lambda f: f.household_size, 10),
        Column("Revenu fiscal de référence", lambda f: f.reference_income, 16),
        Column(
            "Catégorie", lambda f: IncomeCategory(f.income_category).label if f.income_category else "", 22
        ),
        Column("Barème", lambda f: f.ceiling_year, 10),
        Column("Thématiques", lambda f: ", ".join(str(t.label) for t in f.themes), 28),
        Column("Aide Anah", lambda f: str(f.scheme) if f.scheme_id else "", 30),
        Column("Travaux HT", lambda f: f.works_amount_ht, 16, total=True),
        Column("Travaux TTC", lambda f: f.works_amount_ttc, 16, total=True),
        Column("Premier contact", lambda f: f.first_contact_on, 14),
        Column("Dépôt", lambda f: f.filed_on, 14),
        Column("Décision", lambda f: f.decided_on, 14),
        Column("Solde versé", lambda f: f.paid_on, 14),
    ]
    day = policy.today()
    content = workbook(
        [
            Sheet(
                "Dossiers",
                columns,
                files,
                heading=[
                    f"Dossiers ménages — {housing_programme.name}",
                    (
                        f"Export nominatif du {day:%d/%m/%Y} par {request.user.get_full_name() or request.user.email} "
                        "(données personnelles : accès journalisé, ne pas diffuser)."
                    ),
                ],
            )
        ]
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="dossiers-{slugify(housing_programme.name)}-{day:%Y-%m-%d}.xlsx"'
    )
    return response


def _form_page(
    request: HttpRequest,
    housing_programme: HousingProgramme,
    form: HousingFileForm,
    title: str,
    file: HousingFile | None = None,
) -> HttpResponse:
    return render(
        request,
        "operations/housing/files/form.html",
        {**_header(request, housing_programme), "form": form, "title": title, "file": file},
    )


@login_required
def housing_file_create(request: HttpRequest, pk: int) -> HttpResponse:
    housing_programme = selectors.housing_programme_for_files(request.user, pk)
    policy.require(policy.can_edit_household_files(request.user, housing_programme))
    form = HousingFileForm(request.POST or None, housing_programme=housing_programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CREATE_FIELDS}
        created = run_service(
            request,
            form,
            "Le dossier a été créé.",
            lambda: services.create_file(housing_programme=housing_programme, by=request.user, **fields),
        )
        if created is not None:
            return redirect("operations:housing_file_detail", pk=created.pk)
    return _form_page(request, housing_programme, form, "Nouveau dossier ménage")


@login_required
def housing_file_edit(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file_for_write(request, pk)
    form = HousingFileForm(
        request.POST or None, instance=file, housing_programme=file.housing_programme, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        original = HousingFile.objects.get(pk=file.pk)
        saved = run_service(
            request,
            form,
            "Le dossier a été enregistré.",
            lambda: services.update_file(
                file=original, expected_version=version, changes=data, by=request.user
            ),
        )
        if saved is not None:
            return redirect("operations:housing_file_detail", pk=saved.pk)
    return _form_page(request, file.housing_programme, form, f"Modifier le dossier {file.reference}", file)


@login_required
@require_GET
def housing_file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    file = selectors.file_for_page(request.user, pk)
    log_access(file=file, user=request.user, action="view")
    header = _header(request, file.housing_programme)
    day = policy.today()
    context: dict[str, object] = {
        **header,
        "file": file,
        "page": selectors.file_page(file, day=day),
        "day": day,
        "status_form": HousingFileStatusForm(file=file)
        if header["can_edit"] and services.allowed_targets(file.status)
        else None,
        "grants": grants_summary(file, day=day),
    }
    return render(request, "operations/housing/files/detail.html", context)


@login_required
@require_POST
def housing_file_status(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file_for_write(request, pk)
    form = HousingFileStatusForm(request.POST, file=file)
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            form,
            "Le statut du dossier a été modifié.",
            lambda: services.change_status(
                file=file,
                to=data["status"],
                by=request.user,
                on=data["on"],
                comment=data["comment"],
                expected_version=data["version"],
                **form.evidence(),
            ),
        )
    for name, errors in form.errors.items():
        for error in errors:
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label} : {error}" if label else error)
    return redirect("operations:housing_file_detail", pk=file.pk)
