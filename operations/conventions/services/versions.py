"""Issued versions of conventions (issue 9): freezing, the PDF, the signed scan.

Issuing a version takes the snapshot (articles, live data blocks, signatories) in the same transaction as the
version row, with its reference and verification token, and queues its PDF (pvd.documents, a Celery task on
commit). The PDF is rendered from the snapshot only, so a version never changes when the data does; its SHA-256 is
shown on the verification page the QR code points to. A signed version takes no new version: changes go into an
avenant.
"""

import hashlib
import secrets
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from operations.conventions.models import Convention, ConventionStatus, ConventionVersion
from operations.conventions.selectors.conventions import can_read_convention
from operations.conventions.services.conventions import ConventionError
from operations.conventions.snapshot import rendered_articles, take_snapshot
from pvd.accounts.models import User
from pvd.documents import Renderer, request_document
from pvd.models import DocumentStatus, RenderedDocument

DRAFT_KIND = "convention_draft"
VERSION_KIND = "convention_version"
MAX_SCAN_BYTES = 30 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def _reference(convention: Convention, number: int) -> str:
    """« CONV-2026-0012-V3 », or « CONV-2026-0012-A2-V1 » for avenant n° 2: readable, unique (the pk)."""
    root = convention.parent if convention.parent_id else convention
    year = timezone.localdate().year
    amendment = f"-A{convention.amendment_number}" if convention.parent_id else ""
    return f"CONV-{year}-{root.pk:04d}{amendment}-V{number}"


def verification_path(version: ConventionVersion) -> str:
    return reverse("convention_verification", kwargs={"token": version.token})


@transaction.atomic
def version_issue(*, convention: Convention, by: User, site_url: str, note: str = "") -> ConventionVersion:
    """Freeze the convention as it is now into version n+1 and queue its PDF. `site_url`
    (« https://pvd.example.fr ») makes the QR code's link absolute; a view passes its own."""
    current = Convention.objects.select_for_update(of=("self",)).get(pk=convention.pk)
    if current.status not in (ConventionStatus.DRAFT, ConventionStatus.REVIEW, ConventionStatus.APPROVED):
        raise ConventionError(
            f"La convention est « {current.get_status_display()} » : ses versions sont figées ; "
            "toute modification passe par un avenant."
        )
    if not current.articles.exists():
        raise ConventionError("Une convention sans article ne peut pas être émise.")
    number = (current.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    token = secrets.token_urlsafe(18)
    snapshot = take_snapshot(current)
    version = ConventionVersion(
        convention=current,
        number=number,
        reference=_reference(current, number),
        token=token,
        issued_by=by,
        note=note.strip(),
        snapshot=snapshot,
    )
    version.save()
    version.snapshot["version"] = {
        "number": number,
        "reference": version.reference,
        "issued_at": timezone.localtime(version.issued_at).strftime("%d/%m/%Y à %H:%M"),
        "issued_by": by.get_full_name() or by.email,
        "note": version.note,
        "verification_url": site_url.rstrip("/") + verification_path(version),
    }
    version.document = request_document(version, VERSION_KIND, by)
    version.save(update_fields=["snapshot", "document"])
    return version


@transaction.atomic
def version_retry_pdf(*, version: ConventionVersion, by: User) -> ConventionVersion:
    """Render a version's PDF again from its frozen snapshot, when the first rendering failed."""
    current = (
        ConventionVersion.objects.select_for_update(of=("self",))
        .select_related("document")
        .get(pk=version.pk)
    )
    if current.document is not None and current.document.status != DocumentStatus.FAILED:
        raise ConventionError("Le PDF de cette version est prêt ou en cours : il n'est pas refait.")
    current.document = request_document(current, VERSION_KIND, by)
    current.save(update_fields=["document"])
    return current


def _is_pdf(upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    return head == PDF_MAGIC


@transaction.atomic
def version_attach_signed_scan(
    *, version: ConventionVersion, by: User, upload: UploadedFile
) -> ConventionVersion:
    """Keep the scan of the signed copy beside the signed version, with its SHA-256. Only the signed version takes
    one; a scan already deposited is not replaced (it is the record of what was signed)."""
    current = ConventionVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
    if not current.signed:
        raise ConventionError("Seule la version signée reçoit l'exemplaire signé.")
    if current.signed_scan:
        raise ConventionError("L'exemplaire signé de cette version est déjà déposé : il n'est pas remplacé.")
    if upload.size is None or upload.size > MAX_SCAN_BYTES:
        raise ConventionError("Le scan dépasse 30 Mo.")
    if not _is_pdf(upload):
        raise ConventionError("Le scan doit être un fichier PDF.")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    current.signed_scan.save(f"{current.reference}-signee.pdf", upload, save=False)
    current.signed_scan_sha256 = digest.hexdigest()
    current.signed_scan_uploaded_at = timezone.now()
    current.signed_scan_uploaded_by = by
    current.save(
        update_fields=[
            "signed_scan",
            "signed_scan_sha256",
            "signed_scan_uploaded_at",
            "signed_scan_uploaded_by",
        ]
    )
    return current


def request_draft_pdf(*, convention: Convention, by: User) -> RenderedDocument:
    """The draft preview: the same template and code as an issued version, from live data, marked « PROJET »."""
    return request_document(convention, DRAFT_KIND, by)


# --- Renderers (pvd.documents) ----------------------------------------------------------------------------


def _qr_svg(url: str) -> str:
    import segno  # only where PDFs are made

    return segno.make(url, error="m").svg_inline(scale=3, dark="#000", light="#fff", omitsize=False)


def pdf_context(snapshot: dict[str, Any], *, draft: bool) -> dict[str, Any]:
    version = snapshot.get("version") or {}
    url = version.get("verification_url", "")
    return {
        "snapshot": snapshot,
        "convention": snapshot["convention"],
        "articles": rendered_articles(snapshot),
        "signatories": snapshot.get("signatories", []),
        "version": version,
        "draft": draft,
        "qr_svg": _qr_svg(url) if url else "",
    }


def draft_context(convention: Convention) -> dict[str, Any]:
    return pdf_context(take_snapshot(convention), draft=True)


def version_context(version: ConventionVersion) -> dict[str, Any]:
    return pdf_context(version.snapshot, draft=False)


def _convention_url(convention: Convention) -> str:
    return reverse("operations:convention", args=[convention.pk])


CONVENTION_DRAFT_PDF = Renderer(
    kind=DRAFT_KIND,
    template="pdf/convention.html",
    title=lambda convention: f"{convention.title} — projet",
    context=draft_context,
    can_read=can_read_convention,
    url=_convention_url,
)

CONVENTION_VERSION_PDF = Renderer(
    kind=VERSION_KIND,
    template="pdf/convention.html",
    title=lambda version: f"{version.convention.title} — version {version.number}",
    context=version_context,
    can_read=lambda user, version: can_read_convention(user, version.convention),
    url=lambda version: _convention_url(version.convention),
)
