"""Engineering needs of a programme: the list with totals per status, a need's page with its status
history and "who can help", create/edit, the status actions, export.

Mayors read their commune's needs and those common to the programme (policy rule); managers write.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from programmes.forms.needs import ACTIONS, ACTIONS_BY_STATUS, NeedFilter, NeedForm, NeedTransitionForm
from programmes.selectors import strategy as selectors
from programmes.services import needs as services
from programmes.services.errors import StrategyError
from programmes.strategy_exports import needs_xlsx
from programmes.views._strategy import programme_context, xlsx_response
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.concurrency import StaleObjectError


@login_required
@require_GET
def need_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_strategy(request.user, pk)
    filterset = NeedFilter(
        request.GET or None,
        queryset=selectors.needs_for_page(request.user, programme),
        user=request.user,
        programme=programme,
    )
    needs = filterset.qs
    totals = selectors.need_totals(needs)
    ctx = {
        **programme_context(request, programme),
        "filter": filterset,
        "needs": needs,
        "totals": totals,
        "total_count": sum(t.count for t in totals),
        "total_cost": sum((t.total for t in totals), start=Decimal("0.00")),
    }
    return render(request, "programmes/needs/list.html", ctx)


def _offer_url(offer_pk: int) -> str:
    """The catalogue's offer page when the partners app has one, else "" (the block shows the details)."""
    try:
        return reverse("partners:offer_detail", args=[offer_pk])
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_for_page(request.user, pk)
    can_edit = policy.can_edit_strategy(request.user, need.programme)
    suggestions = selectors.matching_offers(need, policy.today(), user=request.user)
    ctx = {
        **programme_context(request, need.programme),
        "need": need,
        "changes": selectors.status_changes(need),
        "suggestions": [(s, _offer_url(s.offer.pk)) for s in suggestions],
        "offer_url": _offer_url(need.offer_id) if need.offer_id else "",
        "can_edit": can_edit,
        "can_request": can_edit and "request" in ACTIONS_BY_STATUS[need.status],
        "actions": [
            (
                action,
                ACTIONS[action][1],
                NeedTransitionForm(user=request.user, need=need, action=action, prefix=action),
            )
            for action in ACTIONS_BY_STATUS[need.status]
        ]
        if can_edit
        else [],
    }
    return render(request, "programmes/needs/detail.html", ctx)


@require_POST
@login_required
def need_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """One status action, posted by the detail page's forms (prefixed by the action's name)."""
    need = selectors.need_for_page(request.user, pk)
    policy.require(policy.can_edit_strategy(request.user, need.programme))
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404("Action inconnue.")
    if action not in ACTIONS_BY_STATUS[need.status]:  # e.g. a page left open while a colleague acted
        messages.error(
            request,
            f"Le besoin est « {need.get_status_display()} » : l'action « {ACTIONS[action][1]} » n'est pas "
            "possible. La page montre maintenant son état actuel.",
        )
        return redirect("programmes:need_detail", pk=need.pk)
    form = NeedTransitionForm(request.POST, user=request.user, need=need, prefix=action)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("programmes:need_detail", pk=need.pk)
    data = form.cleaned_data
    target, _ = ACTIONS[action]
    try:
        services.need_change_status(
            need=need,
            target=target,
            expected_version=data["version"],
            by=request.user,
            on=data.get("on"),
            comment=data.get("comment", ""),
            offer=data.get("offer"),
            answer=data.get("answer", ""),
        )
    except (StrategyError, StaleObjectError) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Statut du besoin : « {need.Status(target).label} ».")
    return redirect("programmes:need_detail", pk=need.pk)


def _fields(data: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in data.items() if name != "version"}


@login_required
def need_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_strategy(request.user, pk)
    policy.require(policy.can_edit_strategy(request.user, programme))
    form = NeedForm(request.POST or None, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        need = run_service(
            request,
            form,
            "Le besoin d'ingénierie a été enregistré.",
            lambda: services.need_create(programme=programme, by=request.user, **_fields(form.cleaned_data)),
        )
        if need is not None:
            return redirect("programmes:need_detail", pk=need.pk)
    return render(
        request, "programmes/needs/form.html", {**programme_context(request, programme), "form": form}
    )


@login_required
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_for_page(request.user, pk)
    programme = need.programme
    policy.require(policy.can_edit_strategy(request.user, programme))
    form = NeedForm(request.POST or None, instance=need, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            request,
            form,
            "Le besoin d'ingénierie a été enregistré.",
            lambda: services.need_update(
                need=need, expected_version=data["version"], by=request.user, **_fields(data)
            ),
        )
        if saved is not None:
            return redirect("programmes:need_detail", pk=saved.pk)
    return render(
        request,
        "programmes/needs/form.html",
        {**programme_context(request, programme), "form": form, "need": need},
    )


@login_required
@require_GET
def need_export(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_strategy(request.user, pk)
    content = needs_xlsx(selectors.needs_for_page(request.user, programme))
    return xlsx_response(content, f"besoins-ingenierie-{slugify(programme.name)}.xlsx")
