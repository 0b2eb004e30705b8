"""Pages that combine several apps (home, programme overview, commune page) and the health check.

They sit in the project package, above the apps, and read each app through its selectors.py
(ARCHITECTURE.md §1; docs/decisions/0002-cross-app-pages.md).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from operations import selectors as operations_selectors
from partners import selectors as partners_selectors
from programmes import selectors as programmes_selectors
from pvd.accounts import policy
from pvd.celery import app as celery_app
from pvd.dashboards import views_commune

HOME_PAGE_SIZE = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user where their role needs them; list the choices when there are several."""
    # National partners and administrators reach hundreds of programmes: the lists are paginated.
    programmes = Paginator(programmes_selectors.programmes_for_home(request.user), HOME_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    communes = list(partners_selectors.mayor_communes(request.user))
    housing_programmes = Paginator(
        operations_selectors.housing_programmes_for_home(request.user), HOME_PAGE_SIZE
    )
    housing_page = housing_programmes.get_page(request.GET.get("page_habitat"))
    destinations = programmes.paginator.count + len(communes) + housing_programmes.count
    if destinations == 1 and programmes.paginator.count:
        return redirect("programme", pk=programmes[0].pk)
    if destinations == 1 and communes:
        return redirect("commune", insee_code=communes[0].insee_code)
    ctx = {
        "programmes": programmes,
        "communes": communes,
        "housing_programmes": housing_page,
    }
    return render(request, "pages/home.html", ctx)


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme overview for its manager, referent and partners."""
    programme = programmes_selectors.programme_for_page(request.user, pk)
    ctx = {
        "programme": programme,
        "communes": programme.communes.all(),
        "team": programme.active_memberships,
        "housing_programmes": operations_selectors.housing_programmes_of_programme(programme.pk),
        "can_edit": policy.can_edit_programme(request.user, programme),
    }
    return render(request, "pages/programme.html", ctx)


@login_required
def commune_detail(request: HttpRequest, insee_code: str) -> HttpResponse:
    """The commune page a mayor reads: its operations by status with progress and lateness, what changed since
    the last visit, money, next deadlines, housing aggregates, indicators (issue 10, H4: built in
    pvd/dashboards/views_commune.py)."""
    return views_commune.commune_page(request, insee_code)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means unhealthy, and the detail is no one's business here
        return "error"
    return "ok"


def _broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "eager"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001
        return "error"
    return "ok"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database and the broker answer, 503 otherwise."""
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(value in {"ok", "eager"} for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
