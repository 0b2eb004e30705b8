"""Writes of a file's grants: record, edit, commit and cancel (with their StatusChange and history author), the
computed proposals applied idempotently without touching committed grants, and the payment rules."""

import datetime
from decimal import Decimal

import pytest

from operations.housing.models import FileStatus, GrantPaymentKind, GrantStatus, IncomeCategory
from operations.housing.services.grants import (
    GrantError,
    apply_proposals,
    cancel_grant,
    commit_grant,
    record_grant,
    record_payment,
    update_grant,
)
from operations.models import AidScheme, HousingFile, HousingGrant, HousingGrantPayment
from pvd.models import StatusChange
from tests.operations.housing_factories import (
    AidSchemeFactory,
    HousingFileFactory,
    HousingGrantFactory,
    TopUpRuleFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
MARCH_2026 = datetime.date(2026, 3, 1)
P = GrantPaymentKind


@pytest.fixture
def file(territory: object) -> HousingFile:
    return HousingFileFactory(
        housing_programme=territory.opah_ru,
        commune=territory.saint_dizier,
        status=FileStatus.FILED,
        income_category=IncomeCategory.VERY_MODEST,
        first_contact_on=D(2025, 9, 1),
        filed_on=D(2025, 10, 15),
        year_built=1950,
        label_before="F",
        label_after="D",
        works_amount_ht=Decimal("25000.00"),
        works_amount_ttc=Decimal("26375.00"),
        scheme=AidScheme.objects.get(code="mpr-parcours-accompagne", valid_from=D(2025, 9, 30)),
    )


def committed(file: HousingFile, amount: str = "10000.00", **fields: object) -> HousingGrant:
    return HousingGrantFactory(
        file=file, status=GrantStatus.COMMITTED, committed_on=D(2026, 1, 10), amount=Decimal(amount), **fields
    )


# --- Grants -----------------------------------------------------------------------------------------------------


def test_recording_a_grant_plans_it_and_says_who(
    file: HousingFile, operator: object, territory: object
) -> None:
    grant = record_grant(
        file=file, by=operator, funder=territory.epci, label="Prime façade", amount=Decimal("1200.004")
    )
    assert (grant.status, grant.amount) == (GrantStatus.PLANNED, Decimal("1200.00"))
    assert grant.history.latest().history_user == operator
    change = StatusChange.objects.get(object_id=grant.pk, target=GrantStatus.PLANNED)
    assert change.by == operator


def test_a_closed_file_takes_no_new_grant(file: HousingFile, operator: object, territory: object) -> None:
    HousingFile.objects.filter(pk=file.pk).update(status=FileStatus.ABANDONED)
    with pytest.raises(GrantError, match="Abandonné"):
        record_grant(file=file, by=operator, funder=territory.epci, label="Prime", amount=Decimal(100))


def test_committing_a_grant_records_the_date_and_the_transition(file: HousingFile, operator: object) -> None:
    grant = HousingGrantFactory(file=file)
    saved = commit_grant(grant=grant, committed_on=D(2026, 1, 20), by=operator, comment="Décision Anah")
    assert (saved.status, saved.committed_on) == (GrantStatus.COMMITTED, D(2026, 1, 20))
    change = StatusChange.objects.get(object_id=grant.pk, target=GrantStatus.COMMITTED)
    assert (change.source, change.by, change.comment) == (GrantStatus.PLANNED, operator, "Décision Anah")
    with pytest.raises(GrantError, match="est déjà « Engagée »"):
        commit_grant(grant=saved, committed_on=D(2026, 1, 20), by=operator)


def test_a_commitment_cannot_be_dated_in_the_future(file: HousingFile, operator: object) -> None:
    grant = HousingGrantFactory(file=file)
    with pytest.raises(GrantError, match="futur"):
        commit_grant(
            grant=grant, committed_on=datetime.date.today() + datetime.timedelta(days=1), by=operator
        )


def test_a_committed_grant_is_no_longer_edited(file: HousingFile, operator: object) -> None:
    grant = committed(file)
    with pytest.raises(GrantError, match="seule une aide prévue se modifie"):
        update_grant(grant=grant, by=operator, amount=Decimal(1))
    planned = HousingGrantFactory(file=file)
    assert update_grant(grant=planned, by=operator, amount=Decimal(9000)).amount == Decimal("9000.00")


def test_cancelling_needs_a_reason_and_no_payment(file: HousingFile, operator: object) -> None:
    grant = committed(file)
    with pytest.raises(GrantError, match="motif"):
        cancel_grant(grant=grant, by=operator, comment=" ")
    HousingGrantPayment.objects.create(
        grant=grant, kind=P.ADVANCE, amount=Decimal(100), paid_on=D(2026, 2, 1)
    )
    with pytest.raises(GrantError, match="versement .*le 01/02/2026"):
        cancel_grant(grant=grant, by=operator, comment="Abandon des travaux")
    other = HousingGrantFactory(file=file)
    assert cancel_grant(grant=other, by=operator, comment="Doublon").status == GrantStatus.CANCELLED
    assert StatusChange.objects.get(object_id=other.pk, target=GrantStatus.CANCELLED).comment == "Doublon"


# --- Proposals ----------------------------------------------------------------------------------------------------


def test_applying_the_proposals_plans_the_anah_grant_and_the_top_ups_once(
    file: HousingFile, operator: object, territory: object
) -> None:
    TopUpRuleFactory(housing_programme=territory.opah_ru, funder=territory.epci, label="Prime intercommunale")
    first = apply_proposals(file=file, by=operator, day=D(2026, 4, 1))
    assert len(first.created) == 2
    grants = {g.label: g for g in HousingGrant.objects.filter(file=file)}
    anah = grants["MaPrimeRénov' Parcours accompagné"]
    assert (anah.amount, anah.eligible_amount_ht, anah.rate) == (
        Decimal("20000.00"),
        Decimal("25000.00"),
        Decimal("0.80"),
    )
    assert anah.funder.name == "Agence nationale de l'habitat (Anah)"
    assert grants["Prime intercommunale"].amount == Decimal("2500.00")
    again = apply_proposals(file=file, by=operator, day=D(2026, 4, 1))
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 2)
    assert HousingGrant.objects.filter(file=file).count() == 2


def test_the_proposals_update_planned_grants_and_never_touch_committed_ones(
    file: HousingFile, operator: object, territory: object
) -> None:
    TopUpRuleFactory(housing_programme=territory.opah_ru, funder=territory.epci, label="Prime intercommunale")
    apply_proposals(file=file, by=operator, day=D(2026, 4, 1))
    anah = HousingGrant.objects.get(file=file, scheme__isnull=False)
    commit_grant(grant=anah, committed_on=D(2026, 1, 20), by=operator)
    HousingFile.objects.filter(pk=file.pk).update(
        works_amount_ht=Decimal("28000.00"), works_amount_ttc=Decimal("29540.00")
    )
    result = apply_proposals(file=file, by=operator, day=D(2026, 4, 1))
    anah.refresh_from_db()
    assert anah.amount == Decimal("20000.00")  # committed: unchanged
    assert HousingGrant.objects.get(file=file, top_up_rule__isnull=False).amount == Decimal("2800.00")
    assert len(result.updated) == 1
    assert any("déjà engagée" in text for text in result.skipped)


def test_a_proposal_without_a_rate_is_not_applied_and_says_why(file: HousingFile, operator: object) -> None:
    HousingFile.objects.filter(pk=file.pk).update(income_category=IncomeCategory.INTERMEDIATE)
    file.refresh_from_db()
    result = apply_proposals(file=file, by=operator, day=D(2026, 4, 1))
    assert result.created == []
    assert "taux non renseigné" in result.message


def test_a_cancelled_grant_is_left_alone_and_the_proposal_planned_again(
    file: HousingFile, operator: object
) -> None:
    apply_proposals(file=file, by=operator, day=D(2026, 4, 1))
    grant = HousingGrant.objects.get(file=file)
    cancel_grant(grant=grant, by=operator, comment="Erreur de version")
    apply_proposals(file=file, by=operator, day=D(2026, 4, 1))
    assert sorted(HousingGrant.objects.filter(file=file).values_list("status", flat=True)) == [
        GrantStatus.CANCELLED,
        GrantStatus.PLANNED,
    ]


# --- Payments -----------------------------------------------------------------------------------------------------


def pay(grant: HousingGrant, kind: str, amount: str, by: object, day: datetime.date = MARCH_2026) -> object:
    return record_payment(grant=grant, kind=kind, amount=Decimal(amount), paid_on=day, by=by)


def test_only_a_committed_grant_is_paid(file: HousingFile, operator: object) -> None:
    with pytest.raises(GrantError, match="seule une aide engagée peut être versée"):
        pay(HousingGrantFactory(file=file), P.INSTALMENT, "100", operator)


def test_payments_never_exceed_the_grant_and_the_message_gives_the_figures(
    file: HousingFile, operator: object
) -> None:
    grant = committed(file, "10000.00")
    pay(grant, P.INSTALMENT, "6000", operator)
    with pytest.raises(GrantError) as error:
        pay(grant, P.INSTALMENT, "4000.01", operator)
    assert str(error.value) == (
        "Ce versement de 4\xa0000,01\xa0€ porterait le total versé à 10\xa0000,01\xa0€, au-delà du montant de "
        "l'aide (10\xa0000,00\xa0€) ; reste à verser : 4\xa0000,00\xa0€."
    )
    payment = pay(grant, P.BALANCE, "4000.00", operator)
    assert payment.history.latest().history_user == operator


def test_nothing_is_paid_after_the_balance(file: HousingFile, operator: object) -> None:
    grant = committed(file, "10000.00")
    pay(grant, P.BALANCE, "8000", operator)
    with pytest.raises(GrantError, match="solde .* versé le 01/03/2026"):
        pay(grant, P.INSTALMENT, "100", operator)


def test_an_advance_comes_before_any_instalment(file: HousingFile, operator: object) -> None:
    grant = committed(file, "10000.00")
    pay(grant, P.ADVANCE, "1000", operator)
    pay(grant, P.INSTALMENT, "1000", operator)
    with pytest.raises(GrantError, match="avant tout acompte ou solde"):
        pay(grant, P.ADVANCE, "100", operator)


def test_an_advance_is_capped_by_the_scheme_advance_rate(file: HousingFile, operator: object) -> None:
    grant = committed(file, "10000.00", scheme=file.scheme)  # MaPrimeRénov': advance ≤ 70 %
    pay(grant, P.ADVANCE, "5000", operator)
    with pytest.raises(GrantError) as error:
        pay(grant, P.ADVANCE, "2000.01", operator)
    assert "7\xa0000,01\xa0€ au total" in str(error.value)
    assert "70\xa0% du montant de l'aide, soit 7\xa0000,00\xa0€" in str(error.value)
    pay(grant, P.ADVANCE, "2000", operator)


def test_without_an_advance_rate_the_advance_is_only_capped_by_the_grant(
    file: HousingFile, operator: object
) -> None:
    grant = committed(file, "10000.00", scheme=AidSchemeFactory(advance_max_rate=None))
    pay(grant, P.ADVANCE, "10000", operator)
    assert grant.payments.count() == 1


def test_a_payment_cannot_precede_the_commitment(file: HousingFile, operator: object) -> None:
    grant = committed(file)
    with pytest.raises(GrantError, match="précède l'engagement"):
        pay(grant, P.INSTALMENT, "100", operator, day=D(2026, 1, 9))
    pay(grant, P.INSTALMENT, "100", operator, day=D(2026, 1, 10))


def test_a_payment_is_a_positive_amount(file: HousingFile, operator: object) -> None:
    with pytest.raises(GrantError, match="positif"):
        pay(committed(file), P.INSTALMENT, "0", operator)
