"""Subsidy requests: the programme's pipeline (and its XLSX), a request's page with its deadlines, payments and
history, create/edit, the status workflow, the allocation to operations, payments, receipts, adjustments.

The programme's readers and the mayors of its communes open the pipeline (a mayor sees only their commune's
requests); managers write (policy.can_edit_budget). Out of scope → 404, in scope without the right → 403.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from budget.exports.subsidies import subsidies_xlsx
from budget.forms.subsidies import (
    AdjustmentForm,
    PaymentForm,
    PipelineFilterForm,
    ReceiptForm,
    StatusForm,
    SubsidyRequestEditForm,
    SubsidyRequestForm,
    allocation_formset,
)
from budget.models import FinancingLine, SubsidyPayment, SubsidyRequest
from budget.selectors import subsidies as selectors
from budget.services import subsidies as services
from operations.models import Operation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.xlsx import XLSX_CONTENT_TYPE


def _header(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_edit": policy.can_edit_budget(request.user, programme),
    }


def _filters(request: HttpRequest, programme: Programme) -> tuple[PipelineFilterForm, selectors.Filters]:
    form = PipelineFilterForm(request.GET or None, choices=selectors.filter_choices(request.user, programme))
    filters = selectors.Filters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.Filters(
            statuses=data["statut"],
            funder=data["financeur"],
            scheme=data["dispositif"],
            operation=data["operation"],
            within_days=data["echeance"],
        )
    return form, filters


@login_required
@require_GET
def subsidy_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_subsidies(request.user, pk)
    form, filters = _filters(request, programme)
    day = policy.today()
    data = selectors.pipeline(request.user, programme, filters, day)
    page = Paginator(data.requests, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    return render(
        request,
        "budget/subsidies/list.html",
        {
            **_header(request, programme),
            "filter_form": form,
            "pipeline": data,
            "page": page,
            "day": day,
            "query": query,
            "export_query": f"?{query}" if query else "",
        },
    )


@login_required
@require_GET
def subsidy_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_subsidies(request.user, pk)
    _, filters = _filters(request, programme)
    day = policy.today()
    data = selectors.pipeline(request.user, programme, filters, day)
    payments = list(
        SubsidyPayment.objects.visible_to(request.user)
        .filter(request__in=[r.pk for r in data.requests])
        .select_related("request", "request__funder")
        .order_by("request__title", "requested_on", "pk")
    )
    content = subsidies_xlsx(programme, data, payments, day=day, user=request.user)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="subventions-{slugify(programme.name)}.xlsx"'
    return response


def _prefill(request: HttpRequest, programme: Programme) -> dict[str, object]:
    """?operation=&ligne=: the plan line's funder, scheme, base and amount."""
    initial: dict[str, object] = {}
    operation_id, line_id = request.GET.get("operation"), request.GET.get("ligne")
    operations = Operation.objects.visible_to(request.user).filter(programme=programme)
    if operation_id and operation_id.isdigit():
        operation = operations.filter(pk=int(operation_id)).select_related("owner").first()
        if operation is not None:
            initial.update(operation=operation.pk, beneficiary=operation.owner_id)
            initial["title"] = f"{operation.code} — {operation.title}"
    if line_id and line_id.isdigit():
        line = (
            FinancingLine.objects.visible_to(request.user)
            .filter(pk=int(line_id), plan__operation__in=operations)
            .select_related("plan__operation", "scheme")
            .first()
        )
        if line is not None:
            operation = line.plan.operation
            initial.update(
                operation=operation.pk,
                financing_line=line.pk,
                beneficiary=operation.owner_id,
                funder=line.funder_id,
                scheme=line.scheme_id,
                requested_base_ht=line.base_ht,
                requested_amount=line.amount_ht,
                title=f"{line.scheme.name if line.scheme_id else line.funder.name} — {operation.code} {operation.title}",
            )
    return initial


@login_required
def subsidy_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_subsidies(request.user, pk)
    policy.require(policy.can_edit_budget(request.user, programme))
    form = SubsidyRequestForm(
        request.POST or None,
        initial=None if request.method == "POST" else _prefill(request, programme),
        user=request.user,
        programme=programme,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        operation, line = data.pop("operation"), data.pop("financing_line")
        allocations = [(operation, line, data["requested_amount"])] if operation is not None else []
        created = run_service(
            request,
            form,
            "La demande de subvention a été enregistrée.",
            lambda: services.request_create(
                programme=programme, data=data, allocations=allocations, by=request.user
            ),
        )
        if created is not None:
            return redirect("budget:subsidy_detail", pk=created.pk)
    return render(
        request,
        "budget/subsidies/form.html",
        {**_header(request, programme), "form": form, "title": "Nouvelle demande de subvention"},
    )


@login_required
@require_GET
def subsidy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subsidy = selectors.request_for_page(request.user, pk)
    header = _header(request, subsidy.programme)
    day = policy.today()
    page = selectors.request_page(subsidy, day)
    can_edit = header["can_edit"]
    return render(
        request,
        "budget/subsidies/detail.html",
        {
            **header,
            "subsidy": subsidy,
            "page": page,
            "day": day,
            "award_rate": subsidy.awarded_amount / subsidy.awarded_base_ht
            if subsidy.awarded_amount is not None and subsidy.awarded_base_ht
            else None,
            "status_form": StatusForm(request=subsidy)
            if can_edit and services.TRANSITIONS[subsidy.status]
            else None,
            "can_pay": can_edit
            and subsidy.status in services.PAYABLE_STATUSES
            and subsidy.awarded_amount is not None,
        },
    )


@login_required
def subsidy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subsidy = selectors.request_for_page(request.user, pk)
    programme = subsidy.programme
    policy.require(policy.can_edit_budget(request.user, programme))
    form = SubsidyRequestEditForm(
        request.POST or None, instance=subsidy, user=request.user, programme=programme
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        saved = run_service(
            request,
            form,
            "La demande a été enregistrée.",
            lambda: services.request_update(
                request=subsidy, data=data, expected_version=form.cleaned_data["version"], by=request.user
            ),
        )
        if saved is not None:
            return redirect("budget:subsidy_detail", pk=saved.pk)
    return render(
        request,
        "budget/subsidies/form.html",
        {**_header(request, programme), "form": form, "subsidy": subsidy, "title": f"Modifier « {subsidy} »"},
    )


@login_required
@require_POST
def subsidy_status(request: HttpRequest, pk: int) -> HttpResponse:
    subsidy = selectors.request_for_page(request.user, pk)
    policy.require(policy.can_edit_budget(request.user, subsidy.programme))
    form = StatusForm(request.POST, request=subsidy)
    if not form.is_valid():
        if "status" in form.errors:
            messages.error(
                request,
                f"La demande est maintenant « {subsidy.get_status_display()} » : ce changement de statut n'est "
                "plus possible. La page montre son état actuel.",
            )
        else:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label} : {error}" if label else error)
        return redirect("budget:subsidy_detail", pk=subsidy.pk)
    data = form.cleaned_data
    label = SubsidyRequest.Status(data["status"]).label
    run_service(
        request,
        form,
        f"Statut de la demande : « {label} ».",
        lambda: services.change_status(
            request=subsidy,
            status=data["status"],
            by=request.user,
            comment=data["comment"],
            expected_version=data["version"],
            **form.evidence(),
        ),
    )
    for error in form.non_field_errors():
        messages.error(request, error)
    for field, errors in form.errors.items():
        if field != "__all__":
            for error in errors:
                messages.error(request, error)
    return redirect("budget:subsidy_detail", pk=subsidy.pk)


@login_required
def subsidy_allocations(request: HttpRequest, pk: int) -> HttpResponse:
    subsidy = selectors.request_for_page(request.user, pk)
    programme = subsidy.programme
    policy.require(policy.can_edit_budget(request.user, programme))
    initial = [
        {"operation": a.operation_id, "financing_line": a.financing_line_id, "amount": a.amount}
        for a in subsidy.allocations.order_by("operation__code", "pk")
    ]
    formset = allocation_formset(
        request.POST if request.method == "POST" else None,
        request=subsidy,
        user=request.user,
        initial=initial,
    )
    if request.method == "POST" and formset.is_valid():
        errors = forms.Form({})
        errors.is_valid()
        saved = run_service(
            request,
            errors,
            "La répartition entre les opérations a été enregistrée.",
            lambda: services.set_allocations(
                request=subsidy, allocations=formset.allocations(), by=request.user
            ),
        )
        if saved is not None:
            return redirect("budget:subsidy_detail", pk=subsidy.pk)
        for error in errors.non_field_errors():
            messages.error(request, error)
    return render(
        request,
        "budget/subsidies/allocations.html",
        {**_header(request, programme), "subsidy": subsidy, "formset": formset},
    )


@login_required
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    subsidy = selectors.request_for_page(request.user, pk)
    programme = subsidy.programme
    policy.require(policy.can_edit_budget(request.user, programme))
    form = PaymentForm(request.POST or None, subsidy=subsidy)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            request,
            form,
            "Le versement a été enregistré.",
            lambda: services.record_payment(request=subsidy, by=request.user, **data),
        )
        if saved is not None:
            return redirect("budget:subsidy_detail", pk=subsidy.pk)
    page = selectors.request_page(subsidy, policy.today())
    return render(
        request,
        "budget/subsidies/payment_form.html",
        {
            **_header(request, programme),
            "subsidy": subsidy,
            "form": form,
            "caps": page.caps,
            "rule": page.rule,
        },
    )


@login_required
def payment_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    payment = policy.get_for_user(
        SubsidyPayment.objects.select_related("request", "request__programme"), request.user, pk=pk
    )
    subsidy = payment.request
    programme = subsidy.programme
    policy.require(policy.can_edit_budget(request.user, programme))
    form = ReceiptForm(
        request.POST or None,
        payment=payment,
        initial={
            "received_on": payment.received_on,
            "revenue_order_reference": payment.revenue_order_reference,
        },
    )
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "L'encaissement a été enregistré.",
            lambda: services.record_receipt(payment=payment, by=request.user, **form.cleaned_data),
        )
        if saved is not None:
            return redirect("budget:subsidy_detail", pk=subsidy.pk)
    return render(
        request,
        "budget/subsidies/receipt_form.html",
        {**_header(request, programme), "subsidy": subsidy, "payment": payment, "form": form},
    )


@login_required
def adjustment_create(request: HttpRequest, pk: int) -> HttpResponse:
    subsidy = selectors.request_for_page(request.user, pk)
    programme = subsidy.programme
    policy.require(policy.can_edit_budget(request.user, programme))
    form = AdjustmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "La réduction ou le reversement a été enregistré.",
            lambda: services.record_adjustment(request=subsidy, by=request.user, **form.cleaned_data),
        )
        if saved is not None:
            return redirect("budget:subsidy_detail", pk=subsidy.pk)
    return render(
        request,
        "budget/subsidies/adjustment_form.html",
        {**_header(request, programme), "subsidy": subsidy, "form": form},
    )
