"""The official administrative geography import: right figures, idempotent, all or nothing."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from partners.models import Organisation, OrganisationKind
from partners.services import GEOGRAPHY_DIR, geography_import, read_geography


@pytest.fixture
def demo_geography() -> tuple[list, list]:
    return read_geography(GEOGRAPHY_DIR / "communes.json", GEOGRAPHY_DIR / "epci.json")


def test_the_shipped_extract_is_the_agglomeration_and_its_60_communes(db) -> None:
    out = StringIO()
    call_command("import_geography", "--no-progress", stdout=out)
    assert "61 créées, 0 mises à jour, 0 inchangées" in out.getvalue()
    epci = Organisation.objects.get(siren="200068666")
    assert epci.kind == OrganisationKind.EPCI
    assert epci.name == "CA du Grand Saint-Dizier Der et Vallées"
    assert epci.member_communes.count() == 60
    wassy = Organisation.objects.get(insee_code="52550")
    assert (wassy.name, wassy.siren, wassy.population, wassy.postcodes) == (
        "Wassy",
        "215203944",
        2771,
        ["52130"],
    )
    lpdd = Organisation.objects.get(insee_code="52331")
    assert (lpdd.name, lpdd.population, lpdd.former_insee_codes) == ("La Porte du Der", 2099, ["52427"])
    assert Organisation.objects.get(insee_code="52448").population == 22858


def test_a_second_import_changes_nothing_and_writes_no_history(db, demo_geography) -> None:
    communes, epcis = demo_geography
    geography_import(communes=communes, epcis=epcis)
    history_rows = Organisation.history.count()
    report = geography_import(communes=communes, epcis=epcis)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 61)
    assert Organisation.history.count() == history_rows


def test_a_new_population_updates_the_commune_and_is_recorded(db, demo_geography) -> None:
    communes, epcis = demo_geography
    geography_import(communes=communes, epcis=epcis)
    wassy = next(c for c in communes if c["code"] == "52550")
    wassy["population"] = 2750
    report = geography_import(communes=communes, epcis=epcis)
    assert (report.created, report.updated) == (0, 1)
    record = Organisation.objects.get(insee_code="52550").history.latest()
    assert (record.population, record.history_change_reason) == (2750, "Import géographie")


def test_delegated_communes_sharing_a_code_are_not_imported(tmp_path: Path, db) -> None:
    communes = [
        {
            "code": "52331",
            "nom": "La Porte du Der",
            "type": "commune-actuelle",
            "departement": "52",
            "population": 2099,
        },
        {"code": "52331", "nom": "Montier-en-Der", "type": "commune-deleguee", "departement": "52"},
    ]
    (tmp_path / "communes.json").write_text(json.dumps(communes))
    (tmp_path / "epci.json").write_text("[]")
    call_command(
        "import_geography",
        "--communes",
        tmp_path / "communes.json",
        "--epci",
        tmp_path / "epci.json",
        "--no-progress",
        stdout=StringIO(),
    )
    assert list(Organisation.objects.communes().values_list("name", flat=True)) == ["La Porte du Der"]


def test_only_epci_keeps_that_epci_and_its_members(tmp_path: Path, db, demo_geography) -> None:
    communes, epcis = demo_geography
    other = {"code": "200000001", "nom": "CC Ailleurs", "type": "CC", "membres": [{"code": "99001"}]}
    communes = [
        *communes,
        {"code": "99001", "nom": "Ailleurs", "type": "commune-actuelle", "departement": "99"},
    ]
    (tmp_path / "communes.json").write_text(json.dumps(communes))
    (tmp_path / "epci.json").write_text(json.dumps([*epcis, other]))
    kept_communes, kept_epcis = read_geography(
        tmp_path / "communes.json", tmp_path / "epci.json", ["200068666"]
    )
    assert len(kept_communes) == 60 and [e["code"] for e in kept_epcis] == ["200068666"]


def test_a_failing_import_leaves_nothing_half_saved(db, demo_geography) -> None:
    communes, epcis = demo_geography
    broken = [
        *communes,
        {"code": "52999", "nom": "Sans département", "type": "commune-actuelle", "population": -5},
    ]
    with pytest.raises(Exception):  # noqa: B017 - the database refuses a negative population, whatever its driver says
        geography_import(communes=broken, epcis=epcis)
    assert not Organisation.objects.filter(kind__in=["commune", "epci"]).exists()
