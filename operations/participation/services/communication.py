"""Writes of communication actions (issue 11): create, edit (optimistic locking) and the status workflow
planned → done | cancelled, each transition recorded as a StatusChange.

Rules: the linked operations belong to the action's programme; its communes are the programme's, and the
communes of its operations are always added (a mayor reads what concerns their commune, and the financers'
publicity page reads the actions through the same scope); a proof file is checked on its content and size;
an action is marked done only once its date has come. Keyword-only, atomic, audited (history user on every
row); refusals as CommunicationError (French).
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from operations.models import CommunicationAction, Operation
from operations.participation.models import CommunicationStatus
from partners.models import Organisation
from programmes.models import Programme
from programmes.validators import validate_upload
from pvd import workflow
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned
from pvd.errors import DomainError
from pvd.models import StatusChange

S = CommunicationStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.DONE, S.CANCELLED}),
    S.DONE: frozenset(),
    S.CANCELLED: frozenset(),
}

# What the create and edit forms change; the status moves through `change_status` only.
EDITABLE_FIELDS = ("kind", "title", "date", "audience", "message", "reach", "proof_note")


class CommunicationError(DomainError):
    """A rule of communication actions refused the action (French message)."""


def allowed_targets(status: str) -> list[str]:
    return workflow.in_order(TRANSITIONS[status], S)


def _check_fields(fields: dict[str, object]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise CommunicationError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")


def _check_proof(proof: UploadedFile | None) -> None:
    if not proof:
        return
    try:
        validate_upload(proof, name=(proof.name or "").rsplit("/", 1)[-1], size=proof.size or 0)
    except ValidationError as error:
        raise ValidationError({"proof": error.messages}) from error


def _links(
    programme: Programme, operations: Iterable[Operation], communes: Iterable[Organisation]
) -> tuple[list[Operation], list[Organisation]]:
    """The operations (all of the programme) and the communes: those chosen plus those of the operations, all
    communes of the programme."""
    operations = list(operations)
    foreign = [op for op in operations if op.programme_id != programme.pk]
    if foreign:
        raise ValidationError(
            {"operations": f"L'opération {foreign[0].code} n'appartient pas au programme {programme.name}."}
        )
    allowed = set(programme.communes.values_list("pk", flat=True))
    wanted = {c.pk for c in communes}
    outside = wanted - allowed
    if outside:
        raise ValidationError({"communes": "Choisissez des communes du programme."})
    through = Operation.communes.through
    wanted |= set(
        through.objects.filter(
            operation_id__in=[op.pk for op in operations], organisation_id__in=allowed
        ).values_list("organisation_id", flat=True)
    )
    return operations, list(Organisation.objects.filter(pk__in=wanted))


@transaction.atomic
def action_create(
    *,
    programme: Programme,
    by: User,
    operations: Iterable[Operation] = (),
    communes: Iterable[Organisation] = (),
    funders_credited: Iterable[Organisation] = (),
    proof: UploadedFile | None = None,
    **fields: object,
) -> CommunicationAction:
    """A new planned communication action of `programme`, with its links and its proof."""
    _check_fields(fields)
    _check_proof(proof)
    operations, communes = _links(programme, operations, communes)
    action = CommunicationAction(programme=programme, status=S.PLANNED, **fields)
    if proof:
        action.proof = proof
    save_audited(action, by)
    action.operations.set(operations)
    action.communes.set(communes)
    action.funders_credited.set(list(funders_credited))
    StatusChange.objects.create(obj=action, source="", target=S.PLANNED, by=by, comment="Action enregistrée.")
    return action


@transaction.atomic
def action_update(
    *,
    action: CommunicationAction,
    expected_version: int,
    changes: dict[str, object],
    by: User,
    operations: Iterable[Operation],
    communes: Iterable[Organisation],
    funders_credited: Iterable[Organisation],
    proof: UploadedFile | None = None,
    clear_proof: bool = False,
) -> CommunicationAction:
    """Edit the action and its links. StaleObjectError when somebody saved it since `expected_version`;
    nothing is saved then (the links neither)."""
    _check_fields(changes)
    _check_proof(proof)
    operations, communes = _links(action.programme, operations, communes)
    changes = dict(changes)
    if proof:
        changes["proof"] = proof
    elif clear_proof:
        changes["proof"] = ""
    if changes.get("date") and action.status == S.DONE and changes["date"] > policy.today():
        raise ValidationError({"date": "Une action réalisée ne peut pas être datée dans le futur."})
    saved = save_versioned(action, expected_version=expected_version, by=by, changes=changes)
    saved.operations.set(operations)
    saved.communes.set(communes)
    saved.funders_credited.set(list(funders_credited))
    return saved


@transaction.atomic
def change_status(
    *,
    action: CommunicationAction,
    to: str,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> CommunicationAction:
    """Move the action to `to` (planned → done or cancelled) and record the StatusChange. Done needs its date
    come (`today`, Paris, by default); cancelled needs a reason."""
    current = CommunicationAction.objects.select_for_update().get(pk=action.pk)
    if expected_version is None:
        expected_version = current.version
    source = current.status
    message = workflow.refusal(
        transitions=TRANSITIONS,
        choices=S,
        source=source,
        target=to,
        subject=f"L'action « {current.title} »",
        pronoun="elle",
    )
    if message:
        raise CommunicationError(message)
    day = today or policy.today()
    comment = comment.strip()
    if to == S.DONE and current.date > day:
        raise CommunicationError(
            f"L'action est datée du {current.date:%d/%m/%Y} : elle ne peut être marquée réalisée qu'à partir "
            "de cette date. Corrigez la date si elle a eu lieu plus tôt."
        )
    if to == S.CANCELLED and not comment:
        raise CommunicationError("Indiquez le motif de l'annulation.")
    saved = save_versioned(current, expected_version=expected_version, by=by, changes={"status": to})
    StatusChange.objects.create(obj=saved, source=source, target=to, by=by, comment=comment)
    return saved
