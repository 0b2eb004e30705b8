"""The mayor's commune page (issue 10, H4): operations by status group, what changed since the last visit, what
the commune still has to finance, the next deadlines, indicators — every figure against hand-computed data —
and a query budget that stays flat with ten times the data."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from budget.services import subsidies as subsidy_services
from operations.models import OperationStatus as S
from operations.services.operation import operation_change_status
from pvd.dashboards import commune as summaries
from pvd.models import LastVisit
from tests.budget.subsidy_rows import awarded_request
from tests.conftest import Territory
from tests.operations.factories import OperationFactory, PhaseFactory

NBSP = "\xa0"
D = datetime.date


def _euros(text: str) -> str:
    return text.replace(" ", NBSP)


def _op(t: Territory, code: str, status: str, owner=None, **fields: object):
    return OperationFactory(
        programme=t.programme, code=code, owner=owner or t.wassy, communes=[t.wassy], status=status, **fields
    )


def _one_of_each_status(t: Territory) -> None:
    """Wassy: 2 delivered (one closed), 1 in works, 1 committed, 2 in preparation (idea, mature), 1 suspended,
    1 abandoned; La Porte du Der: 1 in works (not counted for Wassy)."""
    for code, status in [
        ("W-01", S.DELIVERED),
        ("W-02", S.CLOSED),
        ("W-03", S.WORKS),
        ("W-04", S.COMMITTED),
        ("W-05", S.IDEA),
        ("W-06", S.MATURE),
        ("W-07", S.SUSPENDED),
        ("W-08", S.ABANDONED),
    ]:
        _op(t, code, status)
    OperationFactory(
        programme=t.programme,
        code="P-01",
        owner=t.la_porte_du_der,
        communes=[t.la_porte_du_der],
        status=S.WORKS,
    )


def test_operations_are_grouped_delivered_works_committed_preparation_and_suspended_apart(territory) -> None:
    _one_of_each_status(territory)
    summary = summaries.summary_for_commune(territory.wassy)
    counts = {g.key: [o.code for o in g.operations] for g in summary.groups}
    assert counts == {
        "delivered": ["W-01", "W-02"],
        "works": ["W-03"],
        "committed": ["W-04"],
        "preparation": ["W-05", "W-06"],
        "other": ["W-07", "W-08"],
    }
    assert summary.operations_count == 8
    # delivered ÷ operations neither suspended nor abandoned: 2 / 6
    assert summary.delivered_rate == Decimal(2) / Decimal(6)


def test_the_mayor_reads_the_groups_with_progress_bars_and_lateness(
    territory, client_for, mayor_of_wassy
) -> None:
    _one_of_each_status(territory)
    late = _op(territory, "W-09", S.WORKS, title="Halle du marché")
    PhaseFactory(
        operation=late, baseline_start=D(2025, 1, 1), baseline_end=D(2025, 6, 30), progress=Decimal("0.25")
    )
    page = client_for("mayor_of_wassy").get("/communes/52550/").content.decode()
    assert "<caption>Livrées (2)</caption>" in page
    assert "<caption>En travaux (2)</caption>" in page
    assert "<caption>Suspendues ou abandonnées (2)</caption>" in page
    assert 'aria-valuenow="25"' in page and f"25{NBSP}%" in page
    assert "En retard" in page
    assert "P-01" not in page  # La Porte du Der's operation
    assert "Synthèse imprimable (PDF)" in page


def test_still_to_finance_is_the_cost_of_the_owned_operations_minus_the_awards(territory, manager) -> None:
    # W-10: plan 500 000,00 € TTC (awarded_request: 5 × the award), DETR awarded 100 000,00 € -> 400 000,00 €
    halle = _op(territory, "W-10", S.COMMITTED)
    awarded_request(territory, manager, operation=halle)
    # W-11: no plan, estimated 120 000,00 € TTC, nothing awarded -> 120 000,00 €
    _op(territory, "W-11", S.IDEA)
    # Not counted: an operation owned by the EPCI, an abandoned one, one without any cost
    _op(territory, "W-12", S.WORKS, owner=territory.epci)
    _op(territory, "W-13", S.ABANDONED)
    _op(territory, "W-14", S.IDEA, estimated_cost_ht=None, estimated_cost_ttc=None)
    to_finance = summaries.summary_for_commune(territory.wassy).to_finance
    assert to_finance.cost_ttc == Decimal("620000.00")
    assert to_finance.awarded == Decimal("100000.00")
    assert to_finance.amount == Decimal("520000.00")
    assert (to_finance.operations, to_finance.without_cost) == (2, 1)


def test_the_page_states_requested_obtained_received_and_still_to_finance(
    territory, client_for, manager, mayor_of_wassy
) -> None:
    halle = _op(territory, "W-10", S.COMMITTED)
    request = awarded_request(territory, manager, operation=halle)
    payment = subsidy_services.record_payment(
        request=request, kind="advance", amount=Decimal("30000.00"), requested_on=D(2024, 6, 3), by=manager
    )
    subsidy_services.record_receipt(
        payment=payment, received_on=D(2024, 7, 1), revenue_order_reference="T-12", by=manager
    )
    page = client_for("mayor_of_wassy").get("/communes/52550/").content.decode()
    assert "<dt>Subventions attendues (demandées, hors refus)</dt><dd>" + _euros("100 000,00 €</dd>") in page
    assert "<dt>Subventions attribuées</dt><dd>" + _euros("100 000,00 €</dd>") in page
    assert "<dt>Subventions encaissées</dt><dd>" + _euros("30 000,00 €</dd>") in page
    assert _euros("<strong>400 000,00 €</strong>") in page
    assert "Définition : pour les opérations dont la commune est maître d'ouvrage" in page


def test_first_visit_then_changes_since_the_previous_visit_then_nothing_new(
    territory, client_for, mayor_of_wassy, manager
) -> None:
    operation = _op(territory, "W-03", S.COMMITTED, title="Requalification de la place")
    client = client_for("mayor_of_wassy")
    assert "Première visite" in client.get("/communes/52550/").content.decode()

    operation_change_status(operation=operation, to=S.WORKS, by=manager, comment="Ordre de service donné.")
    page = client.get("/communes/52550/").content.decode()
    assert "Changement de statut" in page
    assert "W-03 — Requalification de la place</strong> : Engagée → En cours (travaux)" in page

    visit = LastVisit.objects.get(user=mayor_of_wassy, page="commune:52550")
    assert visit.previous_seen_at is not None and visit.previous_seen_at < visit.seen_at
    page = client.get("/communes/52550/").content.decode()
    day = timezone.localtime(visit.seen_at).date()  # the previous visit, in Paris time
    assert f"Rien de nouveau depuis votre dernière visite du {day:%d/%m/%Y}." in page


def test_a_change_before_the_previous_visit_is_not_listed_again(territory, mayor_of_wassy, manager) -> None:
    operation = _op(territory, "W-03", S.COMMITTED)
    operation_change_status(operation=operation, to=S.WORKS, by=manager)
    assert summaries.record_visit(mayor_of_wassy, "commune:52550") is None  # first visit
    since = summaries.record_visit(mayor_of_wassy, "commune:52550")
    assert summaries.changes_since(operation.communes.first().operations.all(), since) == []


def test_changes_list_journal_entries_decisions_and_payments_newest_first_at_most_ten(
    territory, mayor_of_wassy, manager
) -> None:
    from operations.models import ProgressReport

    since = summaries.record_visit(mayor_of_wassy, "commune:52550") or datetime.datetime(
        2000, 1, 1, tzinfo=datetime.UTC
    )
    halle = _op(territory, "W-10", S.COMMITTED, title="Halle")
    request = awarded_request(territory, manager, operation=halle)  # one award decision
    payment = subsidy_services.record_payment(
        request=request, kind="advance", amount=Decimal("30000.00"), requested_on=D(2024, 6, 3), by=manager
    )
    subsidy_services.record_receipt(
        payment=payment, received_on=D(2024, 7, 1), revenue_order_reference="T-12", by=manager
    )
    for n in range(12):
        ProgressReport.objects.create(
            operation=halle,
            reported_on=D(2026, 5, 1 + n),
            author=manager,
            weather="on_track",
            text=f"Point {n}",
        )
    changes = summaries.changes_since(territory.wassy.operations.all(), since)
    assert len(changes) == 10
    assert [c.at for c in changes] == sorted((c.at for c in changes), reverse=True)
    assert changes[0].kind == "report" and changes[0].text.startswith("12/05/2026")
    all_changes = summaries.changes_since(territory.wassy.operations.all(), since, limit=30)
    kinds = [c.kind for c in all_changes]
    assert kinds.count("decision") == 1 and kinds.count("payment") == 1 and kinds.count("report") == 12
    payment_change = next(c for c in all_changes if c.kind == "payment")
    assert payment_change.text == _euros("30 000,00 €") + " le 01/07/2024"


def test_next_deadlines_put_the_overdue_first_then_by_date(territory, manager) -> None:
    # DETR start deadline: 24 months after the notification (a leap day: 29/02/2024 -> 28/02/2026, overdue on
    # 01/12/2026); the second request notified 15/06/2026 must start by 15/06/2028.
    awarded_request(
        territory, manager, operation=_op(territory, "W-10", S.COMMITTED), title="DETR 2024 — Halle"
    )
    awarded_request(
        territory,
        manager,
        operation=_op(territory, "W-11", S.COMMITTED),
        title="DETR 2026 — Place",
        filed_on=D(2026, 3, 2),
        notified_on=D(2026, 6, 15),
    )
    deadlines = summaries.summary_for_commune(territory.wassy, day=D(2026, 12, 1)).deadlines
    assert len(deadlines) <= 5
    statuses = [d.status for d in deadlines]
    assert statuses[0] == "overdue"
    assert statuses == sorted(statuses, key=lambda status: status != "overdue")  # overdue first
    assert (D(2026, 2, 28), "overdue") in [
        (d.due_on, d.status) for d in deadlines if d.subject == "DETR 2024 — Halle"
    ]
    later = [d for d in deadlines if d.status != "overdue"]
    assert [d.due_on for d in later] == sorted(d.due_on for d in later)
    assert D(2028, 6, 15) in [d.due_on for d in deadlines if d.subject == "DETR 2026 — Place"]


def test_the_mayor_of_la_porte_du_der_gets_404_on_wassy(
    territory, client_for, mayor_of_la_porte_du_der
) -> None:
    assert client_for("mayor_of_la_porte_du_der").get("/communes/52550/").status_code == 404


def grow(t: Territory, factor: int, by) -> None:
    """Operations of Wassy in every status with phases, journal entries, subsidies and changes."""
    from operations.models import ProgressReport

    statuses = [S.DELIVERED, S.WORKS, S.COMMITTED, S.IDEA, S.SUSPENDED]
    for n in range(factor):
        operation = _op(t, f"G-{n:03d}", statuses[n % len(statuses)])
        PhaseFactory(operation=operation, progress=Decimal("0.5"))
        ProgressReport.objects.create(
            operation=operation, reported_on=D(2026, 5, 4), author=by, weather="on_track", text="RAS"
        )
        awarded_request(t, by, operation=operation, title=f"DETR {n}")
        if operation.status == S.COMMITTED:
            operation_change_status(operation=operation, to=S.WORKS, by=by)


@pytest.mark.parametrize("factor", [1, 10])
def test_commune_page_query_count_is_flat_on_a_returning_visit(
    territory, client_for, mayor_of_wassy, manager, factor, django_assert_num_queries
) -> None:
    client = client_for("mayor_of_wassy")
    client.get("/communes/52550/")  # the first visit: the next one lists changes
    LastVisit.objects.filter(user=mayor_of_wassy).update(
        seen_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    grow(territory, factor, manager)
    # session, user, memberships (scope), commune + EPCI, menu: the mayor's communes, programmes; operations
    # by status (1), money (operations + subsidies by operation and funder: 2), deadlines (requests with
    # money, scheme rules, consultations: 3), housing (the commune's programmes: 1), indicators (none: 1),
    # visit (select, update: 2), changes (status changes, journal, decisions, payments: 4), history (records),
    # session refresh (savepoint, update, release); issue 8: the next meeting (1, none planned here) and the
    # navbar's unread notifications (1)
    with django_assert_num_queries(27):
        assert client.get("/communes/52550/").status_code == 200


@pytest.mark.parametrize("factor", [1, 10])
def test_commune_page_indicators_cost_the_same_queries_whatever_their_number(
    territory, client_for, mayor_of_wassy, manager, factor, django_assert_num_queries
) -> None:
    """The indicators section with `factor` indicators of Wassy (each with measurements and a target), one
    programme-wide and one of La Porte du Der (not shown to Wassy's mayor): the same queries at 1× and 10×."""
    from tests.programmes.indicator_factories import IndicatorFactory, MeasurementFactory, TargetFactory

    t = territory
    client = client_for("mayor_of_wassy")
    client.get("/communes/52550/")
    grow(t, factor, manager)
    wide = IndicatorFactory(programme=t.programme, commune=None, name="Part des actions livrées")
    other = IndicatorFactory(
        programme=t.programme, commune=t.la_porte_du_der, name="Vacance de La Porte du Der"
    )
    for indicator in [wide, other] + [
        IndicatorFactory(programme=t.programme, commune=t.wassy, name=f"Indicateur de Wassy {n}")
        for n in range(factor)
    ]:
        MeasurementFactory(indicator=indicator, measured_on=D(2025, 6, 1), value=Decimal(12))
        MeasurementFactory(indicator=indicator, measured_on=D(2026, 6, 1), value=Decimal(11))
        TargetFactory(indicator=indicator, year=2026, value=Decimal(10))
    # the page of the returning visit (27 queries without indicators) + the indicators' measurements and
    # targets (2)
    with django_assert_num_queries(29):
        response = client.get("/communes/52550/")
    names = [line.indicator.name for line in response.context["summary"].indicators]
    assert "Part des actions livrées" in names and "Vacance de La Porte du Der" not in names
    assert len(names) == factor + 1
