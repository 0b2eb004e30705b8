"""Writes of the partners app: the geography import, and the directory (organisations, contacts,
mandates, offers) — keyword-only, validated with full_clean, atomic, recorded in the history."""

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partners.models import TERRITORIAL_KINDS, Mandate, Offer, Organisation, OrganisationKind, Person, Theme
from pvd.accounts.models import User
from pvd.concurrency import save_versioned

GEOGRAPHY_DIR = settings.BASE_DIR / "partners" / "data" / "decoupage-administratif"
BATCH_SIZE = 1000

COMMUNE_FIELDS = [
    "name",
    "siren",
    "department_code",
    "postcodes",
    "population",
    "former_insee_codes",
    "epci_id",
]
EPCI_FIELDS = ["name", "epci_type", "population"]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: "ImportReport") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def read_geography(communes_path: Path, epci_path: Path, only_epci: Iterable[str] = ()) -> tuple[list, list]:
    """Read the @etalab/decoupage-administratif files, keeping current communes only.

    Delegated and associated communes reuse their chef-lieu's code: only `commune-actuelle` is a commune.
    With `only_epci`, keep those EPCIs and their member communes.
    """
    communes = [
        c for c in json.loads(Path(communes_path).read_text("utf-8")) if c.get("type") == "commune-actuelle"
    ]
    epcis = json.loads(Path(epci_path).read_text("utf-8"))
    wanted = set(only_epci)
    if wanted:
        epcis = [e for e in epcis if e["code"] in wanted]
        members = {m["code"] for e in epcis for m in e.get("membres", [])}
        communes = [c for c in communes if c["code"] in members]
    return communes, epcis


def write_geography_extract(communes: list, epcis: list, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in (("communes.json", communes), ("epci.json", epcis)):
        (directory / name).write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", "utf-8")


def _upsert(
    kind: str,
    key: str,
    rows: dict[str, dict[str, object]],
    fields: list[str],
    progress: Callable[[int], None],
) -> ImportReport:
    """Create or update organisations of one kind, matched on `key` (siren or insee_code), in bulk."""
    report = ImportReport()
    existing = {getattr(o, key): o for o in Organisation.objects.filter(**{f"{key}__in": list(rows)})}
    to_create, to_update = [], []
    for code, values in rows.items():
        current = existing.get(code)
        if current is None:
            to_create.append(Organisation(kind=kind, **{key: code}, **values))
            continue
        if current.kind != kind:
            raise ValueError(f"{code} est déjà enregistré comme « {current.get_kind_display()} ».")
        changed = [f for f in fields if getattr(current, f) != values[f]]
        if changed:
            for f in fields:
                setattr(current, f, values[f])
            to_update.append(current)
        else:
            report.unchanged += 1
    for start in range(0, len(to_create), BATCH_SIZE):
        batch = to_create[start : start + BATCH_SIZE]
        bulk_create_with_history(
            batch, Organisation, batch_size=BATCH_SIZE, default_change_reason="Import géographie"
        )
        report.created += len(batch)
        progress(len(batch))
    for start in range(0, len(to_update), BATCH_SIZE):
        batch = to_update[start : start + BATCH_SIZE]
        bulk_update_with_history(
            batch, Organisation, fields, batch_size=BATCH_SIZE, default_change_reason="Import géographie"
        )
        report.updated += len(batch)
        progress(len(batch))
    progress(report.unchanged)
    return report


@transaction.atomic
def geography_import(
    *, communes: list, epcis: list, progress: Callable[[int], None] = lambda n: None
) -> ImportReport:
    """Create or update EPCIs and current communes from the official administrative geography.

    Idempotent: a second run with the same files changes nothing. All or nothing (one transaction).
    `progress` is called with the number of rows handled after each batch.
    """
    report = ImportReport()
    epci_rows = {
        e["code"]: {
            "name": e["nom"],
            "epci_type": e.get("type", ""),
            "population": e.get("populationMunicipale"),
        }
        for e in epcis
    }
    report.add(_upsert(OrganisationKind.EPCI, "siren", epci_rows, EPCI_FIELDS, progress))

    epci_ids = dict(Organisation.objects.filter(kind=OrganisationKind.EPCI).values_list("siren", "pk"))
    member_of = {m["code"]: epci_ids.get(e["code"]) for e in epcis for m in e.get("membres", [])}
    commune_rows = {
        c["code"]: {
            "name": c["nom"],
            "siren": c.get("siren") or None,
            "department_code": c.get("departement", ""),
            "postcodes": c.get("codesPostaux", []),
            "population": c.get("population"),
            "former_insee_codes": c.get("anciensCodes", []),
            "epci_id": member_of.get(c["code"]),
        }
        for c in communes
    }
    report.add(_upsert(OrganisationKind.COMMUNE, "insee_code", commune_rows, COMMUNE_FIELDS, progress))
    return report


# --- The directory: organisations, contacts, mandates, offers ------------------------------------------


def _create[M: models.Model](obj: M, *, by: User) -> M:
    """Validate (French messages, constraints included), record the author, save."""
    obj.full_clean()
    obj._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
    obj.save()
    return obj


def _refuse_territorial(kind: str) -> None:
    if kind in TERRITORIAL_KINDS:
        raise ValidationError(
            {"kind": "Les communes et les intercommunalités viennent de la géographie officielle (import)."}
        )


@transaction.atomic
def organisation_create(
    *,
    by: User,
    kind: str,
    name: str,
    siren: str | None = None,
    website: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
) -> Organisation:
    """A partner organisation (State service, agency, company, association…); never a commune or EPCI."""
    _refuse_territorial(kind)
    return _create(
        Organisation(
            kind=kind, name=name, siren=siren, website=website, email=email, phone=phone, address=address
        ),
        by=by,
    )


def organisation_update(
    *,
    organisation: Organisation,
    expected_version: int,
    by: User,
    kind: str,
    name: str,
    siren: str | None,
    website: str,
    email: str,
    phone: str,
    address: str,
) -> Organisation:
    """Change a partner organisation; StaleObjectError if someone saved it since `expected_version`."""
    if organisation.is_territorial:
        raise ValidationError("Les communes et les intercommunalités se mettent à jour par l'import.")
    _refuse_territorial(kind)
    return save_versioned(
        organisation,
        expected_version=expected_version,
        by=by,
        changes={
            "kind": kind,
            "name": name,
            "siren": siren,
            "website": website,
            "email": email,
            "phone": phone,
            "address": address,
        },
    )


@transaction.atomic
def person_create(
    *,
    by: User,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    civility: str = "",
    function: str = "",
    email: str = "",
    phone: str = "",
    notes: str = "",
) -> Person:
    return _create(
        Person(
            organisation=organisation,
            civility=civility,
            first_name=first_name,
            last_name=last_name,
            function=function,
            email=email,
            phone=phone,
            notes=notes,
        ),
        by=by,
    )


def person_update(
    *,
    person: Person,
    expected_version: int,
    by: User,
    organisation: Organisation,
    civility: str,
    first_name: str,
    last_name: str,
    function: str,
    email: str,
    phone: str,
    notes: str,
) -> Person:
    """Change a contact; StaleObjectError if someone saved it since `expected_version`."""
    return save_versioned(
        person,
        expected_version=expected_version,
        by=by,
        changes={
            "organisation": organisation,
            "civility": civility,
            "first_name": first_name,
            "last_name": last_name,
            "function": function,
            "email": email,
            "phone": phone,
            "notes": notes,
        },
    )


@transaction.atomic
def mandate_create(
    *,
    by: User,
    person: Person,
    organisation: Organisation,
    role: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    title: str = "",
) -> Mandate:
    """A dated mandate or function (maire since 28/03/2026…); ValidationError if it ends before it starts."""
    return _create(
        Mandate(
            person=person,
            organisation=organisation,
            role=role,
            title=title,
            valid_from=valid_from,
            valid_until=valid_until,
        ),
        by=by,
    )


def mandate_update(
    *,
    mandate: Mandate,
    expected_version: int,
    by: User,
    organisation: Organisation,
    role: str,
    title: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
) -> Mandate:
    """Change a mandate (typically: set its end); StaleObjectError if someone saved it meanwhile."""
    return save_versioned(
        mandate,
        expected_version=expected_version,
        by=by,
        changes={
            "organisation": organisation,
            "role": role,
            "title": title,
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )


@dataclass(frozen=True)
class OfferData:
    """What a manager types for an offer (the form's cleaned data, minus the version)."""

    organisation: Organisation
    name: str
    kind: str
    themes: Iterable[Theme] = ()
    code: str | None = None
    description: str = ""
    conditions: str = ""
    max_rate: Decimal | None = None
    cap_amount: Decimal | None = None
    cap_period: str = ""
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    url: str = ""
    legal_reference: str = ""

    def fields(self) -> dict[str, object]:
        values = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "themes"}
        values["code"] = values["code"] or None  # unique column: NULL, not ""
        return values


def _set_themes(offer: Offer, themes: Iterable[Theme], by: User) -> None:
    wanted = {theme.pk for theme in themes}
    if wanted != set(offer.themes.values_list("pk", flat=True)):
        offer._history_user = by  # type: ignore[attr-defined]
        offer.themes.set(wanted)


@transaction.atomic
def offer_create(*, by: User, data: OfferData) -> Offer:
    offer = _create(Offer(**data.fields()), by=by)
    _set_themes(offer, data.themes, by)
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, expected_version: int, by: User, data: OfferData) -> Offer:
    """Change an offer and its themes; StaleObjectError if someone saved it since `expected_version`."""
    offer = save_versioned(offer, expected_version=expected_version, by=by, changes=data.fields())
    _set_themes(offer, data.themes, by)
    return offer
