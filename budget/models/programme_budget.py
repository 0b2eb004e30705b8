"""The programme budget: the PPI, multi-year authorisations (AP) and their payment credits (CP), yearly
budget lines by section, direction and M57 account, and expenses from commitment to payment.

DOMAIN.md §5. The budget is the owner's (the EPCI's or a commune's): every line names whose budget it is.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from budget.models.reference import BudgetDirection, BudgetSection
from pvd.concurrency import VersionedModel
from pvd.fields import ScopedQuerySet, money

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def _year_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(year__gte=2000) & Q(year__lte=2100),
        name=name,
        violation_error_message="L'année est comprise entre 2000 et 2100.",
    )


class PlannedInvestment(VersionedModel):
    """A row of the PPI (plan pluriannuel d'investissement): what an operation should cost in a year, TTC.
    The PPI is a political plan, not a legal act: it feeds the AP/CP and the yearly budgets."""

    operation = models.ForeignKey(
        "operations.Operation",
        on_delete=models.PROTECT,
        related_name="planned_investments",
        verbose_name="opération",
    )
    year = models.PositiveSmallIntegerField("année", validators=YEAR_VALIDATORS)
    amount_ttc = money("montant prévu (€ TTC)")
    note = models.CharField("commentaire", max_length=250, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne du PPI"
        verbose_name_plural = "plan pluriannuel d'investissement"
        ordering = ("operation", "year")
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "year"],
                name="plannedinvestment_unique_year",
                violation_error_message="Cette opération a déjà une ligne du PPI pour cette année.",
            ),
            models.CheckConstraint(
                condition=Q(amount_ttc__gte=0),
                name="plannedinvestment_amount_gte_0",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
            _year_constraint("plannedinvestment_year_valid"),
        ]

    def __str__(self) -> str:
        return f"PPI {self.year} — {self.operation}"


class AuthorisationStatus(models.TextChoices):
    OPEN = "open", "Ouverte"
    CLOSED = "closed", "Clôturée"
    CANCELLED = "cancelled", "Annulée"


class ProgrammeAuthorisation(VersionedModel):
    """An autorisation de programme: the ceiling of commitments for a multi-year investment, voted by the
    owner's council, revisable (AuthorisationRevision), valid until closed or cancelled."""

    Status = AuthorisationStatus

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="authorisations",
        verbose_name="programme",
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="programme_authorisations",
        verbose_name="budget de",
    )
    number = models.CharField("numéro", max_length=30)
    label = models.CharField("intitulé", max_length=250)
    voted_on = models.DateField("votée le")
    deliberation_reference = models.CharField("délibération", max_length=100)
    initial_amount = money("montant initial (€ TTC)")
    status = models.CharField(
        "statut", max_length=12, choices=AuthorisationStatus, default=AuthorisationStatus.OPEN
    )
    operations = models.ManyToManyField(
        "operations.Operation", related_name="authorisations", verbose_name="opérations", blank=True
    )

    history = HistoricalRecords(m2m_fields=[operations])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "autorisation de programme (AP)"
        verbose_name_plural = "autorisations de programme (AP)"
        ordering = ("programme", "number")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"],
                name="programmeauthorisation_unique_number",
                violation_error_message="Ce numéro d'AP existe déjà dans ce budget.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AuthorisationStatus.values), name="programmeauthorisation_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(initial_amount__gte=0),
                name="programmeauthorisation_amount_gte_0",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.label}"


class AuthorisationRevision(models.Model):
    """A revision of an AP voted by the council (its amount goes up or down by `delta`)."""

    authorisation = models.ForeignKey(
        ProgrammeAuthorisation, on_delete=models.PROTECT, related_name="revisions", verbose_name="AP"
    )
    voted_on = models.DateField("votée le")
    deliberation_reference = models.CharField("délibération", max_length=100)
    delta = models.DecimalField("variation (€ TTC)", max_digits=14, decimal_places=2)
    reason = models.CharField("motif", max_length=250)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "révision d'une AP"
        verbose_name_plural = "révisions des AP"
        ordering = ("authorisation", "voted_on", "pk")

    def __str__(self) -> str:
        return f"Révision du {self.voted_on:%d/%m/%Y} — {self.authorisation}"


class PaymentCredit(VersionedModel):
    """The crédit de paiement of an AP for one year: the ceiling of the year's payments."""

    authorisation = models.ForeignKey(
        ProgrammeAuthorisation, on_delete=models.PROTECT, related_name="payment_credits", verbose_name="AP"
    )
    year = models.PositiveSmallIntegerField("année", validators=YEAR_VALIDATORS)
    amount = money("crédit de paiement (€ TTC)")

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "crédit de paiement (CP)"
        verbose_name_plural = "crédits de paiement (CP)"
        ordering = ("authorisation", "year")
        constraints = [
            models.UniqueConstraint(
                fields=["authorisation", "year"],
                name="paymentcredit_unique_year",
                violation_error_message="Cette AP a déjà un crédit de paiement pour cette année.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="paymentcredit_amount_gte_0",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
            _year_constraint("paymentcredit_year_valid"),
        ]

    def __str__(self) -> str:
        return f"CP {self.year} — {self.authorisation.number}"


class BudgetLine(VersionedModel):
    """A line of the owner's yearly budget for the programme: voted in the budget primitif, changed by
    décisions modificatives."""

    Section = BudgetSection
    Direction = BudgetDirection

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name="programme",
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name="budget de",
    )
    year = models.PositiveSmallIntegerField("exercice", validators=YEAR_VALIDATORS)
    section = models.CharField("section", max_length=12, choices=BudgetSection)
    direction = models.CharField("sens", max_length=10, choices=BudgetDirection)
    account = models.ForeignKey(
        "budget.BudgetAccount", on_delete=models.PROTECT, related_name="budget_lines", verbose_name="compte"
    )
    operation = models.ForeignKey(
        "operations.Operation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name="opération",
    )
    authorisation = models.ForeignKey(
        ProgrammeAuthorisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name="AP",
    )
    label = models.CharField("libellé", max_length=250)
    voted_amount = money("budget primitif (€ TTC)")
    amendments_amount = models.DecimalField(
        "décisions modificatives (€ TTC)", max_digits=14, decimal_places=2, default=0
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne budgétaire"
        verbose_name_plural = "lignes budgétaires"
        ordering = ("programme", "year", "organisation", "section", "direction", "account", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(section__in=BudgetSection.values), name="budgetline_section_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=BudgetDirection.values), name="budgetline_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(voted_amount__gte=0) & Q(voted_amount__gte=-F("amendments_amount")),
                name="budgetline_credits_gte_0",
                violation_error_message="Les crédits votés (budget primitif et décisions modificatives) sont positifs.",
            ),
            _year_constraint("budgetline_year_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.account.code} · {self.label}"


class ExpenseStatus(models.TextChoices):
    """DOMAIN.md §5: engagement → liquidation → mandatement → paiement."""

    COMMITTED = "committed", "Engagée"
    LIQUIDATED = "liquidated", "Liquidée (service fait)"
    ORDERED = "ordered", "Mandatée"
    PAID = "paid", "Payée"
    CANCELLED = "cancelled", "Annulée"


class Expense(VersionedModel):
    """An expense on a budget line, from its legal commitment to its payment by the comptable public.

    It may pay a contract's invoice (procurement); hors marché, the references stay text."""

    Status = ExpenseStatus

    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="expenses", verbose_name="ligne budgétaire"
    )
    operation = models.ForeignKey(
        "operations.Operation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expenses",
        verbose_name="opération",
    )
    label = models.CharField("objet", max_length=250)
    supplier = models.CharField("tiers (fournisseur, bénéficiaire)", max_length=200)
    contract = models.ForeignKey(
        "operations.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expenses",
        verbose_name="marché",
    )
    invoice = models.OneToOneField(
        "operations.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expense",
        verbose_name="facture du marché",
    )
    contract_reference = models.CharField("marché ou bon de commande", max_length=100, blank=True)
    invoice_reference = models.CharField("facture", max_length=100, blank=True)
    amount_ht = money("montant (€ HT)")
    amount_ttc = money("montant (€ TTC)")
    status = models.CharField("statut", max_length=12, choices=ExpenseStatus, default=ExpenseStatus.COMMITTED)
    committed_on = models.DateField("engagée le")
    commitment_reference = models.CharField("numéro d'engagement", max_length=60, blank=True)
    liquidated_on = models.DateField("liquidée le", null=True, blank=True)
    ordered_on = models.DateField("mandatée le", null=True, blank=True)
    payment_order_reference = models.CharField("numéro de mandat", max_length=60, blank=True)
    paid_on = models.DateField("payée le", null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "dépense"
        verbose_name_plural = "dépenses"
        ordering = ("budget_line", "committed_on", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ExpenseStatus.values), name="expense_status_valid"),
            models.CheckConstraint(
                condition=Q(amount_ht__gte=0) & Q(amount_ttc__gte=F("amount_ht")),
                name="expense_amounts_valid",
                violation_error_message="Les montants sont positifs et le TTC n'est pas inférieur au HT.",
            ),
            models.CheckConstraint(
                condition=Q(liquidated_on__isnull=True) | Q(liquidated_on__gte=F("committed_on")),
                name="expense_liquidated_after_commitment",
                violation_error_message="La liquidation ne peut pas précéder l'engagement.",
            ),
            models.CheckConstraint(
                condition=Q(ordered_on__isnull=True)
                | (Q(liquidated_on__isnull=False) & Q(ordered_on__gte=F("liquidated_on"))),
                name="expense_ordered_after_liquidation",
                violation_error_message="Le mandatement suit la liquidation.",
            ),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True)
                | (Q(ordered_on__isnull=False) & Q(paid_on__gte=F("ordered_on"))),
                name="expense_paid_after_order",
                violation_error_message="Le paiement suit le mandatement.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.supplier})"
