"""Deadlines of a subsidy request computed from its dates and the scheme's dated rules (DOMAIN_RULES §3):
DETR start within 2 years of notification (+1 year when asked 2 months before), completion within 4 years of
start (+2), leap years, warning windows, rules changing with their validity dates, the non-start rule.

Pure computation: the requests and rules are unsaved objects (no database)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from budget import deadlines as dl
from budget.models import PaymentKind, SchemeRule, SubsidyStatus

D = datetime.date
SINCE_2018 = D(2018, 1, 1)

DETR = {
    "start_deadline_months": 24,
    "start_extension_months": 12,
    "extension_request_months": 2,
    "completion_deadline_months": 48,
    "completion_extension_months": 24,
    "advance_max_rate": Decimal("0.30"),
    "instalments_max_rate": Decimal("0.80"),
    "non_start_rule": True,
    "completeness_months": 3,
    "warning_days": 90,
    "legal_reference": "CGCT art. R2334-27 à R2334-33",
}


def rule(valid_from: datetime.date = SINCE_2018, valid_until: datetime.date | None = None, **values: object):
    return SchemeRule(valid_from=valid_from, valid_until=valid_until, **{**DETR, **values})


def request(**dates: object) -> SimpleNamespace:
    fields = {
        "pk": 7,
        "title": "DETR — Halle de Wassy",
        "status": SubsidyStatus.NOTIFIED,
        "filed_on": None,
        "acknowledged_on": None,
        "complete_on": None,
        "decided_on": None,
        "notified_on": None,
        "started_on": None,
        "completed_on": None,
        "balance_requested_on": None,
        "start_extension_requested_on": None,
        "start_extension_granted": False,
        "completion_extension_requested_on": None,
        "completion_extension_granted": False,
    }
    fields.update(dates)
    return SimpleNamespace(**fields)


def by_code(deadlines: list[dl.Deadline]) -> dict[str, dl.Deadline]:
    return {d.code: d for d in deadlines}


def test_start_deadline_of_a_notification_on_29_february_clamps_to_28_february() -> None:
    found = by_code(dl.deadlines_for(request(notified_on=D(2024, 2, 29)), rule(), day=D(2025, 1, 1)))
    start = found["start"]
    assert start.due_on == D(2026, 2, 28)
    assert start.warn_from == D(2026, 2, 28) - datetime.timedelta(days=90)
    assert start.status == dl.UPCOMING
    assert start.request_id == 7
    assert "R2334-27" in start.rule


def test_month_end_clamps_when_adding_six_months_to_31_august() -> None:
    assert dl.add_months(D(2025, 8, 31), 6) == D(2026, 2, 28)
    assert dl.add_months(D(2027, 8, 31), 6) == D(2028, 2, 29)


def test_start_deadline_extended_by_one_year_when_the_extension_is_granted() -> None:
    found = by_code(
        dl.deadlines_for(
            request(
                notified_on=D(2024, 2, 29),
                start_extension_granted=True,
                start_extension_requested_on=D(2025, 12, 1),
            ),
            rule(),
            day=D(2026, 6, 1),
        )
    )
    assert found["start"].due_on == D(2027, 2, 28)
    assert found["start"].status == dl.UPCOMING
    assert "prorogé de 12 mois" in found["start"].rule
    assert found["start_extension"].status == dl.DONE


def test_extension_request_is_due_two_months_before_the_original_expiry() -> None:
    found = by_code(dl.deadlines_for(request(notified_on=D(2024, 2, 29)), rule(), day=D(2025, 11, 1)))
    extension = found["start_extension"]
    assert extension.due_on == D(2025, 12, 28)
    assert extension.status == dl.WARNING  # within 90 days of the due date


def test_start_warning_window_then_overdue_means_a_risk_of_lapse() -> None:
    subsidy = request(notified_on=D(2024, 3, 15))
    due = D(2026, 3, 15)
    assert (
        by_code(dl.deadlines_for(subsidy, rule(), day=due - datetime.timedelta(days=91)))["start"].status
        == dl.UPCOMING
    )
    assert (
        by_code(dl.deadlines_for(subsidy, rule(), day=due - datetime.timedelta(days=90)))["start"].status
        == dl.WARNING
    )
    assert (
        by_code(dl.deadlines_for(subsidy, rule(), day=due))["start"].status == dl.WARNING
    )  # the due day itself
    overdue = by_code(dl.deadlines_for(subsidy, rule(), day=due + datetime.timedelta(days=1)))["start"]
    assert overdue.status == dl.OVERDUE
    assert "caducité" in overdue.detail


def test_started_request_meets_its_start_deadline_and_gets_a_completion_deadline() -> None:
    subsidy = request(
        status=SubsidyStatus.STARTED,
        filed_on=D(2023, 10, 2),
        notified_on=D(2024, 2, 29),
        started_on=D(2024, 9, 2),
    )
    found = by_code(dl.deadlines_for(subsidy, rule(), day=D(2025, 1, 1)))
    assert found["start"].status == dl.DONE
    assert found["start_extension"].status == dl.NOT_APPLICABLE
    assert found["completion"].due_on == D(2028, 9, 2)
    assert found["completion_extension"].due_on == D(2028, 7, 2)
    # Without a balance delay in the rule, the balance is due by the completion deadline.
    assert found["balance"].due_on == D(2028, 9, 2)
    assert found["non_start"].status == dl.DONE


def test_completion_deadline_extended_by_two_years() -> None:
    subsidy = request(
        status=SubsidyStatus.STARTED,
        notified_on=D(2024, 1, 10),
        started_on=D(2024, 2, 29),
        completion_extension_granted=True,
    )
    assert by_code(dl.deadlines_for(subsidy, rule(), day=D(2025, 1, 1)))["completion"].due_on == D(
        2030, 2, 28
    )


def test_balance_deadline_counts_from_completion_when_the_rule_has_one() -> None:
    subsidy = request(
        status=SubsidyStatus.COMPLETED,
        notified_on=D(2024, 1, 10),
        started_on=D(2024, 3, 1),
        completed_on=D(2025, 8, 31),
    )
    found = by_code(dl.deadlines_for(subsidy, rule(balance_deadline_months=6), day=D(2025, 9, 1)))
    assert found["completion"].status == dl.DONE
    assert found["balance"].due_on == D(2026, 2, 28)
    assert found["balance"].status == dl.UPCOMING
    later = by_code(dl.deadlines_for(subsidy, rule(balance_deadline_months=6), day=D(2025, 12, 1)))
    assert later["balance"].status == dl.WARNING
    paid = dl.deadlines_for(
        subsidy,
        rule(balance_deadline_months=6),
        day=D(2025, 9, 1),
        payments=[SimpleNamespace(kind=PaymentKind.BALANCE)],
    )
    assert by_code(paid)["balance"].status == dl.DONE


def test_a_later_rule_applies_only_to_later_notifications() -> None:
    rules = [
        rule(valid_from=D(2018, 1, 1), valid_until=D(2025, 12, 31)),
        rule(valid_from=D(2026, 1, 1), start_deadline_months=36),
    ]
    before = by_code(dl.deadlines_for(request(notified_on=D(2025, 12, 31)), rules, day=D(2026, 1, 5)))
    after = by_code(dl.deadlines_for(request(notified_on=D(2026, 1, 1)), rules, day=D(2026, 1, 5)))
    assert before["start"].due_on == D(2027, 12, 31)
    assert after["start"].due_on == D(2029, 1, 1)


def test_completion_reads_the_rule_in_force_on_the_start_date() -> None:
    rules = [
        rule(valid_from=D(2018, 1, 1), valid_until=D(2025, 12, 31)),
        rule(valid_from=D(2026, 1, 1), completion_deadline_months=36),
    ]
    subsidy = request(status=SubsidyStatus.STARTED, notified_on=D(2025, 6, 1), started_on=D(2026, 2, 1))
    found = by_code(dl.deadlines_for(subsidy, rules, day=D(2026, 3, 1)))
    assert found["start"].due_on == D(2027, 6, 1)  # 24 months: the rule of the notification
    assert found["completion"].due_on == D(2029, 2, 1)  # 36 months: the rule of the start


def test_starting_before_the_filing_is_a_violation_of_the_non_start_rule() -> None:
    subsidy = request(
        status=SubsidyStatus.STARTED,
        filed_on=D(2025, 3, 10),
        notified_on=D(2025, 9, 1),
        started_on=D(2025, 3, 9),
    )
    violation = by_code(dl.deadlines_for(subsidy, rule(), day=D(2025, 10, 1)))["non_start"]
    assert violation.status == dl.OVERDUE
    assert "inéligible" in violation.label
    assert violation.due_on == D(2025, 3, 10)


def test_the_acknowledgement_date_is_the_reference_of_the_non_start_rule_when_known() -> None:
    subsidy = request(
        status=SubsidyStatus.STARTED,
        filed_on=D(2025, 3, 10),
        acknowledged_on=D(2025, 3, 20),
        notified_on=D(2025, 9, 1),
        started_on=D(2025, 3, 15),
    )
    assert by_code(dl.deadlines_for(subsidy, rule(), day=D(2025, 10, 1)))["non_start"].status == dl.OVERDUE
    on_the_day = request(
        status=SubsidyStatus.STARTED,
        filed_on=D(2025, 3, 10),
        notified_on=D(2025, 9, 1),
        started_on=D(2025, 3, 10),
    )
    assert by_code(dl.deadlines_for(on_the_day, rule(), day=D(2025, 10, 1)))["non_start"].status == dl.DONE


def test_scheme_without_the_non_start_rule_raises_no_violation() -> None:
    subsidy = request(status=SubsidyStatus.STARTED, filed_on=D(2025, 3, 10), started_on=D(2025, 3, 1))
    assert "non_start" not in by_code(
        dl.deadlines_for(subsidy, rule(non_start_rule=False), day=D(2025, 10, 1))
    )


def test_completeness_is_deemed_acquired_after_the_funders_silence() -> None:
    subsidy = request(status=SubsidyStatus.FILED, filed_on=D(2025, 11, 30))
    waiting = by_code(dl.deadlines_for(subsidy, rule(), day=D(2026, 1, 15)))["completeness"]
    assert waiting.due_on == D(2026, 2, 28)
    assert waiting.status == dl.UPCOMING
    acquired = by_code(dl.deadlines_for(subsidy, rule(), day=D(2026, 2, 28)))["completeness"]
    assert acquired.status == dl.DONE
    assert "réputée acquise" in acquired.detail


def test_no_rule_no_invented_deadline() -> None:
    subsidy = request(
        status=SubsidyStatus.STARTED,
        filed_on=D(2024, 1, 1),
        notified_on=D(2024, 2, 29),
        started_on=D(2024, 3, 1),
    )
    assert dl.deadlines_for(subsidy, None, day=D(2025, 1, 1)) == []
    assert dl.deadlines_for(subsidy, [], day=D(2025, 1, 1)) == []
    # A rule without values (a regional scheme not verified): only the non-start rule it does state.
    bare = SchemeRule(
        valid_from=D(2018, 1, 1), non_start_rule=True, warning_days=90, legal_reference="Région"
    )
    assert [d.code for d in dl.deadlines_for(subsidy, bare, day=D(2025, 1, 1))] == ["non_start"]
    # Rules that start after the notification do not apply to it.
    assert dl.deadlines_for(request(notified_on=D(2017, 5, 2)), [rule()], day=D(2018, 1, 1)) == []


def test_a_closed_request_has_no_deadline_left_to_meet() -> None:
    lapsed = request(status=SubsidyStatus.LAPSED, notified_on=D(2022, 1, 10))
    found = dl.deadlines_for(lapsed, rule(), day=D(2025, 1, 1))
    assert found and all(d.status == dl.NOT_APPLICABLE for d in found)
    assert not any(d.is_open for d in found)
