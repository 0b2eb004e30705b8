"""The national-scale money dataset (ARCHITECTURE.md §7): ~17 operations per PVD programme, their financing
plans and lines, subsidy requests with their allocations and payments, the PPI, and per programme an AP with
its CP, a few budget lines on account 2313 and their expenses.

The same generator fills the demo programme's own operations before the 1× measurement, so that the money
pages of the demo programme show the same rows at both scales: only the rest of the country grows.

Everything is written with `bulk_create` in batches of 1,000 (one INSERT per batch and per table), without
history records: the application writes those, the bench does not need them. Contracts (marchés) do not
exist yet and are left out. Amounts follow every database constraint (TTC ≥ HT, rates ≤ 100 %, dates in
order, public aid ≤ 80 % of the eligible cost). Imported after django.setup().
"""

import datetime
import importlib
import random
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import transaction

from budget.models import (
    BudgetAccount,
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
from budget.models.reference import FundingCategory
from operations.models import Operation
from partners.models import Offer, Organisation
from programmes.models import Programme
from pvd.money import round_cents

BATCH_SIZE = 1000
OPERATIONS_PER_PROGRAMME = 17  # 1,646 × 17 = 27,982 operations: the ~28,000 of ARCHITECTURE.md §7
SEED = 2026  # the same dataset at every run
VAT = Decimal("1.2")
WORKS_ACCOUNT = "2313"  # Constructions en cours (budget.BudgetAccount)
PPI_YEARS = (2024, 2025, 2026, 2027)
BUDGET_YEARS = (2025, 2026)
BUDGETED_OPERATIONS = 3  # per programme: the largest operations engaged or in works get budget lines

# The funders of the reference data (partners/migrations/0005): the same for every programme of the
# country, as the catalogue only holds those of the demo's department.
REFERENCE = importlib.import_module("partners.migrations.0005_national_partners_and_offers")

TITLES = [
    "Requalification de la place de la mairie",
    "Rénovation énergétique de l'école élémentaire",
    "Maison de santé pluriprofessionnelle",
    "Réhabilitation de la halle du marché",
    "Tiers-lieu et espace France Services",
    "Ravalement de façades du centre ancien",
    "Boutiques à l'essai de la rue commerçante",
    "Reconversion de la friche industrielle",
    "Aménagement des berges de la rivière",
    "Voie verte vers la gare",
    "Réhabilitation de logements communaux vacants",
    "Médiathèque intercommunale",
    "Signalétique patrimoniale du centre-bourg",
    "Plan de circulation et stationnement du centre",
    "Aire de jeux et city-stade",
    "Restauration de l'église classée",
    "Extension de la crèche",
]
# (status, weight) of the national operations: most are engaged or in works, a few still ideas.
OPERATION_STATUSES = [
    (Operation.Status.IDEA, 3),
    (Operation.Status.MATURE, 3),
    (Operation.Status.COMMITTED, 4),
    (Operation.Status.WORKS, 4),
    (Operation.Status.DELIVERED, 2),
    (Operation.Status.CLOSED, 1),
    (Operation.Status.SUSPENDED, 1),
    (Operation.Status.ABANDONED, 1),
]
BUDGETED_STATUSES = {Operation.Status.COMMITTED, Operation.Status.WORKS}

# Subsidy statuses along the chain of dates; each one has the dates of the steps before it.
S = SubsidyRequest.Status
CHAIN = [S.TO_PREPARE, S.DELIBERATED, S.FILED, S.ACKNOWLEDGED, S.COMPLETE, S.AWARDED, S.NOTIFIED]
CHAIN += [S.STARTED, S.COMPLETED, S.SETTLED]
SUBSIDY_STATUSES = [
    (S.TO_PREPARE, 2),
    (S.DELIBERATED, 1),
    (S.FILED, 2),
    (S.ACKNOWLEDGED, 1),
    (S.COMPLETE, 2),
    (S.AWARDED, 2),
    (S.NOTIFIED, 3),
    (S.STARTED, 4),
    (S.COMPLETED, 2),
    (S.SETTLED, 2),
    (S.REJECTED, 1),
    (S.WITHDRAWN, 1),
]
AWARDED_STATUSES = set(CHAIN[CHAIN.index(S.AWARDED) :])
LINE_STATUS = {S.TO_PREPARE: FinancingLine.Status.ENVISAGED, S.REJECTED: FinancingLine.Status.REFUSED}
SUPPLIERS = [
    "BTP Est Travaux",
    "Atelier d'architecture du Der",
    "Colas Nord-Est",
    "Eiffage Route",
    "SAS Bâti 52",
]


@dataclass(frozen=True)
class MoneyTiming:
    seconds: float
    programmes: int
    operations: int  # created by the bench (the demo's own operations are not counted here)
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


@dataclass(frozen=True)
class OperationSeed:
    pk: int
    code: str
    title: str
    owner_id: int
    status: str
    cost_ht: Decimal


@dataclass
class ProgrammeSeed:
    """A programme to fill: whose budget holds its AP and lines, and its operations."""

    pk: int
    budget_owner_id: int
    operations: list[OperationSeed] = field(default_factory=list)


@dataclass(frozen=True)
class Funders:
    prefecture: Organisation
    detr: Offer
    region: Organisation
    department: Organisation
    bank: Organisation
    works_account: BudgetAccount

    @classmethod
    def load(cls) -> "Funders":
        def organisation(name: str, kind: str) -> Organisation:
            found = Organisation.objects.filter(name=name, kind=kind).order_by("pk").first()
            if found is None:
                raise SystemExit(f"Organisation de référence absente : {name} (migration partners 0005).")
            return found

        detr = Offer.objects.select_related("organisation").get(code="detr")
        return cls(
            prefecture=detr.organisation,
            detr=detr,
            region=organisation(REFERENCE.REGION, "region"),
            department=organisation(REFERENCE.DEPARTMENT, "department"),
            bank=organisation(REFERENCE.BDT, "agency"),
            works_account=BudgetAccount.objects.get(code=WORKS_ACCOUNT),
        )


def _bulk(model: type, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _cents(value: Decimal) -> Decimal:
    return round_cents(value)


def _days(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


# --- Operations of the national programmes -----------------------------------------------------------------


def create_national_operations(rng: random.Random) -> list[ProgrammeSeed]:
    """17 operations for every programme that has none yet (the bench's), owned by its commune."""
    ProgrammeCommune = Programme.communes.through
    pairs = list(
        ProgrammeCommune.objects.filter(programme__operations__isnull=True)
        .order_by("programme_id", "organisation_id")
        .values_list("programme_id", "organisation_id")
    )
    seeds: dict[int, ProgrammeSeed] = {}
    for programme_id, commune_id in pairs:  # one commune per bench programme: the first one owns
        seeds.setdefault(programme_id, ProgrammeSeed(pk=programme_id, budget_owner_id=commune_id))
    statuses, weights = zip(*OPERATION_STATUSES, strict=True)
    operations = []
    for seed in seeds.values():
        for index, title in enumerate(TITLES[:OPERATIONS_PER_PROGRAMME], start=1):
            cost_ht = Decimal(rng.randrange(40, 3000)) * 1000
            operations.append(
                Operation(
                    programme_id=seed.pk,
                    code=f"OP-{index:02d}",
                    title=title,
                    owner_id=seed.budget_owner_id,
                    in_ort=rng.random() < 0.7,
                    estimated_cost_ht=cost_ht,
                    estimated_cost_ttc=cost_ht * VAT,
                    priority=rng.choice(Operation.Priority.values),
                    maturity=rng.choice(Operation.Maturity.values),
                    status=rng.choices(statuses, weights)[0],
                )
            )
    operations = _bulk(Operation, operations)
    OperationCommune = Operation.communes.through
    _bulk(
        OperationCommune,
        [OperationCommune(operation_id=op.pk, organisation_id=op.owner_id) for op in operations],
    )
    for op in operations:
        seeds[op.programme_id].operations.append(
            OperationSeed(op.pk, op.code, op.title, op.owner_id, op.status, op.estimated_cost_ht)
        )
    return list(seeds.values())


def demo_programme_seed(programme: Programme) -> ProgrammeSeed | None:
    """The demo programme's own operations, unless something already gave them a financing plan."""
    operations = list(programme.operations.order_by("code"))
    if not operations or FinancingPlan.objects.filter(operation__programme=programme).exists():
        return None
    return ProgrammeSeed(
        pk=programme.pk,
        budget_owner_id=programme.epci_id,  # the programme is the EPCI's: its AP and lines in its budget
        operations=[
            OperationSeed(
                op.pk, op.code, op.title, op.owner_id, op.status, op.estimated_cost_ht or Decimal(100_000)
            )
            for op in operations
        ],
    )


# --- Money of the operations -------------------------------------------------------------------------------


@dataclass
class _Rows:
    plans: list[FinancingPlan] = field(default_factory=list)
    lines: list[list[FinancingLine]] = field(default_factory=list)  # per plan, in the order of `plans`
    ppi: list[PlannedInvestment] = field(default_factory=list)


def _financing_lines(rng: random.Random, op: OperationSeed, funders: Funders) -> list[FinancingLine]:
    """3 to 5 lines: own funds, DETR, Région, then the Département, then a loan. Public aid ≤ 65 %."""
    ht, count = op.cost_ht, rng.randint(3, 5)
    ttc = _cents(ht * VAT)

    def grant(category: str, funder: Organisation, rate: str, scheme: Offer | None = None) -> FinancingLine:
        amount = _cents(ht * Decimal(rate))
        return FinancingLine(
            category=category, funder=funder, scheme=scheme, base_ht=ht, amount_ht=amount, amount_ttc=amount
        )

    others = [
        grant(
            FundingCategory.STATE_DOTATION,
            funders.prefecture,
            rng.choice(["0.25", "0.3", "0.35"]),
            funders.detr,
        ),
        grant(FundingCategory.REGION, funders.region, rng.choice(["0.1", "0.15", "0.2"])),
    ]
    if count >= 4:
        others.append(grant(FundingCategory.DEPARTMENT, funders.department, "0.1"))
    if count == 5:
        loan = _cents(ht * Decimal("0.15"))
        others.append(
            FinancingLine(
                category=FundingCategory.LOAN,
                funder=funders.bank,
                label="Prêt de la Banque des Territoires",
                amount_ht=loan,
                amount_ttc=loan,
            )
        )
    own_ht = ht - sum(line.amount_ht for line in others)
    own = FinancingLine(
        category=FundingCategory.OWN_FUNDS,
        funder_id=op.owner_id,
        amount_ht=own_ht,
        amount_ttc=own_ht + (ttc - ht),  # the owner carries the VAT
        status=FinancingLine.Status.GRANTED,
    )
    lines = [own, *others]
    for position, line in enumerate(lines):
        line.position = position
    return lines


def _ppi(rng: random.Random, op: OperationSeed) -> list[PlannedInvestment]:
    """The TTC cost spread over 1 to 4 consecutive years of 2024–2027."""
    years = rng.randint(1, len(PPI_YEARS))
    first = rng.randint(0, len(PPI_YEARS) - years)
    ttc = _cents(op.cost_ht * VAT)
    share = _cents(ttc / years)
    rows = []
    for index, year in enumerate(PPI_YEARS[first : first + years]):
        amount = share if index < years - 1 else ttc - share * (years - 1)
        rows.append(PlannedInvestment(operation_id=op.pk, year=year, amount_ttc=amount))
    return rows


def _request(
    rng: random.Random, programme_id: int, op: OperationSeed, line: FinancingLine, scheme_name: str
) -> tuple[SubsidyRequest, list[SubsidyPayment]]:
    """A request for one plan line, at a random step of its life, with the dates and payments of that step."""
    statuses, weights = zip(*SUBSIDY_STATUSES, strict=True)
    status = rng.choices(statuses, weights)[0]
    step = CHAIN.index(status) if status in CHAIN else CHAIN.index(S.COMPLETE)  # rejected/withdrawn: complete
    filed = datetime.date(2023, 1, 16) + datetime.timedelta(days=rng.randrange(0, 900))
    request = SubsidyRequest(
        programme_id=programme_id,
        beneficiary_id=op.owner_id,
        funder_id=line.funder_id,
        scheme_id=line.scheme_id,
        title=f"{scheme_name} — {op.title}",
        status=status,
        requested_base_ht=line.base_ht,
        requested_amount=line.amount_ht,
        planned_duration_months=rng.choice([12, 18, 24, 36]),
    )
    dates = [
        ("deliberation_on", S.DELIBERATED, -30),
        ("filed_on", S.FILED, 0),
        ("acknowledged_on", S.ACKNOWLEDGED, 12),
        ("complete_on", S.COMPLETE, 60),
        ("decided_on", S.AWARDED, 150),
        ("notified_on", S.NOTIFIED, 165),
        ("started_on", S.STARTED, 200),
        ("start_declared_on", S.STARTED, 205),
        ("completed_on", S.COMPLETED, 560),
        ("balance_requested_on", S.COMPLETED, 600),
        ("settled_on", S.SETTLED, 680),
    ]
    for name, reached_at, offset in dates:
        if step >= CHAIN.index(reached_at):
            setattr(request, name, _days(filed, offset))
    if request.deliberation_on:
        request.deliberation_reference = f"DCM-{request.deliberation_on.year}-{rng.randrange(1, 120):03d}"
    if status in AWARDED_STATUSES:
        request.awarded_base_ht = line.base_ht
        request.awarded_amount = line.amount_ht
        request.decision_reference = f"Arrêté n° {request.decided_on.year}-{rng.randrange(1, 999):03d}"
    elif status == S.REJECTED:
        request.decided_on = _days(filed, 150)
        request.closing_reason = "Enveloppe départementale épuisée pour cette année."
    elif status == S.WITHDRAWN:
        request.closing_reason = "Opération redimensionnée : demande à déposer de nouveau."

    payments = []
    if status in {S.STARTED, S.COMPLETED, S.SETTLED}:
        advance = _cents(line.amount_ht * Decimal("0.3"))
        asked = _days(request.started_on, 15)
        payments.append(
            SubsidyPayment(
                kind=SubsidyPayment.Kind.ADVANCE,
                amount=advance,
                requested_on=asked,
                received_on=_days(asked, 45),
            )
        )
        if status == S.COMPLETED:
            payments.append(
                SubsidyPayment(
                    kind=SubsidyPayment.Kind.INSTALMENT,
                    amount=_cents(line.amount_ht * Decimal("0.4")),
                    requested_on=_days(request.started_on, 300),
                )
            )
        if status == S.SETTLED:
            balance = line.amount_ht - advance
            if balance > 0:
                payments.append(
                    SubsidyPayment(
                        kind=SubsidyPayment.Kind.BALANCE,
                        amount=balance,
                        requested_on=request.balance_requested_on,
                        received_on=_days(request.balance_requested_on, 60),
                    )
                )
    line.status = (
        FinancingLine.Status.GRANTED
        if status in AWARDED_STATUSES
        else LINE_STATUS.get(status, FinancingLine.Status.REQUESTED)
    )
    return request, payments


def _authorisation_and_budget(
    rng: random.Random, seed: ProgrammeSeed, ppi: dict[int, dict[int, Decimal]], funders: Funders
) -> tuple[ProgrammeAuthorisation, list[int], list[PaymentCredit], list[BudgetLine]]:
    """One AP over the largest engaged operations, its CP 2024–2027, and a 2313 line per operation and year."""
    engaged = (
        sorted(
            (op for op in seed.operations if op.status in BUDGETED_STATUSES),
            key=lambda op: (-op.cost_ht, op.code),
        )[:BUDGETED_OPERATIONS]
        or sorted(seed.operations, key=lambda op: (-op.cost_ht, op.code))[:1]
    )
    total = sum(_cents(op.cost_ht * VAT) for op in engaged)
    authorisation = ProgrammeAuthorisation(
        programme_id=seed.pk,
        organisation_id=seed.budget_owner_id,
        number="AP-2024-PVD",
        label="Revitalisation du centre-bourg (Petites Villes de Demain)",
        voted_on=datetime.date(2024, 3, 28),
        deliberation_reference=f"DCM-2024-{rng.randrange(1, 120):03d}",
        initial_amount=total,
    )
    shares = [Decimal("0.1"), Decimal("0.3"), Decimal("0.4")]
    amounts = [_cents(total * share) for share in shares]
    amounts.append(total - sum(amounts))
    credits = [
        PaymentCredit(year=year, amount=amount) for year, amount in zip(PPI_YEARS, amounts, strict=True)
    ]
    lines = []
    for op in engaged:
        for year in BUDGET_YEARS:
            voted = ppi[op.pk].get(year) or _cents(op.cost_ht * VAT / 4)
            amendment = rng.choice([Decimal(0), Decimal(0), _cents(voted / 10), -_cents(voted / 5)])
            lines.append(
                BudgetLine(
                    programme_id=seed.pk,
                    organisation_id=seed.budget_owner_id,
                    year=year,
                    section=BudgetLine.Section.INVESTMENT,
                    direction=BudgetLine.Direction.EXPENSE,
                    account=funders.works_account,
                    operation_id=op.pk,
                    label=f"{op.code} — {op.title}",
                    voted_amount=voted,
                    amendments_amount=amendment,
                )
            )
    return authorisation, [op.pk for op in engaged], credits, lines


def _expenses(rng: random.Random, line: BudgetLine) -> list[Expense]:
    """Works paid on the 2025 line; on the 2026 line, a paid study and works committed or liquidated."""
    credits = line.voted_amount + line.amendments_amount

    def expense(label: str, share: str, status: str, committed_on: datetime.date) -> Expense:
        ht = _cents(credits * Decimal(share) / VAT)
        row = Expense(
            budget_line=line,
            operation_id=line.operation_id,
            label=label,
            supplier=rng.choice(SUPPLIERS),
            contract_reference=f"MAPA-{line.year}-{rng.randrange(1, 60):02d}",
            amount_ht=ht,
            amount_ttc=_cents(ht * VAT),
            status=status,
            committed_on=committed_on,
            commitment_reference=f"ENG-{line.year}-{rng.randrange(1, 2000):04d}",
        )
        steps = [Expense.Status.LIQUIDATED, Expense.Status.ORDERED, Expense.Status.PAID]
        reached = steps[: steps.index(status) + 1] if status in steps else []
        if Expense.Status.LIQUIDATED in reached:
            row.liquidated_on, row.invoice_reference = (
                _days(committed_on, 60),
                f"F-{rng.randrange(1, 9999):04d}",
            )
        if Expense.Status.ORDERED in reached:
            row.ordered_on, row.payment_order_reference = (
                _days(committed_on, 70),
                f"M-{rng.randrange(1, 9999)}",
            )
        if Expense.Status.PAID in reached:
            row.paid_on = _days(committed_on, 90)
        return row

    if line.year == BUDGET_YEARS[0]:
        return [expense("Travaux — situation n° 1", "0.6", Expense.Status.PAID, datetime.date(2025, 4, 14))]
    return [
        expense("Maîtrise d'œuvre — phase DET", "0.1", Expense.Status.PAID, datetime.date(2026, 2, 2)),
        expense(
            "Travaux — lot 1",
            "0.5",
            rng.choice([Expense.Status.COMMITTED, Expense.Status.LIQUIDATED]),
            datetime.date(2026, 5, 11),
        ),
    ]


def create_money(seeds: list[ProgrammeSeed], rng: random.Random, *, new_operations: int = 0) -> MoneyTiming:
    """Financing plans, subsidies, PPI, AP/CP, budget lines and expenses of the given programmes."""
    start = time.perf_counter()
    funders = Funders.load()
    rows = _Rows()
    for seed in seeds:
        for op in seed.operations:
            ht = op.cost_ht
            rows.plans.append(
                FinancingPlan(
                    operation_id=op.pk,
                    eligible_cost_ht=ht,
                    eligible_cost_ttc=_cents(ht * VAT),
                    expense_year=rng.choice(BUDGET_YEARS),
                )
            )
            rows.lines.append(_financing_lines(rng, op, funders))
            rows.ppi.extend(_ppi(rng, op))

    # Subsidy requests: DETR for every operation, the Région for about half of them (~1.5 per operation).
    requests, allocations, payments = [], [], []  # allocations and payments hold their request's index
    operations = [(seed.pk, op) for seed in seeds for op in seed.operations]
    for (programme_id, op), lines in zip(operations, rows.lines, strict=True):
        asked = [(lines[1], "DETR")] + ([(lines[2], "Région")] if rng.random() < 0.5 else [])
        for line, scheme_name in asked:
            request, paid = _request(rng, programme_id, op, line, scheme_name)
            requests.append(request)
            allocations.append((len(requests) - 1, op.pk, line))
            payments.extend((len(requests) - 1, payment) for payment in paid)

    plans = _bulk(FinancingPlan, rows.plans)
    for plan, lines in zip(plans, rows.lines, strict=True):
        for line in lines:
            line.plan_id = plan.pk
    financing_lines = _bulk(FinancingLine, [line for lines in rows.lines for line in lines])
    _bulk(PlannedInvestment, rows.ppi)
    requests = _bulk(SubsidyRequest, requests)
    _bulk(
        SubsidyAllocation,
        [
            SubsidyAllocation(
                request_id=requests[index].pk,
                operation_id=operation_id,
                financing_line_id=line.pk,
                amount=requests[index].awarded_amount or requests[index].requested_amount,
            )
            for index, operation_id, line in allocations
        ],
    )
    for index, payment in payments:
        payment.request_id = requests[index].pk
    _bulk(SubsidyPayment, [payment for _, payment in payments])

    # Per programme: one AP with its CP and operations, budget lines on 2313, their expenses.
    ppi: dict[int, dict[int, Decimal]] = {}
    for row in rows.ppi:
        ppi.setdefault(row.operation_id, {})[row.year] = row.amount_ttc
    budgets = [_authorisation_and_budget(rng, seed, ppi, funders) for seed in seeds]
    authorisations = _bulk(ProgrammeAuthorisation, [authorisation for authorisation, *_ in budgets])
    AuthorisationOperation = ProgrammeAuthorisation.operations.through
    _bulk(
        AuthorisationOperation,
        [
            AuthorisationOperation(programmeauthorisation_id=authorisation.pk, operation_id=operation_id)
            for authorisation, (_, operation_ids, _, _) in zip(authorisations, budgets, strict=True)
            for operation_id in operation_ids
        ],
    )
    credits, budget_lines = [], []
    for authorisation, (_, _, ap_credits, lines) in zip(authorisations, budgets, strict=True):
        for credit in ap_credits:
            credit.authorisation_id = authorisation.pk
        for line in lines:
            line.authorisation_id = authorisation.pk
        credits.extend(ap_credits)
        budget_lines.extend(lines)
    _bulk(PaymentCredit, credits)
    budget_lines = _bulk(BudgetLine, budget_lines)
    expenses = _bulk(Expense, [expense for line in budget_lines for expense in _expenses(rng, line)])
    return MoneyTiming(
        seconds=time.perf_counter() - start,
        programmes=len(seeds),
        operations=new_operations,
        financing_plans=len(plans),
        financing_lines=len(financing_lines),
        subsidy_requests=len(requests),
        subsidy_allocations=len(allocations),
        subsidy_payments=len(payments),
        planned_investments=len(rows.ppi),
        authorisations=len(authorisations),
        payment_credits=len(credits),
        budget_lines=len(budget_lines),
        expenses=len(expenses),
    )


@transaction.atomic
def create_demo_money(programme: Programme) -> MoneyTiming | None:
    """The same money on the demo programme's own operations (None when it already has some)."""
    seed = demo_programme_seed(programme)
    return create_money([seed], random.Random(SEED)) if seed else None


@transaction.atomic
def create_national_money() -> MoneyTiming:
    """17 operations per bench programme, and their money. Timed from the first operation written."""
    start = time.perf_counter()
    rng = random.Random(SEED + 1)
    seeds = create_national_operations(rng)
    timing = create_money(seeds, rng, new_operations=sum(len(seed.operations) for seed in seeds))
    return replace(timing, seconds=time.perf_counter() - start)
