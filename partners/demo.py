"""Demo data of the partners app: the real geography of the agglomeration and the programme's partners."""

from partners.models import Organisation, OrganisationKind
from partners.services import GEOGRAPHY_DIR, geography_import, read_geography
from pvd.upsert import upsert

EPCI_SIREN = "200068666"  # CA du Grand Saint-Dizier Der et Vallées

# Partner organisations of the demo (the operator is fictitious; the others are the real institutions).
PARTNERS = [
    ("Préfecture de la Haute-Marne", OrganisationKind.STATE_SERVICE, "https://www.haute-marne.gouv.fr"),
    ("Direction départementale des territoires de la Haute-Marne", OrganisationKind.STATE_SERVICE, ""),
    (
        "Agence nationale de la cohésion des territoires (ANCT)",
        OrganisationKind.AGENCY,
        "https://agence-cohesion-territoires.gouv.fr",
    ),
    ("Agence nationale de l'habitat (Anah)", OrganisationKind.AGENCY, "https://www.anah.gouv.fr"),
    ("Banque des Territoires", OrganisationKind.AGENCY, "https://www.banquedesterritoires.fr"),
    ("Région Grand Est", OrganisationKind.REGION, "https://www.grandest.fr"),
    ("Département de la Haute-Marne", OrganisationKind.DEPARTMENT, "https://haute-marne.fr"),
    ("Habitat & Territoires Conseil", OrganisationKind.COMPANY, ""),
]


def load() -> dict[str, Organisation]:
    communes, epcis = read_geography(
        GEOGRAPHY_DIR / "communes.json", GEOGRAPHY_DIR / "epci.json", [EPCI_SIREN]
    )
    geography_import(communes=communes, epcis=epcis)
    orgs = {
        "epci": Organisation.objects.get(siren=EPCI_SIREN),
        "wassy": Organisation.objects.get(insee_code="52550"),
        "la_porte_du_der": Organisation.objects.get(insee_code="52331"),
        "saint_dizier": Organisation.objects.get(insee_code="52448"),
    }
    for name, kind, website in PARTNERS:
        org, _ = upsert(Organisation, {"website": website}, name=name, kind=kind)
        orgs[name] = org
    orgs["anah"] = orgs["Agence nationale de l'habitat (Anah)"]
    orgs["operator"] = orgs["Habitat & Territoires Conseil"]
    return orgs
