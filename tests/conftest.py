"""Personas shared by every test (ARCHITECTURE.md §2, STYLE.md §20).

The territory is the real one in miniature: the CA du Grand Saint-Dizier Der et Vallées with Wassy
(52550), La Porte du Der (52331) and Saint-Dizier (52448); the PVD programme of Wassy and La Porte
du Der; the OPAH-RU of Saint-Dizier. The outsider manages a programme of another EPCI and must
see nothing of ours.
"""

import importlib
import socket
from dataclasses import dataclass

import pytest
from django.test import Client

from operations.models import HousingProgramme, HousingProgrammeKind
from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts.models import Role, User
from tests.factories import (
    CommuneFactory,
    EpciFactory,
    HousingProgrammeFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _no_outbound_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to this machine only (PostgreSQL, Redis, the live server)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in {"localhost", "::1"} or "/" in host
        ):
            raise RuntimeError(f"Outbound network blocked in tests: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _eager_celery_unless_real_worker(request: pytest.FixtureRequest) -> None:
    """Tasks run in-process, except in tests marked real_worker (a worker on Redis runs them)."""
    from pvd.celery import app

    app.conf.task_always_eager = request.node.get_closest_marker("real_worker") is None


# Data migrations whose rows pages rely on (themes, national partners and offers, the standard phases).
REFERENCE_DATA = [
    ("partners.migrations.0003_the_programme_themes", "add_themes"),
    ("partners.migrations.0005_national_partners_and_offers", "add_reference_data"),
    ("operations.migrations.0003_standard_phase_sequence", "add_sequence"),
    ("budget.migrations.0002_money_reference_data", "add_money_reference_data"),
    ("operations.migrations.0007_procurement_reference_data", "add_procurement_reference_data"),
    ("operations.migrations.0010_housing_reference_data", "add_housing_reference_data"),
    ("partners.migrations.0008_publicity_reference", "add_publicity_reference"),
    ("operations.migrations.0015_article_templates", "add_article_templates"),
    ("programmes.migrations.0005_indicator_library", "add_indicator_library"),
]


@pytest.fixture(autouse=True)
def _reference_data_survives_flushes(request: pytest.FixtureRequest) -> None:
    """Transactional tests (browser tests on a live server, real Celery workers) run on a database that
    Django flushes after each of them — data migrations' rows included. Replay them (all idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@dataclass
class Territory:
    epci: Organisation
    wassy: Organisation
    la_porte_du_der: Organisation
    saint_dizier: Organisation
    programme: Programme
    opah_ru: HousingProgramme
    anah: Organisation
    other_epci: Organisation
    other_commune: Organisation
    other_programme: Programme


@pytest.fixture
def territory(db: None) -> Territory:
    epci = EpciFactory(name="CA du Grand Saint-Dizier Der et Vallées", siren="200068666", epci_type="CA")
    wassy = CommuneFactory(name="Wassy", insee_code="52550", siren="215203944", population=2771, epci=epci)
    lpdd = CommuneFactory(
        name="La Porte du Der",
        insee_code="52331",
        siren="200059947",
        population=2099,
        epci=epci,
        former_insee_codes=["52427"],
    )
    saint_dizier = CommuneFactory(
        name="Saint-Dizier", insee_code="52448", siren="215203233", population=22858, epci=epci
    )
    programme = ProgrammeFactory(name="PVD Wassy et La Porte du Der", epci=epci, communes=[wassy, lpdd])
    opah_ru = HousingProgrammeFactory(
        name="OPAH-RU du centre-ville de Saint-Dizier",
        kind=HousingProgrammeKind.OPAH_RU,
        owner=saint_dizier,
        communes=[saint_dizier],
    )
    other_epci = EpciFactory(name="CC du Bassin de Joinville en Champagne")
    other_commune = CommuneFactory(name="Joinville", insee_code="52250", epci=other_epci, population=3100)
    other_programme = ProgrammeFactory(name="PVD Joinville", epci=other_epci, communes=[other_commune])
    anah = OrganisationFactory(name="Agence nationale de l'habitat (Anah)")
    return Territory(
        epci, wassy, lpdd, saint_dizier, programme, opah_ru, anah, other_epci, other_commune, other_programme
    )


def _member(role: str, full_name: str, **target: object) -> User:
    user = UserFactory(full_name=full_name)
    MembershipFactory(user=user, role=role, **target)
    return user


@pytest.fixture
def manager(territory: Territory) -> User:  # the chargée de mission: everything in the programme
    return _member(Role.MANAGER, "Camille Martin", programme=territory.programme)


@pytest.fixture
def referent(territory: Territory) -> User:  # élu référent: reads the programme, decides, does not edit
    return _member(Role.REFERENT, "Jean-Marc Lefèvre", programme=territory.programme)


@pytest.fixture
def mayor_of_wassy(territory: Territory) -> User:  # reads Wassy only; 404 on La Porte du Der
    return _member(Role.MAYOR, "Hélène Girard", commune=territory.wassy)


@pytest.fixture
def mayor_of_la_porte_du_der(territory: Territory) -> User:  # reads La Porte du Der only
    return _member(Role.MAYOR, "Thierry Collin", commune=territory.la_porte_du_der)


@pytest.fixture
def operator(territory: Territory) -> User:  # OPAH-RU operator: its housing programme only
    return _member(Role.OPERATOR, "Sophie Renaud", housing_programme=territory.opah_ru)


@pytest.fixture
def partner(territory: Territory) -> User:  # Anah: reads the programme, never edits
    return _member(Role.PARTNER, "Karim Benali", programme=territory.programme)


@pytest.fixture
def outsider(territory: Territory) -> User:  # manager of another EPCI's programme: sees nothing of ours
    return _member(Role.MANAGER, "Personne Extérieure", programme=territory.other_programme)


@pytest.fixture
def staff(territory: Territory) -> User:  # administrator: everything
    return UserFactory(full_name="Admin", is_staff=True, is_superuser=True)


PERSONAS = [
    "anonymous",
    "manager",
    "referent",
    "mayor_of_wassy",
    "mayor_of_la_porte_du_der",
    "operator",
    "partner",
    "outsider",
    "staff",
]


@pytest.fixture
def client_for(request: pytest.FixtureRequest, territory: Territory):
    """client_for("mayor_of_wassy") -> a test client logged in as that persona ("anonymous": not logged in)."""

    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return make


@pytest.fixture(scope="module")
def real_worker(django_db_blocker: object) -> object:
    """A real Celery worker on Redis for the module's tests (modules call tests.worker.skip_without_worker())."""
    from celery.contrib.testing.worker import start_worker

    from pvd.celery import app

    app.conf.task_always_eager = False
    with (
        django_db_blocker.unblock(),  # type: ignore[attr-defined]
        start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
        ) as worker,
    ):
        yield worker
