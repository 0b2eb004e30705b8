"""Indicators of a programme and its evaluation (DOMAIN.md §7, issue 10).

- `IndicatorTemplate`: the library (catalogue) — the suggested set of DOMAIN §7, shipped by a data migration,
  editable by the administrator; a programme's indicator starts from one of them, or is custom.
- `Indicator`: one indicator followed by a programme, for the whole programme or one of its communes, with its
  unit, source, method, frequency, the direction that means progress, its **baseline** (état zéro: date, value,
  source), how its measurements are obtained (entered / imported, or computed from the app's data), the project
  objectives it serves (operations link to it from their side: `Operation.indicators`).
- `IndicatorTarget`: the value aimed at for a year. `Measurement`: a dated value, entered, imported from a CSV
  file, or computed (one value per date: a computation on the same day replaces its own value, never an entered
  one). `MeasurementImport`: one CSV upload and its background import (all-or-nothing).
- `AnnualReport`: the evaluation of one year of a programme — the manager's assessment in words; figures are
  read from the data when the document is rendered (pvd.documents).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.concurrency import VersionedModel
from pvd.fields import ScopedQuerySet

VALUE = {"max_digits": 16, "decimal_places": 2}


class IndicatorFrequency(models.TextChoices):
    CONTINUOUS = "continuous", "En continu"
    MONTHLY = "monthly", "Mensuelle"
    QUARTERLY = "quarterly", "Trimestrielle"
    YEARLY = "yearly", "Annuelle"
    PER_DELIVERY = "per_delivery", "À chaque livraison"


class IndicatorDirection(models.TextChoices):
    """Which way is progress: a trend is told « en progrès » or « en recul » against it."""

    UP = "up", "Hausse souhaitée"
    DOWN = "down", "Baisse souhaitée"
    NEUTRAL = "neutral", "Suivi sans sens attendu"


class IndicatorComputation(models.TextChoices):
    """How measurements are obtained: entered (or imported), or computed from the data of the app.

    Each computed key has a provider in the app that owns the data (programmes.indicators.computations maps
    key → dotted path), called with (programme, commune or None, day) and returning a Decimal or None.
    """

    MANUAL = "manual", "Saisie ou import CSV"
    OPERATIONS_DELIVERED = "operations_delivered", "Actions livrées ou soldées (nombre)"
    OPERATIONS_DELIVERED_RATE = "operations_delivered_rate", "Part des actions livrées ou soldées (%)"
    OPERATIONS_COMMITTED_RATE = "operations_committed_rate", "Part des actions engagées ou plus avancées (%)"
    SUBSIDIES_OBTAINED_RATE = "subsidies_obtained_rate", "Subventions obtenues / demandées (%)"
    SUBSIDIES_RECEIVED = "subsidies_received", "Subventions encaissées (€)"
    EXPENSES_PAID = "expenses_paid", "Dépenses mandatées (€ TTC)"
    DWELLINGS_RENOVATED = "dwellings_renovated", "Logements rénovés (OPAH / PIG, dossiers soldés)"
    HOUSING_WORKS_AMOUNT = "housing_works_amount", "Montant des travaux des logements aidés (€ HT)"
    HOUSING_AID_AMOUNT = "housing_aid_amount", "Aides accordées aux ménages (€)"
    HOUSING_ENERGY_GAIN = "housing_energy_gain", "Gain énergétique moyen des logements aidés (%)"
    HOUSING_TARGET_RATE = "housing_target_rate", "Atteinte des objectifs de la convention OPAH (%)"
    PARTICIPATION_ATTENDANCE = "participation_attendance", "Participants aux temps de concertation"


class MeasurementOrigin(models.TextChoices):
    ENTERED = "entered", "Saisie"
    IMPORTED = "imported", "Import CSV"
    COMPUTED = "computed", "Calculée"


class IndicatorTemplate(models.Model):
    """An indicator of the library (catalogue): what a programme can pick instead of writing it again."""

    key = models.SlugField("clé", max_length=60, unique=True)
    name = models.CharField("indicateur", max_length=200)
    unit = models.CharField("unité", max_length=30)
    source = models.CharField("source", max_length=250, blank=True)
    method = models.TextField("méthode de calcul", blank=True)
    frequency = models.CharField(
        "fréquence", max_length=20, choices=IndicatorFrequency, default=IndicatorFrequency.YEARLY
    )
    direction = models.CharField(
        "sens", max_length=10, choices=IndicatorDirection, default=IndicatorDirection.UP
    )
    computation = models.CharField(
        "obtention des mesures",
        max_length=40,
        choices=IndicatorComputation,
        default=IndicatorComputation.MANUAL,
    )
    theme = models.ForeignKey(
        "partners.Theme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_templates",
        verbose_name="thème",
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur de la bibliothèque"
        verbose_name_plural = "bibliothèque d'indicateurs"
        ordering = ("order", "name", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=IndicatorFrequency.values), name="indicatortemplate_frequency_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=IndicatorDirection.values), name="indicatortemplate_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(computation__in=IndicatorComputation.values),
                name="indicatortemplate_computation_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(VersionedModel):
    """An indicator a programme follows, for the whole programme (no commune) or one of its communes."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="indicators", verbose_name="programme"
    )
    template = models.ForeignKey(
        IndicatorTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="modèle de la bibliothèque",
    )
    commune = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="commune",
        help_text="Vide : indicateur de tout le programme.",
        limit_choices_to={"kind": "commune"},
    )
    name = models.CharField("indicateur", max_length=200)
    unit = models.CharField("unité", max_length=30)
    source = models.CharField("source", max_length=250, blank=True)
    method = models.TextField("méthode de calcul", blank=True)
    frequency = models.CharField(
        "fréquence", max_length=20, choices=IndicatorFrequency, default=IndicatorFrequency.YEARLY
    )
    direction = models.CharField(
        "sens", max_length=10, choices=IndicatorDirection, default=IndicatorDirection.UP
    )
    computation = models.CharField(
        "obtention des mesures",
        max_length=40,
        choices=IndicatorComputation,
        default=IndicatorComputation.MANUAL,
    )
    baseline_on = models.DateField("état zéro : date", null=True, blank=True)
    baseline_value = models.DecimalField("état zéro : valeur", null=True, blank=True, **VALUE)
    baseline_source = models.CharField("état zéro : source", max_length=250, blank=True)
    objectives = models.ManyToManyField(
        "programmes.Objective", related_name="indicators", verbose_name="objectifs du projet", blank=True
    )
    archived = models.BooleanField("archivé", default=False)

    history = HistoricalRecords(m2m_fields=[objectives])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        # The programme-wide indicators (no commune) first, on PostgreSQL as on SQLite.
        ordering = ("programme", F("commune__name").asc(nulls_first=True), "name", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("programme", "commune", "name"),
                condition=Q(commune__isnull=False),
                name="indicator_unique_name_in_commune",
                violation_error_message="Ce programme suit déjà un indicateur de ce nom pour cette commune.",
            ),
            models.UniqueConstraint(
                fields=("programme", "name"),
                condition=Q(commune__isnull=True),
                name="indicator_unique_name_in_programme",
                violation_error_message="Ce programme suit déjà un indicateur de ce nom.",
            ),
            models.CheckConstraint(
                condition=Q(baseline_on__isnull=True, baseline_value__isnull=True)
                | Q(baseline_on__isnull=False, baseline_value__isnull=False),
                name="indicator_baseline_complete",
                violation_error_message="L'état zéro demande une date et une valeur.",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=IndicatorFrequency.values), name="indicator_frequency_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=IndicatorDirection.values), name="indicator_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(computation__in=IndicatorComputation.values), name="indicator_computation_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.computation != IndicatorComputation.MANUAL


class IndicatorTarget(models.Model):
    """The value aimed at for one year."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name="indicateur"
    )
    year = models.PositiveSmallIntegerField("année")
    value = models.DecimalField("cible", **VALUE)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "cible annuelle"
        verbose_name_plural = "cibles annuelles"
        ordering = ("indicator", "year")
        constraints = [
            models.UniqueConstraint(
                fields=("indicator", "year"),
                name="indicatortarget_one_per_year",
                violation_error_message="Cet indicateur a déjà une cible pour cette année.",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="indicatortarget_year_plausible",
                violation_error_message="L'année de la cible doit être comprise entre 2000 et 2100.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} — {self.year}"


class MeasurementImport(models.Model):
    """One CSV upload of measurements and its background import (all rows or none)."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échoué"

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="measurement_imports",
        verbose_name="programme",
    )
    file = models.FileField("fichier", upload_to="programmes/mesures/%Y/", max_length=255)
    original_name = models.CharField("nom du fichier", max_length=255, blank=True)
    status = models.CharField("état", max_length=20, choices=Status, default=Status.PENDING)
    total_rows = models.PositiveIntegerField("lignes", default=0)
    imported_count = models.PositiveIntegerField("mesures enregistrées", default=0)
    errors = models.JSONField("erreurs", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="measurement_imports",
        verbose_name="déposé par",
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "import de mesures"
        verbose_name_plural = "imports de mesures"
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]),
                name="measurementimport_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class Measurement(models.Model):
    """A dated value of an indicator (one per date)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements", verbose_name="indicateur"
    )
    measured_on = models.DateField("date de la mesure")
    value = models.DecimalField("valeur", **VALUE)
    origin = models.CharField(
        "origine", max_length=10, choices=MeasurementOrigin, default=MeasurementOrigin.ENTERED
    )
    source = models.CharField("source", max_length=250, blank=True)
    comment = models.CharField("commentaire", max_length=500, blank=True)
    source_import = models.ForeignKey(
        MeasurementImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name="import",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisie par",
    )
    recorded_at = models.DateTimeField("enregistrée le", auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "mesure"
        verbose_name_plural = "mesures"
        ordering = ("indicator", "measured_on", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("indicator", "measured_on"),
                name="measurement_one_per_date",
                violation_error_message="Cet indicateur a déjà une mesure à cette date.",
            ),
            models.CheckConstraint(
                condition=Q(origin__in=MeasurementOrigin.values), name="measurement_origin_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} — {self.measured_on:%d/%m/%Y}"


class AnnualReport(VersionedModel):
    """The evaluation of one year of a programme: the manager's assessment; the figures come from the data."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="annual_reports",
        verbose_name="programme",
    )
    year = models.PositiveSmallIntegerField("année")
    assessment = models.TextField(
        "bilan qualitatif",
        blank=True,
        help_text="Ce qui a marché, les difficultés, les perspectives : repris en tête du rapport.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="créé par"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "rapport annuel"
        verbose_name_plural = "rapports annuels"
        ordering = ("programme", "-year")
        constraints = [
            models.UniqueConstraint(
                fields=("programme", "year"),
                name="annualreport_one_per_year",
                violation_error_message="Ce programme a déjà un rapport annuel pour cette année.",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="annualreport_year_plausible",
                violation_error_message="L'année du rapport doit être comprise entre 2000 et 2100.",
            ),
        ]

    def __str__(self) -> str:
        return f"Rapport annuel {self.year} — {self.programme}"
