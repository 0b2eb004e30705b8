"""XLSX import of an existing action plan: all-or-nothing, row-level report, progress, template, upload."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from operations import importer
from operations.importer import operation_import_run
from operations.models import ImportStatus, Operation, OperationImport
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.operations.factories import OperationFactory

HEADERS = ["N°", "Intitulé", "Commune(s)", "Thème(s)", "Maître d'ouvrage", "Statut", "Coût HT", "Coût TTC",
           "Périmètre ORT", "Priorité"]  # fmt: skip


def xlsx(rows: list[list[object]], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = [
    ["W-01", "Requalification de la place Notre-Dame", "Wassy", "Aménagement des espaces publics", "Wassy",
     "Engagée", 850000, 1020000, "oui", "Prioritaire"],
    ["LPD-01", "Halle du marché", "52331", "commerce; Patrimoine", "La Porte du Der", "Idée / en maturation",
     "420 000,50 €", "504 000,60", "non", 2],
    ["PVD-01", "Signalétique patrimoniale", "Wassy; La Porte du Der", "Patrimoine", "CA du Grand Saint-Dizier",
     "", None, None, "", ""],
]  # fmt: skip


@pytest.fixture
def start(territory: Territory, manager, django_capture_on_commit_callbacks):
    """start(content) -> the job, run eagerly by the task queued on commit."""

    def run(content: bytes, name: str = "plan.xlsx") -> OperationImport:
        with django_capture_on_commit_callbacks(execute=True):
            job = importer.operation_import_start(
                programme=territory.programme, file=SimpleUploadedFile(name, content), by=manager
            )
        job.refresh_from_db()
        return job

    return run


@pytest.fixture(autouse=True)
def _epci_name(territory: Territory) -> None:
    territory.epci.name = "CA du Grand Saint-Dizier"
    territory.epci.save()


def test_a_good_file_imports_every_operation(start, territory: Territory, manager) -> None:
    job = start(xlsx(GOOD_ROWS))
    assert (job.status, job.progress, job.total_rows, job.imported_count) == (ImportStatus.DONE, 100, 3, 3)
    assert job.report == {"created": ["W-01", "LPD-01", "PVD-01"]}
    w01 = Operation.objects.get(code="W-01")
    assert (w01.status, w01.estimated_cost_ht, w01.estimated_cost_ttc, w01.in_ort, w01.priority) == (
        "committed", Decimal("850000.00"), Decimal("1020000.00"), True, 1
    )  # fmt: skip
    assert w01.owner == territory.wassy and list(w01.communes.all()) == [territory.wassy]
    lpd = Operation.objects.get(code="LPD-01")
    assert lpd.estimated_cost_ht == Decimal("420000.50") and lpd.in_ort is False
    assert sorted(lpd.themes.values_list("code", flat=True)) == ["commerce", "patrimoine"]
    pvd = Operation.objects.get(code="PVD-01")
    assert pvd.communes.count() == 2 and pvd.owner == territory.epci and pvd.status == "idea"
    assert w01.history.first().history_user == manager
    assert StatusChange.objects.filter(by=manager).count() == 3


def test_one_bad_row_imports_nothing_and_reports_row_column_message(start) -> None:
    rows = [
        *GOOD_ROWS,
        ["W-09", "Friche", "Joinville", "Habitat", "Wassy", "Commencée", "abc", 10, "peut-être", 7],
    ]
    job = start(xlsx(rows))
    assert job.status == ImportStatus.FAILED and job.progress == 100 and job.imported_count == 0
    assert Operation.objects.count() == 0
    errors = {(e["row"], e["column"]): e["message"] for e in job.report["errors"]}
    assert errors == {
        (5, "Commune(s)"): "Commune inconnue dans ce programme : « Joinville » (nom ou code INSEE attendu).",
        (5, "Statut"): errors[(5, "Statut")],
        (5, "Coût HT"): "Montant illisible : « abc » (un nombre en euros est attendu).",
        (5, "Périmètre ORT"): "Réponse attendue « oui » ou « non », pas « peut-être ».",
        (5, "Priorité"): errors[(5, "Priorité")],
    }
    assert errors[(5, "Statut")].startswith("Statut inconnu : « Commencée »")
    assert job.report["rows_with_errors"] == 1


def test_ttc_below_ht_and_unknown_owner_and_theme(start) -> None:
    job = start(xlsx([["W-01", "Place", "Wassy", "Jardinage", "Bailleur inconnu", "", 100, 90, "", ""]]))
    messages = {e["column"]: e["message"] for e in job.report["errors"]}
    assert messages["Coût TTC"] == "Le coût TTC (90.00 €) est inférieur au coût HT (100.00 €)."
    assert messages["Thème(s)"] == "Thème inconnu : « Jardinage »."
    assert messages["Maître d'ouvrage"].startswith("Maître d'ouvrage inconnu : « Bailleur inconnu »")


def test_duplicate_codes_in_the_file_and_in_the_programme(start, territory: Territory) -> None:
    OperationFactory(programme=territory.programme, code="W-02", owner=territory.wassy)
    rows = [GOOD_ROWS[0], [*GOOD_ROWS[0][:1], "Autre", *GOOD_ROWS[0][2:]], ["w-02", *GOOD_ROWS[0][1:]]]
    job = start(xlsx(rows))
    assert job.report["errors"] == [
        {"row": 3, "column": "Numéro", "message": "Le numéro « W-01 » figure déjà à la ligne 2 du fichier."},
        {"row": 4, "column": "Numéro", "message": "Le numéro « w-02 » existe déjà dans le programme."},
    ]
    assert Operation.objects.count() == 1


def test_missing_required_columns_are_reported_on_the_header_row(start) -> None:
    job = start(xlsx([["W-01", "Place"]], headers=["Numéro", "Intitulé"]))
    assert [(e["row"], e["column"]) for e in job.report["errors"]] == [
        (1, "Commune(s)"),
        (1, "Maître d'ouvrage"),
    ]


def test_a_file_that_is_not_a_workbook_fails_cleanly(start) -> None:
    job = start(b"PK\x03\x04 pas vraiment un zip")
    assert job.status == ImportStatus.FAILED
    assert job.report["errors"][0]["message"] == "Le fichier n'est pas un classeur Excel (.xlsx) lisible."


def test_progress_is_saved_every_n_rows_and_reaches_100(territory, manager, monkeypatch) -> None:
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 1)
    rows = [[f"W-{n:02d}", f"Opération {n}", "Wassy", "", "Wassy", "", "", "", "", ""] for n in range(1, 5)]
    job = OperationImport.objects.create(
        programme=territory.programme,
        created_by=manager,
        original_name="plan.xlsx",
        file=SimpleUploadedFile("plan.xlsx", xlsx(rows)),
    )
    seen: list[int] = []
    operation_import_run(job=job, on_progress=seen.append)
    assert seen == [22, 45, 67, 90]
    job.refresh_from_db()
    assert (job.progress, job.status, job.imported_count) == (100, ImportStatus.DONE, 4)


def test_upload_page_queues_the_import_and_redirects_to_its_status(
    client_for, territory, django_capture_on_commit_callbacks
) -> None:
    client = client_for("manager")
    upload = SimpleUploadedFile("plan.xlsx", xlsx(GOOD_ROWS[:1]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("operations:import", args=[territory.programme.pk]), {"file": upload})
    job = OperationImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "operations:import_status", args=[job.pk]
    )
    html = client.get(response["Location"]).content.decode()
    assert "1 opération importée : W-01." in html and 'hx-trigger="every 2s"' not in html


def test_upload_refuses_a_file_that_is_not_xlsx(client_for, territory) -> None:
    response = client_for("manager").post(
        reverse("operations:import", args=[territory.programme.pk]),
        {"file": SimpleUploadedFile("plan.csv", b"code;intitule\n")},
    )
    assert response.status_code == 200
    assert "Déposez un classeur Excel au format .xlsx." in response.content.decode()
    assert not OperationImport.objects.exists()


def test_a_running_job_polls_every_two_seconds(client_for, territory, manager) -> None:
    job = OperationImport.objects.create(programme=territory.programme, created_by=manager, file="x.xlsx")
    client = client_for("manager")
    html = client.get(reverse("operations:import_status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html and '<meta http-equiv="refresh" content="2">' in html
    partial = client.get(reverse("operations:import_status", args=[job.pk]), headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="import-job"')


def test_the_status_page_lists_the_errors(client_for, start) -> None:
    job = start(xlsx([["W-01", "", "Wassy", "", "Wassy", "", "", "", "", ""]]))
    html = client_for("manager").get(reverse("operations:import_status", args=[job.pk])).content.decode()
    assert "Aucune opération n'a été importée" in html
    assert "<td>Intitulé</td><td>L&#x27;intitulé est obligatoire.</td>" in html


def test_the_template_has_the_expected_headers_and_is_read_back(client_for, territory, start) -> None:
    response = client_for("manager").get(reverse("operations:import_template", args=[territory.programme.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="modele-plan-d-action.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [c.label for c in importer.COLUMNS]
    # The template's example row, once its owner is a known organisation, imports as is.
    job = start(response.content)
    assert job.status == ImportStatus.DONE, job.report
    assert job.report == {"created": ["X-01"]}
