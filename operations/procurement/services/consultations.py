"""Writes of consultations: create, update, lots, award criteria and the status workflow (DOMAIN.md §4.2).

The procedure the thresholds require is computed from the rows in force on the launch date and kept on the
consultation (`computed_procedure`, `computed_publicity`): recomputed while the consultation is not published
(the launch date, value or nature may still change), never after — a threshold row entered later does not
change a launched consultation. The chosen procedure may be stricter; a looser one needs a legal ground.

need_defined → dce → published → opened → analysis → cao (formal procedures only) → awarded → rejections_sent
→ signed; published, opened and analysis may end unsuccessful; any open status may be cancelled. Each
transition checks TRANSITIONS and its evidence (the date of the event), bumps the version and writes a
StatusChange in the same transaction. The bids part awards lots and creates contracts: it calls
`consultation_change_status` for "awarded", "rejections_sent" and "signed" (the standstill is checked here).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from operations.models import Operation
from operations.procurement.models import (
    Consultation,
    ConsultationStatus,
    Criterion,
    CriterionKind,
    Lot,
    Procedure,
)
from operations.procurement.thresholds import (
    ProcurementError,
    chosen_procedure_allowed,
    load_thresholds,
    required_procedure,
)
from operations.procurement.timeline import offers_delay_problem, questions_problem, signature_problem
from partners.models import Organisation
from programmes.models import Programme
from pvd import workflow
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.concurrency import save_versioned
from pvd.models import StatusChange
from pvd.money import format_euros, format_percent

S = ConsultationStatus
HUNDRED_PERCENT = Decimal(1)


class ConsultationError(ProcurementError):
    """A consultation rule refused the action (French message)."""


TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEED_DEFINED: frozenset({S.DCE, S.CANCELLED}),
    S.DCE: frozenset({S.PUBLISHED, S.NEED_DEFINED, S.CANCELLED}),
    S.PUBLISHED: frozenset({S.OPENED, S.UNSUCCESSFUL, S.CANCELLED}),
    S.OPENED: frozenset({S.ANALYSIS, S.UNSUCCESSFUL, S.CANCELLED}),
    S.ANALYSIS: frozenset({S.CAO, S.AWARDED, S.UNSUCCESSFUL, S.CANCELLED}),
    S.CAO: frozenset({S.AWARDED, S.CANCELLED}),
    S.AWARDED: frozenset({S.REJECTIONS_SENT, S.CANCELLED}),
    S.REJECTIONS_SENT: frozenset({S.SIGNED, S.CANCELLED}),
    S.SIGNED: frozenset(),
    S.UNSUCCESSFUL: frozenset(),
    S.CANCELLED: frozenset(),
}
# Before publication the need (value, nature, launch date), the lots and the criteria may still change.
DRAFT_STATUSES = frozenset({S.NEED_DEFINED, S.DCE})
OPEN_STATUSES = frozenset(s for s, targets in TRANSITIONS.items() if targets)

# The date each status records (the form's "date of the event").
EVENT_DATE: dict[str, str] = {
    S.PUBLISHED: "published_on",
    S.OPENED: "opened_on",
    S.ANALYSIS: "analysis_on",
    S.CAO: "cao_on",
    S.AWARDED: "awarded_on",
    S.REJECTIONS_SENT: "rejections_sent_on",
}
EVIDENCE: dict[str, tuple[str, ...]] = {
    S.PUBLISHED: ("published_on", "offers_deadline"),
    S.OPENED: ("opened_on",),
    S.ANALYSIS: ("analysis_on",),
    S.CAO: ("cao_on",),
    S.AWARDED: ("awarded_on",),
    S.REJECTIONS_SENT: ("rejections_sent_on",),
}
REASON_REQUIRED = frozenset({S.UNSUCCESSFUL, S.CANCELLED})
STATUS_FIELDS = frozenset(
    {
        "published_on",
        "questions_deadline",
        "offers_deadline",
        "opened_on",
        "analysis_on",
        "cao_on",
        "awarded_on",
        "award_decision_reference",
        "rejections_sent_on",
        "award_notice_on",
    }
)
# What the consultation is (create and edit); the timeline moves with the status.
DESCRIPTIVE_FIELDS = (
    "reference",
    "title",
    "buyer",
    "buyer_siret",
    "nature",
    "cpv_code",
    "estimated_value_ht",
    "launch_date",
    "procedure",
    "procedure_ground",
    "electronic",
    "framework_agreement",
    "price_formula",
)
NEED_FIELDS = ("nature", "estimated_value_ht", "launch_date")


def _label(status: str) -> str:
    return S(status).label


def allowed_targets(consultation: Consultation) -> list[str]:
    """The statuses the consultation may move to, in workflow order (CAO only for formal procedures, a
    direct award only for the others)."""
    targets = set(TRANSITIONS[consultation.status])
    if consultation.status == S.ANALYSIS:
        targets.discard(S.AWARDED if consultation.is_formal else S.CAO)
    return workflow.in_order(targets, S)


def check_transition(consultation: Consultation, to: str) -> None:
    source = consultation.status
    if source == S.ANALYSIS and to == S.AWARDED and consultation.is_formal:
        raise ConsultationError(
            "Procédure formalisée : la commission d'appel d'offres choisit l'attributaire (L1414-2 CGCT) ; "
            "passez d'abord par l'étape « Commission d'appel d'offres »."
        )
    if source == S.ANALYSIS and to == S.CAO and not consultation.is_formal:
        raise ConsultationError(
            "La commission d'appel d'offres n'intervient que dans les procédures formalisées : "
            "attribuez directement."
        )
    message = workflow.refusal(
        transitions=TRANSITIONS,
        choices=S,
        source=source,
        target=to,
        subject=f"La consultation {consultation.reference}",
        pronoun="elle",
        allowed=allowed_targets(consultation),
    )
    if message:
        raise ConsultationError(message)


# --- The procedure ------------------------------------------------------------------------------------------


def _computed(nature: str, value: Decimal, launch_date: datetime.date) -> tuple[str, str]:
    requirement = required_procedure(nature, value, launch_date, load_thresholds())
    return requirement.procedure, requirement.publicity


def _check_procedure(computed: str, chosen: str, ground: str) -> None:
    problem = chosen_procedure_allowed(computed, chosen, ground)
    if problem:
        raise ValidationError({"procedure": problem})


# --- Lots ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotData:
    title: str
    estimated_value_ht: Decimal
    number: int | None = None
    operation: Operation | None = None


def lots_gap(consultation: Consultation, lots: Iterable[Lot] | None = None) -> Decimal:
    """The consultation's estimated value minus the sum of its lots' estimates (0 when they agree)."""
    lots = list(consultation.lots.all() if lots is None else lots)
    return consultation.estimated_value_ht - sum((lot.estimated_value_ht for lot in lots), Decimal(0))


def lots_warning(consultation: Consultation, lots: Iterable[Lot] | None = None) -> str:
    """A French warning when the lots' estimates do not add up to the consultation's value ('' when they do)."""
    lots = list(consultation.lots.all() if lots is None else lots)
    if not lots:
        return "La consultation n'a aucun lot : ajoutez-en au moins un."
    gap = lots_gap(consultation, lots)
    if gap == 0:
        return ""
    total = consultation.estimated_value_ht - gap
    return (
        f"La somme des lots ({format_euros(total)} HT) diffère de la valeur estimée du besoin "
        f"({format_euros(consultation.estimated_value_ht)} HT) de {format_euros(abs(gap))} : la procédure se "
        "calcule sur la valeur totale, corrigez l'une ou l'autre."
    )


def _check_operation(consultation: Consultation, operation: Operation | None) -> None:
    if operation is not None and operation.programme_id != consultation.programme_id:
        raise ValidationError({"operation": "Cette opération appartient à un autre programme."})


def _check_lots_editable(consultation: Consultation) -> None:
    if consultation.status not in DRAFT_STATUSES:
        raise ConsultationError(
            f"La consultation est « {_label(consultation.status)} » : ses lots ne changent plus après la "
            "publication (seul le caractère infructueux d'un lot s'enregistre avec les offres)."
        )


@transaction.atomic
def lot_create(
    *,
    consultation: Consultation,
    by: User,
    title: str,
    estimated_value_ht: Decimal,
    number: int | None = None,
    operation: Operation | None = None,
) -> Lot:
    """Add a lot (numbered after the last one when no number is given)."""
    current = Consultation.objects.select_for_update().get(pk=consultation.pk)
    _check_lots_editable(current)
    _check_operation(current, operation)
    if number is None:
        number = (current.lots.aggregate(n=Max("number"))["n"] or 0) + 1
    lot = Lot(
        consultation=current,
        number=number,
        title=title.strip(),
        estimated_value_ht=estimated_value_ht,
        operation=operation,
    )
    lot.full_clean()
    lot._history_user = by  # type: ignore[attr-defined]
    lot.save()
    if operation is not None:
        current.operations.add(operation)
    return lot


@transaction.atomic
def lot_update(
    *,
    lot: Lot,
    by: User,
    title: str,
    estimated_value_ht: Decimal,
    number: int,
    operation: Operation | None = None,
) -> Lot:
    current = Consultation.objects.select_for_update().get(pk=lot.consultation_id)
    _check_lots_editable(current)
    _check_operation(current, operation)
    lot = Lot.objects.get(pk=lot.pk)
    lot.title, lot.estimated_value_ht, lot.number, lot.operation = (
        title.strip(),
        estimated_value_ht,
        number,
        operation,
    )
    lot.full_clean()
    lot._history_user = by  # type: ignore[attr-defined]
    lot.save()
    if operation is not None:
        current.operations.add(operation)
    return lot


# --- Consultation -------------------------------------------------------------------------------------------


@transaction.atomic
def consultation_create(
    *,
    programme: Programme,
    by: User,
    reference: str,
    title: str,
    buyer: Organisation,
    nature: str,
    estimated_value_ht: Decimal,
    launch_date: datetime.date,
    procedure: str = "",
    procedure_ground: str = "",
    operations: Iterable[Operation] = (),
    lots: Sequence[LotData] = (),
    buyer_siret: str = "",
    cpv_code: str = "",
    electronic: bool = True,
    framework_agreement: bool = False,
    price_formula: str = "",
) -> Consultation:
    """Record a consultation (need defined) with the procedure the thresholds in force on `launch_date`
    require; `procedure` empty → that one. Without `lots`, a single lot carries the whole value.

    MissingThreshold when a threshold is missing on that date; ValidationError on the field for a looser
    procedure without a legal ground or an operation of another programme."""
    operations = list(operations)
    strangers = [o.code for o in operations if o.programme_id != programme.pk]
    if strangers:
        raise ValidationError({"operations": f"Opérations d'un autre programme : {', '.join(strangers)}."})
    computed, publicity = _computed(nature, estimated_value_ht, launch_date)
    procedure = procedure or computed
    _check_procedure(computed, procedure, procedure_ground)
    consultation = Consultation(
        programme=programme,
        buyer=buyer,
        buyer_siret=buyer_siret,
        reference=reference.strip(),
        title=title.strip(),
        nature=nature,
        cpv_code=cpv_code.strip(),
        estimated_value_ht=estimated_value_ht,
        launch_date=launch_date,
        computed_procedure=computed,
        computed_publicity=publicity,
        procedure=procedure,
        procedure_ground=procedure_ground.strip(),
        electronic=electronic,
        framework_agreement=framework_agreement,
        status=S.NEED_DEFINED,
    )
    if price_formula:
        consultation.price_formula = price_formula
    consultation.full_clean()
    consultation._history_user = by  # type: ignore[attr-defined]
    consultation.save()
    if operations:
        consultation.operations.set(operations)
    for index, data in enumerate(lots or [LotData("Lot unique", estimated_value_ht)], start=1):
        _check_operation(consultation, data.operation)
        lot = Lot(
            consultation=consultation,
            number=data.number or index,
            title=data.title.strip(),
            estimated_value_ht=data.estimated_value_ht,
            operation=data.operation,
        )
        lot.full_clean()
        lot._history_user = by  # type: ignore[attr-defined]
        lot.save()
        if data.operation is not None and data.operation not in operations:
            consultation.operations.add(data.operation)
    StatusChange.objects.create(
        obj=consultation,
        source="",
        target=S.NEED_DEFINED,
        by=by,
        comment=f"Consultation créée ; procédure requise par les seuils : {Procedure(computed).label}.",
    )
    return consultation


@transaction.atomic
def consultation_update(
    *,
    consultation: Consultation,
    expected_version: int,
    by: User,
    operations: Iterable[Operation] | None = None,
    **fields: object,
) -> Consultation:
    """Change what the consultation is. While it is not published, a change of nature, value or launch date
    recomputes the required procedure; after, they are refused (the procedure was run on them).

    StaleObjectError when somebody saved it since `expected_version`; ValidationError (French) otherwise."""
    unknown = set(fields) - set(DESCRIPTIVE_FIELDS)
    if unknown:
        raise ConsultationError(f"Champs inattendus : {', '.join(sorted(unknown))}.")
    current = Consultation.objects.get(pk=consultation.pk)
    changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    need_changed = [k for k in NEED_FIELDS if k in changes and changes[k] != getattr(current, k)]
    computed, publicity = current.computed_procedure, current.computed_publicity
    if need_changed and current.status not in DRAFT_STATUSES:
        names = ", ".join(str(Consultation._meta.get_field(k).verbose_name) for k in need_changed)
        raise ConsultationError(
            f"La consultation est « {_label(current.status)} » : {names} ne peu"
            f"{'vent' if len(need_changed) > 1 else 't'} plus changer, la procédure a été lancée sur ces "
            "bases. Déclarez-la sans suite et lancez une nouvelle consultation."
        )
    if need_changed or not computed:
        computed, publicity = _computed(
            changes.get("nature", current.nature),
            changes.get("estimated_value_ht", current.estimated_value_ht),
            changes.get("launch_date", current.launch_date),
        )
    procedure = changes.get("procedure") or current.procedure or computed
    changes["procedure"] = procedure
    ground = changes.get("procedure_ground", current.procedure_ground)
    if current.status in DRAFT_STATUSES or "procedure" in fields or "procedure_ground" in fields:
        _check_procedure(computed, procedure, ground)
    if current.status not in DRAFT_STATUSES and procedure != current.procedure:
        raise ConsultationError("La procédure retenue ne change plus après la publication.")
    saved = save_versioned(
        current,
        expected_version=expected_version,
        by=by,
        changes={**changes, "computed_procedure": computed, "computed_publicity": publicity},
    )
    if operations is not None:
        operations = list(operations)
        strangers = [o.code for o in operations if o.programme_id != saved.programme_id]
        if strangers:
            raise ValidationError(
                {"operations": f"Opérations d'un autre programme : {', '.join(strangers)}."}
            )
        saved._history_user = by  # type: ignore[attr-defined]
        if set(saved.operations.values_list("pk", flat=True)) != {o.pk for o in operations}:
            saved.operations.set(operations)
    return saved


# --- Criteria -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionData:
    """A criterion of the formset: `key` identifies it in the formset, `parent_key` its parent's key."""

    key: int
    kind: str
    name: str
    weight: Decimal  # a fraction (0,6 for 60 %)
    max_score: Decimal = Decimal(10)
    parent_key: int | None = None


def criteria_problems(criteria: Sequence[Criterion]) -> list[str]:
    """What keeps the criteria from being published (French): top-level weights summing to exactly 100 %,
    each criterion's sub-criteria to 100 % of it, exactly one price criterion."""
    problems = []
    top = [c for c in criteria if c.parent_id is None]
    if not top:
        return ["Aucun critère d'attribution n'est défini : la pondération doit totaliser 100 %."]
    total = sum((c.weight for c in top), Decimal(0))
    if total != HUNDRED_PERCENT:
        problems.append(
            f"Les pondérations des critères totalisent {format_percent(total)} : elles doivent totaliser "
            "exactement 100 %."
        )
    for parent in top:
        children = [c for c in criteria if c.parent_id == parent.pk]
        if children:
            share = sum((c.weight for c in children), Decimal(0))
            if share != HUNDRED_PERCENT:
                problems.append(
                    f"Les sous-critères de « {parent.name} » totalisent {format_percent(share)} de sa "
                    "pondération : ils doivent en totaliser exactement 100 %."
                )
    prices = [c for c in top if c.kind == CriterionKind.PRICE]
    if len(prices) != 1:
        problems.append(
            f"{'Aucun critère' if not prices else f'{len(prices)} critères'} « Prix » : la notation attend "
            "exactement un critère de prix."
        )
    return problems


@transaction.atomic
def criteria_set(
    *, consultation: Consultation, by: User, criteria: Sequence[CriterionData]
) -> list[Criterion]:
    """Replace the consultation's criteria (before publication). The weights are checked at publication
    (criteria_problems); here, each row's own rules: a parent is a top-level criterion of the list."""
    current = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if current.status not in DRAFT_STATUSES:
        raise ConsultationError(
            f"La consultation est « {_label(current.status)} » : les critères publiés ne changent plus "
            "(égalité de traitement des candidats)."
        )
    keys = {c.key: c for c in criteria}
    if len(keys) != len(criteria):
        raise ConsultationError("Deux critères portent le même numéro d'ordre.")
    for c in criteria:
        if c.parent_key is not None:
            parent = keys.get(c.parent_key)
            if parent is None:
                raise ConsultationError(f"« {c.name} » : aucun critère ne porte le numéro {c.parent_key}.")
            if parent.parent_key is not None:
                raise ConsultationError(
                    f"« {c.name} » : un sous-critère se rattache à un critère principal, pas à un sous-critère."
                )
            if c.kind == CriterionKind.PRICE:
                raise ConsultationError("Le prix est un critère principal, pas un sous-critère.")
    # Sub-criteria first (the parents' cascade would skip their history author).
    for existing in current.criteria.order_by("-parent_id", "pk"):
        existing._history_user = by  # type: ignore[attr-defined]
        existing.delete()
    saved: dict[int, Criterion] = {}
    for c in sorted(criteria, key=lambda c: (c.parent_key is not None, c.key)):
        row = Criterion(
            consultation=current,
            parent=saved[c.parent_key] if c.parent_key is not None else None,
            position=c.key,
            kind=c.kind,
            name=c.name.strip(),
            weight=c.weight,
            max_score=c.max_score,
        )
        row.full_clean()
        row._history_user = by  # type: ignore[attr-defined]
        row.save()
        saved[c.key] = row
    return sorted(saved.values(), key=lambda r: (r.position, r.pk))


# --- Status -------------------------------------------------------------------------------------------------


def _day(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value  # type: ignore[return-value]


def _check_publication(current: Consultation, changes: dict[str, object]) -> None:
    if not current.lots.exists():
        raise ConsultationError("Ajoutez au moins un lot avant de publier.")
    problems = criteria_problems(list(current.criteria.all()))
    if problems:
        raise ConsultationError("Publication impossible : " + " ".join(problems))
    problem = chosen_procedure_allowed(
        current.computed_procedure, current.procedure, current.procedure_ground
    )
    if problem:
        raise ConsultationError(problem)
    published = _day(changes.get("published_on", current.published_on))
    offers = _day(changes.get("offers_deadline", current.offers_deadline))
    if published is not None and offers is not None and offers <= published:
        raise ValidationError({"offers_deadline": "La remise des offres suit la publication."})
    problem = offers_delay_problem(current.procedure, current.electronic, published, offers)
    if problem:
        raise ValidationError({"offers_deadline": problem})
    problem = questions_problem(
        current.procedure, _day(changes.get("questions_deadline", current.questions_deadline)), offers
    )
    if problem:
        raise ValidationError({"questions_deadline": problem})


@transaction.atomic
def consultation_change_status(
    *,
    consultation: Consultation,
    status: str,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
    signed_on: datetime.date | None = None,
    **dates: object,
) -> Consultation:
    """Move the consultation to `status` with its evidence (`published_on`, `offers_deadline`, `opened_on`,
    `analysis_on`, `cao_on`, `awarded_on`, `rejections_sent_on`…); `signed_on` (not stored here: the
    contracts keep it) is checked against the standstill for "signed".

    ConsultationError (French) when the transition or its evidence is refused; ValidationError on the field
    for a date out of order; StaleObjectError when `expected_version` is stale."""
    unknown = set(dates) - STATUS_FIELDS
    if unknown:
        raise ConsultationError(
            f"Champs inattendus pour un changement de statut : {', '.join(sorted(unknown))}."
        )
    current = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if expected_version is None:
        expected_version = current.version
    check_transition(current, status)
    changes = {name: value for name, value in dates.items() if value not in (None, "")}
    missing = [
        name for name in EVIDENCE.get(status, ()) if changes.get(name, getattr(current, name)) in (None, "")
    ]
    if missing:
        names = ", ".join(f"« {Consultation._meta.get_field(n).verbose_name} »" for n in missing)
        raise ConsultationError(f"Pour passer la consultation à « {_label(status)} », indiquez : {names}.")
    comment = comment.strip()
    if status in REASON_REQUIRED:
        if not comment:
            raise ConsultationError(f"Indiquez le motif pour passer la consultation à « {_label(status)} ».")
        changes["closing_reason"] = comment
    if status == S.PUBLISHED:
        _check_publication(current, changes)
    if status == S.OPENED:
        offers = _day(changes.get("offers_deadline", current.offers_deadline))
        opened = changes.get("opened_on", current.opened_on)
        if offers is not None and opened < offers:
            raise ValidationError(
                {
                    "opened_on": f"Les plis ne s'ouvrent qu'après la date limite de remise des offres ({offers:%d/%m/%Y})."
                }
            )
    if status == S.SIGNED:
        problem = signature_problem(current, signed_on or policy.today())
        if problem:
            raise ConsultationError(problem)
    for name in ("analysis_on", "cao_on", "awarded_on"):
        value = changes.get(name)
        opened = changes.get("opened_on", current.opened_on)
        if value is not None and opened is not None and value < opened:
            label = Consultation._meta.get_field(name).verbose_name
            raise ValidationError({name: f"« {label} » ne peut pas précéder l'ouverture des plis."})
    source = current.status
    saved = save_versioned(
        current, expected_version=expected_version, by=by, changes={**changes, "status": status}
    )
    StatusChange.objects.create(obj=saved, source=source, target=status, by=by, comment=comment)
    return saved
