"""Demo data of the operations app: the OPAH-RU of Saint-Dizier and the intercommunal PIG."""

import datetime

from operations.models import HousingProgramme, HousingProgrammeKind
from partners.models import Organisation
from pvd.upsert import upsert


def load(orgs: dict[str, Organisation]) -> dict[str, HousingProgramme]:
    opah_ru, _ = upsert(
        HousingProgramme,
        name="OPAH-RU du centre-ville de Saint-Dizier 2021-2026",
        defaults={
            "kind": HousingProgrammeKind.OPAH_RU,
            "owner": orgs["saint_dizier"],
            "operator": orgs["operator"],
            "starts_on": datetime.date(2021, 7, 1),
            "ends_on": datetime.date(2026, 12, 31),
        },
    )
    opah_ru.communes.set([orgs["saint_dizier"]])
    pig, _ = upsert(
        HousingProgramme,
        name="PIG intercommunal « Habiter mieux le Grand Saint-Dizier »",
        defaults={
            "kind": HousingProgrammeKind.PIG,
            "owner": orgs["epci"],
            "operator": orgs["operator"],
            "starts_on": datetime.date(2022, 1, 1),
            "ends_on": datetime.date(2026, 12, 31),
        },
    )
    pig.communes.set(Organisation.objects.communes().filter(epci=orgs["epci"]))
    return {"opah_ru": opah_ru, "pig": pig}
