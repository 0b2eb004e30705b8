"""Reads of a household file's grants: the grants and their payments, totals, the household's remaining cost,
and the computed proposals and eligibility checklist — in a fixed number of queries whatever the number of grants
and payments (files multiply fast). The caller has checked that the user reads the file (named data)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from operations.housing.grants import Check, Proposal, eligibility, scheme_grant, top_up_proposals
from operations.housing.income import income_category
from operations.housing.models import (
    AidScheme,
    GrantPaymentKind,
    GrantStatus,
    HousingFile,
    HousingGrant,
    HousingGrantPayment,
    IncomeCategory,
    TopUpRule,
)
from pvd.errors import MissingReferenceData
from pvd.money import ZERO


@dataclass(frozen=True)
class GrantLine:
    """A grant with its payments and what remains to pay."""

    grant: HousingGrant
    payments: list[HousingGrantPayment]
    paid: Decimal
    remaining: Decimal
    has_balance: bool

    @property
    def can_pay(self) -> bool:
        return self.grant.status == GrantStatus.COMMITTED and not self.has_balance and self.remaining > 0


@dataclass(frozen=True)
class GrantsSummary:
    file: HousingFile
    lines: list[GrantLine]
    total_planned: Decimal  # planned, not yet committed
    total_committed: Decimal
    total_paid: Decimal
    remaining_to_pay: Decimal  # committed − paid
    total_aid: Decimal  # Σ non-cancelled grants
    remaining_cost: Decimal | None  # works TTC − Σ non-cancelled grants (reste à charge)
    category: str | None  # kept on the file, or provisional before filing
    category_provisional: bool
    category_problem: str  # why the provisional category is unknown
    scheme_proposal: Proposal | None
    top_ups: list[Proposal] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def grants(self) -> list[HousingGrant]:
        return [line.grant for line in self.lines]

    @property
    def proposals(self) -> list[Proposal]:
        return ([self.scheme_proposal] if self.scheme_proposal else []) + self.top_ups

    @property
    def category_label(self) -> str:
        return IncomeCategory(self.category).label if self.category else ""

    @property
    def eligible(self) -> bool | None:
        """True when every check passes, False when one fails, None when one cannot be evaluated."""
        if any(c.ok is False for c in self.checks):
            return False
        if any(c.ok is None for c in self.checks):
            return None
        return True if self.checks else None


def provisional_category(file: HousingFile, *, day: datetime.date) -> tuple[str | None, bool, str]:
    """The category kept on the file; before filing, the one computed from the table of the year (one query)."""
    if file.income_category:
        return file.income_category, False, ""
    if file.reference_income is None:
        return None, True, "Revenu fiscal de référence non renseigné."
    try:
        result = income_category(
            reference_income=file.reference_income,
            household_size=file.household_size,
            zone=file.zone,
            year=(file.filed_on or day).year,
        )
    except MissingReferenceData as error:
        return None, True, str(error)
    return result.category, True, ""


def grants_summary(file: HousingFile, *, day: datetime.date | None = None) -> GrantsSummary:
    """Everything the grants panel of a file shows (5 queries at most, whatever the number of grants)."""
    day = day or timezone.localdate()
    grants = list(
        HousingGrant.objects.filter(file=file)
        .select_related("funder", "scheme", "top_up_rule")
        .prefetch_related(
            Prefetch("payments", queryset=HousingGrantPayment.objects.order_by("paid_on", "pk"))
        )
        .order_by("pk")
    )
    lines = []
    for grant in grants:
        payments = list(grant.payments.all())
        paid = sum((p.amount for p in payments), ZERO)
        remaining = grant.amount - paid if grant.status == GrantStatus.COMMITTED else ZERO
        has_balance = any(p.kind == GrantPaymentKind.BALANCE for p in payments)
        lines.append(GrantLine(grant, payments, paid, remaining, has_balance))
    committed = [line for line in lines if line.grant.status == GrantStatus.COMMITTED]
    live = [line for line in lines if line.grant.status != GrantStatus.CANCELLED]
    total_committed = sum((line.grant.amount for line in committed), ZERO)
    total_paid = sum((line.paid for line in lines), ZERO)
    total_aid = sum((line.grant.amount for line in live), ZERO)
    ttc = file.works_amount_ttc
    category, provisional, problem = provisional_category(file, day=day)
    scheme = None
    if file.scheme_id:
        scheme = AidScheme.objects.select_related("funder").get(pk=file.scheme_id)
        file.scheme = scheme  # the computations read it from the file
    rules = list(
        TopUpRule.objects.filter(housing_programme_id=file.housing_programme_id)
        .select_related("funder")
        .order_by("funder__name", "label", "pk")
    )
    return GrantsSummary(
        file=file,
        lines=lines,
        total_planned=sum(
            (line.grant.amount for line in lines if line.grant.status == GrantStatus.PLANNED), ZERO
        ),
        total_committed=total_committed,
        total_paid=total_paid,
        remaining_to_pay=total_committed - sum((line.paid for line in committed), ZERO),
        total_aid=total_aid,
        remaining_cost=None if ttc is None else ttc - total_aid,
        category=category,
        category_provisional=provisional,
        category_problem=problem,
        scheme_proposal=scheme_grant(file, scheme, category=category) if scheme else None,
        top_ups=top_up_proposals(file, rules, day=day, category=category),
        checks=eligibility(file, scheme, day=day, category=category) if scheme else [],
    )
