"""Computing the measurements of computed indicators on demand (issue 10, H2): one indicator from its page, or all
the programme's from the list. POST only; the programme's managers (policy.can_manage_indicators → 403), out of
scope → 404. The nightly task does the same for every programme (tasks_compute)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from programmes.indicators.computations import refresh_computed, refresh_indicator
from programmes.indicators.models import Indicator
from programmes.models import Programme
from pvd.accounts import policy


def _report(request: HttpRequest, written: int) -> None:
    if written:
        messages.success(
            request, f"{written} mesure{'s' if written > 1 else ''} calculée{'s' if written > 1 else ''}"
        )
    else:
        messages.info(request, "Aucune valeur n'a changé")


@login_required
@require_POST
def indicator_compute(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = policy.get_for_user(Indicator.objects.select_related("programme"), request.user, pk=pk)
    policy.require(policy.can_manage_indicators(request.user, indicator.programme))
    if not indicator.is_computed:
        messages.error(request, "Cet indicateur est saisi ou importé : il n'y a rien à calculer.")
    elif indicator.archived:
        messages.error(request, "Cet indicateur est archivé : il n'est plus calculé.")
    else:
        _report(request, refresh_indicator(indicator=indicator, by=request.user))
    return redirect("programmes:indicator", pk=indicator.pk)


@login_required
@require_POST
def indicators_compute(request: HttpRequest, pk: int) -> HttpResponse:
    programme = policy.get_for_user(Programme.objects.all(), request.user, pk=pk)
    policy.require(policy.can_manage_indicators(request.user, programme))
    _report(request, refresh_computed(programme=programme, by=request.user))
    return redirect("programmes:indicators", pk=programme.pk)
