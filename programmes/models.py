"""WHAT WE AIM FOR: PVD programmes and the communes they serve, their strategy, the deliberations of their
local authorities and the ORT perimeters (conventions live in `operations.conventions`, decision 0013)."""

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.accounts import policy
from pvd.concurrency import VersionedModel
from pvd.fields import ScopedQuerySet

if TYPE_CHECKING:
    import datetime

    from pvd.accounts.models import User


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)


class Programme(VersionedModel):
    """A Petites Villes de Demain programme: one or several communes of one EPCI, with its key dates.

    Every date is editable: PVD was due to end in March 2026 and was extended; conventions slip.
    """

    name = models.CharField("nom", max_length=200)
    epci = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="programmes_as_epci",
        verbose_name="intercommunalité",
        limit_choices_to={"kind": "epci"},
    )
    communes = models.ManyToManyField(
        "partners.Organisation",
        related_name="programmes",
        verbose_name="communes lauréates",
        limit_choices_to={"kind": "commune"},
    )
    selected_on = models.DateField("date de sélection (lauréat PVD)", null=True, blank=True)
    adhesion_signed_on = models.DateField("signature de la convention d'adhésion", null=True, blank=True)
    framework_signed_on = models.DateField(
        "signature de la convention-cadre valant ORT", null=True, blank=True
    )
    ends_on = models.DateField("fin du programme", null=True, blank=True)
    description = models.TextField("présentation", blank=True)

    history = HistoricalRecords(m2m_fields=[communes])
    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = "programme PVD"
        verbose_name_plural = "programmes PVD"
        ordering = ("name", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(framework_signed_on__isnull=True)
                | Q(adhesion_signed_on__isnull=True)
                | Q(framework_signed_on__gte=F("adhesion_signed_on")),
                name="programme_framework_after_adhesion",
                violation_error_message=(
                    "La convention-cadre ne peut pas être signée avant la convention d'adhésion."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(adhesion_signed_on__isnull=True)
                | Q(ends_on__gt=F("adhesion_signed_on")),
                name="programme_ends_after_adhesion",
                violation_error_message="La fin du programme doit suivre la signature de la convention d'adhésion.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.selected_on and self.adhesion_signed_on and self.adhesion_signed_on < self.selected_on:
            raise ValidationError(
                {
                    "adhesion_signed_on": "La convention d'adhésion ne peut pas précéder la sélection du programme."
                }
            )


# --- Strategy: documents, stakes, the revitalisation project, engineering needs -------------------------


class DocumentKind(models.TextChoices):
    SCOT = "scot", "SCoT"
    PLUI = "plui", "PLUi / PLU / carte communale"
    PLH = "plh", "PLH"
    PCAET = "pcaet", "PCAET"
    CRTE = "crte", "CRTE / projet de territoire"
    COMMERCE_STUDY = "commerce_study", "Étude commerce"
    MOBILITY_STUDY = "mobility_study", "Étude mobilité"
    HOUSING_STUDY = "housing_study", "Étude habitat / pré-opérationnelle OPAH"
    HERITAGE_STUDY = "heritage_study", "Étude patrimoniale"
    DIAGNOSTIC = "diagnostic", "Diagnostic de territoire"
    OTHER = "other", "Autre document ou étude"


class DocumentStatus(models.TextChoices):
    IN_FORCE = "in_force", "En vigueur"
    IN_PROGRESS = "in_progress", "En cours d'élaboration"
    PLANNED = "planned", "Prévu"


class StrategicDocument(VersionedModel):
    """A strategic document or study of the territory (SCoT, PLUi, étude commerce…), the stakes' source."""

    Kind = DocumentKind
    Status = DocumentStatus

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="documents", verbose_name="programme"
    )
    title = models.CharField("titre", max_length=250)
    kind = models.CharField("nature", max_length=30, choices=DocumentKind)
    author = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authored_documents",
        verbose_name="auteur (organisme)",
    )
    year = models.PositiveSmallIntegerField(
        "année", null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    status = models.CharField("état", max_length=20, choices=DocumentStatus, default=DocumentStatus.IN_FORCE)
    file = models.FileField("fichier", upload_to="strategie/documents/%Y/", max_length=255, blank=True)
    url = models.URLField("lien", max_length=500, blank=True)
    themes = models.ManyToManyField(
        "partners.Theme", related_name="documents", verbose_name="thèmes", blank=True
    )
    communes = models.ManyToManyField(
        "partners.Organisation",
        related_name="strategic_documents",
        verbose_name="communes concernées",
        blank=True,
        limit_choices_to={"kind": "commune"},
    )
    summary = models.TextField("résumé", blank=True)

    history = HistoricalRecords(m2m_fields=[themes, communes])

    class Meta:
        verbose_name = "document stratégique ou étude"
        verbose_name_plural = "documents stratégiques et études"
        ordering = ("-year", "title", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="strategicdocument_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DocumentStatus.values), name="strategicdocument_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | (Q(year__gte=1950) & Q(year__lte=2100)),
                name="strategicdocument_year_plausible",
                violation_error_message="L'année doit être comprise entre 1950 et 2100.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class StakePriority(models.IntegerChoices):
    HIGH = 1, "Prioritaire"
    MEDIUM = 2, "Important"
    LOW = 3, "Secondaire"


class Stake(VersionedModel):
    """An issue (enjeu) drawn from the documents, for one theme and one commune (or the whole programme)."""

    Priority = StakePriority

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="stakes", verbose_name="programme"
    )
    title = models.CharField("enjeu", max_length=250)
    description = models.TextField("description", blank=True)
    theme = models.ForeignKey(
        "partners.Theme", on_delete=models.PROTECT, related_name="stakes", verbose_name="thème"
    )
    commune = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stakes",
        verbose_name="commune",
        help_text="Vide : enjeu commun à tout le programme.",
        limit_choices_to={"kind": "commune"},
    )
    priority = models.PositiveSmallIntegerField(
        "priorité", choices=StakePriority, default=StakePriority.MEDIUM
    )
    sources = models.ManyToManyField(
        StrategicDocument, related_name="stakes", verbose_name="documents sources", blank=True
    )

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        verbose_name = "enjeu"
        verbose_name_plural = "enjeux"
        ordering = ("priority", "theme__order", "title", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__in=StakePriority.values), name="stake_priority_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Soumis à validation"
    VALIDATED = "validated", "Validé"
    SUPERSEDED = "superseded", "Remplacé par une version plus récente"


class RevitalisationProject(VersionedModel):
    """One version of a programme's revitalisation project (projet de revitalisation / de territoire).

    The élu référent validates a submitted version; a validated version is frozen (its `snapshot` keeps
    the vision, axes and objectives as validated) and later changes go into a new version.
    """

    Status = ProjectStatus

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="projects", verbose_name="programme"
    )
    number = models.PositiveSmallIntegerField("version")
    status = models.CharField("statut", max_length=20, choices=ProjectStatus, default=ProjectStatus.DRAFT)
    title = models.CharField("titre", max_length=250, default="Projet de revitalisation")
    vision = models.TextField("vision", blank=True)
    submitted_at = models.DateTimeField("soumis le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="soumis par",
    )
    validated_on = models.DateField("validé le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validé par",
    )
    validation_comment = models.TextField("commentaire de validation", blank=True)
    deliberation_reference = models.CharField("délibération", max_length=200, blank=True)
    snapshot = models.JSONField("contenu validé (figé)", null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "projet de revitalisation"
        verbose_name_plural = "projets de revitalisation"
        ordering = ("programme", "-number", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values), name="project_status_valid"),
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="project_number_unique",
                violation_error_message="Cette version du projet existe déjà.",
            ),
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(status__in=[ProjectStatus.DRAFT, ProjectStatus.SUBMITTED]),
                name="project_one_open_version",
                violation_error_message="Une version du projet est déjà en cours d'élaboration.",
            ),
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(status=ProjectStatus.VALIDATED),
                name="project_one_validated_version",
                violation_error_message="Le programme a déjà une version validée en vigueur.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProjectStatus.VALIDATED)
                | Q(validated_on__isnull=False, snapshot__isnull=False),
                name="project_validated_is_dated_and_frozen",
                violation_error_message="Une version validée porte sa date de validation et son contenu figé.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — version {self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == ProjectStatus.DRAFT


class Axis(VersionedModel):
    """A strategic axis (axe / orientation stratégique) of one project version."""

    project = models.ForeignKey(
        RevitalisationProject, on_delete=models.CASCADE, related_name="axes", verbose_name="projet"
    )
    order = models.PositiveSmallIntegerField("ordre", default=1)
    title = models.CharField("axe", max_length=250)
    description = models.TextField("description", blank=True)
    themes = models.ManyToManyField("partners.Theme", related_name="axes", verbose_name="thèmes", blank=True)
    stakes = models.ManyToManyField(Stake, related_name="axes", verbose_name="enjeux traités", blank=True)

    history = HistoricalRecords(m2m_fields=[themes, stakes])

    class Meta:
        verbose_name = "axe stratégique"
        verbose_name_plural = "axes stratégiques"
        ordering = ("project", "order", "pk")

    def __str__(self) -> str:
        return f"Axe {self.order} — {self.title}"


class Objective(VersionedModel):
    """An operational objective of an axis."""

    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="objectives", verbose_name="axe")
    order = models.PositiveSmallIntegerField("ordre", default=1)
    title = models.CharField("objectif opérationnel", max_length=250)
    description = models.TextField("description", blank=True)
    themes = models.ManyToManyField(
        "partners.Theme", related_name="objectives", verbose_name="thèmes", blank=True
    )
    stakes = models.ManyToManyField(
        Stake, related_name="objectives", verbose_name="enjeux traités", blank=True
    )

    history = HistoricalRecords(m2m_fields=[themes, stakes])

    class Meta:
        verbose_name = "objectif opérationnel"
        verbose_name_plural = "objectifs opérationnels"
        ordering = ("axis", "order", "pk")

    def __str__(self) -> str:
        return self.title


class NeedKind(models.TextChoices):
    STUDY = "study", "Étude"
    EXPERTISE = "expertise", "Expertise"
    AMO = "amo", "Assistance à maîtrise d'ouvrage (AMO)"
    TRAINING = "training", "Formation"


class NeedStatus(models.TextChoices):
    IDENTIFIED = "identified", "Identifié"
    REQUESTED = "requested", "Sollicité auprès d'un partenaire"
    GRANTED = "granted", "Accordé"
    IN_PROGRESS = "in_progress", "En cours"
    DELIVERED = "delivered", "Livré"
    DROPPED = "dropped", "Abandonné"


class EngineeringNeed(VersionedModel):
    """An engineering need (besoin d'ingénierie) by theme and commune, and the partner offer mobilised."""

    Kind = NeedKind
    Status = NeedStatus

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="engineering_needs", verbose_name="programme"
    )
    title = models.CharField("besoin", max_length=250)
    theme = models.ForeignKey(
        "partners.Theme", on_delete=models.PROTECT, related_name="engineering_needs", verbose_name="thème"
    )
    commune = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engineering_needs",
        verbose_name="commune",
        help_text="Vide : besoin commun au programme.",
        limit_choices_to={"kind": "commune"},
    )
    kind = models.CharField("nature", max_length=20, choices=NeedKind)
    scope = models.TextField("contenu de la mission", blank=True)
    deliverable = models.TextField("livrable attendu", blank=True)
    estimated_cost_ht = models.DecimalField(
        "coût estimé (€ HT)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField("statut", max_length=20, choices=NeedStatus, default=NeedStatus.IDENTIFIED)
    offer = models.ForeignKey(
        "partners.Offer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engineering_needs",
        verbose_name="offre mobilisée",
    )
    partner_answer = models.TextField("réponse du partenaire", blank=True)
    requested_on = models.DateField("sollicité le", null=True, blank=True)
    answered_on = models.DateField("réponse le", null=True, blank=True)
    started_on = models.DateField("démarré le", null=True, blank=True)
    delivered_on = models.DateField("livré le", null=True, blank=True)
    stakes = models.ManyToManyField(
        Stake, related_name="engineering_needs", verbose_name="enjeux", blank=True
    )

    history = HistoricalRecords(m2m_fields=[stakes])

    class Meta:
        verbose_name = "besoin d'ingénierie"
        verbose_name_plural = "besoins d'ingénierie"
        ordering = ("theme__order", "title", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NeedKind.values), name="engineeringneed_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=NeedStatus.values), name="engineeringneed_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost_ht__isnull=True) | Q(estimated_cost_ht__gte=0),
                name="engineeringneed_cost_gte_0",
                violation_error_message="Le coût estimé ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True)
                | Q(requested_on__isnull=True)
                | Q(answered_on__gte=F("requested_on")),
                name="engineeringneed_answer_after_request",
                violation_error_message="La réponse du partenaire ne peut pas précéder la sollicitation.",
            ),
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(delivered_on__gte=F("started_on")),
                name="engineeringneed_delivery_after_start",
                violation_error_message="La livraison ne peut pas précéder le démarrage.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# --- Deliberations and ORT perimeters (issue 9: conventions need both; governance, issue 8, adds the bodies) ---


class DeliberatingBody(models.TextChoices):
    MUNICIPAL_COUNCIL = "municipal_council", "Conseil municipal"
    COMMUNITY_COUNCIL = "community_council", "Conseil communautaire"
    BUREAU = "bureau", "Bureau communautaire (par délégation)"
    DEPARTMENT_COUNCIL = "department_council", "Conseil départemental ou sa commission permanente"
    REGIONAL_COUNCIL = "regional_council", "Conseil régional ou sa commission permanente"
    BOARD = "board", "Conseil d'administration"
    OTHER = "other", "Autre organe délibérant"


class Deliberation(VersionedModel):
    """A deliberation of a local authority (DOMAIN.md §6.2). Public act: it is **enforceable only once published
    and transmitted to the préfet** (CGCT, reform of 1/7/2022; DOMAIN_RULES.md §3) — both dates recorded."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="deliberations",
        verbose_name="collectivité",
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberations",
        verbose_name="programme",
    )
    body = models.CharField("organe", max_length=30, choices=DeliberatingBody)
    number = models.CharField("numéro", max_length=50)
    adopted_on = models.DateField("adoptée le")
    subject = models.CharField("objet", max_length=300)
    published_on = models.DateField("publiée le", null=True, blank=True)
    transmitted_on = models.DateField("transmise au préfet le", null=True, blank=True)
    file = models.FileField("délibération (PDF)", upload_to="deliberations/%Y/", max_length=255, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "délibération"
        verbose_name_plural = "délibérations"
        ordering = ("-adopted_on", "organisation__name", "number", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(body__in=DeliberatingBody.values), name="deliberation_body_valid"
            ),
            models.UniqueConstraint(
                fields=["organisation", "number"],
                name="deliberation_number_unique",
                violation_error_message="Cette collectivité a déjà une délibération portant ce numéro.",
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | Q(published_on__gte=F("adopted_on")),
                name="deliberation_published_after_adoption",
                violation_error_message="La publication ne peut pas précéder l'adoption.",
            ),
            models.CheckConstraint(
                condition=Q(transmitted_on__isnull=True) | Q(transmitted_on__gte=F("adopted_on")),
                name="deliberation_transmitted_after_adoption",
                violation_error_message="La transmission au préfet ne peut pas précéder l'adoption.",
            ),
        ]

    def __str__(self) -> str:
        return f"Délibération n° {self.number} du {self.adopted_on:%d/%m/%Y} — {self.subject}"

    @property
    def enforceable_on(self) -> "datetime.date | None":
        """The day it became enforceable: the later of publication and transmission, once both are recorded."""
        if self.published_on is None or self.transmitted_on is None:
            return None
        return max(self.published_on, self.transmitted_on)

    def is_enforceable(self, on: "datetime.date") -> bool:
        return self.enforceable_on is not None and self.enforceable_on <= on

    @property
    def missing_formalities(self) -> list[str]:
        """What is still missing for it to be enforceable, in French."""
        missing = []
        if self.published_on is None:
            missing.append("la publication")
        if self.transmitted_on is None:
            missing.append("la transmission au préfet")
        return missing


class OrtSector(VersionedModel):
    """A *secteur d'intervention* of the ORT (CCH L303-2; DOMAIN.md §1.4): the convention-cadre delimits them and
    they must include the centre of the EPCI's main town."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="ort_sectors", verbose_name="programme"
    )
    name = models.CharField("secteur", max_length=200)
    commune = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="ort_sectors",
        verbose_name="commune",
        limit_choices_to={"kind": "commune"},
    )
    is_town_centre = models.BooleanField("centre-ville de la commune", default=True)
    description = models.TextField("délimitation", blank=True, help_text="Rues, îlots, parcelles.")
    map_file = models.FileField(
        "carte du périmètre", upload_to="ort/perimetres/%Y/", max_length=255, blank=True
    )
    order = models.PositiveSmallIntegerField("ordre", default=1)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "secteur d'intervention ORT"
        verbose_name_plural = "secteurs d'intervention ORT"
        ordering = ("programme", "order", "name", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="ortsector_name_unique",
                violation_error_message="Ce programme a déjà un secteur d'intervention de ce nom.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Indicators and evaluation (issue 10): declared in programmes.indicators, registered here ---
from programmes.indicators.models import (  # noqa: F401 (registered with the app, imported from here)
    AnnualReport,
    Indicator,
    IndicatorComputation,
    IndicatorDirection,
    IndicatorFrequency,
    IndicatorTarget,
    IndicatorTemplate,
    Measurement,
    MeasurementImport,
    MeasurementOrigin,
)
