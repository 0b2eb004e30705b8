"""Options of an arbitration note (issue 8, H4): create, edit and delete them while the note is a draft, set their
financing changes, and implement the option the decider approved.

Implementing applies the option **through the owning apps' services** — `operation_update` (cost),
`plan_save` (the plan's eligible expense follows the cost), `phase_update` (each unfinished phase shifted),
`line_update` / `line_set_status` / `line_create` (financing), `operation_change_status` (last) — each with the
reason « Arbitrage ARB-…, option X » so the objects' own history says why, and records one `ArbitrationEffect` per
changed field. Everything runs in one transaction: when any service refuses, nothing is changed and the refusal is
raised as an `ArbitrationError` in French.

Keyword-only, atomic, audited (the history user on every row); refusals raise `ArbitrationError` or
`ValidationError` (per field) in French.
"""

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from budget.models import FinancingLine, FinancingPlan
from budget.services import financing as financing_services
from operations.models import Operation, OperationStatus, Phase
from operations.services import operation as operation_services
from operations.services import tracking as tracking_services
from pvd.accounts.models import User
from pvd.concurrency import StaleObjectError, save_audited, save_versioned
from pvd.errors import DomainError
from pvd.governance.models import (
    Arbitration,
    ArbitrationEffect,
    ArbitrationOption,
    ArbitrationOutcome,
    ArbitrationStatus,
    FinancingChangeAction,
    OptionFinancingChange,
)
from pvd.governance.selectors.impact import (
    option_ttc,
    options_with_impact,
    shifted_dates,
    unfinished,
    withdraw_path,
)
from pvd.governance.services.arbitrations import ArbitrationError
from pvd.models import StatusChange
from pvd.money import format_euros, round_cents

OPTION_FIELDS = (
    "letter",
    "title",
    "description",
    "operation",
    "new_cost_ht",
    "new_vat_rate",
    "new_cost_ttc",
    "shift_days",
    "new_status",
    "risks",
    "partner_opinions",
)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def next_letter(arbitration: Arbitration) -> str:
    """The first free letter of the note's options (A, B, C…)."""
    used = set(ArbitrationOption.objects.filter(arbitration=arbitration).values_list("letter", flat=True))
    return next((letter for letter in LETTERS if letter not in used), "")


def _locked_draft(arbitration: Arbitration) -> Arbitration:
    current = Arbitration.objects.select_for_update().get(pk=arbitration.pk)
    if current.status != ArbitrationStatus.DRAFT:
        raise ArbitrationError(
            f"L'arbitrage {current.reference} est « {current.get_status_display()} » : ses options ne se modifient "
            "qu'en brouillon."
        )
    return current


def _clean_option(
    arbitration: Arbitration, data: Mapping[str, object], *, exclude_pk: int | None = None
) -> dict[str, object]:
    """The option's values, checked against the note and the operation's workflow; TTC computed from the rate."""
    values = {name: data[name] for name in OPTION_FIELDS if name in data}
    errors: dict[str, str] = {}
    for text in ("title", "description", "risks", "partner_opinions", "new_status"):
        values[text] = str(values.get(text) or "").strip()
    letter = str(values.get("letter") or "").strip().upper() or next_letter(arbitration)
    values["letter"] = letter
    if not letter or len(letter) > 2 or not letter.isalpha():
        errors["letter"] = "La lettre de l'option est une ou deux lettres (A, B, C…)."
    elif (
        ArbitrationOption.objects.filter(arbitration=arbitration, letter=letter)
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["letter"] = f"Cet arbitrage a déjà une option {letter}."
    if not values["title"]:
        errors["title"] = "Donnez un intitulé à l'option."
    operation: Operation | None = values.get("operation")  # type: ignore[assignment]
    values["shift_days"] = int(values.get("shift_days") or 0)
    ht, rate, ttc = values.get("new_cost_ht"), values.get("new_vat_rate"), values.get("new_cost_ttc")
    if operation is not None and operation.programme_id != arbitration.programme_id:
        errors["operation"] = f"L'opération {operation.code} n'appartient pas au programme de l'arbitrage."
    if operation is None:
        wants = ht is not None or ttc is not None or values["shift_days"] or values["new_status"]
        if wants:
            errors["operation"] = (
                "Choisissez l'opération dont l'option change le coût, le calendrier ou le statut."
            )
    if ht is None:
        if ttc is not None or rate is not None:
            errors["new_cost_ht"] = "Indiquez le nouveau coût HT (le TTC s'en déduit avec le taux de TVA)."
    else:
        if ht < 0:
            errors["new_cost_ht"] = "Un coût ne peut pas être négatif."
        if rate is not None:
            values["new_cost_ttc"] = round_cents(ht * (1 + rate))
        elif ttc is None:
            errors["new_cost_ttc"] = "Indiquez le taux de TVA (le TTC est alors calculé) ou le coût TTC."
        elif ttc < ht:
            errors["new_cost_ttc"] = "Le coût TTC ne peut pas être inférieur au coût HT."
    status = values["new_status"]
    if status and operation is not None and "operation" not in errors:
        if status not in OperationStatus.values:
            errors["new_status"] = f"Statut inconnu : « {status} »."
        elif status not in operation_services.allowed_targets(operation.status):
            errors["new_status"] = (
                f"L'opération {operation.code} est « {operation.get_status_display()} » : elle ne peut pas passer "
                f"à « {OperationStatus(status).label} »."
            )
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def option_create(*, arbitration: Arbitration, by: User, data: Mapping[str, object]) -> ArbitrationOption:
    """Add an option to a draft note (the next free letter when none is given)."""
    current = _locked_draft(arbitration)
    values = _clean_option(current, data)
    option = ArbitrationOption(arbitration=current, **values)
    save_audited(option, by)
    return option


@transaction.atomic
def option_update(
    *, option: ArbitrationOption, expected_version: int, by: User, data: Mapping[str, object]
) -> ArbitrationOption:
    """Change an option of a draft note; changing its operation drops the financing changes of the former one."""
    current = _locked_draft(option.arbitration)
    values = _clean_option(current, data, exclude_pk=option.pk)
    if "operation" in values and option.operation_id != getattr(values["operation"], "pk", None):
        for change in OptionFinancingChange.objects.filter(option=option):
            change._history_user = by  # type: ignore[attr-defined]
            change.delete()
    return save_versioned(option, expected_version=expected_version, changes=values, by=by)


@transaction.atomic
def option_delete(*, option: ArbitrationOption, by: User, expected_version: int | None = None) -> None:
    """Remove an option (and its financing changes) from a draft note."""
    arbitration = _locked_draft(option.arbitration)
    current = ArbitrationOption.objects.select_for_update().get(pk=option.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleObjectError(
            f"L'option {current.letter} a été modifiée pendant votre lecture : rechargez la page avant de la supprimer."
        )
    if arbitration.recommended_option_id == current.pk:
        save_versioned(
            arbitration, expected_version=arbitration.version, changes={"recommended_option": None}, by=by
        )
    for change in OptionFinancingChange.objects.filter(option=current):
        change._history_user = by  # type: ignore[attr-defined]
        change.delete()
    current._history_user = by  # type: ignore[attr-defined]
    current.delete()


# --- Financing changes ----------------------------------------------------------------------------------------------


def financing_lines_of(option: ArbitrationOption) -> models.QuerySet[FinancingLine]:
    """The lines an option may change or withdraw: those of its operation's plan."""
    if option.operation_id is None:
        return FinancingLine.objects.none()
    return (
        FinancingLine.objects.filter(plan__operation_id=option.operation_id)
        .select_related("funder", "scheme")
        .order_by("position", "pk")
    )


def _clean_change(option: ArbitrationOption, row: Mapping[str, object], index: int) -> OptionFinancingChange:
    action = row.get("action") or ""
    line: FinancingLine | None = row.get("line")  # type: ignore[assignment]
    ht, ttc = row.get("amount_ht"), row.get("amount_ttc")
    prefix = f"Ligne {index} du tableau : "
    if action not in FinancingChangeAction.values:
        raise ValidationError(f"{prefix}choisissez le changement (modifier, retirer ou ajouter une ligne).")
    if action == FinancingChangeAction.ADD:
        if line is not None:
            raise ValidationError(f"{prefix}une nouvelle ligne ne désigne pas de ligne existante.")
        if row.get("funder") is None:
            raise ValidationError(f"{prefix}indiquez le financeur de la nouvelle ligne.")
        if not row.get("category"):
            raise ValidationError(f"{prefix}choisissez la catégorie de la nouvelle ligne.")
        if ht is None:
            raise ValidationError(f"{prefix}indiquez le montant HT de la nouvelle ligne.")
    else:
        if line is None:
            raise ValidationError(
                f"{prefix}choisissez la ligne du plan de financement à modifier ou à retirer."
            )
        if line.plan.operation_id != option.operation_id:
            raise ValidationError(
                f"{prefix}la ligne « {line} » n'appartient pas au plan de financement de l'opération de l'option."
            )
        if line.status == FinancingLine.Status.REFUSED:
            raise ValidationError(f"{prefix}la ligne « {line} » est déjà refusée.")
        if action == FinancingChangeAction.CHANGE and ht is None:
            raise ValidationError(f"{prefix}indiquez le nouveau montant HT de la ligne « {line} ».")
    if action == FinancingChangeAction.WITHDRAW:
        ht = ttc = None
    elif ht is not None:
        if ht < 0:
            raise ValidationError(f"{prefix}un montant ne peut pas être négatif.")
        ttc = ht if ttc is None else ttc
        if ttc < ht:
            raise ValidationError(f"{prefix}le montant TTC ne peut pas être inférieur au montant HT.")
    add = action == FinancingChangeAction.ADD
    return OptionFinancingChange(
        option=option,
        action=action,
        line=None if add else line,
        category=row.get("category") or "" if add else "",
        funder=row.get("funder") if add else None,
        scheme=row.get("scheme") if add else None,
        label=str(row.get("label") or "").strip() if add else "",
        amount_ht=ht,
        amount_ttc=ttc,
    )


@transaction.atomic
def financing_changes_set(
    *, option: ArbitrationOption, rows: Sequence[Mapping[str, object]], by: User, expected_version: int
) -> ArbitrationOption:
    """Replace the option's financing changes by `rows` (one per line changed, withdrawn or added)."""
    _locked_draft(option.arbitration)
    if option.operation_id is None:
        raise ArbitrationError("Choisissez d'abord l'opération que l'option modifie.")
    if rows and not FinancingPlan.objects.filter(operation_id=option.operation_id).exists():
        raise ArbitrationError(
            "L'opération de l'option n'a pas de plan de financement : créez-le dans l'onglet financier de l'opération."
        )
    saved = save_versioned(option, expected_version=expected_version, changes={}, by=by)
    changes = [_clean_change(saved, row, index) for index, row in enumerate(rows, start=1)]
    lines = [change.line_id for change in changes if change.line_id]
    if len(lines) != len(set(lines)):
        raise ValidationError(
            "Une même ligne du plan ne peut être modifiée ou retirée qu'une fois par option."
        )
    for change in OptionFinancingChange.objects.filter(option=saved):
        change._history_user = by  # type: ignore[attr-defined]
        change.delete()
    for change in changes:
        save_audited(change, by)
    return saved


# --- Implementing the chosen option -----------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return format_euros(value)
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


class _Effects:
    def __init__(self, arbitration: Arbitration) -> None:
        self.arbitration = arbitration
        self.rows: list[ArbitrationEffect] = []

    def add(
        self, obj: models.Model, field: str, before: object, after: object, label: str | None = None
    ) -> None:
        if before == after:
            return
        self.rows.append(
            ArbitrationEffect(
                arbitration=self.arbitration,
                content_type=ContentType.objects.get_for_model(type(obj)),
                object_id=obj.pk,
                object_label=(label or str(obj))[:250],
                field=field[:120],
                before=_text(before)[:250],
                after=_text(after)[:250],
            )
        )


def _update_cost(
    operation: Operation, option: ArbitrationOption, by: User, reason: str, effects: _Effects
) -> Operation:
    ttc = option_ttc(option)
    before_ht, before_ttc = operation.estimated_cost_ht, operation.estimated_cost_ttc
    saved = operation_services.operation_update(
        operation=operation,
        expected_version=operation.version,
        by=by,
        code=operation.code,
        title=operation.title,
        owner=operation.owner,
        communes=list(operation.communes.all()),
        themes=list(operation.themes.all()),
        partners=list(operation.partners.all()),
        axis=operation.axis,
        objective=operation.objective,
        in_ort=operation.in_ort,
        ort_sector=operation.ort_sector,
        description=operation.description,
        objectives=operation.objectives,
        expected_results=operation.expected_results,
        estimated_cost_ht=option.new_cost_ht,
        estimated_cost_ttc=ttc,
        priority=operation.priority,
        maturity=operation.maturity,
        elected_in_charge=operation.elected_in_charge,
        technician_in_charge=operation.technician_in_charge,
        manual_progress=operation.manual_progress,
        reason=reason,
    )
    effects.add(saved, "Coût estimé HT", before_ht, saved.estimated_cost_ht)
    effects.add(saved, "Coût estimé TTC", before_ttc, saved.estimated_cost_ttc)
    plan = FinancingPlan.objects.filter(operation=saved).first()
    if plan is not None:
        delta_ht = (saved.estimated_cost_ht or 0) - (
            before_ht if before_ht is not None else plan.eligible_cost_ht
        )
        delta_ttc = (saved.estimated_cost_ttc or 0) - (
            before_ttc if before_ttc is not None else plan.eligible_cost_ttc
        )
        data = {
            "eligible_cost_ht": max(plan.eligible_cost_ht + delta_ht, Decimal(0)),
            "eligible_cost_ttc": max(plan.eligible_cost_ttc + delta_ttc, Decimal(0)),
        }
        if (
            data["eligible_cost_ht"] != plan.eligible_cost_ht
            or data["eligible_cost_ttc"] != plan.eligible_cost_ttc
        ):
            after = financing_services.plan_save(
                operation=saved, data=data, expected_version=plan.version, by=by, reason=reason
            )
            effects.add(after, "Dépense éligible HT", plan.eligible_cost_ht, after.eligible_cost_ht)
            effects.add(after, "Dépense éligible TTC", plan.eligible_cost_ttc, after.eligible_cost_ttc)
    return saved


def _shift_phases(operation: Operation, days: int, by: User, reason: str, effects: _Effects) -> None:
    for phase in unfinished(Phase.objects.filter(operation=operation).order_by("order", "pk")):
        dates = shifted_dates(phase, days)
        if dates["forecast_start"] == phase.forecast_start and dates["forecast_end"] == phase.forecast_end:
            continue
        fields: dict[str, object] = dict(dates)
        end = dates["forecast_end"]
        if end and phase.baseline_end and end > phase.baseline_end and not phase.slip_reason.strip():
            fields["slip_reason"] = reason
        saved = tracking_services.phase_update(
            phase=phase, expected_version=phase.version, by=by, reason=reason, **fields
        )
        label = f"{operation.code} — phase « {phase.name} »"
        effects.add(saved, "Début prévisionnel", phase.forecast_start, saved.forecast_start, label)
        effects.add(saved, "Fin prévisionnelle", phase.forecast_end, saved.forecast_end, label)


def _apply_financing(option: ArbitrationOption, by: User, reason: str, effects: _Effects) -> None:
    changes = option.financing_changes.select_related("line__plan", "funder", "scheme").order_by("pk")
    for change in changes:
        if change.action == FinancingChangeAction.ADD:
            plan = FinancingPlan.objects.get(operation_id=option.operation_id)
            line = financing_services.line_create(
                plan=plan,
                data={
                    "category": change.category,
                    "funder": change.funder,
                    "scheme": change.scheme,
                    "label": change.label,
                    "amount_ht": change.amount_ht,
                    "amount_ttc": change.amount_ttc,
                },
                by=by,
                reason=reason,
            )
            effects.add(line, "Ligne ajoutée au plan (HT)", None, line.amount_ht)
            continue
        line = FinancingLine.objects.select_related("funder", "scheme", "plan").get(pk=change.line_id)
        if change.action == FinancingChangeAction.CHANGE:
            data = {name: getattr(line, name) for name in financing_services.LINE_FIELDS}
            data.update(amount_ht=change.amount_ht, amount_ttc=change.amount_ttc)
            saved = financing_services.line_update(
                line=line, data=data, expected_version=line.version, by=by, reason=reason
            )
            effects.add(saved, "Montant HT", line.amount_ht, saved.amount_ht)
            effects.add(saved, "Montant TTC", line.amount_ttc, saved.amount_ttc)
            continue
        path = withdraw_path(line.status)
        if not path:
            raise ArbitrationError(f"La ligne « {line} » est déjà refusée : elle ne peut pas être retirée.")
        before = line.get_status_display()
        saved = line
        for step in path:
            saved = financing_services.line_set_status(
                line=saved, status=step, by=by, comment=f"{reason} : ligne retirée du plan.", reason=reason
            )
        effects.add(saved, "Statut", before, saved.get_status_display())


@transaction.atomic
def implement_arbitration(*, arbitration: Arbitration, by: User, expected_version: int) -> Arbitration:
    """Apply the approved option through the owning services, record its effects, and mark the note implemented —
    all or nothing."""
    current = (
        Arbitration.objects.select_for_update(of=("self",))
        .select_related("chosen_option")
        .order_by()
        .get(pk=arbitration.pk)
    )
    if current.version != expected_version:
        raise StaleObjectError(
            f"L'arbitrage {current.reference} a changé pendant votre lecture : rechargez la page avant d'agir."
        )
    if current.status == ArbitrationStatus.IMPLEMENTED:
        raise ArbitrationError(f"L'arbitrage {current.reference} a déjà été mis en œuvre.")
    if current.status != ArbitrationStatus.DECIDED or current.outcome != ArbitrationOutcome.APPROVED:
        raise ArbitrationError(
            f"L'arbitrage {current.reference} n'a pas d'option approuvée : il n'y a rien à mettre en œuvre."
        )
    option = current.chosen_option
    view = next(
        (v for v in options_with_impact(current, day=timezone.localdate()) if v.option.pk == option.pk), None
    )
    if view is not None and view.errors:
        raise ArbitrationError(
            f"L'option {option.letter} ne peut pas être appliquée telle quelle : {view.error} Rien n'a été modifié."
        )
    reason = f"Arbitrage {current.reference}, option {option.letter}"
    effects = _Effects(current)
    try:
        if option.operation_id is not None:
            operation = Operation.objects.select_related(
                "owner", "axis", "objective", "elected_in_charge", "technician_in_charge"
            ).get(pk=option.operation_id)
            if option.new_cost_ht is not None:
                operation = _update_cost(operation, option, by, reason, effects)
            if option.shift_days:
                _shift_phases(operation, option.shift_days, by, reason, effects)
            _apply_financing(option, by, reason, effects)
            if option.new_status and option.new_status != operation.status:
                before = operation.get_status_display()
                saved = operation_services.operation_change_status(
                    operation=operation, to=option.new_status, by=by, comment=reason, reason=reason
                )
                effects.add(saved, "Statut", before, saved.get_status_display())
    except (DomainError, StaleObjectError) as error:
        raise ArbitrationError(
            f"La mise en œuvre de l'option {option.letter} a été refusée : {error} Rien n'a été modifié."
        ) from error
    except ValidationError as error:
        raise ArbitrationError(
            f"La mise en œuvre de l'option {option.letter} a été refusée : {' '.join(error.messages)} "
            "Rien n'a été modifié."
        ) from error
    ArbitrationEffect.objects.bulk_create(effects.rows)
    current.status = ArbitrationStatus.IMPLEMENTED
    current.implemented_at = timezone.now()
    current.implemented_by = by
    current.version += 1
    save_audited(current, by, reason=reason)
    count = len(effects.rows)
    StatusChange.objects.create(
        obj=current,
        source=ArbitrationStatus.DECIDED,
        target=ArbitrationStatus.IMPLEMENTED,
        by=by,
        comment=f"Option {option.letter} mise en œuvre : {count} changement{'s' if count > 1 else ''} appliqué"
        f"{'s' if count > 1 else ''}.",
    )
    return current


__all__ = [
    "financing_changes_set",
    "financing_lines_of",
    "implement_arbitration",
    "next_letter",
    "option_create",
    "option_delete",
    "option_update",
]
