"""An expense pays a contract's invoice: the link is checked (programme, contract, one expense per invoice) and
shown on the budget line page."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budget.services import programme_budget as services
from tests.budget.factories import BudgetLineFactory, ExpenseFactory
from tests.conftest import Territory
from tests.factories import ProgrammeFactory
from tests.operations.procurement_factories import (
    ConsultationFactory,
    ContractFactory,
    InvoiceFactory,
    LotFactory,
)


def _contract(programme, number: str = "M2026-007"):
    lot = LotFactory(consultation=ConsultationFactory(programme=programme))
    return ContractFactory(lot=lot, number=number)


def _commit(line, manager, **link):
    return services.expense_create(
        budget_line=line,
        by=manager,
        label="Situation n° 1",
        supplier="Bâtisseurs de la Marne",
        amount_ht=Decimal("50000.00"),
        amount_ttc=Decimal("60000.00"),
        committed_on=datetime.date(2026, 5, 6),
        **link,
    )


def test_an_expense_paying_an_invoice_is_linked_to_its_contract(territory: Territory, manager) -> None:
    contract = _contract(territory.programme)
    invoice = InvoiceFactory(contract=contract, number="F-2026-031")
    line = BudgetLineFactory(programme=territory.programme, organisation=territory.wassy)

    expense = _commit(line, manager, invoice=invoice)

    assert (expense.contract, expense.invoice) == (contract, invoice)


def test_one_invoice_is_paid_by_one_expense_only(territory: Territory, manager) -> None:
    invoice = InvoiceFactory(contract=_contract(territory.programme))
    line = BudgetLineFactory(programme=territory.programme, organisation=territory.wassy)
    _commit(line, manager, invoice=invoice)

    with pytest.raises(ValidationError) as refused:
        _commit(line, manager, invoice=invoice)
    assert refused.value.message_dict["invoice"] == ["Cette facture est déjà payée par une autre dépense."]


def test_an_invoice_of_another_contract_or_a_contract_of_another_programme_is_refused(
    territory: Territory, manager
) -> None:
    line = BudgetLineFactory(programme=territory.programme, organisation=territory.wassy)
    ours, other = _contract(territory.programme, "M-1"), _contract(territory.programme, "M-2")
    with pytest.raises(ValidationError) as mismatch:
        _commit(line, manager, contract=ours, invoice=InvoiceFactory(contract=other))
    assert "invoice" in mismatch.value.message_dict
    with pytest.raises(ValidationError) as elsewhere:
        _commit(line, manager, contract=_contract(ProgrammeFactory(), "M-3"))
    assert "contract" in elsewhere.value.message_dict


def test_the_budget_line_page_links_the_expense_to_its_contract(territory: Territory, client_for) -> None:
    contract = _contract(territory.programme, "M2026-042")
    line = BudgetLineFactory(programme=territory.programme, organisation=territory.wassy)
    ExpenseFactory(
        budget_line=line, contract=contract, invoice=InvoiceFactory(contract=contract, number="F-9")
    )

    page = client_for("manager").get(reverse("budget:budget_line_detail", args=[line.pk])).content.decode()

    assert reverse("operations:contract_detail", args=[contract.pk]) in page
    assert "Facture F-9" in page
