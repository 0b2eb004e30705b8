"""The conventions demo of the Wassy and La Porte du Der programme (issue 9).

Deliberations of the EPCI, Wassy and La Porte du Der authorising the convention d'adhésion (2021) and the
convention-cadre valant ORT (2023), published and transmitted; a recent one for avenant n° 1, adopted but not yet
transmitted to the préfet; the ORT sectors; the convention d'adhésion signed then ended when the convention-cadre
replaced it; the convention-cadre in force with its signed version; avenant n° 1 in draft with a changed article; the
Saint-Dizier OPAH-RU convention in force. Conventions go through the services (real snapshots, rendered PDFs:
the demo renders each issued version at once, since the loader's transaction defers the queued rendering).
Idempotent: deliberations and sectors are upserted on their natural keys, conventions built once.
"""

import datetime
from typing import TYPE_CHECKING

from operations.conventions.models import (
    Convention,
    ConventionKind,
    ConventionStatus,
    Signatory,
)
from operations.conventions.richtext import clean_html
from operations.conventions.services.conventions import (
    amendment_create,
    convention_change_status,
    convention_create,
)
from operations.conventions.services.versions import version_issue
from programmes.models import DeliberatingBody, Deliberation, OrtSector
from pvd.concurrency import save_audited, save_versioned
from pvd.documents import render_document
from pvd.upsert import upsert

if TYPE_CHECKING:
    from operations.models import HousingProgramme
    from partners.models import Organisation
    from programmes.models import Programme
    from pvd.accounts.models import User

D = datetime.date
S = ConventionStatus
SITE_URL = "https://pvd.example"
STATE = "Préfecture de la Haute-Marne"

ADHESION_SUBJECT = "Convention d'adhésion Petites Villes de Demain : approbation et autorisation de signature"
FRAMEWORK_SUBJECT = (
    "Convention-cadre Petites Villes de Demain valant opération de revitalisation de territoire : "
    "approbation et autorisation de signature"
)
AMENDMENT_SUBJECT = (
    "Avenant n° 1 à la convention-cadre PVD valant ORT : approbation et autorisation de signature"
)

# (key, organisation, body, number, adopted, published, transmitted, subject)
DELIBERATIONS = [
    ("adhesion", "epci", "community_council", "CC-2021-087", D(2021, 9, 23), D(2021, 9, 27), D(2021, 9, 28)),
    ("adhesion", "wassy", "municipal_council", "2021-052", D(2021, 9, 30), D(2021, 10, 4), D(2021, 10, 5)),
    (
        "adhesion",
        "la_porte_du_der",
        "municipal_council",
        "2021-061",
        D(2021, 10, 7),
        D(2021, 10, 11),
        D(2021, 10, 12),
    ),
    ("framework", "epci", "community_council", "CC-2023-021", D(2023, 2, 16), D(2023, 2, 20), D(2023, 2, 21)),
    ("framework", "wassy", "municipal_council", "2023-009", D(2023, 3, 2), D(2023, 3, 6), D(2023, 3, 7)),
    (
        "framework",
        "la_porte_du_der",
        "municipal_council",
        "2023-014",
        D(2023, 3, 9),
        D(2023, 3, 13),
        D(2023, 3, 14),
    ),
]
SUBJECTS = {"adhesion": ADHESION_SUBJECT, "framework": FRAMEWORK_SUBJECT}
CAPACITIES = {"epci": "Le Président de la communauté d'agglomération", "commune": "Le Maire"}

SECTORS = [
    (
        "Centre-ville de Wassy",
        "wassy",
        1,
        (
            "Centre ancien autour de la place Notre-Dame, rue du Temple, rue Mauljean et abords du canal ; "
            "îlots de la Grande Rue."
        ),
    ),
    (
        "Centre de La Porte du Der (Montier-en-Der)",
        "la_porte_du_der",
        2,
        (
            "Bourg-centre de Montier-en-Der : place de l'Hôtel de ville, rue de l'Isle, abords de l'abbatiale "
            "et du Haras national."
        ),
    ),
]


def _deliberations(
    programme: "Programme", orgs: dict[str, "Organisation"]
) -> dict[tuple[str, str], Deliberation]:
    found = {}
    for key, org, body, number, adopted, published, transmitted in DELIBERATIONS:
        deliberation, _ = upsert(
            Deliberation,
            {
                "programme": programme,
                "body": body,
                "adopted_on": adopted,
                "subject": SUBJECTS[key],
                "published_on": published,
                "transmitted_on": transmitted,
            },
            organisation=orgs[org],
            number=number,
        )
        found[(key, org)] = deliberation
    return found


def _recent_amendment_deliberation(programme: "Programme", orgs: dict[str, "Organisation"]) -> Deliberation:
    """Adopted two weeks ago and published, not yet transmitted to the préfet: not enforceable yet."""
    adopted = datetime.date.today() - datetime.timedelta(days=14)
    deliberation, _ = upsert(
        Deliberation,
        {
            "programme": programme,
            "body": DeliberatingBody.COMMUNITY_COUNCIL,
            "adopted_on": adopted,
            "subject": AMENDMENT_SUBJECT,
            "published_on": adopted + datetime.timedelta(days=3),
            "transmitted_on": None,
        },
        organisation=orgs["epci"],
        number=f"CC-{adopted.year}-112",
    )
    return deliberation


def _sectors(programme: "Programme", orgs: dict[str, "Organisation"]) -> None:
    for name, commune, order, description in SECTORS:
        upsert(
            OrtSector,
            {"commune": orgs[commune], "is_town_centre": True, "description": description, "order": order},
            programme=programme,
            name=name,
        )


def _sign_up(
    convention: Convention, by: "User", deliberations: dict[str, Deliberation], state: "Organisation | None"
) -> None:
    """Link each local authority's signatory to its deliberation, and add the State."""
    for signatory in convention.signatories.select_related("organisation").order_by("order", "pk"):
        organisation = signatory.organisation
        key = "epci" if organisation.kind == "epci" else organisation.insee_code
        save_versioned(
            signatory,
            expected_version=signatory.version,
            by=by,
            changes={
                "deliberation": deliberations.get(key),
                "signer_capacity": CAPACITIES.get(organisation.kind, signatory.signer_capacity),
            },
        )
    if state is not None and not convention.signatories.filter(organisation=state).exists():
        order = convention.signatories.count() + 1
        signatory = Signatory(
            convention=convention,
            organisation=state,
            signer_capacity="Le Préfet de la Haute-Marne",
            order=order,
        )
        save_audited(signatory, by)


def _issue_and_sign(
    convention: Convention, by: "User", *, review: datetime.date, signed: datetime.date
) -> Convention:
    """Review → version issued (PDF rendered now) → approved → signed → in force, on past dates."""
    convention = convention_change_status(convention=convention, by=by, target=S.REVIEW, on=review)
    version = version_issue(
        convention=convention, by=by, site_url=SITE_URL, note="Version soumise à signature."
    )
    render_document(version.document)
    convention = convention_change_status(convention=convention, by=by, target=S.APPROVED, on=signed)
    convention = convention_change_status(
        convention=convention, by=by, target=S.SIGNED, on=signed, comment="Signée par les parties."
    )
    return convention_change_status(convention=convention, by=by, target=S.IN_FORCE, on=signed)


def _by_key(
    deliberations: dict[tuple[str, str], Deliberation], key: str, orgs: dict[str, "Organisation"]
) -> dict[str, Deliberation]:
    return {
        "epci" if org == "epci" else orgs[org].insee_code: deliberation
        for (k, org), deliberation in deliberations.items()
        if k == key
    }


def load(
    programme: "Programme",
    orgs: dict[str, "Organisation"],
    users: dict[str, "User"],
    housing: dict[str, "HousingProgramme"],
) -> None:
    manager = users["cheffe-de-projet"]
    state = orgs.get(STATE)
    deliberations = _deliberations(programme, orgs)
    amendment_deliberation = _recent_amendment_deliberation(programme, orgs)
    _sectors(programme, orgs)

    if not Convention.objects.filter(programme=programme, kind=ConventionKind.ADHESION).exists():
        adhesion = convention_create(
            by=manager,
            kind=ConventionKind.ADHESION,
            title="Convention d'adhésion Petites Villes de Demain — Wassy et La Porte du Der",
            programme=programme,
            starts_on=programme.adhesion_signed_on,
        )
        _sign_up(adhesion, manager, _by_key(deliberations, "adhesion", orgs), state)
        adhesion = _issue_and_sign(
            adhesion, manager, review=D(2021, 9, 15), signed=programme.adhesion_signed_on or D(2021, 10, 29)
        )
        convention_change_status(
            convention=adhesion,
            by=manager,
            target=S.ENDED,
            on=programme.framework_signed_on or D(2023, 3, 30),
            comment="Remplacée par la convention-cadre valant ORT.",
        )

    framework = Convention.objects.filter(programme=programme, kind=ConventionKind.FRAMEWORK).first()
    if framework is None:
        framework = convention_create(
            by=manager,
            kind=ConventionKind.FRAMEWORK,
            title="Convention-cadre Petites Villes de Demain valant opération de revitalisation de territoire",
            programme=programme,
            purpose="Diagnostic, stratégie et plan d'action du programme ; secteurs d'intervention de l'ORT.",
            starts_on=programme.framework_signed_on,
            ends_on=programme.ends_on,
        )
        _sign_up(framework, manager, _by_key(deliberations, "framework", orgs), state)
        framework = _issue_and_sign(
            framework, manager, review=D(2023, 1, 16), signed=programme.framework_signed_on or D(2023, 3, 30)
        )

    if not framework.amendments.exists():
        amendment = amendment_create(
            parent=framework,
            by=manager,
            title="Avenant n° 1 à la convention-cadre PVD valant ORT",
            purpose="Mise à jour du plan d'action et prolongation jusqu'au terme du programme.",
        )
        article = (
            amendment.articles.filter(title__icontains="durée").order_by("order").first()
            or amendment.articles.order_by("-order").first()
        )
        if article is not None:
            save_versioned(
                article,
                expected_version=article.version,
                by=manager,
                changes={
                    "body": clean_html(
                        "<p>La présente convention-cadre est prolongée jusqu'au <strong>31 décembre 2027</strong>, "
                        "terme du programme Petites Villes de Demain prolongé par l'État.</p>"
                        "<p>Les autres stipulations demeurent inchangées.</p>"
                    )
                },
            )
        epci = amendment.signatories.filter(organisation=orgs["epci"]).first()
        if epci is not None:
            save_versioned(
                epci,
                expected_version=epci.version,
                by=manager,
                changes={"deliberation": amendment_deliberation},
            )

    opah_ru = housing.get("opah_ru")
    if (
        opah_ru is not None
        and not Convention.objects.filter(housing_programme=opah_ru, kind=ConventionKind.HOUSING).exists()
    ):
        _housing_convention(opah_ru, orgs, manager, state)


def _housing_convention(
    opah_ru: "HousingProgramme", orgs: dict[str, "Organisation"], by: "User", state: "Organisation | None"
) -> None:
    starts = opah_ru.starts_on or D(2021, 7, 1)
    deliberation, _ = upsert(
        Deliberation,
        {
            "programme": opah_ru.programme,
            "body": DeliberatingBody.MUNICIPAL_COUNCIL,
            "adopted_on": starts - datetime.timedelta(days=45),
            "subject": "Convention d'OPAH-RU du centre-ville : approbation et autorisation de signature",
            "published_on": starts - datetime.timedelta(days=41),
            "transmitted_on": starts - datetime.timedelta(days=40),
        },
        organisation=orgs["saint_dizier"],
        number=f"{starts.year}-0{starts.month}7",
    )
    convention = convention_create(
        by=by,
        kind=ConventionKind.HOUSING,
        title=f"Convention d'OPAH-RU du centre-ville de Saint-Dizier {starts.year}–{opah_ru.ends_on.year}",
        housing_programme=opah_ru,
        starts_on=starts,
        ends_on=opah_ru.ends_on,
    )
    _sign_up(convention, by, {orgs["saint_dizier"].insee_code: deliberation}, state)
    anah = orgs.get("anah")
    if anah is not None and not convention.signatories.filter(organisation=anah).exists():
        save_audited(
            Signatory(
                convention=convention,
                organisation=anah,
                signer_capacity="Le délégué de l'Anah dans le département",
                order=convention.signatories.count() + 1,
            ),
            by,
        )
    _issue_and_sign(convention, by, review=starts - datetime.timedelta(days=60), signed=starts)
