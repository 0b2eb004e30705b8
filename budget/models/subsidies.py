"""Subsidy requests (demandes de subvention), their allocation to operations, payments and adjustments.

DOMAIN.md §2.3: the lifecycle and the dates to store; DOMAIN_RULES.md §3: the deadlines computed from them.
Statuses change only through `budget.services.subsidies` (allowed transitions, StatusChange recorded).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.concurrency import VersionedModel
from pvd.fields import ScopedQuerySet, money


class SubsidyStatus(models.TextChoices):
    TO_PREPARE = "to_prepare", "À préparer"
    DELIBERATED = "deliberated", "Délibération prise"
    FILED = "filed", "Déposée"
    ACKNOWLEDGED = "acknowledged", "Accusé de réception reçu"
    COMPLETE = "complete", "Dossier complet"
    AWARDED = "awarded", "Attribuée"
    REJECTED = "rejected", "Rejetée"
    NOTIFIED = "notified", "Notifiée"
    STARTED = "started", "Opération commencée"
    COMPLETED = "completed", "Opération achevée"
    SETTLED = "settled", "Soldée"
    LAPSED = "lapsed", "Caduque"
    WITHDRAWN = "withdrawn", "Retirée"


# Dates that must follow each other when both are known (a date out of order is refused, form and database).
DATE_ORDER = (
    ("filed_on", "acknowledged_on"),
    ("acknowledged_on", "complete_on"),
    ("filed_on", "decided_on"),
    ("decided_on", "notified_on"),
    ("started_on", "completed_on"),
    ("completed_on", "balance_requested_on"),
    ("filed_on", "settled_on"),
)


class SubsidyRequest(VersionedModel):
    """A request to one funder under one scheme, for one or several operations of a programme."""

    Status = SubsidyStatus

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="subsidy_requests",
        verbose_name="programme",
    )
    beneficiary = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="subsidy_requests",
        verbose_name="bénéficiaire (maître d'ouvrage)",
    )
    funder = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="received_subsidy_requests",
        verbose_name="financeur",
    )
    scheme = models.ForeignKey(
        "partners.Offer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidy_requests",
        verbose_name="dispositif",
        limit_choices_to={"kind": "funding"},
    )
    title = models.CharField("objet", max_length=250)
    platform_reference = models.CharField("référence du dossier", max_length=100, blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=SubsidyStatus, default=SubsidyStatus.TO_PREPARE
    )
    call_deadline = models.DateField("date limite de l'appel à projets", null=True, blank=True)
    # The chain of dates (DOMAIN.md §2.3)
    deliberation_on = models.DateField("délibération", null=True, blank=True)
    deliberation_reference = models.CharField("référence de la délibération", max_length=100, blank=True)
    filed_on = models.DateField("dépôt", null=True, blank=True)
    acknowledged_on = models.DateField("accusé de réception", null=True, blank=True)
    complete_on = models.DateField("dossier complet le", null=True, blank=True)
    decided_on = models.DateField("décision (arrêté ou convention)", null=True, blank=True)
    decision_reference = models.CharField("référence de la décision", max_length=100, blank=True)
    notified_on = models.DateField("notification", null=True, blank=True)
    started_on = models.DateField(
        "commencement (premier engagement juridique)",
        null=True,
        blank=True,
        help_text="Devis signé ou marché notifié ; les études et acquisitions foncières ne comptent pas.",
    )
    start_declared_on = models.DateField("déclaration de commencement envoyée", null=True, blank=True)
    completed_on = models.DateField("achèvement", null=True, blank=True)
    balance_requested_on = models.DateField("demande de solde", null=True, blank=True)
    settled_on = models.DateField("soldée le", null=True, blank=True)
    # Amounts requested and awarded (HT: subsidies are computed on HT)
    requested_base_ht = money("assiette demandée (€ HT)", null=True, blank=True)
    requested_amount = money("montant demandé")
    awarded_base_ht = money("assiette retenue (€ HT)", null=True, blank=True)
    awarded_amount = money("montant attribué", null=True, blank=True)
    conditions = models.TextField("conditions de la décision", blank=True)
    publicity_required = models.BooleanField("obligation de publicité", default=False)
    advance_guaranteed = models.BooleanField(
        "avance garantie par une caution bancaire", default=False, help_text="Porte l'avance maximale à 60 %."
    )
    planned_duration_months = models.PositiveSmallIntegerField(
        "durée prévue de l'opération (mois)", null=True, blank=True
    )
    # Extensions (prorogations) granted by the funder
    start_extension_requested_on = models.DateField(
        "prorogation du commencement demandée le", null=True, blank=True
    )
    start_extension_granted = models.BooleanField("prorogation du commencement accordée", default=False)
    completion_extension_requested_on = models.DateField(
        "prorogation de l'achèvement demandée le", null=True, blank=True
    )
    completion_extension_granted = models.BooleanField("prorogation de l'achèvement accordée", default=False)
    closing_reason = models.TextField("motif (rejet, caducité, retrait)", blank=True)
    revenue_account = models.ForeignKey(
        "budget.BudgetAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidy_requests",
        verbose_name="compte de recette",
        limit_choices_to={"direction": "revenue"},
    )
    operations = models.ManyToManyField(
        "operations.Operation",
        through="SubsidyAllocation",
        related_name="subsidy_requests",
        verbose_name="opérations",
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de subvention"
        verbose_name_plural = "demandes de subvention"
        ordering = ("programme", "-filed_on", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SubsidyStatus.values), name="subsidyrequest_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(requested_amount__gte=0)
                & (Q(awarded_amount__isnull=True) | Q(awarded_amount__gte=0))
                & (Q(requested_base_ht__isnull=True) | Q(requested_base_ht__gte=0))
                & (Q(awarded_base_ht__isnull=True) | Q(awarded_base_ht__gte=0)),
                name="subsidyrequest_amounts_gte_0",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(requested_base_ht__isnull=True) | Q(requested_amount__lte=F("requested_base_ht")),
                name="subsidyrequest_requested_rate_at_most_100",
                violation_error_message="Le montant demandé ne peut pas dépasser l'assiette (taux supérieur à 100 %%).",
            ),
            models.CheckConstraint(
                condition=Q(awarded_base_ht__isnull=True)
                | Q(awarded_amount__isnull=True)
                | Q(awarded_amount__lte=F("awarded_base_ht")),
                name="subsidyrequest_awarded_rate_at_most_100",
                violation_error_message="Le montant attribué ne peut pas dépasser l'assiette retenue (taux supérieur à 100 %%).",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{before}__isnull": True})
                    | Q(**{f"{after}__isnull": True})
                    | Q(**{f"{after}__gte": F(before)}),
                    name=f"subsidyrequest_{after}_after_{before}",
                    violation_error_message="Les dates de la demande ne se suivent pas dans l'ordre.",
                )
                for before, after in DATE_ORDER
            ],
        ]

    def __str__(self) -> str:
        return self.title


class SubsidyAllocation(models.Model):
    """The part of a request that finances one operation (and, when known, the plan line it fills)."""

    request = models.ForeignKey(
        SubsidyRequest, on_delete=models.CASCADE, related_name="allocations", verbose_name="demande"
    )
    operation = models.ForeignKey(
        "operations.Operation",
        on_delete=models.PROTECT,
        related_name="subsidy_allocations",
        verbose_name="opération",
    )
    financing_line = models.OneToOneField(
        "budget.FinancingLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocation",
        verbose_name="ligne du plan de financement",
    )
    amount = money("montant affecté")

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "affectation d'une subvention"
        verbose_name_plural = "affectations des subventions"
        ordering = ("request", "operation")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "operation"],
                name="subsidyallocation_unique_operation",
                violation_error_message="Cette opération est déjà rattachée à la demande.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="subsidyallocation_amount_gte_0",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} → {self.operation}"


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", "Avance"
    INSTALMENT = "instalment", "Acompte"
    BALANCE = "balance", "Solde"


class SubsidyPayment(models.Model):
    """Money asked for and received under a request; `received_on` and the revenue order when it came."""

    Kind = PaymentKind

    request = models.ForeignKey(
        SubsidyRequest, on_delete=models.PROTECT, related_name="payments", verbose_name="demande"
    )
    kind = models.CharField("nature", max_length=12, choices=PaymentKind)
    amount = money("montant")
    requested_on = models.DateField("demandé le")
    received_on = models.DateField("encaissé le", null=True, blank=True)
    revenue_order_reference = models.CharField("titre de recette", max_length=60, blank=True)
    budget_line = models.ForeignKey(
        "budget.BudgetLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidy_payments",
        verbose_name="ligne budgétaire de recette",
    )
    note = models.CharField("commentaire", max_length=250, blank=True)
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
        verbose_name = "versement d'une subvention"
        verbose_name_plural = "versements des subventions"
        ordering = ("request", "requested_on", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PaymentKind.values), name="subsidypayment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="subsidypayment_amount_gt_0",
                violation_error_message="Un versement est un montant positif.",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("requested_on")),
                name="subsidypayment_received_after_request",
                violation_error_message="L'encaissement ne peut pas précéder la demande de versement.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.request}"


class AdjustmentKind(models.TextChoices):
    REDUCTION = "reduction", "Réduction de la subvention"
    REPAYMENT = "repayment", "Reversement au financeur"


class SubsidyAdjustment(models.Model):
    """A reduction of the award (lower final expense, unmet condition) or a repayment of money received."""

    Kind = AdjustmentKind

    request = models.ForeignKey(
        SubsidyRequest, on_delete=models.PROTECT, related_name="adjustments", verbose_name="demande"
    )
    kind = models.CharField("nature", max_length=12, choices=AdjustmentKind)
    amount = money("montant")
    decided_on = models.DateField("décidé le")
    reference = models.CharField("référence (arrêté, titre, mandat)", max_length=100, blank=True)
    reason = models.TextField("motif")
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
        verbose_name = "réduction ou reversement"
        verbose_name_plural = "réductions et reversements"
        ordering = ("request", "decided_on", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AdjustmentKind.values), name="subsidyadjustment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="subsidyadjustment_amount_gt_0",
                violation_error_message="Le montant est positif.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.request}"
