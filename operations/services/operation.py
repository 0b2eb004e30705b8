"""Writes of operations (fiches-actions): create, update, and the status workflow (DOMAIN.md §1.5).

idea → mature → committed → works → delivered → closed; an operation may be suspended (and resumed at any
earlier stage) or abandoned until it is delivered; a delivered operation may go back to works (reserves
lifted late); closed and abandoned are final. Every transition checks TRANSITIONS, bumps the version (a
stale page is refused) and writes a pvd.models.StatusChange row in the same transaction (STYLE.md §8, §11).
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from operations.models import Operation, OperationStatus
from operations.services.errors import OperationError
from partners.models import Organisation, Person, Theme
from programmes.models import Axis, Indicator, Objective, Programme
from pvd import workflow
from pvd.accounts.models import User
from pvd.concurrency import save_versioned
from pvd.models import StatusChange

S = OperationStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.IDEA: frozenset({S.MATURE, S.SUSPENDED, S.ABANDONED}),
    S.MATURE: frozenset({S.COMMITTED, S.IDEA, S.SUSPENDED, S.ABANDONED}),
    S.COMMITTED: frozenset({S.WORKS, S.DELIVERED, S.SUSPENDED, S.ABANDONED}),
    S.WORKS: frozenset({S.DELIVERED, S.SUSPENDED, S.ABANDONED}),
    S.DELIVERED: frozenset({S.CLOSED, S.WORKS}),
    S.SUSPENDED: frozenset({S.IDEA, S.MATURE, S.COMMITTED, S.WORKS, S.ABANDONED}),
    S.CLOSED: frozenset(),  # final: every subsidy paid
    S.ABANDONED: frozenset(),  # final
}


def _label(status: str) -> str:
    return S(status).label


def allowed_targets(status: str) -> list[str]:
    """The statuses an operation in `status` may move to, in workflow order (for the forms)."""
    return workflow.in_order(TRANSITIONS[status], S)


def check_transition(operation: Operation, to: str) -> None:
    """Raise OperationError (French, naming both statuses) when `operation` may not move to `to`."""
    message = workflow.refusal(
        transitions=TRANSITIONS,
        choices=S,
        source=operation.status,
        target=to,
        subject=f"L'opération {operation.code}",
        pronoun="elle",
    )
    if message:
        raise OperationError(message)


def _check_scope(
    programme: Programme,
    communes: Sequence[Organisation],
    axis: Axis | None,
    objective: Objective | None,
) -> None:
    errors: dict[str, str] = {}
    if not communes:
        errors["communes"] = "Choisissez au moins une commune."
    else:
        own = set(programme.communes.values_list("pk", flat=True))
        strangers = sorted(c.name for c in communes if c.pk not in own)
        if strangers:
            errors["communes"] = f"Communes hors du programme : {', '.join(strangers)}."
    if axis is not None and axis.project.programme_id != programme.pk:
        errors["axis"] = "Cet axe appartient au projet d'un autre programme."
    if objective is not None:
        if objective.axis.project.programme_id != programme.pk:
            errors["objective"] = "Cet objectif appartient au projet d'un autre programme."
        elif axis is not None and objective.axis_id != axis.pk:
            errors["objective"] = f"L'objectif « {objective.title} » ne relève pas de l'axe « {axis.title} »."
    if errors:
        raise ValidationError(errors)


def _check_indicators(programme: Programme, indicators: Sequence[Indicator] | None) -> None:
    """The indicators an operation moves are its programme's (issue 10)."""
    strangers = sorted(i.name for i in indicators or () if i.programme_id != programme.pk)
    if strangers:
        raise ValidationError({"indicators": f"Indicateurs d'un autre programme : {', '.join(strangers)}."})


def _set_relations(
    operation: Operation,
    by: User,
    communes: Iterable[Organisation],
    themes: Iterable[Theme],
    partners: Iterable[Organisation],
    indicators: Iterable[Indicator] | None = None,
) -> None:
    operation._history_user = by  # type: ignore[attr-defined]
    relations = [("communes", communes), ("themes", themes), ("partners", partners)]
    if indicators is not None:  # None: left as they are (issue 10)
        relations.append(("indicators", indicators))
    for name, values in relations:
        manager = getattr(operation, name)
        wanted = {v.pk for v in values}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(list(values))


@transaction.atomic
def operation_create(
    *,
    programme: Programme,
    by: User,
    code: str,
    title: str,
    owner: Organisation,
    communes: Iterable[Organisation],
    themes: Iterable[Theme] = (),
    partners: Iterable[Organisation] = (),
    axis: Axis | None = None,
    objective: Objective | None = None,
    in_ort: bool = False,
    ort_sector: str = "",
    description: str = "",
    objectives: str = "",
    expected_results: str = "",
    estimated_cost_ht: Decimal | None = None,
    estimated_cost_ttc: Decimal | None = None,
    priority: int = Operation.Priority.MEDIUM,
    maturity: int = Operation.Maturity.INTENTION,
    elected_in_charge: Person | None = None,
    technician_in_charge: User | None = None,
    manual_progress: Decimal | None = None,
    indicators: Iterable[Indicator] | None = None,
) -> Operation:
    """Record an operation in the action plan, as an idea; its first StatusChange row says who created it."""
    communes, themes, partners = list(communes), list(themes), list(partners)
    indicators = None if indicators is None else list(indicators)
    _check_scope(programme, communes, axis, objective)
    _check_indicators(programme, indicators)
    operation = Operation(
        programme=programme,
        code=code.strip(),
        title=title,
        owner=owner,
        axis=axis,
        objective=objective,
        in_ort=in_ort,
        ort_sector=ort_sector if in_ort else "",
        description=description,
        objectives=objectives,
        expected_results=expected_results,
        estimated_cost_ht=estimated_cost_ht,
        estimated_cost_ttc=estimated_cost_ttc,
        priority=priority,
        maturity=maturity,
        elected_in_charge=elected_in_charge,
        technician_in_charge=technician_in_charge,
        manual_progress=manual_progress,
        status=S.IDEA,
    )
    operation.full_clean()
    operation._history_user = by  # type: ignore[attr-defined]
    operation.save()
    _set_relations(operation, by, communes, themes, partners, indicators)
    StatusChange.objects.create(obj=operation, source="", target=S.IDEA, by=by, comment="Opération créée.")
    return operation


@transaction.atomic
def operation_update(
    *,
    operation: Operation,
    expected_version: int,
    by: User,
    code: str,
    title: str,
    owner: Organisation,
    communes: Iterable[Organisation],
    themes: Iterable[Theme],
    partners: Iterable[Organisation],
    axis: Axis | None,
    objective: Objective | None,
    in_ort: bool,
    ort_sector: str,
    description: str,
    objectives: str,
    expected_results: str,
    estimated_cost_ht: Decimal | None,
    estimated_cost_ttc: Decimal | None,
    priority: int,
    maturity: int,
    elected_in_charge: Person | None,
    technician_in_charge: User | None,
    manual_progress: Decimal | None,
    indicators: Iterable[Indicator] | None = None,
    reason: str = "",
) -> Operation:
    """Change what the operation is; its status only moves through operation_change_status. `indicators`
    (issue 10): the programme's indicators it moves; None leaves them as they are.

    StaleObjectError when somebody saved it since `expected_version`; ValidationError (French) otherwise."""
    communes, themes, partners = list(communes), list(themes), list(partners)
    indicators = None if indicators is None else list(indicators)
    _check_scope(operation.programme, communes, axis, objective)
    _check_indicators(operation.programme, indicators)
    saved = save_versioned(
        operation,
        expected_version=expected_version,
        by=by,
        changes={
            "code": code.strip(),
            "title": title,
            "owner": owner,
            "axis": axis,
            "objective": objective,
            "in_ort": in_ort,
            "ort_sector": ort_sector if in_ort else "",
            "description": description,
            "objectives": objectives,
            "expected_results": expected_results,
            "estimated_cost_ht": estimated_cost_ht,
            "estimated_cost_ttc": estimated_cost_ttc,
            "priority": priority,
            "maturity": maturity,
            "elected_in_charge": elected_in_charge,
            "technician_in_charge": technician_in_charge,
            "manual_progress": manual_progress,
        },
        reason=reason,
    )
    _set_relations(saved, by, communes, themes, partners, indicators)
    return saved


@transaction.atomic
def operation_change_status(
    *,
    operation: Operation,
    to: str,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
    reason: str = "",
) -> Operation:
    """Move `operation` to `to`, with the reason in `comment`.

    OperationError (French, naming both statuses) when the transition is not allowed; StaleObjectError when
    `expected_version` is given and somebody saved the operation since. Without `expected_version` (bulk
    changes), the current row is locked and checked as it is in the database.
    """
    if expected_version is None:
        current = Operation.objects.select_for_update().get(pk=operation.pk)
        expected_version = current.version
    else:
        current = operation
    check_transition(current, to)
    # save_versioned re-reads the row locked: a concurrent change of status is refused as stale.
    source = current.status
    saved = save_versioned(
        current, expected_version=expected_version, by=by, changes={"status": to}, reason=reason
    )
    StatusChange.objects.create(obj=saved, source=source, target=to, by=by, comment=comment.strip())
    return saved


def operations_bulk_change_status(
    *, operations: Iterable[Operation], to: str, by: User, comment: str = ""
) -> list[Operation]:
    """Move every operation to `to` in one transaction, or none: when one is refused, nothing changes and
    the OperationError lists the refused codes (with their statuses)."""
    operations = list(operations)
    if not operations:
        raise OperationError("Cochez au moins une opération.")
    if to not in S.values:
        raise OperationError(f"Statut inconnu : « {to} ».")
    with transaction.atomic():
        locked = list(
            Operation.objects.select_for_update()
            .filter(pk__in=[o.pk for o in operations])
            .order_by("code", "pk")
        )
        refused = [o for o in locked if to not in TRANSITIONS[o.status]]
        if refused:
            details = ", ".join(f"{o.code} (« {_label(o.status)} »)" for o in refused)
            raise OperationError(
                f"Aucun statut n'a été modifié : {len(refused)} opération{'s' if len(refused) > 1 else ''} "
                f"ne peu{'vent' if len(refused) > 1 else 't'} pas passer à « {_label(to)} » : {details}."
            )
        return [
            operation_change_status(operation=o, to=to, by=by, comment=comment, expected_version=o.version)
            for o in locked
        ]
