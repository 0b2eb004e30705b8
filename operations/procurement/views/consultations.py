"""Consultations: the programme's procurement list (filters, next deadline, calendar) and its XLSX, a
consultation's page (procedure and thresholds, split-purchase warning, timeline, lots, criteria), create/edit,
the status workflow, lots and criteria.

The programme's readers and the mayors of its communes read (a mayor sees the consultations of their commune);
managers write (policy.can_manage_procurement). Out of scope → 404, in scope without the right → 403.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from operations.procurement.exports import procurement_xlsx
from operations.procurement.forms.consultations import (
    ConsultationForm,
    CriteriaFormSet,
    FilterForm,
    LotForm,
    StatusForm,
)
from operations.procurement.models import Consultation, ConsultationStatus, Lot
from operations.procurement.selectors import consultations as selectors
from operations.procurement.services import consultations as services
from operations.procurement.thresholds import MissingThreshold, Purchase, load_thresholds, required_procedure
from operations.selectors.operations import programme_for_operations
from programmes.models import Programme
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.xlsx import XLSX_CONTENT_TYPE


def _header(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_edit": policy.can_manage_procurement(request.user, programme),
    }


def _filters(request: HttpRequest, programme: Programme) -> tuple[FilterForm, selectors.Filters]:
    form = FilterForm(request.GET or None, choices=selectors.filter_choices(request.user, programme))
    filters = selectors.Filters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.Filters(
            statuses=tuple(data["statut"]),
            nature=data["nature"],
            procedure=data["procedure"],
            year=data["annee"],
            operation=data["operation"],
        )
    return form, filters


@login_required
@require_GET
def procurement(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_operations(request.user, pk)
    form, filters = _filters(request, programme)
    day = policy.today()
    query = request.GET.urlencode()
    return render(
        request,
        "operations/procurement/consultations/list.html",
        {
            **_header(request, programme),
            "filter_form": form,
            "data": selectors.procurement_list(request.user, programme, filters, day=day),
            "day": day,
            "export_query": f"?{query}" if query else "",
        },
    )


@login_required
@require_GET
def procurement_export(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_operations(request.user, pk)
    _, filters = _filters(request, programme)
    day = policy.today()
    data = selectors.procurement_list(request.user, programme, filters, day=day)
    response = HttpResponse(procurement_xlsx(programme, data, day=day), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="marches-{slugify(programme.name)}.xlsx"'
    return response


def _preview(form: ConsultationForm, programme: Programme, pk: int | None) -> dict[str, object]:
    """The procedure and split-purchase warnings of the need entered in the form (valid or not yet saved)."""
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    nature, value, launch = data.get("nature"), data.get("estimated_value_ht"), data.get("launch_date")
    if not (nature and value is not None and launch):
        return {}
    thresholds = load_thresholds()
    try:
        requirement = required_procedure(nature, value, launch, thresholds)
    except MissingThreshold as error:
        return {"preview_missing": str(error)}
    candidate = Purchase(
        data.get("reference") or "(nouvelle)",
        data.get("title") or "",
        value,
        launch,
        pk,
        data.get("cpv_code") or "",
    )
    return {
        "preview": requirement,
        "preview_warnings": selectors.split_warnings_for(
            programme, candidate, nature=nature, thresholds=thresholds
        ),
    }


def _fields(data: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in data.items() if k not in ("version", "operations")}


@login_required
def consultation_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_operations(request.user, pk)
    policy.require(policy.can_manage_procurement(request.user, programme))
    initial = {"buyer": programme.epci_id, "launch_date": policy.today()}
    operation_id = request.GET.get("operation", "")
    if operation_id.isdigit():
        initial["operations"] = [int(operation_id)]
    form = ConsultationForm(request.POST or None, initial=initial, user=request.user, programme=programme)
    extra: dict[str, object] = {}
    if request.method == "POST" and form.is_valid():
        extra = _preview(form, programme, None)
        if "preview" not in request.POST:
            created = run_service(
                request,
                form,
                "La consultation a été enregistrée avec la procédure requise par les seuils.",
                lambda: services.consultation_create(
                    programme=programme,
                    by=request.user,
                    operations=form.cleaned_data["operations"],
                    **_fields(form.cleaned_data),
                ),
            )
            if created is not None:
                return redirect("operations:consultation_detail", pk=created.pk)
    return render(
        request,
        "operations/procurement/consultations/form.html",
        {**_header(request, programme), "form": form, "title": "Nouvelle consultation", **extra},
    )


@login_required
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_for_page(request.user, pk)
    programme = consultation.programme
    policy.require(policy.can_manage_procurement(request.user, programme))
    form = ConsultationForm(
        request.POST or None, instance=consultation, user=request.user, programme=programme
    )
    extra: dict[str, object] = {}
    if request.method == "POST" and form.is_valid():
        extra = _preview(form, programme, consultation.pk)
        if "preview" not in request.POST:
            saved = run_service(
                request,
                form,
                "La consultation a été enregistrée.",
                lambda: services.consultation_update(
                    consultation=consultation,
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                    operations=form.cleaned_data["operations"],
                    **_fields(form.cleaned_data),
                ),
            )
            if saved is not None:
                return redirect("operations:consultation_detail", pk=saved.pk)
    elif request.method != "POST":
        extra = _preview_saved(consultation)
    return render(
        request,
        "operations/procurement/consultations/form.html",
        {
            **_header(request, programme),
            "form": form,
            "consultation": consultation,
            "title": f"Modifier « {consultation} »",
            **extra,
        },
    )


def _preview_saved(consultation: Consultation) -> dict[str, object]:
    candidate = Purchase(
        consultation.reference,
        consultation.title,
        consultation.estimated_value_ht,
        consultation.launch_date,
        consultation.pk,
        consultation.cpv_code,
    )
    return {
        "preview_warnings": selectors.split_warnings_for(
            consultation.programme, candidate, nature=consultation.nature
        )
    }


@login_required
@require_GET
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_for_page(request.user, pk)
    header = _header(request, consultation.programme)
    day = policy.today()
    ctx: dict[str, object] = {
        **header,
        "consultation": consultation,
        "page": selectors.consultation_page(consultation, day=day),
        "day": day,
        "status_form": StatusForm(consultation=consultation)
        if header["can_edit"] and services.allowed_targets(consultation)
        else None,
        "draft": consultation.status in services.DRAFT_STATUSES,
    }
    # --- bids context (issue 6, bids) ---
    from operations.procurement.selectors.bids import consultation_report

    ctx["bids_report"] = consultation_report(request.user, consultation)
    ctx["bids_can_edit"] = header["can_edit"]
    return render(request, "operations/procurement/consultations/detail.html", ctx)


@login_required
@require_POST
def consultation_status(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_for_page(request.user, pk)
    policy.require(policy.can_manage_procurement(request.user, consultation.programme))
    form = StatusForm(request.POST, consultation=consultation)
    if not form.is_valid():
        if "status" in form.errors:
            messages.error(
                request,
                f"La consultation est maintenant « {consultation.get_status_display()} » : ce changement de "
                "statut n'est plus possible. La page montre son état actuel.",
            )
        else:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label} : {error}" if label else error)
        return redirect("operations:consultation_detail", pk=consultation.pk)
    data = form.cleaned_data
    run_service(
        request,
        form,
        f"Statut de la consultation : « {ConsultationStatus(data['status']).label} ».",
        lambda: services.consultation_change_status(
            consultation=consultation,
            status=data["status"],
            by=request.user,
            comment=data["comment"],
            expected_version=data["version"],
            **form.evidence(),
        ),
    )
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)
    return redirect("operations:consultation_detail", pk=consultation.pk)


@login_required
def lot_create(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_for_page(request.user, pk)
    policy.require(policy.can_manage_procurement(request.user, consultation.programme))
    form = LotForm(request.POST or None, user=request.user, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Le lot a été ajouté.",
            lambda: services.lot_create(consultation=consultation, by=request.user, **form.cleaned_data),
        )
        if saved is not None:
            return redirect("operations:consultation_detail", pk=consultation.pk)
    return render(
        request,
        "operations/procurement/consultations/lot_form.html",
        {
            **_header(request, consultation.programme),
            "form": form,
            "consultation": consultation,
            "title": f"Ajouter un lot à « {consultation} »",
        },
    )


@login_required
def lot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lot = policy.get_for_user(Lot.objects.select_related("consultation"), request.user, pk=pk)
    consultation = selectors.consultation_for_page(request.user, lot.consultation_id)
    policy.require(policy.can_manage_procurement(request.user, consultation.programme))
    form = LotForm(request.POST or None, instance=lot, user=request.user, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Le lot a été enregistré.",
            lambda: services.lot_update(lot=lot, by=request.user, **form.cleaned_data),
        )
        if saved is not None:
            return redirect("operations:consultation_detail", pk=consultation.pk)
    return render(
        request,
        "operations/procurement/consultations/lot_form.html",
        {
            **_header(request, consultation.programme),
            "form": form,
            "consultation": consultation,
            "title": f"Modifier le lot {lot.number} — {lot.title}",
        },
    )


@login_required
def criteria_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_for_page(request.user, pk)
    policy.require(policy.can_manage_procurement(request.user, consultation.programme))
    existing = list(consultation.criteria.select_related("parent").order_by("position", "pk"))
    initial = [
        {
            "key": c.position,
            "kind": c.kind,
            "name": c.name,
            "weight_percent": (c.weight * 100).normalize(),
            "max_score": c.max_score,
            "parent_key": c.parent.position if c.parent_id else None,
        }
        for c in existing
    ]
    formset = CriteriaFormSet(
        request.POST if request.method == "POST" else None, initial=initial, prefix="criteres"
    )
    if request.method == "POST" and formset.is_valid():
        holder = forms.Form({})
        holder.is_valid()
        rows = [
            services.CriterionData(
                key=r["key"],
                kind=r["kind"],
                name=r["name"],
                weight=r["weight_percent"] / 100,
                max_score=r["max_score"],
                parent_key=r["parent_key"],
            )
            for r in formset.rows()
        ]
        saved = run_service(
            request,
            holder,
            "Les critères d'attribution ont été enregistrés.",
            lambda: services.criteria_set(consultation=consultation, by=request.user, criteria=rows),
        )
        if saved is not None:
            problems = services.criteria_problems(saved)
            for problem in problems:
                messages.warning(request, problem)
            return redirect("operations:consultation_detail", pk=consultation.pk)
        for error in holder.non_field_errors():
            messages.error(request, error)
    return render(
        request,
        "operations/procurement/consultations/criteria_form.html",
        {
            **_header(request, consultation.programme),
            "formset": formset,
            "consultation": consultation,
            "editable": consultation.status in services.DRAFT_STATUSES,
        },
    )
