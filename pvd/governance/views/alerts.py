"""The alerts list, an alert's page and acknowledging it (issue 8, H5).

Access (pvd/accounts/policy.py): the list opens to every logged-in user, with the rows `Alert.objects.visible_to`
gives (the programmes' managers and referents; mayors, partners and operators see an empty list); an alert's page
is 404 outside that scope; acknowledging (POST) is for the programme's managers and referents (staff included,
by `can_read_alerts`). « Préparer un arbitrage » posts to H3's `governance:arbitration_from_alert` for managers.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from pvd.accounts import policy
from pvd.errors import DomainError
from pvd.governance.alerts import engine
from pvd.governance.forms.alerts import AlertFilterForm
from pvd.governance.models import AlertStatus
from pvd.governance.selectors import alerts as selectors

PAGE_SIZE = 25


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    """The alerts the user may see, active by default, filtered, the most serious first, 25 a page."""
    choices = selectors.filter_choices(request.user)
    form = AlertFilterForm(request.GET or None, **choices.as_kwargs())
    filters = form.active_filters() if request.GET else {"statut": "active"}
    page = Paginator(selectors.alerts_for_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    ctx = {
        "form": form,
        "filtered": bool(set(filters) - {"statut"}) or filters.get("statut", "active") != "active",
        "page": page,
        "alerts": selectors.decorate(page.object_list),
        "has_scope": bool(choices.programmes),
    }
    return render(request, "governance/alert_list.html", ctx)


@login_required
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What, why, when, the object, who owns it, the decision level, its timeline and its notifications."""
    alert = selectors.alert_for_page(request.user, pk)
    programme = alert.programme
    ctx = {
        "alert": alert,
        "page": selectors.alert_page(alert),
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_acknowledge": policy.can_read_alerts(request.user, programme)
        and alert.status in engine.ACKNOWLEDGEABLE,
        "can_prepare_arbitration": policy.can_manage_governance(request.user, programme)
        and alert.status != AlertStatus.RESOLVED,
    }
    return render(request, "governance/alert_detail.html", ctx)


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the alert into account: it stops its escalation; who and when are recorded."""
    alert = selectors.alert_for_page(request.user, pk)
    policy.require(policy.can_read_alerts(request.user, alert.programme))
    comment = (request.POST.get("commentaire") or "").strip()[:1000]
    try:
        engine.acknowledge(alert=alert, by=request.user, comment=comment)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "L'alerte est prise en compte : elle ne sera plus remontée.")
    return redirect("governance:alert", pk=alert.pk)
