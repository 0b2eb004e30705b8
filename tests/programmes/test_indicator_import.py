"""CSV import of measurements: French decimals and dates, `;` or `,`, BOM; all-or-nothing with every error listed;
an existing date is updated; computed indicators and other programmes' indicators are refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programmes.indicators.importer import measurement_import_start, parse_value, template_csv
from programmes.indicators.models import Measurement, MeasurementImport, MeasurementOrigin
from tests.programmes.indicator_factories import IndicatorFactory, MeasurementFactory

D = Decimal
HEADER = "indicateur;commune;date;valeur;source;commentaire\r\n"


@pytest.fixture
def vacancy(territory):
    return IndicatorFactory(
        programme=territory.programme, commune=territory.wassy, name="Taux de vacance commerciale"
    )


@pytest.fixture
def population(territory):
    return IndicatorFactory(programme=territory.programme, name="Population", unit="habitants")


def run(territory, manager, django_capture_on_commit_callbacks, content: bytes, name="mesures.csv"):
    with django_capture_on_commit_callbacks(execute=True):
        job = measurement_import_start(
            programme=territory.programme, file=SimpleUploadedFile(name, content), by=manager
        )
    job.refresh_from_db()
    return job


def test_the_model_file_has_a_bom_and_the_french_header():
    assert template_csv() == "\ufeffindicateur;commune;date;valeur;source;commentaire\r\n".encode()


def test_a_good_file_is_imported_with_french_decimals_and_dates(
    territory, manager, vacancy, population, django_capture_on_commit_callbacks
):
    content = (
        "\ufeff"
        + HEADER
        + "Taux de vacance commerciale;52550;01/06/2025;11,4;Relevé de terrain;rue Gambetta\r\n"
        + "Population;;2024-01-01;1 234,5;INSEE;\r\n"
        + ";;;;;\r\n"  # an empty line is skipped
    ).encode("utf-8")
    job = run(territory, manager, django_capture_on_commit_callbacks, content)
    assert (job.status, job.total_rows, job.imported_count, job.errors) == ("done", 2, 2, [])
    rows = Measurement.objects.order_by("indicator__name").values_list(
        "indicator__name", "measured_on", "value", "origin", "source", "comment", "recorded_by"
    )
    assert list(rows) == [
        ("Population", datetime.date(2024, 1, 1), D("1234.50"), "imported", "INSEE", "", manager.pk),
        (
            "Taux de vacance commerciale",
            datetime.date(2025, 6, 1),
            D("11.40"),
            "imported",
            "Relevé de terrain",
            "rue Gambetta",
            manager.pk,
        ),
    ]
    assert Measurement.history.filter(history_type="+").first().history_user == manager


def test_a_comma_separated_file_without_bom_is_read(
    territory, manager, vacancy, django_capture_on_commit_callbacks
):
    content = b'indicateur,commune,date,valeur\r\nTaux de vacance commerciale,52550,01/06/2025,"9,8"\r\n'
    job = run(territory, manager, django_capture_on_commit_callbacks, content)
    assert job.status == "done"
    assert Measurement.objects.get().value == D("9.80")


def test_every_error_is_listed_and_nothing_is_saved(
    territory, manager, vacancy, population, django_capture_on_commit_callbacks
):
    computed = IndicatorFactory(
        programme=territory.programme,
        name="Part des actions livrées",
        computation="operations_delivered_rate",
    )
    IndicatorFactory(programme=territory.other_programme, name="Indicateur d'ailleurs")
    content = (
        HEADER
        + "Taux de vacance commerciale;52550;01/06/2025;11,4;;\r\n"  # good, but not saved
        + "Taux de vacance commerciale;52550;31/02/2025;11,4;;\r\n"
        + "Population;;01/01/2024;beaucoup;;\r\n"
        + f"{computed.name};;01/01/2024;20;;\r\n"
        + "Indicateur d'ailleurs;;01/01/2024;1;;\r\n"
        + "Taux de vacance commerciale;52331;01/06/2025;11;;\r\n"
        + "Taux de vacance commerciale;99999;01/06/2025;11;;\r\n"
        + "Taux de vacance commerciale;52550;01/06/2025;12;;\r\n"
        + ";;;;;commentaire seul\r\n"
    ).encode()
    job = run(territory, manager, django_capture_on_commit_callbacks, content)
    assert job.status == "failed" and job.imported_count == 0
    assert job.errors == [
        "ligne 3 : date illisible « 31/02/2025 » (JJ/MM/AAAA attendu)",
        "ligne 4 : valeur illisible « beaucoup » (nombre attendu, par exemple 9,8)",
        (
            "ligne 5 : l'indicateur « Part des actions livrées » est calculé par le logiciel : ses mesures ne "
            "s'importent pas"
        ),
        "ligne 6 : indicateur « Indicateur d'ailleurs » inconnu dans ce programme",
        "ligne 7 : l'indicateur « Taux de vacance commerciale » n'est pas suivi pour la commune « 52331 »",
        "ligne 8 : commune « 99999 » hors du programme (code INSEE attendu)",
        "ligne 9 : même indicateur et même date qu'à la ligne 2",
        "ligne 10 : indicateur manquant",
        "ligne 10 : date manquante",
        "ligne 10 : valeur manquante",
    ]
    assert not Measurement.objects.exists()


def test_an_existing_date_is_updated_and_counted_as_such(
    territory, manager, vacancy, django_capture_on_commit_callbacks
):
    MeasurementFactory(indicator=vacancy, measured_on=datetime.date(2025, 6, 1), value=D("12"))
    content = (
        HEADER
        + "Taux de vacance commerciale;52550;01/06/2025;11,4;Relevé corrigé;\r\n"
        + "Taux de vacance commerciale;52550;01/06/2026;10,6;;\r\n"
    ).encode()
    job = run(territory, manager, django_capture_on_commit_callbacks, content)
    assert (job.status, job.total_rows, job.imported_count) == ("done", 2, 1)  # 1 new, 1 updated
    assert list(vacancy.measurements.order_by("measured_on").values_list("value", "origin", "source")) == [
        (D("11.40"), "imported", "Relevé corrigé"),
        (D("10.60"), "imported", ""),
    ]
    page = reverse("programmes:measurement_import_detail", kwargs={"pk": job.pk})
    from django.test import Client

    client = Client()
    client.force_login(manager)
    assert "2 mesures importées : 1 nouvelle, 1 mise à jour." in client.get(page).content.decode()


def test_a_computed_measurement_is_not_overwritten(
    territory, manager, vacancy, django_capture_on_commit_callbacks
):
    MeasurementFactory(
        indicator=vacancy,
        measured_on=datetime.date(2025, 6, 1),
        value=D("12"),
        origin=MeasurementOrigin.COMPUTED,
    )
    content = (HEADER + "Taux de vacance commerciale;52550;01/06/2025;11,4;;\r\n").encode()
    job = run(territory, manager, django_capture_on_commit_callbacks, content)
    assert job.errors == [
        (
            "ligne 2 : la mesure du 01/06/2025 de « Taux de vacance commerciale » est calculée par le logiciel, "
            "elle n'est pas remplacée"
        )
    ]
    assert vacancy.measurements.get().value == D("12.00")


def test_a_file_without_the_expected_columns_fails_with_one_message(
    territory, manager, django_capture_on_commit_callbacks
):
    job = run(territory, manager, django_capture_on_commit_callbacks, b"nom;montant\r\nx;1\r\n")
    assert job.status == MeasurementImport.Status.FAILED
    assert job.errors == [
        (
            "Colonnes absentes de la première ligne : indicateur, date, valeur. "
            "En-tête attendu : indicateur;commune;date;valeur;source;commentaire."
        )
    ]


def test_a_windows_1252_file_keeps_its_accents(territory, manager, django_capture_on_commit_callbacks):
    IndicatorFactory(programme=territory.programme, name="Arbres plantés", unit="arbres")
    content = (HEADER + "Arbres plantés;;15/03/2026;42;Services techniques;\r\n").encode("cp1252")
    job = run(territory, manager, django_capture_on_commit_callbacks, content)
    assert job.status == "done" and Measurement.objects.get().value == D("42.00")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("9,8", "9.80"),
        ("1 234,5", "1234.50"),
        ("1\u00a0234,56", "1234.56"),
        ("1234.5", "1234.50"),
        ("-2", "-2.00"),
        ("0,005", "0.01"),
    ],
)
def test_values_are_read_the_french_way(text, value):
    assert parse_value(text) == D(value)


def test_the_upload_page_refuses_a_file_over_2_megabytes(client_for, territory):
    big = SimpleUploadedFile("mesures.csv", b"x" * (2 * 1024 * 1024 + 1))
    response = client_for("manager").post(
        reverse("programmes:measurement_import", kwargs={"pk": territory.programme.pk}), {"file": big}
    )
    assert response.status_code == 200
    assert "Le fichier dépasse 2 Mo." in response.content.decode()
    assert not MeasurementImport.objects.exists()


def test_the_upload_page_queues_the_import_and_shows_its_result(
    client_for, territory, vacancy, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile(
        "mesures.csv", (HEADER + "Taux de vacance commerciale;52550;01/06/2025;11,4;;\r\n").encode()
    )
    client = client_for("manager")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programmes:measurement_import", kwargs={"pk": territory.programme.pk}), {"file": upload}
        )
    job = MeasurementImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "programmes:measurement_import_detail", kwargs={"pk": job.pk}
    )
    page = client.get(response["Location"]).content.decode()
    assert "1 mesure importée : 1 nouvelle, 0 mise à jour." in page and "http-equiv" not in page


def test_a_pending_import_page_refreshes_itself(client_for, territory, manager):
    job = MeasurementImport.objects.create(
        programme=territory.programme, created_by=manager, original_name="m.csv"
    )
    page = client_for("manager").get(reverse("programmes:measurement_import_detail", kwargs={"pk": job.pk}))
    assert '<meta http-equiv="refresh" content="2">' in page.content.decode()


def test_the_model_file_is_downloaded(client_for, territory):
    response = client_for("manager").get(
        reverse("programmes:measurement_template", kwargs={"pk": territory.programme.pk})
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeffindicateur;commune;date".encode())
