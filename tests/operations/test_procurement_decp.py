"""The essential data of public contracts (DECP, arrêté du 22 décembre 2022): every exported entry validates
against our schema, amendments appear as modifications with the new total, a contract missing a mandatory
datum is reported with its French reason and not exported, the 40 000 € HT publication threshold (included),
the download and the control page, the query budget."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from jsonschema import Draft202012Validator

from operations.models import Ccag, Consultation, Contract, CriterionKind, PriceForm, Procedure
from operations.procurement import decp
from tests.conftest import Territory
from tests.operations.factories import OperationFactory
from tests.operations.procurement_factories import (
    BidFactory,
    ConsultationFactory,
    ContractAmendmentFactory,
    ContractFactory,
    CriterionFactory,
    LotFactory,
)

D = datetime.date
DAY = D(2026, 11, 28)
WASSY_SIRET = "21520394400011"
pytestmark = pytest.mark.django_db


def awarded_contract(
    t: Territory,
    *,
    amount: str = "120000.00",
    bids: int = 3,
    buyer_siret: str = WASSY_SIRET,
    **contract: object,
) -> Contract:
    """A notified contract of Wassy's works consultation for an operation of Wassy, after `bids` bids."""
    operation = OperationFactory(programme=t.programme, owner=t.wassy, communes=[t.wassy])
    consultation = ConsultationFactory(
        programme=t.programme,
        buyer=t.wassy,
        buyer_siret=buyer_siret,
        title="Requalification de la place Notre-Dame",
        operations=[operation],
    )
    lot = LotFactory(consultation=consultation, number=1, title="Voirie et réseaux divers")
    for _ in range(bids):
        BidFactory(lot=lot)
    return ContractFactory(
        lot=lot, amount_ht=Decimal(amount), amount_ttc=Decimal(amount) * Decimal("1.2"), **contract
    )


def exported(t: Territory, user) -> decp.DecpExport:
    return decp.programme_export(user, t.programme, DAY)


def published(export: decp.DecpExport) -> dict:
    """The JSON as published, read back with exact decimals, checked against the schema independently."""
    document = json.loads(export.to_json(), parse_float=Decimal)
    Draft202012Validator(decp.schema()).validate(document)
    return document


def test_a_notified_contract_is_published_with_every_datum_of_the_format(
    territory: Territory, manager
) -> None:
    contract = awarded_contract(territory, advance_rate=Decimal("0.05"))
    CriterionFactory(consultation=contract.lot.consultation, kind=CriterionKind.ENVIRONMENT, weight="0.1")

    document = published(exported(territory, manager))

    [entry] = document["marches"]["marche"]
    assert entry["id"] == contract.number
    assert entry["acheteur"] == {"id": WASSY_SIRET}
    assert entry["nature"] == "Marché"
    assert entry["objet"] == "Requalification de la place Notre-Dame"
    assert entry["codeCPV"] == "45233140"
    assert entry["procedure"] == "Procédure adaptée"
    assert entry["techniques"] == {"technique": ["Sans objet"]}
    assert entry["modalitesExecution"] == {"modaliteExecution": ["Sans objet"]}
    assert entry["ccag"] == "Travaux"
    assert entry["offresRecues"] == 3
    assert (entry["attributionAvance"], entry["tauxAvance"]) == (True, Decimal("0.05"))
    assert entry["lieuExecution"] == {"code": "52550", "typeCode": "Code commune"}
    assert (entry["dureeMois"], entry["dateNotification"]) == (10, "2026-05-06")
    assert entry["datePublicationDonnees"] == "2026-11-28"
    assert entry["montant"] == Decimal(120000)
    assert entry["formePrix"] == "Forfaitaire"
    assert entry["titulaires"] == [{"titulaire": {"typeIdentifiant": "SIRET", "id": contract.holder_siret}}]
    assert entry["typeGroupementOperateurs"] == "Pas de groupement"
    assert entry["sousTraitanceDeclaree"] is False
    assert entry["considerationsSociales"] == {"considerationSociale": ["Pas de considération sociale"]}
    assert entry["considerationsEnvironnementales"] == {
        "considerationEnvironnementale": ["Critère environnemental"]
    }
    assert entry["modifications"] == []


def test_an_amended_contract_lists_each_modification_with_the_new_total_and_duration(
    territory: Territory, manager
) -> None:
    contract = awarded_contract(territory, amount="200000.00")
    ContractAmendmentFactory(contract=contract, number=1, amount_ht=Decimal("14000.00"), duration_months=2)
    ContractAmendmentFactory(
        contract=contract, number=2, amount_ht=Decimal("10000.50"), signed_on=D(2026, 10, 12)
    )

    [entry] = published(exported(territory, manager))["marches"]["marche"]

    first, second = (item["modification"] for item in entry["modifications"])
    assert (first["id"], first["montant"], first["dureeMois"]) == (1, Decimal(214000), 12)
    assert (second["id"], second["montant"], second["dureeMois"]) == (2, Decimal("224000.5"), 12)
    assert second["dateNotificationModification"] == "2026-10-12"
    assert second["datePublicationDonneesModification"] == "2026-11-28"
    assert entry["montant"] == Decimal(200000)  # the initial amount stays the contract's


def test_a_contract_without_the_buyer_siret_is_reported_with_its_reason_and_not_exported(
    territory: Territory, manager
) -> None:
    missing = awarded_contract(territory, buyer_siret="")
    valid = awarded_contract(territory)

    export = exported(territory, manager)

    assert export.exported == [valid]
    [rejected] = export.rejected
    assert rejected.contract == missing
    assert rejected.reasons == ["SIRET de l'acheteur : donnée obligatoire absente."]
    assert [m["id"] for m in published(export)["marches"]["marche"]] == [valid.number]


def test_a_contract_without_cpv_code_nor_place_is_reported_with_each_reason(
    territory: Territory, manager
) -> None:
    consultation = ConsultationFactory(
        programme=territory.programme, buyer=territory.epci, buyer_siret=WASSY_SIRET, cpv_code=""
    )
    ContractFactory(lot=LotFactory(consultation=consultation))

    [rejected] = exported(territory, manager).rejected

    assert rejected.reasons == [
        "code CPV : donnée obligatoire absente.",
        "code du lieu d'exécution : donnée obligatoire absente.",
    ]


def test_the_publication_threshold_includes_40_000_euros_and_excludes_below(
    territory: Territory, manager
) -> None:
    at = awarded_contract(territory, amount="40000.00")
    awarded_contract(territory, amount="39999.99")

    export = exported(territory, manager)

    assert export.exported == [at]
    assert export.below_threshold == 1


def test_a_contract_signed_but_not_yet_notified_is_not_published(territory: Territory, manager) -> None:
    awarded_contract(territory, notified_on=None)

    export = exported(territory, manager)

    assert (export.exported, export.rejected) == ([], [])


def test_a_framework_agreement_for_design_with_unit_prices_uses_the_labels_of_the_arrete(
    territory: Territory, manager
) -> None:
    contract = awarded_contract(territory, ccag=Ccag.DESIGN, price_form=PriceForm.UNIT, duration_months=2)
    Consultation.objects.filter(pk=contract.lot.consultation_id).update(
        framework_agreement=True, procedure=Procedure.NO_PUBLICITY
    )

    [entry] = published(exported(territory, manager))["marches"]["marche"]

    assert entry["techniques"] == {"technique": ["Accord-cadre"]}
    assert entry["modalitesExecution"] == {"modaliteExecution": ["Bons de commande"]}
    assert entry["ccag"] == "Maitrise d'œuvre"
    assert entry["formePrix"] == "Unitaire"
    assert entry["procedure"] == "Marché passé sans publicité ni mise en concurrence préalable"
    assert entry["typesPrix"] == {"typePrix": ["Définitif ferme"]}


def test_the_schema_refuses_what_the_format_forbids() -> None:
    validator = Draft202012Validator(decp.schema())
    good = {
        "id": "M2026-001",
        "acheteur": {"id": WASSY_SIRET},
        "nature": "Marché",
        "objet": "Travaux",
        "codeCPV": "45233140-2",
        "techniques": {"technique": ["Sans objet"]},
        "modalitesExecution": {"modaliteExecution": ["Sans objet"]},
        "marcheInnovant": False,
        "ccag": "Travaux",
        "offresRecues": 1,
        "attributionAvance": False,
        "tauxAvance": 0,
        "typeGroupementOperateurs": "Pas de groupement",
        "sousTraitanceDeclaree": False,
        "procedure": "Procédure adaptée",
        "lieuExecution": {"code": "52550", "typeCode": "Code commune"},
        "dureeMois": 10,
        "dateNotification": "2026-05-06",
        "datePublicationDonnees": "2026-05-07",
        "montant": 40000,
        "typesPrix": {"typePrix": ["Définitif ferme"]},
        "formePrix": "Forfaitaire",
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "12345678900011"}}],
        "considerationsSociales": {"considerationSociale": ["Pas de considération sociale"]},
        "considerationsEnvironnementales": {
            "considerationEnvironnementale": ["Pas de considération environnementale"]
        },
        "modifications": [],
    }
    assert validator.is_valid({"marches": {"marche": [good]}})
    for change in [
        {"id": "M" * 17},
        {"acheteur": {"id": "2152039440001"}},
        {"codeCPV": "4523314"},
        {"dateNotification": "06/05/2026"},
        {"montant": 0.5},
        {"procedure": "MAPA"},
        {"titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "123"}}]},
    ]:
        assert not validator.is_valid({"marches": {"marche": [{**good, **change}]}}), change


def test_the_manager_downloads_the_json_file_valid_against_the_schema(
    territory: Territory, client_for
) -> None:
    contract = awarded_contract(territory)

    response = client_for("manager").get(reverse("operations:decp_json", args=[territory.programme.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="decp-')
    document = json.loads(response.content, parse_float=Decimal)
    Draft202012Validator(decp.schema()).validate(document)
    assert [m["id"] for m in document["marches"]["marche"]] == [contract.number]


def test_the_control_page_lists_the_contracts_set_aside_with_their_reason(
    territory: Territory, client_for
) -> None:
    rejected = awarded_contract(territory, buyer_siret="")
    exported_one = awarded_contract(territory, amount="1234567.89")

    response = client_for("manager").get(reverse("operations:decp", args=[territory.programme.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Données essentielles des marchés (DECP)" in content
    assert rejected.number in content and "SIRET de l&#x27;acheteur : donnée obligatoire absente." in content
    assert exported_one.number in content and "1\xa0234\xa0567,89\xa0€" in content
    assert "06/05/2026" in content


def test_the_referent_may_not_publish_the_data(territory: Territory, client_for) -> None:
    awarded_contract(territory)

    response = client_for("referent").get(reverse("operations:decp_json", args=[territory.programme.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize("url", ["operations:decp", "operations:decp_json"])
def test_the_pages_cost_the_same_queries_for_one_or_ten_contracts(
    territory: Territory, client_for, url: str
) -> None:
    client = client_for("manager")
    contract = awarded_contract(territory)
    ContractAmendmentFactory(contract=contract)
    path = reverse(url, args=[territory.programme.pk])
    client.get(path)
    with CaptureQueriesContext(connection) as once:
        assert client.get(path).status_code == 200
    for _ in range(9):
        more = awarded_contract(territory)
        ContractAmendmentFactory(contract=more)
    awarded_contract(territory, buyer_siret="")
    with CaptureQueriesContext(connection) as ten:
        response = client.get(path)
    assert response.status_code == 200
    assert len(ten) == len(once)


def test_the_procurement_list_offers_the_decp_block_to_the_manager_only(
    territory: Territory, client_for
) -> None:
    path = reverse("operations:procurement", args=[territory.programme.pk])
    decp_path = reverse("operations:decp", args=[territory.programme.pk])

    manager_page = client_for("manager").get(path).content.decode()
    referent_page = client_for("referent").get(path).content.decode()

    assert "Données essentielles (DECP)" in manager_page and decp_path in manager_page
    assert "Données essentielles (DECP)" not in referent_page
