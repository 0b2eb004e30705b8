"""Rendered documents of good-practice sheets, for the access matrix and the sheets tests: a PDF row in a given
state, with a small stored file when done (no WeasyPrint run)."""

import hashlib

from django.core.files.base import ContentFile

from operations.models import PracticeSheet
from pvd.models import DocumentStatus, RenderedDocument, StatusChange

FAKE_PDF = b"%PDF-1.7\n% fiche de test\n"


def sheet_document(sheet: PracticeSheet, status: str = DocumentStatus.DONE) -> RenderedDocument:
    done = status == DocumentStatus.DONE
    return RenderedDocument.objects.create(
        obj=sheet,
        kind="practice_sheet",
        title=f"Fiche retour d'expérience — {sheet.title}",
        status=status,
        file=ContentFile(FAKE_PDF, name="fiche.pdf") if done else "",
        sha256=hashlib.sha256(FAKE_PDF).hexdigest() if done else "",
        size=len(FAKE_PDF) if done else None,
    )


def rendered_public_sheet(sheet: PracticeSheet) -> str:
    """Record the sheet's publication (as the service does), render-like a PDF after it, return the slug."""
    StatusChange.objects.create(obj=sheet, source="draft", target="published")
    sheet_document(sheet)
    return sheet.slug
