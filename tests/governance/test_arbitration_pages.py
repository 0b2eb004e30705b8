"""Arbitration pages (issue 8, H3): the programme's list with its filters and query budget, creating and editing a
note (draft only, stale forms refused), a note from an alert, the note's page with everything on it, the frozen
version as decided, and the note's PDF."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.models import Operation, RiskKind, RiskLevel
from pvd.governance.models import (
    Arbitration,
    ArbitrationEffect,
    ArbitrationOutcome,
    ArbitrationSource,
    ArbitrationStatus,
    CommitteeKind,
    DecisionLevel,
)
from pvd.governance.services import arbitrations as services
from pvd.models import DocumentStatus, RenderedDocument
from tests.conftest import Territory
from tests.governance.factories import AlertFactory, ArbitrationFactory, CommitteeFactory
from tests.governance.rows_h3 import option, ready_note, submitted_note
from tests.operations.factories import OperationFactory

# --- The list ---------------------------------------------------------------------------------------------------


def test_the_list_filters_by_status_level_and_operation(territory: Territory, manager, client_for) -> None:
    operation = OperationFactory(programme=territory.programme, code="W-09")
    draft = ArbitrationFactory(programme=territory.programme, title="Brouillon", operations=[operation])
    submitted = ArbitrationFactory(
        programme=territory.programme, title="Soumis", status=ArbitrationStatus.SUBMITTED
    )
    committee = CommitteeFactory(programme=territory.programme, kind=CommitteeKind.COTECH)
    cotech = ArbitrationFactory(
        programme=territory.programme,
        title="COTECH",
        decision_level=DecisionLevel.COTECH,
        committee=committee,
    )
    ArbitrationFactory(programme=territory.other_programme, title="Ailleurs")
    client = client_for("manager")
    url = reverse("governance:arbitrations", args=[territory.programme.pk])
    assert set(client.get(url).context["arbitrations"]) == {draft, submitted, cotech}
    assert client.get(url, {"statut": "submitted"}).context["arbitrations"] == [submitted]
    assert client.get(url, {"niveau": "cotech"}).context["arbitrations"] == [cotech]
    assert client.get(url, {"operation": operation.pk}).context["arbitrations"] == [draft]


def _list_queries(territory: Territory, client, n: int) -> int:
    committee = CommitteeFactory(programme=territory.programme, kind=CommitteeKind.COTECH)
    for _ in range(n):
        operation = OperationFactory(programme=territory.programme)
        ArbitrationFactory(
            programme=territory.programme, operations=[operation], status=ArbitrationStatus.SUBMITTED
        )
        ArbitrationFactory(
            programme=territory.programme, decision_level=DecisionLevel.COTECH, committee=committee
        )
    with CaptureQueriesContext(connection) as queries:
        assert (
            client.get(reverse("governance:arbitrations", args=[territory.programme.pk])).status_code == 200
        )
    Arbitration.objects.all().delete()
    Operation.objects.all().delete()
    committee.delete()
    return len(queries)


@pytest.mark.parametrize("persona", ["manager", "referent"])
def test_the_list_costs_the_same_queries_for_1_or_10_notes(
    territory: Territory, client_for, persona: str
) -> None:
    client = client_for(persona)
    assert _list_queries(territory, client, 1) == _list_queries(territory, client, 10)


# --- Create and edit --------------------------------------------------------------------------------------------


def test_the_manager_creates_a_note_linked_to_an_operation(territory: Territory, manager, client_for) -> None:
    operation = OperationFactory(programme=territory.programme, code="W-03")
    foreign = OperationFactory(programme=territory.other_programme)
    client = client_for("manager")
    url = reverse("governance:arbitration_create", args=[territory.programme.pk])
    data = {
        "title": "Surcoût de la place",
        "context": "Les offres dépassent l'estimation de 18 %.",
        "question": "Réduire le périmètre ou chercher un financement ?",
        "decision_level": DecisionLevel.REFERENT,
        "operations": [operation.pk],
        "due_on": "2026-12-15",
    }
    assert client.post(url, {**data, "operations": [foreign.pk]}).status_code == 200  # not a choice: refused
    response = client.post(url, data)
    arbitration = Arbitration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:arbitration", args=[arbitration.pk])
    assert arbitration.reference.startswith("ARB-")
    assert list(arbitration.operations.all()) == [operation]
    assert arbitration.requested_by == manager


def test_a_stale_edit_form_is_refused(territory: Territory, manager, client_for) -> None:
    arbitration = ready_note(territory, manager)
    client = client_for("manager")
    url = reverse("governance:arbitration_edit", args=[arbitration.pk])
    data = {
        "version": arbitration.version,
        "title": "Titre revu",
        "context": arbitration.context,
        "question": arbitration.question,
        "decision_level": DecisionLevel.REFERENT,
        "operations": [o.pk for o in arbitration.operations.all()],
        "recommendation": "Option B.",
        "recommended_option": option(arbitration, "B").pk,
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "title": "Ancienne page"})
    assert response.status_code == 200
    assert "pendant votre saisie" in response.content.decode()
    assert Arbitration.objects.get(pk=arbitration.pk).title == "Titre revu"


def test_a_submitted_note_is_no_longer_editable(territory: Territory, manager, referent, client_for) -> None:
    arbitration = submitted_note(territory, manager)
    response = client_for("manager").get(reverse("governance:arbitration_edit", args=[arbitration.pk]))
    assert response.status_code == 302


def test_a_note_from_an_alert_opens_its_edit_page(territory: Territory, manager, client_for) -> None:
    alert = AlertFactory(programme=territory.programme, title="Subvention DETR menacée de caducité")
    response = client_for("manager").post(reverse("governance:arbitration_from_alert", args=[alert.pk]))
    arbitration = Arbitration.objects.get(alert=alert)
    assert response["Location"] == reverse("governance:arbitration_edit", args=[arbitration.pk])
    assert arbitration.source == ArbitrationSource.ALERT


def test_a_referent_cannot_open_a_note_from_an_alert(territory: Territory, referent, client_for) -> None:
    alert = AlertFactory(programme=territory.programme)
    response = client_for("referent").post(reverse("governance:arbitration_from_alert", args=[alert.pk]))
    assert response.status_code == 403
    assert not Arbitration.objects.exists()


# --- The note's page --------------------------------------------------------------------------------------------


def test_submit_from_the_page_needs_two_options(territory: Territory, manager, client_for) -> None:
    arbitration = ready_note(territory, manager)
    option(arbitration, "A").delete()
    client = client_for("manager")
    response = client.post(reverse("governance:arbitration_submit", args=[arbitration.pk]), follow=True)
    assert "au moins deux options" in response.content.decode()
    assert Arbitration.objects.get(pk=arbitration.pk).status == ArbitrationStatus.DRAFT


def test_the_page_shows_the_escalated_difficulty_and_links_back_to_the_operation(
    territory: Territory, manager, client_for
) -> None:
    operation = OperationFactory(programme=territory.programme, code="W-03", title="Place de la mairie")
    risk = operation.risks.create(
        kind=RiskKind.DIFFICULTY, description="Amiante dans les réseaux", level=RiskLevel.HIGH
    )
    arbitration = services.arbitration_from_risk(
        risk=risk, by=manager, on=datetime.date(2026, 11, 2), note="Faut-il désamianter ?"
    )
    page = (
        client_for("manager").get(reverse("governance:arbitration", args=[arbitration.pk])).content.decode()
    )
    assert "Difficulté remontée" in page
    assert "Amiante dans les réseaux" in page
    assert reverse("operations:detail", args=[operation.pk]) in page
    assert "Note créée" in page or "Difficulté remontée." in page


def test_the_page_shows_the_decision_form_to_the_referent_only(
    territory: Territory, manager, referent, client_for
) -> None:
    arbitration = submitted_note(territory, manager)
    url = reverse("governance:arbitration", args=[arbitration.pk])
    decide = reverse("governance:arbitration_decide", args=[arbitration.pk])
    assert decide in client_for("referent").get(url).content.decode()
    assert decide not in client_for("manager").get(url).content.decode()


def test_the_page_lists_the_effects_applied_with_links(
    territory: Territory, manager, referent, client_for
) -> None:
    from django.contrib.contenttypes.models import ContentType

    arbitration = submitted_note(territory, manager)
    services.arbitration_decide(
        arbitration=arbitration,
        by=referent,
        outcome=ArbitrationOutcome.APPROVED,
        option=option(arbitration, "B"),
    )
    operation = arbitration.operations.get()
    ArbitrationEffect.objects.create(
        arbitration=arbitration,
        content_type=ContentType.objects.get_for_model(Operation),
        object_id=operation.pk,
        object_label=str(operation),
        field="coût estimé HT",
        before="100 000,00 €",
        after="82 000,00 €",
    )
    page = (
        client_for("manager").get(reverse("governance:arbitration", args=[arbitration.pk])).content.decode()
    )
    assert "Effets appliqués" in page
    assert "82 000,00 €" in page
    assert reverse("governance:arbitration_implement", args=[arbitration.pk]) in page


def test_the_snapshot_page_shows_the_note_as_decided_not_as_it_is_now(
    territory: Territory, manager, referent, client_for
) -> None:
    arbitration = submitted_note(territory, manager)
    services.arbitration_decide(
        arbitration=arbitration,
        by=referent,
        outcome=ArbitrationOutcome.APPROVED,
        option=option(arbitration, "B"),
        conditions="Sous réserve de l'avis de l'ABF.",
    )
    Operation.objects.filter(code="W-03").update(title="Titre changé après la décision")
    page = client_for("referent").get(reverse("governance:arbitration_snapshot", args=[arbitration.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "W-03 — Requalification de la place" in content
    assert "Titre changé après la décision" not in content
    assert "Sous réserve de l&#x27;avis de l&#x27;ABF." in content
    assert "Option B — Réduire le périmètre" in content


def test_the_note_prints_as_a_pdf_of_the_frozen_note(
    territory: Territory, manager, referent, client_for, django_capture_on_commit_callbacks
) -> None:
    arbitration = submitted_note(territory, manager)
    services.arbitration_decide(
        arbitration=arbitration, by=referent, outcome=ArbitrationOutcome.REJECTED, comment="Trop cher."
    )
    client = client_for("referent")
    assert client.get(reverse("governance:arbitration_print", args=[arbitration.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("governance:arbitration_print", args=[arbitration.pk]))
    doc = RenderedDocument.objects.get(kind="arbitration_note")
    assert response["Location"] == reverse("document", args=[doc.pk])
    assert doc.status == DocumentStatus.DONE, doc.error
    assert doc.file.read().startswith(b"%PDF")
    context = services.note_for_print(Arbitration.objects.get(pk=arbitration.pk))
    assert context["frozen"] is True
    assert context["note"]["decision"]["comment"] == "Trop cher."
