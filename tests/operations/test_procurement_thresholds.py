"""The procedure from the dated thresholds (at and around each threshold, by launch date), a missing threshold,
the chosen procedure (stricter allowed, looser only with a legal ground), split purchases, and the timeline's
legal delays (minimum offer delays, questions, standstill counted date to date)."""

import datetime
from decimal import Decimal

import pytest

from operations.models import Consultation, ProcurementThreshold
from operations.procurement import timeline
from operations.procurement.thresholds import (
    MissingThreshold,
    Purchase,
    chosen_procedure_allowed,
    load_thresholds,
    required_procedure,
    split_warnings_among,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def procedure(nature: str, value: str, day: datetime.date) -> tuple[str, str]:
    r = required_procedure(nature, Decimal(value), day, load_thresholds())
    return r.procedure, r.publicity


@pytest.mark.parametrize(
    ("nature", "value", "day", "expected"),
    [
        # works: no publicity below 100 000 € HT since 01/01/2026; exactly at the threshold is above
        ("works", "99999.99", D(2026, 1, 1), ("no_publicity", "none")),
        ("works", "100000", D(2026, 1, 1), ("adapted", "boamp_jal")),
        # services: 40 000 € until 31/03/2026, 60 000 € from 01/04/2026
        ("services", "39999.99", D(2026, 3, 31), ("no_publicity", "none")),
        ("services", "40000", D(2026, 3, 31), ("adapted", "adapted")),
        ("services", "59999.99", D(2026, 4, 1), ("no_publicity", "none")),
        ("services", "60000", D(2026, 4, 1), ("adapted", "adapted")),
        ("supplies", "50000", D(2026, 3, 31), ("adapted", "adapted")),
        ("supplies", "50000", D(2026, 4, 1), ("no_publicity", "none")),
        # publicity threshold 90 000 € (BOAMP or JAL)
        ("services", "89999.99", D(2026, 6, 1), ("adapted", "adapted")),
        ("services", "90000", D(2026, 6, 1), ("adapted", "boamp_jal")),
        # EU thresholds 2026-2027
        ("services", "215999.99", D(2026, 6, 1), ("adapted", "boamp_jal")),
        ("services", "216000", D(2026, 6, 1), ("open", "eu")),
        ("works", "5403999.99", D(2026, 6, 1), ("adapted", "boamp_jal")),
        ("works", "5404000", D(2026, 6, 1), ("open", "eu")),
        # 2025: EU threshold 221 000 € for supplies and services
        ("services", "220999.99", D(2025, 6, 1), ("adapted", "boamp_jal")),
        ("services", "221000", D(2025, 6, 1), ("open", "eu")),
        ("services", "216000", D(2025, 12, 31), ("adapted", "boamp_jal")),
    ],
)
def test_procedure_at_and_around_each_threshold(nature, value, day, expected) -> None:
    assert procedure(nature, value, day) == expected


def test_requirement_names_the_thresholds_used_and_their_references() -> None:
    r = required_procedure("services", Decimal(60000), D(2026, 4, 1), load_thresholds())
    exemption = r.thresholds[0]
    assert (exemption.value_ht, exemption.reached) == (Decimal("60000.00"), True)
    assert "2025-1386" in exemption.legal_reference
    assert "60\xa0000,00\xa0€" in r.explanation


def test_a_launch_date_before_any_shipped_threshold_says_it_is_missing() -> None:
    with pytest.raises(MissingThreshold) as error:
        procedure("works", "80000", D(2019, 6, 1))
    message = str(error.value)
    assert "Aucun seuil en vigueur le 01/06/2019" in message
    assert "Dispense de publicité" in message


@pytest.mark.parametrize(
    ("launched", "value", "expected"),
    [
        (D(2020, 6, 1), "45000", "adapted"),  # 40 000 € until the temporary raise of July 2020
        (D(2020, 9, 1), "69999.99", "no_publicity"),  # 70 000 € (décret 2020-893)
        (D(2023, 5, 2), "99999.99", "no_publicity"),  # 100 000 € (loi ASAP, prorogé)
        (D(2025, 12, 31), "100000", "adapted"),
        (D(2026, 1, 1), "99999.99", "no_publicity"),  # permanent since 2026
    ],
)
def test_the_works_exemption_follows_its_temporary_regimes(launched, value, expected) -> None:
    assert procedure("works", value, launched)[0] == expected


def test_a_threshold_row_entered_later_wins_from_its_start() -> None:
    ProcurementThreshold.objects.create(
        kind="exemption",
        nature="works",
        value_ht=Decimal(150000),
        valid_from=D(2027, 1, 1),
        legal_reference="Décret fictif",
    )
    assert procedure("works", "120000", D(2026, 12, 31))[0] == "adapted"
    assert procedure("works", "120000", D(2027, 1, 1))[0] == "no_publicity"


@pytest.mark.parametrize(
    ("required", "chosen", "ground", "allowed"),
    [
        ("adapted", "open", "", True),  # stricter: always
        ("adapted", "adapted", "", True),
        ("open", "adapted", "", False),  # looser without a ground: refused
        ("open", "adapted", "R2122-2 — appel d'offres infructueux du 12/01/2026", True),
        ("adapted", "no_publicity", "", False),
        ("adapted", "no_publicity", "R2122-1 urgence impérieuse", True),
        ("open", "restricted", "", True),  # another formal procedure is as strict
    ],
)
def test_a_looser_procedure_needs_a_legal_ground(required, chosen, ground, allowed) -> None:
    problem = chosen_procedure_allowed(required, chosen, ground)
    assert (problem is None) == allowed
    if not allowed:
        assert "fondement juridique" in problem


# --- Split purchases ----------------------------------------------------------------------------------------


def p(ref: str, value: str, day: datetime.date, cpv: str = "79340000") -> Purchase:
    return Purchase(ref, f"Besoin {ref}", Decimal(value), day, None, cpv)


def test_split_purchases_summing_over_a_threshold_each_one_stays_below_are_listed() -> None:
    purchases = [p("A", "30000", D(2026, 2, 1)), p("B", "25000", D(2026, 3, 1))]
    warnings = split_warnings_among(purchases, nature="services", year=2026, thresholds=load_thresholds())
    assert [w.kind for w in warnings] == ["exemption"]
    assert warnings[0].total_ht == Decimal(55000)
    assert [i.purchase.reference for i in warnings[0].below] == ["A", "B"]
    assert "55\xa0000,00\xa0€" in warnings[0].message


def test_split_purchases_are_judged_on_each_launch_dates_threshold() -> None:
    # 55 000 € in total: above the 40 000 € of March, below the 60 000 € of May
    purchases = [p("A", "30000", D(2026, 3, 15)), p("B", "25000", D(2026, 5, 1))]
    warnings = split_warnings_among(purchases, nature="services", year=2026, thresholds=load_thresholds())
    assert [i.purchase.reference for i in warnings[0].below] == ["A"]


def test_no_split_warning_below_the_threshold_other_year_or_cpv_division() -> None:
    thresholds = load_thresholds()
    assert not split_warnings_among(
        [p("A", "20000", D(2026, 2, 1)), p("B", "15000", D(2026, 3, 1))],
        nature="services",
        year=2026,
        thresholds=thresholds,
    )
    assert not split_warnings_among(
        [p("A", "30000", D(2025, 12, 1)), p("B", "25000", D(2026, 3, 1))],
        nature="services",
        year=2026,
        thresholds=thresholds,
    )
    assert not split_warnings_among(
        [p("A", "30000", D(2026, 2, 1), "79340000"), p("B", "25000", D(2026, 3, 1), "90910000")],
        nature="services",
        year=2026,
        thresholds=thresholds,
        cpv_code="79340000",
    )


# --- Timeline -----------------------------------------------------------------------------------------------


def consultation(**fields: object) -> Consultation:
    defaults = {"pk": 1, "reference": "X", "title": "X", "procedure": "open", "computed_procedure": "open"}
    return Consultation(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("procedure", "electronic", "days", "refused"),
    [
        ("open", True, 30, False),
        ("open", True, 29, True),
        ("open", False, 35, False),
        ("open", False, 34, True),
        ("restricted", True, 30, False),
        ("restricted", True, 29, True),
        ("adapted", True, 10, False),  # no legal minimum: a warning, not a refusal
    ],
)
def test_minimum_offer_delay_by_procedure(procedure, electronic, days, refused) -> None:
    published = D(2026, 4, 1)
    problem = timeline.offers_delay_problem(
        procedure, electronic, published, published + datetime.timedelta(days)
    )
    assert (problem is not None) == refused


def test_mapa_below_twenty_days_is_flagged_as_not_reasonable() -> None:
    c = consultation(
        procedure="adapted",
        computed_procedure="adapted",
        published_on=D(2026, 4, 1),
        offers_deadline=datetime.datetime(2026, 4, 15, 12, tzinfo=datetime.UTC),
    )
    item = next(i for i in timeline.deadlines(c, day=D(2026, 4, 2)) if i.code == timeline.OFFERS)
    assert item.status == timeline.WARNING
    assert "moins de 20 jours" in item.detail


def test_questions_deadline_at_least_six_days_before_offers_in_formal_procedures() -> None:
    offers = D(2026, 5, 20)
    assert timeline.questions_problem("open", D(2026, 5, 14), offers) is None
    assert "au plus tard le 14/05/2026" in timeline.questions_problem("open", D(2026, 5, 15), offers)
    assert timeline.questions_problem("adapted", D(2026, 5, 19), offers) is None


@pytest.mark.parametrize(("electronic", "end"), [(True, D(2026, 6, 12)), (False, D(2026, 6, 17))])
def test_standstill_is_counted_date_to_date_11_or_16_days(electronic, end) -> None:
    c = consultation(rejections_sent_on=D(2026, 6, 1), electronic=electronic)
    assert timeline.standstill_end(c) == end
    assert timeline.signature_problem(c, end) is None
    assert "ne peut pas être signé avant le" in timeline.signature_problem(
        c, end - datetime.timedelta(days=1)
    )


def test_no_standstill_for_an_adapted_procedure() -> None:
    c = consultation(procedure="adapted", rejections_sent_on=D(2026, 6, 1))
    assert timeline.standstill_end(c) is None
    assert timeline.signature_problem(c, D(2026, 6, 2)) is None


def test_award_notice_and_prefecture_deadlines_after_signature() -> None:
    c = consultation(rejections_sent_on=D(2026, 6, 1))
    items = {i.code: i for i in timeline.deadlines(c, day=D(2026, 6, 20), signed_on=D(2026, 6, 15))}
    assert items[timeline.AWARD_NOTICE].due_on == D(2026, 7, 15)
    assert items[timeline.PREFECTURE].due_on == D(2026, 6, 30)
    assert items[timeline.PREFECTURE].status == timeline.UPCOMING
    late = {i.code: i for i in timeline.deadlines(c, day=D(2026, 7, 1), signed_on=D(2026, 6, 15))}
    assert late[timeline.PREFECTURE].status == timeline.OVERDUE
    mapa_formal = consultation(computed_procedure="adapted", rejections_sent_on=D(2026, 6, 1))
    codes = {i.code for i in timeline.deadlines(mapa_formal, day=D(2026, 6, 20), signed_on=D(2026, 6, 15))}
    assert timeline.PREFECTURE not in codes  # below the EU thresholds: no transmission duty
