"""Anah deadlines of household files: implicit rejection after the silence, works completion (with extension),
from the rule in force on the trigger date, in calendar months; and the alerts engine's read."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations.housing import deadlines as rules
from operations.housing.models import AnahDeadlineRule, FileStatus
from operations.models import HousingFile
from pvd.deadlines import DONE, OVERDUE, UPCOMING, WARNING
from tests.operations.housing_factories import HousingFileFactory
from tests.operations.housing_rows import housing_rows

D = datetime.date
S = FileStatus

pytestmark = pytest.mark.django_db


def _file(**fields) -> HousingFile:
    return HousingFile(pk=1, reference="OPAHRU-2026-001", first_contact_on=D(2020, 1, 1), **fields)


@pytest.fixture
def shipped() -> list[AnahDeadlineRule]:
    return rules.load_rules()


def test_the_shipped_rule_says_four_months_three_years_and_three_more(shipped) -> None:
    rule = rules.rule_on(shipped, D(2026, 3, 5))
    assert (rule.decision_silence_months, rule.works_deadline_months, rule.max_extension_months) == (
        4,
        36,
        36,
    )


def test_no_decision_four_months_after_the_receipt_is_an_implicit_rejection(shipped) -> None:
    file = _file(status=S.FILED, filed_on=D(2026, 3, 2), receipt_on=D(2026, 3, 5))
    (deadline,) = rules.deadlines_for(file, shipped, day=D(2026, 4, 1))
    assert (deadline.code, deadline.due_on, deadline.warn_from) == (
        rules.IMPLICIT_REJECTION,
        D(2026, 7, 5),
        D(2026, 5, 6),  # 60 days before
    )
    assert deadline.status == UPCOMING
    assert rules.deadlines_for(file, shipped, day=D(2026, 5, 6))[0].status == WARNING
    assert rules.deadlines_for(file, shipped, day=D(2026, 7, 5))[0].status == WARNING
    assert rules.deadlines_for(file, shipped, day=D(2026, 7, 6))[0].status == OVERDUE


def test_without_a_receipt_the_silence_runs_from_the_filing(shipped) -> None:
    file = _file(status=S.FILED, filed_on=D(2025, 10, 31))
    (deadline,) = rules.deadlines_for(file, shipped, day=D(2025, 11, 1))
    assert deadline.due_on == D(2026, 2, 28)  # calendar months, the month end clamped
    assert "du dépôt" in deadline.detail


def test_a_decision_meets_the_silence_deadline(shipped) -> None:
    file = _file(
        status=S.APPROVED, filed_on=D(2026, 3, 2), receipt_on=D(2026, 3, 5), decided_on=D(2026, 5, 20)
    )
    by_code = {d.code: d for d in rules.deadlines_for(file, shipped, day=D(2026, 8, 1))}
    assert by_code[rules.IMPLICIT_REJECTION].status == DONE
    assert by_code[rules.WORKS_COMPLETION].due_on == D(2029, 5, 20)
    assert by_code[rules.WORKS_COMPLETION].status == UPCOMING


def test_the_works_deadline_is_three_years_after_the_decision_plus_the_extension(shipped) -> None:
    file = _file(status=S.WORKS, filed_on=D(2026, 3, 2), decided_on=D(2026, 5, 20), works_extension_months=12)
    works = [
        d for d in rules.deadlines_for(file, shipped, day=D(2030, 3, 25)) if d.code == rules.WORKS_COMPLETION
    ]
    assert works[0].due_on == D(2030, 5, 20)
    assert works[0].status == WARNING
    assert "prorogation de 12 mois" in works[0].detail


def test_completed_works_meet_the_works_deadline(shipped) -> None:
    file = _file(status=S.PAYMENT_REQUESTED, filed_on=D(2022, 3, 2), decided_on=D(2022, 5, 20))
    works = [
        d for d in rules.deadlines_for(file, shipped, day=D(2026, 1, 1)) if d.code == rules.WORKS_COMPLETION
    ]
    assert works[0].status == DONE


def test_an_extension_above_the_maximum_is_refused_in_french(shipped) -> None:
    file = _file(status=S.APPROVED, filed_on=D(2026, 3, 2), decided_on=D(2026, 5, 20))
    assert rules.extension_error(file=file, months=36, rules=shipped) is None
    assert rules.extension_error(file=file, months=37, rules=shipped) == (
        "La prorogation du délai de travaux est limitée à 36 mois par le règlement de l'Anah : 37 mois demandés."
    )


def test_each_deadline_reads_the_rule_in_force_on_its_trigger_date(shipped) -> None:
    AnahDeadlineRule.objects.filter(valid_until__isnull=True).update(valid_until=D(2026, 12, 31))
    AnahDeadlineRule.objects.create(
        valid_from=D(2027, 1, 1),
        decision_silence_months=2,
        works_deadline_months=24,
        max_extension_months=12,
        warning_days=30,
        legal_reference="Règle d'essai",
    )
    loaded = rules.load_rules()
    file = _file(status=S.WORKS, filed_on=D(2026, 12, 20), receipt_on=D(2027, 1, 4), decided_on=D(2027, 2, 1))
    by_code = {d.code: d for d in rules.deadlines_for(file, loaded, day=D(2027, 2, 2))}
    assert by_code[rules.IMPLICIT_REJECTION].due_on == D(2027, 3, 4)
    assert by_code[rules.WORKS_COMPLETION].due_on == D(2029, 2, 1)
    assert rules.extension_error(file=file, months=13, rules=loaded) is not None


def test_no_rule_in_force_means_no_deadline_rather_than_a_guess() -> None:
    file = _file(status=S.FILED, filed_on=D(2026, 3, 2))
    assert rules.deadlines_for(file, [], day=D(2026, 4, 1)) == []


def test_the_alerts_read_gives_only_the_files_the_user_reads(territory, manager, operator, referent) -> None:
    rows = housing_rows(territory)  # both files approved on 20/05/2026: works due 20/05/2029
    day = D(2029, 4, 1)
    assert [(d.file_reference, d.status) for d in rules.file_deadlines(operator, day=day)] == [
        ("SD-2026-001", WARNING)
    ]
    assert [d.file_reference for d in rules.file_deadlines(manager, day=day)] == ["W-2026-001"]
    assert rules.file_deadlines(referent, day=day) == []
    only = rules.file_deadlines(manager, day=day, housing_programme=rows.saint_dizier.housing_programme)
    assert only == []


def test_the_alerts_read_costs_the_same_queries_at_1x_and_10x(territory, operator) -> None:
    def count() -> int:
        rules.file_deadlines(operator, day=D(2026, 6, 1))  # the user's scope, cached
        with CaptureQueriesContext(connection) as ctx:
            rules.file_deadlines(operator, day=D(2026, 6, 1))
        return len(ctx.captured_queries)

    HousingFileFactory(housing_programme=territory.opah_ru, status=S.FILED, filed_on=D(2026, 3, 2))
    once = count()
    HousingFileFactory.create_batch(
        9, housing_programme=territory.opah_ru, status=S.FILED, filed_on=D(2026, 3, 2)
    )
    assert len(rules.file_deadlines(operator, day=D(2026, 6, 1))) == 10
    assert count() == once
