"""The programme dashboard (issue 10, H3): for the programme's manager, referent and partners (and staff).

Mayors, operators and everybody else get 404 (a mayor reads their commune's page). The figures come from
`pvd.dashboards.programme`, which reads each app through its selectors.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pvd.accounts import policy
from pvd.dashboards import programme as dashboard


@login_required
@require_GET
def programme_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    programme = dashboard.dashboard_programme(request.user, pk)
    day = policy.today()
    ctx = {
        "programme": programme,
        "dashboard": dashboard.programme_dashboard(request.user, programme, day=day),
    }
    return render(request, "pages/dashboard.html", ctx)
