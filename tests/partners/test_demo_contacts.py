"""The demo's fictitious contacts and their dated mandates (mayors since 28/03/2026, the agglomeration's
president and élu référent), loaded idempotently."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from partners.models import Mandate, MandateRole, Person


@pytest.fixture
def demo(db, settings) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())


def current(role: str, insee_code: str | None = None, siren: str | None = None) -> list[str]:
    mandates = Mandate.objects.current_on(datetime.date(2026, 11, 28)).filter(role=role)
    if insee_code:
        mandates = mandates.filter(organisation__insee_code=insee_code)
    if siren:
        mandates = mandates.filter(organisation__siren=siren)
    return [f"{m.person} depuis le {m.valid_from:%d/%m/%Y}" for m in mandates.select_related("person")]


def test_the_demo_mayors_are_in_office_since_the_2026_elections(demo) -> None:
    assert current(MandateRole.MAYOR, insee_code="52550") == ["Hélène Girard depuis le 28/03/2026"]
    assert current(MandateRole.MAYOR, insee_code="52331") == ["Thierry Collin depuis le 28/03/2026"]


def test_the_demo_agglomeration_has_a_president_and_an_elu_referent(demo) -> None:
    assert current(MandateRole.PRESIDENT, siren="200068666") == ["Bernard Lecomte depuis le 14/04/2026"]
    assert current(MandateRole.PVD_REFERENT, siren="200068666") == ["Jean-Marc Lefèvre depuis le 14/04/2026"]


def test_every_demo_contact_uses_a_reserved_example_address(demo) -> None:
    emails = [e for e in Person.objects.values_list("email", flat=True) if e]
    assert emails and all(e.endswith(".example") for e in emails)


def test_loading_the_demo_twice_adds_no_contact_nor_history(demo) -> None:
    counts = (
        Person.objects.count(),
        Mandate.objects.count(),
        Person.history.count(),
        Mandate.history.count(),
    )
    call_command("load_demo", stdout=StringIO())
    assert (
        Person.objects.count(),
        Mandate.objects.count(),
        Person.history.count(),
        Mandate.history.count(),
    ) == counts
