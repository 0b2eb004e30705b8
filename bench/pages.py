"""Server time and query count of the key pages, for four accounts, through django.test.Client.

The Client runs the whole request in-process (middleware, view, templates, SQL on PostgreSQL) without
a web server or network: what is measured is the server's own time. Imported after django.setup().
"""

import statistics
import time
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.dataset import NATIONAL_PARTNER_EMAIL  # a partner of every programme, created by the bench
from bench.urls import BARE_VIEW_URL
from operations.models import HousingProgramme, Operation
from programmes.models import Programme
from pvd.accounts.models import User

WARMUPS = 5
RUNS = 50

# The demo accounts of ARCHITECTURE.md §6: the same people are measured at 1× and at national scale.
MANAGER_EMAIL = "cheffe-de-projet@pvd.example"
MAYOR_EMAIL = "maire-wassy@pvd.example"
STAFF_EMAIL = "admin@pvd.example"
MAYOR_COMMUNE_INSEE = "52550"  # Wassy
DEMO_PROGRAMME_COMMUNE_INSEE = MAYOR_COMMUNE_INSEE
DEMO_OPERATION_CODE = "W-01"  # Requalification de la place Notre-Dame: in works, financed, subsidised
BUDGET_YEAR = 2026
DEMO_HOUSING_PROGRAMME = "OPAH-RU du centre-ville de Saint-Dizier"


@dataclass(frozen=True)
class PageSpec:
    key: str
    label: str
    persona: str  # "manager", "mayor", "staff" or "partner"
    url: str
    # The user's scope grows with the country (staff, partner of every programme): the page may change
    # shape between scales (a redirect becomes a list); what matters is how its time grows.
    scope_grows: bool = False


@dataclass
class PageResult:
    key: str
    label: str
    url: str
    scope_grows: bool
    status: int
    median_ms: float
    p95_ms: float
    ratio: float  # median / median of the bare authenticated view
    queries: int
    size_kb: float  # the response body
    samples_ms: list[float] = field(repr=False)
    sql: list[dict[str, object]] = field(repr=False)  # the queries of one request, with their time

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def demo_programme() -> Programme:
    return Programme.objects.get(communes__insee_code=DEMO_PROGRAMME_COMMUNE_INSEE)


def page_specs() -> list[PageSpec]:
    """The pages measured, the baseline first; URLs point at the demo programme and commune."""
    programme = demo_programme()
    return [
        *_site_pages(programme),
        *_money_pages(programme),
        *_housing_pages(),
        *_dashboard_pages(programme),  # issue 10, H3
        *_governance_pages(programme),  # issue 8, H7
    ]


def _governance_pages(programme: Programme) -> list[PageSpec]:
    """Governance (issue 8) for the demo programme: the alerts list, the decision register, « my week », the
    arbitration awaiting the referent and the last comité de projet. At national scale every programme has its
    bodies, meetings, decisions, arbitrations and alerts: these pages must not notice."""
    from pvd.governance.models import Arbitration, ArbitrationStatus, CommitteeKind, Meeting, MeetingStatus

    arbitration = Arbitration.objects.filter(programme=programme, status=ArbitrationStatus.SUBMITTED).first()
    meeting = (
        Meeting.objects.filter(
            committee__programme=programme,
            committee__kind=CommitteeKind.PROJECT_COMMITTEE,
            status=MeetingStatus.HELD,
        )
        .order_by("-starts_at")
        .first()
    )
    if arbitration is None or meeting is None:
        raise SystemExit(
            "La démo n'a pas d'arbitrage soumis ni de comité de projet tenu (pvd/governance/demo.py)."
        )
    register = reverse("governance:decisions", args=[programme.pk])
    meeting_url = reverse("governance:meeting", args=[meeting.pk])
    return [
        PageSpec(
            "alerts_manager",
            "Alertes actives — cheffe de projet",
            "manager",
            f"{reverse('governance:alerts')}?programme={programme.pk}",
        ),
        PageSpec("decisions_manager", "Registre des décisions — cheffe de projet", "manager", register),
        PageSpec("decisions_mayor", "Registre des décisions — maire", "mayor", register),
        PageSpec(
            "my_week_manager", "Ma semaine — cheffe de projet", "manager", reverse("governance:my_week")
        ),
        PageSpec(
            "arbitration_manager",
            f"Arbitrage {arbitration.reference} — cheffe de projet",
            "manager",
            reverse("governance:arbitration", args=[arbitration.pk]),
        ),
        PageSpec("meeting_manager", "Comité de projet tenu — cheffe de projet", "manager", meeting_url),
        PageSpec("meeting_mayor", "Comité de projet tenu — maire", "mayor", meeting_url),
    ]


def _dashboard_pages(programme: Programme) -> list[PageSpec]:
    """The programme dashboard (issue 10): a few aggregate queries over the whole programme, whatever the size
    of the country; the national partner reads it too (their scope grows, not what the page shows)."""
    url = reverse("programme_dashboard", args=[programme.pk])
    return [
        PageSpec("dashboard_manager", "Tableau de bord du programme — cheffe de projet", "manager", url),
        PageSpec(
            "dashboard_partner",
            "Tableau de bord du programme — partenaire national",
            "partner",
            url,
            scope_grows=True,
        ),
    ]


def _money_pages(programme: Programme) -> list[PageSpec]:
    """The action plan and the money pages of issue 5, for the demo programme and its operation W-01.

    The national partner reads one programme here: its scope grows, not what these pages show.
    """
    operation = Operation.objects.get(programme=programme, code=DEMO_OPERATION_CODE)
    action_plan = reverse("operations:list", args=[programme.pk])
    subsidies = reverse("budget:subsidies", args=[programme.pk])
    budget = f"{reverse('budget:programme_budget', args=[programme.pk])}?annee={BUDGET_YEAR}"
    return [
        PageSpec("action_plan_manager", "Plan d'action — cheffe de projet", "manager", action_plan),
        PageSpec("action_plan_mayor", "Plan d'action — maire", "mayor", action_plan),
        PageSpec(
            "operation_money_manager",
            f"Financement de {DEMO_OPERATION_CODE} — cheffe de projet",
            "manager",
            reverse("budget:operation_money", args=[operation.pk]),
        ),
        PageSpec("subsidies_manager", "Subventions — cheffe de projet", "manager", subsidies),
        PageSpec("subsidies_mayor", "Subventions — maire", "mayor", subsidies),
        PageSpec("subsidies_partner", "Subventions — partenaire national", "partner", subsidies),
        PageSpec("budget_manager", f"Budget {BUDGET_YEAR} — cheffe de projet", "manager", budget),
        PageSpec("budget_mayor", f"Budget {BUDGET_YEAR} — maire", "mayor", budget),
        PageSpec(
            "ppi_manager", "PPI — cheffe de projet", "manager", reverse("budget:ppi", args=[programme.pk])
        ),
    ]


def _housing_pages() -> list[PageSpec]:
    """The Saint-Dizier OPAH-RU of the demo (its manager reads named files): its file list, kanban and results. At
    national scale the country's ~350,000 files share the table; the pages must not notice."""
    housing_programme = HousingProgramme.objects.get(name__startswith=DEMO_HOUSING_PROGRAMME)
    pk = housing_programme.pk
    return [
        PageSpec(
            "housing_files_manager",
            "Dossiers ménages (OPAH-RU) — cheffe de projet",
            "manager",
            reverse("operations:housing_files", args=[pk]),
        ),
        PageSpec(
            "housing_kanban_manager",
            "Tableau des dossiers (OPAH-RU) — cheffe de projet",
            "manager",
            reverse("operations:housing_kanban", args=[pk]),
        ),
        PageSpec(
            "housing_results_manager",
            "Objectifs et réalisations (OPAH-RU) — cheffe de projet",
            "manager",
            reverse("operations:housing_results", args=[pk]),
        ),
    ]


def _site_pages(programme: Programme) -> list[PageSpec]:
    return [
        PageSpec("baseline", "Vue nue authentifiée (référence)", "manager", BARE_VIEW_URL),
        PageSpec("home_manager", "Accueil — cheffe de projet", "manager", "/"),
        PageSpec(
            "programme_manager", "Programme — cheffe de projet", "manager", f"/programmes/{programme.pk}/"
        ),
        PageSpec(
            "commune_manager",
            "Commune — cheffe de projet",
            "manager",
            f"/communes/{DEMO_PROGRAMME_COMMUNE_INSEE}/",
        ),
        PageSpec("home_mayor", "Accueil — maire (redirection)", "mayor", "/"),
        PageSpec("commune_mayor", "Commune — maire", "mayor", f"/communes/{MAYOR_COMMUNE_INSEE}/"),
        # Staff and a partner of every programme: their scope, and their home page, grow with the country.
        PageSpec("home_staff", "Accueil — administrateur", "staff", "/", scope_grows=True),
        PageSpec("home_partner", "Accueil — partenaire national", "partner", "/", scope_grows=True),
        PageSpec(
            "programme_partner",
            "Programme — partenaire national",
            "partner",
            f"/programmes/{programme.pk}/",
            scope_grows=True,
        ),
        PageSpec(
            "commune_partner",
            "Commune — partenaire national",
            "partner",
            f"/communes/{DEMO_PROGRAMME_COMMUNE_INSEE}/",
            scope_grows=True,
        ),
    ]


def _logged_in_client(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend")
    return client


def _get(client: Client, url: str) -> HttpResponse:
    response = client.get(url)
    if response.status_code not in {200, 302}:
        raise SystemExit(
            f"GET {url} a répondu {response.status_code} : le bench ne mesure que des pages servies."
        )
    return response


def _capture(client: Client, url: str) -> tuple[HttpResponse, list[dict[str, object]]]:
    """Response and SQL of one request. Run apart from the timed ones: capturing slows the cursor down."""
    with CaptureQueriesContext(connection) as capture:
        response = _get(client, url)
    # Read now: `captured_queries` slices the connection's log, which the next request clears.
    return response, [
        {"sql": _shorten(q["sql"]), "time_s": float(q["time"])} for q in capture.captured_queries
    ]


def _shorten(sql: str, limit: int = 1500) -> str:
    """Keeps the JSON readable: id lists inlined by the policy can make one statement 15,000 characters."""
    return sql if len(sql) <= limit else f"{sql[:limit]}… ({len(sql)} caractères)"


def measure_pages() -> list[PageResult]:
    """Every page of `page_specs()`, timed in rounds.

    Each round requests every page once, so that a load peak on the machine (another process, a
    checkpoint) spreads over all pages instead of skewing one of them and its ratio.
    """
    clients = {
        "manager": _logged_in_client(MANAGER_EMAIL),
        "mayor": _logged_in_client(MAYOR_EMAIL),
        "staff": _logged_in_client(STAFF_EMAIL),
        "partner": _logged_in_client(NATIONAL_PARTNER_EMAIL),
    }
    specs = page_specs()
    samples: dict[str, list[float]] = {spec.key: [] for spec in specs}
    with override_settings(ROOT_URLCONF="bench.urls"):
        for _ in range(WARMUPS):
            for spec in specs:
                _get(clients[spec.persona], spec.url)
        captures = {spec.key: _capture(clients[spec.persona], spec.url) for spec in specs}
        for _ in range(RUNS):
            for spec in specs:
                start = time.perf_counter()
                _get(clients[spec.persona], spec.url)
                samples[spec.key].append((time.perf_counter() - start) * 1000)

    baseline_ms = statistics.median(samples["baseline"])
    results = []
    for spec in specs:
        median = statistics.median(samples[spec.key])
        response, queries = captures[spec.key]
        results.append(
            PageResult(
                key=spec.key,
                label=spec.label,
                url=spec.url,
                scope_grows=spec.scope_grows,
                status=response.status_code,
                median_ms=median,
                p95_ms=statistics.quantiles(samples[spec.key], n=20, method="inclusive")[18],
                ratio=median / baseline_ms,
                queries=len(queries),
                size_kb=len(response.content) / 1024,
                samples_ms=samples[spec.key],
                sql=queries,
            )
        )
    return results
