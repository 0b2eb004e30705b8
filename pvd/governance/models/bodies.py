"""Bodies (instances), their meetings with agenda, attendance, minutes and documents, and the decision register
(DOMAIN.md §6.1)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.concurrency import VersionedModel
from pvd.fields import ScopedQuerySet


class CommitteeKind(models.TextChoices):
    PROJECT_COMMITTEE = "project_committee", "Comité de projet PVD / ORT"
    COPIL = "copil", "Comité de pilotage (COPIL) OPAH-RU / PIG"
    COTECH = "cotech", "Comité technique (COTECH)"
    BUREAU = "bureau", "Bureau communautaire"
    COMMUNITY_COUNCIL = "community_council", "Conseil communautaire"
    MUNICIPAL_COUNCIL = "municipal_council", "Conseil municipal"
    CAO = "cao", "Commission d'appel d'offres (CAO)"
    DEVELOPMENT_COUNCIL = "development_council", "Conseil de développement"
    OTHER = "other", "Autre instance"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Mensuelle"
    BIMONTHLY = "bimonthly", "Tous les deux mois"
    QUARTERLY = "quarterly", "Trimestrielle"
    HALF_YEARLY = "half_yearly", "Semestrielle"
    YEARLY = "yearly", "Annuelle"
    AS_NEEDED = "as_needed", "Selon les besoins"


# How many months between two meetings, for « prochaine réunion attendue avant le … ».
FREQUENCY_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.BIMONTHLY: 2,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}


class Committee(VersionedModel):
    """A body of the programme's governance: comité de projet, COPIL/COTECH of an OPAH-RU, bureau and councils,
    CAO, conseil de développement — its members are dated, its frequency sets when the next meeting is due."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="committees", verbose_name="programme"
    )
    housing_programme = models.ForeignKey(
        "operations.HousingProgramme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committees",
        verbose_name="opération programmée (OPAH-RU, PIG)",
        help_text="Pour un COPIL ou un COTECH d'OPAH-RU ou de PIG.",
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committees",
        verbose_name="collectivité",
        help_text="Pour un conseil, un bureau ou une CAO : la collectivité dont il est l'organe.",
    )
    kind = models.CharField("nature", max_length=30, choices=CommitteeKind)
    name = models.CharField("nom", max_length=200)
    frequency = models.CharField("fréquence", max_length=20, choices=Frequency, default=Frequency.QUARTERLY)
    role = models.TextField("rôle", blank=True, help_text="Ce que l'instance valide, suit ou arbitre.")
    active = models.BooleanField("active", default=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "instance"
        verbose_name_plural = "instances"
        ordering = ("programme", "kind", "name", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CommitteeKind.values), name="committee_kind_valid"),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="committee_frequency_valid"
            ),
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="committee_name_unique",
                violation_error_message="Ce programme a déjà une instance portant ce nom.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(VersionedModel):
    """A member of a body, dated (mandates change): an organisation, a person, or a person for an organisation."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="members", verbose_name="instance"
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name="organisme",
    )
    person = models.ForeignKey(
        "partners.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name="personne",
    )
    role = models.CharField(
        "qualité", max_length=150, blank=True, help_text="Président, membre, invité permanent…"
    )
    voting = models.BooleanField("voix délibérative", default=True)
    valid_from = models.DateField("membre depuis le")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "membre d'instance"
        verbose_name_plural = "membres d'instance"
        ordering = ("committee", "valid_until", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(person__isnull=False),
                name="committeemember_who",
                violation_error_message="Indiquez un organisme ou une personne.",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="committeemember_dates",
                violation_error_message="La fin du mandat doit suivre son début.",
            ),
        ]

    def __str__(self) -> str:
        if self.person_id and self.organisation_id:
            return f"{self.person} ({self.organisation})"
        return str(self.person or self.organisation)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    HELD = "held", "Tenue"
    CANCELLED = "cancelled", "Annulée"


class Meeting(VersionedModel):
    """A meeting of a body: when, where, its agenda, who was invited and came, its minutes and documents."""

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="meetings", verbose_name="instance"
    )
    starts_at = models.DateTimeField("date et heure")
    ends_at = models.DateTimeField("fin", null=True, blank=True)
    place = models.CharField("lieu", max_length=250, blank=True)
    status = models.CharField("statut", max_length=20, choices=MeetingStatus, default=MeetingStatus.PLANNED)
    purpose = models.TextField("objet", blank=True)
    minutes = models.TextField(
        "compte rendu", blank=True, help_text="Texte mis en forme (titres, listes, gras)."
    )
    minutes_written_at = models.DateTimeField("compte rendu rédigé le", null=True, blank=True)
    minutes_written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="compte rendu rédigé par",
    )
    invitations_sent_at = models.DateTimeField("invitations envoyées le", null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "réunion"
        verbose_name_plural = "réunions"
        ordering = ("-starts_at", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message="La fin de la réunion doit suivre son début.",
            ),
        ]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.committee} du {timezone.localtime(self.starts_at):%d/%m/%Y}"


class AgendaItemSource(models.TextChoices):
    MANUAL = "manual", "Ajouté à la main"
    LATE = "late", "Opération en retard"
    RISK = "risk", "Difficulté ou risque élevé"
    ESCALATED = "escalated", "Remonté pour arbitrage"
    ARBITRATION = "arbitration", "Arbitrage à rendre"
    DEADLINE = "deadline", "Échéance proche ou dépassée"
    ALERT = "alert", "Alerte"


class AgendaItem(VersionedModel):
    """A point of the agenda, optionally about an operation, an engineering need, an arbitration or a subsidy
    request; `source` says why it was put there (suggested agenda)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name="réunion"
    )
    order = models.PositiveSmallIntegerField("ordre", default=1)
    title = models.CharField("point", max_length=250)
    description = models.TextField("présentation", blank=True)
    source = models.CharField(
        "origine", max_length=20, choices=AgendaItemSource, default=AgendaItemSource.MANUAL
    )
    operation = models.ForeignKey(
        "operations.Operation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="opération",
    )
    need = models.ForeignKey(
        "programmes.EngineeringNeed",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="besoin d'ingénierie",
    )
    arbitration = models.ForeignKey(
        "governance.Arbitration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="arbitrage",
    )
    subsidy_request = models.ForeignKey(
        "budget.SubsidyRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="demande de subvention",
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "points de l'ordre du jour"
        ordering = ("meeting", "order", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=AgendaItemSource.values), name="agendaitem_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "Invité(e)"
    PRESENT = "present", "Présent(e)"
    REPRESENTED = "represented", "Représenté(e)"
    EXCUSED = "excused", "Excusé(e)"
    ABSENT = "absent", "Absent(e)"


class Attendance(VersionedModel):
    """Who was invited to a meeting (e-mail with an iCal attachment) and whether they came."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name="réunion"
    )
    person = models.ForeignKey(
        "partners.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name="personne",
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name="organisme",
    )
    name = models.CharField("nom", max_length=200)
    email = models.EmailField("e-mail", blank=True)
    status = models.CharField(
        "présence", max_length=20, choices=AttendanceStatus, default=AttendanceStatus.INVITED
    )
    invited_at = models.DateTimeField("invitation envoyée le", null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "participant"
        verbose_name_plural = "participants"
        ordering = ("meeting", "name", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AttendanceStatus.values), name="attendance_status_valid"
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="attendance_person_once",
                violation_error_message="Cette personne figure déjà parmi les participants.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MeetingDocument(models.Model):
    """A document of a meeting (presentation, note, signed minutes)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="documents", verbose_name="réunion"
    )
    title = models.CharField("titre", max_length=250)
    file = models.FileField("fichier", upload_to="gouvernance/reunions/%Y/", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="déposé par",
    )
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "document de réunion"
        verbose_name_plural = "documents de réunion"
        ordering = ("meeting", "-uploaded_at", "pk")

    def __str__(self) -> str:
        return self.title


class VoteKind(models.TextChoices):
    NONE = "none", "Sans vote (consensus, avis)"
    UNANIMOUS = "unanimous", "À l'unanimité"
    MAJORITY = "majority", "À la majorité"


class Decision(VersionedModel):
    """One entry of the decision register: what was decided, by which body (at which meeting, on which point) or
    by the élu référent (an arbitration decided online), about what, with the vote when there was one."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="decisions", verbose_name="programme"
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="réunion",
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="point de l'ordre du jour",
    )
    decided_on = models.DateField("décidé le")
    decided_by = models.CharField(
        "décidé par",
        max_length=200,
        help_text="L'instance, ou l'élu(e) référent(e) pour un arbitrage en ligne.",
    )
    text = models.TextField("décision")
    vote = models.CharField("vote", max_length=20, choices=VoteKind, default=VoteKind.NONE)
    votes_for = models.PositiveSmallIntegerField("pour", null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField("contre", null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField("abstentions", null=True, blank=True)
    operation = models.ForeignKey(
        "operations.Operation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_decisions",
        verbose_name="opération",
    )
    need = models.ForeignKey(
        "programmes.EngineeringNeed",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_decisions",
        verbose_name="besoin d'ingénierie",
    )
    arbitration = models.ForeignKey(
        "governance.Arbitration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="arbitrage",
    )
    deliberation = models.ForeignKey(
        "programmes.Deliberation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_decisions",
        verbose_name="délibération",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="saisi par",
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "décision"
        verbose_name_plural = "décisions"
        ordering = ("-decided_on", "-pk")
        constraints = [
            models.CheckConstraint(condition=Q(vote__in=VoteKind.values), name="decision_vote_valid"),
            models.CheckConstraint(
                condition=Q(vote="majority") | (Q(votes_against__isnull=True) | Q(votes_against=0)),
                name="decision_against_only_by_majority",
                violation_error_message="Des voix contre supposent une décision à la majorité.",
            ),
        ]

    def __str__(self) -> str:
        return f"Décision du {self.decided_on:%d/%m/%Y} — {self.decided_by}"
