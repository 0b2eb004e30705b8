"""Convention rows of the access matrix and the convention page tests, made on demand for one territory.

In the PVD programme of Wassy and La Porte du Der: `draft` is a convention-cadre in draft (managers and referents
only); `signed` is the convention d'adhésion, signed and in force, with its signed version `version`, signed by
the EPCI and Wassy (the mayor of Wassy reads it; the mayor of La Porte du Der, who does not sign it, gets 404);
`amendment` is its avenant n° 1 in draft. `housing` is the Saint-Dizier OPAH-RU convention, in review (its
operator reads it). `deliberation` is Wassy's, `ort_sector` the centre of Wassy.
"""

import datetime
from dataclasses import dataclass

from operations.conventions.models import ConventionKind, ConventionStatus
from operations.models import Convention, ConventionArticle, ConventionVersion, Signatory
from programmes.models import Deliberation, OrtSector
from tests.conftest import Territory
from tests.operations.convention_factories import (
    ConventionArticleFactory,
    ConventionFactory,
    ConventionVersionFactory,
    DeliberationFactory,
    OrtSectorFactory,
    SignatoryFactory,
)

D = datetime.date


@dataclass
class ConventionRows:
    draft: Convention
    article: ConventionArticle
    signed: Convention
    version: ConventionVersion
    signatory: Signatory
    amendment: Convention
    housing: Convention
    deliberation: Deliberation
    ort_sector: OrtSector


def convention_rows(t: Territory) -> ConventionRows:
    rows = getattr(t, "_convention_rows", None)
    if rows is not None:
        return rows
    draft = ConventionFactory(programme=t.programme, title="Convention-cadre PVD valant ORT")
    article = ConventionArticleFactory(
        convention=draft, number="Article 1", title="Objet de la convention-cadre"
    )
    deliberation = DeliberationFactory(organisation=t.wassy, programme=t.programme, number="2021-044")
    epci_deliberation = DeliberationFactory(organisation=t.epci, programme=t.programme, number="CC-2021-12")
    signed = ConventionFactory(
        programme=t.programme,
        kind=ConventionKind.ADHESION,
        title="Convention d'adhésion PVD",
        status=ConventionStatus.IN_FORCE,
        signed_on=D(2021, 6, 1),
        starts_on=D(2021, 6, 1),
    )
    ConventionArticleFactory(convention=signed, number="Article 1", title="Objet de la convention")
    SignatoryFactory(convention=signed, organisation=t.epci, deliberation=epci_deliberation, order=1)
    signatory = SignatoryFactory(convention=signed, organisation=t.wassy, deliberation=deliberation, order=2)
    version = ConventionVersionFactory(convention=signed, number=1, signed=True)
    amendment = ConventionFactory(
        programme=t.programme,
        kind=ConventionKind.AMENDMENT,
        parent=signed,
        amendment_number=1,
        title="Avenant n° 1 à la convention d'adhésion",
    )
    housing = ConventionFactory(
        programme=None,
        housing_programme=t.opah_ru,
        kind=ConventionKind.HOUSING,
        title="Convention d'OPAH-RU de Saint-Dizier",
        status=ConventionStatus.REVIEW,
    )
    ort_sector = OrtSectorFactory(programme=t.programme, commune=t.wassy, name="Centre-ville de Wassy")
    rows = ConventionRows(
        draft, article, signed, version, signatory, amendment, housing, deliberation, ort_sector
    )
    t._convention_rows = rows  # type: ignore[attr-defined]
    return rows
