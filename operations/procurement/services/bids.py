"""Writes of the analysis of offers (DOMAIN.md §4.2, §4.1): bids, admissibility, scores, award and signature.

- A bid is recorded between publication and the offers deadline (the deadline minute itself is on time).
- Scores are entered for the non-price leaf criteria, each within its scale, all or nothing; price scores are
  computed (operations.procurement.scoring).
- A lot is awarded to its best-ranked admissible bid, or to another with a written reason; during the analysis
  (or at the CAO, whose date a formal procedure requires). The award is recorded as a StatusChange of the bid
  (target « awarded », the decision date and reason in its comment); the consultation moves to « awarded » when
  every lot is awarded or unsuccessful.
- The contract is signed from the awarded bid, after the rejection letters and, for a formal procedure, after
  the standstill; the mandatory advance (R2191-3) is checked.
Consultation statuses change only through the consultations service (consultation_change_status).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from operations.models import (
    Bid,
    BidScore,
    Consultation,
    ConsultationStatus,
    Contract,
    Criterion,
    CriterionKind,
    Lot,
)
from operations.procurement import execution, scoring
from partners.models import Organisation, OrganisationKind
from pvd.accounts.models import User
from pvd.errors import DomainError
from pvd.models import StatusChange
from pvd.money import format_euros, format_percent, round_cents

S = ConsultationStatus

AWARDED = "awarded"
ADMISSIBLE = "admissible"
INADMISSIBLE = "inadmissible"

# Mandatory advance (R2191-3): the rule and its values live with the contract's execution rules.
ADVANCE_AMOUNT_HT = execution.ADVANCE_MANDATORY_ABOVE_HT
ADVANCE_MONTHS = execution.ADVANCE_MANDATORY_ABOVE_MONTHS
ADVANCE_MIN_RATE = execution.ADVANCE_MIN_RATE
advance_required = execution.advance_required

# Bids are received and scored while the offers are open or analysed; no longer once a lot is awarded.
BID_STATUSES = frozenset({S.PUBLISHED, S.OPENED, S.ANALYSIS, S.CAO})
SCORING_STATUSES = frozenset({S.PUBLISHED, S.OPENED, S.ANALYSIS, S.CAO})
SIGNING_STATUSES = frozenset({S.AWARDED, S.REJECTIONS_SENT, S.SIGNED})


class BidError(DomainError):
    """A rule of the analysis of offers refused the action (French message)."""


def _at(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y à %H:%M")


def _day(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


# --- Awards read back -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Award:
    bid_id: int
    decided_on: datetime.date | None
    reason: str


def awards_of(bid_ids: list[int]) -> dict[int, Award]:
    """{bid pk: its award} for the awarded bids among `bid_ids` (one query)."""
    if not bid_ids:
        return {}
    lots = (
        Lot.objects.filter(awarded_bid_id__in=bid_ids)
        .order_by()
        .values_list("awarded_bid_id", "awarded_on", "award_reason")
    )
    return {bid_id: Award(bid_id, decided_on, reason) for bid_id, decided_on, reason in lots}


def award_of_lot(lot: Lot) -> tuple[Bid, Award] | None:
    lot = Lot.objects.select_related("awarded_bid__bidder").get(pk=lot.pk)
    if lot.awarded_bid is None:
        return None
    return lot.awarded_bid, Award(lot.awarded_bid_id, lot.awarded_on, lot.award_reason)


# --- Bids -----------------------------------------------------------------------------------------------


def _check_bid_window(consultation: Consultation, received_at: datetime.datetime) -> None:
    if consultation.status not in BID_STATUSES:
        if consultation.status in (S.NEED_DEFINED, S.DCE):
            raise BidError(
                "La consultation n'est pas encore publiée : aucune offre ne peut être enregistrée avant sa "
                "publication."
            )
        raise BidError(
            f"La consultation est « {consultation.get_status_display()} » : les offres ne peuvent plus être "
            "enregistrées ni modifiées."
        )
    if consultation.published_on is None:
        raise BidError("La date de publication de la consultation n'est pas renseignée.")
    if timezone.is_naive(received_at):
        raise BidError("La date de réception de l'offre doit comporter une heure et un fuseau.")
    if timezone.localtime(received_at).date() < consultation.published_on:
        raise ValidationError(
            {
                "received_at": f"Offre reçue le {_at(received_at)}, avant la publication de la consultation "
                f"({_day(consultation.published_on)})."
            }
        )
    deadline = consultation.offers_deadline
    if deadline is None:
        raise BidError(
            "La date limite de remise des offres de la consultation n'est pas fixée : renseignez-la avant "
            "d'enregistrer les offres."
        )
    # The deadline is given to the minute: an offer received within that minute is on time.
    if received_at.replace(second=0, microsecond=0) > deadline:
        raise ValidationError(
            {
                "received_at": f"Offre reçue le {_at(received_at)}, après la date limite de remise des offres "
                f"({_at(deadline)}) : elle ne peut pas être enregistrée."
            }
        )


def _check_lot_open(lot: Lot) -> None:
    if lot.unsuccessful:
        raise BidError(f"Le {lot} est déclaré infructueux.")
    if award_of_lot(lot) is not None:
        raise BidError(f"Le {lot} est déjà attribué : ses offres ne peuvent plus être modifiées.")


def _check_siret(bidder: Organisation, siret: str, consultation: Consultation) -> None:
    if not (len(siret) == 14 and siret.isdigit()):
        raise ValidationError({"bidder_siret": "Le SIRET compte 14 chiffres."})
    if bidder.siren and siret[:9] != bidder.siren:
        raise ValidationError(
            {
                "bidder_siret": f"Le SIRET {siret} ne correspond pas au SIREN de « {bidder.name} » "
                f"({bidder.siren}) : ses 9 premiers chiffres sont le SIREN."
            }
        )
    if bidder.pk == consultation.buyer_id:
        raise ValidationError({"bidder": "L'acheteur ne peut pas être candidat à sa propre consultation."})


def company_create(*, name: str, siret: str, by: User) -> Organisation:
    """A new company bidding, named with its SIRET: its SIREN (first 9 digits) is set unless another
    organisation already carries it."""
    name = name.strip()
    if not name:
        raise ValidationError({"new_bidder_name": "Indiquez le nom de l'entreprise."})
    if not (len(siret) == 14 and siret.isdigit()):
        raise ValidationError({"bidder_siret": "Le SIRET compte 14 chiffres."})
    siren = siret[:9]
    company = Organisation(
        kind=OrganisationKind.COMPANY,
        name=name,
        siren=None if Organisation.objects.filter(siren=siren).exists() else siren,
    )
    company.full_clean()
    company._history_user = by  # type: ignore[attr-defined]
    company.save()
    return company


def bid_record(
    *,
    lot: Lot,
    bidder: Organisation,
    bidder_siret: str,
    received_at: datetime.datetime,
    price_ht: Decimal,
    by: User,
    note: str = "",
) -> Bid:
    """Register an offer received for `lot`: between publication and the offers deadline (to the minute)."""
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=lot.consultation_id)
        _check_bid_window(consultation, received_at)
        _check_lot_open(lot)
        _check_siret(bidder, bidder_siret, consultation)
        if Bid.objects.filter(lot=lot, bidder=bidder).exists():
            raise ValidationError({"bidder": f"« {bidder.name} » a déjà une offre pour le {lot}."})
        bid = Bid(
            lot=lot,
            bidder=bidder,
            bidder_siret=bidder_siret,
            received_at=received_at,
            price_ht=price_ht,
            note=note,
        )
        bid.full_clean()
        bid._history_user = by  # type: ignore[attr-defined]
        bid.save()
    return bid


def bid_update(
    *,
    bid: Bid,
    bidder_siret: str,
    received_at: datetime.datetime,
    price_ht: Decimal,
    by: User,
    note: str = "",
) -> Bid:
    """Correct an offer's SIRET, reception time, price or observations, under the same rules as recording it."""
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=bid.lot.consultation_id)
        bid = Bid.objects.select_for_update().select_related("lot", "bidder").get(pk=bid.pk)
        _check_bid_window(consultation, received_at)
        _check_lot_open(bid.lot)
        _check_siret(bid.bidder, bidder_siret, consultation)
        bid.bidder_siret, bid.received_at, bid.price_ht, bid.note = bidder_siret, received_at, price_ht, note
        bid.full_clean()
        bid._history_user = by  # type: ignore[attr-defined]
        bid.save()
    return bid


def bid_set_admissibility(*, bid: Bid, admissible: bool, reason: str = "", by: User) -> Bid:
    """Declare an offer admissible, or set it aside (irregular, unacceptable, inappropriate) with its reason."""
    reason = reason.strip()
    if not admissible and not reason:
        raise ValidationError(
            {
                "inadmissibility_reason": "Indiquez le motif pour lequel l'offre est écartée (irrégulière, "
                "inacceptable, inappropriée…)."
            }
        )
    with transaction.atomic():
        bid = Bid.objects.select_for_update().select_related("lot", "bidder").get(pk=bid.pk)
        if bid.admissible == admissible and (admissible or bid.inadmissibility_reason == reason):
            return bid
        _check_lot_open(bid.lot)
        source = ADMISSIBLE if bid.admissible else INADMISSIBLE
        bid.admissible = admissible
        bid.inadmissibility_reason = "" if admissible else reason
        bid.full_clean()
        bid._history_user = by  # type: ignore[attr-defined]
        bid.save()
        StatusChange.objects.create(
            obj=bid,
            source=source,
            target=ADMISSIBLE if admissible else INADMISSIBLE,
            by=by,
            comment=reason,
        )
    return bid


# --- Scores ---------------------------------------------------------------------------------------------


def scorable_criteria(consultation: Consultation) -> list[Criterion]:
    """The criteria entered by hand: non-price criteria without sub-criteria, in order."""
    criteria = list(
        Criterion.objects.filter(consultation=consultation)
        .select_related("parent")
        .order_by("position", "pk")
    )
    parents = {c.parent_id for c in criteria if c.parent_id}
    return [c for c in criteria if c.pk not in parents and c.kind != CriterionKind.PRICE]


def scores_set(
    *, bid: Bid, scores: dict[Criterion, Decimal], by: User, comments: dict[Criterion, str] | None = None
) -> list[BidScore]:
    """Enter an offer's scores, all or nothing: each within 0 and its criterion's scale; price criteria are
    computed, not entered."""
    comments = comments or {}
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=bid.lot.consultation_id)
        bid = Bid.objects.select_related("lot", "bidder").get(pk=bid.pk)
        if consultation.status not in SCORING_STATUSES:
            raise BidError(
                f"La consultation est « {consultation.get_status_display()} » : les notes ne peuvent plus être "
                "modifiées."
            )
        _check_lot_open(bid.lot)
        if not bid.admissible:
            raise BidError("Une offre écartée n'est pas notée : déclarez-la recevable pour la noter.")
        allowed = {c.pk: c for c in scorable_criteria(consultation)}
        errors: dict[str, str] = {}
        for criterion, score in scores.items():
            if criterion.consultation_id != consultation.pk:
                raise BidError(f"Le critère « {criterion.name} » n'est pas un critère de cette consultation.")
            if criterion.kind == CriterionKind.PRICE:
                raise BidError(
                    f"« {criterion.name} » est un critère de prix : sa note est calculée par la formule, pas "
                    "saisie."
                )
            if criterion.pk not in allowed:
                raise BidError(f"« {criterion.name} » a des sous-critères : notez chacun d'eux.")
            if score is None or score < 0 or score > criterion.max_score:
                errors[f"criterion_{criterion.pk}"] = (
                    f"La note de « {criterion.name} » est comprise entre 0 et {criterion.max_score.normalize():f}."
                )
        if errors:
            raise ValidationError(errors)
        saved = []
        for criterion, score in scores.items():
            row, _ = BidScore.objects.update_or_create(
                bid=bid,
                criterion=criterion,
                defaults={
                    "score": score,
                    "max_score": criterion.max_score,
                    "comment": comments.get(criterion, ""),
                },
            )
            saved.append(row)
    return saved


# --- Analysis of a lot (reads) ---------------------------------------------------------------------------


def analyse(lot: Lot) -> scoring.LotAnalysis:
    """The scoring of `lot` from the database (a handful of queries)."""
    consultation = lot.consultation
    bids = list(lot.bids.select_related("bidder").order_by("price_ht", "pk"))
    criteria = list(Criterion.objects.filter(consultation=consultation).order_by("position", "pk"))
    scores = {
        (s.bid_id, s.criterion_id): s.score
        for s in BidScore.objects.filter(bid__lot=lot).only("bid_id", "criterion_id", "score")
    }
    return scoring.analyse_lot(bids, criteria, scores, consultation.price_formula)


# --- Award ----------------------------------------------------------------------------------------------


def _consultation_status(consultation: Consultation, status: str, by: User, **dates: object) -> Consultation:
    from operations.procurement.services.consultations import consultation_change_status

    return consultation_change_status(consultation=consultation, status=status, by=by, **dates)


def award_lot(*, lot: Lot, bid: Bid, decided_on: datetime.date, by: User, reason: str = "") -> Bid:
    """Award `lot` to `bid`: the best-ranked admissible offer, or another one with a written reason."""
    reason = reason.strip()
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=lot.consultation_id)
        lot = Lot.objects.select_related("consultation").get(pk=lot.pk)
        bid = Bid.objects.select_related("bidder").get(pk=bid.pk)
        if bid.lot_id != lot.pk:
            raise BidError(f"Cette offre n'a pas été remise pour le {lot}.")
        if lot.unsuccessful:
            raise BidError(f"Le {lot} est déclaré infructueux : il ne peut pas être attribué.")
        if award_of_lot(lot) is not None:
            raise BidError(f"Le {lot} est déjà attribué.")
        if consultation.status not in (S.ANALYSIS, S.CAO):
            raise BidError(
                f"La consultation est « {consultation.get_status_display()} » : un lot s'attribue au stade de "
                "l'analyse des offres ou de la commission d'appel d'offres."
            )
        if consultation.is_formal:
            if consultation.cao_on is None:
                raise BidError(
                    f"Procédure formalisée ({consultation.get_procedure_display()}) : la commission d'appel "
                    "d'offres choisit l'attributaire (CGCT L1414-2). Renseignez la date de la CAO avant "
                    "d'attribuer."
                )
            if consultation.status != S.CAO:
                raise BidError(
                    "Procédure formalisée : la commission d'appel d'offres choisit l'attributaire (CGCT L1414-2) ; "
                    "passez d'abord la consultation à l'étape « Commission d'appel d'offres »."
                )
            if decided_on < consultation.cao_on:
                raise ValidationError(
                    {
                        "decided_on": f"La décision d'attribution ({_day(decided_on)}) ne peut pas précéder la "
                        f"commission d'appel d'offres ({_day(consultation.cao_on)})."
                    }
                )
        if consultation.opened_on and decided_on < consultation.opened_on:
            raise ValidationError(
                {
                    "decided_on": f"La décision d'attribution ({_day(decided_on)}) ne peut pas précéder "
                    f"l'ouverture des plis ({_day(consultation.opened_on)})."
                }
            )
        if not bid.admissible:
            raise BidError(
                f"L'offre de « {bid.bidder.name} » est écartée ({bid.inadmissibility_reason}) : elle ne peut pas "
                "être retenue."
            )
        analysis = analyse(lot)
        if analysis.warnings:
            raise BidError(" ".join(analysis.warnings))
        if not analysis.complete:
            incomplete = ", ".join(
                f"« {r.bid.bidder.name} »" for r in analysis.results if r.admissible and r.total is None
            )
            raise BidError(f"La notation n'est pas complète : offres à noter — {incomplete}.")
        result = analysis.result_for(bid.pk)
        if (result is None or result.rank != 1) and not reason:
            raise ValidationError(
                {
                    "reason": f"L'offre de « {bid.bidder.name} » est classée n° {result.rank if result else '—'}"
                    " : pour retenir une autre offre que la mieux classée, indiquez le motif."
                }
            )
        comment = f"Décision du {_day(decided_on)}."
        if reason:
            comment += f" Motif : {reason}"
        lot.awarded_bid, lot.awarded_on, lot.award_reason = bid, decided_on, reason
        lot.full_clean()
        lot._history_user = by  # type: ignore[attr-defined]
        lot.save(update_fields=["awarded_bid", "awarded_on", "award_reason"])
        StatusChange.objects.create(obj=bid, source="", target=AWARDED, by=by, comment=comment)
        lots = list(Lot.objects.filter(consultation=consultation))
        awarded_lots = {item.pk for item in lots if item.awarded_bid_id}
        if all(item.unsuccessful or item.pk in awarded_lots for item in lots):
            _consultation_status(consultation, S.AWARDED, by, awarded_on=decided_on)
    return bid


# --- Signature ------------------------------------------------------------------------------------------


def _standstill_end(consultation: Consultation) -> datetime.date | None:
    from operations.procurement.timeline import standstill_end

    return standstill_end(consultation)


def sign_contract(
    *,
    lot: Lot,
    signed_on: datetime.date,
    number: str,
    duration_months: int,
    by: User,
    notified_on: datetime.date | None = None,
    vat_rate: Decimal = Decimal("0.20"),
    advance_rate: Decimal = Decimal(0),
    retention_rate: Decimal = Decimal(0),
    price_form: str = "lump_sum",
    ccag: str = "works",
) -> Contract:
    """Create the contract of `lot` from its awarded bid (holder, SIRET, amount HT = price, TTC with VAT)."""
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=lot.consultation_id)
        lot = Lot.objects.select_related("consultation").get(pk=lot.pk)
        found = award_of_lot(lot)
        if found is None:
            raise BidError(f"Le {lot} n'est pas attribué : attribuez-le avant de signer le marché.")
        bid, award = found
        if Contract.objects.filter(lot=lot).exists():
            raise BidError(f"Le marché du {lot} est déjà signé.")
        if consultation.status not in SIGNING_STATUSES:
            raise BidError(
                f"La consultation est « {consultation.get_status_display()} » : le marché se signe après la "
                "décision d'attribution de tous les lots."
            )
        if award.decided_on and signed_on < award.decided_on:
            raise ValidationError(
                {
                    "signed_on": f"La signature ({_day(signed_on)}) ne peut pas précéder la décision "
                    f"d'attribution ({_day(award.decided_on)})."
                }
            )
        has_rivals = lot.bids.exclude(pk=bid.pk).exists()
        if (has_rivals or consultation.is_formal) and consultation.rejections_sent_on is None:
            raise BidError(
                "Les candidats évincés n'ont pas été informés : envoyez les courriers de rejet (avec leurs motifs) "
                "avant de signer le marché."
            )
        if consultation.rejections_sent_on and signed_on < consultation.rejections_sent_on:
            raise ValidationError(
                {
                    "signed_on": f"La signature ({_day(signed_on)}) ne peut pas précéder l'information des "
                    f"candidats évincés ({_day(consultation.rejections_sent_on)})."
                }
            )
        if consultation.is_formal:
            end = _standstill_end(consultation)
            if end is None:
                raise BidError("Le délai de suspension (standstill) ne peut pas être calculé.")
            if signed_on < end:
                days = 11 if consultation.electronic else 16
                raise ValidationError(
                    {
                        "signed_on": f"Signature le {_day(signed_on)} refusée : délai de suspension (standstill) "
                        f"de {days} jours après l'information des candidats évincés du "
                        f"{_day(consultation.rejections_sent_on)} ; signature possible à partir du {_day(end)}."
                    }
                )
        amount_ht = bid.price_ht
        if advance_required(amount_ht, duration_months) and advance_rate < ADVANCE_MIN_RATE:
            raise ValidationError(
                {
                    "advance_rate": f"Marché de {format_euros(amount_ht)} HT sur {duration_months} mois : "
                    f"l'avance est obligatoire (plus de {format_euros(ADVANCE_AMOUNT_HT)} HT et plus de "
                    f"{ADVANCE_MONTHS} mois, R2191-3), au moins {format_percent(ADVANCE_MIN_RATE, 0)}."
                }
            )
        contract = Contract(
            lot=lot,
            number=number,
            holder=bid.bidder,
            holder_siret=bid.bidder_siret,
            amount_ht=amount_ht,
            vat_rate=vat_rate,
            amount_ttc=round_cents(amount_ht * (1 + vat_rate)),
            duration_months=duration_months,
            price_form=price_form,
            ccag=ccag,
            signed_on=signed_on,
            notified_on=notified_on,
            advance_rate=advance_rate,
            retention_rate=retention_rate,
        )
        contract.full_clean()
        contract._history_user = by  # type: ignore[attr-defined]
        contract.save()
        StatusChange.objects.create(obj=contract, source="", target=contract.status, by=by)
        lots = list(Lot.objects.filter(consultation=consultation))
        signed = set(Contract.objects.filter(lot__consultation=consultation).values_list("lot_id", flat=True))
        # Every lot signed: the consultation is "signed" (once the rejection letters are recorded).
        if consultation.status == S.REJECTIONS_SENT and all(
            item.unsuccessful or item.pk in signed for item in lots
        ):
            _consultation_status(consultation, S.SIGNED, by, signed_on=signed_on)
    return contract
