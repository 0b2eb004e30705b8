"""The PDF of a convention (templates/pdf/convention.html), read back with pypdf: the cover, the table of contents
with page numbers, the articles and their data tables, the signatures page, the running footer « référence — page X
/ Y », the draft's « PROJET » mark, and article HTML that never carries a script into the document."""

import io
import re
from decimal import Decimal

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from operations.conventions.models import ConventionKind
from operations.conventions.services import versions as services
from operations.models import ConventionArticle
from pvd.models import DocumentStatus, RenderedDocument
from tests.conftest import Territory
from tests.operations.convention_factories import (
    ConventionArticleFactory,
    ConventionFactory,
    DeliberationFactory,
    SignatoryFactory,
)
from tests.operations.factories import OperationFactory

SITE = "https://pvd.example.fr/"


NBSP = "\xa0"
MALICIOUS = (
    "<p>Texte sûr de l'article.</p><script>alert('pirate')</script>"
    '<p onload="voler()">Paragraphe <strong onclick="voler()">gras</strong></p>'
    '<img src="https://ailleurs.example/x.png" onerror="voler()">'
)


def pdf_pages_text(doc: RenderedDocument) -> list[str]:
    with default_storage.open(doc.file.name, "rb") as handle:
        return [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]


def pdf_text(doc: RenderedDocument) -> str:
    return "\n".join(pdf_pages_text(doc))


def flat(text: str) -> str:
    """pypdf's text with line breaks folded (a long title wraps on the cover)."""
    return " ".join(text.split())


def framework(t: Territory, **fields: object):
    convention = ConventionFactory(
        programme=t.programme,
        kind=ConventionKind.FRAMEWORK,
        title="Convention-cadre PVD valant ORT de Wassy",
        **fields,
    )
    ConventionArticleFactory(
        convention=convention,
        order=1,
        number="Article 1",
        title="Objet de la convention",
        body="<p>La présente convention engage les parties.</p>",
    )
    ConventionArticleFactory(
        convention=convention,
        order=2,
        number="Article 2",
        title="Engagements des parties",
        body="<p>Les parties s'engagent à mettre en œuvre le projet.</p><p>[[bloc:plan_action]]</p>",
    )
    ConventionArticleFactory(
        convention=convention,
        order=3,
        kind="annex",
        number="Annexe 1",
        title="Maquette financière",
        body="<p>[[bloc:maquette_financiere]]</p>",
    )
    deliberation = DeliberationFactory(organisation=t.wassy, programme=t.programme, number="2026-017")
    SignatoryFactory(
        convention=convention,
        organisation=t.wassy,
        signer_name="Marie Martin",
        signer_capacity="La Maire",
        deliberation=deliberation,
        order=1,
    )
    return convention


def issue(convention, by, capture, note: str = "Pour signature"):
    with capture(execute=True):
        version = services.version_issue(convention=convention, by=by, site_url=SITE, note=note)
    version.refresh_from_db()
    version.document.refresh_from_db()
    return version


def test_an_issued_version_has_a_cover_a_paginated_contents_articles_tables_signatures_and_its_reference(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    OperationFactory(
        programme=territory.programme,
        code="W-01",
        title="Réhabilitation des halles",
        owner=territory.wassy,
        estimated_cost_ht=Decimal("1234567.89"),
        estimated_cost_ttc=Decimal("1481481.47"),
    )
    version = issue(framework(territory), manager, django_capture_on_commit_callbacks)
    doc = version.document
    assert doc.status == DocumentStatus.DONE, doc.error
    pages = pdf_pages_text(doc)
    text = flat("\n".join(pages))
    assert "CONVENTION-CADRE PVD VALANT ORT" in pages[0]  # the kind on the cover
    assert "Convention-cadre PVD valant ORT de Wassy" in flat(pages[0])
    assert f"Version 1 — référence {version.reference} — émise le" in flat(pages[0])
    assert version.snapshot["version"]["verification_url"] in pages[0].replace("\n", "")
    # The table of contents gives each article's page number, after dotted leaders.
    assert "Sommaire" in pages[1]
    toc = {
        match[0]: int(match[1])
        for match in re.findall(r"(Article \d|Annexe 1) —[^.]*\.{3,}\s*(\d+)", pages[1])
    }
    assert set(toc) == {"Article 1", "Article 2", "Annexe 1"}
    assert "Annexe 1 — Maquette financière" in pages[toc["Annexe 1"] - 1]
    assert "Article 2 — Engagements des parties" in pages[toc["Article 2"] - 1]
    assert "Les parties s'engagent à mettre en œuvre le projet." in text
    # The action plan row and the maquette's amount, written the French way.
    assert "W-01" in text and "Réhabilitation des halles" in text
    assert f"1{NBSP}234{NBSP}567,89{NBSP}€" in "\n".join(pages[toc["Annexe 1"] - 1 :])
    # The signatures page: party, signer and capacity, the deliberation that authorises the signature.
    assert "Signatures des parties" in pages[-1] and "La Maire, Marie Martin" in pages[-1]
    assert "délibération n° 2026-017 du 10/03/2026" in pages[-1]
    # The running footer « référence — page X / Y » and the running title on every page.
    for number, page in enumerate(pages, start=1):
        assert f"{version.reference} — page {number} / {len(pages)}" in page
    assert "Convention-cadre PVD valant ORT de Wassy — version 1" in pages[1]
    assert "PROJET" not in text


def test_a_draft_preview_says_projet_on_every_page_and_carries_no_script(
    territory, manager, client_for, django_capture_on_commit_callbacks
) -> None:
    convention = framework(territory)
    ConventionArticle.objects.filter(convention=convention, order=1).update(body=MALICIOUS)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("manager").post(
            reverse("operations:convention_draft_pdf", args=[convention.pk])
        )
    doc = RenderedDocument.objects.get(kind="convention_draft", object_id=convention.pk)
    assert response["Location"] == reverse("document", args=[doc.pk])
    assert doc.status == DocumentStatus.DONE, doc.error
    pages = pdf_pages_text(doc)
    assert all("PROJET — document de travail, sans valeur contractuelle" in page for page in pages)
    assert all(f"Projet — page {n} / {len(pages)}" in page for n, page in enumerate(pages, start=1))
    text = pdf_text(doc)
    assert "Texte sûr de l'article." in text and "Paragraphe gras" in text
    assert "alert" not in text and "pirate" not in text and "voler" not in text


def test_article_html_reaches_the_print_template_without_script_handler_or_image(territory) -> None:
    convention = framework(territory)
    ConventionArticle.objects.filter(convention=convention, order=1).update(body=MALICIOUS)
    html = render_to_string("pdf/convention.html", services.draft_context(convention))
    assert "<p>Texte sûr de l'article.</p>" in html
    assert "<p>Paragraphe <strong>gras</strong></p>" in html
    for forbidden in ("<script", "alert(", "onload", "onclick", "onerror", "voler", "ailleurs.example"):
        assert forbidden not in html


def test_the_draft_preview_is_for_managers_and_referents(territory, client_for) -> None:
    convention = framework(territory)
    url = reverse("operations:convention_draft_pdf", args=[convention.pk])
    assert client_for("referent").post(url).status_code == 302
    assert client_for("partner").post(url).status_code == 404  # a draft: managers and referents only
    assert client_for("mayor_of_wassy").post(url).status_code == 404
    convention.status = "review"
    convention.save()
    assert client_for("partner").post(url).status_code == 403  # reads it, may not render it
    assert client_for("manager").get(url).status_code == 405
