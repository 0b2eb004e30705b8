"""Procurement models. Imported by `operations.models` so that Django registers them in the operations app.

Rules that change are dated data (DOMAIN_RULES §1): `ProcurementThreshold` (the procedure is computed from the
thresholds in force on the consultation's launch date) and `LatePaymentRate` (ECB rate + 8 points, 40 € fee).
Statuses change only through `operations.procurement.services` (transitions table + StatusChange).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.concurrency import VersionedModel
from pvd.fields import ReferenceQuerySet, ScopedQuerySet, money, rate, validity_constraint
from pvd.money import format_euros

siret_validator = RegexValidator(r"^\d{14}$", "Le SIRET compte 14 chiffres.")
cpv_validator = RegexValidator(r"^\d{8}(-\d)?$", "Le code CPV compte 8 chiffres (par exemple 45233140).")


# --- Reference data -------------------------------------------------------------------------------------


class PurchaseNature(models.TextChoices):
    WORKS = "works", "Travaux"
    SUPPLIES = "supplies", "Fournitures"
    SERVICES = "services", "Services"


class ThresholdNature(models.TextChoices):
    WORKS = "works", "Travaux"
    SUPPLIES_SERVICES = "supplies_services", "Fournitures et services"
    ALL = "all", "Tous les marchés"


class ThresholdKind(models.TextChoices):
    EXEMPTION = "exemption", "Dispense de publicité et de mise en concurrence (R2122-8)"
    PUBLICITY = "publicity", "Publicité au BOAMP ou dans un JAL (R2131-12)"
    EU = "eu", "Seuil européen des procédures formalisées"


class ProcurementThreshold(models.Model):
    """A threshold (€ HT, estimated value of the whole need) in force for a period: a value is "below" the
    threshold when strictly lower (R2122-8: « inférieure à »)."""

    kind = models.CharField("seuil", max_length=12, choices=ThresholdKind)
    nature = models.CharField("marchés concernés", max_length=20, choices=ThresholdNature)
    value_ht = money("montant (€ HT)")
    valid_from = models.DateField("en vigueur du")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    legal_reference = models.CharField("référence juridique", max_length=250)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "seuil de la commande publique"
        verbose_name_plural = "seuils de la commande publique"
        ordering = ("kind", "nature", "-valid_from")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ThresholdKind.values), name="threshold_kind_valid"),
            models.CheckConstraint(
                condition=Q(nature__in=ThresholdNature.values), name="threshold_nature_valid"
            ),
            models.CheckConstraint(
                condition=Q(value_ht__gt=0),
                name="threshold_value_gt_0",
                violation_error_message="Un seuil est un montant positif.",
            ),
            models.UniqueConstraint(
                fields=["kind", "nature", "valid_from"],
                name="threshold_unique_start",
                violation_error_message="Ce seuil a déjà une valeur qui commence à cette date.",
            ),
            validity_constraint("threshold_validity_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_nature_display()} : {format_euros(self.value_ht)} HT"


class LatePaymentRate(models.Model):
    """The late-payment interest in force for a period (R2192-31 to -36): ECB main refinancing rate in force on
    the first day of the half-year + 8 points, and the 40 € flat recovery fee."""

    valid_from = models.DateField("en vigueur du")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    ecb_rate = rate("taux de la BCE")
    margin = rate("majoration", default=Decimal("0.08"))
    flat_fee = money("indemnité forfaitaire (€)", default=Decimal("40.00"))
    payment_days = models.PositiveSmallIntegerField("délai de paiement (jours)", default=30)
    legal_reference = models.CharField("référence juridique", max_length=250)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "taux des intérêts moratoires"
        verbose_name_plural = "taux des intérêts moratoires"
        ordering = ("-valid_from",)
        constraints = [
            models.UniqueConstraint(
                fields=["valid_from"],
                name="latepaymentrate_unique_start",
                violation_error_message="Un taux commence déjà à cette date.",
            ),
            validity_constraint("latepaymentrate_validity_ordered"),
        ]

    def __str__(self) -> str:
        return f"Intérêts moratoires du {self.valid_from:%d/%m/%Y}"


# --- Consultations ---------------------------------------------------------------------------------------


class Procedure(models.TextChoices):
    """Stable codes; the DECP labels are in the DECP export."""

    NO_PUBLICITY = "no_publicity", "Sans publicité ni mise en concurrence préalables"
    ADAPTED = "adapted", "Procédure adaptée (MAPA)"
    OPEN = "open", "Appel d'offres ouvert"
    RESTRICTED = "restricted", "Appel d'offres restreint"
    NEGOTIATED = "negotiated", "Procédure avec négociation"
    COMPETITIVE_DIALOGUE = "competitive_dialogue", "Dialogue compétitif"


# From the loosest to the strictest: a chosen procedure never looser than the computed one without a ground.
PROCEDURE_STRICTNESS = {
    Procedure.NO_PUBLICITY: 0,
    Procedure.ADAPTED: 1,
    Procedure.NEGOTIATED: 2,
    Procedure.COMPETITIVE_DIALOGUE: 2,
    Procedure.RESTRICTED: 2,
    Procedure.OPEN: 2,
}
FORMAL_PROCEDURES = frozenset(
    {Procedure.OPEN, Procedure.RESTRICTED, Procedure.NEGOTIATED, Procedure.COMPETITIVE_DIALOGUE}
)


class PublicityLevel(models.TextChoices):
    NONE = "none", "Aucune publicité obligatoire"
    ADAPTED = "adapted", "Publicité adaptée au montant"
    BOAMP_JAL = "boamp_jal", "BOAMP ou JAL et profil d'acheteur"
    EU = "eu", "BOAMP et JOUE"


class ConsultationStatus(models.TextChoices):
    """DOMAIN.md §4.2."""

    NEED_DEFINED = "need_defined", "Besoin défini"
    DCE = "dce", "DCE en préparation"
    PUBLISHED = "published", "Publiée"
    OPENED = "opened", "Plis ouverts"
    ANALYSIS = "analysis", "Analyse des offres"
    CAO = "cao", "Commission d'appel d'offres"
    AWARDED = "awarded", "Attribuée"
    REJECTIONS_SENT = "rejections_sent", "Candidats évincés informés"
    SIGNED = "signed", "Marchés signés et notifiés"
    UNSUCCESSFUL = "unsuccessful", "Infructueuse"
    CANCELLED = "cancelled", "Abandonnée (sans suite)"


class PriceFormula(models.TextChoices):
    LOWEST_OVER_PRICE = "lowest_over_price", "Note = note maximale × prix le plus bas / prix de l'offre"
    LINEAR_GAP = "linear_gap", "Note = note maximale × (1 − (prix − prix le plus bas) / prix le plus bas)"


class Consultation(VersionedModel):
    """A consultation (mise en concurrence) for one or several operations, split into lots."""

    Status = ConsultationStatus
    Nature = PurchaseNature

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name="programme",
    )
    buyer = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name="acheteur",
    )
    buyer_siret = models.CharField(
        "SIRET de l'acheteur", max_length=14, blank=True, validators=[siret_validator]
    )
    operations = models.ManyToManyField(
        "operations.Operation", related_name="consultations", verbose_name="opérations", blank=True
    )
    reference = models.CharField(
        "référence", max_length=16, help_text="Identifiant interne (1 à 16 caractères)."
    )
    title = models.CharField("objet", max_length=250)
    nature = models.CharField("nature", max_length=10, choices=PurchaseNature)
    cpv_code = models.CharField("code CPV", max_length=10, blank=True, validators=[cpv_validator])
    estimated_value_ht = money("valeur estimée du besoin (€ HT, tous lots, toute la durée)")
    launch_date = models.DateField(
        "date de lancement", help_text="Les seuils en vigueur à cette date s'appliquent."
    )
    # What the thresholds gave when the consultation was launched (kept: next year's thresholds must not change it)
    computed_procedure = models.CharField("procédure requise", max_length=24, choices=Procedure, blank=True)
    computed_publicity = models.CharField(
        "publicité requise", max_length=12, choices=PublicityLevel, blank=True
    )
    procedure = models.CharField("procédure retenue", max_length=24, choices=Procedure)
    procedure_ground = models.TextField(
        "fondement juridique de la procédure",
        blank=True,
        help_text="Obligatoire pour une procédure moins exigeante que celle des seuils (ex. R2122-1 à R2122-9).",
    )
    electronic = models.BooleanField("procédure dématérialisée", default=True)
    framework_agreement = models.BooleanField("accord-cadre à bons de commande", default=False)
    status = models.CharField(
        "statut", max_length=20, choices=ConsultationStatus, default=ConsultationStatus.NEED_DEFINED
    )
    price_formula = models.CharField(
        "formule de notation du prix",
        max_length=24,
        choices=PriceFormula,
        default=PriceFormula.LOWEST_OVER_PRICE,
    )
    # Timeline
    published_on = models.DateField("publication", null=True, blank=True)
    questions_deadline = models.DateField("date limite des questions", null=True, blank=True)
    offers_deadline = models.DateTimeField("date limite de remise des offres", null=True, blank=True)
    opened_on = models.DateField("ouverture des plis", null=True, blank=True)
    analysis_on = models.DateField("rapport d'analyse", null=True, blank=True)
    cao_on = models.DateField("commission d'appel d'offres", null=True, blank=True)
    awarded_on = models.DateField("décision d'attribution", null=True, blank=True)
    award_decision_reference = models.CharField("référence de la décision", max_length=100, blank=True)
    rejections_sent_on = models.DateField("courriers aux candidats évincés", null=True, blank=True)
    award_notice_on = models.DateField("avis d'attribution publié", null=True, blank=True)
    closing_reason = models.TextField("motif (infructuosité, abandon)", blank=True)

    history = HistoricalRecords(m2m_fields=[operations])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "consultation"
        verbose_name_plural = "consultations"
        ordering = ("programme", "-launch_date", "reference")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                name="consultation_reference_unique",
                violation_error_message="Cette référence de consultation existe déjà dans le programme.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConsultationStatus.values), name="consultation_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(nature__in=PurchaseNature.values), name="consultation_nature_valid"
            ),
            models.CheckConstraint(
                condition=Q(procedure__in=Procedure.values), name="consultation_procedure_valid"
            ),
            models.CheckConstraint(
                condition=Q(estimated_value_ht__gte=0),
                name="consultation_value_gte_0",
                violation_error_message="La valeur estimée ne peut pas être négative.",
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | Q(published_on__gte=F("launch_date")),
                name="consultation_published_after_launch",
                violation_error_message="La publication ne peut pas précéder le lancement.",
            ),
            models.CheckConstraint(
                condition=Q(opened_on__isnull=True)
                | Q(published_on__isnull=True)
                | Q(opened_on__gte=F("published_on")),
                name="consultation_opened_after_publication",
                violation_error_message="L'ouverture des plis ne peut pas précéder la publication.",
            ),
            models.CheckConstraint(
                condition=Q(awarded_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(awarded_on__gte=F("opened_on")),
                name="consultation_awarded_after_opening",
                violation_error_message="L'attribution ne peut pas précéder l'ouverture des plis.",
            ),
            models.CheckConstraint(
                condition=Q(rejections_sent_on__isnull=True)
                | Q(awarded_on__isnull=True)
                | Q(rejections_sent_on__gte=F("awarded_on")),
                name="consultation_rejections_after_award",
                violation_error_message="Les candidats évincés sont informés après l'attribution.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def is_formal(self) -> bool:
        return self.procedure in FORMAL_PROCEDURES


class Lot(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="lots", verbose_name="consultation"
    )
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("intitulé", max_length=250)
    operation = models.ForeignKey(
        "operations.Operation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
        verbose_name="opération",
    )
    estimated_value_ht = money("valeur estimée (€ HT)")
    unsuccessful = models.BooleanField("lot infructueux", default=False)
    # The award decision (operations.procurement.services.bids.award_lot); the bid is defined below.
    awarded_bid = models.OneToOneField(
        "operations.Bid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awarded_lot",
        verbose_name="offre retenue",
    )
    awarded_on = models.DateField("attribué le", null=True, blank=True)
    award_reason = models.TextField(
        "motif du choix",
        blank=True,
        help_text="Obligatoire quand l'offre retenue n'est pas la mieux classée.",
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "lot"
        verbose_name_plural = "lots"
        ordering = ("consultation", "number")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"],
                name="lot_number_unique",
                violation_error_message="Ce numéro de lot existe déjà dans la consultation.",
            ),
            models.CheckConstraint(
                condition=Q(awarded_bid__isnull=True, awarded_on__isnull=True)
                | Q(awarded_bid__isnull=False, awarded_on__isnull=False, unsuccessful=False),
                name="lot_award_has_its_date",
                violation_error_message="Un lot attribué a sa date de décision, et un lot infructueux n'est pas attribué.",
            ),
            models.CheckConstraint(
                condition=Q(estimated_value_ht__gte=0),
                name="lot_value_gte_0",
                violation_error_message="La valeur estimée ne peut pas être négative.",
            ),
        ]

    def __str__(self) -> str:
        return f"Lot {self.number} — {self.title}"


class CriterionKind(models.TextChoices):
    PRICE = "price", "Prix"
    TECHNICAL = "technical", "Valeur technique"
    DELAY = "delay", "Délais"
    ENVIRONMENT = "environment", "Performance environnementale"
    SOCIAL = "social", "Insertion sociale"
    OTHER = "other", "Autre"


class Criterion(models.Model):
    """A weighted award criterion of a consultation (weights of the top-level criteria sum to 100 %), or a
    sub-criterion of one (its weight is a share of its parent's)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="criteria", verbose_name="consultation"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="critère parent",
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    kind = models.CharField("nature", max_length=12, choices=CriterionKind)
    name = models.CharField("critère", max_length=200)
    weight = rate("pondération")
    max_score = models.DecimalField(
        "note maximale",
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(1)],
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "critère d'attribution"
        verbose_name_plural = "critères d'attribution"
        ordering = ("consultation", "position", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CriterionKind.values), name="criterion_kind_valid"),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=1),
                name="criterion_weight_valid",
                violation_error_message="La pondération est comprise entre 0 et 100 %%.",
            ),
            models.CheckConstraint(
                condition=Q(max_score__gt=0),
                name="criterion_max_score_gt_0",
                violation_error_message="La note maximale est positive.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Bid(models.Model):
    """An offer received for a lot."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="bids", verbose_name="lot")
    bidder = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="bids", verbose_name="candidat"
    )
    bidder_siret = models.CharField("SIRET", max_length=14, validators=[siret_validator])
    received_at = models.DateTimeField("reçue le")
    price_ht = money("prix (€ HT)")
    admissible = models.BooleanField("offre recevable", default=True)
    inadmissibility_reason = models.CharField(
        "motif d'irrecevabilité",
        max_length=250,
        blank=True,
        help_text="Irrégulière, inacceptable, inappropriée…",
    )
    note = models.TextField("observations", blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "offre"
        verbose_name_plural = "offres"
        ordering = ("lot", "price_ht", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "bidder"],
                name="bid_one_per_bidder_and_lot",
                violation_error_message="Ce candidat a déjà une offre pour ce lot.",
            ),
            models.CheckConstraint(
                condition=Q(price_ht__gt=0),
                name="bid_price_gt_0",
                violation_error_message="Le prix de l'offre est un montant positif.",
            ),
            models.CheckConstraint(
                condition=Q(admissible=True) | ~Q(inadmissibility_reason=""),
                name="bid_inadmissible_has_reason",
                violation_error_message="Une offre écartée indique son motif.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bidder} — {self.lot}"


class BidScore(models.Model):
    """The score of a bid on a non-price criterion (the price score is computed by the formula). The criterion's
    scale is copied so that the database refuses a score outside it."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores", verbose_name="offre")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="scores", verbose_name="critère"
    )
    score = models.DecimalField("note", max_digits=5, decimal_places=2, validators=[MinValueValidator(0)])
    max_score = models.DecimalField("sur", max_digits=5, decimal_places=2)
    comment = models.TextField("appréciation", blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "note d'une offre"
        verbose_name_plural = "notes des offres"
        ordering = ("bid", "criterion")
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "criterion"],
                name="bidscore_unique",
                violation_error_message="Cette offre est déjà notée sur ce critère.",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=F("max_score")),
                name="bidscore_within_scale",
                violation_error_message="La note est comprise entre 0 et la note maximale du critère.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bid} — {self.criterion} : {self.score}"


# --- Contracts and execution ------------------------------------------------------------------------------


class ContractStatus(models.TextChoices):
    NOTIFIED = "notified", "Notifié"
    IN_PROGRESS = "in_progress", "En exécution"
    ACCEPTED = "accepted", "Réceptionné"
    FINAL_ACCOUNT = "final_account", "Décompte général notifié"
    CLOSED = "closed", "Soldé"
    TERMINATED = "terminated", "Résilié"


class Ccag(models.TextChoices):
    WORKS = "works", "Travaux"
    DESIGN = "design", "Maîtrise d'œuvre"
    SUPPLIES_SERVICES = "supplies_services", "Fournitures courantes et services"
    INDUSTRIAL = "industrial", "Marchés industriels"
    INTELLECTUAL = "intellectual", "Prestations intellectuelles"
    ICT = "ict", "Techniques de l'information et de la communication"
    NONE = "none", "Pas de CCAG"


class PriceForm(models.TextChoices):
    UNIT = "unit", "Unitaire"
    LUMP_SUM = "lump_sum", "Forfaitaire"
    MIXED = "mixed", "Mixte"


class Contract(VersionedModel):
    """The contract of a lot (marché), from notification to closure."""

    Status = ContractStatus

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="contract", verbose_name="lot")
    number = models.CharField("numéro du marché", max_length=16)
    holder = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="contracts", verbose_name="titulaire"
    )
    holder_siret = models.CharField("SIRET du titulaire", max_length=14, validators=[siret_validator])
    amount_ht = money("montant initial (€ HT)")
    vat_rate = rate("taux de TVA", default=Decimal("0.20"))
    amount_ttc = money("montant initial (€ TTC)")
    duration_months = models.PositiveSmallIntegerField("durée (mois)", validators=[MinValueValidator(1)])
    price_form = models.CharField(
        "forme du prix", max_length=10, choices=PriceForm, default=PriceForm.LUMP_SUM
    )
    ccag = models.CharField("CCAG de référence", max_length=20, choices=Ccag, default=Ccag.WORKS)
    signed_on = models.DateField("signé le")
    notified_on = models.DateField("notifié le", null=True, blank=True)
    prefecture_sent_on = models.DateField("transmis au préfet le", null=True, blank=True)
    advance_rate = rate("taux de l'avance", default=Decimal(0))
    retention_rate = models.DecimalField(
        "retenue de garantie",
        max_digits=7,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("0.05"))],
    )
    retention_replaced_by_guarantee = models.BooleanField(
        "retenue remplacée par une garantie à première demande", default=False
    )
    status = models.CharField(
        "statut", max_length=16, choices=ContractStatus, default=ContractStatus.NOTIFIED
    )
    # Acceptance and final account (CCAG)
    pre_acceptance_report_on = models.DateField(
        "procès-verbal des opérations préalables (OPR)", null=True, blank=True
    )
    accepted_on = models.DateField("réception prononcée le", null=True, blank=True)
    acceptance_reserves = models.TextField("réserves à la réception", blank=True)
    reserves_lifted_on = models.DateField("réserves levées le", null=True, blank=True)
    final_statement_received_on = models.DateField("projet de décompte final reçu le", null=True, blank=True)
    general_statement_notified_on = models.DateField("décompte général notifié le", null=True, blank=True)
    general_statement_signed_on = models.DateField(
        "décompte général signé par le titulaire le", null=True, blank=True
    )
    retention_released_on = models.DateField("retenue de garantie libérée le", null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "marché"
        verbose_name_plural = "marchés"
        ordering = ("lot__consultation", "lot__number")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ContractStatus.values), name="contract_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(price_form__in=PriceForm.values), name="contract_price_form_valid"
            ),
            models.CheckConstraint(condition=Q(ccag__in=Ccag.values), name="contract_ccag_valid"),
            models.CheckConstraint(
                condition=Q(amount_ht__gt=0) & Q(amount_ttc__gte=F("amount_ht")),
                name="contract_amounts_valid",
                violation_error_message="Le montant est positif et le TTC n'est pas inférieur au HT.",
            ),
            models.CheckConstraint(
                condition=Q(retention_rate__gte=0) & Q(retention_rate__lte=Decimal("0.05")),
                name="contract_retention_at_most_5",
                violation_error_message="La retenue de garantie ne peut pas dépasser 5 %% du marché.",
            ),
            models.CheckConstraint(
                condition=Q(advance_rate__gte=0) & Q(advance_rate__lte=1),
                name="contract_advance_rate_valid",
                violation_error_message="Le taux de l'avance est compris entre 0 et 100 %%.",
            ),
            models.CheckConstraint(
                condition=Q(notified_on__isnull=True) | Q(notified_on__gte=F("signed_on")),
                name="contract_notified_after_signature",
                violation_error_message="La notification suit la signature.",
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True)
                | (Q(notified_on__isnull=False) & Q(accepted_on__gte=F("notified_on"))),
                name="contract_accepted_after_notification",
                violation_error_message="La réception suit la notification du marché.",
            ),
            models.CheckConstraint(
                condition=Q(general_statement_notified_on__isnull=True)
                | (Q(accepted_on__isnull=False) & Q(general_statement_notified_on__gte=F("accepted_on"))),
                name="contract_final_account_after_acceptance",
                violation_error_message="Le décompte général suit la réception.",
            ),
        ]

    def __str__(self) -> str:
        return f"Marché {self.number} — {self.lot.title}"


class Subcontractor(models.Model):
    """A sub-contractor declared by the holder (DC4 / acte spécial)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="subcontractors", verbose_name="marché"
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="subcontracts",
        verbose_name="sous-traitant",
    )
    siret = models.CharField("SIRET", max_length=14, validators=[siret_validator])
    scope = models.CharField("prestations sous-traitées", max_length=250)
    amount_ttc = money("montant maximal (€ TTC)")
    declared_on = models.DateField("déclaration (DC4) reçue le")
    accepted_on = models.DateField("acceptation expresse le", null=True, blank=True)
    refused_on = models.DateField("refus le", null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "sous-traitant"
        verbose_name_plural = "sous-traitants"
        ordering = ("contract", "declared_on", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_ttc__gte=0),
                name="subcontractor_amount_gte_0",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(refused_on__isnull=True),
                name="subcontractor_accepted_or_refused",
                violation_error_message="Un sous-traitant est accepté ou refusé, pas les deux.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.contract.number})"


class ServiceOrderKind(models.TextChoices):
    START = "start", "Ordre de démarrage"
    STOP = "stop", "Ordre d'arrêt"
    RESUME = "resume", "Ordre de reprise"
    OTHER = "other", "Autre ordre de service"


class ServiceOrder(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="service_orders", verbose_name="marché"
    )
    number = models.PositiveSmallIntegerField("numéro")
    kind = models.CharField("nature", max_length=10, choices=ServiceOrderKind)
    issued_on = models.DateField("émis le")
    effective_on = models.DateField("prend effet le")
    description = models.TextField("objet", blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "ordre de service"
        verbose_name_plural = "ordres de service"
        ordering = ("contract", "number")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="serviceorder_number_unique",
                violation_error_message="Ce numéro d'ordre de service existe déjà pour ce marché.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ServiceOrderKind.values), name="serviceorder_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(effective_on__gte=F("issued_on")),
                name="serviceorder_effective_after_issue",
                violation_error_message="Un ordre de service ne prend pas effet avant d'être émis.",
            ),
        ]

    def __str__(self) -> str:
        return f"OS n° {self.number} — {self.get_kind_display()}"


class PurchaseOrder(models.Model):
    """A bon de commande under a framework agreement."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="purchase_orders", verbose_name="marché"
    )
    number = models.CharField("numéro", max_length=30)
    issued_on = models.DateField("émis le")
    amount_ht = money("montant (€ HT)")
    amount_ttc = money("montant (€ TTC)")
    description = models.CharField("objet", max_length=250)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "bon de commande"
        verbose_name_plural = "bons de commande"
        ordering = ("contract", "issued_on", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="purchaseorder_number_unique",
                violation_error_message="Ce numéro de bon de commande existe déjà pour ce marché.",
            ),
            models.CheckConstraint(
                condition=Q(amount_ht__gt=0) & Q(amount_ttc__gte=F("amount_ht")),
                name="purchaseorder_amounts_valid",
                violation_error_message="Le montant est positif et le TTC n'est pas inférieur au HT.",
            ),
        ]

    def __str__(self) -> str:
        return f"Bon de commande {self.number}"


class AmendmentGround(models.TextChoices):
    """CCP R2194-1 to R2194-9."""

    REVIEW_CLAUSE = "review_clause", "Clause de réexamen (R2194-1)"
    ADDITIONAL = "additional", "Prestations supplémentaires nécessaires (R2194-2)"
    UNFORESEEABLE = "unforeseeable", "Circonstances imprévisibles (R2194-5)"
    HOLDER_CHANGE = "holder_change", "Changement de titulaire (R2194-6)"
    NON_SUBSTANTIAL = "non_substantial", "Modification non substantielle (R2194-7)"
    DE_MINIMIS = "de_minimis", "Modification de faible montant (R2194-8)"


class ContractAmendment(models.Model):
    """An avenant (modification) of a contract: its change of amount and its legal ground."""

    Ground = AmendmentGround

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="amendments", verbose_name="marché"
    )
    number = models.PositiveSmallIntegerField("numéro")
    signed_on = models.DateField("signé le")
    ground = models.CharField("fondement", max_length=20, choices=AmendmentGround)
    amount_ht = models.DecimalField("incidence financière (€ HT)", max_digits=14, decimal_places=2)
    duration_months = models.SmallIntegerField("incidence sur la durée (mois)", default=0)
    description = models.TextField("objet")
    cao_opinion_on = models.DateField("avis de la CAO le", null=True, blank=True)
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
        verbose_name = "avenant au marché"
        verbose_name_plural = "avenants aux marchés"
        ordering = ("contract", "number")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="amendment_number_unique",
                violation_error_message="Ce numéro d'avenant existe déjà pour ce marché.",
            ),
            models.CheckConstraint(
                condition=Q(ground__in=AmendmentGround.values), name="amendment_ground_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Avenant n° {self.number} au marché {self.contract.number}"


class Invoice(VersionedModel):
    """A payment request (facture, situation) of a contract: the 30-day clock runs from its receipt."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="invoices", verbose_name="marché"
    )
    number = models.CharField("numéro", max_length=40)
    received_on = models.DateField("reçue le")
    amount_ht = money("montant (€ HT)")
    amount_ttc = money("montant (€ TTC)")
    retention_ttc = money("retenue de garantie (€ TTC)", default=Decimal(0))
    advance_repaid_ttc = money("remboursement de l'avance (€ TTC)", default=Decimal(0))
    suspended_on = models.DateField("délai suspendu le (demande de pièces)", null=True, blank=True)
    resumed_on = models.DateField("délai repris le", null=True, blank=True)
    ordered_on = models.DateField("mandatée le", null=True, blank=True)
    paid_on = models.DateField("payée le", null=True, blank=True)
    late_interest_paid = money("intérêts moratoires versés (€)", null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "facture"
        verbose_name_plural = "factures"
        ordering = ("contract", "received_on", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="invoice_number_unique",
                violation_error_message="Ce numéro de facture existe déjà pour ce marché.",
            ),
            models.CheckConstraint(
                condition=Q(amount_ht__gt=0) & Q(amount_ttc__gte=F("amount_ht")),
                name="invoice_amounts_valid",
                violation_error_message="Le montant est positif et le TTC n'est pas inférieur au HT.",
            ),
            models.CheckConstraint(
                condition=Q(ordered_on__isnull=True) | Q(ordered_on__gte=F("received_on")),
                name="invoice_ordered_after_receipt",
                violation_error_message="Le mandatement ne peut pas précéder la réception de la facture.",
            ),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True)
                | (Q(ordered_on__isnull=False) & Q(paid_on__gte=F("ordered_on"))),
                name="invoice_paid_after_order",
                violation_error_message="Le paiement suit le mandatement.",
            ),
            models.CheckConstraint(
                condition=Q(resumed_on__isnull=True)
                | (Q(suspended_on__isnull=False) & Q(resumed_on__gte=F("suspended_on"))),
                name="invoice_resumed_after_suspension",
                violation_error_message="Le délai reprend après sa suspension.",
            ),
        ]

    def __str__(self) -> str:
        return f"Facture {self.number} ({self.contract.number})"
