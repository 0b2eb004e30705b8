"""Demo of the letters part (issue 11): the mailing list « Partenaires et acteurs du programme » (demo contacts
with their consent, one withdrawn), two letters sent through the real service path and a draft for the next
period. Idempotent: a letter already sent is never sent again, a second load changes nothing.

The demo action plan has no status history; the letters need some to report deliveries, so the delivery of the
demo's delivered operations is recorded once, dated in the letters' periods.
"""

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from operations.models import InformationLetter, MailingList, Operation, OperationStatus, Subscription
from operations.participation.models import LetterStatus
from operations.participation.services import letters as services
from partners.models import Person
from pvd.models import StatusChange
from pvd.upsert import upsert

if TYPE_CHECKING:
    from partners.models import Organisation
    from programmes.models import Programme
    from pvd.accounts.models import User

D = datetime.date
LIST_NAME = "Partenaires et acteurs du programme"
DEMO_SITE_URL = "http://127.0.0.1:8000"  # make run; a letter sent from a page uses the page's address

# (organisation name or key, last name, first name, consent on, how, withdrawn on)
SUBSCRIBERS = [
    (
        "Préfecture de la Haute-Marne",
        "Dubois",
        "Claire",
        D(2025, 11, 4),
        "Réponse à l'invitation par courriel",
        None,
    ),
    (
        "Direction départementale des territoires de la Haute-Marne",
        "Benali",
        "Karim",
        D(2025, 11, 4),
        "Réponse à l'invitation par courriel",
        None,
    ),
    ("Cerema", "Marchal", "Julien", D(2025, 12, 9), "Formulaire signé au comité de projet", None),
    (
        "CAUE de la Haute-Marne",
        "Lemoine",
        "Anne",
        D(2025, 12, 9),
        "Formulaire signé au comité de projet",
        None,
    ),
    ("epci", "Lefèvre", "Jean-Marc", D(2025, 11, 4), "Demande écrite (courriel)", None),
    (
        "la_porte_du_der",
        "Fontaine",
        "Nadia",
        D(2025, 12, 9),
        "Formulaire signé au comité de projet",
        D(2026, 8, 20),
    ),
]

# Delivery dates of the demo's delivered operations (works → delivered).
DELIVERIES = {"W-06": D(2026, 3, 20), "PVD-04": D(2026, 5, 12), "LPD-05": D(2026, 9, 15)}

# (title, period start, period end, introduction, sent)
LETTERS = [
    (
        "Lettre d'information n° 1 — premier semestre 2026",
        D(2026, 1, 1),
        D(2026, 6, 30),
        (
            "Voici la première lettre du programme Petites Villes de Demain de Wassy et La Porte du Der : les "
            "opérations livrées, la concertation menée avec les habitants et les rendez-vous à venir."
        ),
        True,
    ),
    (
        "Lettre d'information n° 2 — été et automne 2026",
        D(2026, 7, 1),
        D(2026, 10, 31),
        (
            "La rentrée a été riche : de nouveaux équipements ouverts au public et des habitants qui "
            "continuent de faire évoluer les projets."
        ),
        True,
    ),
    (
        "Lettre d'information n° 3 — hiver 2026-2027",
        D(2026, 11, 1),
        D(2027, 1, 31),
        "Brouillon : relire la composition avant l'envoi de janvier.",
        False,
    ),
]


def _record_deliveries(programme: "Programme", manager: "User") -> None:
    for code, day in DELIVERIES.items():
        operation = Operation.objects.filter(programme=programme, code=code).first()
        if operation is None or operation.status not in {OperationStatus.DELIVERED, OperationStatus.CLOSED}:
            continue
        exists = StatusChange.objects.filter(
            content_type__app_label="operations",
            content_type__model="operation",
            object_id=operation.pk,
            target=OperationStatus.DELIVERED,
        ).exists()
        if exists:
            continue
        change = StatusChange.objects.create(
            obj=operation,
            source=OperationStatus.WORKS,
            target=OperationStatus.DELIVERED,
            by=manager,
            comment="Réception des travaux sans réserve (démo).",
        )
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
        StatusChange.objects.filter(pk=change.pk).update(at=at)  # `at` is set on creation: date it


def load(programme: "Programme", orgs: dict[str, "Organisation"], users: dict[str, "User"]) -> None:
    manager = users["cheffe-de-projet"]
    _record_deliveries(programme, manager)
    mailing_list, _ = upsert(
        MailingList,
        {"description": "Services de l'État, partenaires techniques et élus qui suivent le programme."},
        programme=programme,
        name=LIST_NAME,
    )
    for organisation, last_name, first_name, consent_on, how, withdrawn_on in SUBSCRIBERS:
        person = Person.objects.filter(
            organisation=orgs[organisation], last_name=last_name, first_name=first_name
        ).first()
        if person is None or not person.email:
            continue
        upsert(
            Subscription,
            {"consent_on": consent_on, "consent_source": how, "withdrawn_on": withdrawn_on},
            mailing_list=mailing_list,
            person=person,
        )
    for title, start, end, introduction, sent in LETTERS:
        letter = InformationLetter.objects.filter(programme=programme, title=title).first()
        if letter is None:
            letter = services.letter_create(
                programme=programme,
                by=manager,
                title=title,
                period_start=start,
                period_end=end,
                introduction=introduction,
                mailing_list=mailing_list,
            )
        if sent and letter.status == LetterStatus.DRAFT:
            letter = services.letter_send(
                letter=letter, by=manager, expected_version=letter.version, site_url=DEMO_SITE_URL
            )
            # The demo loads in one transaction: the task queued on commit would run only at its end (and not
            # at all in tests). Deliver now; the queued task then finds every address served and sends nothing.
            services.letter_deliver(letter=letter, site_url=DEMO_SITE_URL)
