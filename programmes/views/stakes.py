"""Stakes (enjeux) of a programme: the list grouped by theme, a stake's page, create/edit, export.

Mayors read their commune's stakes and those common to the programme (policy rule); managers write.
"""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from programmes.forms.documents import StakeFilter, StakeForm
from programmes.selectors import strategy as selectors
from programmes.services import documents as services
from programmes.strategy_exports import stakes_xlsx
from programmes.views._strategy import programme_context, xlsx_response
from pvd.accounts import policy
from pvd.actions import run_service


@login_required
@require_GET
def stake_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_strategy(request.user, pk)
    filterset = StakeFilter(
        request.GET or None,
        queryset=selectors.stakes_for_page(request.user, programme),
        user=request.user,
        programme=programme,
    )
    stakes = list(filterset.qs)
    ctx = {
        **programme_context(request, programme),
        "filter": filterset,
        "count": len(stakes),
        "groups": [(theme, list(rows)) for theme, rows in groupby(stakes, key=lambda s: s.theme)],
    }
    return render(request, "programmes/stakes/list.html", ctx)


@login_required
@require_GET
def stake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    stake = selectors.stake_for_page(request.user, pk)
    ctx = {
        **programme_context(request, stake.programme),
        "stake": stake,
    }
    return render(request, "programmes/stakes/detail.html", ctx)


def _fields(data: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in data.items() if name != "version"}


@login_required
def stake_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_strategy(request.user, pk)
    policy.require(policy.can_edit_strategy(request.user, programme))
    form = StakeForm(request.POST or None, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        stake = run_service(
            request,
            form,
            "L'enjeu a été enregistré.",
            lambda: services.stake_create(programme=programme, by=request.user, **_fields(form.cleaned_data)),
        )
        if stake is not None:
            return redirect("programmes:stake_detail", pk=stake.pk)
    return render(
        request, "programmes/stakes/form.html", {**programme_context(request, programme), "form": form}
    )


@login_required
def stake_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stake = selectors.stake_for_page(request.user, pk)
    programme = stake.programme
    policy.require(policy.can_edit_strategy(request.user, programme))
    form = StakeForm(request.POST or None, instance=stake, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            request,
            form,
            "L'enjeu a été enregistré.",
            lambda: services.stake_update(
                stake=stake, expected_version=data["version"], by=request.user, **_fields(data)
            ),
        )
        if saved is not None:
            return redirect("programmes:stake_detail", pk=saved.pk)
    return render(
        request,
        "programmes/stakes/form.html",
        {**programme_context(request, programme), "form": form, "stake": stake},
    )


@login_required
@require_GET
def stake_export(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_strategy(request.user, pk)
    content = stakes_xlsx(selectors.stakes_for_page(request.user, programme))
    return xlsx_response(content, f"enjeux-{slugify(programme.name)}.xlsx")
