"""The conventions demo: deliberations and ORT sectors of the programme, the convention d'adhésion ended, the
convention-cadre in force with its signed version, avenant n° 1 in draft, the Saint-Dizier OPAH-RU convention in
force — built through the services, read as the mayors read them, and reloaded without change."""

from io import StringIO

import pytest
from django.core.management import call_command

from operations.conventions.models import ConventionKind, ConventionStatus
from operations.models import Convention, ConventionVersion
from programmes.models import Deliberation, OrtSector
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.models import DocumentStatus


@pytest.fixture
def demo(db, settings) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())


def test_the_demo_has_the_conventions_deliberations_and_sectors_a_mayor_reads(demo) -> None:
    adhesion = Convention.objects.get(kind=ConventionKind.ADHESION)
    framework = Convention.objects.get(kind=ConventionKind.FRAMEWORK)
    amendment = Convention.objects.get(kind=ConventionKind.AMENDMENT)
    housing = Convention.objects.get(kind=ConventionKind.HOUSING)
    assert adhesion.status == ConventionStatus.ENDED
    assert framework.status == ConventionStatus.IN_FORCE
    assert str(framework.signed_on) == "2023-03-30"
    signed = framework.versions.get(signed=True)
    assert signed.document.status == DocumentStatus.DONE
    assert signed.snapshot["articles"]
    assert amendment.status == ConventionStatus.DRAFT and amendment.parent == framework
    assert housing.status == ConventionStatus.IN_FORCE
    assert framework.signatories.filter(organisation__name="Préfecture de la Haute-Marne").exists()
    assert all(s.deliberation is not None for s in framework.signatories.all() if s.needs_deliberation)
    # One deliberation is not yet enforceable: the avenant's, adopted but not transmitted to the préfet.
    pending = [d for d in Deliberation.objects.all() if d.enforceable_on is None]
    assert [d.missing_formalities for d in pending] == [["la transmission au préfet"]]
    assert "Avenant n° 1" in pending[0].subject
    assert list(OrtSector.objects.values_list("name", flat=True)) == [
        "Centre-ville de Wassy",
        "Centre de La Porte du Der (Montier-en-Der)",
    ]
    # The mayor of Wassy reads the convention-cadre, not the draft avenant.
    mayor = User.objects.get(email="maire-wassy@pvd.example")
    visible = set(policy.visible_to(Convention.objects.all(), mayor).values_list("kind", flat=True))
    assert ConventionKind.FRAMEWORK in visible
    assert ConventionKind.AMENDMENT not in visible


def test_loading_the_demo_twice_changes_nothing(demo) -> None:
    counts = (Convention.objects.count(), ConventionVersion.objects.count(), Deliberation.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (
        Convention.objects.count(),
        ConventionVersion.objects.count(),
        Deliberation.objects.count(),
    ) == counts
