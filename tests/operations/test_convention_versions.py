"""Issued versions of conventions: issuing one from its page (what is frozen, who may), a version that never
changes when the data does, no new version once signed, the PDF's retry, the signed scan (signed version only, a
PDF, once, with its SHA-256), and avenants created from a signed convention."""

import datetime
from decimal import Decimal

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.conventions.models import ConventionKind, ConventionStatus
from operations.conventions.services import versions as services
from operations.models import Convention, ConventionArticle, ConventionVersion, Operation
from pvd.models import DocumentStatus, RenderedDocument
from tests.conftest import Territory
from tests.operations.convention_factories import (
    FAKE_SIGNED_SCAN,
    ConventionArticleFactory,
    ConventionFactory,
    SignatoryFactory,
    signed_scan,
    version_document,
)
from tests.operations.convention_rows import convention_rows
from tests.operations.factories import OperationFactory

SITE = "https://pvd.example.fr/"
D = datetime.date


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def draft_convention(t: Territory, articles: int = 1) -> Convention:
    convention = ConventionFactory(
        programme=t.programme, kind=ConventionKind.PARTNER, title="Convention partenariale de Wassy"
    )
    for n in range(1, articles + 1):
        ConventionArticleFactory(
            convention=convention,
            order=n,
            number=f"Article {n}",
            title=f"Article numéro {n}",
            body=f"<p>Texte d'origine de l'article {n}.</p><p>[[bloc:plan_action]]</p>",
        )
    SignatoryFactory(convention=convention, organisation=t.wassy, signer_capacity="La Maire", order=1)
    return convention


# --- Issuing -----------------------------------------------------------------------------------------------


def test_the_issue_page_shows_what_will_be_frozen(territory, client_for) -> None:
    convention = draft_convention(territory)
    response = client_for("manager").get(reverse("operations:version_issue", args=[convention.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Article 1 — Article numéro 1" in page
    assert "Plan d&#x27;action (fiches-actions)" in page
    assert "Wassy — La Maire" in page
    assert "Ce sera la version 1." in page


def test_a_manager_issues_a_version_and_lands_on_its_page(territory, manager, client_for) -> None:
    convention = draft_convention(territory)
    response = client_for("manager").post(
        reverse("operations:version_issue", args=[convention.pk]), {"note": "Pour relecture"}
    )
    version = ConventionVersion.objects.get(convention=convention)
    assert response.status_code == 302
    assert response["Location"] == reverse("operations:convention_version", args=[version.pk])
    assert (version.number, version.note, version.issued_by) == (1, "Pour relecture", manager)
    assert version.reference.startswith("CONV-") and version.reference.endswith("-V1")
    assert version.snapshot["version"]["verification_url"] == (
        f"http://testserver/verification/{version.token}/"
    )
    assert version.document.status == DocumentStatus.QUEUED
    assert "La version est émise" in messages_of(response)[0]


def test_a_referent_reads_the_draft_but_may_not_issue_it(territory, client_for) -> None:
    convention = draft_convention(territory)
    url = reverse("operations:version_issue", args=[convention.pk])
    assert client_for("referent").post(url, {"note": ""}).status_code == 403
    assert client_for("mayor_of_wassy").post(url, {"note": ""}).status_code == 404
    assert not ConventionVersion.objects.filter(convention=convention).exists()


def test_a_version_stays_as_issued_when_the_data_and_the_text_change(
    territory, manager, client_for, django_capture_on_commit_callbacks
) -> None:
    operation = OperationFactory(
        programme=territory.programme,
        code="W-02",
        title="Halle gourmande",
        owner=territory.wassy,
        estimated_cost_ht=Decimal("250000.00"),
        estimated_cost_ttc=Decimal("300000.00"),
    )
    convention = draft_convention(territory)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.version_issue(convention=convention, by=manager, site_url=SITE)
    version.refresh_from_db()
    snapshot, sha256 = version.snapshot, version.document.sha256
    assert version.document.status == DocumentStatus.DONE and len(sha256) == 64

    Operation.objects.filter(pk=operation.pk).update(
        title="Marché couvert", estimated_cost_ht=Decimal("1.00")
    )
    ConventionArticle.objects.filter(convention=convention).update(
        body="<p>Texte réécrit après émission.</p>"
    )

    version.refresh_from_db()
    version.document.refresh_from_db()
    assert version.snapshot == snapshot
    assert version.document.sha256 == sha256
    page = client_for("referent").get(reverse("operations:convention_version", args=[version.pk]))
    content = page.content.decode()
    assert "Texte d'origine de l'article 1." in content and "Halle gourmande" in content
    assert "réécrit" not in content and "Marché couvert" not in content
    assert sha256 in content


def test_issuing_is_refused_once_the_convention_is_signed_and_names_the_avenant(
    territory, client_for
) -> None:
    rows = convention_rows(territory)
    response = client_for("manager").post(
        reverse("operations:version_issue", args=[rows.signed.pk]), {"note": "Pour signature"}
    )
    assert response.status_code == 200
    assert "avenant" in messages_of(response)[0]
    assert ConventionVersion.objects.filter(convention=rows.signed).count() == 1
    page = client_for("manager").get(reverse("operations:version_issue", args=[rows.signed.pk]))
    assert "Préparer un avenant" in page.content.decode()


# --- A version's page ---------------------------------------------------------------------------------------


def test_the_version_page_shows_its_reference_pdf_hash_verification_link_and_signed_badge(
    territory, client_for
) -> None:
    rows = convention_rows(territory)
    version = version_document(rows.version)
    response = client_for("mayor_of_wassy").get(reverse("operations:convention_version", args=[version.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert version.reference in page and "Version signée" in page
    assert version.document.sha256 in page
    assert reverse("document_download", args=[version.document.pk]) in page
    assert reverse("convention_verification", args=[version.token]) in page
    assert "Déposer l'exemplaire signé" not in page  # a mayor reads, does not deposit


def test_a_failed_pdf_is_rendered_again_from_the_frozen_content(territory, manager, client_for) -> None:
    convention = draft_convention(territory)
    version = services.version_issue(convention=convention, by=manager, site_url=SITE)
    RenderedDocument.objects.filter(pk=version.document.pk).update(
        status=DocumentStatus.FAILED, error="Panne."
    )
    url = reverse("operations:version_retry", args=[version.pk])
    assert client_for("referent").post(url).status_code == 403
    response = client_for("manager").post(url)
    version.refresh_from_db()
    assert response.status_code == 302 and version.document.status == DocumentStatus.QUEUED
    again = client_for("manager").post(url)
    assert "n'est pas refait" in messages_of(again)[0]


# --- The signed scan ------------------------------------------------------------------------------------------


def scan(content: bytes = FAKE_SIGNED_SCAN, name: str = "signee.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_signed_scan_is_deposited_once_on_the_signed_version_with_its_sha256(
    territory, client_for
) -> None:
    import hashlib

    version = convention_rows(territory).version
    url = reverse("operations:version_scan", args=[version.pk])
    assert client_for("referent").post(url, {"scan": scan()}).status_code == 403
    response = client_for("manager").post(url, {"scan": scan()})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.signed_scan_sha256 == hashlib.sha256(FAKE_SIGNED_SCAN).hexdigest()
    page = (
        client_for("partner")
        .get(reverse("operations:convention_version", args=[version.pk]))
        .content.decode()
    )
    assert version.signed_scan_sha256 in page and "Camille Martin" in page

    again = client_for("manager").post(url, {"scan": scan(b"%PDF-1.4 autre")})
    assert "n'est pas remplacé" in " ".join(messages_of(again))
    version.refresh_from_db()
    assert version.signed_scan_sha256 == hashlib.sha256(FAKE_SIGNED_SCAN).hexdigest()

    download = client_for("mayor_of_wassy").get(
        reverse("operations:version_scan_download", args=[version.pk])
    )
    assert b"".join(download.streaming_content) == FAKE_SIGNED_SCAN
    assert f"{version.reference}-exemplaire-signe.pdf" in download["Content-Disposition"]


def test_the_signed_scan_must_be_a_pdf(territory, client_for) -> None:
    version = convention_rows(territory).version
    response = client_for("manager").post(
        reverse("operations:version_scan", args=[version.pk]), {"scan": scan(b"GIF89a image", "scan.gif")}
    )
    assert response.status_code == 200
    assert "Le scan doit être un fichier PDF." in messages_of(response)
    version.refresh_from_db()
    assert not version.signed_scan


def test_an_unsigned_version_takes_no_scan(territory, manager, client_for) -> None:
    version = services.version_issue(convention=draft_convention(territory), by=manager, site_url=SITE)
    response = client_for("manager").post(
        reverse("operations:version_scan", args=[version.pk]), {"scan": scan()}
    )
    assert "Seule la version signée reçoit l'exemplaire signé." in messages_of(response)
    version.refresh_from_db()
    assert not version.signed_scan
    download = client_for("manager").get(reverse("operations:version_scan_download", args=[version.pk]))
    assert download.status_code == 404


def test_a_deposited_scan_is_offered_for_download_not_replacement(territory, client_for) -> None:
    version = signed_scan(convention_rows(territory).version)
    page = client_for("manager").get(reverse("operations:version_scan", args=[version.pk])).content.decode()
    assert "déjà déposé" in page and 'type="file"' not in page


# --- Avenants -----------------------------------------------------------------------------------------------


def test_an_avenant_is_prefilled_then_created_from_the_signed_convention(territory, client_for) -> None:
    rows = convention_rows(territory)  # the signed convention already has avenant n° 1
    url = reverse("operations:convention_amendment_create", args=[rows.signed.pk])
    form = client_for("manager").get(url).context["form"]
    assert form.initial["title"] == "Avenant n° 2 — Convention d'adhésion PVD"
    assert client_for("referent").post(url, {"title": "Avenant"}).status_code == 403
    response = client_for("manager").post(
        url, {"title": "Avenant n° 2 — nouveau plan d'action", "purpose": "Ajoute deux opérations."}
    )
    amendment = Convention.objects.get(parent=rows.signed, amendment_number=2)
    assert response["Location"] == reverse("operations:convention", args=[amendment.pk])
    assert (amendment.kind, amendment.status, amendment.purpose) == (
        ConventionKind.AMENDMENT,
        ConventionStatus.DRAFT,
        "Ajoute deux opérations.",
    )


def test_a_draft_convention_cannot_be_amended(territory, client_for) -> None:
    convention = draft_convention(territory)
    url = reverse("operations:convention_amendment_create", args=[convention.pk])
    page = client_for("manager").get(url).content.decode()
    assert "Seule une convention signée ou en vigueur peut être modifiée par avenant" in page
    response = client_for("manager").post(url, {"title": "Avenant"})
    assert "Seule une convention signée ou en vigueur" in messages_of(response)[0]
    assert not Convention.objects.filter(parent=convention).exists()


# --- Query counts -------------------------------------------------------------------------------------------


def _version_with_articles(t: Territory, manager, count: int) -> ConventionVersion:
    convention = draft_convention(t, articles=count)
    for n in range(count):
        OperationFactory(
            programme=t.programme,
            code=f"Q-{count}-{n}",
            estimated_cost_ht=Decimal("1000.00"),
            estimated_cost_ttc=Decimal("1200.00"),
        )
    return services.version_issue(convention=convention, by=manager, site_url=SITE)


def test_the_version_page_costs_the_same_queries_at_1x_and_10x(
    territory, manager, client_for, django_assert_max_num_queries
) -> None:
    client = client_for("referent")
    small = _version_with_articles(territory, manager, 1)
    client.get(reverse("operations:convention_version", args=[small.pk]))  # warm caches (content types…)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("operations:convention_version", args=[small.pk]))
    large = _version_with_articles(territory, manager, 10)
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse("operations:convention_version", args=[large.pk]))
    assert response.status_code == 200 and "Article numéro 10" in response.content.decode()
