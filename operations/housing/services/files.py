"""Writes of household files (DOMAIN.md §3.4): creation with its reference, edits (optimistic locking) and the
pipeline's transitions, each recording its evidence date on the file and a StatusChange.

At filing the file keeps what the rules said that day (DOMAIN_RULES §1): the income category computed from the
Anah table of the filing year (or, when that table is not loaded, the category stated by the Anah decision —
never guessed) and the version of the aid scheme in force on the filing day. Keyword-only, atomic, audited
(history user on every row); refusals as HousingFileError (French).
"""

import datetime
import re
from decimal import Decimal

from django.db import transaction

from operations.housing import deadlines as rules
from operations.housing.income import income_category
from operations.housing.models import (
    AidScheme,
    CategorySource,
    FileStatus,
    HousingFile,
    IncomeCategory,
    RejectionKind,
)
from operations.models import HousingProgramme, HousingProgrammeKind
from pvd import workflow
from pvd.accounts.models import User
from pvd.concurrency import save_versioned
from pvd.errors import DomainError, MissingReferenceData
from pvd.models import StatusChange

S = FileStatus


class HousingFileError(DomainError):
    """A rule of the household-file pipeline refused the action (French message)."""


# The pipeline (DOMAIN.md §3.4): contact → … → filed → approved | rejected; approved → works → payment requested
# → paid → closed. Abandoned from any open status before paid; lapsed from approved or works (works deadline
# passed). Rejected, closed, abandoned and lapsed are final.
_PIPELINE = (S.CONTACT, S.PRE_ELIGIBILITY, S.VISIT, S.DIAGNOSTIC, S.WORKS_PROGRAMME, S.FILED)
TRANSITIONS: dict[str, frozenset[str]] = {
    **{
        source: frozenset({target, S.ABANDONED})
        for source, target in zip(_PIPELINE, (*_PIPELINE[1:], S.APPROVED), strict=True)
    },
    S.FILED: frozenset({S.APPROVED, S.REJECTED, S.ABANDONED}),
    S.APPROVED: frozenset({S.WORKS, S.ABANDONED, S.LAPSED}),
    S.WORKS: frozenset({S.PAYMENT_REQUESTED, S.ABANDONED, S.LAPSED}),
    S.PAYMENT_REQUESTED: frozenset({S.PAID, S.ABANDONED}),
    S.PAID: frozenset({S.CLOSED}),
    S.REJECTED: frozenset(),
    S.CLOSED: frozenset(),
    S.ABANDONED: frozenset(),
    S.LAPSED: frozenset(),
}
FINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
# The pipeline's working statuses (the kanban's columns), in order.
PIPELINE_STATUSES = tuple(s for s in S.values if s not in FINAL_STATUSES)

# The date each target status records (the transition's `on`).
EVENT_DATE: dict[str, str] = {
    S.VISIT: "visit_on",
    S.DIAGNOSTIC: "diagnostic_on",
    S.FILED: "filed_on",
    S.APPROVED: "decided_on",
    S.REJECTED: "decided_on",
    S.WORKS: "works_started_on",
    S.PAYMENT_REQUESTED: "payment_requested_on",
    S.PAID: "paid_on",
    S.CLOSED: "closed_on",
    S.ABANDONED: "ended_on",
    S.LAPSED: "ended_on",
}

REFERENCE_PREFIX = {
    HousingProgrammeKind.OPAH_RU: "OPAHRU",
    HousingProgrammeKind.PIG: "PIG",
    HousingProgrammeKind.OPAH: "OPAH",
}

# What the create and edit forms change. Status, category, scheme and the pipeline's dates move through
# `change_status`; the receipt and the works extension arrive later and are edited here.
EDITABLE_FIELDS = (
    "assigned_to",
    "contact_channel",
    "owner_type",
    "applicant_name",
    "phone",
    "email",
    "household_size",
    "reference_income",
    "tax_year",
    "zone",
    "autonomy_ground",
    "notes",
    "address",
    "commune",
    "sector",
    "parcel",
    "in_perimeter",
    "in_ort",
    "year_built",
    "surface_m2",
    "dwellings",
    "theme_energy",
    "theme_indigne",
    "theme_autonomy",
    "theme_vacancy",
    "theme_rental",
    "label_before",
    "label_after",
    "consumption_before",
    "consumption_after",
    "works_amount_ht",
    "works_amount_ttc",
    "first_contact_on",
    "france_renov_appointment_on",
    "receipt_on",
    "works_extension_months",
)
# Evidence `change_status` accepts besides `on` and `comment`.
EVIDENCE = frozenset(
    {"receipt_on", "scheme_code", "declared_category", "rejection_kind", "works_completed_on"}
)


def allowed_targets(status: str) -> list[str]:
    return workflow.in_order(TRANSITIONS[status], S)


def _field_label(name: str) -> str:
    return str(HousingFile._meta.get_field(name).verbose_name)


def _check_fields(fields: dict[str, object]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise HousingFileError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")


def next_reference(housing_programme: HousingProgramme, year: int) -> str:
    """« OPAHRU-2026-007 »: the programme kind's prefix, the year, the next number of that year in the
    programme (the caller holds the programme's row lock)."""
    prefix = f"{REFERENCE_PREFIX.get(housing_programme.kind, 'DOSSIER')}-{year}-"
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    numbers = [
        int(match.group(1))
        for reference in HousingFile.objects.filter(
            housing_programme=housing_programme, reference__startswith=prefix
        ).values_list("reference", flat=True)
        if (match := pattern.match(reference))
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def create_file(*, housing_programme: HousingProgramme, by: User, **fields: object) -> HousingFile:
    """A new household file at first contact, with its reference « <prefix>-<year of contact>-<n> »."""
    _check_fields(fields)
    programme = HousingProgramme.objects.select_for_update().get(pk=housing_programme.pk)
    first_contact_on = fields.get("first_contact_on")
    if not isinstance(first_contact_on, datetime.date):
        raise HousingFileError("Indiquez la date du premier contact.")
    extension = fields.get("works_extension_months") or 0
    if extension:
        raise HousingFileError("Une prorogation du délai de travaux suppose une décision d'octroi.")
    file = HousingFile(
        housing_programme=programme,
        reference=next_reference(programme, first_contact_on.year),
        status=S.CONTACT,
        **fields,
    )
    file.full_clean()
    file._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
    file.save()
    StatusChange.objects.create(obj=file, source="", target=S.CONTACT, by=by, comment="Création du dossier.")
    return file


@transaction.atomic
def update_file(
    *, file: HousingFile, expected_version: int, changes: dict[str, object], by: User
) -> HousingFile:
    """Edit the household, the dwelling, the works and the receipt or the extension of the works deadline.
    StaleObjectError when somebody saved the file since `expected_version`; the category kept at filing never
    changes here, even when the income does."""
    _check_fields(changes)
    months = changes.get("works_extension_months")
    if months is not None and months != file.works_extension_months:
        message = rules.extension_error(file=file, months=int(months), rules=rules.load_rules())
        if message:
            raise HousingFileError(message)
    if "receipt_on" in changes and changes["receipt_on"] and file.filed_on is None:
        raise HousingFileError("L'accusé de réception suit le dépôt : le dossier n'est pas encore déposé.")
    return save_versioned(file, expected_version=expected_version, by=by, changes=changes)


def _filing_changes(file: HousingFile, on: datetime.date, evidence: dict[str, object]) -> tuple[dict, str]:
    """The category and the aid version kept at filing, and a line for the StatusChange."""
    changes: dict[str, object] = {}
    notes: list[str] = []
    if file.reference_income is None:
        raise HousingFileError(
            "Pour déposer le dossier, indiquez le revenu fiscal de référence du ménage : la catégorie de "
            "ressources est calculée au dépôt."
        )
    if not file.household_size or not file.zone:
        raise HousingFileError(
            "Pour déposer le dossier, indiquez la taille du ménage et la zone des plafonds."
        )
    declared = str(evidence.get("declared_category") or "")
    try:
        result = income_category(
            reference_income=Decimal(file.reference_income),
            household_size=file.household_size,
            zone=file.zone,
            year=on.year,
        )
    except MissingReferenceData as missing:
        if declared not in IncomeCategory.values:
            raise HousingFileError(
                f"{missing} Indiquez la catégorie figurant dans la décision de l'Anah : elle ne sera pas devinée."
            ) from missing
        changes.update(income_category=declared, category_source=CategorySource.DECLARED, ceiling_year=None)
        notes.append(f"Catégorie déclarée (barème {on.year} non chargé) : {IncomeCategory(declared).label}.")
    else:
        changes.update(
            income_category=result.category, category_source=CategorySource.COMPUTED, ceiling_year=result.year
        )
        notes.append(f"Catégorie calculée (barème {result.year}) : {result.label}.")
    code = str(evidence.get("scheme_code") or "") or (file.scheme.code if file.scheme_id else "")
    if code:
        scheme = AidScheme.objects.filter(code=code).valid_on(on).order_by("-valid_from").first()
        if scheme is None:
            raise HousingFileError(f"Aucune version de l'aide « {code} » n'est en vigueur le {on:%d/%m/%Y}.")
        if scheme.requires_france_renov_appointment and (
            file.france_renov_appointment_on is None or file.france_renov_appointment_on > on
        ):
            raise HousingFileError(
                f"{scheme.name} : le rendez-vous France Rénov' est obligatoire avant le dépôt ; datez-le d'abord."
            )
        changes["scheme"] = scheme
        notes.append(f"Aide : {scheme}.")
    if evidence.get("receipt_on"):
        changes["receipt_on"] = evidence["receipt_on"]
    return changes, " ".join(notes)


@transaction.atomic
def change_status(
    *,
    file: HousingFile,
    to: str,
    by: User,
    on: datetime.date,
    comment: str = "",
    expected_version: int | None = None,
    **evidence: object,
) -> HousingFile:
    """Move the file to `to` on `on`, recording the evidence date (EVENT_DATE) and a StatusChange.

    Evidence: `receipt_on`, `scheme_code` and `declared_category` at filing; `rejection_kind` (express, or
    implicit once the Anah's silence has lasted its months); `works_completed_on` with the payment request.
    Abandoned and lapsed need a reason (`comment`); lapsed needs the works deadline passed."""
    unknown = set(evidence) - EVIDENCE
    if unknown:
        raise HousingFileError(f"Justificatifs inconnus : {', '.join(sorted(unknown))}.")
    current = HousingFile.objects.select_for_update(of=("self",)).select_related("scheme").get(pk=file.pk)
    if expected_version is None:
        expected_version = current.version
    source = current.status
    message = workflow.refusal(
        transitions=TRANSITIONS,
        choices=S,
        source=source,
        target=to,
        subject=f"Le dossier {current.reference}",
        pronoun="il",
    )
    if message:
        raise HousingFileError(message)
    if not isinstance(on, datetime.date):
        raise HousingFileError(f"Pour passer à « {S(to).label} », indiquez la date.")
    comment = comment.strip()
    changes: dict[str, object] = {}
    notes = ""
    field = EVENT_DATE.get(to)
    if field is not None:
        changes[field] = on
    if to == S.FILED:
        filing, notes = _filing_changes(current, on, evidence)
        changes.update(filing)
    elif to == S.APPROVED:
        changes["rejection_kind"] = ""
    elif to == S.REJECTED:
        kind = str(evidence.get("rejection_kind") or RejectionKind.EXPRESS)
        if kind not in RejectionKind.values:
            raise HousingFileError(f"Nature du rejet inconnue : « {kind} ».")
        changes["rejection_kind"] = kind
        if kind == RejectionKind.IMPLICIT:
            due = rules.implicit_rejection_due(current, rules.load_rules())
            if due is None:
                raise HousingFileError(
                    "Le rejet implicite suppose une date de dépôt et une règle de délais Anah en vigueur."
                )
            if on < due:
                raise HousingFileError(
                    f"Pas de rejet implicite avant le {due:%d/%m/%Y} : le silence de l'Anah ne vaut rejet qu'au "
                    "terme du délai."
                )
            changes["decided_on"] = due
            notes = f"Silence de l'Anah : rejet implicite au {due:%d/%m/%Y}."
    elif to == S.PAYMENT_REQUESTED:
        completed = evidence.get("works_completed_on") or current.works_completed_on
        if not completed:
            raise HousingFileError("Pour demander le paiement, indiquez la date de fin des travaux.")
        if completed > on:
            raise HousingFileError("La fin des travaux ne peut pas suivre la demande de paiement.")
        changes["works_completed_on"] = completed
    elif to in (S.ABANDONED, S.LAPSED):
        if to == S.LAPSED:
            due = rules.works_due(current, rules.load_rules())
            if due is None or on <= due:
                limit = f" (échéance le {due:%d/%m/%Y})" if due else ""
                raise HousingFileError(
                    f"Le dossier ne devient caduc qu'une fois le délai d'achèvement des travaux dépassé{limit}."
                )
            comment = comment or f"Travaux non achevés au {due:%d/%m/%Y}."
        if not comment:
            raise HousingFileError("Indiquez le motif de l'abandon.")
        changes["end_reason"] = comment
    changes["status"] = to
    saved = save_versioned(current, expected_version=expected_version, by=by, changes=changes)
    detail = " ".join(
        part
        for part in (
            f"{_field_label(field).capitalize()} : {getattr(saved, field):%d/%m/%Y}." if field else "",
            notes,
            comment,
        )
        if part
    )
    StatusChange.objects.create(obj=saved, source=source, target=to, by=by, comment=detail)
    return saved
