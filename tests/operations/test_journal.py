"""The journal of an operation (points d'avancement): dated entries with weather and an attachment checked
on its content; and the operations on the mayor's commune page."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.models import Operation, OperationStatus, ProgressReport
from operations.selectors.tracking import commune_operations, tracking_for_page
from operations.services import tracking as services
from pvd.accounts import policy
from tests.conftest import Territory
from tests.operations.factories import OperationFactory, PhaseFactory
from tests.programmes.factories import PDF_BYTES

TODAY = datetime.date(2026, 11, 28)


@pytest.fixture
def operation(territory: Territory) -> Operation:
    return OperationFactory(
        programme=territory.programme,
        code="W-03",
        title="Halle de Wassy",
        owner=territory.wassy,
        communes=[territory.wassy],
        status=OperationStatus.WORKS,
    )


def test_a_report_is_posted_and_the_latest_shows_first(operation, manager) -> None:
    services.report_create(
        operation=operation, by=manager, on=datetime.date(2026, 10, 1), weather="on_track", text="Lancement."
    )
    latest = services.report_create(
        operation=operation,
        by=manager,
        on=datetime.date(2026, 11, 20),
        weather="at_risk",
        text="  Retard de livraison des charpentes.  ",
        attachment=SimpleUploadedFile("compte-rendu.pdf", PDF_BYTES),
    )
    tracking = tracking_for_page(manager, operation, day=TODAY)
    assert tracking.latest_report == latest
    assert [r.reported_on for r in tracking.reports] == [
        datetime.date(2026, 11, 20),
        datetime.date(2026, 10, 1),
    ]
    assert latest.text == "Retard de livraison des charpentes."
    assert latest.attachment.name.startswith("operations/journal/")


def test_a_renamed_file_is_refused_as_attachment(operation, manager) -> None:
    with pytest.raises(ValidationError) as caught:
        services.report_create(
            operation=operation,
            by=manager,
            on=TODAY,
            weather="on_track",
            text="Point.",
            attachment=SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00 un executable renomme"),
        )
    assert caught.value.message_dict["attachment"] == [
        (
            "Le contenu du fichier « rapport.pdf » n'est pas celui d'un fichier PDF : il a peut-être été renommé. "
            "Enregistrez-le au bon format ou choisissez un autre fichier."
        )
    ]
    assert not ProgressReport.objects.exists()


def test_a_report_cannot_be_dated_in_the_future(operation, manager) -> None:
    with pytest.raises(ValidationError) as caught:
        services.report_create(
            operation=operation,
            by=manager,
            on=policy.today() + datetime.timedelta(days=1),
            weather="on_track",
            text="Point.",
        )
    assert caught.value.message_dict == {
        "reported_on": ["Un point d'avancement ne peut pas être daté dans le futur."]
    }


def test_the_manager_posts_a_report_with_an_attachment_from_the_page(client_for, manager, operation) -> None:
    client = client_for("manager")
    url = reverse("operations:report_create", args=[operation.pk])
    refused = client.post(
        url,
        {
            "reported_on": "2026-11-27",
            "weather": "late",
            "text": "Chantier arrêté",
            "attachment": SimpleUploadedFile("photo.png", b"pas une image"),
        },
    )
    assert refused.status_code == 200
    assert "n'est pas celui d'un fichier PNG" in html.unescape(refused.content.decode())
    response = client.post(
        url,
        {
            "reported_on": "2026-11-27",
            "weather": "late",
            "text": "Chantier arrêté",
            "attachment": SimpleUploadedFile("cr.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.weather, report.author) == ("late", manager)


def test_the_mayor_downloads_an_attachment_but_cannot_post(
    client_for, mayor_of_wassy, manager, operation
) -> None:
    report = services.report_create(
        operation=operation,
        by=manager,
        on=TODAY,
        weather="on_track",
        text="Point.",
        attachment=SimpleUploadedFile("cr.pdf", PDF_BYTES),
    )
    client = client_for("mayor_of_wassy")
    download = client.get(reverse("operations:report_attachment", args=[report.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    posted = client.post(
        reverse("operations:report_create", args=[operation.pk]),
        {"reported_on": "2026-11-27", "weather": "late", "text": "Non"},
    )
    assert posted.status_code == 403
    assert ProgressReport.objects.count() == 1


# --- The mayor's commune page ------------------------------------------------------------------------------


def test_commune_operations_are_grouped_by_status_with_progress_and_latest_report(
    territory, mayor_of_wassy, manager, operation
) -> None:
    PhaseFactory(operation=operation, weight=Decimal(1), progress=Decimal("0.5"))  # late: baseline passed
    services.report_create(
        operation=operation, by=manager, on=datetime.date(2026, 11, 20), weather="at_risk", text="Point."
    )
    delivered = OperationFactory(
        programme=territory.programme,
        code="W-01",
        owner=territory.wassy,
        communes=[territory.wassy],
        status=OperationStatus.DELIVERED,
        manual_progress=Decimal(1),
    )
    idea = OperationFactory(
        programme=territory.programme,
        code="W-09",
        owner=territory.wassy,
        communes=[territory.wassy, territory.la_porte_du_der],
        status=OperationStatus.IDEA,
    )
    OperationFactory(programme=territory.programme, code="P-01", communes=[territory.la_porte_du_der])

    groups = commune_operations(mayor_of_wassy, territory.wassy, day=TODAY)

    assert [(g.label, [o.code for o in g.operations]) for g in groups] == [
        ("Livrées", ["W-01"]),
        ("En travaux", ["W-03"]),
        ("En préparation", ["W-09"]),
    ]
    works = groups[1].operations[0]
    assert (works.progress, works.is_late) == (Decimal("0.5"), True)
    assert (works.latest_report_on, works.latest_weather_label) == (datetime.date(2026, 11, 20), "Vigilance")
    assert (groups[0].operations[0].progress, groups[0].operations[0].is_late) == (Decimal(1), False)
    assert groups[2].operations[0] == idea and delivered.pk == groups[0].operations[0].pk


def test_the_commune_page_shows_its_operations_to_the_mayor(
    client_for, mayor_of_wassy, manager, operation
) -> None:
    PhaseFactory(operation=operation, weight=Decimal(1), progress=Decimal("0.4"))
    services.report_create(
        operation=operation, by=manager, on=datetime.date(2026, 11, 20), weather="blocked", text="Point."
    )
    page = client_for("mayor_of_wassy").get("/communes/52550/").content.decode()
    assert "Opérations de la commune" in page
    assert "En travaux (1)" in page
    assert "W-03 — Halle de Wassy" in page
    assert "40\xa0%" in page
    assert "En retard" in page
    assert "20/11/2026" in page and "Météo : Bloquée" in page


def test_a_wassy_operation_is_not_on_la_porte_du_der_page(
    client_for, mayor_of_la_porte_du_der, operation
) -> None:
    page = client_for("mayor_of_la_porte_du_der").get("/communes/52331/").content.decode()
    assert "Halle de Wassy" not in page
    assert "Aucune opération du plan d'action ne concerne la commune" in page
