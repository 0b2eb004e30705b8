"""Writes of engineering needs (besoins d'ingénierie) and their status workflow.

identified → requested (an offer is mobilised) → granted → in progress → delivered; the partner may refuse
(requested → identified, its answer recorded), and any open need may be dropped, then reopened. Each
transition checks TRANSITIONS, sets the matching date, bumps the version (a stale page is refused) and
writes a pvd.models.StatusChange row in the same transaction (STYLE.md §8, §11).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from partners.models import Offer, Organisation, Theme
from programmes.models import EngineeringNeed, NeedStatus, Programme, Stake
from programmes.services.errors import StrategyError
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.concurrency import save_versioned
from pvd.models import StatusChange

S = NeedStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.IDENTIFIED: frozenset({S.REQUESTED, S.DROPPED}),
    S.REQUESTED: frozenset({S.GRANTED, S.IDENTIFIED, S.DROPPED}),  # → identified: the partner refused
    S.GRANTED: frozenset({S.IN_PROGRESS, S.DROPPED}),
    S.IN_PROGRESS: frozenset({S.DELIVERED, S.DROPPED}),
    S.DROPPED: frozenset({S.IDENTIFIED}),  # reopened
    S.DELIVERED: frozenset(),  # final
}

# The date each arrival sets (the refusal sets answered_on too, see need_change_status).
DATE_FIELDS: dict[str, str] = {
    S.REQUESTED: "requested_on",
    S.GRANTED: "answered_on",
    S.IN_PROGRESS: "started_on",
    S.DELIVERED: "delivered_on",
}


def _check_scope(programme: Programme, commune: Organisation | None, stakes: Iterable[Stake]) -> list[Stake]:
    stakes = list(stakes)
    if commune is not None and not programme.communes.filter(pk=commune.pk).exists():
        raise ValidationError({"commune": f"{commune.name} ne fait pas partie du programme."})
    strangers = sorted(s.title for s in stakes if s.programme_id != programme.pk)
    if strangers:
        raise ValidationError({"stakes": f"Enjeux d'un autre programme : {', '.join(strangers)}."})
    return stakes


def _set_stakes(need: EngineeringNeed, stakes: list[Stake], by: User) -> None:
    need._history_user = by  # type: ignore[attr-defined]
    if set(need.stakes.values_list("pk", flat=True)) != {s.pk for s in stakes}:
        need.stakes.set(stakes)


@transaction.atomic
def need_create(
    *,
    programme: Programme,
    by: User,
    title: str,
    theme: Theme,
    kind: str,
    commune: Organisation | None = None,
    scope: str = "",
    deliverable: str = "",
    estimated_cost_ht: Decimal | None = None,
    stakes: Iterable[Stake] = (),
) -> EngineeringNeed:
    """Record a need, identified; its first StatusChange row says who identified it."""
    stakes = _check_scope(programme, commune, stakes)
    need = EngineeringNeed(
        programme=programme,
        title=title,
        theme=theme,
        kind=kind,
        commune=commune,
        scope=scope,
        deliverable=deliverable,
        estimated_cost_ht=estimated_cost_ht,
        status=S.IDENTIFIED,
    )
    need.full_clean()
    need._history_user = by  # type: ignore[attr-defined]
    need.save()
    _set_stakes(need, stakes, by)
    StatusChange.objects.create(obj=need, source="", target=S.IDENTIFIED, by=by, comment="Besoin identifié.")
    return need


@transaction.atomic
def need_update(
    *,
    need: EngineeringNeed,
    expected_version: int,
    by: User,
    title: str,
    theme: Theme,
    kind: str,
    commune: Organisation | None,
    scope: str,
    deliverable: str,
    estimated_cost_ht: Decimal | None,
    stakes: Iterable[Stake],
) -> EngineeringNeed:
    """Change what the need is; its status only moves through need_change_status."""
    stakes = _check_scope(need.programme, commune, stakes)
    need = save_versioned(
        need,
        expected_version=expected_version,
        by=by,
        changes={
            "title": title,
            "theme": theme,
            "kind": kind,
            "commune": commune,
            "scope": scope,
            "deliverable": deliverable,
            "estimated_cost_ht": estimated_cost_ht,
        },
    )
    _set_stakes(need, stakes, by)
    return need


def _label(status: str) -> str:
    return NeedStatus(status).label


@transaction.atomic
def need_change_status(
    *,
    need: EngineeringNeed,
    target: str,
    expected_version: int,
    by: User,
    on: datetime.date | None = None,
    comment: str = "",
    offer: Offer | None = None,
    answer: str = "",
) -> EngineeringNeed:
    """Move a need to `target`, dated `on` (today by default), with the reason in `comment`.

    - requested: `offer` (the partner's offer mobilised) is required; a previous answer is cleared;
    - granted, or identified from requested (refused): `answer` records the partner's answer (required
      for a refusal) and `on` is the answer's date;
    - in progress, delivered: `on` is the start or delivery date; dropped and reopened are dated by the
      StatusChange row.
    Refused with StrategyError (French message) when the transition is not allowed or data is missing,
    StaleObjectError when the page was stale, ValidationError when a date contradicts another.
    """
    day = on or policy.today()
    source = need.status
    if target not in NeedStatus.values:
        raise StrategyError(f"Statut inconnu : « {target} ».")
    if target not in TRANSITIONS[source]:
        if not TRANSITIONS[source]:
            raise StrategyError(f"Un besoin « {_label(source)} » est définitif : son statut ne change plus.")
        allowed = ", ".join(
            f"« {_label(t)} »" for t in sorted(TRANSITIONS[source], key=NeedStatus.values.index)
        )
        raise StrategyError(
            f"Un besoin « {_label(source)} » ne peut pas passer à « {_label(target)} » ; "
            f"statuts possibles : {allowed}."
        )
    if day > policy.today():
        raise StrategyError("La date ne peut pas être dans le futur : enregistrez ce qui s'est produit.")

    changes: dict[str, object] = {"status": target}
    refused = source == S.REQUESTED and target == S.IDENTIFIED
    if target == S.REQUESTED:
        if offer is None:
            raise StrategyError("Choisissez l'offre du partenaire sollicité.")
        if offer.valid_until is not None and offer.valid_until < day:
            raise StrategyError(
                f"L'offre « {offer.name} » n'est plus valable depuis le {offer.valid_until:%d/%m/%Y}."
            )
        changes.update(offer=offer, requested_on=day, answered_on=None, partner_answer="")
    elif target == S.GRANTED or refused:
        answer = answer.strip()
        if refused and not answer:
            raise StrategyError("Indiquez la réponse du partenaire qui refuse (motif, suite proposée).")
        changes.update(answered_on=day, partner_answer=answer)
    elif target in DATE_FIELDS:
        changes[DATE_FIELDS[target]] = day

    updated = save_versioned(need, expected_version=expected_version, by=by, changes=changes)
    if refused:
        note = f"Refus du partenaire : {answer}"
        comment = f"{note}\n{comment}".strip() if comment else note
    StatusChange.objects.create(obj=updated, source=source, target=target, by=by, comment=comment.strip())
    return updated
