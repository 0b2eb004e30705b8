"""The financing plan of an operation (plan de financement): its eligible cost and one line per funder."""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from budget.models.reference import FundingCategory
from pvd.concurrency import VersionedModel
from pvd.fields import ScopedQuerySet, money


class DerogationGround(models.TextChoices):
    """CGCT L1111-10 III: the préfet may lower the owner's minimum share on these grounds."""

    PROTECTED_MONUMENT = "protected_monument", "Monument historique classé ou inscrit"
    HERITAGE = "heritage", "Patrimoine non protégé (urgence ou disproportion)"
    DISASTER = "disaster", "Réparation de dégâts causés par une calamité publique"
    URBAN_RENEWAL = "urban_renewal", "Renouvellement urbain"
    OTHER = "other", "Autre dérogation prévue par la loi"


class FinancingPlan(VersionedModel):
    """The cost of an operation eligible to financing, HT and TTC, and what the owner asked to waive."""

    DerogationGround = DerogationGround

    operation = models.OneToOneField(
        "operations.Operation",
        on_delete=models.PROTECT,
        related_name="financing_plan",
        verbose_name="opération",
    )
    eligible_cost_ht = money("dépense éligible (€ HT)")
    eligible_cost_ttc = money("dépense éligible (€ TTC)")
    expense_year = models.PositiveSmallIntegerField(
        "année principale de la dépense",
        null=True,
        blank=True,
        help_text="Pour estimer l'année de versement du FCTVA quand le PPI n'étale pas la dépense.",
    )
    fctva_excluded_ttc = money(
        "part non éligible au FCTVA (€ TTC)",
        default=0,
        help_text="Subventions aux propriétaires privés, travaux en régie, terrains…",
    )
    fctva_exclusion_reason = models.CharField("motif de l'exclusion du FCTVA", max_length=250, blank=True)
    lead_authority = models.BooleanField(
        "maître d'ouvrage chef de file",
        default=False,
        help_text="CGCT L1111-9 : participation minimale portée à 30 % pour une compétence de chef de file.",
    )
    own_share_derogation = models.BooleanField("dérogation à la participation minimale", default=False)
    derogation_ground = models.CharField(
        "motif de la dérogation", max_length=30, choices=DerogationGround, blank=True
    )
    derogation_reference = models.CharField("référence de la décision du préfet", max_length=250, blank=True)
    notes = models.TextField("commentaires", blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "plan de financement"
        verbose_name_plural = "plans de financement"
        ordering = ("operation",)
        constraints = [
            models.CheckConstraint(
                condition=Q(eligible_cost_ht__gte=0) & Q(eligible_cost_ttc__gte=0),
                name="financingplan_costs_gte_0",
                violation_error_message="La dépense éligible ne peut pas être négative.",
            ),
            models.CheckConstraint(
                condition=Q(eligible_cost_ttc__gte=F("eligible_cost_ht")),
                name="financingplan_ttc_gte_ht",
                violation_error_message="La dépense TTC ne peut pas être inférieure à la dépense HT.",
            ),
            models.CheckConstraint(
                condition=Q(fctva_excluded_ttc__gte=0) & Q(fctva_excluded_ttc__lte=F("eligible_cost_ttc")),
                name="financingplan_fctva_exclusion_within_cost",
                violation_error_message="La part non éligible au FCTVA est comprise entre 0 et la dépense TTC.",
            ),
            models.CheckConstraint(
                condition=Q(own_share_derogation=False)
                | (~Q(derogation_ground="") & ~Q(derogation_reference="")),
                name="financingplan_derogation_justified",
                violation_error_message=(
                    "Une dérogation à la participation minimale indique son motif et la décision du préfet."
                ),
            ),
            models.CheckConstraint(
                condition=Q(derogation_ground="") | Q(derogation_ground__in=DerogationGround.values),
                name="financingplan_derogation_ground_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan de financement de {self.operation}"


class FinancingLineStatus(models.TextChoices):
    ENVISAGED = "envisaged", "Envisagé"
    REQUESTED = "requested", "Demandé"
    GRANTED = "granted", "Accordé"
    REFUSED = "refused", "Refusé"


class FinancingLine(VersionedModel):
    """One funder's part of the plan: the eligible base it is computed on, its amount HT and TTC.

    A grant is the same sum in the HT and TTC plans; the owner's own funds also carry the VAT (TTC > HT)."""

    Status = FinancingLineStatus
    Category = FundingCategory

    plan = models.ForeignKey(
        FinancingPlan, on_delete=models.CASCADE, related_name="lines", verbose_name="plan"
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    category = models.CharField("catégorie", max_length=30, choices=FundingCategory)
    funder = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="financing_lines",
        verbose_name="financeur",
    )
    scheme = models.ForeignKey(
        "partners.Offer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="financing_lines",
        verbose_name="dispositif",
        limit_choices_to={"kind": "funding"},
    )
    label = models.CharField("précision", max_length=200, blank=True)
    base_ht = money("assiette éligible (€ HT)", null=True, blank=True)
    amount_ht = money("montant (€ HT)")
    amount_ttc = money("montant (€ TTC)")
    status = models.CharField(
        "statut", max_length=20, choices=FinancingLineStatus, default=FinancingLineStatus.ENVISAGED
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne du plan de financement"
        verbose_name_plural = "lignes du plan de financement"
        ordering = ("plan", "position", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=FundingCategory.values), name="financingline_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FinancingLineStatus.values), name="financingline_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount_ht__gte=0) & Q(amount_ttc__gte=0),
                name="financingline_amounts_gte_0",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(amount_ttc__gte=F("amount_ht")),
                name="financingline_ttc_gte_ht",
                violation_error_message="Le montant TTC ne peut pas être inférieur au montant HT.",
            ),
            models.CheckConstraint(
                condition=Q(base_ht__isnull=True) | (Q(base_ht__gte=0) & Q(amount_ht__lte=F("base_ht"))),
                name="financingline_rate_at_most_100",
                violation_error_message="Le montant ne peut pas dépasser l'assiette éligible (taux supérieur à 100 %%).",
            ),
        ]

    def __str__(self) -> str:
        return self.label or (self.scheme.name if self.scheme_id else self.get_category_display())

    @property
    def rate(self):
        """The line's rate on its eligible base (None without a base)."""
        if not self.base_ht:
            return None
        return self.amount_ht / self.base_ht
