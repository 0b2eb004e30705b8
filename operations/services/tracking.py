"""Writes of an operation's follow-up: phases (baseline, forecast, actual), technical progress, the journal
(progress reports) and risks and difficulties, with the escalation of a difficulty to the decision level.

Rules (issue 4, DOMAIN.md §1.5):
- a phase whose forecast end passes its baseline end carries the reason of the slip (`slip_reason`);
- actual dates record what happened: never in the future; a phase with an actual end is at 100 %;
- the progress entered by hand only exists for an operation without phases (else it is computed);
- a difficulty (or a risk of high or critical level) can be escalated: its status becomes « Remonté pour
  arbitrage », the escalation is recorded as a pvd.models.StatusChange, and `operations.signals.
  difficulty_escalated` is sent once the transaction commits (the governance issue's hook).
Edits carry the version the form was displayed with (pvd.concurrency.save_versioned: a stale page is refused).
"""

import datetime
from decimal import Decimal
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from operations.models import (
    Operation,
    Phase,
    PhaseTemplate,
    ProgressReport,
    ReportWeather,
    Risk,
    RiskKind,
    RiskLevel,
    RiskStatus,
)
from operations.services.errors import OperationError
from operations.signals import difficulty_escalated
from programmes.validators import validate_upload
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.concurrency import save_versioned
from pvd.deadlines import add_months
from pvd.models import StatusChange

PHASE_FIELDS = (
    "name",
    "order",
    "weight",
    "progress",
    "baseline_start",
    "baseline_end",
    "forecast_start",
    "forecast_end",
    "actual_start",
    "actual_end",
    "slip_reason",
)


# --- Phases ------------------------------------------------------------------------------------------------


def _check_phase(values: dict[str, object], today: datetime.date) -> dict[str, object]:
    """The rules of one phase beyond the model's constraints; returns the values, normalised."""
    values = dict(values)
    values["slip_reason"] = str(values.get("slip_reason") or "").strip()
    errors: dict[str, str] = {}
    baseline_end, forecast_end = values.get("baseline_end"), values.get("forecast_end")
    if baseline_end and forecast_end and forecast_end > baseline_end and not values["slip_reason"]:
        errors["slip_reason"] = (
            f"La fin prévisionnelle ({forecast_end:%d/%m/%Y}) dépasse la fin prévue au référentiel "
            f"({baseline_end:%d/%m/%Y}) : indiquez le motif du glissement."
        )
    for field, label in (("actual_start", "Le début réel"), ("actual_end", "La fin réelle")):
        day = values.get(field)
        if day and day > today:
            errors[field] = f"{label} ne peut pas être dans le futur : enregistrez ce qui s'est produit."
    if values.get("actual_end") and values.get("progress") is not None and values["progress"] < 1:
        errors["progress"] = "Une phase terminée (fin réelle renseignée) est avancée à 100 %."
    if values.get("actual_end") and not values.get("actual_start"):
        errors["actual_start"] = "Indiquez le début réel d'une phase terminée."
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def phases_from_template(*, operation: Operation, by: User, start: datetime.date) -> list[Phase]:
    """Create the standard public-works sequence (PhaseTemplate, in order), chained from `start` with each
    step's typical duration; baseline and forecast dates are the same. Refused when phases exist."""
    if operation.phases.exists():
        raise OperationError(
            "L'opération a déjà des phases : le modèle ne s'applique qu'à une opération sans phase."
        )
    templates = list(PhaseTemplate.objects.order_by("order", "pk"))
    if not templates:
        raise OperationError("Aucun modèle de phase n'est défini : ajoutez-en dans l'administration.")
    phases = []
    begins = start
    for order, template in enumerate(templates, start=1):
        ends = add_months(begins, template.typical_months) - datetime.timedelta(days=1)
        phase = Phase(
            operation=operation,
            order=order,
            name=template.name,
            weight=template.weight,
            progress=Decimal(0),
            baseline_start=begins,
            baseline_end=ends,
            forecast_start=begins,
            forecast_end=ends,
        )
        phase.full_clean()
        phase._history_user = by  # type: ignore[attr-defined]
        phase.save()
        phases.append(phase)
        begins = ends + datetime.timedelta(days=1)
    return phases


@transaction.atomic
def phase_create(
    *,
    operation: Operation,
    by: User,
    name: str,
    order: int = 1,
    weight: Decimal = Decimal(1),
    progress: Decimal = Decimal(0),
    baseline_start: datetime.date | None = None,
    baseline_end: datetime.date | None = None,
    forecast_start: datetime.date | None = None,
    forecast_end: datetime.date | None = None,
    actual_start: datetime.date | None = None,
    actual_end: datetime.date | None = None,
    slip_reason: str = "",
) -> Phase:
    """Add a phase or milestone. Without a forecast, the forecast starts as the baseline."""
    values = _check_phase(
        {
            "name": name,
            "order": order,
            "weight": weight,
            "progress": progress,
            "baseline_start": baseline_start,
            "baseline_end": baseline_end,
            "forecast_start": forecast_start or baseline_start,
            "forecast_end": forecast_end or baseline_end,
            "actual_start": actual_start,
            "actual_end": actual_end,
            "slip_reason": slip_reason,
        },
        policy.today(),
    )
    phase = Phase(operation=operation, **values)
    phase.full_clean()
    phase._history_user = by  # type: ignore[attr-defined]
    phase.save()
    return phase


@transaction.atomic
def phase_update(
    *, phase: Phase, expected_version: int, by: User, reason: str = "", **fields: object
) -> Phase:
    """Change a phase (any of PHASE_FIELDS); refused when the page was stale or a rule is broken."""
    unknown = set(fields) - set(PHASE_FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus : {sorted(unknown)}")
    current = {name: getattr(phase, name) for name in PHASE_FIELDS}
    values = _check_phase({**current, **fields}, policy.today())
    return save_versioned(phase, expected_version=expected_version, by=by, changes=values, reason=reason)


@transaction.atomic
def phase_delete(*, phase: Phase, expected_version: int, by: User) -> None:
    """Remove a phase (its history keeps who removed it)."""
    if Phase.objects.filter(pk=phase.pk).values_list("version", flat=True).first() != expected_version:
        raise OperationError(
            f"La phase « {phase.name} » a été modifiée pendant votre saisie : rechargez la page avant de la "
            "supprimer."
        )
    phase._history_user = by  # type: ignore[attr-defined]
    phase.delete()


@transaction.atomic
def operation_set_manual_progress(
    *, operation: Operation, expected_version: int, by: User, progress: Decimal | None
) -> Operation:
    """Enter the technical progress (fraction 0–1, None to clear) of an operation that has no phases."""
    if operation.phases.exists():
        raise OperationError(
            "L'avancement de cette opération est calculé à partir de ses phases : mettez à jour les phases."
        )
    return save_versioned(
        operation, expected_version=expected_version, by=by, changes={"manual_progress": progress}
    )


# --- Journal -----------------------------------------------------------------------------------------------


def _check_attachment(attachment: UploadedFile | IO[bytes] | None) -> None:
    if not attachment:
        return
    name = getattr(attachment, "name", "") or ""
    size = getattr(attachment, "size", None)
    if size is None:
        attachment.seek(0, 2)
        size = attachment.tell()
        attachment.seek(0)
    try:
        validate_upload(attachment, name=name.rsplit("/", 1)[-1], size=size)
    except ValidationError as error:
        raise ValidationError({"attachment": error.messages}) from error


@transaction.atomic
def report_create(
    *,
    operation: Operation,
    by: User,
    on: datetime.date,
    weather: str,
    text: str,
    attachment: UploadedFile | None = None,
) -> ProgressReport:
    """Post a dated entry to the operation's journal; the attachment is checked on its content."""
    if on > policy.today():
        raise ValidationError({"reported_on": "Un point d'avancement ne peut pas être daté dans le futur."})
    if weather not in ReportWeather.values:
        raise ValidationError({"weather": "Choisissez la météo de l'opération."})
    _check_attachment(attachment)
    report = ProgressReport(
        operation=operation, reported_on=on, author=by, weather=weather, text=text.strip()
    )
    if attachment:
        report.attachment = attachment
    report.full_clean()
    report._history_user = by  # type: ignore[attr-defined]
    report.save()
    return report


# --- Risks and difficulties --------------------------------------------------------------------------------


def _record(risk: Risk, source: str, by: User, comment: str) -> None:
    StatusChange.objects.create(obj=risk, source=source, target=risk.status, by=by, comment=comment.strip())


@transaction.atomic
def risk_create(
    *,
    operation: Operation,
    by: User,
    description: str,
    kind: str = RiskKind.RISK,
    level: int = RiskLevel.MEDIUM,
    owner: str = "",
    mitigation: str = "",
) -> Risk:
    """Record a risk or a difficulty, open."""
    risk = Risk(
        operation=operation,
        kind=kind,
        description=description.strip(),
        level=level,
        owner=owner.strip(),
        mitigation=mitigation.strip(),
        status=RiskStatus.OPEN,
    )
    risk.full_clean()
    risk._history_user = by  # type: ignore[attr-defined]
    risk.save()
    _record(risk, "", by, "Risque enregistré." if kind == RiskKind.RISK else "Difficulté signalée.")
    return risk


# Statuses an edit may set; « escalated » and « closed » go through risk_escalate and risk_close.
EDITABLE_STATUSES = {RiskStatus.OPEN, RiskStatus.MITIGATED}


@transaction.atomic
def risk_update(
    *,
    risk: Risk,
    expected_version: int,
    by: User,
    description: str,
    kind: str,
    level: int,
    owner: str = "",
    mitigation: str = "",
    status: str | None = None,
) -> Risk:
    """Change a risk; its status may move between « Ouvert » and « Maîtrisé » here (recorded)."""
    source = risk.status
    changes: dict[str, object] = {
        "description": description.strip(),
        "kind": kind,
        "level": level,
        "owner": owner.strip(),
        "mitigation": mitigation.strip(),
    }
    if status is not None and status != source:
        if status not in EDITABLE_STATUSES or source not in EDITABLE_STATUSES:
            raise OperationError(
                f"Un risque « {RiskStatus(source).label} » ne peut pas passer à « {RiskStatus(status).label} » "
                "par une modification : utilisez la remontée ou la clôture."
            )
        changes["status"] = status
    updated = save_versioned(risk, expected_version=expected_version, by=by, changes=changes)
    if updated.status != source:
        _record(updated, source, by, "")
    return updated


@transaction.atomic
def risk_close(*, risk: Risk, expected_version: int, by: User, comment: str = "") -> Risk:
    """Close a risk or a difficulty (resolved, or no longer relevant), with why in `comment`."""
    source = risk.status
    if source == RiskStatus.CLOSED:
        raise OperationError("Ce risque est déjà clos.")
    updated = save_versioned(
        risk, expected_version=expected_version, by=by, changes={"status": RiskStatus.CLOSED}
    )
    _record(updated, source, by, comment)
    return updated


def can_escalate(risk: Risk) -> bool:
    """A difficulty, or a risk of high or critical level, still open or mitigated."""
    return risk.status in EDITABLE_STATUSES and (
        risk.kind == RiskKind.DIFFICULTY or risk.level >= RiskLevel.HIGH
    )


@transaction.atomic
def risk_escalate(
    *, risk: Risk, expected_version: int, by: User, note: str, on: datetime.date | None = None
) -> Risk:
    """Escalate a difficulty to the decision level (comité de projet, COPIL): status « Remonté pour
    arbitrage », dated, by whom and why; recorded as a StatusChange; `difficulty_escalated` sent on commit."""
    day = on or policy.today()
    note = note.strip()
    if risk.status == RiskStatus.ESCALATED:
        raise OperationError(f"Cette difficulté a déjà été remontée le {risk.escalated_on:%d/%m/%Y}.")
    if risk.status == RiskStatus.CLOSED:
        raise OperationError("Un risque clos ne se remonte pas : signalez une nouvelle difficulté.")
    if not can_escalate(risk):
        raise OperationError(
            "Seule une difficulté rencontrée, ou un risque de niveau élevé ou critique, peut être remonté "
            "pour arbitrage."
        )
    if not note:
        raise ValidationError({"note": "Indiquez ce que vous demandez à l'instance de décision."})
    if day > policy.today():
        raise ValidationError({"on": "La date de remontée ne peut pas être dans le futur."})
    source = risk.status
    updated = save_versioned(
        risk,
        expected_version=expected_version,
        by=by,
        changes={
            "status": RiskStatus.ESCALATED,
            "escalated_on": day,
            "escalated_by": by,
            "escalation_note": note,
        },
    )
    _record(updated, source, by, note)
    transaction.on_commit(
        lambda: difficulty_escalated.send(sender=Risk, risk=updated, by=by, on=day, note=note)
    )
    return updated
