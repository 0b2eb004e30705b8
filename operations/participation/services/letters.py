"""Writes of mailing lists and information letters.

Mailing lists hold contacts with the proof of their consent (GDPR art. 7): no consent, no subscription; a
withdrawal is as easy as the consent (a signed link in every e-mail, `unsubscribe_token`).

A letter is composed live from the programme's progress while it is a draft; `letter_send` freezes the
composition (`body_html`, `body_text`), moves the letter to « sending » and queues the task on commit; the task
(`letter_deliver`) sends one e-mail per active subscriber, records each delivery, never sends twice to the
same address (a retry only sends what is missing), then marks the letter « sent » and records the matching
communication action. Keyword-only, atomic, audited (history user on every row); refusals as LetterError.
"""

import datetime
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from operations.models import (
    CommunicationAction,
    InformationLetter,
    LetterDelivery,
    MailingList,
    Subscription,
)
from operations.participation.models import (
    CommunicationStatus,
    DeliveryStatus,
    LetterStatus,
)
from operations.participation.selectors.letters import active_subscriptions, compose
from partners.models import CommunicationKind, Person
from programmes.models import Programme
from pvd import workflow
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned
from pvd.errors import DomainError
from pvd.models import StatusChange

S = LetterStatus
UNSUBSCRIBE_SALT = "operations.participation.unsubscribe"
EMAIL_TEMPLATES = "operations/participation/letters/email"
# The history's reason when a recipient withdraws through the link of a letter (no user: the recipient).
RECIPIENT_WITHDRAWAL = "Désinscription par le destinataire (lien de la lettre)"

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SENDING}),
    S.SENDING: frozenset({S.SENT}),
    S.SENT: frozenset(),  # final: the copy sent is kept as it was
}
LETTER_FIELDS = ("title", "period_start", "period_end", "introduction", "mailing_list")


class LetterError(DomainError):
    """A rule of mailing lists or letters refused the action (French message)."""


def _integrity(error: IntegrityError) -> ValidationError:
    return ValidationError("Cette modification contredit une règle des données ; rien n'a été enregistré.")


# --- Mailing lists and subscriptions --------------------------------------------------------------------


@transaction.atomic
def mailing_list_create(*, programme: Programme, by: User, name: str, description: str = "") -> MailingList:
    mailing_list = MailingList(programme=programme, name=name.strip(), description=description.strip())
    try:
        save_audited(mailing_list, by)
    except IntegrityError as error:
        raise _integrity(error) from error
    return mailing_list


def mailing_list_update(
    *, mailing_list: MailingList, by: User, changes: dict[str, object], expected_version: int
) -> MailingList:
    unknown = set(changes) - {"name", "description"}
    if unknown:
        raise LetterError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    try:
        return save_versioned(mailing_list, expected_version=expected_version, changes=changes, by=by)
    except IntegrityError as error:
        raise _integrity(error) from error


@transaction.atomic
def subscription_create(
    *,
    mailing_list: MailingList,
    by: User,
    person: Person,
    consent_on: datetime.date | None,
    consent_source: str,
    today: datetime.date | None = None,
) -> Subscription:
    """Put a contact on the list with the record of their consent. A contact who withdrew comes back only
    with a new consent (the same row, its history keeps both)."""
    day = today or timezone.localdate()
    errors: dict[str, str] = {}
    if consent_on is None:
        errors["consent_on"] = "Sans consentement, pas d'inscription : indiquez quand il a été recueilli."
    elif consent_on > day:
        errors["consent_on"] = "Le consentement ne peut pas être daté d'un jour à venir."
    if not consent_source.strip():
        errors["consent_source"] = "Indiquez comment le consentement a été recueilli."
    if not person.email:
        errors["person"] = f"{person} n'a pas d'adresse e-mail : ajoutez-la dans l'annuaire."
    if errors:
        raise ValidationError(errors)
    existing = (
        Subscription.objects.select_for_update().filter(mailing_list=mailing_list, person=person).first()
    )
    if existing is not None and existing.withdrawn_on is None:
        raise LetterError(f"{person} est déjà inscrit(e) sur la liste « {mailing_list} ».")
    subscription = existing or Subscription(mailing_list=mailing_list, person=person)
    subscription.consent_on = consent_on
    subscription.consent_source = consent_source.strip()
    subscription.withdrawn_on = None
    try:
        save_audited(subscription, by)
    except IntegrityError as error:
        raise _integrity(error) from error
    return subscription


@transaction.atomic
def subscription_withdraw(
    *, subscription: Subscription, by: User | None, on: datetime.date | None = None, reason: str = ""
) -> Subscription:
    """Take a contact off the list from `on` (today). `by` None: the recipient withdrew through the link of a
    letter (the history says so)."""
    current = Subscription.objects.select_for_update().select_related("person").get(pk=subscription.pk)
    if current.withdrawn_on is not None:
        raise LetterError(
            f"{current.person} est déjà désinscrit(e) depuis le {current.withdrawn_on:%d/%m/%Y}."
        )
    current.withdrawn_on = max(on or timezone.localdate(), current.consent_on)
    current._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history
    save_audited(current, by)
    return current


def unsubscribe_token(subscription: Subscription) -> str:
    """The signed token of the unsubscribe link: the same for every letter, with no expiry (a letter read
    months later still works)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(subscription.pk)


def subscription_from_token(token: str) -> Subscription | None:
    """The subscription a token names, or None when the token was tampered with or names nothing."""
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Subscription.objects.select_related("person", "mailing_list__programme").filter(pk=pk).first()


# --- Letters --------------------------------------------------------------------------------------------


def _check_list(programme_id: int, mailing_list: MailingList | None) -> None:
    if mailing_list is not None and mailing_list.programme_id != programme_id:
        raise ValidationError({"mailing_list": "Cette liste de diffusion appartient à un autre programme."})


@transaction.atomic
def letter_create(
    *,
    programme: Programme,
    by: User,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    introduction: str = "",
    mailing_list: MailingList | None = None,
) -> InformationLetter:
    _check_list(programme.pk, mailing_list)
    letter = InformationLetter(
        programme=programme,
        title=title.strip(),
        period_start=period_start,
        period_end=period_end,
        introduction=introduction.strip(),
        mailing_list=mailing_list,
    )
    try:
        save_audited(letter, by)
    except IntegrityError as error:
        raise _integrity(error) from error
    StatusChange.objects.create(obj=letter, source="", target=S.DRAFT, by=by, comment="Lettre créée.")
    return letter


@transaction.atomic
def letter_update(
    *, letter: InformationLetter, by: User, changes: dict[str, object], expected_version: int
) -> InformationLetter:
    """Edit a draft (a letter sent, or being sent, keeps the copy that went out)."""
    unknown = set(changes) - set(LETTER_FIELDS)
    if unknown:
        raise LetterError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    current = InformationLetter.objects.select_for_update().get(pk=letter.pk)
    if current.status != S.DRAFT:
        raise LetterError(
            f"La lettre « {current} » est « {current.get_status_display()} » : seul un brouillon se modifie."
        )
    _check_list(current.programme_id, changes.get("mailing_list"))  # type: ignore[arg-type]
    try:
        return save_versioned(current, expected_version=expected_version, changes=changes, by=by)
    except IntegrityError as error:
        raise _integrity(error) from error


def render_bodies(letter: InformationLetter) -> tuple[str, str]:
    """The letter's HTML and text copies from its live composition (the part every recipient reads alike)."""
    context = {"c": compose(letter)}
    html = render_to_string(f"{EMAIL_TEMPLATES}/_body.html", context)
    text = render_to_string(f"{EMAIL_TEMPLATES}/body.txt", context)
    return html.strip(), text.strip() + "\n"


@transaction.atomic
def letter_send(
    *, letter: InformationLetter, by: User, expected_version: int, site_url: str = ""
) -> InformationLetter:
    """Freeze the letter's copy, move it to « sending » and queue its sending on commit. Refused for a
    letter already sent or being sent, without a list, or whose list has nobody with consent to write to.

    `site_url` (« https://pvd.example.fr ») makes the unsubscribe links absolute; a view passes its own."""
    from operations.participation.tasks import send_information_letter  # lazy: the task imports us

    current = (
        InformationLetter.objects.select_for_update(of=("self",))  # PostgreSQL: not the nullable list's row
        .select_related("programme", "mailing_list")
        .get(pk=letter.pk)
    )
    message = workflow.refusal(
        transitions=TRANSITIONS,
        choices=S,
        source=current.status,
        target=S.SENDING,
        subject=f"La lettre « {current} »",
        pronoun="elle",
    )
    if message:
        raise LetterError(message)
    if current.mailing_list is None:
        raise LetterError("Choisissez la liste de diffusion avant l'envoi.")
    if not active_subscriptions(current.mailing_list).exists():
        raise LetterError(
            f"La liste « {current.mailing_list} » n'a aucun destinataire ayant donné son consentement "
            "et disposant d'une adresse e-mail : la lettre ne peut pas être envoyée."
        )
    body_html, body_text = render_bodies(current)
    saved = save_versioned(
        current,
        expected_version=expected_version,
        by=by,
        changes={"status": S.SENDING, "body_html": body_html, "body_text": body_text, "sent_by": by},
    )
    StatusChange.objects.create(
        obj=saved,
        source=S.DRAFT,
        target=S.SENDING,
        by=by,
        comment=f"Envoi à la liste « {saved.mailing_list} ».",
    )
    send_information_letter.delay_on_commit(saved.pk, site_url)
    return saved


@dataclass(frozen=True)
class DeliveryReport:
    sent: int  # e-mails sent by this run
    failed: int  # e-mails that failed in this run (a retry sends them)
    skipped: int  # addresses already served by an earlier run


def _message(letter: InformationLetter, subscription: Subscription, site_url: str) -> EmailMultiAlternatives:
    link = site_url.rstrip("/") + reverse(
        "operations:unsubscribe", kwargs={"token": unsubscribe_token(subscription)}
    )
    context = {"letter": letter, "unsubscribe_url": link, "mailing_list": letter.mailing_list}
    text = render_to_string(f"{EMAIL_TEMPLATES}/letter.txt", context)
    html = render_to_string(f"{EMAIL_TEMPLATES}/letter.html", context)
    message = EmailMultiAlternatives(
        subject=letter.title,
        body=text,
        to=[subscription.person.email],
        headers={"List-Unsubscribe": f"<{link}>"},
    )
    message.attach_alternative(html, "text/html")
    return message


def letter_deliver(*, letter: InformationLetter, site_url: str = "") -> DeliveryReport:
    """Send the frozen letter to every active subscriber not yet served, one e-mail each, recording every
    delivery (sent, or failed with the error); then mark the letter sent. Safe to run again: an address
    already sent to is never sent to twice."""
    letter = InformationLetter.objects.select_related("programme", "mailing_list").get(pk=letter.pk)
    if letter.status == S.DRAFT or letter.mailing_list is None:
        raise LetterError(f"La lettre « {letter} » n'a pas été envoyée : elle est encore en brouillon.")
    served = set(
        LetterDelivery.objects.filter(letter=letter, status=DeliveryStatus.SENT).values_list(
            "email", flat=True
        )
    )
    sent = failed = skipped = 0
    for subscription in active_subscriptions(letter.mailing_list):
        email = subscription.person.email
        if email in served:
            skipped += 1
            continue
        served.add(email)  # two contacts sharing an address get one e-mail
        try:
            _message(letter, subscription, site_url).send()
        except Exception as error:  # noqa: BLE001 - any mailer failure is recorded, the task retries it
            status, detail = DeliveryStatus.FAILED, f"{type(error).__name__} : {error}"
            failed += 1
        else:
            status, detail = DeliveryStatus.SENT, ""
            sent += 1
        LetterDelivery.objects.update_or_create(
            letter=letter,
            email=email,
            defaults={"person": subscription.person, "status": status, "error": detail},
        )
    _mark_sent(letter)
    return DeliveryReport(sent, failed, skipped)


@transaction.atomic
def _mark_sent(letter: InformationLetter) -> None:
    """The letter is sent (first run) with the number of recipients reached; the communication action that
    reports it is recorded once and its reach follows the retries."""
    current = (
        InformationLetter.objects.select_for_update(of=("self",))  # PostgreSQL: not the nullable list's row
        .select_related("mailing_list")
        .get(pk=letter.pk)
    )
    reached = LetterDelivery.objects.filter(letter=current, status=DeliveryStatus.SENT).count()
    if current.status == S.SENDING:
        current.status = S.SENT
        current.sent_at = timezone.now()
        current.recipients_count = reached
        current.version += 1
        save_audited(current, current.sent_by)
        StatusChange.objects.create(
            obj=current,
            source=S.SENDING,
            target=S.SENT,
            by=current.sent_by,
            comment=f"{reached} destinataire{'s' if reached > 1 else ''}.",
        )
    elif current.recipients_count != reached:
        current.recipients_count = reached
        current.version += 1
        save_audited(current, None)
    action = CommunicationAction.objects.filter(letter=current).first()
    if action is None:
        action = CommunicationAction(
            programme_id=current.programme_id,
            letter=current,
            kind=CommunicationKind.NEWSLETTER,
            title=current.title,
            status=CommunicationStatus.DONE,
            date=timezone.localdate(current.sent_at),
            audience=f"Liste de diffusion « {current.mailing_list} »",
            message=current.introduction,
            reach=reached,
        )
        save_audited(action, current.sent_by)
    elif action.reach != reached:
        action.reach = reached
        action.version += 1
        save_audited(action, None)
