"""Demo data of the partners app: the real geography of the agglomeration, the programme's partners,
and fictitious contacts with their dated mandates.

The institutions are real; every person is fictitious (names, e-mails on the reserved `.example`
domain, phone numbers in the 03 53 01 xx xx range that ARCEP reserves for fiction).
"""

import datetime

from partners.models import Mandate, MandateRole, Organisation, OrganisationKind, Person
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
    # Also shipped by partners/migrations/0005 (same names and websites, so nothing changes here).
    ("Cerema", OrganisationKind.AGENCY, "https://www.cerema.fr"),
    ("Agence de la transition écologique (ADEME)", OrganisationKind.AGENCY, "https://www.ademe.fr"),
    ("CAUE de la Haute-Marne", OrganisationKind.ASSOCIATION, ""),
    ("EPF Grand Est", OrganisationKind.AGENCY, "https://www.epfge.fr"),
]

MANDATE_START = datetime.date(2026, 3, 28)  # councils elected on 15 and 22 March 2026 elected their mayors
# Fictitious demo date: the community council elects its president and vice-presidents after the mayors.
COMMUNITY_COUNCIL_START = datetime.date(2026, 4, 14)

# (key of the organisation, civility, first name, last name, function, e-mail, phone)
CONTACTS = [
    ("wassy", "mme", "Hélène", "Girard", "Maire de Wassy", "maire@wassy.example", "03 53 01 00 01"),
    (
        "wassy",
        "m",
        "Olivier",
        "Mercier",
        "Directeur général des services",
        "dgs@wassy.example",
        "03 53 01 00 02",
    ),
    (
        "la_porte_du_der",
        "m",
        "Thierry",
        "Collin",
        "Maire de La Porte du Der",
        "maire@laporteduder.example",
        "",
    ),
    (
        "la_porte_du_der",
        "mme",
        "Nadia",
        "Fontaine",
        "Adjointe à l'urbanisme",
        "urbanisme@laporteduder.example",
        "",
    ),
    ("epci", "m", "Bernard", "Lecomte", "Président de l'agglomération", "president@agglo-sddv.example", ""),
    (
        "epci",
        "m",
        "Jean-Marc",
        "Lefèvre",
        "Vice-président délégué à l'habitat",
        "jm.lefevre@agglo-sddv.example",
        "03 53 01 00 10",
    ),
    ("epci", "mme", "Camille", "Martin", "Cheffe de projet PVD", "pvd@agglo-sddv.example", "03 53 01 00 11"),
    (
        "Préfecture de la Haute-Marne",
        "mme",
        "Claire",
        "Dubois",
        "Sous-préfète, référente Petites Villes de Demain",
        "pvd@prefecture-52.example",
        "03 53 01 00 20",
    ),
    (
        "Direction départementale des territoires de la Haute-Marne",
        "m",
        "Karim",
        "Benali",
        "Délégation locale de l'Anah",
        "anah@ddt-52.example",
        "03 53 01 00 21",
    ),
    ("Banque des Territoires", "mme", "Émilie", "Roche", "Chargée de développement territorial", "", ""),
    ("Cerema", "m", "Julien", "Marchal", "Chargé de projets aménagement", "j.marchal@cerema.example", ""),
    (
        "CAUE de la Haute-Marne",
        "mme",
        "Anne",
        "Lemoine",
        "Architecte conseillère",
        "conseil@caue52.example",
        "",
    ),
    ("EPF Grand Est", "m", "Pierre", "Vasseur", "Chargé d'opérations foncières", "", ""),
    ("Région Grand Est", "mme", "Sophie", "Aubert", "Chargée de mission territoriale", "", ""),
    (
        "Habitat & Territoires Conseil",
        "mme",
        "Sophie",
        "Renaud",
        "Chargée d'opération OPAH-RU",
        "s.renaud@htc.example",
        "03 53 01 00 30",
    ),
]

# (last name, first name, key of the body, role, title, since)
MANDATES = [
    ("Girard", "Hélène", "wassy", MandateRole.MAYOR, "", MANDATE_START),
    ("Collin", "Thierry", "la_porte_du_der", MandateRole.MAYOR, "", MANDATE_START),
    (
        "Fontaine",
        "Nadia",
        "la_porte_du_der",
        MandateRole.DEPUTY_MAYOR,
        "Adjointe à l'urbanisme",
        MANDATE_START,
    ),
    ("Lecomte", "Bernard", "epci", MandateRole.PRESIDENT, "", COMMUNITY_COUNCIL_START),
    (
        "Lefèvre",
        "Jean-Marc",
        "epci",
        MandateRole.VICE_PRESIDENT,
        "Vice-président délégué à l'habitat",
        COMMUNITY_COUNCIL_START,
    ),
    ("Lefèvre", "Jean-Marc", "epci", MandateRole.PVD_REFERENT, "", COMMUNITY_COUNCIL_START),
    (
        "Martin",
        "Camille",
        "epci",
        MandateRole.PROJECT_OFFICER,
        "Cheffe de projet PVD",
        datetime.date(2022, 4, 1),
    ),
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
    _load_contacts(orgs)
    return orgs


def _load_contacts(orgs: dict[str, Organisation]) -> None:
    people = {}
    for key, civility, first_name, last_name, function, email, phone in CONTACTS:
        person, _ = upsert(
            Person,
            {"civility": civility, "function": function, "email": email, "phone": phone},
            organisation=orgs[key],
            first_name=first_name,
            last_name=last_name,
        )
        people[(last_name, first_name)] = person
    for last_name, first_name, body, role, title, since in MANDATES:
        upsert(
            Mandate,
            {"title": title, "valid_until": None},
            person=people[(last_name, first_name)],
            organisation=orgs[body],
            role=role,
            valid_from=since,
        )
