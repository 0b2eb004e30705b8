"""The action plan: the list of a programme's operations (filters, sorting, totals, bulk status change,
exports), an operation's page with its status workflow, create/edit.

Managers write; referents and partners read; mayors read their commune's operations (policy rule). Out of
scope → 404, in scope without the right → 403 (policy.get_for_user / policy.require).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from operations.exports import XLSX_CONTENT_TYPE, operations_csv, operations_xlsx
from operations.filters import SORTS, OperationFilter
from operations.forms.operation import BulkStatusForm, OperationForm, StatusForm
from operations.models import Operation, OperationStatus
from operations.participation.selectors.concertation import operation_concertation  # issue 11
from operations.selectors import operations as selectors
from operations.selectors.indicators import operation_indicators  # issue 10, H2
from operations.services import operation as services
from operations.services.errors import OperationError
from programmes.models import Programme
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.concurrency import StaleObjectError

# The tracking partials (phases, journal, risks) the operation page includes when they exist.
TRACKING_PARTIALS = [
    "operations/partials/_phases.html",
    "operations/partials/_journal.html",
    "operations/partials/_risks.html",
]


def _header(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_edit": policy.can_edit_operations(request.user, programme),
    }


def _filtered(request: HttpRequest, programme: Programme) -> OperationFilter:
    return OperationFilter(
        request.GET or None,
        queryset=selectors.action_plan(request.user, programme),
        user=request.user,
        programme=programme,
    )


def _sort_links(request: HttpRequest) -> dict[str, dict[str, str]]:
    """For each sortable column: the URL that sorts by it (ascending, or descending when it already is
    ascending), keeping the other parameters, and its aria-sort state."""
    current = request.GET.get("tri", "code")
    links = {}
    for key in SORTS:
        params = request.GET.copy()
        params["tri"] = f"-{key}" if current == key else key
        state = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
        links[key] = {"url": f"?{params.urlencode()}", "state": state}
    return links


@login_required
@require_GET
def operation_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_operations(request.user, pk)
    filterset = _filtered(request, programme)
    operations = filterset.qs
    header = _header(request, programme)
    query = request.GET.urlencode()
    ctx = {
        **header,
        "filter": filterset,
        "operations": operations,
        "totals": selectors.action_plan_totals(operations),
        "sort_links": _sort_links(request),
        "query": query,
        "bulk_form": BulkStatusForm(operations=Operation.objects.none()) if header["can_edit"] else None,
        "export_query": f"?{query}" if query else "",
    }
    return render(request, "operations/list.html", ctx)


def _list_url(pk: int, query: str) -> str:
    base = reverse("operations:list", args=[pk])
    # The query string the list was shown with, re-encoded so nothing but parameters comes through.
    params = QueryDict(query)
    return f"{base}?{urlencode(list(params.lists()), doseq=True)}" if params else base


@login_required
@require_POST
def operation_bulk_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the status of the checked operations, all or none (operations_bulk_change_status)."""
    programme = selectors.programme_for_operations(request.user, pk)
    policy.require(policy.can_edit_operations(request.user, programme))
    form = BulkStatusForm(
        request.POST,
        operations=policy.visible_to(Operation.objects.all(), request.user).filter(programme=programme),
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        data = form.cleaned_data
        try:
            changed = services.operations_bulk_change_status(
                operations=data["operations"], to=data["to"], by=request.user, comment=data["comment"]
            )
        except (OperationError, StaleObjectError) as error:
            messages.error(request, str(error))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            label = OperationStatus(data["to"]).label
            messages.success(
                request,
                f"{len(changed)} opération{'s' if len(changed) > 1 else ''} "
                f"passée{'s' if len(changed) > 1 else ''} au statut « {label} ».",
            )
    return redirect(_list_url(programme.pk, request.POST.get("query", "")))


def _export_rows(request: HttpRequest, pk: int) -> tuple[Programme, list[Operation]]:
    programme = selectors.programme_for_operations(request.user, pk)
    operations = selectors.with_calendar(_filtered(request, programme).qs)
    return programme, list(operations.prefetch_related("partners"))


@login_required
@require_GET
def operation_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    programme, operations = _export_rows(request, pk)
    response = HttpResponse(operations_xlsx(operations), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="plan-actions-{slugify(programme.name)}.xlsx"'
    return response


@login_required
@require_GET
def operation_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    programme, operations = _export_rows(request, pk)
    response = HttpResponse(operations_csv(operations), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-actions-{slugify(programme.name)}.csv"'
    return response


def _tracking_context(request: HttpRequest, operation: Operation) -> dict[str, object]:
    """The phases, journal and risks partials (another part of issue 4) when they exist."""
    partials = []
    for name in TRACKING_PARTIALS:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        partials.append(name)
    tracking = None
    if partials:
        try:
            from operations.selectors.tracking import tracking_for_page
        except ImportError:
            tracking_for_page = None
        if tracking_for_page is not None:
            tracking = tracking_for_page(request.user, operation)
    return {"tracking_partials": partials, "tracking": tracking}


@login_required
@require_GET
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_for_page(request.user, pk)
    header = _header(request, operation.programme)
    ctx = {
        **header,
        "operation": operation,
        "changes": selectors.status_changes(operation),
        "status_form": StatusForm(operation=operation)
        if header["can_edit"] and services.TRANSITIONS[operation.status]
        else None,
        **_tracking_context(request, operation),
        "concertation": operation_concertation(request.user, operation),  # issue 11, concertation
        "indicators": operation_indicators(request.user, operation),  # issue 10, H2
    }
    return render(request, "operations/detail.html", ctx)


@login_required
@require_POST
def operation_status(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_for_page(request.user, pk)
    policy.require(policy.can_edit_operations(request.user, operation.programme))
    form = StatusForm(request.POST, operation=operation)
    if not form.is_valid():
        if "to" in form.errors:  # e.g. a page left open while a colleague changed the status
            messages.error(
                request,
                f"L'opération est maintenant « {operation.get_status_display()} » : ce changement de statut "
                "n'est plus possible. La page montre son état actuel.",
            )
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect("operations:detail", pk=operation.pk)
    data = form.cleaned_data
    try:
        services.operation_change_status(
            operation=operation,
            to=data["to"],
            by=request.user,
            comment=data["comment"],
            expected_version=data["version"],
        )
    except (OperationError, StaleObjectError) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Statut de l'opération : « {OperationStatus(data['to']).label} ».")
    return redirect("operations:detail", pk=operation.pk)


def _fields(data: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in data.items() if name != "version"}


@login_required
def operation_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_operations(request.user, pk)
    policy.require(policy.can_edit_operations(request.user, programme))
    form = OperationForm(request.POST or None, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        operation = run_service(
            request,
            form,
            "L'opération a été ajoutée au plan d'actions.",
            lambda: services.operation_create(
                programme=programme, by=request.user, **_fields(form.cleaned_data)
            ),
        )
        if operation is not None:
            return redirect("operations:detail", pk=operation.pk)
    return render(request, "operations/form.html", {**_header(request, programme), "form": form})


@login_required
def operation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_for_page(request.user, pk)
    programme = operation.programme
    policy.require(policy.can_edit_operations(request.user, programme))
    form = OperationForm(request.POST or None, instance=operation, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            request,
            form,
            "L'opération a été enregistrée.",
            lambda: services.operation_update(
                operation=operation, expected_version=data["version"], by=request.user, **_fields(data)
            ),
        )
        if saved is not None:
            return redirect("operations:detail", pk=saved.pk)
    return render(
        request, "operations/form.html", {**_header(request, programme), "form": form, "operation": operation}
    )
