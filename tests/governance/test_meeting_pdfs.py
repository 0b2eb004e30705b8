"""The printable agenda and minutes of a meeting (issue 8, H2): asked by POST, rendered by WeasyPrint in Celery
through pvd.documents, read back with pypdf — French dates, items in order with their operation's figures, the
attendance with the quorum, the decisions with their votes, the minutes text — and who may ask for them."""

import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from operations.models import OperationStatus
from pvd.governance.models import AttendanceStatus, VoteKind
from pvd.models import DocumentStatus, RenderedDocument
from tests.conftest import Territory
from tests.governance.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    DecisionFactory,
)
from tests.governance.rows_h2 import held_meeting, planned_meeting
from tests.operations.factories import OperationFactory
from tests.partners.factories import PersonFactory


def _post(client, meeting, kind: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("governance:meeting_print", args=[meeting.pk, kind]))


def _text(doc: RenderedDocument) -> str:
    with default_storage.open(doc.file.name, "rb") as handle:
        content = handle.read()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())  # lines wrap where the page is narrow


def _meeting_with_agenda(territory: Territory, held: bool = True):
    committee = CommitteeFactory(programme=territory.programme, name="Comité de projet PVD Wassy")
    if held:
        meeting = held_meeting(
            territory, committee=committee, minutes="<h3>Ouverture</h3><p>Le maire accueille.</p>"
        )
    else:
        meeting = planned_meeting(territory)
        meeting.committee = committee
        meeting.save()
    operation = OperationFactory(
        programme=territory.programme,
        code="W-03",
        title="Requalification de la place",
        owner=territory.wassy,
        status=OperationStatus.COMMITTED,
        manual_progress=Decimal("0.4"),
    )
    second = AgendaItemFactory(meeting=meeting, order=2, title="Questions diverses")
    first = AgendaItemFactory(meeting=meeting, order=1, title="Avancement de la place", operation=operation)
    for n in range(3):
        person = PersonFactory(first_name="Élu", last_name=f"Membre{n}")
        CommitteeMemberFactory(committee=committee, organisation=None, person=person)
        AttendanceFactory(
            meeting=meeting,
            person=person,
            name=f"Élu Membre{n}",
            status=AttendanceStatus.PRESENT if n < 2 else AttendanceStatus.EXCUSED,
        )
    return meeting, first, second


def test_a_get_asks_for_nothing(territory: Territory, client_for) -> None:
    meeting, *_ = _meeting_with_agenda(territory)
    assert (
        client_for("manager")
        .get(reverse("governance:meeting_print", args=[meeting.pk, "agenda"]))
        .status_code
        == 405
    )


def test_an_unknown_kind_of_document_is_404(
    territory: Territory, client_for, django_capture_on_commit_callbacks
) -> None:
    meeting, *_ = _meeting_with_agenda(territory)
    assert (
        _post(client_for("manager"), meeting, "budget", django_capture_on_commit_callbacks).status_code == 404
    )
    assert not RenderedDocument.objects.exists()


def test_the_agenda_lists_the_items_in_order_with_french_dates_and_the_operations_figures(
    territory: Territory, client_for, django_capture_on_commit_callbacks
) -> None:
    meeting, *_ = _meeting_with_agenda(territory, held=False)
    response = _post(client_for("manager"), meeting, "agenda", django_capture_on_commit_callbacks)
    doc = RenderedDocument.objects.get(kind="meeting_agenda")
    assert response.status_code == 302 and response["Location"] == reverse("document", args=[doc.pk])
    assert doc.status == DocumentStatus.DONE, doc.error
    assert doc.title == "Ordre du jour — Comité de projet PVD Wassy, 15/12/2026"
    text = _text(doc)
    assert "Réunion du 15/12/2026 à 14:00" in text
    assert text.index("Point 1 : Avancement de la place") < text.index("Point 2 : Questions diverses")
    assert "Opération W-03 — Requalification de la place : engagée, avancement 40 %" in text.replace(
        "\xa0", " "
    )
    assert "Élu Membre0" in text


def test_the_minutes_hold_the_attendance_with_quorum_the_decisions_with_votes_and_the_text(
    territory: Territory, client_for, django_capture_on_commit_callbacks
) -> None:
    meeting, first, second = _meeting_with_agenda(territory)
    DecisionFactory(
        programme=territory.programme,
        meeting=meeting,
        agenda_item=first,
        text="Le comité valide le report des travaux.",
        vote=VoteKind.MAJORITY,
        votes_for=2,
        votes_against=0,
        abstentions=0,
    )
    DecisionFactory(
        programme=territory.programme,
        meeting=meeting,
        agenda_item=second,
        text="Prochaine réunion en mars.",
        vote=VoteKind.UNANIMOUS,
    )
    _post(client_for("mayor_of_wassy"), meeting, "minutes", django_capture_on_commit_callbacks)
    doc = RenderedDocument.objects.get(kind="meeting_minutes")
    assert doc.status == DocumentStatus.DONE, doc.error
    text = _text(doc)
    assert "Réunion du 06/10/2026 à 14:00" in text
    assert "2 membres à voix délibérative présents ou représentés sur 3 ; quorum de 2 : atteint" in text
    assert "Excusés : Élu Membre2" in text
    first_at, second_at = (
        text.index("Point 1 : Avancement de la place"),
        text.index("Point 2 : Questions diverses"),
    )
    assert first_at < text.index("Le comité valide le report des travaux.") < second_at
    assert "À la majorité : 2 voix pour, 0 contre, 0 abstention" in text
    assert "Vote : À l'unanimité" in text
    assert "Ouverture" in text and "Le maire accueille." in text


def test_the_minutes_of_a_meeting_not_yet_held_are_refused_with_a_french_message(
    territory: Territory, client_for, django_capture_on_commit_callbacks
) -> None:
    meeting, *_ = _meeting_with_agenda(territory, held=False)
    client = client_for("manager")
    response = _post(client, meeting, "minutes", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse(
        "governance:meeting", args=[meeting.pk]
    )
    assert not RenderedDocument.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "La réunion n'a pas encore eu lieu : son compte rendu ne peut pas encore être imprimé."
    ]


@pytest.mark.parametrize("persona", ["referent", "partner", "mayor_of_la_porte_du_der", "staff"])
def test_whoever_sees_the_meeting_gets_its_agenda(
    territory: Territory, client_for, persona: str, django_capture_on_commit_callbacks
) -> None:
    meeting, *_ = _meeting_with_agenda(territory)
    client = client_for(persona)
    assert _post(client, meeting, "agenda", django_capture_on_commit_callbacks).status_code == 302
    doc = RenderedDocument.objects.get()
    assert client.get(reverse("document", args=[doc.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["outsider", "operator"])
def test_an_outsider_or_an_operator_gets_404_and_cannot_read_a_document_asked_by_another(
    territory: Territory, client_for, persona: str, django_capture_on_commit_callbacks
) -> None:
    meeting, *_ = _meeting_with_agenda(territory)
    client = client_for(persona)
    assert _post(client, meeting, "minutes", django_capture_on_commit_callbacks).status_code == 404
    assert not RenderedDocument.objects.exists()
    _post(client_for("manager"), meeting, "minutes", django_capture_on_commit_callbacks)
    doc = RenderedDocument.objects.get()
    assert client.get(reverse("document", args=[doc.pk])).status_code == 404


def test_the_agenda_never_names_an_arbitration_note(
    territory: Territory, client_for, django_capture_on_commit_callbacks
) -> None:
    from tests.governance.factories import ArbitrationFactory

    meeting, _first, _ = _meeting_with_agenda(territory)
    arbitration = ArbitrationFactory(
        programme=territory.programme, title="Abandon de la halle", status="submitted"
    )
    AgendaItemFactory(meeting=meeting, order=3, title="Arbitrage à rendre", arbitration=arbitration)
    _post(client_for("manager"), meeting, "agenda", django_capture_on_commit_callbacks)
    text = _text(RenderedDocument.objects.get())
    assert "Arbitrage soumis à l'instance" in text
    assert arbitration.reference not in text and "Abandon de la halle" not in text
