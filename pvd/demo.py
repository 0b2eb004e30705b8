"""The demo territory: real geography, the Wassy / La Porte du Der programme, and the demo accounts.

Each app contributes its part (`<app>/demo.py`); this module orders them and creates the accounts of
ARCHITECTURE.md §6. Every step is an update-or-create: running it twice changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction

from budget import demo as budget_demo
from operations import demo as operations_demo
from operations.conventions import demo as conventions_demo  # issue 9
from operations.housing import demo as housing_demo  # issue 7, privacy
from operations.participation import demo as participation_demo
from operations.procurement import demo as procurement_demo
from partners import demo as partners_demo
from programmes import demo as programmes_demo
from programmes.indicators import demo as indicators_demo  # issue 10
from programmes.indicators.computations import refresh_computed
from pvd.accounts.models import Membership, Role, User
from pvd.dashboards import demo as annual_demo
from pvd.governance import demo as governance_demo  # issue 8

DEMO_PASSWORD = "pvd-demo"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    job_title: str
    description: str


ACCOUNTS = [
    DemoAccount(
        "cheffe-de-projet@pvd.example",
        "Camille Martin",
        "Cheffe de projet PVD",
        "chargée de mission du programme PVD de Wassy et La Porte du Der",
    ),
    DemoAccount(
        "elu-referent@pvd.example",
        "Jean-Marc Lefèvre",
        "Vice-président délégué à l'habitat",
        "élu référent de l'agglomération",
    ),
    DemoAccount("maire-wassy@pvd.example", "Hélène Girard", "Maire de Wassy", "maire de Wassy"),
    DemoAccount(
        "maire-la-porte-du-der@pvd.example",
        "Thierry Collin",
        "Maire de La Porte du Der",
        "maire de La Porte du Der",
    ),
    DemoAccount(
        "operateur-opah@pvd.example",
        "Sophie Renaud",
        "Chargée d'opération OPAH-RU",
        "opératrice de l'OPAH-RU de Saint-Dizier",
    ),
    DemoAccount(
        "partenaire-anah@pvd.example",
        "Karim Benali",
        "Délégation locale de l'Anah (DDT 52)",
        "partenaire (Anah)",
    ),
    DemoAccount("admin@pvd.example", "Administrateur PVD Pilot", "Administrateur", "administrateur"),
]

MANDATE_START = datetime.date(2026, 3, 28)  # councils elected on 15 and 22 March 2026 elected their mayors


def _user(account: DemoAccount, *, staff: bool = False) -> User:
    user, created = User.objects.get_or_create(
        email=account.email,
        defaults={
            "full_name": account.full_name,
            "job_title": account.job_title,
            "is_staff": staff,
            "is_superuser": staff,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _membership(user: User, role: str, valid_from: datetime.date, title: str = "", **target: object) -> None:
    Membership.objects.get_or_create(
        user=user, role=role, **target, defaults={"valid_from": valid_from, "title": title}
    )


@transaction.atomic
def load_demo() -> None:
    orgs = partners_demo.load()
    programme = programmes_demo.load(orgs)
    housing = operations_demo.load(orgs)

    users = {a.email.split("@")[0]: _user(a, staff=a.email.startswith("admin@")) for a in ACCOUNTS}
    start = programme.adhesion_signed_on or datetime.date(2021, 1, 1)
    _membership(
        users["cheffe-de-projet"],
        Role.MANAGER,
        datetime.date(2022, 4, 1),
        "Cheffe de projet PVD",
        programme=programme,
    )
    _membership(
        users["cheffe-de-projet"],
        Role.MANAGER,
        datetime.date(2022, 4, 1),
        "Pilotage de l'OPAH-RU",
        housing_programme=housing["opah_ru"],
    )
    _membership(users["elu-referent"], Role.REFERENT, MANDATE_START, "Élu référent PVD", programme=programme)
    _membership(users["maire-wassy"], Role.MAYOR, MANDATE_START, "Maire", commune=orgs["wassy"])
    _membership(
        users["maire-la-porte-du-der"], Role.MAYOR, MANDATE_START, "Maire", commune=orgs["la_porte_du_der"]
    )
    _membership(
        users["operateur-opah"],
        Role.OPERATOR,
        housing["opah_ru"].starts_on,
        "Suivi-animation",
        housing_programme=housing["opah_ru"],
    )
    _membership(users["partenaire-anah"], Role.PARTNER, start, "Anah", programme=programme)
    _membership(
        users["partenaire-anah"],
        Role.PARTNER,
        housing["opah_ru"].starts_on,
        "Anah",
        housing_programme=housing["opah_ru"],
    )
    # --- housing: access log, retention and anonymisation (issue 7, privacy): demo files, operator on the PIG ---
    _membership(
        users["operateur-opah"],
        Role.OPERATOR,
        housing["pig"].starts_on,
        "Suivi-animation",
        housing_programme=housing["pig"],
    )
    housing_demo.load(housing, orgs, users)
    operations_demo.load_operations(programme, orgs)  # after the accounts: the manager writes the journal
    housing_demo.load_future_opah_ru(programme, orgs)  # carried by the operation PVD-02
    budget_demo.load(programme, orgs)  # after the operations: their financing plans, subsidies and budget
    procurement_demo.load(programme, orgs)  # after the budget
    budget_demo.link_contracts(programme)  # the budget's expenses pay the procurement demo's invoices
    participation_demo.load(
        programme, orgs, users
    )  # issue 11: after operations and money (letters report them)
    conventions_demo.load(programme, orgs, users, housing)  # issue 9: the blocks read all of the above
    # issue 10: the indicators (baselines, targets, measurements), then the computed ones from all of the above
    indicators_demo.load(programme, orgs, users)
    refresh_computed(programme=programme, by=users["cheffe-de-projet"])
    annual_demo.load(programme, users)  # the annual report of the year, after the indicators
    governance_demo.load(programme, orgs, users)  # issue 8: bodies, meetings, arbitrations, alerts


def demo_is_loaded() -> bool:
    return User.objects.filter(email=ACCOUNTS[0].email).exists()
