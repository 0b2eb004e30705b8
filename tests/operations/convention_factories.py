"""Factories of conventions (issue 9): deliberations, ORT sectors, conventions, articles, signatories, issued
versions. Shared by every convention test module; add new factories at the end, never change these."""

import datetime
import secrets

import factory
from factory.django import DjangoModelFactory

from operations.conventions.models import ArticleKind, ConventionKind, ConventionStatus
from operations.models import Convention, ConventionArticle, ConventionVersion, Signatory
from programmes.models import DeliberatingBody, Deliberation, OrtSector
from tests.factories import CommuneFactory, ProgrammeFactory

D = datetime.date


class DeliberationFactory(DjangoModelFactory):
    class Meta:
        model = Deliberation

    organisation = factory.SubFactory(CommuneFactory)
    body = DeliberatingBody.MUNICIPAL_COUNCIL
    number = factory.Sequence(lambda n: f"2026-{n:03d}")
    adopted_on = D(2026, 3, 10)
    subject = "Approbation de la convention et autorisation de signature"
    published_on = D(2026, 3, 12)
    transmitted_on = D(2026, 3, 13)


class OrtSectorFactory(DjangoModelFactory):
    class Meta:
        model = OrtSector

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Secteur {n}")
    commune = factory.SubFactory(CommuneFactory)
    description = "Rues du centre ancien."


class ConventionFactory(DjangoModelFactory):
    class Meta:
        model = Convention

    kind = ConventionKind.FRAMEWORK
    title = factory.Sequence(lambda n: f"Convention-cadre n° {n}")
    programme = factory.SubFactory(ProgrammeFactory)
    status = ConventionStatus.DRAFT
    signed_on = factory.LazyAttribute(
        lambda o: (
            D(2026, 4, 1)
            if o.status in (ConventionStatus.SIGNED, ConventionStatus.IN_FORCE, ConventionStatus.ENDED)
            else None
        )
    )


class ConventionArticleFactory(DjangoModelFactory):
    class Meta:
        model = ConventionArticle

    convention = factory.SubFactory(ConventionFactory)
    order = factory.Sequence(lambda n: n + 1)
    kind = ArticleKind.ARTICLE
    number = factory.Sequence(lambda n: f"Article {n + 1}")
    title = "Objet de la convention"
    body = "<p>La présente convention a pour objet de décliner le plan d'action.</p>"


class SignatoryFactory(DjangoModelFactory):
    class Meta:
        model = Signatory

    convention = factory.SubFactory(ConventionFactory)
    organisation = factory.SubFactory(CommuneFactory)
    signer_name = "Marie Martin"
    signer_capacity = "La Maire"


class ConventionVersionFactory(DjangoModelFactory):
    """A version row with a minimal snapshot and no PDF (tests that need the PDF issue it through the service)."""

    class Meta:
        model = ConventionVersion

    convention = factory.SubFactory(ConventionFactory)
    number = factory.Sequence(lambda n: n + 1)
    reference = factory.Sequence(lambda n: f"CONV-2026-T{n:04d}-V1")
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(18))
    snapshot = factory.LazyAttribute(
        lambda o: {
            "schema": 1,
            "taken_at": "2026-04-01T10:00:00+02:00",
            "convention": {"kind": o.convention.kind, "title": o.convention.title},
            "articles": [],
            "blocks": {},
            "signatories": [],
        }
    )


# --- Issued versions' files (issue 9, H3): a rendered PDF and a signed scan without WeasyPrint --------------------

FAKE_VERSION_PDF = b"%PDF-1.7\n% version emise (test)\n%%EOF\n"
FAKE_SIGNED_SCAN = b"%PDF-1.4\n% exemplaire signe scanne (test)\n%%EOF\n"


def version_document(version: ConventionVersion, content: bytes = FAKE_VERSION_PDF) -> ConventionVersion:
    """Give `version` a done PDF (as the renderer would), with its SHA-256."""
    import hashlib

    from django.core.files.base import ContentFile

    from pvd.models import DocumentStatus, RenderedDocument

    version.document = RenderedDocument.objects.create(
        obj=version,
        kind="convention_version",
        title=f"{version.convention.title} — version {version.number}",
        status=DocumentStatus.DONE,
        file=ContentFile(content, name="convention.pdf"),
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
    version.save(update_fields=["document"])
    return version


def signed_scan(version: ConventionVersion, content: bytes = FAKE_SIGNED_SCAN) -> ConventionVersion:
    """Deposit a scan of the signed copy on `version` (as the service does), with its SHA-256."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    version.signed_scan.save(f"{version.reference}-signee.pdf", ContentFile(content), save=False)
    version.signed_scan_sha256 = hashlib.sha256(content).hexdigest()
    version.signed_scan_uploaded_at = timezone.now()
    version.save()
    return version
