"""The public verification page a PDF's QR code points to: no login, the version's identity and SHA-256 (never a
person's name), and the check of an uploaded file against the issued PDF and the signed scan — nothing stored."""

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.conventions.models import ConventionStatus
from operations.conventions.services import versions as services
from pvd.models import RenderedDocument
from tests.operations.convention_factories import (
    FAKE_SIGNED_SCAN,
    FAKE_VERSION_PDF,
    ConventionArticleFactory,
    ConventionFactory,
    signed_scan,
    version_document,
)
from tests.operations.convention_rows import convention_rows


def upload(content: bytes) -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile("recu.pdf", content, content_type="application/pdf")}


def test_anyone_without_login_sees_the_version_and_the_sha256_of_its_pdf(territory, client_for) -> None:
    rows = convention_rows(territory)
    version = version_document(rows.version)
    response = client_for("anonymous").get(reverse("convention_verification", args=[version.token]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Convention d&#x27;adhésion PVD" in page and version.reference in page
    assert hashlib.sha256(FAKE_VERSION_PDF).hexdigest() in page
    assert "version signée par les parties" in page and "En vigueur" in page


def test_the_page_names_no_person(territory, manager, client_for) -> None:
    convention = ConventionFactory(programme=territory.programme, status=ConventionStatus.REVIEW)
    ConventionArticleFactory(convention=convention)
    version = services.version_issue(convention=convention, by=manager, site_url="https://pvd.example.fr/")
    page = (
        client_for("anonymous").get(reverse("convention_verification", args=[version.token])).content.decode()
    )
    assert "Camille Martin" not in page and manager.email not in page
    assert "en cours de production" in page  # its PDF is not rendered yet


def test_an_identical_file_matches_the_issued_version_or_the_signed_copy(territory, client_for) -> None:
    version = signed_scan(version_document(convention_rows(territory).version))
    url = reverse("convention_verification", args=[version.token])
    anonymous = client_for("anonymous")
    assert (
        "Ce fichier est identique à la version émise."
        in anonymous.post(url, upload(FAKE_VERSION_PDF)).content.decode()
    )
    assert (
        "Ce fichier est identique à l'exemplaire signé."
        in anonymous.post(url, upload(FAKE_SIGNED_SCAN)).content.decode()
    )
    assert version.signed_scan_sha256 in anonymous.get(url).content.decode()


def test_a_different_file_does_not_match_and_nothing_is_stored(territory, client_for) -> None:
    version = version_document(convention_rows(territory).version)
    documents = RenderedDocument.objects.count()
    forged = FAKE_VERSION_PDF.replace(b"emise", b"faux!")
    response = client_for("anonymous").post(
        reverse("convention_verification", args=[version.token]), upload(forged)
    )
    page = response.content.decode()
    assert "Ce fichier ne correspond pas" in page
    assert hashlib.sha256(forged).hexdigest() in page
    assert RenderedDocument.objects.count() == documents
    version.refresh_from_db()
    assert not version.signed_scan


def test_an_unknown_token_is_not_found(territory, client_for) -> None:
    assert (
        client_for("anonymous").get(reverse("convention_verification", args=["inconnu"])).status_code == 404
    )
