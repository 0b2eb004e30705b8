"""Reference data of the money rules: dated, editable by the administrator, shipped with verified values.

DOMAIN_RULES.md §1: the rules change (FCTVA, DETR/DSIL, FIT merger not verified), so every value a check or
a deadline uses is a row with `valid_from` / `valid_until` and its legal reference; a computation asks for
the value in force on the relevant date (the filing date, the notification date, the year of spending).
"""

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from pvd.errors import MissingReferenceData
from pvd.fields import ReferenceQuerySet, validity_constraint


class FundingCategory(models.TextChoices):
    """What kind of money a financing line is: the checks of CGCT L1111-10 and R2334-27 read it."""

    OWN_FUNDS = "own_funds", "Autofinancement du maître d'ouvrage"
    LOAN = "loan", "Emprunt du maître d'ouvrage"
    STATE_DOTATION = "state_dotation", "Dotation de l'État (DETR, DSIL, DPV, DSID)"
    STATE_OTHER = "state_other", "Autre aide de l'État (Fonds vert, FNADT…)"
    REGION = "region", "Région"
    DEPARTMENT = "department", "Département"
    INTERCOMMUNAL_FUND = "intercommunal_fund", "Fonds de concours (EPCI ou commune)"
    BANQUE_DES_TERRITOIRES = "bdt", "Banque des Territoires"
    ANAH = "anah", "Anah"
    EUROPE = "europe", "Fonds européens (FEDER, LEADER)"
    OTHER_PUBLIC = "other_public", "Autre financeur public"
    PRIVATE = "private", "Financement privé"


# The owner's own share (CGCT L1111-10 III): its own funds and its borrowing.
OWN_CATEGORIES = frozenset({FundingCategory.OWN_FUNDS, FundingCategory.LOAN})
# Private money is outside "total public funding" (the denominator of the 20 % rule).
PRIVATE_CATEGORIES = frozenset({FundingCategory.PRIVATE})
# Grants from other public bodies: everything else.
PUBLIC_GRANT_CATEGORIES = frozenset(set(FundingCategory) - OWN_CATEGORIES - PRIVATE_CATEGORIES)


class Parameter(models.TextChoices):
    """The general money parameters (one dated row per value)."""

    OWN_SHARE_MIN = "own_share_min", "Participation minimale du maître d'ouvrage"
    OWN_SHARE_MIN_LEAD = "own_share_min_lead", "Participation minimale (collectivité chef de file)"
    DOTATION_MIN_RATE = "dotation_min_rate", "Taux minimal d'une dotation DETR/DSIL"
    DOTATION_MAX_RATE = "dotation_max_rate", "Plafond cumulé des dotations DETR, DSIL, DPV, DSID"
    PUBLIC_AID_MAX_RATE = "public_aid_max_rate", "Plafond des aides publiques (part de la dépense)"
    FCTVA_RATE = "fctva_rate", "Taux du FCTVA (sur la dépense éligible TTC)"
    FCTVA_LAG_COMMUNE = "fctva_lag_commune", "Versement du FCTVA aux communes (années après la dépense)"
    FCTVA_LAG_EPCI = "fctva_lag_epci", "Versement du FCTVA aux EPCI (années après la dépense)"


class FinancingParameter(models.Model):
    """One dated value of a general money rule, e.g. FCTVA rate 0,16404 from 01/01/2015."""

    Code = Parameter

    code = models.CharField("paramètre", max_length=40, choices=Parameter)
    value = models.DecimalField("valeur", max_digits=9, decimal_places=6, validators=[MinValueValidator(0)])
    valid_from = models.DateField("en vigueur du")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    legal_reference = models.CharField("référence juridique", max_length=250)
    note = models.TextField("note", blank=True)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "paramètre financier"
        verbose_name_plural = "paramètres financiers"
        ordering = ("code", "-valid_from")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__in=Parameter.values), name="financingparameter_code_valid"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="financingparameter_value_gte_0",
                violation_error_message="La valeur ne peut pas être négative.",
            ),
            models.UniqueConstraint(
                fields=["code", "valid_from"],
                name="financingparameter_unique_start",
                violation_error_message="Ce paramètre a déjà une valeur qui commence à cette date.",
            ),
            validity_constraint("financingparameter_validity_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} : {self.value} (depuis le {self.valid_from:%d/%m/%Y})"

    @classmethod
    def in_force(cls, code: str, day: datetime.date) -> "FinancingParameter":
        """The row of `code` in force on `day` (the latest start when periods overlap)."""
        row = cls.objects.valid_on(day).filter(code=code).order_by("-valid_from").first()
        if row is None:
            raise MissingReferenceData(
                f"Aucune valeur de « {Parameter(code).label} » n'est en vigueur le {day:%d/%m/%Y} : "
                "l'administrateur doit la saisir dans les paramètres financiers."
            )
        return row

    @classmethod
    def value_on(cls, code: str, day: datetime.date) -> Decimal:
        return cls.in_force(code, day).value


class SchemeRule(models.Model):
    """The rules of one funding scheme (an Offer of kind "funding": DETR, DSIL, Fonds vert…) for a period.

    Deadlines are counted in months from the stored event dates; payment caps are fractions of the award.
    Empty means "the scheme has no such rule" (or it is not verified: DOMAIN.md §10 — do not invent one).
    """

    scheme = models.ForeignKey(
        "partners.Offer",
        on_delete=models.PROTECT,
        related_name="scheme_rules",
        verbose_name="dispositif",
        limit_choices_to={"kind": "funding"},
    )
    valid_from = models.DateField("en vigueur du")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    category = models.CharField("catégorie de financement", max_length=30, choices=FundingCategory)
    start_deadline_months = models.PositiveSmallIntegerField(
        "délai de commencement (mois après la notification)", null=True, blank=True
    )
    start_extension_months = models.PositiveSmallIntegerField(
        "prorogation possible du commencement (mois)", null=True, blank=True
    )
    extension_request_months = models.PositiveSmallIntegerField(
        "demande de prorogation au plus tard (mois avant l'échéance)", null=True, blank=True
    )
    completion_deadline_months = models.PositiveSmallIntegerField(
        "délai d'achèvement (mois après le commencement)", null=True, blank=True
    )
    completion_extension_months = models.PositiveSmallIntegerField(
        "prorogation possible de l'achèvement (mois)", null=True, blank=True
    )
    balance_deadline_months = models.PositiveSmallIntegerField(
        "demande de solde au plus tard (mois après l'achèvement)",
        null=True,
        blank=True,
        help_text="Vide : la demande de solde est due avant la date limite d'achèvement.",
    )
    advance_max_rate = models.DecimalField(
        "avance maximale",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    advance_max_rate_guaranteed = models.DecimalField(
        "avance maximale avec garantie bancaire",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    instalments_max_rate = models.DecimalField(
        "cumul maximal avance et acomptes",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    instalments_max_rate_long = models.DecimalField(
        "cumul maximal pour une opération longue",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    long_operation_months = models.PositiveSmallIntegerField(
        "opération longue au-delà de (mois)", null=True, blank=True
    )
    non_start_rule = models.BooleanField(
        "pas de commencement avant le dépôt",
        default=True,
        help_text="Un engagement juridique (devis signé, marché) avant le dépôt rend la dépense inéligible.",
    )
    completeness_months = models.PositiveSmallIntegerField(
        "complétude réputée acquise après (mois de silence)", null=True, blank=True
    )
    warning_days = models.PositiveSmallIntegerField(
        "alerte (jours avant une échéance)", default=90, validators=[MaxValueValidator(730)]
    )
    legal_reference = models.CharField("référence juridique", max_length=250)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "règle d'un dispositif"
        verbose_name_plural = "règles des dispositifs"
        ordering = ("scheme__name", "-valid_from")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=FundingCategory.values), name="schemerule_category_valid"
            ),
            models.UniqueConstraint(
                fields=["scheme", "valid_from"],
                name="schemerule_unique_start",
                violation_error_message="Ce dispositif a déjà des règles qui commencent à cette date.",
            ),
            validity_constraint("schemerule_validity_ordered"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True})
                    | (Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": 1})),
                    name=f"schemerule_{field}_between_0_and_1",
                    violation_error_message="Un taux est compris entre 0 et 100 %%.",
                )
                for field in (
                    "advance_max_rate",
                    "advance_max_rate_guaranteed",
                    "instalments_max_rate",
                    "instalments_max_rate_long",
                )
            ],
        ]

    def __str__(self) -> str:
        return f"{self.scheme.name} — règles du {self.valid_from:%d/%m/%Y}"

    @classmethod
    def in_force(cls, scheme_id: int, day: datetime.date) -> "SchemeRule | None":
        """The scheme's rules in force on `day`, or None when none is recorded (a scheme without rules)."""
        return cls.objects.valid_on(day).filter(scheme_id=scheme_id).order_by("-valid_from").first()


class FctvaTiming(models.Model):
    """An entity whose FCTVA arrives with another lag than its kind's default (e.g. a commune in the 2009
    relance scheme: N+1; DOMAIN.md §5)."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="fctva_timings",
        verbose_name="collectivité",
    )
    lag_years = models.PositiveSmallIntegerField(
        "versement (années après la dépense)", validators=[MaxValueValidator(2)]
    )
    valid_from = models.DateField("en vigueur du")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    legal_reference = models.CharField("référence juridique", max_length=250)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "régime de versement du FCTVA"
        verbose_name_plural = "régimes de versement du FCTVA"
        ordering = ("organisation__name", "-valid_from")
        constraints = [
            models.CheckConstraint(
                condition=Q(lag_years__lte=2),
                name="fctvatiming_lag_at_most_2",
                violation_error_message="Le FCTVA est versé l'année de la dépense, en N+1 ou en N+2.",
            ),
            models.UniqueConstraint(
                fields=["organisation", "valid_from"],
                name="fctvatiming_unique_start",
                violation_error_message="Cette collectivité a déjà un régime qui commence à cette date.",
            ),
            validity_constraint("fctvatiming_validity_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} : N+{self.lag_years}"


class BudgetSection(models.TextChoices):
    INVESTMENT = "investment", "Investissement"
    OPERATING = "operating", "Fonctionnement"


class BudgetDirection(models.TextChoices):
    EXPENSE = "expense", "Dépense"
    REVENUE = "revenue", "Recette"


class BudgetAccount(models.Model):
    """A chapter/account of the M57 nomenclature used by the programme (an editable list: DOMAIN.md §5
    says the account numbers are indicative, to confirm with the finance department)."""

    code = models.CharField("compte", max_length=12, unique=True)
    chapter = models.CharField("chapitre", max_length=12)
    label = models.CharField("libellé", max_length=200)
    section = models.CharField("section", max_length=12, choices=BudgetSection)
    direction = models.CharField("sens", max_length=10, choices=BudgetDirection)
    fctva_eligible = models.BooleanField(
        "dépense éligible au FCTVA",
        default=False,
        help_text="Non pour les subventions d'équipement versées aux propriétaires privés (204).",
    )
    is_active = models.BooleanField("utilisable", default=True)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "compte budgétaire (M57)"
        verbose_name_plural = "comptes budgétaires (M57)"
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(
                condition=Q(section__in=BudgetSection.values), name="budgetaccount_section_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=BudgetDirection.values), name="budgetaccount_direction_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"
