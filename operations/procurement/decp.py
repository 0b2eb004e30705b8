"""The essential data of public contracts (données essentielles de la commande publique, DECP), format 2.0 of the
arrêté du 22 décembre 2022: a JSON document `{"marches": {"marche": [...]}}` with one entry per notified
contract that must be published.

Every entry is checked against our own JSON Schema (`schemas/decp-marches.schema.json`, written from the list of
data of the arrêté) before it is exported: a contract whose data do not fit (no buyer SIRET, no CPV code, no
place of execution…) is set aside with the French reason, never exported silently nor silently dropped.

What the model does not hold is written down where it is decided: no innovation flag (marcheInnovant false),
no group of operators (« Pas de groupement »), no price-variation field (typesPrix from the duration, see
`_price_types`), no amendment notification date (the amendment's signature date is used).
"""

import datetime
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from operations.models import (
    Bid,
    Ccag,
    Consultation,
    Contract,
    ContractAmendment,
    Criterion,
    CriterionKind,
    Operation,
    PriceForm,
    Procedure,
    Subcontractor,
)
from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User

SCHEMA_PATH = Path(__file__).parent / "schemas" / "decp-marches.schema.json"

# Publication threshold of the essential data (CCP R2196-1, with the arrêté du 22 décembre 2022): contracts of
# 40 000 € HT or more. DOMAIN.md §4.1 and §10 tag it [U]: its value after the décrets 2025-1383 and 2025-1386
# (which raised the exemption thresholds) is not verified. No dated reference table exists for it yet: a named
# constant, to move into ProcurementThreshold once verified (docs/decisions/0010-procurement.md).
PUBLICATION_THRESHOLD_HT = Decimal("40000.00")

PROCEDURES = {
    Procedure.NO_PUBLICITY: "Marché passé sans publicité ni mise en concurrence préalable",
    Procedure.ADAPTED: "Procédure adaptée",
    Procedure.OPEN: "Appel d'offres ouvert",
    Procedure.RESTRICTED: "Appel d'offres restreint",
    Procedure.NEGOTIATED: "Procédure avec négociation",
    Procedure.COMPETITIVE_DIALOGUE: "Dialogue compétitif",
}

CCAG = {
    Ccag.WORKS: "Travaux",
    Ccag.DESIGN: "Maitrise d'œuvre",  # spelled so (without circumflex) in the arrêté's list
    Ccag.SUPPLIES_SERVICES: "Fournitures courantes et services",
    Ccag.INDUSTRIAL: "Marchés industriels",
    Ccag.INTELLECTUAL: "Prestations intellectuelles",
    Ccag.ICT: "Techniques de l'information et de la communication",
    Ccag.NONE: "Pas de CCAG",
}

PRICE_FORMS = {PriceForm.UNIT: "Unitaire", PriceForm.LUMP_SUM: "Forfaitaire", PriceForm.MIXED: "Mixte"}

# French names of the DECP fields, for the reasons given when a contract is set aside.
FIELD_LABELS = {
    "id": "identifiant du marché",
    "acheteur": "acheteur",
    "acheteur.id": "SIRET de l'acheteur",
    "objet": "objet",
    "codeCPV": "code CPV",
    "offresRecues": "nombre d'offres reçues",
    "tauxAvance": "taux de l'avance",
    "procedure": "procédure",
    "lieuExecution.code": "code du lieu d'exécution",
    "dureeMois": "durée (mois)",
    "dateNotification": "date de notification",
    "montant": "montant HT",
    "titulaires": "titulaires",
    "titulaire.id": "SIRET du titulaire",
    "modifications": "modifications",
    "modification.montant": "montant après modification",
    "modification.dureeMois": "durée après modification",
}


@functools.cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


@functools.cache
def _marche_validator() -> Draft202012Validator:
    document = schema()
    return Draft202012Validator({**document["$defs"]["marche"], "$defs": document["$defs"]})


@dataclass(frozen=True)
class Rejected:
    contract: Contract
    reasons: list[str]


@dataclass
class DecpExport:
    """The document to publish, the contracts in it and those set aside with their reasons."""

    day: datetime.date
    document: dict[str, Any]
    exported: list[Contract] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    below_threshold: int = 0
    threshold_ht: Decimal = PUBLICATION_THRESHOLD_HT

    def to_json(self) -> str:
        return to_json(self.document)


class DecpSchemaError(Exception):
    """The assembled document does not fit the schema although each entry did: a bug, never shown as data."""


# --- Selection --------------------------------------------------------------------------------------------


def _ordered_operations() -> Prefetch:
    communes = Prefetch(
        "communes", queryset=Organisation.objects.order_by("insee_code", "pk"), to_attr="decp_communes"
    )
    return Prefetch(
        "operations",
        queryset=Operation.objects.order_by("code", "pk").prefetch_related(communes),
        to_attr="decp_operations",
    )


def notified_contracts(user: User, programme: Programme) -> QuerySet[Contract]:
    """The programme's notified contracts the user sees, with everything the DECP needs in a fixed number of
    queries: bids counted, sub-contracting, amendments, criteria kinds, operations and their communes."""
    bids = (
        Bid.objects.filter(lot=OuterRef("lot")).order_by().values("lot").annotate(n=Count("pk")).values("n")
    )
    lot_communes = Prefetch(
        "lot__operation__communes",
        queryset=Organisation.objects.order_by("insee_code", "pk"),
        to_attr="decp_communes",
    )
    consultations = (
        Consultation.objects.select_related("buyer")
        .annotate(decp_lots=Count("lots", distinct=True))
        .prefetch_related(
            _ordered_operations(),
            Prefetch(
                "criteria", queryset=Criterion.objects.order_by("position", "pk"), to_attr="decp_criteria"
            ),
        )
    )
    return (
        policy.visible_to(Contract.objects.all(), user)
        .filter(lot__consultation__programme=programme, notified_on__isnull=False)
        .select_related("lot__operation")
        .annotate(
            offers_received=Coalesce(Subquery(bids), 0),
            has_subcontractors=Exists(
                Subcontractor.objects.filter(contract=OuterRef("pk"), refused_on__isnull=True)
            ),
        )
        .prefetch_related(
            Prefetch("amendments", queryset=ContractAmendment.objects.order_by("number", "pk")),
            lot_communes,
            # Not select_related: a cached consultation would skip this prefetch and its operations.
            Prefetch("lot__consultation", queryset=consultations),
        )
        .order_by("notified_on", "number", "pk")
    )


# --- One contract -----------------------------------------------------------------------------------------


def _date(day: datetime.date) -> str:
    return day.isoformat()


def _holders(contract: Contract) -> list[dict[str, Any]]:
    return [{"titulaire": {"typeIdentifiant": "SIRET", "id": contract.holder_siret}}]


def _place(contract: Contract) -> dict[str, str]:
    """The INSEE code of the commune where the contract is performed: the lot's operation, else the
    consultation's first operation (by code), else the buyer when it is a commune."""
    lot = contract.lot
    operations = ([lot.operation] if lot.operation else []) + list(
        getattr(lot.consultation, "decp_operations", [])
    )
    for operation in operations:
        communes = getattr(operation, "decp_communes", None)
        if communes is None:
            communes = list(operation.communes.order_by("insee_code", "pk"))
        for commune in communes:
            if commune.insee_code:
                return {"code": commune.insee_code, "typeCode": "Code commune"}
    buyer = lot.consultation.buyer
    if buyer.insee_code:
        return {"code": buyer.insee_code, "typeCode": "Code commune"}
    return {"code": "", "typeCode": "Code commune"}


def _considerations(consultation: Consultation) -> tuple[list[str], list[str]]:
    kinds = {criterion.kind for criterion in getattr(consultation, "decp_criteria", [])}
    social = ["Critère social"] if CriterionKind.SOCIAL in kinds else ["Pas de considération sociale"]
    environmental = (
        ["Critère environnemental"]
        if CriterionKind.ENVIRONMENT in kinds
        else ["Pas de considération environnementale"]
    )
    return social, environmental


def _price_types(contract: Contract) -> list[str]:
    """The model has no price-variation field: a contract of more than three months is taken as revisable
    (CCP R2112-13 and R2112-14 make revision the rule for long works and exposed supplies), a shorter one
    as firm. To replace by the contract's own data when the model holds it."""
    return ["Définitif révisable"] if contract.duration_months > 3 else ["Définitif ferme"]


def _modifications(contract: Contract, day: datetime.date) -> list[dict[str, Any]]:
    """One entry per amendment: the contract's amount and duration after it (cumulative), its holders."""
    amount = contract.amount_ht
    months = contract.duration_months
    entries = []
    for amendment in contract.amendments.all():
        amount += amendment.amount_ht
        months += amendment.duration_months
        entries.append(
            {
                "modification": {
                    "id": amendment.number,
                    "dureeMois": months,
                    "montant": amount,
                    "titulaires": _holders(contract),
                    "dateNotificationModification": _date(amendment.signed_on),
                    "datePublicationDonneesModification": _date(max(day, amendment.signed_on)),
                }
            }
        )
    return entries


def _object(contract: Contract) -> str:
    """The consultation's object, with the lot when the consultation has several."""
    consultation = contract.lot.consultation
    lots = getattr(consultation, "decp_lots", None)
    if lots is None:
        lots = consultation.lots.count()
    return consultation.title if lots <= 1 else f"{consultation.title} — {contract.lot}"


def marche(contract: Contract, day: datetime.date) -> dict[str, Any]:
    """The DECP entry of a notified contract, published on `day`. Amounts are Decimal (HT)."""
    lot = contract.lot
    consultation = lot.consultation
    framework = consultation.framework_agreement
    social, environmental = _considerations(consultation)
    offers = getattr(contract, "offers_received", None)
    if offers is None:
        offers = lot.bids.count()
    subcontracting = getattr(contract, "has_subcontractors", None)
    if subcontracting is None:
        subcontracting = contract.subcontractors.filter(refused_on__isnull=True).exists()
    return {
        "id": contract.number,
        "acheteur": {"id": consultation.buyer_siret},
        "nature": "Marché",
        "objet": _object(contract),
        "codeCPV": consultation.cpv_code,
        "techniques": {"technique": ["Accord-cadre"] if framework else ["Sans objet"]},
        "modalitesExecution": {"modaliteExecution": ["Bons de commande"] if framework else ["Sans objet"]},
        "marcheInnovant": False,
        "ccag": CCAG[Ccag(contract.ccag)],
        # A contract implies at least its holder's offer, even when the bids were not recorded here.
        "offresRecues": max(int(offers), 1),
        "attributionAvance": contract.advance_rate > 0,
        "tauxAvance": contract.advance_rate,
        "typeGroupementOperateurs": "Pas de groupement",
        "sousTraitanceDeclaree": bool(subcontracting),
        "procedure": PROCEDURES[Procedure(consultation.procedure)],
        "lieuExecution": _place(contract),
        "dureeMois": contract.duration_months,
        "dateNotification": _date(contract.notified_on) if contract.notified_on else "",
        "datePublicationDonnees": _date(max(day, contract.notified_on or day)),
        "montant": contract.amount_ht,
        "typesPrix": {"typePrix": _price_types(contract)},
        "formePrix": PRICE_FORMS[PriceForm(contract.price_form)],
        "titulaires": _holders(contract),
        "considerationsSociales": {"considerationSociale": social},
        "considerationsEnvironnementales": {"considerationEnvironnementale": environmental},
        "modifications": _modifications(contract, day),
    }


# --- Validation -------------------------------------------------------------------------------------------


def _field(error: ValidationError) -> str:
    """The French name of the field an error is about (the last one or two names of its path)."""
    names = [str(part) for part in error.absolute_path if not isinstance(part, int)]
    if error.validator == "required" and isinstance(error.instance, dict):
        names += [name for name in error.validator_value if name not in error.instance][:1]
    names = [name for name in names if name != "titulaires"]  # the list wrapping each `titulaire`
    for size in (2, 1):
        key = ".".join(names[-size:])
        if key in FIELD_LABELS:
            return FIELD_LABELS[key]
    return names[-1] if names else "marché"


def _reason(error: ValidationError) -> str:
    label = _field(error)
    value = error.instance
    match error.validator:
        case "required":
            return f"{label} : donnée obligatoire absente."
        case "pattern":
            if value == "":
                return f"{label} : donnée obligatoire absente."
            return f"{label} : « {value} » n'a pas le format attendu."
        case "minLength":
            return f"{label} : donnée obligatoire absente."
        case "maxLength":
            return f"{label} : « {value} » est trop long ({len(value)} caractères)."
        case "minimum":
            return f"{label} : la valeur {value} est inférieure au minimum {error.validator_value}."
        case "maximum":
            return f"{label} : la valeur {value} dépasse le maximum {error.validator_value}."
        case "enum" | "const":
            return f"{label} : « {value} » n'est pas une valeur de la liste de l'arrêté."
        case _:
            return f"{label} : donnée non conforme au format des données essentielles."


def reasons(entry: dict[str, Any]) -> list[str]:
    """Why an entry does not fit the DECP format, in French (empty when it fits)."""
    errors = sorted(_marche_validator().iter_errors(entry), key=lambda e: [str(p) for p in e.absolute_path])
    found: list[str] = []
    for error in errors:
        reason = _reason(error)
        if reason not in found:
            found.append(reason)
    return found


def validate_document(document: dict[str, Any]) -> None:
    """The whole document against the schema; raises DecpSchemaError (a bug: each entry was checked)."""
    errors = list(_validator().iter_errors(document))
    if errors:
        raise DecpSchemaError("; ".join(error.message for error in errors[:5]))


# --- Export -----------------------------------------------------------------------------------------------


def build(contracts: Iterable[Contract], day: datetime.date) -> DecpExport:
    """The DECP document of the contracts of `PUBLICATION_THRESHOLD_HT` or more, validated entry by entry."""
    export = DecpExport(day=day, document={"marches": {"marche": []}})
    for contract in contracts:
        if contract.notified_on is None:
            continue
        if contract.amount_ht < PUBLICATION_THRESHOLD_HT:
            export.below_threshold += 1
            continue
        entry = marche(contract, day)
        problems = reasons(entry)
        if problems:
            export.rejected.append(Rejected(contract, problems))
            continue
        export.document["marches"]["marche"].append(entry)
        export.exported.append(contract)
    validate_document(export.document)
    return export


def programme_export(user: User, programme: Programme, day: datetime.date | None = None) -> DecpExport:
    """The DECP of the programme's notified contracts the user sees, published on `day` (today)."""
    return build(notified_contracts(user, programme), day or policy.today())


def _plain(value: object) -> object:
    """Decimal → JSON number at the boundary only: an integer when whole, else its exact decimal digits
    (amounts have 2 decimals, rates 4: well within a double's 15 significant digits)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(_plain(document), ensure_ascii=False, indent=2)
