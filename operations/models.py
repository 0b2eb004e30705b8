"""WHAT WE DO: operations, procurement and housing programmes. This first part holds the housing
programmes (OPAH, OPAH-RU, PIG) that operators' access is scoped on; their targets, envelopes and
household files come with the housing issue."""

from decimal import Decimal
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.accounts import policy
from pvd.concurrency import VersionedModel

if TYPE_CHECKING:
    import datetime

    from pvd.accounts.models import User


class HousingProgrammeKind(models.TextChoices):
    OPAH = "opah", "OPAH"
    OPAH_RU = "opah_ru", "OPAH-RU"
    PIG = "pig", "PIG"


class HousingProgrammeQuerySet(models.QuerySet["HousingProgramme"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)


class HousingProgramme(VersionedModel):
    """A private-housing improvement operation (OPAH, OPAH-RU, PIG) run by a suivi-animation operator."""

    Kind = HousingProgrammeKind

    kind = models.CharField("type", max_length=10, choices=HousingProgrammeKind)
    name = models.CharField("nom", max_length=200)
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="housing_programmes",
        verbose_name="programme PVD",
        help_text="Quand l'opération fait partie du programme PVD.",
    )
    owner = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="owned_housing_programmes",
        verbose_name="maître d'ouvrage",
    )
    communes = models.ManyToManyField(
        "partners.Organisation",
        related_name="housing_programmes",
        verbose_name="communes du périmètre",
        limit_choices_to={"kind": "commune"},
    )
    operator = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operated_housing_programmes",
        verbose_name="opérateur de suivi-animation",
    )
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    # The convention and the perimeter (issue 7)
    operation = models.OneToOneField(
        "operations.Operation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="housing_programme",
        verbose_name="opération du programme PVD",
        help_text="La fiche-action qui porte ce dispositif dans le plan d'action, avec son plan de financement.",
    )
    perimeter_description = models.TextField(
        "périmètre", blank=True, help_text="Rues, îlots ou secteurs (le détail par secteur est ci-dessous)."
    )
    operator_contract = models.ForeignKey(
        "operations.Contract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="marché de suivi-animation",
    )
    anah_convention_reference = models.CharField("convention Anah (référence)", max_length=100, blank=True)
    anah_convention_signed_on = models.DateField("convention signée le", null=True, blank=True)
    retention_years = models.PositiveSmallIntegerField(
        "conservation des dossiers clos (années)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="Au-delà, les dossiers clos sont anonymisés automatiquement.",
    )

    history = HistoricalRecords(m2m_fields=[communes])
    objects = HousingProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = "dispositif habitat"
        verbose_name_plural = "dispositifs habitat"
        ordering = ("-starts_on", "name", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=HousingProgrammeKind.values), name="housingprogramme_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="housingprogramme_ends_after_start",
                violation_error_message="La fin du dispositif doit suivre son début.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Operations (fiches-actions) -------------------------------------------------------------------------


class OperationStatus(models.TextChoices):
    """DOMAIN.md §1.5: idée → prête → engagée → travaux → livrée → soldée; suspendue, abandonnée."""

    IDEA = "idea", "Idée / en maturation"
    MATURE = "mature", "Prête (mature)"
    COMMITTED = "committed", "Engagée"
    WORKS = "works", "En cours (travaux)"
    DELIVERED = "delivered", "Livrée"
    CLOSED = "closed", "Soldée"
    SUSPENDED = "suspended", "Suspendue"
    ABANDONED = "abandoned", "Abandonnée"


# The groups every progress figure uses (commune page, programme dashboard, annual report, indicators, reports):
# « livrées » are delivered or closed, « en préparation » idea or mature; suspended and abandoned operations stand
# apart and never count as progress (decision 0014).
DELIVERED_STATUSES = frozenset({OperationStatus.DELIVERED, OperationStatus.CLOSED})
PREPARATION_STATUSES = frozenset({OperationStatus.IDEA, OperationStatus.MATURE})
COMMITTED_OR_FURTHER = frozenset(
    {OperationStatus.COMMITTED, OperationStatus.WORKS, OperationStatus.DELIVERED, OperationStatus.CLOSED}
)


class OperationMaturity(models.IntegerChoices):
    INTENTION = 1, "Intention"
    PRE_PROGRAMME = 2, "Pré-programme"
    PROGRAMME = 3, "Programme défini"
    READY = 4, "Prête à lancer"


class OperationPriority(models.IntegerChoices):
    HIGH = 1, "Prioritaire"
    MEDIUM = 2, "Importante"
    LOW = 3, "Secondaire"


# Statuses in which an operation can still be late (delivered, closed or abandoned ones cannot).
ACTIVE_STATUSES = ("idea", "mature", "committed", "works", "suspended")


def late_phase_condition(day: "datetime.date", prefix: str = "") -> Q:
    """A phase is late against its baseline on `day`: its forecast or actual end passed the baseline end,
    or the baseline end is past and the phase is not finished."""
    return Q(**{f"{prefix}baseline_end__isnull": False}) & (
        Q(**{f"{prefix}forecast_end__gt": F(f"{prefix}baseline_end")})
        | Q(**{f"{prefix}actual_end__gt": F(f"{prefix}baseline_end")})
        | Q(**{f"{prefix}actual_end__isnull": True, f"{prefix}baseline_end__lt": day})
    )


class OperationQuerySet(models.QuerySet["Operation"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)

    def with_progress(self) -> Self:
        """Annotate `progress` (fraction 0–1): the weighted mean of the phases' progress, or the progress
        entered by hand when the operation has no weighted phase, else 0. One subquery, no join."""
        from django.db.models import Case, DecimalField, OuterRef, Subquery, Sum, When
        from django.db.models.functions import Coalesce

        decimal = DecimalField(max_digits=12, decimal_places=6)
        phases = Phase.objects.filter(operation=OuterRef("pk")).order_by().values("operation")
        total = Subquery(phases.annotate(total=Sum("weight")).values("total"), output_field=decimal)
        done = Subquery(
            phases.annotate(done=Sum(F("weight") * F("progress"), output_field=decimal)).values("done"),
            output_field=decimal,
        )
        return self.annotate(
            phases_weight=Coalesce(total, Decimal(0), output_field=decimal),
            phases_done=Coalesce(done, Decimal(0), output_field=decimal),
        ).annotate(
            progress=Case(
                When(phases_weight__gt=0, then=F("phases_done") / F("phases_weight")),
                default=Coalesce(F("manual_progress"), Decimal(0), output_field=decimal),
                output_field=decimal,
            )
        )

    def with_lateness(self, day: "datetime.date") -> Self:
        """Annotate `is_late`: an active operation with at least one phase late against its baseline."""
        from django.db.models import Exists, OuterRef

        late = Phase.objects.filter(late_phase_condition(day), operation=OuterRef("pk"))
        return self.annotate(is_late=Q(status__in=ACTIVE_STATUSES) & Exists(late))

    def late(self, day: "datetime.date") -> Self:
        return self.with_lateness(day).filter(is_late=True)


class Operation(VersionedModel):
    """An operation of the action plan (fiche-action), e.g. « W-03 Requalification de la place ».

    Money here is the estimate (HT and TTC); financing plans and subsidies come with the budget app.
    """

    Status = OperationStatus
    Maturity = OperationMaturity
    Priority = OperationPriority

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="operations", verbose_name="programme"
    )
    code = models.CharField("numéro", max_length=20, help_text="Par exemple W-03 ; unique dans le programme.")
    title = models.CharField("intitulé", max_length=250)
    communes = models.ManyToManyField(
        "partners.Organisation",
        related_name="operations",
        verbose_name="communes",
        limit_choices_to={"kind": "commune"},
    )
    axis = models.ForeignKey(
        "programmes.Axis",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operations",
        verbose_name="axe du projet",
    )
    objective = models.ForeignKey(
        "programmes.Objective",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operations",
        verbose_name="objectif opérationnel",
    )
    themes = models.ManyToManyField("partners.Theme", related_name="operations", verbose_name="thèmes")
    owner = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="owned_operations",
        verbose_name="maître d'ouvrage",
    )
    in_ort = models.BooleanField("dans le périmètre ORT", default=False)
    ort_sector = models.CharField("secteur d'intervention ORT", max_length=150, blank=True)
    description = models.TextField("description", blank=True)
    objectives = models.TextField("objectifs", blank=True)
    expected_results = models.TextField("résultats attendus", blank=True)
    partners = models.ManyToManyField(
        "partners.Organisation",
        related_name="partnered_operations",
        verbose_name="partenaires techniques et financiers",
        blank=True,
    )
    estimated_cost_ht = models.DecimalField(
        "coût estimé (€ HT)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    estimated_cost_ttc = models.DecimalField(
        "coût estimé (€ TTC)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    priority = models.PositiveSmallIntegerField(
        "priorité", choices=OperationPriority, default=OperationPriority.MEDIUM
    )
    maturity = models.PositiveSmallIntegerField(
        "maturité", choices=OperationMaturity, default=OperationMaturity.INTENTION
    )
    status = models.CharField("statut", max_length=20, choices=OperationStatus, default=OperationStatus.IDEA)
    elected_in_charge = models.ForeignKey(
        "partners.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operations_in_charge",
        verbose_name="élu(e) référent(e) de l'opération",
    )
    technician_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operations_in_charge",
        verbose_name="technicien(ne) en charge",
    )
    manual_progress = models.DecimalField(
        "avancement saisi",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="En fraction (0,4 pour 40 %), utilisé seulement quand l'opération n'a pas de phases.",
    )

    indicators = models.ManyToManyField(  # issue 10: the programme's indicators this operation moves
        "programmes.Indicator", related_name="operations", verbose_name="indicateurs", blank=True
    )

    history = HistoricalRecords(m2m_fields=[communes, themes, partners, indicators])
    objects = OperationQuerySet.as_manager()

    class Meta:
        verbose_name = "opération (fiche-action)"
        verbose_name_plural = "opérations (fiches-actions)"
        ordering = ("programme", "code", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="operation_code_unique_per_programme",
                violation_error_message="Ce numéro de fiche-action existe déjà dans le programme.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OperationStatus.values), name="operation_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=OperationPriority.values), name="operation_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(maturity__in=OperationMaturity.values), name="operation_maturity_valid"
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost_ht__isnull=True) | Q(estimated_cost_ht__gte=0),
                name="operation_cost_ht_gte_0",
                violation_error_message="Le coût HT ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost_ttc__isnull=True)
                | Q(estimated_cost_ht__isnull=True)
                | Q(estimated_cost_ttc__gte=F("estimated_cost_ht")),
                name="operation_ttc_gte_ht",
                violation_error_message="Le coût TTC ne peut pas être inférieur au coût HT.",
            ),
            models.CheckConstraint(
                condition=Q(manual_progress__isnull=True)
                | (Q(manual_progress__gte=0) & Q(manual_progress__lte=1)),
                name="operation_progress_between_0_and_1",
                violation_error_message="L'avancement est compris entre 0 et 100 %%.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class PhaseTemplate(models.Model):
    """A step of the standard public-works sequence offered when phases are created (editable data)."""

    name = models.CharField("phase", max_length=150, unique=True)
    order = models.PositiveSmallIntegerField("ordre")
    weight = models.DecimalField(
        "poids", max_digits=6, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    typical_months = models.PositiveSmallIntegerField("durée indicative (mois)", default=3)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "modèle de phase"
        verbose_name_plural = "modèles de phases"
        ordering = ("order", "pk")

    def __str__(self) -> str:
        return self.name


class Phase(VersionedModel):
    """A phase or milestone of an operation: baseline (planned), forecast and actual dates, and a weight."""

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="phases", verbose_name="opération"
    )
    order = models.PositiveSmallIntegerField("ordre", default=1)
    name = models.CharField("phase", max_length=150)
    weight = models.DecimalField(
        "poids", max_digits=6, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    progress = models.DecimalField(
        "avancement",
        max_digits=5,
        decimal_places=4,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="En fraction : 0,5 pour 50 %.",
    )
    baseline_start = models.DateField("début prévu (référence)", null=True, blank=True)
    baseline_end = models.DateField("fin prévue (référence)", null=True, blank=True)
    forecast_start = models.DateField("début prévisionnel", null=True, blank=True)
    forecast_end = models.DateField("fin prévisionnelle", null=True, blank=True)
    actual_start = models.DateField("début réel", null=True, blank=True)
    actual_end = models.DateField("fin réelle", null=True, blank=True)
    slip_reason = models.TextField("motif du glissement", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "phase"
        verbose_name_plural = "phases"
        ordering = ("operation", "order", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=1),
                name="phase_progress_between_0_and_1",
                violation_error_message="L'avancement d'une phase est compris entre 0 et 100 %%.",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="phase_weight_gte_0",
                violation_error_message="Le poids ne peut pas être négatif.",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{kind}_end__isnull": True})
                    | Q(**{f"{kind}_start__isnull": True})
                    | Q(**{f"{kind}_end__gte": F(f"{kind}_start")}),
                    name=f"phase_{kind}_end_after_start",
                    violation_error_message="La fin d'une phase ne peut pas précéder son début.",
                )
                for kind in ("baseline", "forecast", "actual")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.operation.code} — {self.name}"

    def is_late_on(self, day: "datetime.date") -> bool:
        """Python twin of `late_phase_condition`, for a phase already loaded."""
        if self.baseline_end is None:
            return False
        if self.forecast_end and self.forecast_end > self.baseline_end:
            return True
        if self.actual_end:
            return self.actual_end > self.baseline_end
        return self.baseline_end < day


class ReportWeather(models.TextChoices):
    ON_TRACK = "on_track", "Dans les temps"
    AT_RISK = "at_risk", "Vigilance"
    LATE = "late", "En retard"
    BLOCKED = "blocked", "Bloquée"


class ProgressReport(models.Model):
    """A dated entry of an operation's journal (point d'avancement)."""

    Weather = ReportWeather

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="reports", verbose_name="opération"
    )
    reported_on = models.DateField("date")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="progress_reports",
        verbose_name="auteur",
    )
    weather = models.CharField("météo", max_length=20, choices=ReportWeather)
    text = models.TextField("point d'avancement")
    attachment = models.FileField(
        "pièce jointe", upload_to="operations/journal/%Y/", max_length=255, blank=True
    )
    created_at = models.DateTimeField("saisi le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "point d'avancement"
        verbose_name_plural = "points d'avancement"
        ordering = ("-reported_on", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(weather__in=ReportWeather.values), name="progressreport_weather_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operation.code} — {self.reported_on:%d/%m/%Y}"


class RiskKind(models.TextChoices):
    RISK = "risk", "Risque"
    DIFFICULTY = "difficulty", "Difficulté rencontrée"


class RiskLevel(models.IntegerChoices):
    LOW = 1, "Faible"
    MEDIUM = 2, "Moyen"
    HIGH = 3, "Élevé"
    CRITICAL = 4, "Critique"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Ouvert"
    MITIGATED = "mitigated", "Maîtrisé"
    ESCALATED = "escalated", "Remonté pour arbitrage"
    CLOSED = "closed", "Clos"


class Risk(VersionedModel):
    """A risk or a difficulty of an operation. A difficulty can be escalated to the right decision level:
    the governance app turns escalated difficulties into arbitration notes."""

    Kind = RiskKind
    Level = RiskLevel
    Status = RiskStatus

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="risks", verbose_name="opération"
    )
    kind = models.CharField("nature", max_length=20, choices=RiskKind, default=RiskKind.RISK)
    description = models.TextField("description")
    level = models.PositiveSmallIntegerField("niveau", choices=RiskLevel, default=RiskLevel.MEDIUM)
    owner = models.CharField("porteur", max_length=150, blank=True, help_text="Qui suit ce risque.")
    mitigation = models.TextField("mesures de maîtrise", blank=True)
    status = models.CharField("statut", max_length=20, choices=RiskStatus, default=RiskStatus.OPEN)
    escalated_on = models.DateField("remonté le", null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="remonté par",
    )
    escalation_note = models.TextField("motif de la remontée", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "risque ou difficulté"
        verbose_name_plural = "risques et difficultés"
        ordering = ("operation", "-level", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RiskKind.values), name="risk_kind_valid"),
            models.CheckConstraint(condition=Q(level__in=RiskLevel.values), name="risk_level_valid"),
            models.CheckConstraint(condition=Q(status__in=RiskStatus.values), name="risk_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=RiskStatus.ESCALATED) | Q(escalated_on__isnull=False),
                name="risk_escalation_dated",
                violation_error_message="Une difficulté remontée porte sa date de remontée.",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]


# --- Import of an existing action plan (XLSX) --------------------------------------------------------------


class ImportStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Échoué"


class OperationImport(models.Model):
    """One upload of an action-plan spreadsheet and its background import job (all-or-nothing).

    A job record, not domain data: no history (progress is saved every few rows); `report` keeps the
    row-level errors (row, column, message) or the codes created.
    """

    Status = ImportStatus

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="operation_imports",
        verbose_name="programme",
    )
    file = models.FileField("fichier", upload_to="operations/imports/%Y/", max_length=255)
    original_name = models.CharField("nom du fichier", max_length=255, blank=True)
    status = models.CharField("état", max_length=20, choices=ImportStatus, default=ImportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(
        "progression (%)", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    total_rows = models.PositiveIntegerField("lignes à importer", default=0)
    imported_count = models.PositiveIntegerField("opérations créées", default=0)
    report = models.JSONField("rapport", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="operation_imports",
        verbose_name="déposé par",
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "import de plan d'action"
        verbose_name_plural = "imports de plans d'action"
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="operationimport_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="operationimport_progress_lte_100",
                violation_error_message="La progression est comprise entre 0 et 100 %%.",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.original_name or self.file.name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.PENDING, ImportStatus.RUNNING)


# --- Procurement (issue 6): its models live in operations/procurement/models.py ---------------------------
from operations.procurement.models import (
    AmendmentGround,
    Bid,
    BidScore,
    Ccag,
    Consultation,
    ConsultationStatus,
    Contract,
    ContractAmendment,
    ContractStatus,
    Criterion,
    CriterionKind,
    Invoice,
    LatePaymentRate,
    Lot,
    PriceForm,
    Procedure,
    ProcurementThreshold,
    PublicityLevel,
    PurchaseNature,
    PurchaseOrder,
    ServiceOrder,
    ServiceOrderKind,
    Subcontractor,
    ThresholdKind,
    ThresholdNature,
)

__all__ = [
    "AmendmentGround",
    "Bid",
    "BidScore",
    "Ccag",
    "Consultation",
    "ConsultationStatus",
    "Contract",
    "ContractAmendment",
    "ContractStatus",
    "Criterion",
    "CriterionKind",
    "Invoice",
    "LatePaymentRate",
    "Lot",
    "PriceForm",
    "Procedure",
    "ProcurementThreshold",
    "PublicityLevel",
    "PurchaseNature",
    "PurchaseOrder",
    "ServiceOrder",
    "ServiceOrderKind",
    "Subcontractor",
    "ThresholdKind",
    "ThresholdNature",
]
from operations.housing.models import (
    AidScheme,
    AnahDeadlineRule,
    HousingAmendment,
    HousingEnvelope,
    HousingFile,
    HousingFileAccess,
    HousingGrant,
    HousingGrantPayment,
    HousingSector,
    HousingTarget,
    IncomeCeiling,
    TopUpRule,
)

__all__ += [
    "AidScheme",
    "AnahDeadlineRule",
    "HousingAmendment",
    "HousingEnvelope",
    "HousingFile",
    "HousingFileAccess",
    "HousingGrant",
    "HousingGrantPayment",
    "HousingSector",
    "HousingTarget",
    "IncomeCeiling",
    "TopUpRule",
]

from operations.participation.models import (  # issue 11
    AttendanceProfile,
    CommunicationAction,
    ConcertationEvent,
    ConcertationPlanItem,
    Contribution,
    InformationLetter,
    LetterDelivery,
    MailingList,
    NetworkEvent,
    PracticeSheet,
    Subscription,
)

__all__ += [
    "AttendanceProfile",
    "CommunicationAction",
    "ConcertationEvent",
    "ConcertationPlanItem",
    "Contribution",
    "InformationLetter",
    "LetterDelivery",
    "MailingList",
    "NetworkEvent",
    "PracticeSheet",
    "Subscription",
]

# --- Conventions and avenants (issue 9): declared in operations.conventions, registered here ---
from operations.conventions.models import (  # issue 9
    ArticleTemplate,
    Convention,
    ConventionArticle,
    ConventionVersion,
    Signatory,
)

__all__ += ["ArticleTemplate", "Convention", "ConventionArticle", "ConventionVersion", "Signatory"]
