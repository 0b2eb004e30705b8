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
    meetings: int = 0  # governance (issue 8)
    decisions: int = 0
    arbitrations: int = 0
    alerts: int = 0

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
            **_governance_volumes(),
        )


def _governance_volumes() -> dict[str, int]:
    from pvd.governance.models import Alert, Arbitration, Decision, Meeting

    return {
        "meetings": Meeting.objects.count(),
        "decisions": Decision.objects.count(),
        "arbitrations": Arbitration.objects.count(),
        "alerts": Alert.objects.count(),
    }


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


# --- Governance (issue 8, H7) ------------------------------------------------------------------------------------

GOVERNANCE_MEETINGS = 8  # per programme: four comités de projet and four COTECH, the last two of each ahead
GOVERNANCE_ITEMS = 3  # agenda items per meeting, a decision on each item of a held meeting
GOVERNANCE_ARBITRATIONS = 3  # per programme: one approved, one rejected, one awaiting the referent
GOVERNANCE_ALERTS = 20  # per programme, active, every level


@dataclass(frozen=True)
class GovernanceTiming:
    seconds: float
    committees: int
    meetings: int
    agenda_items: int
    decisions: int
    arbitrations: int
    options: int
    alerts: int


@transaction.atomic
def create_national_governance(*, exclude_programme: Programme) -> GovernanceTiming:
    """For every programme but the demo's (whose governance is the demo's): a comité de projet and a COTECH, eight
    meetings with their agenda and decisions, three arbitrations with two options each, twenty active alerts. Bulk
    written, without history (these rows do not come from the application), every model constraint respected."""
    from django.utils import timezone

    from pvd.governance.models import (
        AgendaItem,
        Alert,
        Arbitration,
        ArbitrationOption,
        ArbitrationOutcome,
        ArbitrationStatus,
        Committee,
        CommitteeKind,
        Decision,
        DecisionLevel,
        Frequency,
        Meeting,
        MeetingStatus,
    )

    start = time.perf_counter()
    now = timezone.now()
    programmes = list(Programme.objects.exclude(pk=exclude_programme.pk).order_by("pk"))
    managers = dict(
        Membership.objects.filter(role=Role.MANAGER, programme__in=programmes).values_list(
            "programme_id", "user_id"
        )
    )
    committees = Committee.objects.bulk_create(
        [
            Committee(programme=p, kind=kind, name=name, frequency=frequency)
            for p in programmes
            for kind, name, frequency in (
                (CommitteeKind.PROJECT_COMMITTEE, "Comité de projet PVD", Frequency.QUARTERLY),
                (CommitteeKind.COTECH, "Comité technique", Frequency.BIMONTHLY),
            )
        ],
        batch_size=BATCH_SIZE,
    )
    offsets = (-2, -1, 1, 2)  # per body: two meetings held, two ahead (×45 days; the COTECH ten days later)
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                committee=committee,
                starts_at=now
                + datetime.timedelta(days=45 * n + (10 if committee.kind == CommitteeKind.COTECH else 0)),
                place="Mairie, salle du conseil",
                status=MeetingStatus.HELD if n < 0 else MeetingStatus.PLANNED,
                minutes="<p>Compte rendu de la réunion.</p>" if n < 0 else "",
            )
            for committee in committees
            for n in offsets
        ],
        batch_size=BATCH_SIZE,
    )
    items = AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, order=k, title=f"Point {k} de l'ordre du jour")
            for meeting in meetings
            for k in range(1, GOVERNANCE_ITEMS + 1)
        ],
        batch_size=BATCH_SIZE,
    )
    committee_of = {committee.pk: committee for committee in committees}
    meeting_of = {meeting.pk: meeting for meeting in meetings}
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                programme_id=committee_of[meeting_of[item.meeting_id].committee_id].programme_id,
                meeting_id=item.meeting_id,
                agenda_item=item,
                decided_on=timezone.localtime(meeting_of[item.meeting_id].starts_at).date(),
                decided_by=committee_of[meeting_of[item.meeting_id].committee_id].name,
                text=f"Décision sur le point {item.order}.",
            )
            for item in items
            if meeting_of[item.meeting_id].status == MeetingStatus.HELD
        ],
        batch_size=BATCH_SIZE,
    )
    snapshot = {"reference": "", "options": {}, "decision": {}}
    arbitrations = Arbitration.objects.bulk_create(
        [
            Arbitration(
                programme=p,
                reference=f"ARB-{now.year}-{rank:03d}",
                title=f"Arbitrage {rank}",
                question="Quelle option retenir ?",
                decision_level=DecisionLevel.REFERENT,
                requested_by_id=managers[p.pk],
                requested_on=now.date(),
                submitted_at=now,
                status=status,
                outcome=outcome,
                decided_at=now if outcome else None,
                snapshot=snapshot if outcome else None,
            )
            for p in programmes
            for rank, status, outcome in (
                (1, ArbitrationStatus.DECIDED, ArbitrationOutcome.REJECTED),
                (2, ArbitrationStatus.DECIDED, ArbitrationOutcome.POSTPONED),
                (3, ArbitrationStatus.SUBMITTED, ""),
            )
            if p.pk in managers
        ],
        batch_size=BATCH_SIZE,
    )
    options = ArbitrationOption.objects.bulk_create(
        [
            ArbitrationOption(arbitration=arbitration, letter=letter, title=f"Option {letter}")
            for arbitration in arbitrations
            for letter in ("A", "B")
        ],
        batch_size=BATCH_SIZE,
    )
    levels = (1, 2, 2, 3)
    alerts = Alert.objects.bulk_create(
        [
            Alert(
                programme=p,
                kind="bench.deadline",
                key=f"bench.deadline:{n}",
                level=levels[n % len(levels)],
                title=f"Échéance {n}",
                due_on=now.date() + datetime.timedelta(days=n * 7),
                owner_id=managers.get(p.pk),
                raised_at=now,
                last_seen_at=now,
            )
            for p in programmes
            for n in range(GOVERNANCE_ALERTS)
        ],
        batch_size=BATCH_SIZE,
    )
    return GovernanceTiming(
        seconds=time.perf_counter() - start,
        committees=len(committees),
        meetings=len(meetings),
        agenda_items=len(items),
        decisions=len(decisions),
        arbitrations=len(arbitrations),
        options=len(options),
        alerts=len(alerts),
    )
