"""Demo data of the programmes app: the PVD programme of Wassy and La Porte du Der."""

import datetime

from partners.models import Organisation
from programmes.models import Programme
from pvd.upsert import upsert

PROGRAMME_NAME = "Petites Villes de Demain — Wassy et La Porte du Der"


def load(orgs: dict[str, Organisation]) -> Programme:
    programme, _ = upsert(
        Programme,
        name=PROGRAMME_NAME,
        defaults={
            "epci": orgs["epci"],
            # Dates of the demo: the convention d'adhésion was signed at the end of October 2021,
            # the convention-cadre was expected early 2023, and PVD is extended to the end of 2026.
            "selected_on": datetime.date(2020, 12, 14),
            "adhesion_signed_on": datetime.date(2021, 10, 29),
            "framework_signed_on": datetime.date(2023, 3, 30),
            "ends_on": datetime.date(2026, 12, 31),
            "description": (
                "Programme de revitalisation des centres-bourgs de Wassy et de La Porte du Der, piloté avec "
                "la Communauté d'agglomération du Grand Saint-Dizier, Der & Vallées, en complémentarité du "
                "PIG intercommunal et de l'OPAH-RU du centre-ville de Saint-Dizier."
            ),
        },
    )
    programme.communes.set([orgs["wassy"], orgs["la_porte_du_der"]])
    return programme
