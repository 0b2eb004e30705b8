"""Writes of a household file's grants and their payments (DOMAIN.md §3.3, DOMAIN_RULES §2.10).

A grant is planned (computed or entered), then committed by its funder's decision, or cancelled; each transition
checks TRANSITIONS and writes a StatusChange in the same transaction. Every write locks the file row, so two
simultaneous payments cannot both pass the caps, and a proposal run cannot race an edit. A committed grant is
never changed by the proposals. Payments: only on a committed grant; their sum never exceeds the grant; an advance
comes before any instalment or balance, within the scheme's advance rate; nothing after the balance.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from operations.housing.grants import Proposal, scheme_grant, top_up_proposals
from operations.housing.models import (
    AidScheme,
    FileStatus,
    GrantPaymentKind,
    GrantStatus,
    HousingFile,
    HousingGrant,
    HousingGrantPayment,
    TopUpRule,
)
from operations.housing.selectors.grants import provisional_category
from pvd import workflow
from pvd.accounts.models import User
from pvd.concurrency import save_audited
from pvd.errors import DomainError
from pvd.models import StatusChange
from pvd.money import ZERO, format_euros, format_percent, round_cents

G = GrantStatus


class GrantError(DomainError):
    """A grant or payment rule refused the action (French message)."""


TRANSITIONS: dict[str, frozenset[str]] = {
    G.PLANNED: frozenset({G.COMMITTED, G.CANCELLED}),
    G.COMMITTED: frozenset({G.CANCELLED}),
    G.CANCELLED: frozenset(),
}

# Fields a grant's form or the proposals write.
GRANT_FIELDS = frozenset({"funder", "label", "scheme", "top_up_rule", "eligible_amount_ht", "rate", "amount"})

# A file in these statuses takes no new grant (cancelling stays possible).
CLOSED_FILE_STATUSES = frozenset(
    {FileStatus.REJECTED, FileStatus.CLOSED, FileStatus.ABANDONED, FileStatus.LAPSED}
)


def _lock_file(file_id: int) -> HousingFile:
    return HousingFile.objects.select_for_update().get(pk=file_id)


def _check_file_open(file: HousingFile) -> None:
    if file.anonymised_on is not None:
        raise GrantError(f"Le dossier {file.reference} est anonymisé : ses aides ne se modifient plus.")
    if file.status in CLOSED_FILE_STATUSES:
        raise GrantError(
            f"Le dossier {file.reference} est « {file.get_status_display()} » : il ne reçoit plus de nouvelle aide."
        )


def _check_fields(file: HousingFile, fields: dict[str, object]) -> dict[str, object]:
    unknown = set(fields) - GRANT_FIELDS
    if unknown:
        raise GrantError(f"Champs non modifiables sur une aide : {', '.join(sorted(unknown))}.")
    rule = fields.get("top_up_rule")
    if isinstance(rule, TopUpRule) and rule.housing_programme_id != file.housing_programme_id:
        raise GrantError("Cette aide complémentaire relève d'un autre dispositif que celui du dossier.")
    values = dict(fields)
    for name in ("amount", "eligible_amount_ht"):
        if isinstance(values.get(name), Decimal):
            values[name] = round_cents(values[name])
    return values


@transaction.atomic
def record_grant(*, file: HousingFile, by: User, **fields: object) -> HousingGrant:
    """Record a planned grant on the file (a funder's aid entered by hand or computed)."""
    locked = _lock_file(file.pk)
    _check_file_open(locked)
    grant = HousingGrant(file=locked, status=G.PLANNED, **_check_fields(locked, fields))
    save_audited(grant, by)
    StatusChange.objects.create(obj=grant, source="", target=G.PLANNED, by=by, comment="Aide enregistrée.")
    return grant


@transaction.atomic
def update_grant(*, grant: HousingGrant, by: User, **fields: object) -> HousingGrant:
    """Edit a planned grant; a committed grant is the funder's decision and no longer changes."""
    locked = _lock_file(grant.file_id)
    current = HousingGrant.objects.select_for_update().get(pk=grant.pk)
    if current.status != G.PLANNED:
        raise GrantError(
            f"L'aide « {current.label} » est « {current.get_status_display()} » : seule une aide prévue se "
            "modifie (annulez-la et enregistrez la nouvelle décision)."
        )
    _check_file_open(locked)
    for name, value in _check_fields(locked, fields).items():
        setattr(current, name, value)
    save_audited(current, by)
    return current


def _transition(grant: HousingGrant, target: str, by: User, comment: str, **changes: object) -> HousingGrant:
    current = HousingGrant.objects.select_for_update().get(pk=grant.pk)
    refusal = workflow.refusal(
        transitions=TRANSITIONS,
        choices=GrantStatus,
        source=current.status,
        target=target,
        subject=f"L'aide « {current.label} »",
        pronoun="elle",
    )
    if refusal:
        raise GrantError(refusal)
    source = current.status
    current.status = target
    for name, value in changes.items():
        setattr(current, name, value)
    save_audited(current, by)
    StatusChange.objects.create(obj=current, source=source, target=target, by=by, comment=comment)
    return current


@transaction.atomic
def commit_grant(
    *, grant: HousingGrant, committed_on: datetime.date, by: User, comment: str = ""
) -> HousingGrant:
    """The funder committed the grant (decision, deliberation) on `committed_on`."""
    locked = _lock_file(grant.file_id)
    if committed_on > timezone.localdate():
        raise GrantError(f"La date d'engagement ({committed_on:%d/%m/%Y}) ne peut pas être dans le futur.")
    if committed_on < locked.first_contact_on:
        raise GrantError(
            f"La date d'engagement ({committed_on:%d/%m/%Y}) précède le premier contact du dossier "
            f"({locked.first_contact_on:%d/%m/%Y})."
        )
    return _transition(
        grant,
        G.COMMITTED,
        by,
        comment or f"Aide engagée le {committed_on:%d/%m/%Y}.",
        committed_on=committed_on,
    )


@transaction.atomic
def cancel_grant(*, grant: HousingGrant, by: User, comment: str) -> HousingGrant:
    """Cancel a planned or committed grant not paid yet; the reason is written down."""
    _lock_file(grant.file_id)
    if not comment.strip():
        raise GrantError("Indiquez le motif de l'annulation de l'aide.")
    paid = HousingGrantPayment.objects.filter(grant_id=grant.pk).order_by("paid_on").first()
    if paid is not None:
        raise GrantError(
            f"L'aide « {grant.label} » a déjà fait l'objet d'un versement (le {paid.paid_on:%d/%m/%Y}) : "
            "elle ne peut pas être annulée."
        )
    return _transition(grant, G.CANCELLED, by, comment.strip())


# --- Proposals -------------------------------------------------------------------------------------------------


@dataclass
class ProposalsResult:
    created: list[HousingGrant] = field(default_factory=list)
    updated: list[HousingGrant] = field(default_factory=list)
    unchanged: list[HousingGrant] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # French: why a proposal was not applied

    @property
    def message(self) -> str:
        parts = [f"{len(self.created)} aide(s) créée(s)", f"{len(self.updated)} mise(s) à jour"]
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} inchangée(s)")
        text = "Propositions appliquées : " + ", ".join(parts) + "."
        if self.skipped:
            text += " Non appliquées : " + " ; ".join(self.skipped)
        return text


def _apply_one(
    proposal: Proposal, existing: HousingGrant | None, file: HousingFile, by: User, result: ProposalsResult
) -> None:
    if existing is not None and existing.status == G.COMMITTED:
        result.skipped.append(f"« {existing.label} » est déjà engagée, elle n'est pas modifiée.")
        return
    if proposal.amount is None:
        result.skipped.append(f"« {proposal.label} » : {proposal.explanation}")
        return
    if proposal.funder_id is None:
        result.skipped.append(f"« {proposal.label} » : financeur de l'aide non renseigné.")
        return
    values = {
        "funder_id": proposal.funder_id,
        "label": proposal.label,
        "scheme": proposal.scheme,
        "top_up_rule": proposal.rule,
        "eligible_amount_ht": proposal.eligible_ht,
        "rate": proposal.rate,
        "amount": proposal.amount,
    }
    if existing is None:
        grant = HousingGrant(file=file, status=G.PLANNED, **values)
        save_audited(grant, by)
        StatusChange.objects.create(
            obj=grant, source="", target=G.PLANNED, by=by, comment=f"Aide calculée : {proposal.explanation}"
        )
        result.created.append(grant)
        return
    changed = False
    for name, value in values.items():
        current = getattr(existing, name)
        if current != value:
            setattr(existing, name, value)
            changed = True
    if changed:
        save_audited(existing, by)
        result.updated.append(existing)
    else:
        result.unchanged.append(existing)


@transaction.atomic
def apply_proposals(*, file: HousingFile, by: User, day: datetime.date | None = None) -> ProposalsResult:
    """Create or update the planned scheme grant (from `file.scheme`) and the planned top-up grants (from the
    programme's rules that apply). Idempotent; committed and cancelled grants are never touched."""
    locked = _lock_file(file.pk)
    _check_file_open(locked)
    day = day or timezone.localdate()
    category, _provisional, problem = provisional_category(locked, day=day)
    live = list(
        HousingGrant.objects.select_for_update()
        .filter(file=locked)
        .exclude(status=G.CANCELLED)
        .order_by("pk")
    )
    result = ProposalsResult()
    if category is None and problem:
        result.skipped.append(f"Catégorie de ressources : {problem}")
    if locked.scheme_id:
        scheme = AidScheme.objects.get(pk=locked.scheme_id)
        locked.scheme = scheme
        existing = next((g for g in live if g.scheme_id is not None and g.top_up_rule_id is None), None)
        _apply_one(scheme_grant(locked, scheme, category=category), existing, locked, by, result)
    rules = TopUpRule.objects.filter(housing_programme_id=locked.housing_programme_id).order_by("pk")
    for proposal in top_up_proposals(locked, rules, day=day, category=category):
        existing = next((g for g in live if g.top_up_rule_id == proposal.rule.pk), None)
        _apply_one(proposal, existing, locked, by, result)
    return result


# --- Payments ----------------------------------------------------------------------------------------------------


@transaction.atomic
def record_payment(
    *, grant: HousingGrant, kind: str, amount: Decimal, paid_on: datetime.date, by: User
) -> HousingGrantPayment:
    """Record an advance, an instalment or the balance paid to the household."""
    _lock_file(grant.file_id)
    current = HousingGrant.objects.select_for_update(of=("self",)).select_related("scheme").get(pk=grant.pk)
    if kind not in GrantPaymentKind.values:
        raise GrantError(f"Nature de versement inconnue : « {kind} ».")
    if current.status != G.COMMITTED:
        raise GrantError(
            f"L'aide « {current.label} » est « {current.get_status_display()} » : seule une aide engagée peut "
            "être versée."
        )
    if not isinstance(amount, Decimal) or amount <= 0:
        raise GrantError("Un versement est un montant positif.")
    amount = round_cents(amount)
    if paid_on < current.committed_on:
        raise GrantError(
            f"Le versement du {paid_on:%d/%m/%Y} précède l'engagement de l'aide ({current.committed_on:%d/%m/%Y})."
        )
    payments = list(HousingGrantPayment.objects.filter(grant=current).order_by("paid_on", "pk"))
    balance = next((p for p in payments if p.kind == GrantPaymentKind.BALANCE), None)
    if balance is not None:
        raise GrantError(
            f"Le solde de l'aide « {current.label} » a été versé le {balance.paid_on:%d/%m/%Y} : aucun versement "
            "ne peut suivre le solde."
        )
    paid = sum((p.amount for p in payments), ZERO)
    if paid + amount > current.amount:
        raise GrantError(
            f"Ce versement de {format_euros(amount)} porterait le total versé à {format_euros(paid + amount)}, "
            f"au-delà du montant de l'aide ({format_euros(current.amount)}) ; reste à verser : "
            f"{format_euros(current.amount - paid)}."
        )
    if kind == GrantPaymentKind.ADVANCE:
        later = next((p for p in payments if p.kind != GrantPaymentKind.ADVANCE), None)
        if later is not None:
            raise GrantError(
                f"Une avance se verse avant tout acompte ou solde : un {later.get_kind_display().lower()} a déjà "
                f"été versé le {later.paid_on:%d/%m/%Y}."
            )
        max_rate = current.scheme.advance_max_rate if current.scheme_id else None
        if max_rate is not None:
            advances = sum((p.amount for p in payments if p.kind == GrantPaymentKind.ADVANCE), ZERO) + amount
            cap = round_cents(current.amount * max_rate)
            if advances > cap:
                raise GrantError(
                    f"L'avance ({format_euros(advances)} au total) dépasse {format_percent(max_rate, places=0)} du "
                    f"montant de l'aide, soit {format_euros(cap)}."
                )
    payment = HousingGrantPayment(grant=current, kind=kind, amount=amount, paid_on=paid_on)
    save_audited(payment, by)
    return payment
