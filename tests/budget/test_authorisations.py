"""Autorisations de programme (AP) and their crédits de paiement (CP): the sum of the CP never exceeds the AP,
a revision never brings the AP below what is committed, a year's CP never goes below what was mandated, an
AP with open commitments is not closed; every status change is recorded; stale edits are refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budget.models import AuthorisationStatus, ExpenseStatus, PaymentCredit
from budget.services import programme_budget as services
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.budget.factories import BudgetLineFactory, ExpenseFactory
from tests.conftest import Territory
from tests.operations.factories import OperationFactory

D = Decimal


@pytest.fixture
def ap(territory: Territory, manager):
    operation = OperationFactory(
        programme=territory.programme, owner=territory.wassy, communes=[territory.wassy]
    )
    return services.authorisation_create(
        programme=territory.programme,
        organisation=territory.wassy,
        number="AP-2026-01",
        label="Requalification du centre-bourg",
        voted_on=datetime.date(2026, 1, 20),
        deliberation_reference="DEL-2026-003",
        initial_amount=D("500000.00"),
        operations=[operation],
        by=manager,
    )


def commit(ap, amount: str, year: int = 2026, status: str = ExpenseStatus.COMMITTED, **fields):
    line = BudgetLineFactory(
        programme=ap.programme,
        organisation=ap.organisation,
        authorisation=ap,
        year=year,
        voted_amount=D("900000"),
    )
    return ExpenseFactory(
        budget_line=line,
        amount_ht=D(amount),
        amount_ttc=D(amount),
        committed_on=datetime.date(year, 2, 1),
        status=status,
        **fields,
    )


def test_creating_an_ap_records_its_vote(ap, manager) -> None:
    change = StatusChange.objects.get(object_id=ap.pk, target=AuthorisationStatus.OPEN)
    assert change.by == manager
    assert services.authorisation_amount(ap) == D("500000.00")


def test_an_ap_number_is_unique_in_the_owners_budget(ap, territory: Territory, manager) -> None:
    with pytest.raises(ValidationError) as error:
        services.authorisation_create(
            programme=territory.programme,
            organisation=territory.wassy,
            number="AP-2026-01",
            label="Doublon",
            voted_on=datetime.date(2026, 2, 1),
            deliberation_reference="DEL",
            initial_amount=D(1),
            by=manager,
        )
    assert "existe déjà" in error.value.messages[0]
    # Another owner may use the same number
    services.authorisation_create(
        programme=territory.programme,
        organisation=territory.la_porte_du_der,
        number="AP-2026-01",
        label="Même numéro, autre budget",
        voted_on=datetime.date(2026, 2, 1),
        deliberation_reference="DEL",
        initial_amount=D(1),
        by=manager,
    )


def test_an_ap_finances_operations_of_its_programme_only(territory: Territory, manager) -> None:
    stranger = OperationFactory(programme=territory.other_programme, code="J-01")
    with pytest.raises(ValidationError, match="J-01"):
        services.authorisation_create(
            programme=territory.programme,
            organisation=territory.wassy,
            number="AP-X",
            label="AP",
            voted_on=datetime.date(2026, 1, 1),
            deliberation_reference="DEL",
            initial_amount=D(1000),
            operations=[stranger],
            by=manager,
        )


def test_an_ap_is_voted_in_the_budget_of_the_epci_or_a_commune_of_the_programme(territory, manager) -> None:
    with pytest.raises(ValidationError, match="Joinville"):
        services.authorisation_create(
            programme=territory.programme,
            organisation=territory.other_commune,
            number="AP-X",
            label="AP",
            voted_on=datetime.date(2026, 1, 1),
            deliberation_reference="DEL",
            initial_amount=D(1000),
            by=manager,
        )


def test_the_sum_of_the_credits_may_equal_the_ap_but_not_exceed_it(ap, manager) -> None:
    services.credits_set(authorisation=ap, rows={2026: D("200000"), 2027: D("300000")}, by=manager)
    assert sum(c.amount for c in PaymentCredit.objects.filter(authorisation=ap)) == D("500000")
    with pytest.raises(services.ProgrammeBudgetError) as error:
        services.credits_set(authorisation=ap, rows={2028: D("0.01")}, by=manager)
    message = str(error.value)
    assert "500\xa0000,01\xa0€" in message and "500\xa0000,00\xa0€" in message
    assert not PaymentCredit.objects.filter(authorisation=ap, year=2028).exists()


def test_credits_are_saved_all_or_none(ap, manager) -> None:
    with pytest.raises(services.ProgrammeBudgetError):
        services.credits_set(authorisation=ap, rows={2026: D("100000"), 2027: D("450000")}, by=manager)
    assert not PaymentCredit.objects.filter(authorisation=ap).exists()


def test_a_years_credit_cannot_go_below_what_was_mandated_that_year(ap, manager) -> None:
    services.credits_set(authorisation=ap, rows={2026: D("200000")}, by=manager)
    commit(
        ap,
        "150000",
        status=ExpenseStatus.ORDERED,
        liquidated_on=datetime.date(2026, 3, 1),
        ordered_on=datetime.date(2026, 3, 5),
        payment_order_reference="M-12",
    )
    with pytest.raises(services.ProgrammeBudgetError, match="déjà mandaté"):
        services.credits_set(authorisation=ap, rows={2026: D("149999.99")}, by=manager)
    services.credits_set(authorisation=ap, rows={2026: D("150000")}, by=manager)


def test_a_revision_cannot_bring_the_ap_below_what_is_committed(ap, manager) -> None:
    commit(ap, "300000")
    with pytest.raises(ValidationError) as error:
        services.authorisation_revise(
            authorisation=ap,
            voted_on=datetime.date(2026, 6, 30),
            deliberation_reference="DEL-2026-040",
            delta=D("-200000.01"),
            reason="Économies sur le lot 2",
            by=manager,
        )
    assert "déjà engagé" in error.value.messages[0] and "300\xa0000,00\xa0€" in error.value.messages[0]
    services.authorisation_revise(
        authorisation=ap,
        voted_on=datetime.date(2026, 6, 30),
        deliberation_reference="DEL-2026-040",
        delta=D("-200000"),
        reason="Économies sur le lot 2",
        by=manager,
    )
    assert services.authorisation_amount(ap) == D("300000")


def test_a_revision_cannot_bring_the_ap_below_its_credits(ap, manager) -> None:
    services.credits_set(authorisation=ap, rows={2026: D("400000")}, by=manager)
    with pytest.raises(ValidationError, match="crédits de paiement"):
        services.authorisation_revise(
            authorisation=ap,
            voted_on=datetime.date(2026, 6, 30),
            deliberation_reference="DEL",
            delta=D("-100001"),
            reason="Réduction",
            by=manager,
        )


def test_an_ap_with_open_commitments_cannot_be_closed(ap, manager) -> None:
    expense = commit(ap, "1000")
    with pytest.raises(services.ProgrammeBudgetError, match="non payé"):
        services.authorisation_change_status(
            authorisation=ap, to=AuthorisationStatus.CLOSED, by=manager, expected_version=ap.version
        )
    expense.status = ExpenseStatus.CANCELLED
    expense.save()
    closed = services.authorisation_change_status(
        authorisation=ap,
        to=AuthorisationStatus.CLOSED,
        by=manager,
        expected_version=ap.version,
        comment="Soldée",
    )
    assert closed.status == AuthorisationStatus.CLOSED
    assert StatusChange.objects.filter(
        object_id=ap.pk, source="open", target="closed", comment="Soldée"
    ).exists()


def test_an_ap_with_expenses_is_closed_not_cancelled(ap, manager) -> None:
    commit(
        ap,
        "1000",
        status=ExpenseStatus.PAID,
        liquidated_on=datetime.date(2026, 3, 1),
        ordered_on=datetime.date(2026, 3, 2),
        paid_on=datetime.date(2026, 3, 9),
    )
    with pytest.raises(services.ProgrammeBudgetError, match="pas annulée"):
        services.authorisation_change_status(
            authorisation=ap, to=AuthorisationStatus.CANCELLED, by=manager, expected_version=ap.version
        )


def test_a_stale_ap_edit_is_refused(ap, manager) -> None:
    values = {
        "number": ap.number,
        "label": ap.label,
        "voted_on": ap.voted_on,
        "deliberation_reference": ap.deliberation_reference,
        "initial_amount": D("600000"),
        "operations": list(ap.operations.all()),
    }
    services.authorisation_update(authorisation=ap, expected_version=ap.version, by=manager, **values)
    with pytest.raises(StaleObjectError, match="modifié"):
        services.authorisation_update(authorisation=ap, expected_version=ap.version, by=manager, **values)


def test_the_initial_amount_cannot_go_below_what_is_committed(ap, manager) -> None:
    commit(ap, "300000")
    with pytest.raises(ValidationError, match="déjà engagé"):
        services.authorisation_update(
            authorisation=ap,
            expected_version=ap.version,
            by=manager,
            number=ap.number,
            label=ap.label,
            voted_on=ap.voted_on,
            deliberation_reference=ap.deliberation_reference,
            initial_amount=D("299999.99"),
            operations=[],
        )


# --- Pages -------------------------------------------------------------------------------------------------


def test_a_manager_creates_an_ap_and_votes_its_credits(client_for, territory: Territory) -> None:
    client = client_for("manager")
    response = client.post(
        reverse("budget:authorisation_create", args=[territory.programme.pk]),
        {
            "organisation": territory.wassy.pk,
            "number": "AP-2026-07",
            "label": "Halle du marché",
            "voted_on": "2026-03-12",
            "deliberation_reference": "DEL-2026-021",
            "initial_amount": "250000,00",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    ap = territory.programme.authorisations.get(number="AP-2026-07")
    url = reverse("budget:authorisation_credits", args=[ap.pk])
    page = client.get(url)
    formset = page.context["formset"]
    data = {"annees-TOTAL_FORMS": "2", "annees-INITIAL_FORMS": "0"}
    data.update(
        {
            "annees-0-year": "2026",
            "annees-0-amount": "100000",
            "annees-1-year": "2027",
            "annees-1-amount": "150000,01",
        }
    )
    assert formset.total_form_count() >= 2
    refused = client.post(url, data, follow=True)
    assert "dépasse le montant de l&#x27;AP" in refused.content.decode()
    data["annees-1-amount"] = "150000"
    assert client.post(url, data).status_code == 302
    detail = client.get(reverse("budget:authorisation_detail", args=[ap.pk]))
    html = detail.content.decode()
    assert "250\xa0000,00\xa0€" in html and "Historique" in html


def test_the_status_of_an_ap_changes_by_post(client_for, ap) -> None:
    client = client_for("manager")
    response = client.post(
        reverse("budget:authorisation_status", args=[ap.pk]),
        {"to": "closed", "version": ap.version},
        follow=True,
    )
    assert "Clôturée" in response.content.decode()
    ap.refresh_from_db()
    assert ap.status == AuthorisationStatus.CLOSED


def test_a_manager_revises_an_ap_from_its_page(client_for, ap) -> None:
    commit(ap, "450000")
    url = reverse("budget:authorisation_revise", args=[ap.pk])
    client = client_for("manager")
    data = {"voted_on": "2026-09-24", "deliberation_reference": "DEL-2026-061", "reason": "Lot 3 infructueux"}
    refused = client.post(url, {**data, "delta": "-50000,01"})
    assert refused.status_code == 200
    assert "déjà engagé" in " ".join(refused.context["form"].errors["delta"])
    assert client.post(url, {**data, "delta": "-50000"}).status_code == 302
    assert services.authorisation_amount(ap) == D("450000")
    assert (
        "Lot 3 infructueux"
        in client.get(reverse("budget:authorisation_detail", args=[ap.pk])).content.decode()
    )
