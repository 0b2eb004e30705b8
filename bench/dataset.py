"""The national-scale dataset: 1,646 PVD programmes, each with its manager and its mayor, and a
partner of every programme. Their operations and money are in bench/money.py.

Everything is written in bulk (a few dozen queries in all). Imported after django.setup().
"""

import datetime
import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from simple_history.utils import bulk_create_with_history

from budget.models import (
    BudgetLine,
    Expense,
    FinancingLine,
    FinancingPlan,
    PaymentCredit,
    PlannedInvestment,
    ProgrammeAuthorisation,
    SubsidyAllocation,
    SubsidyPayment,
    SubsidyRequest,
)
from operations.models import HousingFile, HousingGrant, Operation
from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts.models import Membership, Role, User

PVD_PROGRAMME_COUNT = 1646  # the 1,646 communes of Petites Villes de Demain
MIN_POPULATION, MAX_POPULATION = 2_000, 20_000
BATCH_SIZE = 1000
BENCH_PASSWORD = "bench-pvd-pilot"  # nobody logs in with it: the bench uses force_login
NATIONAL_PARTNER_EMAIL = "bench-partenaire-national@pvd.example"

# The dates of a typical programme (those of the test factories).
SELECTED_ON = datetime.date(2020, 12, 14)
ADHESION_SIGNED_ON = datetime.date(2021, 10, 29)
ENDS_ON = datetime.date(2026, 12, 31)
MANAGER_SINCE = datetime.date(2021, 11, 15)
MAYOR_SINCE = datetime.date(2026, 3, 28)  # mayors elected after the municipal elections of March 2026


@dataclass(frozen=True)
class DatasetTiming:
    seconds: float
    programmes: int
    users: int
    memberships: int


@dataclass(frozen=True)
class Volumes:
    """Row counts that drive the cost of the pages, printed next to their timings."""

    communes: int
    epcis: int
    programmes: int
    users: int
    memberships: int
    operations: int
    financing_plans: int
    financing_lines: int
    subsidy_requests: int
    subsidy_allocations: int
    subsidy_payments: int
    planned_investments: int
    authorisations: int
    payment_credits: int
    budget_lines: int
    expenses: int
    housing_files: int = 0
    housing_grants: int = 0

    @classmethod
    def count(cls) -> "Volumes":
        return cls(
            communes=Organisation.objects.communes().count(),
            epcis=Organisation.objects.filter(kind=Organisation.Kind.EPCI).count(),
            programmes=Programme.objects.count(),
            users=User.objects.count(),
            memberships=Membership.objects.count(),
            operations=Operation.objects.count(),
            financing_plans=FinancingPlan.objects.count(),
            financing_lines=FinancingLine.objects.count(),
            subsidy_requests=SubsidyRequest.objects.count(),
            subsidy_allocations=SubsidyAllocation.objects.count(),
            subsidy_payments=SubsidyPayment.objects.count(),
            planned_investments=PlannedInvestment.objects.count(),
            authorisations=ProgrammeAuthorisation.objects.count(),
            payment_credits=PaymentCredit.objects.count(),
            budget_lines=BudgetLine.objects.count(),
            expenses=Expense.objects.count(),
            housing_files=HousingFile.objects.count(),
            housing_grants=HousingGrant.objects.count(),
        )


def pick_communes(count: int) -> list[Organisation]:
    """The first `count` communes by INSEE code with 2,000 to 20,000 inhabitants and an EPCI.

    Communes already in a programme (the demo's) are left out, so that each commune has one programme.
    """
    communes = list(
        Organisation.objects.communes()
        .filter(population__gte=MIN_POPULATION, population__lte=MAX_POPULATION, epci__isnull=False)
        .exclude(programmes__isnull=False)
        .order_by("insee_code")[:count]
    )
    if len(communes) < count:
        raise SystemExit(f"Seulement {len(communes)} communes éligibles, {count} attendues.")
    return communes


@transaction.atomic
def create_national_programmes(count: int = PVD_PROGRAMME_COUNT) -> DatasetTiming:
    """One programme per picked commune, with a manager and a mayor (one new user each)."""
    start = time.perf_counter()
    communes = pick_communes(count)

    # Programmes get their "created" history record, as they would through the application.
    programmes = bulk_create_with_history(
        [
            Programme(
                name=f"Petites Villes de Demain — {commune.name}",
                epci_id=commune.epci_id,
                selected_on=SELECTED_ON,
                adhesion_signed_on=ADHESION_SIGNED_ON,
                ends_on=ENDS_ON,
            )
            for commune in communes
        ],
        Programme,
        batch_size=BATCH_SIZE,
        default_change_reason="Jeu de données du bench",
    )
    ProgrammeCommune = Programme.communes.through
    ProgrammeCommune.objects.bulk_create(
        [
            ProgrammeCommune(programme_id=programme.pk, organisation_id=commune.pk)
            for programme, commune in zip(programmes, communes, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )

    # Hashing is slow on purpose: hash once and share the hash.
    password = make_password(BENCH_PASSWORD)
    managers = [
        User(
            email=f"bench-cheffe-de-projet-{c.insee_code}@pvd.example",
            full_name=f"Chef(fe) de projet de {c.name}",
            password=password,
        )
        for c in communes
    ]
    mayors = [
        User(
            email=f"bench-maire-{c.insee_code}@pvd.example", full_name=f"Maire de {c.name}", password=password
        )
        for c in communes
    ]
    users = User.objects.bulk_create(managers + mayors, batch_size=BATCH_SIZE)
    managers, mayors = users[: len(communes)], users[len(communes) :]

    memberships = [
        Membership(
            user=manager,
            role=Role.MANAGER,
            programme=programme,
            title="Chef(fe) de projet PVD",
            valid_from=MANAGER_SINCE,
        )
        for manager, programme in zip(managers, programmes, strict=True)
    ] + [
        Membership(user=mayor, role=Role.MAYOR, commune=commune, title="Maire", valid_from=MAYOR_SINCE)
        for mayor, commune in zip(mayors, communes, strict=True)
    ]
    Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
    return DatasetTiming(
        seconds=time.perf_counter() - start,
        programmes=len(programmes),
        users=len(users),
        memberships=len(memberships),
    )


@transaction.atomic
def ensure_national_partner() -> User:
    """A partner of every programme (a national agency's account): its scope grows with the country.

    Called at each scale; adds the memberships of the programmes created since the last call.
    """
    user, created = User.objects.get_or_create(
        email=NATIONAL_PARTNER_EMAIL, defaults={"full_name": "Partenaire national (bench)"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    missing = Programme.objects.exclude(memberships__user=user).values_list("pk", flat=True)
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                role=Role.PARTNER,
                programme_id=pk,
                title="Partenaire national",
                valid_from=SELECTED_ON,
            )
            for pk in missing
        ],
        batch_size=BATCH_SIZE,
    )
    return user


def analyze() -> None:
    """Refresh the planner's statistics, as autovacuum would have done long before anyone browses."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
