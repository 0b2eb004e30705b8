"""Subsidy rows of the access matrix and the page tests, made on demand for one territory.

A DETR request of Wassy for an operation of Wassy, awarded and notified, with an advance asked for: the mayor of
Wassy reads it, the mayor of La Porte du Der does not see it (404), the programme's readers read it, its manager
edits it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from budget.models import FinancingPlan, FundingCategory, SubsidyPayment, SubsidyRequest
from budget.services import subsidies as services
from operations.models import Operation
from pvd.accounts.models import User
from tests.budget.factories import FinancingLineFactory, FinancingPlanFactory, scheme
from tests.conftest import Territory
from tests.factories import OrganisationFactory, UserFactory
from tests.operations.factories import OperationFactory

D = datetime.date
FILED_ON = D(2024, 1, 15)
NOTIFIED_ON = D(2024, 2, 29)  # a leap day: the start deadline falls on 28/02/2026


@dataclass
class SubsidyRows:
    operation: Operation
    request: SubsidyRequest
    payment: SubsidyPayment


def prefecture(t: Territory):
    found = getattr(t, "_prefecture", None)
    if found is None:
        found = OrganisationFactory(name="Préfecture de la Haute-Marne", kind="state_service")
        t._prefecture = found  # type: ignore[attr-defined]
    return found


def awarded_request(
    t: Territory,
    by: User,
    *,
    operation: Operation | None = None,
    title: str = "DETR 2024 — Halle de Wassy",
    awarded: Decimal = Decimal("100000.00"),
    filed_on: datetime.date = FILED_ON,
    notified_on: datetime.date = NOTIFIED_ON,
    code: str = "detr",
    **data: object,
) -> SubsidyRequest:
    """A request filed, acknowledged, complete, awarded `awarded` on a base of 4 × that, and notified."""
    operation = operation or OperationFactory(
        programme=t.programme, owner=t.wassy, communes=[t.wassy], title="Rénovation de la halle"
    )
    plan = FinancingPlan.objects.filter(operation=operation).first() or FinancingPlanFactory(
        operation=operation, eligible_cost_ht=awarded * 4, eligible_cost_ttc=awarded * 5
    )
    line = FinancingLineFactory(
        plan=plan,
        category=FundingCategory.STATE_DOTATION,
        funder=prefecture(t),
        scheme=scheme(code),
        base_ht=awarded * 4,
        amount_ht=awarded,
    )
    request = services.request_create(
        programme=t.programme,
        data={
            "beneficiary": t.wassy,
            "funder": prefecture(t),
            "scheme": scheme(code),
            "title": title,
            "requested_base_ht": awarded * 4,
            "requested_amount": awarded,
            **data,
        },
        allocations=[(operation, line, awarded)],
        by=by,
    )
    request = services.change_status(request=request, status="filed", by=by, filed_on=filed_on)
    request = services.change_status(request=request, status="acknowledged", by=by, acknowledged_on=filed_on)
    request = services.record_award(
        request=request,
        awarded_amount=awarded,
        awarded_base_ht=awarded * 4,
        decided_on=notified_on,
        decision_reference="Arrêté préfectoral n° 2024-112",
        by=by,
    )
    return services.change_status(request=request, status="notified", by=by, notified_on=notified_on)


def subsidy_rows(t: Territory) -> SubsidyRows:
    rows = getattr(t, "_subsidy_rows", None)
    if rows is None:
        by = UserFactory(full_name="Saisie initiale")
        request = awarded_request(t, by)
        operation = request.allocations.get().operation
        payment = services.record_payment(
            request=request, kind="advance", amount=Decimal("30000.00"), requested_on=D(2024, 6, 3), by=by
        )
        rows = SubsidyRows(operation, request, payment)
        t._subsidy_rows = rows  # type: ignore[attr-defined]
    return rows
