"""The communication demo (issue 11): the DETR site panel of the place Notre-Dame meets its obligation, the maison
de santé in works has none (missing), the inauguration is planned, and a second load writes nothing."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from budget.selectors.publicity import MET, MISSING, publicity_report
from operations.models import CommunicationAction
from operations.participation.models import CommunicationStatus
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.models import StatusChange

DETR_PANEL = "Panneau de chantier mentionnant la participation de l'État (DETR)"


@pytest.fixture
def demo(db, settings) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())


def test_the_demo_publicity_page_shows_a_met_and_a_missing_detr_panel(demo) -> None:
    manager = User.objects.get(email="cheffe-de-projet@pvd.example")
    report = publicity_report(manager, Programme.objects.get(), on=datetime.date(2026, 11, 28))
    states = {(o.operation.code, o.label): o.state for o in report.obligations}
    assert states[("W-01", DETR_PANEL)] == MET
    assert states[("W-03", DETR_PANEL)] == MISSING
    [w01] = [o for o in report.obligations if o.operation.code == "W-01" and o.label == DETR_PANEL]
    assert [a.title for a in w01.met_by] == ["Panneau de chantier de la place Notre-Dame"]


def test_the_demo_actions_have_their_author_and_load_once(demo) -> None:
    inauguration = CommunicationAction.objects.get(title="Inauguration de la place Notre-Dame")
    assert inauguration.status == CommunicationStatus.PLANNED
    # Every version (the creation, then its operations, communes and funders set) is the manager's.
    assert {h.history_user.email for h in inauguration.history.all()} == {"cheffe-de-projet@pvd.example"}
    counts = (
        CommunicationAction.objects.count(),
        CommunicationAction.history.count(),
        StatusChange.objects.count(),
    )
    call_command("load_demo", stdout=StringIO())
    assert counts == (
        CommunicationAction.objects.count(),
        CommunicationAction.history.count(),
        StatusChange.objects.count(),
    )
