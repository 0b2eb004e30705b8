"""The access policy's scoped lists, timed without a page around them.

No page lists organisations yet, but every future directory, filter or choice field will ask
`policy.visible_to` for one: its cost at national scale is measured here, where a page cannot hide it.
Subsidy requests and financing lines are what the money pages filter (issue 5): for the national partner,
every row of the country.
Imported after django.setup().
"""

import statistics
import time
from dataclasses import asdict, dataclass

from django.db.models import Model

from bench.dataset import NATIONAL_PARTNER_EMAIL
from bench.pages import MANAGER_EMAIL, MAYOR_EMAIL, RUNS, WARMUPS
from budget.models import FinancingLine, SubsidyRequest
from operations.models import HousingProgramme
from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts.models import User


@dataclass(frozen=True)
class ScopedList:
    key: str
    label: str
    email: str
    model: type[Model]


@dataclass
class ScopedListResult:
    key: str
    label: str
    rows: int
    median_ms: float
    p95_ms: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


SCOPED_LISTS = [
    ScopedList("organisations_manager", "Organisations — cheffe de projet", MANAGER_EMAIL, Organisation),
    ScopedList("organisations_mayor", "Organisations — maire", MAYOR_EMAIL, Organisation),
    ScopedList(
        "organisations_partner", "Organisations — partenaire national", NATIONAL_PARTNER_EMAIL, Organisation
    ),
    ScopedList("programmes_manager", "Programmes — cheffe de projet", MANAGER_EMAIL, Programme),
    ScopedList(
        "housing_programmes_manager",
        "Dispositifs habitat — cheffe de projet",
        MANAGER_EMAIL,
        HousingProgramme,
    ),
    ScopedList(
        "subsidy_requests_manager", "Demandes de subvention — cheffe de projet", MANAGER_EMAIL, SubsidyRequest
    ),
    ScopedList("subsidy_requests_mayor", "Demandes de subvention — maire", MAYOR_EMAIL, SubsidyRequest),
    ScopedList(
        "subsidy_requests_partner",
        "Demandes de subvention — partenaire national",
        NATIONAL_PARTNER_EMAIL,
        SubsidyRequest,
    ),
    ScopedList(
        "financing_lines_manager", "Lignes de financement — cheffe de projet", MANAGER_EMAIL, FinancingLine
    ),
    ScopedList("financing_lines_mayor", "Lignes de financement — maire", MAYOR_EMAIL, FinancingLine),
    ScopedList(
        "financing_lines_partner",
        "Lignes de financement — partenaire national",
        NATIONAL_PARTNER_EMAIL,
        FinancingLine,
    ),
]


def measure_scoped_lists() -> list[ScopedListResult]:
    """`list(Model.objects.visible_to(user))`: the SQL of the rule and the loading of the rows.

    The user's scope is computed once (it is cached on the user object, as within a request).
    """
    results = []
    for spec in SCOPED_LISTS:
        user = User.objects.get(email=spec.email)
        for _ in range(WARMUPS):
            rows = len(spec.model.objects.visible_to(user))
        samples = []
        for _ in range(RUNS):
            start = time.perf_counter()
            list(spec.model.objects.visible_to(user))
            samples.append((time.perf_counter() - start) * 1000)
        results.append(
            ScopedListResult(
                key=spec.key,
                label=spec.label,
                rows=rows,
                median_ms=statistics.median(samples),
                p95_ms=statistics.quantiles(samples, n=20, method="inclusive")[18],
            )
        )
    return results
