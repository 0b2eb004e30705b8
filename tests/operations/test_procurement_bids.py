"""Bids, scores, award and signature of a lot; the analysis report and its XLSX; query counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from operations.models import BidScore, Consultation, Contract, Lot
from operations.procurement.services import bids as services
from tests.factories import UserFactory
from tests.operations.bid_rows import DEADLINE, analysed_consultation, bid_rows, scored_lot
from tests.operations.procurement_factories import BidFactory, CompanyFactory, siret

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def by():
    return UserFactory(full_name="Acheteuse")


def published(territory):
    consultation = analysed_consultation(territory, status="published", opened_on=None)
    rows = scored_lot(consultation, [], [])
    return rows


def test_a_bid_at_the_deadline_minute_is_accepted_and_one_after_is_refused(territory, by) -> None:
    rows = published(territory)
    on_time = services.bid_record(
        lot=rows.lot,
        bidder=CompanyFactory(siren=None),
        bidder_siret=siret(1),
        received_at=DEADLINE + datetime.timedelta(seconds=59),
        price_ht=Decimal("1000.00"),
        by=by,
    )
    assert on_time.pk
    with pytest.raises(ValidationError) as error:
        services.bid_record(
            lot=rows.lot,
            bidder=CompanyFactory(siren=None),
            bidder_siret=siret(2),
            received_at=DEADLINE + datetime.timedelta(minutes=1),
            price_ht=Decimal("1000.00"),
            by=by,
        )
    message = error.value.message_dict["received_at"][0]
    assert "14/04/2026 à 12:01" in message and "14/04/2026 à 12:00" in message


def test_a_bid_before_publication_is_refused(territory, by) -> None:
    consultation = analysed_consultation(territory, status="dce", published_on=None, opened_on=None)
    rows = scored_lot(consultation, [], [])
    with pytest.raises(services.BidError, match="pas encore publiée"):
        services.bid_record(
            lot=rows.lot,
            bidder=CompanyFactory(siren=None),
            bidder_siret=siret(1),
            received_at=DEADLINE,
            price_ht=Decimal("1000.00"),
            by=by,
        )


def test_a_siret_not_matching_the_siren_is_refused(territory, by) -> None:
    rows = published(territory)
    with pytest.raises(ValidationError, match="SIREN"):
        services.bid_record(
            lot=rows.lot,
            bidder=CompanyFactory(siren="123456789"),
            bidder_siret="98765432100012",
            received_at=DEADLINE,
            price_ht=Decimal("1000.00"),
            by=by,
        )


def test_a_new_company_takes_the_siren_only_if_unused(by) -> None:
    CompanyFactory(siren="123456789")
    first = services.company_create(name="Nouvelle", siret="12345678900011", by=by)
    second = services.company_create(name="Libre", siret="55566677700011", by=by)
    assert first.siren is None and second.siren == "555666777" and second.kind == "company"


def test_a_score_above_the_scale_is_refused_by_the_service_the_form_and_the_database(territory, by) -> None:
    rows = bid_rows(territory)
    bid = rows.bids[0]
    with pytest.raises(ValidationError, match="entre 0 et 10"):
        services.scores_set(bid=bid, scores={rows.technical: Decimal(11)}, by=by)
    assert BidScore.objects.get(bid=bid).score == Decimal(6)  # all or nothing
    from operations.procurement.forms.bids import ScoresForm

    form = ScoresForm({f"criterion_{rows.technical.pk}": "10.5"}, criteria=[rows.technical], current={})
    assert not form.is_valid()
    assert form.fields[f"criterion_{rows.technical.pk}"].label == "Note sur 10 — Valeur technique"
    with pytest.raises(IntegrityError), transaction.atomic():
        BidScore.objects.filter(bid=bid).update(score=Decimal(12))


def test_price_criteria_are_computed_not_entered(territory, by) -> None:
    rows = bid_rows(territory)
    with pytest.raises(services.BidError, match="critère de prix"):
        services.scores_set(bid=rows.bids[0], scores={rows.price: Decimal(5)}, by=by)


def test_awarding_another_than_the_best_requires_a_reason(territory, by) -> None:
    rows = bid_rows(territory)  # A: 40 + 36 = 76 ; B: 33.33 + 54 = 87.33 → B is best
    cheap = rows.bids[0]
    with pytest.raises(ValidationError, match="motif"):
        services.award_lot(lot=rows.lot, bid=cheap, decided_on=D(2026, 4, 20), by=by)
    services.award_lot(
        lot=rows.lot, bid=cheap, decided_on=D(2026, 4, 20), by=by, reason="Offre de B anormalement basse"
    )
    bid, award = services.award_of_lot(rows.lot)
    assert bid == cheap and award.decided_on == D(2026, 4, 20) and "anormalement" in award.reason
    consultation = Consultation.objects.get(pk=rows.consultation.pk)
    assert consultation.status == "awarded" and consultation.awarded_on == D(2026, 4, 20)
    lot = Lot.objects.get(pk=rows.lot.pk)
    assert (lot.awarded_bid, lot.awarded_on, lot.award_reason) == (
        cheap,
        D(2026, 4, 20),
        "Offre de B anormalement basse",
    )


def test_a_lot_is_awarded_once(territory, by) -> None:
    rows = bid_rows(territory)
    best = rows.bids[1]
    services.award_lot(lot=rows.lot, bid=best, decided_on=D(2026, 4, 20), by=by)
    with pytest.raises(services.BidError, match="déjà attribué"):
        services.award_lot(lot=rows.lot, bid=rows.bids[0], decided_on=D(2026, 4, 21), by=by, reason="Autre")


def test_a_formal_procedure_requires_its_cao_date(territory, by) -> None:
    rows = scored_lot(analysed_consultation(territory, procedure="open"), [Decimal(100)], [Decimal(5)])
    with pytest.raises(services.BidError, match="CAO"):
        services.award_lot(lot=rows.lot, bid=rows.bids[0], decided_on=D(2026, 4, 20), by=by)
    Consultation.objects.filter(pk=rows.consultation.pk).update(cao_on=D(2026, 4, 18))
    with pytest.raises(services.BidError, match="Commission d'appel d'offres"):
        services.award_lot(lot=rows.lot, bid=rows.bids[0], decided_on=D(2026, 4, 20), by=by)
    Consultation.objects.filter(pk=rows.consultation.pk).update(status="cao")
    services.award_lot(lot=rows.lot, bid=rows.bids[0], decided_on=D(2026, 4, 20), by=by)
    assert Consultation.objects.get(pk=rows.consultation.pk).status == "awarded"


def _awarded_formal(territory, by, *, electronic: bool, amount=Decimal("200000.00")):
    consultation = analysed_consultation(
        territory, procedure="open", cao_on=D(2026, 4, 18), electronic=electronic, status="cao"
    )
    rows = scored_lot(consultation, [amount, amount * 2], [Decimal(8), Decimal(8)])
    services.award_lot(lot=rows.lot, bid=rows.bids[0], decided_on=D(2026, 4, 20), by=by)
    Consultation.objects.filter(pk=consultation.pk).update(
        status="rejections_sent", rejections_sent_on=D(2026, 6, 1)
    )
    return rows


def _sign(rows, by, signed_on, **extra):
    values = {"number": "M2026-001", "duration_months": 10, "advance_rate": Decimal("0.05"), **extra}
    return services.sign_contract(lot=rows.lot, signed_on=signed_on, by=by, **values)


@pytest.mark.parametrize(
    ("electronic", "refused", "allowed"),
    [(True, D(2026, 6, 11), D(2026, 6, 12)), (False, D(2026, 6, 16), D(2026, 6, 17))],
)
def test_signature_inside_the_standstill_is_refused(territory, by, electronic, refused, allowed) -> None:
    rows = _awarded_formal(territory, by, electronic=electronic)
    with pytest.raises(ValidationError, match="standstill"):
        _sign(rows, by, refused)
    contract = _sign(rows, by, allowed)
    assert contract.signed_on == allowed
    assert Consultation.objects.get(pk=rows.consultation.pk).status == "signed"


def test_signature_before_the_rejection_letters_is_refused(territory, by) -> None:
    rows = bid_rows(territory)
    services.award_lot(lot=rows.lot, bid=rows.bids[1], decided_on=D(2026, 4, 20), by=by)
    with pytest.raises(services.BidError, match="évincés"):
        _sign(rows, by, D(2026, 5, 4))


@pytest.mark.parametrize(
    ("amount", "months", "rate", "refused"),
    [
        (Decimal("50000.01"), 3, Decimal(0), True),
        (Decimal("50000.01"), 3, Decimal("0.05"), False),  # exactly 5 % passes
        (Decimal("50000.00"), 12, Decimal(0), False),  # not above 50 000 € HT
        (Decimal("80000.00"), 2, Decimal(0), False),  # not above 2 months
    ],
)
def test_mandatory_advance(territory, by, amount, months, rate, refused) -> None:
    rows = _awarded_formal(territory, by, electronic=True, amount=amount)
    if refused:
        with pytest.raises(ValidationError, match="R2191-3"):
            _sign(rows, by, D(2026, 6, 15), duration_months=months, advance_rate=rate)
    else:
        assert _sign(rows, by, D(2026, 6, 15), duration_months=months, advance_rate=rate).pk


def test_the_contract_is_created_from_the_awarded_bid(territory, by) -> None:
    rows = _awarded_formal(territory, by, electronic=True)
    contract = _sign(rows, by, D(2026, 6, 15), vat_rate=Decimal("0.20"), notified_on=D(2026, 6, 16))
    bid = rows.bids[0]
    assert (contract.holder, contract.holder_siret) == (bid.bidder, bid.bidder_siret)
    assert contract.amount_ht == Decimal("200000.00") and contract.amount_ttc == Decimal("240000.00")
    assert Contract.objects.get(lot=rows.lot) == contract


# --- Pages -----------------------------------------------------------------------------------------------


def test_the_report_lists_scores_ranking_holder_and_sign_off(client_for, territory) -> None:
    rows = bid_rows(territory)
    response = client_for("mayor_of_wassy").get(
        reverse("operations:analysis_report", kwargs={"pk": rows.consultation.pk})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Entreprise A" in html and "Entreprise B" in html
    assert "100\xa0000,00\xa0€" in html  # French money
    assert "87,33" in html and "76,00" in html  # totals on 100
    assert "Mieux classée" in html and "Attributaire proposé" in html
    assert "Visa" in html and "css/print.css" in html


def test_the_report_xlsx_has_the_scores_as_numbers(client_for, territory) -> None:
    rows = bid_rows(territory)
    response = client_for("manager").get(
        reverse("operations:analysis_report_xlsx", kwargs={"pk": rows.consultation.pk})
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in values if r[0] == "Lot")
    body = [dict(zip(header, r, strict=False)) for r in values[values.index(header) + 1 :]]
    best = next(r for r in body if r["Candidat"] == "Entreprise B")
    assert best["Rang"] == 1 and best["Prix (€ HT)"] == Decimal("120000.00") or best["Prix (€ HT)"] == 120000
    assert round(best["Note totale sur 100"], 2) == pytest.approx(87.33)


def test_the_manager_scores_and_awards_a_lot_through_the_pages(client_for, territory) -> None:
    rows = bid_rows(territory)
    client = client_for("manager")
    url = reverse("operations:bid_scores", kwargs={"pk": rows.bids[0].pk})
    response = client.post(url, {f"criterion_{rows.technical.pk}": "11"})
    assert response.status_code == 200 and "ne peut pas dépasser 10" in response.content.decode()
    client.post(url, {f"criterion_{rows.technical.pk}": "10"})
    assert BidScore.objects.get(bid=rows.bids[0]).score == Decimal(10)  # A: 40 + 60 = 100 → best now
    award_url = reverse("operations:lot_award", kwargs={"pk": rows.lot.pk})
    page = client.get(award_url)
    assert page.context["form"].initial["bid"] == rows.bids[0].pk
    client.post(award_url, {"bid": rows.bids[0].pk, "decided_on": "2026-04-20"})
    assert services.award_of_lot(rows.lot)[0] == rows.bids[0]


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("name", ["operations:analysis_report", "operations:analysis_report_xlsx"])
def test_report_query_count_does_not_grow_with_the_bids(client_for, territory, name) -> None:
    rows = bid_rows(territory)
    client = client_for("manager")
    url = reverse(name, kwargs={"pk": rows.consultation.pk})
    _count(client, url)
    once = _count(client, url)
    for index in range(18):
        bid = BidFactory(lot=rows.lot, bidder=CompanyFactory(siren=None), bidder_siret=siret(5000 + index))
        BidScore.objects.create(bid=bid, criterion=rows.technical, score=Decimal(5), max_score=Decimal(10))
    assert _count(client, url) == once


def test_award_page_query_count_does_not_grow_with_the_bids(client_for, territory) -> None:
    rows = bid_rows(territory)
    client = client_for("manager")
    url = reverse("operations:lot_award", kwargs={"pk": rows.lot.pk})
    _count(client, url)
    once = _count(client, url)
    for index in range(18):
        BidFactory(lot=rows.lot, bidder=CompanyFactory(siren=None), bidder_siret=siret(6000 + index))
    assert _count(client, url) == once


def test_the_consultation_page_shows_the_ranking_and_the_links_to_score_and_award(
    client_for, territory
) -> None:
    rows = bid_rows(territory)
    html = (
        client_for("manager")
        .get(reverse("operations:consultation_detail", kwargs={"pk": rows.consultation.pk}))
        .content.decode()
    )
    assert "Offres, notation et classement" in html
    assert reverse("operations:bid_scores", kwargs={"pk": rows.bids[0].pk}) in html
    assert reverse("operations:lot_award", kwargs={"pk": rows.lot.pk}) in html
    assert reverse("operations:analysis_report", kwargs={"pk": rows.consultation.pk}) in html
