"""What other pages show of the governance (issue 8, H7): the commune page's next meeting, the programme
dashboard's alerts and arbitrations awaiting a decision, the annual report's decisions and arbitrations of the
year, the committee report's governance section, the convention block « Instances de gouvernance »."""

import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from operations.conventions.blocks import PROVIDERS, render_blocks
from operations.conventions.models import BlockKind
from programmes.indicators.models import AnnualReport
from pvd import reports
from pvd.dashboards import annual
from pvd.governance.models import (
    AlertLevel,
    AlertStatus,
    ArbitrationOutcome,
    ArbitrationStatus,
    CommitteeKind,
    Frequency,
    MeetingStatus,
)
from pvd.governance.selectors import hooks
from tests.governance.factories import (
    PARIS,
    AlertFactory,
    ArbitrationFactory,
    ArbitrationOptionFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    DecisionFactory,
    MeetingFactory,
)
from tests.partners.factories import PersonFactory

SOON = timezone.now() + datetime.timedelta(days=10)


def _meeting(committee, *, days: int, status: str = MeetingStatus.PLANNED, **fields):
    starts = timezone.now() + datetime.timedelta(days=days)
    return MeetingFactory(
        committee=committee,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        status=status,
        **fields,
    )


def _decided(programme, requested_by, *, outcome: str, at: datetime.datetime, **fields):
    arbitration = ArbitrationFactory(programme=programme, requested_by=requested_by, **fields)
    option = ArbitrationOptionFactory(arbitration=arbitration, letter="A", title="Phaser les travaux")
    ArbitrationOptionFactory(arbitration=arbitration, letter="B", title="Réduire le programme")
    arbitration.status = ArbitrationStatus.DECIDED
    arbitration.outcome = outcome
    arbitration.chosen_option = option if outcome == ArbitrationOutcome.APPROVED else None
    arbitration.decided_at = at
    arbitration.snapshot = {"reference": arbitration.reference}
    arbitration.save()
    return arbitration


# --- The commune page ----------------------------------------------------------------------------------------------


def test_the_commune_page_shows_the_next_meeting_linked_for_the_mayor(territory, client_for) -> None:
    committee = CommitteeFactory(programme=territory.programme, name="Comité de projet PVD")
    _meeting(committee, days=40, place="Mairie de Wassy")
    nearest = _meeting(committee, days=8, place="Hôtel communautaire")
    _meeting(committee, days=3, status=MeetingStatus.CANCELLED)
    _meeting(committee, days=-5, status=MeetingStatus.HELD)
    _meeting(CommitteeFactory(programme=territory.other_programme), days=1)
    response = client_for("mayor_of_wassy").get("/communes/52550/")
    shown = response.context["summary"].next_meeting
    assert shown.meeting == nearest
    assert shown.url == reverse("governance:meeting", args=[nearest.pk])
    text = response.content.decode()
    assert "Prochaine réunion" in text and "Hôtel communautaire" in text
    assert f'href="{shown.url}"' in text


def test_the_commune_page_says_when_no_meeting_is_planned(territory, client_for) -> None:
    response = client_for("mayor_of_wassy").get("/communes/52550/")
    assert response.context["summary"].next_meeting is None
    assert "Aucune réunion d'instance n'est prévue" in response.content.decode()


def test_a_reader_of_the_commune_who_cannot_open_the_meeting_gets_no_link(territory, operator) -> None:
    committee = CommitteeFactory(programme=territory.programme)
    _meeting(committee, days=8)
    shown = hooks.next_meeting_of_commune(territory.wassy)
    assert shown is not None
    assert not hooks.can_read_meeting(operator, shown)


def test_the_commune_page_costs_the_same_queries_with_many_meetings(territory, client_for) -> None:
    client = client_for("mayor_of_wassy")
    committee = CommitteeFactory(programme=territory.programme)
    _meeting(committee, days=8)
    client.get("/communes/52550/")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/communes/52550/").status_code == 200
        return len(captured.captured_queries)

    once = count()
    for n in range(10):
        _meeting(CommitteeFactory(programme=territory.programme), days=9 + n)
    assert count() == once


# --- The programme dashboard ---------------------------------------------------------------------------------------


def _dashboard(client, territory):
    return client.get(reverse("programme_dashboard", args=[territory.programme.pk]))


def test_the_dashboard_counts_active_alerts_by_level_with_links_to_the_filtered_list(
    territory, client_for
) -> None:
    AlertFactory(programme=territory.programme, level=AlertLevel.CRITICAL)
    AlertFactory(programme=territory.programme, level=AlertLevel.CRITICAL, status=AlertStatus.ESCALATED)
    AlertFactory(programme=territory.programme, level=AlertLevel.WARNING, status=AlertStatus.ACKNOWLEDGED)
    AlertFactory(
        programme=territory.programme,
        level=AlertLevel.CRITICAL,
        status=AlertStatus.RESOLVED,
        resolved_at=SOON,
    )
    AlertFactory(programme=territory.other_programme, level=AlertLevel.CRITICAL)
    response = _dashboard(client_for("referent"), territory)
    governance = response.context["dashboard"].governance
    assert [(line.label, line.count) for line in governance.alerts] == [
        ("Critique", 2),
        ("Attention", 1),
        ("Information", 0),
    ]
    assert governance.alerts_total.value == 3
    pk = territory.programme.pk
    assert governance.alerts_total.url == f"{reverse('governance:alerts')}?programme={pk}&statut=active"
    assert governance.alerts[0].url.endswith(f"?programme={pk}&statut=active&niveau=3")
    assert "Alertes actives" in response.content.decode()


def test_the_dashboard_lists_the_arbitrations_awaiting_a_decision(territory, client_for, manager) -> None:
    waiting = ArbitrationFactory(
        programme=territory.programme,
        requested_by=manager,
        status=ArbitrationStatus.SUBMITTED,
        title="Halle de Wassy : surcoût",
        due_on=datetime.date(2026, 12, 15),
    )
    ArbitrationFactory(programme=territory.programme, requested_by=manager, title="Brouillon interne")
    _decided(territory.programme, manager, outcome=ArbitrationOutcome.REJECTED, at=timezone.now())
    for persona in ("manager", "referent"):
        response = _dashboard(client_for(persona), territory)
        assert response.context["dashboard"].governance.awaiting == [waiting]
        text = response.content.decode()
        assert "Halle de Wassy : surcoût" in text and "15/12/2026" in text
        assert "Brouillon interne" not in text


def test_a_partner_reads_the_dashboard_without_alerts_nor_arbitrations(
    territory, client_for, manager
) -> None:
    AlertFactory(programme=territory.programme, title="Caducité de la DETR")
    ArbitrationFactory(
        programme=territory.programme,
        requested_by=manager,
        status=ArbitrationStatus.SUBMITTED,
        title="Note interne",
    )
    response = _dashboard(client_for("partner"), territory)
    assert response.status_code == 200
    assert response.context["dashboard"].governance is None
    assert "Note interne" not in response.content.decode()


def test_the_dashboard_governance_costs_the_same_queries_at_1x_and_10x(
    territory, client_for, manager
) -> None:
    client = client_for("referent")

    def grow(n: int) -> None:
        for _ in range(n):
            AlertFactory(programme=territory.programme, level=AlertLevel.CRITICAL)
            ArbitrationFactory(
                programme=territory.programme,
                requested_by=manager,
                status=ArbitrationStatus.SUBMITTED,
                committee=CommitteeFactory(programme=territory.programme),
                decision_level="project_committee",
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _dashboard(client, territory).status_code == 200
        return len(captured.captured_queries)

    grow(1)
    _dashboard(client, territory)
    once = count()
    grow(9)
    assert count() == once


# --- The annual report ---------------------------------------------------------------------------------------------


def test_the_annual_report_lists_the_decisions_and_arbitrations_of_its_year(
    territory, manager, client_for
) -> None:
    programme = territory.programme
    DecisionFactory(
        programme=programme, decided_on=datetime.date(2025, 3, 4), text="Plan de financement validé"
    )
    DecisionFactory(programme=programme, decided_on=datetime.date(2024, 12, 31), text="Décision de 2024")
    DecisionFactory(
        programme=territory.other_programme, decided_on=datetime.date(2025, 5, 5), text="Ailleurs"
    )
    approved = _decided(
        programme,
        manager,
        outcome=ArbitrationOutcome.APPROVED,
        at=datetime.datetime(2025, 10, 20, 18, 0, tzinfo=PARIS),
        title="Signalétique décalée",
    )
    _decided(
        programme,
        manager,
        outcome=ArbitrationOutcome.REJECTED,
        at=datetime.datetime(2025, 6, 1, 10, 0, tzinfo=PARIS),
        title="Boutiques à l'essai",
    )
    _decided(
        programme,
        manager,
        outcome=ArbitrationOutcome.REJECTED,
        at=datetime.datetime(2026, 1, 2, 10, 0, tzinfo=PARIS),
        title="L'année suivante",
    )
    report = AnnualReport.objects.create(programme=programme, year=2025, created_by=manager)
    figures = annual.annual_figures(report)
    assert [d.text for d in figures.decisions] == ["Plan de financement validé"]
    assert [a.title for a in figures.arbitrations] == ["Boutiques à l'essai", "Signalétique décalée"]
    assert dict(figures.arbitration_outcomes) == {"Option approuvée": 1, "Rejeté": 1, "Ajourné": 0}

    page = client_for("referent").get(reverse("annual_report", args=[report.pk])).content.decode()
    assert "Décisions et arbitrages de l'année" in page and "Plan de financement validé" in page
    assert f"{approved.reference} — Signalétique décalée" in page

    response = client_for("referent").get(reverse("annual_report_xlsx", args=[report.pk]))
    book = load_workbook(io.BytesIO(response.content))
    decisions = [
        row for row in book["Décisions"].iter_rows(values_only=True) if isinstance(row[0], datetime.datetime)
    ]
    assert [(row[0].date(), row[2]) for row in decisions] == [
        (datetime.date(2025, 3, 4), "Plan de financement validé")
    ]
    headings = [row[0] for row in book["Arbitrages"].iter_rows(values_only=True) if row[0]]
    assert any("Arbitrages décidés en 2025 : 2" in str(h) and "rejeté : 1" in str(h) for h in headings)


# --- The committee report ------------------------------------------------------------------------------------------


def test_the_committee_report_shows_decisions_since_the_last_committee_awaiting_arbitrations_and_next_meetings(
    territory, manager
) -> None:
    programme = territory.programme
    project = CommitteeFactory(programme=programme, kind=CommitteeKind.PROJECT_COMMITTEE)
    last = _meeting(project, days=-20, status=MeetingStatus.HELD)
    _meeting(project, days=-120, status=MeetingStatus.HELD)
    last_day = timezone.localtime(last.starts_at).date()
    DecisionFactory(programme=programme, decided_on=last_day, text="Décision du dernier comité")
    DecisionFactory(
        programme=programme, decided_on=last_day + datetime.timedelta(days=5), text="Arbitrage rendu"
    )
    DecisionFactory(
        programme=programme, decided_on=last_day - datetime.timedelta(days=1), text="Plus ancienne"
    )
    waiting = ArbitrationFactory(
        programme=programme, requested_by=manager, status=ArbitrationStatus.SUBMITTED
    )
    ArbitrationFactory(programme=programme, requested_by=manager, title="Brouillon")
    upcoming = _meeting(CommitteeFactory(programme=programme, kind=CommitteeKind.COTECH), days=7)
    governance = reports.committee_report_context(programme)["governance"]
    assert governance.last_meeting == last
    assert [d.text for d in governance.decisions] == ["Décision du dernier comité", "Arbitrage rendu"]
    assert governance.awaiting == [waiting]
    assert governance.upcoming == [upcoming]


def test_the_committee_report_governance_costs_the_same_queries_at_1x_and_10x(territory, manager) -> None:
    programme = territory.programme
    project = CommitteeFactory(programme=programme, kind=CommitteeKind.PROJECT_COMMITTEE)
    _meeting(project, days=-20, status=MeetingStatus.HELD)

    def grow(n: int) -> None:
        for k in range(n):
            DecisionFactory(programme=programme, decided_on=timezone.localdate())
            ArbitrationFactory(programme=programme, requested_by=manager, status=ArbitrationStatus.SUBMITTED)
            _meeting(project, days=5 + k)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            hooks.committee_report_governance(programme)
        return len(captured.captured_queries)

    grow(1)
    once = count()
    grow(9)
    assert count() == once == 4


# --- The convention block ------------------------------------------------------------------------------------------


def test_the_governance_block_lists_active_bodies_with_their_members_in_office(territory) -> None:
    from tests.operations.convention_factories import ConventionFactory

    programme = territory.programme
    project = CommitteeFactory(
        programme=programme,
        kind=CommitteeKind.PROJECT_COMMITTEE,
        name="Comité de projet",
        frequency=Frequency.QUARTERLY,
    )
    mayor = PersonFactory(first_name="Hélène", last_name="Girard", organisation=territory.wassy)
    CommitteeMemberFactory(committee=project, person=mayor, organisation=territory.wassy, role="Maire")
    CommitteeMemberFactory(
        committee=project,
        organisation=territory.anah,
        role="Ancien membre",
        valid_until=datetime.date(2025, 1, 1),
    )
    CommitteeFactory(programme=programme, name="Instance dissoute", active=False)
    CommitteeFactory(programme=territory.other_programme, name="Autre programme")
    convention = ConventionFactory(programme=programme)

    assert PROVIDERS[BlockKind.GOVERNANCE] == "pvd.governance.selectors.hooks.governance_block"
    block = render_blocks(convention, [BlockKind.GOVERNANCE])[BlockKind.GOVERNANCE]
    assert block["title"] == "Instances de gouvernance"
    assert [row["cells"] for row in block["rows"]] == [
        [
            "Comité de projet",
            "Comité de projet PVD / ORT",
            "Trimestrielle",
            f"{mayor} ({territory.wassy}) (Maire)",
        ]
    ]


def test_the_governance_block_costs_two_queries_whatever_the_number_of_bodies(territory) -> None:
    from tests.operations.convention_factories import ConventionFactory

    convention = ConventionFactory(programme=territory.programme)
    for n in range(10):
        committee = CommitteeFactory(programme=territory.programme)
        CommitteeMemberFactory(committee=committee, role=f"Membre {n}")
    with CaptureQueriesContext(connection) as captured:
        block = hooks.governance_block(convention)
    assert len(block["rows"]) == 10
    assert len(captured.captured_queries) == 2
