"""Mailing lists with consent, the information letter composed from the programme's progress, its sending
through the task queue (eager here; tests/operations/test_participation_letters_worker.py uses a real worker),
and the public unsubscribe link."""

import datetime

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from operations.models import (
    CommunicationAction,
    InformationLetter,
    LetterDelivery,
    OperationStatus,
    Subscription,
)
from operations.participation.models import (
    CommunicationStatus,
    ContributionOutcome,
    DeliveryStatus,
    EventStatus,
    LetterStatus,
)
from operations.participation.selectors.letters import active_subscriptions, compose
from operations.participation.services import letters as services
from operations.participation.services.letters import LetterError
from partners.models import CommunicationKind
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.factories import CommuneFactory
from tests.operations.factories import OperationFactory
from tests.operations.participation_factories import (
    CommunicationActionFactory,
    ConcertationEventFactory,
    ContributionFactory,
    InformationLetterFactory,
    MailingListFactory,
    SubscriptionFactory,
)
from tests.partners.factories import PersonFactory

D = datetime.date
TODAY = timezone.localdate()


def changed_status(operation, source: str, target: str, on: datetime.date) -> StatusChange:
    """A status change of `operation` dated `on` (the row's timestamp is set on creation)."""
    operation.status = target
    operation.save()
    change = StatusChange.objects.create(obj=operation, source=source, target=target)
    at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(11, 0)))
    StatusChange.objects.filter(pk=change.pk).update(at=at)
    return change


@pytest.fixture
def mailing_list(territory: Territory):
    return MailingListFactory(programme=territory.programme, name="Partenaires et acteurs")


@pytest.fixture
def subscribers(mailing_list, territory: Territory) -> dict[str, Subscription]:
    """Two active subscribers, one withdrawn, one without e-mail, one whose consent is dated later."""
    person = lambda **kw: PersonFactory(organisation=territory.anah, **kw)
    return {
        "claire": SubscriptionFactory(
            mailing_list=mailing_list,
            person=person(first_name="Claire", last_name="Dubois", email="claire@etat.example"),
        ),
        "julien": SubscriptionFactory(
            mailing_list=mailing_list,
            person=person(first_name="Julien", last_name="Marchal", email="julien@cerema.example"),
        ),
        "withdrawn": SubscriptionFactory(
            mailing_list=mailing_list,
            person=person(first_name="Nadia", last_name="Fontaine", email="nadia@mairie.example"),
            withdrawn_on=D(2026, 3, 1),
        ),
        "no_email": SubscriptionFactory(
            mailing_list=mailing_list, person=person(first_name="Pierre", last_name="Vasseur", email="")
        ),
        "later": SubscriptionFactory(
            mailing_list=mailing_list,
            person=person(first_name="Anne", last_name="Lemoine", email="anne@caue.example"),
            consent_on=TODAY + datetime.timedelta(days=10),
        ),
    }


@pytest.fixture
def letter(territory: Territory, mailing_list) -> InformationLetter:
    return InformationLetterFactory(
        programme=territory.programme,
        title="Lettre n° 1",
        period_start=D(2026, 1, 1),
        period_end=D(2026, 6, 30),
        introduction="Bonne lecture !",
        mailing_list=mailing_list,
    )


def send(letter: InformationLetter, manager, django_capture_on_commit_callbacks) -> InformationLetter:
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(
            letter=letter, by=manager, expected_version=letter.version, site_url="https://pvd.example.fr"
        )
    letter.refresh_from_db()
    return letter


# --- Composition ------------------------------------------------------------------------------------------


def test_an_operation_delivered_in_the_period_appears_and_one_delivered_before_does_not(
    territory: Territory, letter
) -> None:
    in_period = OperationFactory(
        programme=territory.programme, code="W-06", title="Tiers-lieu", communes=[territory.wassy]
    )
    before = OperationFactory(programme=territory.programme, code="W-07", title="Halle couverte")
    changed_status(in_period, OperationStatus.WORKS, OperationStatus.DELIVERED, D(2026, 3, 20))
    changed_status(before, OperationStatus.WORKS, OperationStatus.DELIVERED, D(2025, 12, 31))
    composition = compose(letter)
    assert [(n.code, n.title, n.communes, n.on) for n in composition.delivered] == [
        ("W-06", "Tiers-lieu", "Wassy", D(2026, 3, 20))
    ]
    assert composition.progressed == []


def test_an_operation_of_another_programme_never_appears(territory: Territory, letter) -> None:
    other = OperationFactory(programme=territory.other_programme, code="J-01")
    changed_status(other, OperationStatus.WORKS, OperationStatus.DELIVERED, D(2026, 3, 20))
    assert compose(letter).delivered == []


def test_operations_that_moved_forward_appear_with_their_new_status_and_setbacks_do_not(
    territory: Territory, letter
) -> None:
    forward = OperationFactory(programme=territory.programme, code="W-02", title="Halle gourmande")
    setback = OperationFactory(programme=territory.programme, code="W-03")
    changed_status(forward, OperationStatus.COMMITTED, OperationStatus.WORKS, D(2026, 4, 2))
    changed_status(setback, OperationStatus.WORKS, OperationStatus.SUSPENDED, D(2026, 4, 3))
    assert [(n.code, n.status_label) for n in compose(letter).progressed] == [("W-02", "En cours (travaux)")]


def test_held_events_with_their_participants_and_the_next_three_months_in_a_venir(
    territory: Territory, letter
) -> None:
    ConcertationEventFactory(
        programme=territory.programme,
        title="Balade urbaine",
        starts_on=D(2026, 4, 14),
        attendance_count=34,
        facilitator="Mme Agnès Privée",
    )
    ConcertationEventFactory(
        programme=territory.programme,
        title="Atelier rue du Moulin",
        status=EventStatus.PLANNED,
        starts_on=D(2026, 9, 10),
    )
    ConcertationEventFactory(
        programme=territory.programme,
        title="Trop loin",
        status=EventStatus.PLANNED,
        starts_on=D(2026, 10, 15),
    )
    CommunicationActionFactory(
        programme=territory.programme,
        kind=CommunicationKind.INAUGURATION,
        title="Inauguration du tiers-lieu",
        status=CommunicationStatus.PLANNED,
        date=D(2026, 12, 5),
    )
    composition = compose(letter)
    assert [(e.title, e.participants) for e in composition.events] == [("Balade urbaine", 34)]
    assert [e.title for e in composition.upcoming_events] == ["Atelier rue du Moulin"]
    assert composition.upcoming_until == D(2026, 9, 30)
    assert [a.title for a in composition.inaugurations] == ["Inauguration du tiers-lieu"]
    html, text = services.render_bodies(letter)
    assert "34 participants" in html and "34 participants" in text
    assert "Atelier rue du Moulin" in html and "Trop loin" not in html
    assert "Agnès Privée" not in html + text  # no personal data


def test_retained_contributions_appear_with_the_change_they_led_to(territory: Territory, letter) -> None:
    operation = OperationFactory(programme=territory.programme, code="PVD-W-01", title="Place Notre-Dame")
    event = ConcertationEventFactory(programme=territory.programme, title="Balade urbaine")
    ContributionFactory(
        event=event,
        subject="Garder des places minute",
        count=12,
        outcome=ContributionOutcome.ADOPTED,
        effect_operation=operation,
        effect_description="Six places minute ajoutées",
        effect_on=D(2026, 5, 12),
    )
    ContributionFactory(event=event, subject="Une idée encore à l'étude", outcome=ContributionOutcome.PENDING)
    decisions = compose(letter).decisions
    assert [(d.subject, d.contributions, d.change, d.operation) for d in decisions] == [
        ("Garder des places minute", 12, "Six places minute ajoutées", "PVD-W-01 — Place Notre-Dame")
    ]


def test_done_communication_actions_appear_but_not_the_letters_themselves(
    territory: Territory, letter
) -> None:
    CommunicationActionFactory(
        programme=territory.programme, title="Article dans la presse", date=D(2026, 5, 2)
    )
    CommunicationActionFactory(
        programme=territory.programme,
        title="Annulé",
        status=CommunicationStatus.CANCELLED,
        date=D(2026, 5, 3),
    )
    assert [a.title for a in compose(letter).communications] == ["Article dans la presse"]


# --- Recipients and sending -----------------------------------------------------------------------------


def test_recipients_are_the_subscribers_with_consent_an_email_and_no_withdrawal(
    territory: Territory, mailing_list, subscribers
) -> None:
    PersonFactory(
        organisation=territory.anah, email="pas-inscrit@anah.example"
    )  # in the directory, no consent
    assert [s.person.email for s in active_subscriptions(mailing_list)] == [
        "claire@etat.example",
        "julien@cerema.example",
    ]


def test_sending_freezes_the_copy_and_mails_each_recipient_with_their_own_unsubscribe_link(
    territory: Territory, manager, letter, subscribers, django_capture_on_commit_callbacks
) -> None:
    OperationFactory(programme=territory.programme, code="W-06", title="Tiers-lieu")
    letter = send(letter, manager, django_capture_on_commit_callbacks)
    assert letter.status == LetterStatus.SENT
    assert letter.recipients_count == 2 and letter.sent_by == manager and letter.sent_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == ["claire@etat.example", "julien@cerema.example"]
    message = next(m for m in mail.outbox if m.to == ["claire@etat.example"])
    assert message.subject == "Lettre n° 1"
    assert "Bonne lecture !" in message.body
    html = message.alternatives[0].content
    token = services.unsubscribe_token(subscribers["claire"])
    link = "https://pvd.example.fr" + reverse("operations:unsubscribe", kwargs={"token": token})
    assert link in message.body and link in html
    assert services.unsubscribe_token(subscribers["julien"]) not in message.body
    assert letter.body_html in html
    assert sorted(LetterDelivery.objects.filter(letter=letter).values_list("email", "status")) == [
        ("claire@etat.example", DeliveryStatus.SENT),
        ("julien@cerema.example", DeliveryStatus.SENT),
    ]
    assert list(
        StatusChange.objects.filter(object_id=letter.pk, content_type__model="informationletter")
        .order_by("pk")
        .values_list("source", "target")
    ) == [("draft", "sending"), ("sending", "sent")]


def test_a_sent_letter_is_recorded_as_a_newsletter_communication_action(
    territory: Territory, manager, letter, subscribers, django_capture_on_commit_callbacks
) -> None:
    letter = send(letter, manager, django_capture_on_commit_callbacks)
    action = CommunicationAction.objects.get(letter=letter)
    assert (action.kind, action.status, action.reach, action.title, action.programme_id) == (
        CommunicationKind.NEWSLETTER,
        CommunicationStatus.DONE,
        2,
        "Lettre n° 1",
        territory.programme.pk,
    )


def test_the_sent_copy_does_not_change_when_the_data_does(
    territory: Territory, manager, letter, subscribers, client_for, django_capture_on_commit_callbacks
) -> None:
    operation = OperationFactory(programme=territory.programme, code="W-06", title="Tiers-lieu numérique")
    changed_status(operation, OperationStatus.WORKS, OperationStatus.DELIVERED, D(2026, 3, 20))
    letter = send(letter, manager, django_capture_on_commit_callbacks)
    frozen = (letter.body_html, letter.body_text)
    assert "Tiers-lieu numérique" in letter.body_html
    operation.title = "Nouveau nom"
    operation.save()
    ConcertationEventFactory(
        programme=territory.programme, title="Réunion ajoutée après", starts_on=D(2026, 6, 1)
    )
    letter.refresh_from_db()
    assert (letter.body_html, letter.body_text) == frozen
    html = client_for("referent").get(reverse("operations:letter", args=[letter.pk])).content.decode()
    assert "Tiers-lieu numérique" in html
    assert "Réunion ajoutée après" not in html and "Nouveau nom" not in html


def test_a_letter_already_sent_is_not_sent_again(
    territory: Territory, manager, letter, subscribers, django_capture_on_commit_callbacks
) -> None:
    letter = send(letter, manager, django_capture_on_commit_callbacks)
    with pytest.raises(LetterError, match="« Envoyée » : ce statut est définitif"):
        services.letter_send(letter=letter, by=manager, expected_version=letter.version)
    assert len(mail.outbox) == 2


def test_a_letter_without_a_list_is_refused(territory: Territory, manager) -> None:
    letter = InformationLetterFactory(programme=territory.programme)
    with pytest.raises(LetterError, match="Choisissez la liste de diffusion"):
        services.letter_send(letter=letter, by=manager, expected_version=letter.version)
    letter.refresh_from_db()
    assert (letter.status, letter.body_html) == (LetterStatus.DRAFT, "")


def test_a_list_without_anybody_with_consent_and_email_is_refused(
    territory: Territory, manager, letter, mailing_list
) -> None:
    SubscriptionFactory(mailing_list=mailing_list, withdrawn_on=D(2026, 2, 1))
    SubscriptionFactory(mailing_list=mailing_list, person=PersonFactory(email=""))
    with pytest.raises(LetterError, match="aucun destinataire ayant donné son consentement"):
        services.letter_send(letter=letter, by=manager, expected_version=letter.version)
    assert InformationLetter.objects.get(pk=letter.pk).status == LetterStatus.DRAFT


def test_a_stale_letter_is_not_sent(territory: Territory, manager, letter, subscribers) -> None:
    services.letter_update(
        letter=letter, by=manager, changes={"title": "Lettre n° 1 bis"}, expected_version=1
    )
    with pytest.raises(StaleObjectError):
        services.letter_send(letter=letter, by=manager, expected_version=1)
    assert InformationLetter.objects.get(pk=letter.pk).status == LetterStatus.DRAFT


def test_a_sent_letter_cannot_be_edited(
    territory: Territory, manager, letter, subscribers, django_capture_on_commit_callbacks
) -> None:
    letter = send(letter, manager, django_capture_on_commit_callbacks)
    with pytest.raises(LetterError, match="seul un brouillon se modifie"):
        services.letter_update(
            letter=letter, by=manager, changes={"title": "Autre"}, expected_version=letter.version
        )


def test_a_retry_sends_only_to_the_addresses_that_failed(
    territory: Territory, manager, letter, subscribers, monkeypatch
) -> None:
    real_send = EmailMultiAlternatives.send

    def flaky(self, *args, **kwargs):
        if self.to == ["julien@cerema.example"]:
            raise OSError("Connexion SMTP refusée")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    letter = services.letter_send(letter=letter, by=manager, expected_version=letter.version)  # task not run
    first = services.letter_deliver(letter=letter)
    assert (first.sent, first.failed, first.skipped) == (1, 1, 0)
    failed = LetterDelivery.objects.get(letter=letter, email="julien@cerema.example")
    assert failed.status == DeliveryStatus.FAILED and "Connexion SMTP refusée" in failed.error
    letter.refresh_from_db()
    assert (letter.status, letter.recipients_count) == (LetterStatus.SENT, 1)

    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    second = services.letter_deliver(letter=letter)
    assert (second.sent, second.failed, second.skipped) == (1, 0, 1)
    third = services.letter_deliver(letter=letter)
    assert (third.sent, third.failed, third.skipped) == (0, 0, 2)
    assert sorted(m.to[0] for m in mail.outbox) == ["claire@etat.example", "julien@cerema.example"]
    assert LetterDelivery.objects.filter(letter=letter).count() == 2
    letter.refresh_from_db()
    assert letter.recipients_count == 2
    assert CommunicationAction.objects.get(letter=letter).reach == 2


def test_the_send_button_queues_the_task_and_the_page_shows_the_deliveries_to_managers_only(
    territory: Territory, letter, subscribers, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for("manager")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("operations:letter_send", args=[letter.pk]), {"version": letter.version}
        )
    assert response.status_code == 302 and len(callbacks) == 1
    assert len(mail.outbox) == 2
    page = client.get(reverse("operations:letter", args=[letter.pk])).content.decode()
    assert "claire@etat.example" in page and "Copie envoyée" in page
    referent_page = client_for("referent").get(reverse("operations:letter", args=[letter.pk]))
    assert referent_page.context["deliveries"] is None
    assert "claire@etat.example" not in referent_page.content.decode()


def test_a_referent_may_not_send(territory: Territory, letter, subscribers, client_for) -> None:
    response = client_for("referent").post(
        reverse("operations:letter_send", args=[letter.pk]), {"version": 1}
    )
    assert response.status_code == 403
    assert InformationLetter.objects.get(pk=letter.pk).status == LetterStatus.DRAFT


def test_the_draft_page_shows_the_live_composition(territory: Territory, letter, client_for) -> None:
    ConcertationEventFactory(programme=territory.programme, title="Balade urbaine", starts_on=D(2026, 4, 14))
    response = client_for("partner").get(reverse("operations:letter", args=[letter.pk]))
    html = response.content.decode()
    assert "Composition (brouillon" in html and "Balade urbaine" in html
    assert response.context["send_form"] is None  # readers do not send


# --- Letters: create and edit ---------------------------------------------------------------------------


def test_a_manager_creates_a_letter_for_one_of_the_programme_lists(
    territory: Territory, mailing_list, client_for
) -> None:
    response = client_for("manager").post(
        reverse("operations:letter_create", args=[territory.programme.pk]),
        {
            "title": "Lettre n° 4",
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "mailing_list": mailing_list.pk,
        },
    )
    letter = InformationLetter.objects.get(title="Lettre n° 4")
    assert response.status_code == 302 and response["Location"] == reverse(
        "operations:letter", args=[letter.pk]
    )
    assert letter.history.get().history_user.email == response.wsgi_request.user.email


def test_a_period_that_ends_before_it_starts_is_refused_in_french(territory: Territory, client_for) -> None:
    response = client_for("manager").post(
        reverse("operations:letter_create", args=[territory.programme.pk]),
        {"title": "Lettre à l'envers", "period_start": "2026-07-01", "period_end": "2026-06-30"},
    )
    assert response.status_code == 200
    assert "La fin de la période doit suivre son début." in response.content.decode()
    assert not InformationLetter.objects.filter(title="Lettre à l'envers").exists()


def test_a_stale_edit_is_refused_and_names_who_changed_the_letter(
    territory: Territory, manager, letter, client_for
) -> None:
    services.letter_update(
        letter=letter, by=manager, changes={"title": "Lettre n° 1 bis"}, expected_version=1
    )
    response = client_for("manager").post(
        reverse("operations:letter_edit", args=[letter.pk]),
        {"title": "Mon titre", "period_start": "2026-01-01", "period_end": "2026-06-30", "version": 1},
    )
    assert response.status_code == 200
    assert "a été modifié par Camille Martin" in response.content.decode()
    assert InformationLetter.objects.get(pk=letter.pk).title == "Lettre n° 1 bis"


# --- Mailing lists and subscriptions --------------------------------------------------------------------


def test_a_manager_subscribes_a_contact_with_the_proof_of_consent(
    territory: Territory, mailing_list, manager, client_for
) -> None:
    person = PersonFactory(organisation=territory.anah, email="karim@ddt.example")
    response = client_for("manager").post(
        reverse("operations:subscription_create", args=[mailing_list.pk]),
        {"person": person.pk, "consent_on": "2026-02-03", "consent_source": "Formulaire signé en réunion"},
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(mailing_list=mailing_list, person=person)
    assert (subscription.consent_on, subscription.consent_source) == (
        D(2026, 2, 3),
        "Formulaire signé en réunion",
    )
    assert subscription.history.get().history_user == manager


def test_no_consent_no_subscription(territory: Territory, mailing_list, client_for) -> None:
    person = PersonFactory(organisation=territory.anah, email="karim@ddt.example")
    response = client_for("manager").post(
        reverse("operations:subscription_create", args=[mailing_list.pk]), {"person": person.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sans consentement, pas d&#x27;inscription" in html
    assert "Indiquez comment le consentement a été recueilli." in html
    assert not Subscription.objects.exists()


def test_only_visible_contacts_with_an_email_can_be_subscribed(
    territory: Territory, mailing_list, client_for
) -> None:
    visible = PersonFactory(organisation=territory.anah, email="ok@anah.example")
    PersonFactory(organisation=territory.anah, email="")
    elsewhere = PersonFactory(
        organisation=CommuneFactory(name="Joinville-bis", epci=territory.other_epci),
        email="x@joinville.example",
    )
    form = (
        client_for("manager")
        .get(reverse("operations:subscription_create", args=[mailing_list.pk]))
        .context["form"]
    )
    offered = list(form.fields["person"].queryset)
    assert visible in offered and elsewhere not in offered
    assert all(p.email for p in offered)


def test_the_service_refuses_a_contact_without_email_or_a_future_consent(
    territory: Territory, mailing_list, manager
) -> None:
    with pytest.raises(ValidationError) as error:
        services.subscription_create(
            mailing_list=mailing_list,
            by=manager,
            person=PersonFactory(email=""),
            consent_on=TODAY + datetime.timedelta(days=1),
            consent_source="Courriel",
        )
    assert set(error.value.message_dict) == {"person", "consent_on"}


def test_a_withdrawn_contact_comes_back_only_with_a_new_consent(
    territory: Territory, mailing_list, manager
) -> None:
    subscription = SubscriptionFactory(mailing_list=mailing_list, withdrawn_on=D(2026, 3, 1))
    again = services.subscription_create(
        mailing_list=mailing_list,
        by=manager,
        person=subscription.person,
        consent_on=D(2026, 4, 1),
        consent_source="Courriel",
    )
    assert again.pk == subscription.pk and again.withdrawn_on is None and again.consent_on == D(2026, 4, 1)
    with pytest.raises(LetterError, match="déjà inscrit"):
        services.subscription_create(
            mailing_list=mailing_list,
            by=manager,
            person=subscription.person,
            consent_on=D(2026, 4, 1),
            consent_source="Courriel",
        )


def test_a_manager_withdraws_a_subscriber_and_the_list_shows_them_apart(
    territory: Territory, mailing_list, subscribers, client_for
) -> None:
    client = client_for("manager")
    response = client.post(reverse("operations:subscription_withdraw", args=[subscribers["claire"].pk]))
    assert response.status_code == 302
    subscribers["claire"].refresh_from_db()
    assert subscribers["claire"].withdrawn_on == TODAY
    page = client.get(reverse("operations:mailing_list", args=[mailing_list.pk]))
    members = page.context["members"]
    assert [s.person.first_name for s in members.active] == ["Julien"]
    assert {s.person.first_name for s in members.withdrawn} == {"Claire", "Nadia"}
    assert "Journal des inscriptions" in page.content.decode()


# --- The public unsubscribe link ------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_then_withdraws_and_the_history_names_no_user(
    territory: Territory, mailing_list, subscribers, client, client_for
) -> None:
    subscription = subscribers["claire"]
    url = reverse("operations:unsubscribe", kwargs={"token": services.unsubscribe_token(subscription)})
    page = client.get(url)
    assert page.status_code == 200 and "Me désinscrire" in page.content.decode()
    assert Subscription.objects.get(pk=subscription.pk).withdrawn_on is None
    done = client.post(url)
    assert done.status_code == 200 and "C'est fait" in done.content.decode()
    subscription.refresh_from_db()
    assert subscription.withdrawn_on == TODAY
    record = subscription.history.order_by("-history_date").first()
    assert record.history_user is None
    assert record.history_change_reason == "Désinscription par le destinataire (lien de la lettre)"
    again = client.post(url)
    assert "déjà désinscrit" in again.content.decode()
    assert client.get(url).context["subscription"].withdrawn_on == TODAY
    journal = client_for("manager").get(reverse("operations:mailing_list", args=[mailing_list.pk]))
    assert "<td>le destinataire</td>" in journal.content.decode()


def test_a_tampered_unsubscribe_token_is_a_404(territory: Territory, subscribers, client) -> None:
    token = services.unsubscribe_token(subscribers["claire"])
    assert (
        client.get(reverse("operations:unsubscribe", kwargs={"token": token[:-2] + "xx"})).status_code == 404
    )
    forged = signing.Signer().sign_object(subscribers["julien"].pk)  # signed without the salt
    assert client.post(reverse("operations:unsubscribe", kwargs={"token": forged})).status_code == 404
    assert Subscription.objects.get(pk=subscribers["julien"].pk).withdrawn_on is None


# --- Access ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["mayor_of_wassy", "mayor_of_la_porte_du_der", "operator", "outsider"])
def test_mayors_operators_and_outsiders_get_404_on_lists_and_letters(
    territory: Territory, persona: str, letter, mailing_list, client_for
) -> None:
    client = client_for(persona)
    for url in [
        reverse("operations:letters", args=[territory.programme.pk]),
        reverse("operations:letter", args=[letter.pk]),
        reverse("operations:mailing_lists", args=[territory.programme.pk]),
        reverse("operations:mailing_list", args=[mailing_list.pk]),
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("persona", ["referent", "partner"])
def test_readers_read_letters_but_not_the_mailing_lists(
    territory: Territory, persona: str, letter, mailing_list, client_for
) -> None:
    client = client_for(persona)
    assert client.get(reverse("operations:letters", args=[territory.programme.pk])).status_code == 200
    assert client.get(reverse("operations:mailing_lists", args=[territory.programme.pk])).status_code == 403
    assert client.get(reverse("operations:mailing_list", args=[mailing_list.pk])).status_code == 404


# --- Query counts ---------------------------------------------------------------------------------------


def _grow(territory: Territory, mailing_list, factor: int) -> None:
    for n in range(2 * factor):
        SubscriptionFactory(mailing_list=mailing_list)
        SubscriptionFactory(mailing_list=mailing_list, withdrawn_on=D(2026, 3, 1))
        other = MailingListFactory(programme=territory.programme)
        SubscriptionFactory(mailing_list=other)
        InformationLetterFactory(programme=territory.programme, mailing_list=mailing_list)
        InformationLetterFactory(
            programme=territory.programme,
            mailing_list=other,
            status=LetterStatus.SENT,
            body_html="<p>Envoyée</p>",
            recipients_count=3,
        )
        operation = OperationFactory(programme=territory.programme, communes=[territory.wassy])
        changed_status(operation, OperationStatus.WORKS, OperationStatus.DELIVERED, D(2026, 2, 1 + n % 27))
        moving = OperationFactory(
            programme=territory.programme, communes=[territory.wassy, territory.la_porte_du_der]
        )
        changed_status(moving, OperationStatus.IDEA, OperationStatus.MATURE, D(2026, 3, 1 + n % 27))
        event = ConcertationEventFactory(
            programme=territory.programme, communes=[territory.wassy], starts_on=D(2026, 4, 1)
        )
        ContributionFactory(
            event=event,
            outcome=ContributionOutcome.ADOPTED,
            effect_operation=operation,
            effect_description="Changement",
            effect_on=D(2026, 4, 2),
        )
        ConcertationEventFactory(
            programme=territory.programme, status=EventStatus.PLANNED, starts_on=D(2026, 8, 1)
        )
        CommunicationActionFactory(programme=territory.programme, date=D(2026, 5, 1))
        LetterDelivery.objects.create(
            letter=InformationLetter.objects.filter(status=LetterStatus.SENT).first(),
            email=f"x{n}@exemple.fr",
            status=DeliveryStatus.SENT,
        )


# Every page: session, user, memberships (scope), the nav menu's programmes, the session refresh (savepoint,
# update, release) — 7; then:
PAGES = {
    # programme + EPCI, lists with their counts (one aggregate)
    "mailing_lists": (lambda t, ml, lt, st: reverse("operations:mailing_lists", args=[t.programme.pk]), 10),
    # list + programme, members + people + organisations, journal + users + people, history panel (records,
    # names of the programme)
    "mailing_list": (lambda t, ml, lt, st: reverse("operations:mailing_list", args=[ml.pk]), 13),
    # programme + EPCI, letters + list + recipients today (one aggregate)
    "letters": (lambda t, ml, lt, st: reverse("operations:letters", args=[t.programme.pk]), 10),
    # letter + programme + list, composition (status changes; operations; their communes; events held; their
    # communes; actions; decisions; events planned; their communes; inaugurations), recipients, history panel
    "letter_draft": (lambda t, ml, lt, st: reverse("operations:letter", args=[lt.pk]), 23),
    # letter + programme + list, deliveries + people, history panel
    "letter_sent": (lambda t, ml, lt, st: reverse("operations:letter", args=[st.pk]), 13),
}


@pytest.mark.parametrize("factor", [1, 10])
@pytest.mark.parametrize("page_name", sorted(PAGES))
def test_page_query_count_is_flat(
    territory: Territory,
    mailing_list,
    letter,
    client_for,
    django_assert_num_queries,
    page_name: str,
    factor: int,
) -> None:
    _grow(territory, mailing_list, factor)
    sent = InformationLetter.objects.filter(status=LetterStatus.SENT).first()
    url, budget = PAGES[page_name]  # each budget counts the bell's unread count (issue 8)
    client = client_for("manager")
    with django_assert_num_queries(budget):
        response = client.get(url(territory, mailing_list, letter, sent))
    assert response.status_code == 200
