"""The timeline of a consultation and its deadlines (DOMAIN.md §4.2, DOMAIN_RULES.md §3). Pure: no query.

- Minimum offer delay from the publication: open call for tenders 35 days, 30 when offers are received
  electronically (R2161-2, R2161-3); restricted call for tenders, negotiated procedure and competitive dialogue
  30 days for applications (R2161-6, R2161-12, R2161-24); MAPA: no legal minimum, a "reasonable" delay
  (R2123-4) — a warning below 20 days.
- Formal procedures: answers to questions at least 6 days before the offers deadline (R2132-6); standstill:
  the contract may not be signed before 11 days after the rejection letters are sent (16 days when they are
  not sent electronically), counted date to date (R2182-1) — letters sent on 01/06 → signature from 12/06;
  award notice within 30 days of the signature (R2183-1); transmission to the préfet within 15 days of the
  signature for contracts above the EU thresholds (L2131-2 and D2131-5-1 CGCT).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from operations.procurement.models import FORMAL_PROCEDURES, Consultation, ConsultationStatus, Procedure
from pvd.deadlines import (
    DONE,
    OVERDUE,
    UPCOMING,
    URGENCY,
    WARNING,
    HasDeadlineStatus,
)
from pvd.deadlines import timing as _place

_FORMAL = FORMAL_PROCEDURES

WARN_DAYS = 7  # an upcoming deadline turns to "warning" a week before it falls

MAPA_REASONABLE_DAYS = 20
QUESTIONS_DAYS = 6
STANDSTILL_DAYS = 11
STANDSTILL_DAYS_PAPER = 16
AWARD_NOTICE_DAYS = 30
PREFECTURE_DAYS = 15

CLOSED = frozenset({ConsultationStatus.CANCELLED, ConsultationStatus.UNSUCCESSFUL})

OFFERS = "offers_delay"
QUESTIONS = "questions"
STANDSTILL = "standstill"
AWARD_NOTICE = "award_notice"
PREFECTURE = "prefecture"


@dataclass(frozen=True)
class TimelineItem(HasDeadlineStatus):
    """A step or deadline of the consultation: when, where it stands, the rule it follows."""

    code: str
    label: str
    due_on: datetime.date | None
    status: str
    rule: str
    detail: str = ""
    consultation_id: int | None = None
    consultation_title: str = ""

    @property
    def is_open(self) -> bool:
        return self.status in (UPCOMING, WARNING, OVERDUE)


@dataclass(frozen=True)
class Step:
    """A dated event of the consultation (publication, opening…): done or not."""

    label: str
    on: datetime.date | datetime.datetime | None


def minimum_offer_days(procedure: str, electronic: bool) -> int | None:
    """The legal minimum, in days from the publication, of the offers (or applications) deadline; None
    when the law sets none (MAPA, no publicity)."""
    if procedure == Procedure.OPEN:
        return 30 if electronic else 35
    if procedure in (Procedure.RESTRICTED, Procedure.NEGOTIATED, Procedure.COMPETITIVE_DIALOGUE):
        return 30
    return None


def minimum_offer_rule(procedure: str, electronic: bool) -> str:
    if procedure == Procedure.OPEN:
        return (
            "Appel d'offres ouvert : au moins 35 jours entre l'envoi de l'avis et la remise des offres, 30 jours "
            "quand les offres sont transmises par voie électronique (R2161-2 et R2161-3)."
        )
    if procedure in (Procedure.RESTRICTED, Procedure.NEGOTIATED, Procedure.COMPETITIVE_DIALOGUE):
        return (
            "Procédure restreinte, avec négociation ou dialogue compétitif : au moins 30 jours pour la remise "
            "des candidatures à compter de l'envoi de l'avis (R2161-6, R2161-12, R2161-24)."
        )
    if procedure == Procedure.ADAPTED:
        return (
            "Procédure adaptée : pas de délai minimal fixé par le code, mais un délai raisonnable (R2123-4) ; "
            f"moins de {MAPA_REASONABLE_DAYS} jours est à justifier."
        )
    return "Sans publicité ni mise en concurrence : pas de délai de remise des offres."


def offers_delay_problem(
    procedure: str,
    electronic: bool,
    published_on: datetime.date | None,
    offers_deadline: datetime.date | None,
) -> str | None:
    """The French reason the offers deadline breaks the legal minimum (formal procedures), else None."""
    minimum = minimum_offer_days(procedure, electronic)
    if minimum is None or published_on is None or offers_deadline is None:
        return None
    days = (offers_deadline - published_on).days
    if days >= minimum:
        return None
    return (
        f"La date limite de remise des offres ({offers_deadline:%d/%m/%Y}) laisse {days} jours depuis la "
        f"publication ({published_on:%d/%m/%Y}) : « {Procedure(procedure).label} » en exige au moins {minimum} "
        f"(date limite au plus tôt le {published_on + datetime.timedelta(days=minimum):%d/%m/%Y})."
    )


def questions_problem(
    procedure: str, questions_deadline: datetime.date | None, offers_deadline: datetime.date | None
) -> str | None:
    if procedure not in _FORMAL or questions_deadline is None or offers_deadline is None:
        return None
    latest = offers_deadline - datetime.timedelta(days=QUESTIONS_DAYS)
    if questions_deadline <= latest:
        return None
    return (
        f"La date limite des questions ({questions_deadline:%d/%m/%Y}) doit précéder d'au moins "
        f"{QUESTIONS_DAYS} jours la remise des offres : au plus tard le {latest:%d/%m/%Y} (R2132-6)."
    )


def standstill_days(electronic: bool) -> int:
    return STANDSTILL_DAYS if electronic else STANDSTILL_DAYS_PAPER


def standstill_end(consultation: Consultation) -> datetime.date | None:
    """The first day the contracts of a formal procedure may be signed: the date the rejection letters were
    sent + 11 days (16 when not sent electronically), counted date to date (sent 01/06 → signature from
    12/06). None when no standstill applies (not formal) or the letters are not sent yet."""
    if consultation.procedure not in _FORMAL or consultation.rejections_sent_on is None:
        return None
    return consultation.rejections_sent_on + datetime.timedelta(days=standstill_days(consultation.electronic))


def signature_problem(consultation: Consultation, signed_on: datetime.date) -> str | None:
    """The French reason a signature on `signed_on` breaks the standstill, else None (other parts call it)."""
    if consultation.procedure not in _FORMAL:
        return None
    if consultation.rejections_sent_on is None:
        return (
            "Procédure formalisée : informez d'abord les candidats évincés ; le marché ne peut être signé "
            f"qu'{standstill_days(consultation.electronic)} jours après l'envoi des courriers (R2182-1)."
        )
    end = standstill_end(consultation)
    if signed_on >= end:
        return None
    return (
        f"Délai de suspension (standstill) : courriers aux candidats évincés envoyés le "
        f"{consultation.rejections_sent_on:%d/%m/%Y}, le marché ne peut pas être signé avant le {end:%d/%m/%Y} "
        f"({standstill_days(consultation.electronic)} jours, R2182-1)."
    )


def _timing(due: datetime.date, day: datetime.date) -> str:
    return _place(due, day, warn_from=due - datetime.timedelta(days=WARN_DAYS))


def _date(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def deadlines(
    consultation: Consultation,
    *,
    day: datetime.date,
    signed_on: datetime.date | None = None,
    prefecture_sent_on: datetime.date | None = None,
) -> list[TimelineItem]:
    """The legal deadlines of the consultation on `day`. `signed_on`: the first signature of its contracts;
    `prefecture_sent_on`: when every contract was sent to the préfet (None while one is not)."""
    c = consultation
    items: list[TimelineItem] = []
    closed = c.status in CLOSED
    formal = c.procedure in _FORMAL
    offers = _date(c.offers_deadline)
    ident = {"consultation_id": c.pk, "consultation_title": str(c)}

    # Offers delay
    if c.published_on is not None and c.procedure != Procedure.NO_PUBLICITY:
        minimum = minimum_offer_days(c.procedure, c.electronic)
        rule = minimum_offer_rule(c.procedure, c.electronic)
        if offers is None:
            earliest = c.published_on + datetime.timedelta(days=minimum or MAPA_REASONABLE_DAYS)
            items.append(
                TimelineItem(
                    OFFERS,
                    "Date limite de remise des offres à fixer",
                    earliest,
                    WARNING,
                    rule,
                    f"Au plus tôt le {earliest:%d/%m/%Y}.",
                    **ident,
                )
            )
        else:
            days = (offers - c.published_on).days
            problem = offers_delay_problem(c.procedure, c.electronic, c.published_on, offers)
            if problem:
                status, detail = WARNING, problem
            elif minimum is None and days < MAPA_REASONABLE_DAYS:
                status = WARNING
                detail = (
                    f"{days} jours seulement depuis la publication : moins de {MAPA_REASONABLE_DAYS} jours, "
                    "un délai raisonnable est à justifier au regard de l'objet du marché."
                )
            else:
                status = DONE if (day > offers or c.opened_on) else _timing(offers, day)
                detail = f"{days} jours depuis la publication."
            items.append(TimelineItem(OFFERS, "Remise des offres", offers, status, rule, detail, **ident))

    # Questions
    if formal and offers is not None:
        latest = offers - datetime.timedelta(days=QUESTIONS_DAYS)
        problem = questions_problem(c.procedure, c.questions_deadline, offers)
        rule = (
            "Procédure formalisée : les réponses aux questions des candidats sont envoyées au plus tard "
            f"{QUESTIONS_DAYS} jours avant la remise des offres (R2132-6)."
        )
        if problem:
            status, detail = WARNING, problem
        elif day > latest:
            status, detail = DONE, ""
        else:
            status, detail = _timing(latest, day), ""
        items.append(
            TimelineItem(QUESTIONS, "Dernières réponses aux questions", latest, status, rule, detail, **ident)
        )

    # Standstill
    if formal and c.rejections_sent_on is not None:
        end = standstill_end(c)
        rule = (
            f"Délai de suspension : pas de signature avant {standstill_days(c.electronic)} jours après l'envoi "
            "des courriers aux candidats évincés"
            + (" (16 jours s'ils ne sont pas envoyés par voie électronique)" if c.electronic else "")
            + ", décompté de date à date (R2182-1)."
        )
        if signed_on is not None:
            status = DONE if signed_on >= end else WARNING
            detail = (
                f"Signé le {signed_on:%d/%m/%Y}."
                if status == DONE
                else f"Signé le {signed_on:%d/%m/%Y}, avant la fin du délai : risque de référé contractuel."
            )
        else:
            status = DONE if day >= end else UPCOMING
            detail = f"Signature possible à partir du {end:%d/%m/%Y}."
        items.append(
            TimelineItem(STANDSTILL, "Fin du délai de suspension", end, status, rule, detail, **ident)
        )

    # After the signature
    if formal and signed_on is not None:
        due = signed_on + datetime.timedelta(days=AWARD_NOTICE_DAYS)
        rule = f"Procédure formalisée : avis d'attribution publié dans les {AWARD_NOTICE_DAYS} jours de la signature (R2183-1)."
        if c.award_notice_on is not None:
            status = DONE if c.award_notice_on <= due else WARNING
            detail = f"Publié le {c.award_notice_on:%d/%m/%Y}."
        else:
            status, detail = _timing(due, day), ""
        items.append(TimelineItem(AWARD_NOTICE, "Avis d'attribution", due, status, rule, detail, **ident))
        if c.computed_procedure in _FORMAL:
            due = signed_on + datetime.timedelta(days=PREFECTURE_DAYS)
            rule = (
                "Marché d'un montant au moins égal aux seuils européens : transmission au préfet (contrôle de "
                f"légalité) dans les {PREFECTURE_DAYS} jours de la signature (L2131-2 et D2131-5-1 CGCT)."
            )
            if prefecture_sent_on is not None:
                status = DONE if prefecture_sent_on <= due else WARNING
                detail = f"Transmis le {prefecture_sent_on:%d/%m/%Y}."
            else:
                status, detail = _timing(due, day), ""
            items.append(
                TimelineItem(PREFECTURE, "Transmission au préfet", due, status, rule, detail, **ident)
            )

    if closed:
        items = [i for i in items if i.status == DONE]
    return items


def steps(consultation: Consultation, signed_on: datetime.date | None = None) -> list[Step]:
    """The dated events of the consultation, in order (the CAO only for formal procedures)."""
    c = consultation
    rows = [
        Step("Lancement", c.launch_date),
        Step("Publication", c.published_on),
        Step("Date limite des questions", c.questions_deadline),
        Step("Date limite de remise des offres", c.offers_deadline),
        Step("Ouverture des plis", c.opened_on),
        Step("Rapport d'analyse", c.analysis_on),
    ]
    if c.procedure in _FORMAL:
        rows.append(Step("Commission d'appel d'offres", c.cao_on))
    rows += [
        Step("Décision d'attribution", c.awarded_on),
        Step("Courriers aux candidats évincés", c.rejections_sent_on),
        Step("Signature", signed_on),
    ]
    if c.procedure in _FORMAL:
        rows.append(Step("Avis d'attribution", c.award_notice_on))
    return rows


def next_deadline(items: list[TimelineItem]) -> TimelineItem | None:
    """The open deadline needing attention first (overdue, then the nearest)."""
    open_items = [i for i in items if i.is_open and i.due_on is not None]
    return min(open_items, key=lambda i: (URGENCY[i.status], i.due_on), default=None)
