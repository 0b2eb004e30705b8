"""Budget lines and expenses: a commitment needs the line's remaining credits (exactly the remainder passes),
and on an AP line the year's CP and the AP's remainder; the chain committed → liquidated → ordered → paid
keeps its dates in order; cancel only before the payment order; every step is recorded; stale edits are
refused; an account must match its line's section and direction."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budget.models import Expense, ExpenseStatus
from budget.services import programme_budget as services
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.budget.factories import (
    BudgetLineFactory,
    PaymentCreditFactory,
    ProgrammeAuthorisationFactory,
    account,
)
from tests.conftest import Territory

D = Decimal
S = ExpenseStatus


@pytest.fixture
def line(territory: Territory):
    return BudgetLineFactory(
        programme=territory.programme,
        organisation=territory.wassy,
        year=2026,
        voted_amount=D("100000.00"),
        amendments_amount=D("20000.00"),
        label="Travaux de voirie",
    )


def commit(line, manager, amount: str, day=datetime.date(2026, 3, 2), **kwargs):
    return services.expense_create(
        budget_line=line,
        by=manager,
        label=kwargs.pop("label", "Marché de travaux"),
        supplier="Eurovia",
        amount_ht=D(amount) if "amount_ht" not in kwargs else kwargs.pop("amount_ht"),
        amount_ttc=D(amount),
        committed_on=day,
        commitment_reference="ENG-2026-001",
        **kwargs,
    )


# --- Credits -------------------------------------------------------------------------------------------------


def test_a_commitment_of_exactly_the_remaining_credits_passes(line, manager) -> None:
    commit(line, manager, "70000")
    commit(line, manager, "50000")  # 100 000 + 20 000 (DM) − 70 000
    assert services.line_remaining(line) == D(0)


def test_a_commitment_beyond_the_remaining_credits_is_refused_with_the_figures(line, manager) -> None:
    commit(line, manager, "70000")
    with pytest.raises(services.ProgrammeBudgetError) as error:
        commit(line, manager, "50000.01")
    message = str(error.value)
    assert "crédits ouverts 120\xa0000,00\xa0€" in message
    assert "déjà engagé 70\xa0000,00\xa0€" in message
    assert "disponible 50\xa0000,00\xa0€" in message
    assert "dépasse de 0,01\xa0€" in message
    assert Expense.objects.count() == 1


def test_cancelled_commitments_give_their_credits_back(line, manager) -> None:
    expense = commit(line, manager, "120000")
    services.expense_advance(expense=expense, to=S.CANCELLED, date=datetime.date(2026, 4, 1), by=manager)
    assert services.line_remaining(line) == D("120000.00")  # the cancelled 120 000 € are free again
    commit(line, manager, "120000")
    assert services.line_remaining(line) == D("0.00")


def test_an_ap_line_needs_the_years_credit_and_the_aps_remainder(territory: Territory, manager) -> None:
    ap = ProgrammeAuthorisationFactory(
        programme=territory.programme, organisation=territory.wassy, initial_amount=D("150000")
    )
    ap_line = BudgetLineFactory(
        programme=territory.programme,
        organisation=territory.wassy,
        authorisation=ap,
        voted_amount=D("500000"),
    )
    with pytest.raises(services.ProgrammeBudgetError, match="pas de crédit de paiement pour 2026"):
        commit(ap_line, manager, "1000")
    PaymentCreditFactory(authorisation=ap, year=2026, amount=D("100000"))
    commit(ap_line, manager, "100000")
    with pytest.raises(services.ProgrammeBudgetError) as error:
        commit(ap_line, manager, "0.01")
    assert "Crédit de paiement 2026" in str(error.value) and "disponible 0,00\xa0€" in str(error.value)


def test_a_payment_order_on_an_ap_line_needs_the_cp_of_its_year(territory: Territory, manager) -> None:
    ap = ProgrammeAuthorisationFactory(
        programme=territory.programme, organisation=territory.wassy, initial_amount=D("150000")
    )
    PaymentCreditFactory(authorisation=ap, year=2026, amount=D("100000"))
    ap_line = BudgetLineFactory(
        programme=territory.programme,
        organisation=territory.wassy,
        authorisation=ap,
        voted_amount=D("500000"),
    )
    expense = commit(ap_line, manager, "60000")
    expense = services.expense_advance(
        expense=expense, to=S.LIQUIDATED, date=datetime.date(2026, 12, 20), by=manager
    )
    with pytest.raises(services.ProgrammeBudgetError, match="CP 0,00"):
        services.expense_advance(
            expense=expense, to=S.ORDERED, date=datetime.date(2027, 1, 5), reference="M-1", by=manager
        )
    ordered = services.expense_advance(
        expense=expense, to=S.ORDERED, date=datetime.date(2026, 12, 28), reference="M-1", by=manager
    )
    assert ordered.payment_order_reference == "M-1"


# --- The chain -----------------------------------------------------------------------------------------------


def test_the_chain_commitment_liquidation_order_payment(line, manager) -> None:
    expense = commit(line, manager, "12000", amount_ht=D("10000"))
    expense = services.expense_advance(
        expense=expense, to=S.LIQUIDATED, date=datetime.date(2026, 5, 4), reference="FAC-88", by=manager
    )
    expense = services.expense_advance(
        expense=expense, to=S.ORDERED, date=datetime.date(2026, 5, 6), reference="M-2026-145", by=manager
    )
    expense = services.expense_advance(
        expense=expense, to=S.PAID, date=datetime.date(2026, 5, 20), by=manager
    )
    assert (expense.status, expense.invoice_reference, expense.payment_order_reference) == (
        S.PAID,
        "FAC-88",
        "M-2026-145",
    )
    steps = list(
        StatusChange.objects.filter(object_id=expense.pk).order_by("pk").values_list("source", "target")
    )
    assert steps == [
        ("", "committed"),
        ("committed", "liquidated"),
        ("liquidated", "ordered"),
        ("ordered", "paid"),
    ]


def test_a_liquidation_before_the_commitment_is_refused(line, manager) -> None:
    expense = commit(line, manager, "1000", day=datetime.date(2026, 3, 2))
    with pytest.raises(ValidationError, match="précède l'engagement"):
        services.expense_advance(expense=expense, to=S.LIQUIDATED, date=datetime.date(2026, 3, 1), by=manager)
    # the same day passes
    services.expense_advance(expense=expense, to=S.LIQUIDATED, date=datetime.date(2026, 3, 2), by=manager)


def test_a_payment_without_a_payment_order_is_refused(line, manager) -> None:
    expense = commit(line, manager, "1000")
    expense = services.expense_advance(
        expense=expense, to=S.LIQUIDATED, date=datetime.date(2026, 4, 1), by=manager
    )
    with pytest.raises(services.ProgrammeBudgetError, match="ne peut pas passer de « Liquidée"):
        services.expense_advance(expense=expense, to=S.PAID, date=datetime.date(2026, 4, 2), by=manager)


def test_a_payment_order_needs_its_number(line, manager) -> None:
    expense = commit(line, manager, "1000")
    expense = services.expense_advance(
        expense=expense, to=S.LIQUIDATED, date=datetime.date(2026, 4, 1), by=manager
    )
    with pytest.raises(ValidationError, match="numéro du mandat"):
        services.expense_advance(expense=expense, to=S.ORDERED, date=datetime.date(2026, 4, 2), by=manager)


def test_an_ordered_expense_cannot_be_cancelled(line, manager) -> None:
    expense = commit(line, manager, "1000")
    expense = services.expense_advance(
        expense=expense, to=S.LIQUIDATED, date=datetime.date(2026, 4, 1), by=manager
    )
    expense = services.expense_advance(
        expense=expense, to=S.ORDERED, date=datetime.date(2026, 4, 2), reference="M-1", by=manager
    )
    with pytest.raises(services.ProgrammeBudgetError, match="mandat émis ne s'annule pas"):
        services.expense_advance(expense=expense, to=S.CANCELLED, date=datetime.date(2026, 4, 3), by=manager)


def test_a_commitment_is_dated_in_the_year_of_its_budget(line, manager) -> None:
    with pytest.raises(ValidationError, match="daté de 2026"):
        commit(line, manager, "1000", day=datetime.date(2025, 12, 31))


def test_a_stale_expense_edit_is_refused(line, manager) -> None:
    expense = commit(line, manager, "1000")
    values = {
        "label": "Autre objet",
        "supplier": "Colas",
        "amount_ht": D("1000"),
        "amount_ttc": D("1000"),
        "committed_on": expense.committed_on,
        "commitment_reference": "",
        "contract_reference": "MAPA-2026-04",
        "invoice_reference": "",
        "operation": None,
    }
    services.expense_update(expense=expense, expected_version=expense.version, by=manager, **values)
    with pytest.raises(StaleObjectError, match="Champs modifiés"):
        services.expense_update(expense=expense, expected_version=expense.version, by=manager, **values)


def test_a_stale_step_is_refused(line, manager) -> None:
    expense = commit(line, manager, "1000")
    services.expense_update(
        expense=expense,
        expected_version=expense.version,
        by=manager,
        label="Objet corrigé",
        supplier="Eurovia",
        amount_ht=D("1000"),
        amount_ttc=D("1000"),
        committed_on=expense.committed_on,
        commitment_reference="",
        contract_reference="",
        invoice_reference="",
        operation=None,
    )
    with pytest.raises(StaleObjectError):
        services.expense_advance(
            expense=expense,
            to=S.LIQUIDATED,
            date=datetime.date(2026, 4, 1),
            by=manager,
            expected_version=expense.version,
        )


# --- Budget lines --------------------------------------------------------------------------------------------


def line_values(territory: Territory, **overrides):
    values = {
        "programme": territory.programme,
        "organisation": territory.wassy,
        "year": 2026,
        "section": "investment",
        "direction": "expense",
        "account": account("2313"),
        "label": "Travaux",
        "voted_amount": D("10000"),
    }
    return {**values, **overrides}


def test_the_account_must_match_the_lines_section_and_direction(territory: Territory, manager) -> None:
    with pytest.raises(ValidationError) as error:
        services.budget_line_create(by=manager, **line_values(territory, account=account("1311")))
    assert "account" in error.value.message_dict


def test_an_ap_line_is_an_investment_expense(territory: Territory, manager) -> None:
    ap = ProgrammeAuthorisationFactory(programme=territory.programme, organisation=territory.wassy)
    with pytest.raises(ValidationError, match="investissement"):
        services.budget_line_create(
            by=manager,
            **line_values(territory, section="operating", account=account("617"), authorisation=ap),
        )


def test_amendments_may_be_negative_but_not_below_what_is_committed(line, manager) -> None:
    commit(line, manager, "90000")
    values = {
        "organisation": line.organisation,
        "year": line.year,
        "section": line.section,
        "direction": line.direction,
        "account": line.account,
        "label": line.label,
        "voted_amount": line.voted_amount,
    }
    saved = services.budget_line_update(
        line=line, expected_version=line.version, by=manager, amendments_amount=D("-10000"), **values
    )
    assert saved.amendments_amount == D("-10000")
    with pytest.raises(ValidationError, match="déjà engagé"):
        services.budget_line_update(
            line=saved, expected_version=saved.version, by=manager, amendments_amount=D("-10000.01"), **values
        )


# --- Pages -------------------------------------------------------------------------------------------------


def test_a_manager_commits_and_advances_an_expense_from_the_line_page(client_for, line) -> None:
    client = client_for("manager")
    response = client.post(
        reverse("budget:expense_create", args=[line.pk]),
        {
            "label": "Marché de maîtrise d'œuvre",
            "supplier": "Atelier Ville et Paysage",
            "amount_ht": "100000",
            "amount_ttc": "120000,01",
            "committed_on": "2026-03-02",
        },
        follow=True,
    )
    assert "Crédits insuffisants" in response.content.decode()
    assert not Expense.objects.exists()
    response = client.post(
        reverse("budget:expense_create", args=[line.pk]),
        {
            "label": "Marché de maîtrise d'œuvre",
            "supplier": "Atelier Ville et Paysage",
            "amount_ht": "100000",
            "amount_ttc": "120000",
            "committed_on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    expense = Expense.objects.get()
    page = client.get(reverse("budget:budget_line_detail", args=[line.pk]))
    assert "120\xa0000,00\xa0€" in page.content.decode()
    client.post(
        reverse("budget:expense_advance", args=[expense.pk]),
        {"to": "liquidated", "date": "2026-03-01", "version": expense.version},
    )
    expense.refresh_from_db()
    assert expense.status == S.COMMITTED  # before the commitment: refused
    client.post(
        reverse("budget:expense_advance", args=[expense.pk]),
        {"to": "liquidated", "date": "2026-04-01", "version": expense.version},
    )
    expense.refresh_from_db()
    assert (expense.status, expense.liquidated_on) == (S.LIQUIDATED, datetime.date(2026, 4, 1))


def test_the_line_form_refuses_an_account_of_another_section(client_for, territory: Territory) -> None:
    response = client_for("manager").post(
        reverse("budget:budget_line_create", args=[territory.programme.pk]),
        {
            "organisation": territory.wassy.pk,
            "year": "2026",
            "section": "investment",
            "direction": "expense",
            "account": account("617").pk,
            "label": "Études",
            "voted_amount": "1000",
            "amendments_amount": "0",
        },
    )
    assert response.status_code == 200
    assert "account" in response.context["form"].errors
