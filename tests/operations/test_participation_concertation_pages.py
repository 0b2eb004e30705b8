"""Concertation pages: statistics against hand-computed figures, the mayors' partial view, the plan's follow-up and
lateness, the contribution → operation link shown on both pages, the forms' French refusals, the export, and
query counts equal at 1× and 10× for the hub, the plan and the events list."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from operations.models import ConcertationEvent
from operations.participation.models import (
    AttendeeProfile,
    ContributionOutcome,
    EventFormat,
    EventStatus,
    LegalFrame,
)
from operations.participation.selectors import concertation as selectors
from pvd.accounts import policy
from tests.conftest import Territory
from tests.operations.factories import OperationFactory
from tests.operations.participation_factories import (
    AttendanceProfileFactory,
    ConcertationEventFactory,
    ConcertationPlanItemFactory,
    ContributionFactory,
)
from tests.programmes.factories import theme

D = datetime.date
DAY = D(2026, 11, 30)


@pytest.fixture
def scene(territory: Territory) -> dict[str, object]:
    """Four events of the programme (Wassy held, La Porte du Der held last year, Wassy planned, both cancelled)
    and one of another programme, with attendance and contributions whose figures are computed by hand below."""
    t = territory
    op_w = OperationFactory(
        programme=t.programme, owner=t.wassy, communes=[t.wassy], code="W-01", title="Place"
    )
    op_l = OperationFactory(
        programme=t.programme, owner=t.la_porte_du_der, communes=[t.la_porte_du_der], code="L-01"
    )
    e1 = ConcertationEventFactory(
        programme=t.programme, title="Balade de Wassy", starts_on=D(2026, 4, 14), attendance_count=40,
        communes=[t.wassy], operations=[op_w],
    )  # fmt: skip
    AttendanceProfileFactory(event=e1, profile=AttendeeProfile.RESIDENTS, count=25)
    AttendanceProfileFactory(event=e1, profile=AttendeeProfile.TRADERS, count=10)
    c1 = ContributionFactory(
        event=e1, subject="Stationnement minute", theme=theme("commerce"), count=12,
        outcome=ContributionOutcome.ADOPTED, effect_operation=op_w, effect_description="Six places minute",
        effect_on=D(2026, 5, 12),
    )  # fmt: skip
    ContributionFactory(event=e1, theme=theme("mobilite"), count=5, outcome=ContributionOutcome.NOT_ADOPTED)
    e2 = ConcertationEventFactory(
        programme=t.programme, title="Réunion de Montier", starts_on=D(2025, 10, 1), attendance_count=20,
        communes=[t.la_porte_du_der],
    )  # fmt: skip
    AttendanceProfileFactory(event=e2, profile=AttendeeProfile.RESIDENTS, count=8)
    AttendanceProfileFactory(event=e2, profile=AttendeeProfile.OWNERS, count=6)
    ContributionFactory(event=e2, theme=theme("commerce"), count=3, outcome=ContributionOutcome.PENDING)
    ContributionFactory(
        event=e2, count=4, outcome=ContributionOutcome.PARTLY, effect_description="Horaires de la halle revus"
    )
    e3 = ConcertationEventFactory(
        programme=t.programme, title="Atelier à venir", status=EventStatus.PLANNED, starts_on=D(2027, 1, 20),
        communes=[t.wassy],
    )  # fmt: skip
    e4 = ConcertationEventFactory(
        programme=t.programme, title="Réunion annulée", status=EventStatus.CANCELLED, starts_on=D(2026, 5, 1),
        communes=[t.wassy, t.la_porte_du_der],
    )  # fmt: skip
    other = ConcertationEventFactory(programme=t.other_programme, attendance_count=100)
    ContributionFactory(event=other, count=50)
    return {"op_w": op_w, "op_l": op_l, "e1": e1, "e2": e2, "e3": e3, "e4": e4, "c1": c1}


def _figures(user, territory: Territory) -> selectors.Figures:
    return selectors.figures(selectors.visible_events(user, territory.programme), DAY)


def test_figures_match_the_hand_computed_ones(scene, manager, territory: Territory) -> None:
    f = _figures(manager, territory)
    assert (f.events, f.held, f.held_this_year, f.planned, f.cancelled) == (4, 2, 1, 1, 1)
    assert f.participants == 60  # 40 + 20: held events only
    assert f.by_profile == [("Habitants", 33), ("Commerçants et artisans", 10), ("Propriétaires", 6)]
    assert f.by_theme == [("Commerces, services et activités", 15), ("Mobilité", 5), ("Sans thème", 4)]
    assert f.by_outcome == [
        ("pending", "À étudier", 3),
        ("adopted", "Retenue", 12),
        ("partly", "Retenue en partie", 4),
        ("not_adopted", "Non retenue", 5),
    ]
    assert (f.contributions, f.adopted) == (24, 16)
    assert f.adopted_share == Decimal(16) / Decimal(24)


def test_a_mayor_counts_only_the_events_of_their_commune(scene, mayor_of_la_porte_du_der, territory) -> None:
    f = _figures(mayor_of_la_porte_du_der, territory)
    assert (f.events, f.held, f.participants, f.contributions) == (2, 1, 20, 7)
    assert f.by_profile == [("Habitants", 8), ("Propriétaires", 6)]


def test_the_events_list_filters_and_counts_the_filtered_set(scene, client_for, territory) -> None:
    url = reverse("operations:concertation_events", args=[territory.programme.pk])
    response = client_for("referent").get(url, {"commune": "52550", "statut": "held"})
    data = response.context["data"]
    assert [e.title for e in data.page] == ["Balade de Wassy"]
    assert (data.figures.held, data.figures.participants, data.figures.contributions) == (1, 40, 17)
    assert data.page[0].contributions_total == 17 and data.page[0].contributions_adopted == 12
    response = client_for("referent").get(url, {"annee": "2025"})
    assert [e.title for e in response.context["data"].page] == ["Réunion de Montier"]
    response = client_for("referent").get(url, {"operation": scene["op_w"].pk})
    assert [e.title for e in response.context["data"].page] == ["Balade de Wassy"]


def test_the_mayor_of_la_porte_du_der_does_not_see_wassy_events(scene, client_for, territory) -> None:
    client = client_for("mayor_of_la_porte_du_der")
    assert client.get(reverse("operations:concertation_event", args=[scene["e1"].pk])).status_code == 404
    html = client.get(
        reverse("operations:concertation_events", args=[territory.programme.pk])
    ).content.decode()
    assert "Réunion de Montier" in html and "Balade de Wassy" not in html and "Atelier à venir" not in html
    hub = client.get(reverse("operations:participation", args=[territory.programme.pk]))
    assert hub.context["hub"].figures.participants == 20
    assert hub.context["hub"].next_events == []


def test_the_hub_shows_the_key_figures_and_the_next_events(scene, client_for, territory) -> None:
    response = client_for("mayor_of_wassy").get(
        reverse("operations:participation", args=[territory.programme.pk])
    )
    hub = response.context["hub"]
    assert [e.title for e in hub.next_events] == ["Atelier à venir"]
    assert (hub.figures.held, hub.figures.participants, hub.figures.contributions) == (1, 40, 17)
    html = response.content.decode()
    assert "Prochains temps de concertation" in html and "other participation sections" not in html
    filtered = client_for("manager").get(
        reverse("operations:participation", args=[territory.programme.pk]), {"commune": "52331"}
    )
    assert filtered.context["commune"] == territory.la_porte_du_der
    assert filtered.context["hub"].figures.participants == 20


def test_the_commune_page_links_to_the_hub_filtered_on_the_commune(client_for, territory) -> None:
    html = client_for("mayor_of_wassy").get(reverse("commune", args=["52550"])).content.decode()
    url = reverse("operations:participation", args=[territory.programme.pk])
    assert f'href="{url}?commune=52550">Concertation et communication dans la commune' in html


# --- The plan -------------------------------------------------------------------------------------------------------


def test_the_plan_shows_its_follow_up_and_flags_late_lines(territory: Territory, manager) -> None:
    late = ConcertationPlanItemFactory(
        programme=territory.programme, title="Balades", planned_from=D(2026, 3, 1), planned_until=D(2026, 6, 30),
        expected_sessions=3, communes=[territory.wassy],
    )  # fmt: skip
    done = ConcertationPlanItemFactory(
        programme=territory.programme, title="Enquête", planned_from=D(2026, 3, 1), planned_until=D(2026, 4, 30),
        expected_sessions=1,
    )  # fmt: skip
    running = ConcertationPlanItemFactory(
        programme=territory.programme, title="Permanences", planned_from=D(2026, 1, 1), planned_until=D(2026, 12, 31),
        expected_sessions=12,
    )  # fmt: skip
    ConcertationEventFactory(programme=territory.programme, plan_item=late, starts_on=D(2026, 4, 11))
    ConcertationEventFactory(programme=territory.programme, plan_item=late, status=EventStatus.CANCELLED)
    ConcertationEventFactory(programme=territory.programme, plan_item=done, starts_on=D(2026, 3, 2))
    nxt = ConcertationEventFactory(
        programme=territory.programme, plan_item=running, status=EventStatus.PLANNED, starts_on=D(2026, 12, 9),
        title="Permanence de décembre",
    )  # fmt: skip
    rows = {row.title: row for row in selectors.plan_rows(manager, territory.programme, DAY)}
    assert (rows["Balades"].held, rows["Balades"].late) == (1, True)
    assert (rows["Enquête"].completed, rows["Enquête"].late) == (True, False)
    assert (rows["Permanences"].late, rows["Permanences"].next_pk, rows["Permanences"].next_on) == (
        False,
        nxt.pk,
        D(2026, 12, 9),
    )
    summary = selectors.plan_summary(list(rows.values()), DAY)
    assert (summary.items, summary.late, summary.completed, summary.in_progress) == (3, 1, 1, 1)


def test_plan_edit_limits_operations_to_the_programme(territory: Territory, client_for) -> None:
    item = ConcertationPlanItemFactory(programme=territory.programme)
    mine = OperationFactory(programme=territory.programme, code="W-01")
    foreign = OperationFactory(programme=territory.other_programme, code="J-01")
    response = client_for("manager").get(reverse("operations:concertation_plan_edit", args=[item.pk]))
    choices = list(response.context["form"].fields["operations"].queryset)
    assert mine in choices and foreign not in choices
    communes = set(response.context["form"].fields["communes"].queryset)
    assert communes == {territory.wassy, territory.la_porte_du_der}


# --- Both sides of the contribution → effect link ---------------------------------------------------------------


def test_the_effect_link_shows_on_the_event_and_on_the_operation(scene, client_for) -> None:
    client = client_for("referent")
    event_html = client.get(reverse("operations:concertation_event", args=[scene["e1"].pk])).content.decode()
    operation_url = reverse("operations:detail", args=[scene["op_w"].pk])
    assert f'<a href="{operation_url}">W-01 — Place</a>' in event_html
    assert "Six places minute" in event_html
    operation_html = client.get(operation_url).content.decode()
    event_url = reverse("operations:concertation_event", args=[scene["e1"].pk])
    assert "Contributions qui ont modifié l'opération" in operation_html
    assert (
        "Stationnement minute" in operation_html
        and f'<a href="{event_url}">Balade de Wassy</a>' in operation_html
    )


# --- Forms and views ------------------------------------------------------------------------------------------------


def test_a_retained_contribution_without_its_change_is_a_form_error(scene, client_for) -> None:
    url = reverse("operations:contribution_create", args=[scene["e1"].pk])
    response = client_for("manager").post(
        url,
        {"subject": "Bancs", "count": 3, "outcome": ContributionOutcome.ADOPTED, "effect_description": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["effect_description"] == [
        "Décrivez le changement décidé pour une contribution retenue."
    ]
    assert not scene["e1"].contributions.filter(subject="Bancs").exists()


def test_the_attendance_formset_refuses_more_than_the_participants(scene, client_for) -> None:
    event = scene["e1"]
    url = reverse("operations:concertation_attendance", args=[event.pk])
    data = {"profils-TOTAL_FORMS": "9", "profils-INITIAL_FORMS": "9", "profils-MIN_NUM_FORMS": "9"}
    for index, value in enumerate(AttendeeProfile.values):
        data[f"profils-{index}-profile"] = value
        data[f"profils-{index}-count"] = {"residents": "30", "traders": "15"}.get(value, "")
    response = client_for("manager").post(url, data)
    assert response.status_code == 200
    assert "45 participants, plus que les 40" in response.content.decode()
    assert dict(event.attendance_profiles.values_list("profile", "count")) == {"residents": 25, "traders": 10}
    data["profils-1-count"] = "10"
    data["profils-0-count"] = "28"
    response = client_for("manager").post(url, data)
    assert response.status_code == 302
    assert dict(event.attendance_profiles.values_list("profile", "count")) == {"residents": 28, "traders": 10}


def test_cancelling_from_the_page_needs_a_reason(scene, client_for) -> None:
    event = scene["e3"]
    url = reverse("operations:concertation_event_status", args=[event.pk])
    client = client_for("manager")
    response = client.post(url, {"status": "cancelled", "comment": "", "version": event.version}, follow=True)
    assert "Commentaire ou motif : Indiquez le motif de l'annulation." in [
        str(m) for m in response.context["messages"]
    ]
    event.refresh_from_db()
    assert event.status == EventStatus.PLANNED
    client.post(url, {"status": "cancelled", "comment": "Report en mars", "version": event.version})
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    html = client.get(reverse("operations:concertation_event", args=[event.pk])).content.decode()
    assert "Report en mars" in html and "Historique des modifications" in html


def test_a_held_l103_2_event_without_its_bilan_is_flagged(territory: Territory, client_for) -> None:
    event = ConcertationEventFactory(
        programme=territory.programme, legal_frame=LegalFrame.URBANISM, title="Concertation de la friche"
    )
    html = (
        client_for("partner").get(reverse("operations:concertation_event", args=[event.pk])).content.decode()
    )
    assert "Bilan manquant" in html and "Bilan de la concertation à faire adopter par délibération" in html
    listing = client_for("partner").get(
        reverse("operations:concertation_events", args=[territory.programme.pk])
    )
    assert "Bilan à faire adopter" in listing.content.decode()
    assert listing.context["data"].figures.bilan_missing == 1


def test_creating_an_event_from_the_page(territory: Territory, client_for) -> None:
    url = reverse("operations:concertation_event_create", args=[territory.programme.pk])
    response = client_for("manager").post(
        url,
        {
            "initial_status": "planned",
            "title": "Atelier des commerçants",
            "format": EventFormat.TRADERS_MEETING,
            "legal_frame": LegalFrame.VOLUNTARY,
            "starts_on": "2027-03-04",
            "communes": [territory.wassy.pk],
        },
    )
    event = ConcertationEvent.objects.get(title="Atelier des commerçants")
    assert response.status_code == 302 and response["Location"] == reverse(
        "operations:concertation_event", args=[event.pk]
    )
    assert list(event.communes.all()) == [territory.wassy] and event.status == EventStatus.PLANNED


def test_the_export_lists_the_visible_events_with_their_figures(scene, client_for, territory) -> None:
    url = reverse("operations:concertation_export", args=[territory.programme.pk])
    response = client_for("mayor_of_wassy").get(url)
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    header = rows[0]
    titles = [row[header.index("Intitulé")] for row in rows[1:] if row[header.index("Intitulé")]]
    assert titles == ["Balade de Wassy", "Réunion annulée", "Atelier à venir"]
    balade = next(row for row in rows[1:] if row[header.index("Intitulé")] == "Balade de Wassy")
    assert balade[header.index("Participants")] == 40
    assert (
        balade[header.index("Contributions")] == 17 and balade[header.index("Contributions retenues")] == 12
    )
    assert balade[header.index("Participants par profil")] == "Habitants : 25 ; Commerçants et artisans : 10"


# --- Query counts ---------------------------------------------------------------------------------------------------


def _many(territory: Territory, factor: int) -> None:
    for n in range(3 * factor):
        item = ConcertationPlanItemFactory(
            programme=territory.programme, communes=[territory.wassy, territory.la_porte_du_der],
            operations=[OperationFactory(programme=territory.programme, code=f"W-{n:03d}")],
        )  # fmt: skip
        event = ConcertationEventFactory(
            programme=territory.programme, plan_item=item, attendance_count=30,
            communes=[territory.wassy, territory.la_porte_du_der], themes=[theme("commerce")],
        )  # fmt: skip
        AttendanceProfileFactory(event=event, count=20)
        ContributionFactory(event=event, theme=theme("commerce"), count=4)
        ConcertationEventFactory(
            programme=territory.programme, plan_item=item, status=EventStatus.PLANNED,
            starts_on=policy.today() + datetime.timedelta(days=n + 1), communes=[territory.wassy],
        )  # fmt: skip


@pytest.mark.parametrize("factor", [1, 10])
def test_hub_query_count_is_flat(client_for, manager, territory, factor, django_assert_num_queries) -> None:
    _many(territory, factor)
    client = client_for("manager")
    # session, user, memberships (scope), programme + EPCI, its communes, figures (events, profiles, themes,
    # outcomes), next events, their communes, plan lines with their follow-up (subqueries), menu: programmes,
    # session refresh (savepoint, update, release)
    with django_assert_num_queries(17):  # +1: the bell's unread count (issue 8)
        response = client.get(reverse("operations:participation", args=[territory.programme.pk]))
    assert response.context["hub"].figures.held == 3 * factor


@pytest.mark.parametrize("factor", [1, 10])
def test_plan_query_count_is_flat(client_for, manager, territory, factor, django_assert_num_queries) -> None:
    _many(territory, factor)
    client = client_for("manager")
    # session, user, memberships, programme + EPCI, its communes, plan lines with follow-up, their operations,
    # their communes, menu: programmes, session refresh (savepoint, update, release)
    with django_assert_num_queries(13):  # +1: the bell's unread count (issue 8)
        response = client.get(reverse("operations:concertation_plan", args=[territory.programme.pk]))
    assert len(response.context["rows"]) == 3 * factor


@pytest.mark.parametrize("factor", [1, 10])
def test_events_list_query_count_is_flat(
    client_for, manager, territory, factor, django_assert_num_queries
) -> None:
    _many(territory, factor)
    client = client_for("manager")
    # session, user, memberships, programme + EPCI, its communes, years (filter), operations (filter), page
    # count, page rows + plan line (contributions: subqueries), their communes, figures (events, profiles,
    # themes, outcomes), menu: programmes, session refresh (savepoint, update, release)
    with django_assert_num_queries(20):  # +1: the bell's unread count (issue 8)
        response = client.get(
            reverse("operations:concertation_events", args=[territory.programme.pk]), {"commune": "52550"}
        )
    assert response.context["data"].figures.held == 3 * factor
