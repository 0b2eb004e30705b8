"""Writes of the partners app."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partners.models import Organisation, OrganisationKind

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
