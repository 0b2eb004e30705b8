"""`manage.py load_demo`: the real territory, the programme and the seven demo accounts."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory

from operations.models import HousingProgramme
from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.demo import ACCOUNTS, DEMO_PASSWORD


@pytest.fixture
def demo(db, settings) -> str:
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_loads_the_territory_and_the_programme(demo) -> None:
    assert Organisation.objects.communes().filter(epci__siren="200068666").count() == 60
    programme = Programme.objects.get()
    assert sorted(programme.communes.values_list("insee_code", flat=True)) == ["52331", "52550"]
    # The Saint-Dizier OPAH-RU, the PIG, and the programme's OPAH-RU in preparation (carried by PVD-02).
    assert HousingProgramme.objects.count() == 3
    future = HousingProgramme.objects.get(programme=programme)
    assert future.operation.code == "PVD-02" and future.files.count() == 0


def test_the_seven_demo_accounts_log_in_with_the_demo_password(demo) -> None:
    request = RequestFactory().post("/comptes/connexion/")
    for account in ACCOUNTS:
        assert authenticate(request, username=account.email, password=DEMO_PASSWORD) is not None, (
            account.email
        )
        assert account.email in demo  # printed for the newcomer


def test_demo_mayor_of_wassy_gets_her_commune_and_not_the_other(demo) -> None:
    client = Client()
    client.force_login(User.objects.get(email="maire-wassy@pvd.example"))
    assert client.get("/communes/52550/").status_code == 200
    assert client.get("/communes/52331/").status_code == 404


def test_loading_twice_changes_nothing(demo) -> None:
    counts = (
        User.objects.count(),
        Organisation.objects.count(),
        Programme.objects.count(),
        Organisation.history.count(),
        Programme.history.count(),
    )
    call_command("load_demo", stdout=StringIO())
    assert counts == (
        User.objects.count(),
        Organisation.objects.count(),
        Programme.objects.count(),
        Organisation.history.count(),
        Programme.history.count(),
    )


def test_demo_refuses_to_run_in_production_without_force(db, settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=false"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists()
    call_command("load_demo", "--force", stdout=StringIO())
    assert User.objects.count() == 7


def test_if_empty_skips_an_already_loaded_demo(demo) -> None:
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "Démo déjà chargée." in out.getvalue()
