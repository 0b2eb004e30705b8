"""The pure rules of a contract's execution: amendment thresholds (50 % per change, de minimis 10 % / 15 %,
CAO opinion over 5 %), payment delays and late-payment interest, sub-contractors, advance, guarantee."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from budget.models import MissingReferenceData
from operations.procurement import execution as rules

D = datetime.date
INITIAL = Decimal("100000.00")
EU_SERVICES = Decimal("216000.00")


@dataclass
class Rate:
    valid_from: datetime.date
    valid_until: datetime.date | None
    ecb_rate: Decimal
    margin: Decimal = Decimal("0.08")
    flat_fee: Decimal = Decimal("40.00")
    payment_days: int = 30


END = D(2026, 12, 31)
RATES = [Rate(D(2026, 1, 1), D(2026, 6, 30), Decimal("0.0215")), Rate(D(2026, 7, 1), None, Decimal("0.0300"))]


def check(
    amount: str,
    *,
    ground="de_minimis",
    nature="services",
    previous=(),
    cao=False,
    opinion=None,
    eu=EU_SERVICES,
):
    return rules.check_amendment(
        initial_ht=INITIAL,
        previous_ht=[Decimal(p) for p in previous],
        amount_ht=Decimal(amount),
        ground=ground,
        nature=nature,
        eu_threshold_ht=eu,
        cao_awarded=cao,
        cao_opinion_on=opinion,
    )


def test_de_minimis_services_allows_exactly_10_percent_and_refuses_10_01() -> None:
    assert check("10000.00").allowed
    refused = check("10010.00")
    assert not refused.allowed
    assert "autre fondement juridique est requis" in refused.errors[0]


def test_de_minimis_works_allows_exactly_15_percent_and_refuses_15_01() -> None:
    assert check("15000.00", nature="works").allowed
    assert not check("15010.00", nature="works").allowed


def test_two_amendments_reaching_12_percent_pass_on_works_but_not_on_services() -> None:
    assert check("5000.00", previous=["7000.00"], nature="works").allowed
    refused = check("5000.00", previous=["7000.00"], nature="services")
    assert not refused.allowed
    assert "12,00" in refused.errors[0]


def test_a_single_change_over_50_percent_is_refused_for_additional_works_but_50_is_allowed() -> None:
    assert check("50000.00", ground="additional").allowed
    refused = check("50010.00", ground="additional")
    assert not refused.allowed and "50\xa0%" in refused.errors[0]
    assert not check("60000.00", ground="unforeseeable").allowed


def test_cao_opinion_required_above_5_percent_only_for_cao_awarded_contracts() -> None:
    assert check("5000.00", ground="additional", cao=True).allowed  # exactly 5 %
    refused = check("5010.00", ground="additional", cao=True)
    assert not refused.allowed and "CGCT L1414-4" in refused.errors[0]
    assert check("5010.00", ground="additional", cao=True, opinion=D(2026, 9, 1)).allowed
    assert check("5010.00", ground="additional", cao=False).allowed


def test_de_minimis_is_refused_at_the_eu_threshold_or_when_it_is_missing() -> None:
    big = rules.check_amendment(
        initial_ht=Decimal("3000000.00"),
        previous_ht=[],
        amount_ht=Decimal("216000.00"),
        ground="de_minimis",
        nature="services",
        eu_threshold_ht=EU_SERVICES,
        cao_awarded=False,
        cao_opinion_on=None,
    )
    assert not big.allowed and "seuil européen" in big.errors[0]
    assert "Aucun seuil européen" in check("1000.00", eu=None).errors[0]


def test_other_grounds_over_de_minimis_give_a_warning_not_a_refusal() -> None:
    result = check("20000.00", ground="additional")
    assert result.allowed and result.warnings


def delay(received, *, paid=None, ordered=None, suspended=None, resumed=None, day=END, rates=RATES):
    return rules.payment_delay(
        amount_ttc=Decimal("36500.00"),
        received_on=received,
        suspended_on=suspended,
        resumed_on=resumed,
        ordered_on=ordered or paid,
        paid_on=paid,
        rates=rates,
        day=day,
    )


def test_paid_on_day_30_owes_nothing_and_day_31_owes_one_day_and_the_flat_fee() -> None:
    on_time = delay(D(2026, 3, 2), paid=D(2026, 4, 1))
    assert on_time.due_on == D(2026, 4, 1)
    assert (on_time.days_late, on_time.interest, on_time.flat_fee) == (0, Decimal(0), Decimal(0))
    assert on_time.status == rules.PAID_ON_TIME
    late = delay(D(2026, 3, 2), paid=D(2026, 4, 2))
    # 36 500 × (2,15 % + 8 %) × 1 / 365 = 10,15 €
    assert (late.days_late, late.interest, late.flat_fee) == (1, Decimal("10.15"), Decimal("40.00"))
    assert late.status == rules.PAID_LATE


def test_interest_uses_the_rate_in_force_on_the_first_day_of_lateness() -> None:
    # Due 30/06 → first late day 01/07: the July row (3 % + 8 %) for every late day.
    july = delay(D(2026, 5, 31), paid=D(2026, 7, 10))
    assert july.due_on == D(2026, 6, 30) and july.days_late == 10
    assert july.annual_rate == Decimal("0.1100")
    assert july.interest == Decimal("110.00")
    # Due 29/06 → first late day 30/06: the June row for the whole delay, even after the change.
    june = delay(D(2026, 5, 30), paid=D(2026, 7, 9))
    assert june.annual_rate == Decimal("0.1015") and june.days_late == 10
    assert june.interest == Decimal("101.50")


def test_suspension_days_move_the_due_date() -> None:
    result = delay(D(2026, 3, 2), suspended=D(2026, 3, 10), resumed=D(2026, 3, 22), paid=D(2026, 4, 13))
    assert result.suspension_days == 12
    assert result.due_on == D(2026, 4, 13) and result.days_late == 0
    stopped = delay(D(2026, 3, 2), suspended=D(2026, 3, 10))
    assert stopped.status == rules.SUSPENDED and stopped.interest == 0


def test_unpaid_invoice_status_late_at_risk_or_pending() -> None:
    assert delay(D(2026, 3, 2), day=D(2026, 4, 5)).status == rules.LATE
    assert delay(D(2026, 3, 2), day=D(2026, 3, 22)).status == rules.AT_RISK  # 10 days before
    assert delay(D(2026, 3, 2), day=D(2026, 3, 21)).status == rules.PENDING
    assert delay(D(2026, 3, 2), ordered=D(2026, 3, 20), day=D(2026, 3, 25)).status == rules.PENDING


def test_a_missing_rate_is_said_not_guessed() -> None:
    result = delay(D(2025, 3, 2), paid=D(2025, 5, 1), rates=RATES)
    assert "Aucun taux des intérêts moratoires" in result.missing
    with pytest.raises(MissingReferenceData):
        rules.rate_on(RATES, D(2025, 1, 1))


def test_invoices_may_not_exceed_the_current_amount_ttc() -> None:
    current = rules.current_amount_ttc(
        initial_ttc=Decimal("120000.00"), vat_rate=Decimal("0.20"), amendments_ht=Decimal("10000.00")
    )
    assert current == Decimal("132000.00")
    args = {"current_ttc": current, "other_invoices_ttc": Decimal("100000.00"), "number": "F1"}
    assert rules.invoice_cap_error(amount_ttc=Decimal("32000.00"), **args) is None
    assert "au-delà du montant du marché" in rules.invoice_cap_error(amount_ttc=Decimal("32000.01"), **args)


def test_direct_payment_from_600_euros_ttc() -> None:
    assert not rules.direct_payment(Decimal("599.99"))
    assert rules.direct_payment(Decimal("600.00"))


def test_subcontractor_is_accepted_tacitly_after_21_days_of_silence() -> None:
    args = {
        "amount_ttc": Decimal(1000),
        "declared_on": D(2026, 6, 1),
        "accepted_on": None,
        "refused_on": None,
    }
    assert rules.subcontractor_state(**args, day=D(2026, 6, 21)).code == "pending"
    tacit = rules.subcontractor_state(**args, day=D(2026, 6, 22))
    assert tacit.code == "tacit" and tacit.label == "Accepté tacitement le 22/06/2026"


def test_mandatory_advance_over_50000_and_2_months() -> None:
    assert not rules.advance_check(
        amount_ht=Decimal("50000.00"), duration_months=6, advance_rate=Decimal(0)
    ).mandatory
    assert not rules.advance_check(
        amount_ht=Decimal("80000.00"), duration_months=2, advance_rate=Decimal(0)
    ).mandatory
    low = rules.advance_check(amount_ht=Decimal("80000.00"), duration_months=3, advance_rate=Decimal("0.04"))
    assert low.mandatory and not low.ok
    assert rules.advance_check(
        amount_ht=Decimal("80000.00"), duration_months=3, advance_rate=Decimal("0.05")
    ).ok


def test_guarantee_runs_one_year_from_acceptance_or_from_the_lifting_of_reserves() -> None:
    assert rules.guarantee_end(accepted_on=D(2026, 3, 1), reserves="", reserves_lifted_on=None) == D(
        2027, 3, 1
    )
    assert (
        rules.guarantee_end(accepted_on=D(2026, 3, 1), reserves="Peinture", reserves_lifted_on=None) is None
    )
    assert rules.guarantee_end(
        accepted_on=D(2026, 3, 1), reserves="Peinture", reserves_lifted_on=D(2026, 5, 4)
    ) == D(2027, 5, 4)
    early = rules.retention_release_error(
        released_on=D(2027, 2, 28), accepted_on=D(2026, 3, 1), reserves="", reserves_lifted_on=None
    )
    assert "court jusqu'au 01/03/2027" in early
    assert (
        rules.retention_release_error(
            released_on=D(2027, 3, 1), accepted_on=D(2026, 3, 1), reserves="", reserves_lifted_on=None
        )
        is None
    )
