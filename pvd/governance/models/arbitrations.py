"""Arbitration notes (notes d'arbitrage, DOMAIN.md §6.3): a difficulty put to the right decision level with at
least two options whose financing impact is computed from the money module; decided by the élu référent (or the
body's recorded decision), frozen as decided, and implemented through the owning apps' services."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.concurrency import VersionedModel
from pvd.fields import ScopedQuerySet, money, rate


class ArbitrationSource(models.TextChoices):
    ESCALATED_RISK = "escalated_risk", "Difficulté remontée d'une opération"
    FINANCING_GAP = "financing_gap", "Plan de financement déséquilibré"
    LAPSING_SUBSIDY = "lapsing_subsidy", "Subvention menacée de caducité"
    PROCUREMENT = "procurement", "Difficulté de commande publique"
    ALERT = "alert", "Alerte"
    FREE = "free", "Sujet libre"


class DecisionLevel(models.TextChoices):
    """Who decides, from the closest to the highest (the order is the escalation ladder)."""

    MANAGER = "manager", "Chargé(e) de mission"
    COTECH = "cotech", "Comité technique (COTECH)"
    PROJECT_COMMITTEE = "project_committee", "Comité de projet"
    REFERENT = "referent", "Élu(e) référent(e)"
    BUREAU = "bureau", "Bureau communautaire"
    COUNCIL = "council", "Conseil communautaire ou municipal"


# The levels an arbitration may be put to (the chargé de mission prepares, never decides).
ARBITRATION_LEVELS = [level for level in DecisionLevel if level != DecisionLevel.MANAGER]


class ArbitrationStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Soumis, en attente de décision"
    DECIDED = "decided", "Décidé"
    IMPLEMENTED = "implemented", "Mis en œuvre"


class ArbitrationOutcome(models.TextChoices):
    APPROVED = "approved", "Option approuvée"
    REJECTED = "rejected", "Rejeté"
    POSTPONED = "postponed", "Ajourné"


class Arbitration(VersionedModel):
    """A note d'arbitrage. Status: draft → submitted → decided (approved option / rejected / postponed; « returned
    for more work » sends it back to draft) → implemented (an approved option applied)."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="arbitrations",
        verbose_name="programme",
    )
    reference = models.CharField("référence", max_length=30, editable=False)
    title = models.CharField("objet", max_length=250)
    source = models.CharField(
        "origine", max_length=20, choices=ArbitrationSource, default=ArbitrationSource.FREE
    )
    risk = models.OneToOneField(
        "operations.Risk",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arbitration",
        verbose_name="difficulté remontée",
    )
    alert = models.ForeignKey(
        "governance.Alert",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="arbitrations",
        verbose_name="alerte d'origine",
    )
    context = models.TextField("contexte et enjeu", blank=True)
    question = models.TextField("question posée", blank=True)
    decision_level = models.CharField(
        "niveau de décision", max_length=30, choices=DecisionLevel, default=DecisionLevel.REFERENT
    )
    committee = models.ForeignKey(
        "governance.Committee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arbitrations",
        verbose_name="instance appelée à décider",
    )
    operations = models.ManyToManyField(
        "operations.Operation", related_name="arbitrations", verbose_name="opérations concernées", blank=True
    )
    subsidy_requests = models.ManyToManyField(
        "budget.SubsidyRequest",
        related_name="arbitrations",
        verbose_name="demandes de subvention concernées",
        blank=True,
    )
    contracts = models.ManyToManyField(
        "operations.Contract", related_name="arbitrations", verbose_name="marchés concernés", blank=True
    )
    recommended_option = models.ForeignKey(
        "governance.ArbitrationOption",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="option recommandée",
    )
    recommendation = models.TextField("recommandation du chef de projet", blank=True)
    deliberation_needed = models.BooleanField("une délibération sera nécessaire", default=False)
    due_on = models.DateField("décision attendue avant le", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=ArbitrationStatus, default=ArbitrationStatus.DRAFT
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="préparé par"
    )
    requested_on = models.DateField("date de la note")
    submitted_at = models.DateTimeField("soumis le", null=True, blank=True)
    outcome = models.CharField("décision", max_length=20, choices=ArbitrationOutcome, blank=True)
    chosen_option = models.ForeignKey(
        "governance.ArbitrationOption",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="option retenue",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidé par",
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decided_in = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arbitrations_decided",
        verbose_name="décidé en réunion",
    )
    decision_comment = models.TextField("commentaire de la décision", blank=True)
    decision_conditions = models.TextField("conditions", blank=True)
    snapshot = models.JSONField("note telle que décidée (figée)", null=True, blank=True, editable=False)
    implemented_at = models.DateTimeField("mis en œuvre le", null=True, blank=True)
    implemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="mis en œuvre par",
    )
    follow_up = models.TextField("suites à donner", blank=True)

    history = HistoricalRecords(excluded_fields=["snapshot"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "arbitrage"
        verbose_name_plural = "arbitrages"
        ordering = ("-requested_on", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ArbitrationStatus.values), name="arbitration_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(decision_level__in=[level.value for level in ARBITRATION_LEVELS]),
                name="arbitration_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=ArbitrationSource.values), name="arbitration_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=ArbitrationOutcome.values),
                name="arbitration_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["decided", "implemented"])
                | (~Q(outcome="") & Q(decided_at__isnull=False) & Q(snapshot__isnull=False)),
                name="arbitration_decided_has_decision",
                violation_error_message="Un arbitrage décidé porte sa décision, sa date et sa version figée.",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="approved") | Q(chosen_option__isnull=False),
                name="arbitration_approved_has_option",
                violation_error_message="Une décision d'approbation désigne l'option retenue.",
            ),
            models.CheckConstraint(
                condition=~Q(status="implemented")
                | (Q(outcome="approved") & Q(implemented_at__isnull=False)),
                name="arbitration_implemented_was_approved",
                violation_error_message="Seule une option approuvée peut être mise en œuvre.",
            ),
            models.UniqueConstraint(
                fields=["programme", "reference"],
                name="arbitration_reference_unique",
                violation_error_message="Cette référence d'arbitrage existe déjà.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


class ArbitrationOption(VersionedModel):
    """One option of an arbitration. What it changes is structured so that its impact is computed (never typed)
    and so that implementing it applies exactly that: the operation's cost (HT, VAT rate → TTC), a shift of its
    unfinished phases, a new status, and changes to financing lines (`OptionFinancingChange`)."""

    arbitration = models.ForeignKey(
        Arbitration, on_delete=models.CASCADE, related_name="options", verbose_name="arbitrage"
    )
    letter = models.CharField("option", max_length=2, help_text="A, B, C…")
    title = models.CharField("intitulé", max_length=250)
    description = models.TextField("description", blank=True)
    operation = models.ForeignKey(
        "operations.Operation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arbitration_options",
        verbose_name="opération modifiée",
        help_text="L'opération dont cette option change le coût, le calendrier, le statut ou le financement.",
    )
    new_cost_ht = money("nouveau coût estimé HT", null=True, blank=True)
    new_vat_rate = rate("taux de TVA", null=True, blank=True)
    new_cost_ttc = money("nouveau coût estimé TTC", null=True, blank=True)
    shift_days = models.IntegerField(
        "décalage du calendrier (jours)",
        default=0,
        help_text="Décale les dates prévisionnelles des phases non terminées (négatif : avance).",
    )
    new_status = models.CharField("nouveau statut de l'opération", max_length=20, blank=True)
    risks = models.TextField(
        "risques", blank=True, help_text="Délais légaux (caducité DETR, seuils…), juridiques."
    )
    partner_opinions = models.TextField("avis des partenaires", blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "option d'arbitrage"
        verbose_name_plural = "options d'arbitrage"
        ordering = ("arbitration", "letter", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["arbitration", "letter"],
                name="arbitrationoption_letter_unique",
                violation_error_message="Cet arbitrage a déjà une option portant cette lettre.",
            ),
            models.CheckConstraint(
                condition=Q(new_cost_ht__isnull=True)
                | Q(new_cost_ttc__isnull=True)
                | Q(new_cost_ttc__gte=F("new_cost_ht")),
                name="arbitrationoption_ttc_covers_ht",
                violation_error_message="Le coût TTC ne peut pas être inférieur au coût HT.",
            ),
        ]

    def __str__(self) -> str:
        return f"Option {self.letter} — {self.title}"


class FinancingChangeAction(models.TextChoices):
    CHANGE = "change", "Modifier le montant d'une ligne"
    WITHDRAW = "withdraw", "Retirer une ligne (financement perdu ou abandonné)"
    ADD = "add", "Ajouter une ligne"


class OptionFinancingChange(models.Model):
    """A change an option makes to the operation's financing plan: an existing line's new amount, a line
    withdrawn, or a new line (category, funder, scheme)."""

    option = models.ForeignKey(
        ArbitrationOption, on_delete=models.CASCADE, related_name="financing_changes", verbose_name="option"
    )
    action = models.CharField("changement", max_length=20, choices=FinancingChangeAction)
    line = models.ForeignKey(
        "budget.FinancingLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arbitration_changes",
        verbose_name="ligne du plan de financement",
    )
    category = models.CharField("catégorie", max_length=30, blank=True)
    funder = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="financeur",
    )
    scheme = models.ForeignKey(
        "partners.Offer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="dispositif",
        limit_choices_to={"kind": "funding"},
    )
    label = models.CharField("précision", max_length=200, blank=True)
    amount_ht = money("montant HT", null=True, blank=True)
    amount_ttc = money("montant TTC", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "changement de financement"
        verbose_name_plural = "changements de financement"
        ordering = ("option", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=FinancingChangeAction.values), name="optionfinancing_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(action="add") | Q(line__isnull=False),
                name="optionfinancing_line_for_change",
                violation_error_message="Choisissez la ligne du plan de financement à modifier ou à retirer.",
            ),
            models.CheckConstraint(
                condition=~Q(action="add") | (~Q(category="") & Q(amount_ht__isnull=False)),
                name="optionfinancing_new_line_complete",
                violation_error_message="Une nouvelle ligne a une catégorie et un montant HT.",
            ),
            models.CheckConstraint(
                condition=~Q(action="change") | Q(amount_ht__isnull=False),
                name="optionfinancing_change_amount",
                violation_error_message="Indiquez le nouveau montant HT de la ligne.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.line or self.label}"


class ArbitrationEffect(models.Model):
    """One change applied when an arbitration was implemented: which object, which field, before and after.
    The object's own history carries the reason « Arbitrage ARB-… option X »; this row links both ways."""

    arbitration = models.ForeignKey(
        Arbitration, on_delete=models.PROTECT, related_name="effects", verbose_name="arbitrage"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="type d'objet")
    object_id = models.PositiveBigIntegerField("identifiant")
    obj = GenericForeignKey("content_type", "object_id")
    object_label = models.CharField("objet", max_length=250)
    field = models.CharField("donnée", max_length=120)
    before = models.CharField("avant", max_length=250, blank=True)
    after = models.CharField("après", max_length=250, blank=True)
    applied_at = models.DateTimeField("appliqué le", auto_now_add=True)

    class Meta:
        verbose_name = "effet d'un arbitrage"
        verbose_name_plural = "effets des arbitrages"
        ordering = ("arbitration", "pk")
        indexes = [models.Index(fields=["content_type", "object_id"], name="arbitrationeffect_object")]

    def __str__(self) -> str:
        return f"{self.object_label} — {self.field}"
