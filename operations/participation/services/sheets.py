"""Writes of the network and capitalisation pages (issue 11): network events attended, with their notes, and
good-practice sheets (fiches retour d'expérience) — creation, edits (optimistic locking), publication and its
withdrawal (a transitions table, each move recorded as a StatusChange), and their PDF (pvd.documents).

A published sheet is read by anyone, without logging in: it must hold no personal data. Its contact is an
organisation and a service; publishing refuses a sheet without its summary, what was done and its lessons, and
a sheet whose public text holds an e-mail address or a phone number. Keyword-only, atomic, audited (the history
user on every row); refusals as SheetError (French).
"""

import datetime
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify

from operations.models import NetworkEvent, Operation, PracticeSheet
from operations.participation.models import SheetStatus
from operations.participation.selectors.sheets import can_read_sheet, sheet_pdf_context
from partners.models import Organisation, Theme
from programmes.models import Programme
from pvd import workflow
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned
from pvd.documents import Renderer, request_document
from pvd.errors import DomainError
from pvd.models import RenderedDocument, StatusChange

S = SheetStatus
PDF_KIND = "practice_sheet"


class SheetError(DomainError):
    """A rule of good-practice sheets (or network notes) refused the action (French message)."""


# --- Network events ---------------------------------------------------------------------------------------

NETWORK_FIELDS = ("kind", "title", "date", "organiser", "place", "url", "attendees", "notes", "takeaways")


def _check(fields: dict[str, object], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise SheetError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")


@transaction.atomic
def network_event_create(
    *, programme: Programme, by: User, themes: Iterable[Theme] = (), **fields: object
) -> NetworkEvent:
    """A network meeting attended (Club PVD, regional meeting, webinar…) with its notes."""
    _check(fields, NETWORK_FIELDS)
    event = NetworkEvent(programme=programme, **fields)
    save_audited(event, by)
    event.themes.set(list(themes))
    return event


@transaction.atomic
def network_event_update(
    *,
    event: NetworkEvent,
    by: User,
    changes: dict[str, object],
    expected_version: int,
    themes: Iterable[Theme] | None = None,
) -> NetworkEvent:
    _check(changes, NETWORK_FIELDS)
    saved = save_versioned(event, expected_version=expected_version, changes=changes, by=by)
    if themes is not None:
        saved.themes.set(list(themes))
    return saved


# --- Good-practice sheets ------------------------------------------------------------------------------------

SHEET_FIELDS = (
    "title",
    "operation",
    "summary",
    "context",
    "actions",
    "cost_ht",
    "funding",
    "results",
    "difficulties",
    "lessons",
    "contact_organisation",
    "contact_service",
)
# What a sheet needs before it is published (the rest may stay empty).
REQUIRED_TO_PUBLISH = ("summary", "actions", "lessons")
# The text read by the public: it must hold no personal data.
PUBLIC_TEXT = (
    "title",
    "summary",
    "context",
    "actions",
    "funding",
    "results",
    "difficulties",
    "lessons",
    "contact_service",
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PUBLISHED}),
    S.PUBLISHED: frozenset({S.DRAFT}),
}


def _label(name: str) -> str:
    return str(PracticeSheet._meta.get_field(name).verbose_name)


def _unique_slug(title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:100].strip("-") or "fiche"
    slug, n = base, 1
    taken = PracticeSheet.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_relations(
    programme: Programme, fields: dict[str, object], communes: Iterable[Organisation] | None
) -> None:
    operation = fields.get("operation")
    if isinstance(operation, Operation) and operation.programme_id != programme.pk:
        raise ValidationError({"operation": "Cette opération n'appartient pas au programme."})
    if communes is not None:
        allowed = set(programme.communes.values_list("pk", flat=True))
        outside = sorted(c.name for c in communes if c.pk not in allowed)
        if outside:
            raise ValidationError({"communes": f"Hors du programme : {', '.join(outside)}."})


def _check_public_content(sheet: PracticeSheet) -> None:
    """No e-mail address nor phone number in what the public reads (a contact is a service, not a person)."""
    found = [
        _label(name)
        for name in PUBLIC_TEXT
        if EMAIL.search(getattr(sheet, name) or "") or PHONE.search(getattr(sheet, name) or "")
    ]
    if found:
        raise SheetError(
            "Une fiche publiée ne contient aucune donnée personnelle : retirez l'adresse e-mail ou le numéro "
            f"de téléphone de : {', '.join(found)}. Indiquez plutôt la structure et le service à contacter."
        )


@transaction.atomic
def sheet_create(
    *,
    programme: Programme,
    by: User,
    communes: Iterable[Organisation] = (),
    themes: Iterable[Theme] = (),
    **fields: object,
) -> PracticeSheet:
    """A draft sheet of the programme; its public address (slug) comes from its title and never changes."""
    _check(fields, SHEET_FIELDS)
    communes = list(communes)
    _check_relations(programme, fields, communes)
    sheet = PracticeSheet(
        programme=programme, slug=_unique_slug(str(fields.get("title") or "")), status=S.DRAFT, **fields
    )
    save_audited(sheet, by)
    sheet.communes.set(communes)
    sheet.themes.set(list(themes))
    return sheet


@transaction.atomic
def sheet_update(
    *,
    sheet: PracticeSheet,
    by: User,
    changes: dict[str, object],
    expected_version: int,
    communes: Iterable[Organisation] | None = None,
    themes: Iterable[Theme] | None = None,
) -> PracticeSheet:
    """Save an edit; a published sheet stays free of personal data and gets a fresh PDF."""
    _check(changes, SHEET_FIELDS)
    communes = list(communes) if communes is not None else None
    _check_relations(sheet.programme, changes, communes)
    saved = save_versioned(sheet, expected_version=expected_version, changes=changes, by=by)
    if communes is not None:
        saved.communes.set(communes)
    if themes is not None:
        saved.themes.set(list(themes))
    if saved.status == S.PUBLISHED:
        _check_public_content(saved)
        request_document(saved, PDF_KIND, by)
    return saved


def _change_status(
    sheet: PracticeSheet,
    to: str,
    by: User,
    changes: dict[str, object],
    comment: str,
    expected_version: int | None,
) -> PracticeSheet:
    current = PracticeSheet.objects.select_for_update().get(pk=sheet.pk)
    source = current.status
    message = workflow.refusal(
        transitions=TRANSITIONS,
        choices=S,
        source=source,
        target=to,
        subject=f"La fiche « {current.title} »",
        pronoun="elle",
    )
    if message:
        raise SheetError(message)
    saved = save_versioned(
        current,
        expected_version=current.version if expected_version is None else expected_version,
        changes={"status": to, **changes},
        by=by,
    )
    StatusChange.objects.create(obj=saved, source=source, target=to, by=by, comment=comment)
    return saved


@transaction.atomic
def sheet_publish(
    *, sheet: PracticeSheet, by: User, on: datetime.date, expected_version: int | None = None
) -> PracticeSheet:
    """Publish (opt-in): the sheet becomes readable by anyone, without logging in, and its PDF is rendered."""
    current = PracticeSheet.objects.select_for_update().get(pk=sheet.pk)
    missing = [_label(name) for name in REQUIRED_TO_PUBLISH if not str(getattr(current, name) or "").strip()]
    if missing:
        raise SheetError(f"La fiche ne peut pas être publiée sans : {', '.join(missing)}.")
    if current.status == S.DRAFT:
        _check_public_content(current)
    saved = _change_status(
        current, S.PUBLISHED, by, {"published_on": on}, f"Publiée le {on:%d/%m/%Y}.", expected_version
    )
    request_document(saved, PDF_KIND, by)
    return saved


@transaction.atomic
def sheet_unpublish(
    *, sheet: PracticeSheet, by: User, comment: str = "", expected_version: int | None = None
) -> PracticeSheet:
    """Withdraw the sheet from the public: its page and PDF answer 404 again."""
    return _change_status(
        sheet,
        S.DRAFT,
        by,
        {"published_on": None},
        comment.strip() or "Retirée de la publication.",
        expected_version,
    )


def sheet_request_pdf(*, sheet: PracticeSheet, by: User) -> RenderedDocument:
    """A fresh PDF of the sheet, rendered in the background."""
    return request_document(sheet, PDF_KIND, by)


PRACTICE_SHEET_PDF = Renderer(
    kind=PDF_KIND,
    template="pdf/practice_sheet.html",
    title=lambda sheet: f"Fiche retour d'expérience — {sheet.title}",
    context=sheet_pdf_context,
    can_read=can_read_sheet,
    url=lambda sheet: reverse("operations:sheet", args=[sheet.pk]),
)
