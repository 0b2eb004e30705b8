"""A housing programme's pages: the programme (convention, perimeter, avenants, targets and envelopes grids,
top-up rules, summary of results), its edits (managers only), its results with charts and XLSX, and the
operator's quarterly or annual report.

Readers: whoever sees the housing programme (policy scope: managers, referents, partners of it or of its PVD
programme, its operator; 404 for the others, mayors included — their commune page shows the aggregates).
Edits: policy.can_manage_housing_programme (403 for the other readers). Aggregates are masked below 5 households
for readers who cannot read named files.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from operations.housing import charts
from operations.housing.exports import results_xlsx
from operations.housing.forms.programmes import (
    EnvelopesGridForm,
    HousingAmendmentForm,
    HousingProgrammeCreateForm,
    HousingProgrammeForm,
    HousingSectorForm,
    TargetsGridForm,
    TopUpRuleForm,
)
from operations.housing.selectors import programmes as selectors
from operations.housing.selectors import results as results_selectors
from operations.housing.services import programmes as services
from operations.models import HousingProgramme, HousingSector, TopUpRule
from programmes.models import Programme
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.xlsx import XLSX_CONTENT_TYPE

FORM_TEMPLATE = "operations/housing/programmes/form.html"


def _header(request: HttpRequest, hp: HousingProgramme) -> dict[str, object]:
    reads_files = policy.can_read_household_files(request.user, hp)
    return {
        "hp": hp,
        "can_manage": policy.can_manage_housing_programme(request.user, hp),
        "reads_files": reads_files,
        "files_url": reverse("operations:housing_files", kwargs={"pk": hp.pk}) if reads_files else None,
        "kanban_url": reverse("operations:housing_kanban", kwargs={"pk": hp.pk}) if reads_files else None,
        "can_read_programme": hp.programme_id is not None
        and policy.can_read_programme(request.user, hp.programme),
    }


def _hp_for_write(request: HttpRequest, pk: int) -> HousingProgramme:
    hp = selectors.housing_programme_for_page(request.user, pk)
    policy.require(policy.can_manage_housing_programme(request.user, hp))
    return hp


def _form_page(
    request: HttpRequest, hp: HousingProgramme, form: object, title: str, template: str = FORM_TEMPLATE
) -> HttpResponse:
    return render(request, template, {**_header(request, hp), "form": form, "title": title})


@login_required
@require_GET
def housing_programme(request: HttpRequest, pk: int) -> HttpResponse:
    hp = selectors.housing_programme_for_page(request.user, pk)
    results = results_selectors.programme_results(hp, request.user)
    return render(
        request,
        "operations/housing/programmes/detail.html",
        {
            **_header(request, hp),
            "page": selectors.programme_page(hp, request.user),
            "results": results,
            "summary": results_selectors.results_summary(results),
        },
    )


@login_required
def housing_programme_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new OPAH, OPAH-RU or PIG of the PVD programme `pk`: its managers (403 for its other readers)."""
    programme = policy.get_for_user(Programme.objects.select_related("epci"), request.user, pk=pk)
    policy.require(policy.can_edit_programme(request.user, programme))
    form = HousingProgrammeCreateForm(request.POST or None, programme=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        communes = list(data.pop("communes"))
        created = run_service(
            request,
            form,
            "Le dispositif a été créé : saisissez maintenant ses objectifs et ses enveloppes.",
            lambda: services.housing_programme_create(
                programme=programme, by=request.user, communes=communes, **data
            ),
        )
        if created is not None:
            return redirect("operations:housing_programme", pk=created.pk)
    return render(
        request,
        "operations/housing/programmes/create.html",
        {"programme": programme, "form": form, "title": f"Nouveau dispositif habitat — {programme.name}"},
    )


@login_required
def housing_programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hp = _hp_for_write(request, pk)
    form = HousingProgrammeForm(request.POST or None, instance=hp, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        communes = list(data.pop("communes"))
        version = data.pop("version")
        original = HousingProgramme.objects.get(pk=hp.pk)
        saved = run_service(
            request,
            form,
            "Le dispositif a été enregistré.",
            lambda: services.housing_programme_update(
                housing_programme=original,
                by=request.user,
                changes=data,
                expected_version=version,
                communes=communes,
            ),
        )
        if saved is not None:
            return redirect("operations:housing_programme", pk=hp.pk)
    return _form_page(request, hp, form, f"Modifier le dispositif {hp.name}")


@login_required
def housing_amendment_create(request: HttpRequest, pk: int) -> HttpResponse:
    hp = _hp_for_write(request, pk)
    form = HousingAmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            form,
            "L'avenant a été enregistré.",
            lambda: services.housing_amendment_create(
                housing_programme=hp, by=request.user, **form.cleaned_data
            ),
        )
        if created is not None:
            return redirect("operations:housing_programme", pk=hp.pk)
    return _form_page(request, hp, form, "Nouvel avenant à la convention")


@login_required
def housing_targets_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hp = _hp_for_write(request, pk)
    form = TargetsGridForm(request.POST or None, housing_programme=hp)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Les objectifs ont été enregistrés.",
            lambda: services.housing_targets_save(
                housing_programme=hp,
                by=request.user,
                counts=form.counts(),
                amendment=form.cleaned_data.get("amendment"),
            ),
        )
        if saved is not None:
            return redirect("operations:housing_programme", pk=hp.pk)
    return _form_page(
        request, hp, form, "Objectifs quantitatifs", "operations/housing/programmes/targets_form.html"
    )


@login_required
def housing_envelopes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hp = _hp_for_write(request, pk)
    form = EnvelopesGridForm(request.POST or None, housing_programme=hp)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Les enveloppes ont été enregistrées.",
            lambda: services.housing_envelopes_save(
                housing_programme=hp,
                by=request.user,
                amounts=form.amounts(),
                amendment=form.cleaned_data.get("amendment"),
            ),
        )
        if saved is not None:
            return redirect("operations:housing_programme", pk=hp.pk)
    return _form_page(
        request, hp, form, "Enveloppes financières", "operations/housing/programmes/envelopes_form.html"
    )


def _sector_page(request: HttpRequest, hp: HousingProgramme, sector: HousingSector | None) -> HttpResponse:
    form = HousingSectorForm(request.POST or None, instance=sector, housing_programme=hp)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Le secteur a été enregistré.",
            lambda: services.housing_sector_save(
                housing_programme=hp,
                by=request.user,
                values=form.cleaned_data,
                sector=HousingSector.objects.get(pk=sector.pk) if sector else None,
            ),
        )
        if saved is not None:
            return redirect("operations:housing_programme", pk=hp.pk)
    return _form_page(
        request, hp, form, f"Secteur {sector.name}" if sector else "Nouveau secteur du périmètre"
    )


@login_required
def housing_sector_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _sector_page(request, _hp_for_write(request, pk), None)


@login_required
def housing_sector_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sector = policy.get_for_user(HousingSector.objects.all(), request.user, pk=pk)
    return _sector_page(request, _hp_for_write(request, sector.housing_programme_id), sector)


def _top_up_page(request: HttpRequest, hp: HousingProgramme, rule: TopUpRule | None) -> HttpResponse:
    form = TopUpRuleForm(request.POST or None, instance=rule, housing_programme=hp)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "L'aide complémentaire a été enregistrée.",
            lambda: services.housing_top_up_save(
                housing_programme=hp,
                by=request.user,
                values=form.cleaned_data,
                rule=TopUpRule.objects.get(pk=rule.pk) if rule else None,
            ),
        )
        if saved is not None:
            return redirect("operations:housing_programme", pk=hp.pk)
    return _form_page(
        request, hp, form, f"Aide « {rule.label} »" if rule else "Nouvelle aide complémentaire locale"
    )


@login_required
def housing_top_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _top_up_page(request, _hp_for_write(request, pk), None)


@login_required
def housing_top_up_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = policy.get_for_user(TopUpRule.objects.all(), request.user, pk=pk)
    return _top_up_page(request, _hp_for_write(request, rule.housing_programme_id), rule)


@login_required
@require_GET
def housing_results(request: HttpRequest, pk: int) -> HttpResponse:
    hp = selectors.housing_programme_for_page(request.user, pk)
    results = results_selectors.programme_results(hp, request.user)
    charted = [
        (row, charts.target_vs_achieved_svg(row, f"graphique-{row.category}"))
        for row in results.categories
        if row.total.target or row.total.approved.households
    ]
    return render(
        request,
        "operations/housing/programmes/results.html",
        {**_header(request, hp), "results": results, "charted": charted},
    )


@login_required
@require_GET
def housing_results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    hp = selectors.housing_programme_for_page(request.user, pk)
    results = results_selectors.programme_results(hp, request.user)
    response = HttpResponse(results_xlsx(results, today=policy.today()), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="resultats-dispositif-{hp.pk}.xlsx"'
    return response


@login_required
@require_GET
def housing_report(request: HttpRequest, pk: int) -> HttpResponse:
    hp = selectors.housing_programme_for_page(request.user, pk)
    try:
        period = results_selectors.parse_period(request.GET.get("periode") or str(policy.today().year))
    except ValueError as error:
        raise Http404(str(error)) from error
    return render(
        request,
        "operations/housing/programmes/report.html",
        {**_header(request, hp), "report": results_selectors.report_data(hp, period, request.user)},
    )
