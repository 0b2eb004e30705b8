"""Writes of an operation's financing plan: its header, its lines, and the status of a line.

A line's status moves envisaged → requested → granted | refused; requested → envisaged (request withdrawn),
refused → envisaged (to be asked again), granted → requested (award withdrawn). Every transition is checked
against TRANSITIONS, bumps the line's version and writes a pvd.models.StatusChange row in the same transaction.
The subsidies part calls `line_set_status` when a request is filed, awarded or rejected.

Edits go through `save_versioned`: a form displayed from an older version is refused with what changed.
"""

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from budget.models import FinancingLine, FinancingLineStatus, FinancingPlan, SchemeRule, SubsidyAllocation
from operations.models import Operation
from pvd import workflow
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.concurrency import StaleObjectError, save_audited, save_versioned
from pvd.errors import DomainError
from pvd.models import StatusChange

S = FinancingLineStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.ENVISAGED: frozenset({S.REQUESTED}),
    S.REQUESTED: frozenset({S.GRANTED, S.REFUSED, S.ENVISAGED}),
    S.GRANTED: frozenset({S.REQUESTED}),  # award withdrawn
    S.REFUSED: frozenset({S.ENVISAGED}),  # to be asked again
}

PLAN_FIELDS = (
    "eligible_cost_ht",
    "eligible_cost_ttc",
    "expense_year",
    "fctva_excluded_ttc",
    "fctva_exclusion_reason",
    "lead_authority",
    "own_share_derogation",
    "derogation_ground",
    "derogation_reference",
    "notes",
)
LINE_FIELDS = ("position", "category", "funder", "scheme", "label", "base_ht", "amount_ht", "amount_ttc")


class FinancingError(DomainError):
    """A rule of the financing plan refused the action; str(error) is the French message for the user."""


def allowed_targets(status: str) -> list[str]:
    """The statuses a line in `status` may move to, in workflow order (for the forms)."""
    return sorted(TRANSITIONS.get(status, frozenset()), key=S.values.index)


# --- The plan's header -----------------------------------------------------------------------------------------


def _plan_changes(data: Mapping[str, object]) -> dict[str, object]:
    changes = {name: data[name] for name in PLAN_FIELDS if name in data}
    if changes.get("fctva_excluded_ttc") is None and "fctva_excluded_ttc" in changes:
        changes["fctva_excluded_ttc"] = 0
    if "own_share_derogation" in changes and not changes["own_share_derogation"]:
        changes["derogation_ground"], changes["derogation_reference"] = "", ""
    for text in ("fctva_exclusion_reason", "derogation_reference", "notes", "derogation_ground"):
        if text in changes:
            changes[text] = (changes[text] or "").strip()
    return changes


@transaction.atomic
def plan_save(
    *,
    operation: Operation,
    data: Mapping[str, object],
    expected_version: int | None,
    by: User,
    reason: str = "",
) -> FinancingPlan:
    """Create the operation's plan (`expected_version` None) or update it from `expected_version`.

    StaleObjectError when somebody created or saved the plan since the form was displayed; ValidationError
    (French) when the values break a rule (TTC below HT, a derogation without its ground and decision…)."""
    changes = _plan_changes(data)
    existing = FinancingPlan.objects.select_for_update().filter(operation=operation).first()
    if expected_version is None:
        if existing is not None:
            raise StaleObjectError(
                f"Un plan de financement a été créé pour « {operation} » pendant votre saisie. "
                "Vos modifications n'ont pas été enregistrées : rechargez la page pour repartir de ce plan."
            )
        plan = FinancingPlan(operation=operation, **changes)
        plan.full_clean()
        plan._history_user = by  # type: ignore[attr-defined]
        plan.save()
        return plan
    if existing is None:
        raise FinancingError(f"L'opération « {operation} » n'a pas encore de plan de financement.")
    return save_versioned(existing, expected_version=expected_version, changes=changes, by=by, reason=reason)


# --- Lines ---------------------------------------------------------------------------------------------------


def _line_changes(plan: FinancingPlan, data: Mapping[str, object], day: datetime.date) -> dict[str, object]:
    """The line's values with its defaults: the category from the scheme's rules in force, TTC = HT."""
    changes = {name: data[name] for name in LINE_FIELDS if name in data}
    errors: dict[str, str] = {}
    if changes.get("funder") is None:
        errors["funder"] = "Indiquez le financeur."
    scheme = changes.get("scheme")
    category = changes.get("category") or ""
    if scheme is not None:
        rule = SchemeRule.in_force(scheme.pk, day)
        if rule is not None:
            if not category:
                category = rule.category
            elif category != rule.category:
                errors["category"] = (
                    f"Le dispositif « {scheme.name} » relève de la catégorie "
                    f"« {FinancingLine.Category(rule.category).label} » (règles en vigueur le {day:%d/%m/%Y}) : "
                    "laissez la catégorie vide ou choisissez celle-ci."
                )
    if not category and "category" not in errors:
        errors["category"] = "Choisissez la catégorie de financement (ou un dispositif qui la détermine)."
    changes["category"] = category
    if changes.get("amount_ht") is None:
        errors["amount_ht"] = "Indiquez le montant HT."
    elif changes.get("amount_ttc") is None:
        changes["amount_ttc"] = changes["amount_ht"]  # a grant is the same sum in the HT and TTC plans
    changes["label"] = (changes.get("label") or "").strip()
    amount, base = changes.get("amount_ht"), changes.get("base_ht")
    if amount is not None and base is not None and amount > base:
        # Said here: the model constraint's message has an unescaped "%" that full_clean cannot format.
        errors["amount_ht"] = "Le montant ne peut pas dépasser l'assiette éligible (taux > 100 %)."
    if errors:
        raise ValidationError(errors)
    return changes


@transaction.atomic
def line_create(
    *,
    plan: FinancingPlan,
    data: Mapping[str, object],
    by: User,
    day: datetime.date | None = None,
    reason: str = "",
) -> FinancingLine:
    """Add a line to `plan` (envisaged unless `data["status"]` says otherwise: a line entered once granted);
    its first StatusChange row says who created it."""
    day = day or policy.today()
    changes = _line_changes(plan, data, day)
    status = data.get("status") or S.ENVISAGED
    if status not in S.values:
        raise FinancingError(f"Statut inconnu : « {status} ».")
    if "position" not in data or data.get("position") is None:
        last = plan.lines.order_by("-position").values_list("position", flat=True).first()
        changes["position"] = 0 if last is None else last + 1
    line = FinancingLine(plan=plan, status=status, **changes)
    save_audited(line, by, reason=reason)
    StatusChange.objects.create(obj=line, source="", target=status, by=by, comment="Ligne ajoutée au plan.")
    return line


@transaction.atomic
def line_update(
    *,
    line: FinancingLine,
    data: Mapping[str, object],
    expected_version: int,
    by: User,
    day: datetime.date | None = None,
    reason: str = "",
) -> FinancingLine:
    """Change what the line is; its status moves only through line_set_status. StaleObjectError when somebody
    saved it since `expected_version`."""
    changes = _line_changes(line.plan, data, day or policy.today())
    if changes.get("position") is None:
        changes.pop("position", None)
    return save_versioned(line, expected_version=expected_version, changes=changes, by=by, reason=reason)


@transaction.atomic
def line_delete(*, line: FinancingLine, by: User) -> None:
    """Remove a line from the plan; refused when a subsidy request's allocation points to it."""
    current = FinancingLine.objects.select_for_update().get(pk=line.pk)
    if SubsidyAllocation.objects.filter(financing_line=current).exists():
        raise FinancingError(
            f"La ligne « {current} » ne peut pas être supprimée : une demande de subvention lui est rattachée. "
            "Passez-la au statut « Refusé » ou détachez d'abord la demande."
        )
    current._history_user = by  # type: ignore[attr-defined]
    current.delete()


def check_transition(line: FinancingLine, to: str) -> None:
    """Raise FinancingError (French, naming both statuses) when `line` may not move to `to`."""
    message = workflow.refusal(
        transitions=TRANSITIONS,
        choices=S,
        source=line.status,
        target=to,
        subject=f"La ligne « {line} »",
        pronoun="elle",
    )
    if message:
        raise FinancingError(message)


@transaction.atomic
def line_set_status(
    *,
    line: FinancingLine,
    status: str,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
    reason: str = "",
) -> FinancingLine:
    """Move `line` to `status` (TRANSITIONS), with the reason in `comment`; the row is locked and checked as
    it is in the database. FinancingError when the transition is not allowed; StaleObjectError when
    `expected_version` is given (a page) and somebody saved the line since."""
    current = FinancingLine.objects.select_for_update().get(pk=line.pk)
    if expected_version is None:
        expected_version = current.version
    if current.version == expected_version:  # otherwise save_versioned refuses the stale page
        check_transition(current, status)
    source = current.status
    saved = save_versioned(
        current, expected_version=expected_version, changes={"status": status}, by=by, reason=reason
    )
    StatusChange.objects.create(obj=saved, source=source, target=status, by=by, comment=comment.strip())
    return saved
