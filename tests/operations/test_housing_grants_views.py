"""The grants panel and pages of a household file: the file's writers record, commit, cancel and pay grants and
apply the proposals; refusals are shown in French; the panel shows French amounts and the household's remaining
cost; its summary is read in the same number of queries whatever the number of grants and payments."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.housing.models import GrantPaymentKind, GrantStatus
from operations.housing.selectors.grants import grants_summary
from operations.models import AidScheme, HousingFile, HousingFileAccess, HousingGrant, HousingGrantPayment
from tests.operations.housing_factories import (
    HousingGrantFactory,
    HousingGrantPaymentFactory,
    TopUpRuleFactory,
)
from tests.operations.housing_rows import housing_rows

pytestmark = pytest.mark.django_db
D = datetime.date


def file_page(file: HousingFile) -> str:
    return f"/operations/habitat/dossier/{file.pk}/"


def test_the_operator_records_a_grant_and_returns_to_the_file(territory: object, client_for: object) -> None:
    side = housing_rows(territory).saint_dizier
    response = client_for("operator").post(
        reverse("operations:housing_grant_create", kwargs={"pk": side.file.pk}),
        {"funder": territory.epci.pk, "label": "Prime façade", "amount": "1500.00"},
    )
    assert response.status_code == 302
    assert response["Location"] == file_page(side.file)
    grant = HousingGrant.objects.get(file=side.file, label="Prime façade")
    assert (grant.amount, grant.status) == (Decimal("1500.00"), GrantStatus.PLANNED)
    assert HousingFileAccess.objects.filter(file=side.file, action="edit").exists()


def test_the_grant_form_has_a_label_for_every_field(territory: object, client_for: object) -> None:
    side = housing_rows(territory).saint_dizier
    response = client_for("operator").get(
        reverse("operations:housing_grant_create", kwargs={"pk": side.file.pk})
    )
    html = response.content.decode()
    for name in ("funder", "label", "scheme", "top_up_rule", "eligible_amount_ht", "rate", "amount"):
        assert f'for="id_{name}"' in html


def test_the_manager_of_another_housing_programme_cannot_reach_the_grant(
    territory: object, client_for: object
) -> None:
    grant = housing_rows(territory).saint_dizier.grant
    response = client_for("manager").post(
        reverse("operations:housing_payment_create", kwargs={"pk": grant.pk}),
        {"kind": "instalment", "amount": "10", "paid_on": "2026-06-20"},
    )
    assert response.status_code == 404
    assert grant.payments.count() == 1


def test_an_excessive_payment_is_refused_with_the_figures(territory: object, client_for: object) -> None:
    side = housing_rows(territory).saint_dizier  # grant of 20 000 €, 5 000 € paid
    response = client_for("operator").post(
        reverse("operations:housing_payment_create", kwargs={"pk": side.grant.pk}),
        {"kind": "instalment", "amount": "15000.01", "paid_on": "2026-06-20"},
        follow=True,
    )
    assert "reste à verser : 15\xa0000,00\xa0€" in unescape(response.content.decode())
    assert side.grant.payments.count() == 1
    ok = client_for("operator").post(
        reverse("operations:housing_payment_create", kwargs={"pk": side.grant.pk}),
        {"kind": "balance", "amount": "15000", "paid_on": "2026-06-20"},
    )
    assert ok["Location"] == file_page(side.file)
    assert side.grant.payments.filter(kind=GrantPaymentKind.BALANCE).count() == 1


def test_committing_and_cancelling_go_through_the_status_post(territory: object, client_for: object) -> None:
    side = housing_rows(territory).wassy
    grant = HousingGrantFactory(file=side.file, funder=territory.epci, label="Prime commune")
    client = client_for("manager")
    url = reverse("operations:housing_grant_status", kwargs={"pk": grant.pk})
    missing_date = client.post(url, {"action": "commit"})
    assert any("Engagée le" in str(m) for m in get_messages(missing_date.wsgi_request))
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PLANNED
    response = client.post(url, {"action": "commit", "committed_on": "2026-05-21", "comment": "Délibération"})
    assert response["Location"] == file_page(side.file)
    grant.refresh_from_db()
    assert (grant.status, grant.committed_on) == (GrantStatus.COMMITTED, D(2026, 5, 21))
    client.post(url, {"action": "cancel", "comment": "Travaux abandonnés"})
    grant.refresh_from_db()
    assert grant.status == GrantStatus.CANCELLED


def test_a_paid_grant_cannot_be_cancelled_from_the_page(territory: object, client_for: object) -> None:
    side = housing_rows(territory).wassy
    response = client_for("manager").post(
        reverse("operations:housing_grant_status", kwargs={"pk": side.grant.pk}),
        {"action": "cancel", "comment": "Erreur"},
    )
    assert response["Location"] == file_page(side.file)
    assert any("ne peut pas être annulée" in str(m) for m in get_messages(response.wsgi_request))
    side.grant.refresh_from_db()
    assert side.grant.status == GrantStatus.COMMITTED


def test_applying_the_proposals_from_the_page_plans_the_top_ups(
    territory: object, client_for: object
) -> None:
    side = housing_rows(
        territory
    ).saint_dizier  # rule: 10 % of works HT, capped at 3 000 €; works 25 000 € HT
    response = client_for("operator").post(
        reverse("operations:housing_grant_proposals", kwargs={"pk": side.file.pk})
    )
    assert response["Location"] == file_page(side.file)
    top_up = HousingGrant.objects.get(file=side.file, top_up_rule=side.top_up_rule)
    assert (top_up.amount, top_up.status) == (Decimal("2500.00"), GrantStatus.PLANNED)


# --- The panel ----------------------------------------------------------------------------------------------------


def test_the_panel_shows_french_amounts_totals_and_the_remaining_cost(territory: object) -> None:
    side = housing_rows(territory).saint_dizier  # works 26 375 € TTC; grant 20 000 € committed, 5 000 € paid
    HousingGrantFactory(
        file=side.file, funder=territory.epci, label="Prime façade", amount=Decimal("1234.56")
    )
    HousingGrantFactory(
        file=side.file,
        funder=territory.epci,
        label="Annulée",
        amount=Decimal(999),
        status=GrantStatus.CANCELLED,
    )
    summary = grants_summary(side.file, day=D(2026, 7, 1))
    assert (summary.total_committed, summary.total_paid, summary.remaining_to_pay) == (
        Decimal(20000),
        Decimal(5000),
        Decimal(15000),
    )
    assert summary.remaining_cost == Decimal("26375.00") - Decimal(20000) - Decimal("1234.56")
    html = render_to_string(
        "operations/housing/partials/grants.html", {"grants": summary, "file": side.file, "can_edit": True}
    )
    assert "20\xa0000,00\xa0€" in html
    assert "1\xa0234,56\xa0€" in html
    assert "15\xa0000,00\xa0€" in html  # remaining to pay
    assert "5\xa0140,44\xa0€" in html  # reste à charge: 26 375 − 20 000 − 1 234,56
    assert "15/06/2026" in html
    assert reverse("operations:housing_payment_create", kwargs={"pk": side.grant.pk}) in html
    assert reverse("operations:housing_grant_proposals", kwargs={"pk": side.file.pk}) in html
    read_only = render_to_string(
        "operations/housing/partials/grants.html", {"grants": summary, "file": side.file, "can_edit": False}
    )
    assert "Ajouter une aide" not in read_only and "20\xa0000,00\xa0€" in read_only


def test_without_works_ttc_the_remaining_cost_is_not_computed(territory: object) -> None:
    side = housing_rows(territory).saint_dizier
    HousingFile.objects.filter(pk=side.file.pk).update(works_amount_ttc=None, works_amount_ht=None)
    side.file.refresh_from_db()
    summary = grants_summary(side.file, day=D(2026, 7, 1))
    assert summary.remaining_cost is None
    html = render_to_string(
        "operations/housing/partials/grants.html", {"grants": summary, "file": side.file, "can_edit": False}
    )
    assert "non calculable (montant TTC des travaux non renseigné)" in html


def test_the_panel_lists_the_eligibility_checks_with_words_not_only_colours(territory: object) -> None:
    side = housing_rows(territory).saint_dizier
    HousingFile.objects.filter(pk=side.file.pk).update(
        scheme=AidScheme.objects.get(code="mpr-parcours-accompagne", valid_from=D(2026, 2, 23)),
        label_before="F",
        label_after="E",
        year_built=1930,
    )
    file = HousingFile.objects.get(pk=side.file.pk)
    summary = grants_summary(file, day=D(2026, 7, 1))
    assert summary.eligible is False
    html = unescape(
        render_to_string("operations/housing/partials/grants.html", {"grants": summary, "file": file})
    )
    assert "Non remplie :" in html and "Gain d'au moins 2 classes DPE" in html
    assert "Aucun rendez-vous France Rénov' enregistré." in html


def _grow(file: HousingFile, territory: object, count: int) -> None:
    for n in range(count):
        grant = HousingGrantFactory(
            file=file,
            funder=territory.epci,
            label=f"Aide {n}",
            status=GrantStatus.COMMITTED,
            committed_on=D(2026, 5, 1),
            amount=Decimal(1000),
            scheme=file.scheme,
            top_up_rule=TopUpRuleFactory(housing_programme=file.housing_programme, funder=territory.epci),
        )
        HousingGrantPaymentFactory(grant=grant, amount=Decimal(100), paid_on=D(2026, 5, 2))
        HousingGrantPaymentFactory(grant=grant, kind="instalment", amount=Decimal(100), paid_on=D(2026, 5, 3))


def _queries(file: HousingFile) -> int:
    fresh = HousingFile.objects.get(pk=file.pk)
    with CaptureQueriesContext(connection) as context:
        summary = grants_summary(fresh, day=D(2026, 7, 1))
        render_to_string("operations/housing/partials/grants.html", {"grants": summary, "file": fresh})
    return len(context.captured_queries)


def test_the_summary_is_read_in_the_same_number_of_queries_at_1x_and_10x(territory: object) -> None:
    side = housing_rows(territory).saint_dizier
    HousingFile.objects.filter(pk=side.file.pk).update(
        scheme=AidScheme.objects.get(code="mpr-parcours-accompagne", valid_from=D(2026, 2, 23)),
        income_category="",
        reference_income=Decimal(15000),
    )
    _grow(side.file, territory, 1)
    once = _queries(side.file)
    _grow(side.file, territory, 9)
    assert HousingGrantPayment.objects.filter(grant__file=side.file).count() == 21
    assert _queries(side.file) == once
    assert once <= 6
