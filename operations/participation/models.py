"""Participation models. Imported by `operations.models` so that Django registers them in the operations app.

They live in `operations` rather than `partners` (where ARCHITECTURE.md §1 lists them) because they point to
programmes and operations, two apps above `partners` (decision 0012). Their vocabularies that a lower app needs
(`CommunicationKind`, read by the financers' publicity requirements) live in `partners.models`.

No personal data about the public: attendance is a count and a profile breakdown, contributions are texts
without authors. The mailing lists hold contacts (partners.Person) with their consent, like the directory.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from partners.models import CommunicationKind
from pvd.concurrency import VersionedModel
from pvd.fields import ScopedQuerySet, money

# --- Vocabularies ----------------------------------------------------------------------------------------


class EventFormat(models.TextChoices):
    """DOMAIN.md §8, typical formats."""

    PUBLIC_MEETING = "public_meeting", "Réunion publique"
    WORKSHOP = "workshop", "Atelier"
    GUIDED_WALK = "guided_walk", "Balade urbaine / diagnostic en marchant"
    SURVEY = "survey", "Enquête ou questionnaire"
    OFFICE_HOURS = "office_hours", "Permanence"
    EXHIBITION = "exhibition", "Exposition avec registre"
    RESIDENTS_COMMITTEE = "residents_committee", "Comité d'habitants ou d'usagers"
    TRADERS_MEETING = "traders_meeting", "Réunion des commerçants"
    CO_DESIGN = "co_design", "Atelier de co-conception"
    OTHER = "other", "Autre"


class LegalFrame(models.TextChoices):
    """Voluntary, or required by law (DOMAIN.md §8): L103-2 ends with a bilan adopted by deliberation."""

    VOLUNTARY = "voluntary", "Démarche volontaire"
    URBANISM = "urbanism", "Concertation obligatoire (code de l'urbanisme, art. L103-2)"
    ENVIRONMENTAL = "environmental", "Participation du public (code de l'environnement)"
    DEVELOPMENT_COUNCIL = "development_council", "Saisine du conseil de développement"


class EventStatus(models.TextChoices):
    PLANNED = "planned", "Prévu"
    HELD = "held", "Tenu"
    CANCELLED = "cancelled", "Annulé"


class AttendeeProfile(models.TextChoices):
    RESIDENTS = "residents", "Habitants"
    TRADERS = "traders", "Commerçants et artisans"
    OWNERS = "owners", "Propriétaires"
    YOUNG = "young", "Jeunes (moins de 25 ans)"
    SENIORS = "seniors", "Seniors"
    ASSOCIATIONS = "associations", "Associations"
    ELECTED = "elected", "Élus"
    PARTNERS = "partners", "Partenaires et techniciens"
    OTHER = "other", "Autres"


class ContributionOutcome(models.TextChoices):
    PENDING = "pending", "À étudier"
    ADOPTED = "adopted", "Retenue"
    PARTLY = "partly", "Retenue en partie"
    NOT_ADOPTED = "not_adopted", "Non retenue"
    OUT_OF_SCOPE = "out_of_scope", "Hors du champ du projet"


# Outcomes that say the project changed: they need the description of the change.
EFFECT_OUTCOMES = (ContributionOutcome.ADOPTED, ContributionOutcome.PARTLY)


class CommunicationStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    DONE = "done", "Réalisée"
    CANCELLED = "cancelled", "Annulée"


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SENDING = "sending", "Envoi en cours"
    SENT = "sent", "Envoyée"


class DeliveryStatus(models.TextChoices):
    SENT = "sent", "Envoyé"
    FAILED = "failed", "Échec"


class NetworkEventKind(models.TextChoices):
    CLUB_PVD = "club_pvd", "Club Petites villes de demain"
    REGIONAL = "regional", "Rencontre régionale ou départementale"
    WEBINAR = "webinar", "Webinaire"
    TRAINING = "training", "Formation"
    STUDY_VISIT = "study_visit", "Visite d'étude"
    OTHER = "other", "Autre"


class SheetStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publiée"


def _choices(name: str, field: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=name,
        violation_error_message="Valeur inconnue.",
    )


# --- Concertation -----------------------------------------------------------------------------------------


class ConcertationPlanItem(VersionedModel):
    """One line of the programme's concertation plan: what, when, for which operations (its follow-up is
    the events held under it)."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="concertation_plan",
        verbose_name="programme",
    )
    title = models.CharField("démarche", max_length=200)
    format = models.CharField("format", max_length=30, choices=EventFormat)
    legal_frame = models.CharField("cadre", max_length=30, choices=LegalFrame, default=LegalFrame.VOLUNTARY)
    description = models.TextField("objectifs et modalités", blank=True)
    planned_from = models.DateField("prévue à partir du")
    planned_until = models.DateField("jusqu'au")
    expected_sessions = models.PositiveSmallIntegerField("nombre de séances prévues", default=1)
    operations = models.ManyToManyField(
        "operations.Operation", blank=True, related_name="concertation_plan_items", verbose_name="opérations"
    )
    communes = models.ManyToManyField(
        "partners.Organisation",
        blank=True,
        related_name="concertation_plan_items",
        verbose_name="communes",
        limit_choices_to={"kind": "commune"},
    )

    history = HistoricalRecords(m2m_fields=[operations, communes])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "démarche du plan de concertation"
        verbose_name_plural = "plan de concertation"
        ordering = ("planned_from", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_until__gte=F("planned_from")),
                name="concertationplanitem_period_ordered",
                violation_error_message="La fin de la période doit suivre son début.",
            ),
            models.CheckConstraint(
                condition=Q(expected_sessions__gte=1),
                name="concertationplanitem_sessions_gte_1",
                violation_error_message="Prévoyez au moins une séance.",
            ),
            _choices("concertationplanitem_format_valid", "format", EventFormat),
            _choices("concertationplanitem_frame_valid", "legal_frame", LegalFrame),
        ]

    def __str__(self) -> str:
        return self.title


class ConcertationEvent(VersionedModel):
    """One concertation event (a meeting, a walk, a survey period, an office-hours session…)."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="concertation_events",
        verbose_name="programme",
    )
    plan_item = models.ForeignKey(
        ConcertationPlanItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="démarche du plan",
    )
    title = models.CharField("intitulé", max_length=200)
    format = models.CharField("format", max_length=30, choices=EventFormat)
    legal_frame = models.CharField("cadre", max_length=30, choices=LegalFrame, default=LegalFrame.VOLUNTARY)
    status = models.CharField("statut", max_length=20, choices=EventStatus, default=EventStatus.PLANNED)
    starts_on = models.DateField("date")
    ends_on = models.DateField(
        "jusqu'au",
        null=True,
        blank=True,
        help_text="Pour une enquête ou une exposition : la fin de la période.",
    )
    start_time = models.TimeField("heure", null=True, blank=True)
    place = models.CharField("lieu", max_length=200, blank=True)
    communes = models.ManyToManyField(
        "partners.Organisation",
        blank=True,
        related_name="concertation_events",
        verbose_name="communes",
        limit_choices_to={"kind": "commune"},
    )
    operations = models.ManyToManyField(
        "operations.Operation", blank=True, related_name="concertation_events", verbose_name="opérations"
    )
    themes = models.ManyToManyField("partners.Theme", blank=True, related_name="+", verbose_name="thèmes")
    organiser = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organised_concertation_events",
        verbose_name="organisateur",
    )
    facilitator = models.CharField("animation", max_length=200, blank=True)
    target_public = models.CharField("public visé", max_length=200, blank=True)
    invitations_sent = models.PositiveIntegerField("invitations envoyées", null=True, blank=True)
    invitation_channels = models.CharField("canaux d'invitation", max_length=200, blank=True)
    attendance_count = models.PositiveIntegerField("participants", null=True, blank=True)
    materials = models.TextField("supports", blank=True)
    synthesis = models.TextField("synthèse", blank=True)
    feedback_on = models.DateField("retour fait aux participants le", null=True, blank=True)
    feedback = models.TextField("retour aux participants", blank=True)
    bilan_deliberation_on = models.DateField("bilan de la concertation adopté le", null=True, blank=True)
    bilan_deliberation_reference = models.CharField("délibération du bilan", max_length=100, blank=True)

    history = HistoricalRecords(m2m_fields=[communes, operations, themes])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "temps de concertation"
        verbose_name_plural = "temps de concertation"
        ordering = ("-starts_on", "-pk")
        indexes = [models.Index(fields=["programme", "starts_on"], name="concertationevent_prog_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="concertationevent_period_ordered",
                violation_error_message="La fin de la période doit suivre son début.",
            ),
            models.CheckConstraint(
                condition=Q(feedback_on__isnull=True) | Q(feedback_on__gte=F("starts_on")),
                name="concertationevent_feedback_after_event",
                violation_error_message="Le retour aux participants ne peut précéder le temps de concertation.",
            ),
            models.CheckConstraint(
                condition=Q(bilan_deliberation_on__isnull=True) | Q(legal_frame="urbanism"),
                name="concertationevent_bilan_only_l103_2",
                violation_error_message=(
                    "Un bilan adopté par délibération ne concerne que la concertation du code de l'urbanisme."
                ),
            ),
            _choices("concertationevent_format_valid", "format", EventFormat),
            _choices("concertationevent_frame_valid", "legal_frame", LegalFrame),
            _choices("concertationevent_status_valid", "status", EventStatus),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_on:%d/%m/%Y})"


class AttendanceProfile(models.Model):
    """How many participants of one profile came (no personal data)."""

    event = models.ForeignKey(
        ConcertationEvent, on_delete=models.CASCADE, related_name="attendance_profiles", verbose_name="temps"
    )
    profile = models.CharField("profil", max_length=20, choices=AttendeeProfile)
    count = models.PositiveIntegerField("nombre")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "profil des participants"
        verbose_name_plural = "profils des participants"
        ordering = ("event", "profile")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "profile"],
                name="attendanceprofile_one_per_profile",
                violation_error_message="Ce profil est déjà compté pour ce temps de concertation.",
            ),
            _choices("attendanceprofile_profile_valid", "profile", AttendeeProfile),
        ]

    def __str__(self) -> str:
        return f"{self.get_profile_display()} : {self.count}"


class Contribution(VersionedModel):
    """Contributions of one kind gathered at an event (`count` of them), with the text of a notable one, and
    what the project did with them: the change it led to on an operation."""

    event = models.ForeignKey(
        ConcertationEvent, on_delete=models.PROTECT, related_name="contributions", verbose_name="temps"
    )
    theme = models.ForeignKey(
        "partners.Theme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="thème",
    )
    subject = models.CharField("objet", max_length=200)
    count = models.PositiveIntegerField("nombre de contributions", default=1)
    text = models.TextField("texte (contribution notable)", blank=True)
    notable = models.BooleanField("contribution notable", default=False)
    outcome = models.CharField(
        "suite donnée", max_length=20, choices=ContributionOutcome, default=ContributionOutcome.PENDING
    )
    effect_operation = models.ForeignKey(
        "operations.Operation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name="opération modifiée",
    )
    effect_description = models.TextField("changement décidé", blank=True)
    effect_on = models.DateField("décidé le", null=True, blank=True)
    answer = models.TextField("réponse apportée", blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "contribution"
        verbose_name_plural = "contributions"
        ordering = ("event", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1),
                name="contribution_count_gte_1",
                violation_error_message="Le nombre de contributions est d'au moins 1.",
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=EFFECT_OUTCOMES) | ~Q(effect_description=""),
                name="contribution_effect_described",
                violation_error_message="Décrivez le changement décidé pour une contribution retenue.",
            ),
            models.CheckConstraint(
                condition=Q(effect_operation__isnull=True) | Q(outcome__in=EFFECT_OUTCOMES),
                name="contribution_effect_needs_adoption",
                violation_error_message="Seule une contribution retenue modifie une opération.",
            ),
            _choices("contribution_outcome_valid", "outcome", ContributionOutcome),
        ]

    def __str__(self) -> str:
        return self.subject


# --- Communication ----------------------------------------------------------------------------------------


class CommunicationAction(VersionedModel):
    """A communication action: channel, date, audience, message, linked operations and the financers it
    credits (logo or mention), with its proof (photo of the panel, copy of the article…)."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="communication_actions",
        verbose_name="programme",
    )
    kind = models.CharField("canal", max_length=20, choices=CommunicationKind)
    title = models.CharField("intitulé", max_length=200)
    status = models.CharField(
        "statut", max_length=20, choices=CommunicationStatus, default=CommunicationStatus.PLANNED
    )
    date = models.DateField("date")
    audience = models.CharField("public", max_length=200, blank=True)
    message = models.TextField("message", blank=True)
    reach = models.PositiveIntegerField(
        "portée", null=True, blank=True, help_text="Destinataires, lecteurs, vues ou participants."
    )
    operations = models.ManyToManyField(
        "operations.Operation", blank=True, related_name="communication_actions", verbose_name="opérations"
    )
    communes = models.ManyToManyField(
        "partners.Organisation",
        blank=True,
        related_name="communication_actions",
        verbose_name="communes",
        limit_choices_to={"kind": "commune"},
    )
    funders_credited = models.ManyToManyField(
        "partners.Organisation",
        blank=True,
        related_name="credited_in_communications",
        verbose_name="financeurs mentionnés (logo ou mention)",
    )
    proof = models.FileField("justificatif", upload_to="communication/%Y/", blank=True)
    proof_note = models.CharField("justificatif (description ou lien)", max_length=300, blank=True)
    letter = models.OneToOneField(
        "operations.InformationLetter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communication_action",
        verbose_name="lettre d'information",
    )

    history = HistoricalRecords(m2m_fields=[operations, communes, funders_credited])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "action de communication"
        verbose_name_plural = "actions de communication"
        ordering = ("-date", "-pk")
        indexes = [models.Index(fields=["programme", "date"], name="communication_prog_date")]
        constraints = [
            _choices("communicationaction_kind_valid", "kind", CommunicationKind),
            _choices("communicationaction_status_valid", "status", CommunicationStatus),
        ]

    def __str__(self) -> str:
        return self.title


class MailingList(VersionedModel):
    """A programme's list of partners and local actors who agreed to receive its information letter."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="mailing_lists",
        verbose_name="programme",
    )
    name = models.CharField("nom", max_length=200)
    description = models.TextField("description", blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "liste de diffusion"
        verbose_name_plural = "listes de diffusion"
        ordering = ("name", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="mailinglist_name_unique",
                violation_error_message="Une liste de diffusion porte déjà ce nom dans ce programme.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """A contact on a mailing list, with the record of their consent (GDPR art. 6-1-a, art. 7: proof of
    consent, withdrawal as easy as giving it). Only subscribers with consent and no withdrawal receive."""

    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="subscriptions", verbose_name="liste"
    )
    person = models.ForeignKey(
        "partners.Person", on_delete=models.CASCADE, related_name="subscriptions", verbose_name="contact"
    )
    consent_on = models.DateField("consentement recueilli le")
    consent_source = models.CharField(
        "recueilli comment", max_length=200, help_text="Ex. : formulaire signé en réunion publique, courriel."
    )
    withdrawn_on = models.DateField("désinscrit le", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "abonnement"
        verbose_name_plural = "abonnements"
        ordering = ("mailing_list", "person__last_name", "person__first_name")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing_list", "person"],
                name="subscription_one_per_person",
                violation_error_message="Ce contact est déjà inscrit sur cette liste.",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("consent_on")),
                name="subscription_withdrawal_after_consent",
                violation_error_message="La désinscription ne peut précéder le consentement.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.mailing_list}"


class InformationLetter(VersionedModel):
    """An information letter to partners and actors, composed from recent progress; the copy sent is kept
    (`body_html`, `body_text`) and never changes afterwards."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="information_letters",
        verbose_name="programme",
    )
    title = models.CharField("titre", max_length=200)
    period_start = models.DateField("actualité du")
    period_end = models.DateField("au")
    introduction = models.TextField("éditorial", blank=True)
    mailing_list = models.ForeignKey(
        MailingList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name="liste de diffusion",
    )
    status = models.CharField("statut", max_length=20, choices=LetterStatus, default=LetterStatus.DRAFT)
    body_html = models.TextField("copie envoyée (HTML)", blank=True, editable=False)
    body_text = models.TextField("copie envoyée (texte)", blank=True, editable=False)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="envoyée par",
        editable=False,
    )
    recipients_count = models.PositiveIntegerField("destinataires", default=0, editable=False)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "lettre d'information"
        verbose_name_plural = "lettres d'information"
        ordering = ("-period_end", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="informationletter_period_ordered",
                violation_error_message="La fin de la période doit suivre son début.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(mailing_list__isnull=False),
                name="informationletter_sent_to_a_list",
                violation_error_message="Choisissez la liste de diffusion avant l'envoi.",
            ),
            _choices("informationletter_status_valid", "status", LetterStatus),
        ]

    def __str__(self) -> str:
        return self.title


class LetterDelivery(models.Model):
    """One e-mail of a letter: to whom, when, sent or failed (the Celery task retries the failed ones)."""

    letter = models.ForeignKey(
        InformationLetter, on_delete=models.CASCADE, related_name="deliveries", verbose_name="lettre"
    )
    person = models.ForeignKey(
        "partners.Person", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="contact"
    )
    email = models.EmailField("adresse")
    status = models.CharField("état", max_length=20, choices=DeliveryStatus)
    error = models.TextField("erreur", blank=True)
    at = models.DateTimeField("le", auto_now=True)

    class Meta:
        verbose_name = "envoi"
        verbose_name_plural = "envois"
        ordering = ("letter", "email")
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "email"],
                name="letterdelivery_one_per_address",
                violation_error_message="Cette adresse a déjà reçu cette lettre.",
            ),
            _choices("letterdelivery_status_valid", "status", DeliveryStatus),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_status_display()})"


# --- Network and capitalisation ------------------------------------------------------------------------------


class NetworkEvent(VersionedModel):
    """A network meeting attended (Club PVD, regional meeting, webinar…) with its notes."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="network_events",
        verbose_name="programme",
    )
    kind = models.CharField("type", max_length=20, choices=NetworkEventKind)
    title = models.CharField("intitulé", max_length=200)
    date = models.DateField("date")
    organiser = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="network_events",
        verbose_name="organisateur",
    )
    place = models.CharField("lieu", max_length=200, blank=True)
    url = models.URLField("lien", blank=True)
    attendees = models.CharField("participants de l'équipe", max_length=300, blank=True)
    themes = models.ManyToManyField("partners.Theme", blank=True, related_name="+", verbose_name="thèmes")
    notes = models.TextField("notes", blank=True)
    takeaways = models.TextField("à retenir pour le programme", blank=True)

    history = HistoricalRecords(m2m_fields=[themes])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "rencontre du réseau"
        verbose_name_plural = "rencontres du réseau"
        ordering = ("-date", "-pk")
        constraints = [_choices("networkevent_kind_valid", "kind", NetworkEventKind)]

    def __str__(self) -> str:
        return self.title


class PracticeSheet(VersionedModel):
    """A good-practice sheet (fiche retour d'expérience) written from an operation. Published (opt-in) it is
    readable by anyone, without logging in: it holds no personal data (a contact is a service, not a person)."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="practice_sheets",
        verbose_name="programme",
    )
    operation = models.ForeignKey(
        "operations.Operation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_sheets",
        verbose_name="opération",
    )
    title = models.CharField("titre", max_length=200)
    slug = models.SlugField("adresse publique", max_length=120, unique=True)
    summary = models.TextField("en bref")
    context = models.TextField("contexte", blank=True)
    actions = models.TextField("ce qui a été fait", blank=True)
    cost_ht = money("coût (€ HT)", null=True, blank=True)
    funding = models.TextField("financement", blank=True)
    results = models.TextField("résultats", blank=True)
    difficulties = models.TextField("difficultés rencontrées", blank=True)
    lessons = models.TextField("enseignements", blank=True)
    contact_organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_sheets",
        verbose_name="contact : structure",
    )
    contact_service = models.CharField(
        "contact : service ou fonction", max_length=200, blank=True, help_text="Pas de nom de personne."
    )
    themes = models.ManyToManyField("partners.Theme", blank=True, related_name="+", verbose_name="thèmes")
    communes = models.ManyToManyField(
        "partners.Organisation",
        blank=True,
        related_name="practice_sheets_about",
        verbose_name="communes",
        limit_choices_to={"kind": "commune"},
    )
    status = models.CharField("statut", max_length=20, choices=SheetStatus, default=SheetStatus.DRAFT)
    published_on = models.DateField("publiée le", null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[themes, communes])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche retour d'expérience"
        verbose_name_plural = "fiches retour d'expérience"
        ordering = ("-published_on", "title", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_on__isnull=False),
                name="practicesheet_published_dated",
                violation_error_message="Une fiche publiée a une date de publication.",
            ),
            _choices("practicesheet_status_valid", "status", SheetStatus),
        ]

    def __str__(self) -> str:
        return self.title
