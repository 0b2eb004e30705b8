"""Housing models. Imported by `operations.models` so that Django registers them in the operations app.

Rules that change are dated data (DOMAIN_RULES §1): `IncomeCeiling` (the Anah ceilings, revised every 1 January)
and `AidScheme` (each version of an Anah aid, with its rates, caps and eligibility checklist). A household file
keeps what was computed when it was filed (`income_category`, `ceiling_year`, `scheme`): next year's table never
changes it. Household files are personal data (GDPR, art. 9 for autonomy): only managers and the programme's
operator read them, every read is logged (`HousingFileAccess`), everybody else sees aggregates.
Statuses change only through `operations.housing.services.files` (transitions table + StatusChange).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.concurrency import VersionedModel
from pvd.fields import ReferenceQuerySet, ScopedQuerySet, money, rate, validity_constraint

# --- Vocabularies (labels in one place) ------------------------------------------------------------------


class IncomeCategory(models.TextChoices):
    """Anah income categories (DOMAIN.md §3.3), compared with the household's reference tax income (RFR)."""

    VERY_MODEST = "very_modest", "Très modestes (bleu)"
    MODEST = "modest", "Modestes (jaune)"
    INTERMEDIATE = "intermediate", "Intermédiaires (violet)"
    ABOVE = "above", "Supérieurs (rose)"


# The categories that have a ceiling (the last one is "above every ceiling").
CEILING_CATEGORIES = (IncomeCategory.VERY_MODEST, IncomeCategory.MODEST, IncomeCategory.INTERMEDIATE)


class Zone(models.TextChoices):
    IDF = "idf", "Île-de-France"
    OTHER = "other", "Hors Île-de-France"


class CategorySource(models.TextChoices):
    COMPUTED = "computed", "Calculée d'après le barème Anah de l'année de dépôt"
    DECLARED = "declared", "Saisie d'après la décision de l'Anah (barème de l'année non chargé)"


class OwnerType(models.TextChoices):
    OCCUPIER = "occupier", "Propriétaire occupant (PO)"
    LANDLORD = "landlord", "Propriétaire bailleur (PB)"
    CONDOMINIUM = "condominium", "Syndicat de copropriétaires"


class Theme(models.TextChoices):
    """What the works address; a file may have several (booleans on the file, this vocabulary for rules)."""

    ENERGY = "energy", "Rénovation énergétique"
    INDIGNE = "indigne", "Habitat indigne / très dégradé"
    AUTONOMY = "autonomy", "Autonomie"
    VACANCY = "vacancy", "Sortie de vacance"
    RENTAL = "rental", "Loyer conventionné"


THEME_FIELDS = {
    Theme.ENERGY: "theme_energy",
    Theme.INDIGNE: "theme_indigne",
    Theme.AUTONOMY: "theme_autonomy",
    Theme.VACANCY: "theme_vacancy",
    Theme.RENTAL: "theme_rental",
}


class TargetCategory(models.TextChoices):
    """The convention's quantitative targets (art. 4 of the Anah convention, DOMAIN.md §3.2)."""

    PO_VERY_MODEST = "po_very_modest", "Propriétaires occupants très modestes"
    PO_MODEST = "po_modest", "Propriétaires occupants modestes"
    LANDLORD = "landlord", "Propriétaires bailleurs (logements)"
    CONDOMINIUM = "condominium", "Copropriétés"
    INDIGNE = "indigne", "Habitat indigne / très dégradé"
    ENERGY = "energy", "Rénovation énergétique"
    AUTONOMY = "autonomy", "Autonomie"
    VACANCY = "vacancy", "Sortie de vacance"


class EnvelopeKind(models.TextChoices):
    WORKS = "works", "Aides aux travaux"
    ENGINEERING = "engineering", "Ingénierie (suivi-animation)"


class EnergyLabel(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"
    F = "F", "F"
    G = "G", "G"


class FileStatus(models.TextChoices):
    """The household-file pipeline (DOMAIN.md §3.4)."""

    CONTACT = "contact", "Premier contact"
    PRE_ELIGIBILITY = "pre_eligibility", "Pré-éligibilité"
    VISIT = "visit", "Visite"
    DIAGNOSTIC = "diagnostic", "Diagnostic / audit"
    WORKS_PROGRAMME = "works_programme", "Programme de travaux et devis"
    FILED = "filed", "Déposé"
    APPROVED = "approved", "Agréé / engagé"
    REJECTED = "rejected", "Rejeté"
    WORKS = "works", "Travaux"
    PAYMENT_REQUESTED = "payment_requested", "Demande de paiement"
    PAID = "paid", "Soldé"
    CLOSED = "closed", "Clos"
    ABANDONED = "abandoned", "Abandonné"
    LAPSED = "lapsed", "Caduc"


class RejectionKind(models.TextChoices):
    EXPRESS = "express", "Rejet exprès"
    IMPLICIT = "implicit", "Rejet implicite (silence de l'Anah)"


class AutonomyGround(models.TextChoices):
    """Why an autonomy file is eligible (MaPrimeAdapt'): health data, GDPR art. 9."""

    AGE_70 = "age_70", "70 ans ou plus"
    AGE_60_GIR = "age_60_gir", "60 à 69 ans avec un GIR"
    DISABILITY = "disability", "Handicap (taux ≥ 50 % ou PCH)"


class ContactChannel(models.TextChoices):
    PHONE = "phone", "Téléphone"
    OFFICE_HOURS = "office_hours", "Permanence"
    MAILING = "mailing", "Courrier / mailing"
    REFERRAL = "referral", "Orientation par un partenaire"
    FRANCE_RENOV = "france_renov", "Espace France Rénov'"
    OTHER = "other", "Autre"


class GrantStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    COMMITTED = "committed", "Engagée"
    CANCELLED = "cancelled", "Annulée"


class GrantPaymentKind(models.TextChoices):
    ADVANCE = "advance", "Avance"
    INSTALMENT = "instalment", "Acompte"
    BALANCE = "balance", "Solde"


class AccessAction(models.TextChoices):
    VIEW = "view", "Consultation"
    EDIT = "edit", "Modification"
    EXPORT = "export", "Export nominatif"


# --- Reference data -----------------------------------------------------------------------------------------


class IncomeCeiling(models.Model):
    """One line of the Anah income-ceiling table of a year: the ceiling of a category in a zone, by household
    size (1 to 5 people) and per extra person. A household is in the category when its RFR is at most the
    ceiling (« inférieur ou égal »)."""

    year = models.PositiveSmallIntegerField(
        "année d'application", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    zone = models.CharField("zone", max_length=6, choices=Zone)
    category = models.CharField("catégorie", max_length=14, choices=IncomeCategory)
    one_person = money("1 personne (€)")
    two_people = money("2 personnes (€)")
    three_people = money("3 personnes (€)")
    four_people = money("4 personnes (€)")
    five_people = money("5 personnes (€)")
    per_extra_person = money("par personne supplémentaire (€)")
    source = models.CharField("source", max_length=300)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "plafond de ressources Anah"
        verbose_name_plural = "plafonds de ressources Anah"
        ordering = ("-year", "zone", "category")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "zone", "category"],
                name="incomeceiling_unique",
                violation_error_message="Ce plafond existe déjà pour cette année, cette zone et cette catégorie.",
            ),
            models.CheckConstraint(condition=Q(zone__in=Zone.values), name="incomeceiling_zone_valid"),
            models.CheckConstraint(
                condition=Q(category__in=[c.value for c in CEILING_CATEGORIES]),
                name="incomeceiling_category_valid",
                violation_error_message="Seules les catégories très modestes, modestes et intermédiaires ont un plafond.",
            ),
            models.CheckConstraint(
                condition=Q(two_people__gte=F("one_person"))
                & Q(three_people__gte=F("two_people"))
                & Q(four_people__gte=F("three_people"))
                & Q(five_people__gte=F("four_people")),
                name="incomeceiling_grows_with_household",
                violation_error_message="Un plafond ne peut pas baisser quand le ménage compte plus de personnes.",
            ),
        ]

    def __str__(self) -> str:
        return f"Plafonds {self.year} — {self.get_zone_display()} — {self.get_category_display()}"

    def ceiling_for(self, household_size: int) -> Decimal:
        sizes = [self.one_person, self.two_people, self.three_people, self.four_people, self.five_people]
        if household_size <= 5:
            return sizes[max(household_size, 1) - 1]
        return self.five_people + (household_size - 5) * self.per_extra_person


class AidScheme(models.Model):
    """One version of a housing aid (MaPrimeRénov' parcours accompagné, Ma Prime Logement Décent, MaPrimeAdapt'…):
    its rates per income category, works caps and eligibility checklist, in force between two dates. A file
    records the version it was filed under."""

    code = models.SlugField("code", max_length=40, help_text="Identique pour toutes les versions d'une aide.")
    name = models.CharField("nom", max_length=150)
    funder = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="housing_aid_schemes",
        verbose_name="financeur",
    )
    theme = models.CharField("thématique", max_length=12, choices=Theme)
    owner_types = models.JSONField(
        "demandeurs éligibles", default=list, help_text="Types de propriétaires (vide : tous)."
    )
    valid_from = models.DateField("en vigueur du")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    rate_very_modest = rate("taux — très modestes", null=True, blank=True)
    rate_modest = rate("taux — modestes", null=True, blank=True)
    rate_intermediate = rate("taux — intermédiaires", null=True, blank=True)
    rate_above = rate("taux — supérieurs", null=True, blank=True)
    works_cap_ht = money("plafond de travaux subventionnables (€ HT)", null=True, blank=True)
    large_gain_class_jump = models.PositiveSmallIntegerField(
        "saut de classes ouvrant le plafond majoré", null=True, blank=True
    )
    large_gain_works_cap_ht = money("plafond majoré (€ HT)", null=True, blank=True)
    min_class_jump = models.PositiveSmallIntegerField("saut de classes DPE minimal", null=True, blank=True)
    eligible_start_labels = models.CharField(
        "étiquettes de départ admises",
        max_length=7,
        blank=True,
        help_text="Par exemple « EFG » ; vide : toutes.",
    )
    min_label_after = models.CharField(
        "étiquette minimale après travaux", max_length=1, choices=EnergyLabel, blank=True
    )
    min_dwelling_age_years = models.PositiveSmallIntegerField(
        "ancienneté minimale du logement (ans)", null=True, blank=True
    )
    requires_france_renov_appointment = models.BooleanField(
        "rendez-vous France Rénov' préalable obligatoire", default=False
    )
    advance_max_rate = rate("avance maximale (part de l'aide)", null=True, blank=True)
    legal_reference = models.CharField("référence", max_length=300)
    notes = models.TextField("remarques", blank=True)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "aide à l'habitat (version)"
        verbose_name_plural = "aides à l'habitat (versions)"
        ordering = ("code", "-valid_from")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"],
                name="aidscheme_unique_version",
                violation_error_message="Une version de cette aide commence déjà à cette date.",
            ),
            models.CheckConstraint(condition=Q(theme__in=Theme.values), name="aidscheme_theme_valid"),
            validity_constraint("aidscheme_validity_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (du {self.valid_from:%d/%m/%Y})"

    def rate_for(self, category: str) -> Decimal | None:
        return {
            IncomeCategory.VERY_MODEST: self.rate_very_modest,
            IncomeCategory.MODEST: self.rate_modest,
            IncomeCategory.INTERMEDIATE: self.rate_intermediate,
            IncomeCategory.ABOVE: self.rate_above,
        }.get(category)


class AnahDeadlineRule(models.Model):
    """The deadlines of an Anah household file in force for a period (DOMAIN_RULES §3): no decision within
    `decision_silence_months` of the receipt is an implicit rejection; works are completed within
    `works_deadline_months` of the decision, extendable by up to `max_extension_months`."""

    valid_from = models.DateField("en vigueur du")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    decision_silence_months = models.PositiveSmallIntegerField("silence valant rejet (mois)")
    works_deadline_months = models.PositiveSmallIntegerField("délai d'achèvement des travaux (mois)")
    max_extension_months = models.PositiveSmallIntegerField("prorogation maximale (mois)")
    warning_days = models.PositiveSmallIntegerField("alerter (jours avant l'échéance)", default=60)
    legal_reference = models.CharField("référence", max_length=300)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "délais des dossiers Anah"
        verbose_name_plural = "délais des dossiers Anah"
        ordering = ("-valid_from",)
        constraints = [
            models.UniqueConstraint(
                fields=["valid_from"],
                name="anahdeadlinerule_unique_start",
                violation_error_message="Une règle commence déjà à cette date.",
            ),
            validity_constraint("anahdeadlinerule_validity_ordered"),
        ]

    def __str__(self) -> str:
        return f"Délais Anah du {self.valid_from:%d/%m/%Y}"


# --- The housing programme's convention -------------------------------------------------------------------


class HousingAmendment(models.Model):
    """An avenant to the Anah convention of a housing programme: targets and envelopes it set point to it."""

    housing_programme = models.ForeignKey(
        "operations.HousingProgramme",
        on_delete=models.CASCADE,
        related_name="amendments",
        verbose_name="dispositif",
    )
    number = models.PositiveSmallIntegerField("numéro")
    signed_on = models.DateField("signé le")
    subject = models.CharField("objet", max_length=300)
    deliberation = models.CharField("délibération", max_length=150, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "avenant à la convention"
        verbose_name_plural = "avenants à la convention"
        ordering = ("housing_programme", "number")
        constraints = [
            models.UniqueConstraint(
                fields=["housing_programme", "number"],
                name="housingamendment_unique_number",
                violation_error_message="Cet avenant existe déjà pour ce dispositif.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="housingamendment_number_gte_1",
                violation_error_message="Les avenants sont numérotés à partir de 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"Avenant n° {self.number} du {self.signed_on:%d/%m/%Y}"


class HousingSector(models.Model):
    """A sector (streets, îlot) of an OPAH-RU perimeter."""

    housing_programme = models.ForeignKey(
        "operations.HousingProgramme",
        on_delete=models.CASCADE,
        related_name="sectors",
        verbose_name="dispositif",
    )
    name = models.CharField("nom", max_length=150)
    commune = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="housing_sectors",
        verbose_name="commune",
        limit_choices_to={"kind": "commune"},
    )
    streets = models.TextField("rues et îlots", blank=True)
    in_ort = models.BooleanField("dans le périmètre ORT", default=False)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "secteur du périmètre"
        verbose_name_plural = "secteurs du périmètre"
        ordering = ("housing_programme", "name")
        constraints = [
            models.UniqueConstraint(
                fields=["housing_programme", "name"],
                name="housingsector_unique_name",
                violation_error_message="Ce secteur existe déjà dans le dispositif.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HousingTarget(models.Model):
    """A quantitative target of the convention: so many dwellings of a category in a year."""

    housing_programme = models.ForeignKey(
        "operations.HousingProgramme",
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name="dispositif",
    )
    category = models.CharField("catégorie", max_length=16, choices=TargetCategory)
    year = models.PositiveSmallIntegerField("année")
    count = models.PositiveIntegerField("objectif (logements)")
    amendment = models.ForeignKey(
        HousingAmendment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name="fixé par l'avenant",
        help_text="Vide : convention initiale.",
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "objectif quantitatif"
        verbose_name_plural = "objectifs quantitatifs"
        ordering = ("housing_programme", "category", "year")
        constraints = [
            models.UniqueConstraint(
                fields=["housing_programme", "category", "year"],
                name="housingtarget_unique",
                violation_error_message="Cet objectif existe déjà pour cette catégorie et cette année.",
            ),
            models.CheckConstraint(
                condition=Q(category__in=TargetCategory.values), name="housingtarget_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.year} : {self.count}"


class HousingEnvelope(models.Model):
    """A financial envelope of the convention: what a funder commits for works aid or engineering in a year."""

    Kind = EnvelopeKind

    housing_programme = models.ForeignKey(
        "operations.HousingProgramme",
        on_delete=models.CASCADE,
        related_name="envelopes",
        verbose_name="dispositif",
    )
    funder = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="housing_envelopes",
        verbose_name="financeur",
    )
    kind = models.CharField("nature", max_length=12, choices=EnvelopeKind)
    year = models.PositiveSmallIntegerField("année")
    amount = money("montant (€)")
    amendment = models.ForeignKey(
        HousingAmendment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="envelopes",
        verbose_name="fixé par l'avenant",
        help_text="Vide : convention initiale.",
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "enveloppe financière"
        verbose_name_plural = "enveloppes financières"
        ordering = ("housing_programme", "funder", "kind", "year")
        constraints = [
            models.UniqueConstraint(
                fields=["housing_programme", "funder", "kind", "year"],
                name="housingenvelope_unique",
                violation_error_message="Cette enveloppe existe déjà pour ce financeur, cette nature et cette année.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EnvelopeKind.values), name="housingenvelope_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="housingenvelope_amount_gte_0",
                violation_error_message="Une enveloppe ne peut pas être négative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} — {self.get_kind_display()} {self.year}"


class TopUpRule(models.Model):
    """A local top-up (aide complémentaire) of the règlement d'aides, as data: who pays, for which files
    (owner type, income categories, theme — empty means all), the rate of the base and the cap per file."""

    class Base(models.TextChoices):
        WORKS_HT = "works_ht", "Montant des travaux HT"
        ELIGIBLE_HT = "eligible_ht", "Montant subventionnable HT (aide Anah)"
        FLAT = "flat", "Forfait par logement"

    housing_programme = models.ForeignKey(
        "operations.HousingProgramme",
        on_delete=models.CASCADE,
        related_name="top_up_rules",
        verbose_name="dispositif",
    )
    funder = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="housing_top_up_rules",
        verbose_name="financeur",
    )
    label = models.CharField("intitulé", max_length=200)
    owner_type = models.CharField("type de propriétaire", max_length=12, choices=OwnerType, blank=True)
    income_categories = models.JSONField(
        "catégories de ressources", default=list, blank=True, help_text="Vide : sans condition de ressources."
    )
    theme = models.CharField("thématique", max_length=12, choices=Theme, blank=True)
    base = models.CharField("assiette", max_length=12, choices=Base, default=Base.WORKS_HT)
    rate = rate("taux", null=True, blank=True)
    flat_amount = money("forfait (€)", null=True, blank=True)
    cap = money("plafond par dossier (€)", null=True, blank=True)
    valid_from = models.DateField("en vigueur du")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    conditions = models.TextField("autres conditions", blank=True)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "aide complémentaire locale"
        verbose_name_plural = "aides complémentaires locales"
        ordering = ("housing_programme", "funder", "label")
        constraints = [
            validity_constraint("topuprule_validity_ordered"),
            models.CheckConstraint(
                condition=(Q(base="flat") & Q(flat_amount__isnull=False))
                | (~Q(base="flat") & Q(rate__isnull=False)),
                name="topuprule_rate_or_flat",
                violation_error_message="Indiquez un taux, ou un forfait pour une aide forfaitaire.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.funder})"

    @property
    def income_category_labels(self) -> list[str]:
        """The income categories of the rule, in French (empty: no income condition)."""
        labels = dict(IncomeCategory.choices)
        return [str(labels.get(code, code)) for code in self.income_categories]


# --- Household files --------------------------------------------------------------------------------------


class HousingFile(VersionedModel):
    """A household's file (dossier), from first contact to closing. Personal data: see the module docstring."""

    Status = FileStatus

    housing_programme = models.ForeignKey(
        "operations.HousingProgramme",
        on_delete=models.PROTECT,
        related_name="files",
        verbose_name="dispositif",
    )
    reference = models.CharField("référence", max_length=30)
    status = models.CharField("statut", max_length=20, choices=FileStatus, default=FileStatus.CONTACT)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="housing_files",
        verbose_name="chargé(e) du dossier",
    )
    contact_channel = models.CharField(
        "canal du premier contact", max_length=14, choices=ContactChannel, default=ContactChannel.PHONE
    )
    # The household (personal data, erased by anonymisation)
    owner_type = models.CharField("type de demandeur", max_length=12, choices=OwnerType)
    applicant_name = models.CharField("nom du demandeur", max_length=200)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("e-mail", blank=True)
    household_size = models.PositiveSmallIntegerField(
        "personnes dans le ménage", default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    reference_income = money("revenu fiscal de référence (€)", null=True, blank=True)
    tax_year = models.PositiveSmallIntegerField("année de l'avis d'imposition", null=True, blank=True)
    zone = models.CharField("zone des plafonds", max_length=6, choices=Zone, default=Zone.OTHER)
    autonomy_ground = models.CharField(
        "motif autonomie",
        max_length=12,
        choices=AutonomyGround,
        blank=True,
        help_text="Donnée de santé (RGPD art. 9).",
    )
    notes = models.TextField("notes de suivi", blank=True)
    # Kept when the file is filed (DOMAIN_RULES §1): next year's table never changes it.
    income_category = models.CharField(
        "catégorie de ressources", max_length=14, choices=IncomeCategory, blank=True
    )
    category_source = models.CharField(
        "origine de la catégorie", max_length=10, choices=CategorySource, blank=True
    )
    ceiling_year = models.PositiveSmallIntegerField("barème appliqué (année)", null=True, blank=True)
    # The dwelling
    address = models.CharField("adresse du logement", max_length=250)
    commune = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="housing_files",
        verbose_name="commune",
        limit_choices_to={"kind": "commune"},
    )
    sector = models.ForeignKey(
        HousingSector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="files",
        verbose_name="secteur",
    )
    parcel = models.CharField("parcelle cadastrale", max_length=30, blank=True)
    in_perimeter = models.BooleanField("dans le périmètre", default=True)
    in_ort = models.BooleanField("dans le périmètre ORT", default=False)
    year_built = models.PositiveSmallIntegerField(
        "année de construction",
        null=True,
        blank=True,
        validators=[MinValueValidator(1000), MaxValueValidator(2100)],
    )
    surface_m2 = models.DecimalField(
        "surface habitable (m²)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    dwellings = models.PositiveSmallIntegerField(
        "logements concernés", default=1, help_text="Plus d'un pour un bailleur ou une copropriété."
    )
    theme_energy = models.BooleanField("rénovation énergétique", default=False)
    theme_indigne = models.BooleanField("habitat indigne / très dégradé", default=False)
    theme_autonomy = models.BooleanField("autonomie", default=False)
    theme_vacancy = models.BooleanField("sortie de vacance", default=False)
    theme_rental = models.BooleanField("loyer conventionné", default=False)
    # Energy
    label_before = models.CharField("étiquette DPE avant", max_length=1, choices=EnergyLabel, blank=True)
    label_after = models.CharField(
        "étiquette DPE après (projetée puis réelle)", max_length=1, choices=EnergyLabel, blank=True
    )
    consumption_before = models.DecimalField(
        "consommation avant (kWh/m²/an)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    consumption_after = models.DecimalField(
        "consommation après (kWh/m²/an)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # Works
    works_amount_ht = money("montant des travaux (€ HT)", null=True, blank=True)
    works_amount_ttc = money("montant des travaux (€ TTC)", null=True, blank=True)
    scheme = models.ForeignKey(
        AidScheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="files",
        verbose_name="aide Anah (version)",
        help_text="La version de l'aide en vigueur au dépôt.",
    )
    # The date chain
    first_contact_on = models.DateField("premier contact")
    france_renov_appointment_on = models.DateField("rendez-vous France Rénov'", null=True, blank=True)
    visit_on = models.DateField("visite", null=True, blank=True)
    diagnostic_on = models.DateField("diagnostic / audit", null=True, blank=True)
    filed_on = models.DateField("dépôt", null=True, blank=True)
    receipt_on = models.DateField("accusé de réception de l'Anah", null=True, blank=True)
    decided_on = models.DateField("décision", null=True, blank=True)
    rejection_kind = models.CharField("nature du rejet", max_length=10, choices=RejectionKind, blank=True)
    works_started_on = models.DateField("début des travaux", null=True, blank=True)
    works_completed_on = models.DateField("fin des travaux", null=True, blank=True)
    works_extension_months = models.PositiveSmallIntegerField(
        "prorogation du délai de travaux (mois)", default=0, validators=[MaxValueValidator(36)]
    )
    payment_requested_on = models.DateField("demande de paiement", null=True, blank=True)
    paid_on = models.DateField("solde versé", null=True, blank=True)
    closed_on = models.DateField("clôture", null=True, blank=True)
    ended_on = models.DateField("abandon ou caducité", null=True, blank=True)
    end_reason = models.TextField("motif (abandon, caducité)", blank=True)
    anonymised_on = models.DateField("anonymisé le", null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "dossier ménage"
        verbose_name_plural = "dossiers ménages"
        ordering = ("housing_programme", "-first_contact_on", "reference")
        indexes = [
            models.Index(fields=["housing_programme", "status"], name="housingfile_programme_status"),
            models.Index(fields=["commune", "status"], name="housingfile_commune_status"),
            models.Index(fields=["status", "closed_on"], name="housingfile_status_closed"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["housing_programme", "reference"],
                name="housingfile_reference_unique",
                violation_error_message="Cette référence de dossier existe déjà dans le dispositif.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FileStatus.values), name="housingfile_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(owner_type__in=OwnerType.values), name="housingfile_owner_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(income_category="") | Q(income_category__in=IncomeCategory.values),
                name="housingfile_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(works_amount_ttc__isnull=True)
                | Q(works_amount_ht__isnull=True)
                | Q(works_amount_ttc__gte=F("works_amount_ht")),
                name="housingfile_ttc_gte_ht",
                violation_error_message="Le montant TTC des travaux ne peut pas être inférieur au montant HT.",
            ),
            models.CheckConstraint(
                condition=Q(filed_on__isnull=True) | Q(filed_on__gte=F("first_contact_on")),
                name="housingfile_filed_after_contact",
                violation_error_message="Le dépôt ne peut pas précéder le premier contact.",
            ),
            models.CheckConstraint(
                condition=Q(receipt_on__isnull=True)
                | Q(filed_on__isnull=True)
                | Q(receipt_on__gte=F("filed_on")),
                name="housingfile_receipt_after_filing",
                violation_error_message="L'accusé de réception ne peut pas précéder le dépôt.",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True)
                | Q(filed_on__isnull=True)
                | Q(decided_on__gte=F("filed_on")),
                name="housingfile_decision_after_filing",
                violation_error_message="La décision ne peut pas précéder le dépôt.",
            ),
            models.CheckConstraint(
                condition=Q(works_completed_on__isnull=True)
                | Q(works_started_on__isnull=True)
                | Q(works_completed_on__gte=F("works_started_on")),
                name="housingfile_works_end_after_start",
                violation_error_message="La fin des travaux ne peut pas précéder leur début.",
            ),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True)
                | Q(payment_requested_on__isnull=True)
                | Q(paid_on__gte=F("payment_requested_on")),
                name="housingfile_paid_after_request",
                violation_error_message="Le solde ne peut pas être versé avant la demande de paiement.",
            ),
            models.CheckConstraint(
                condition=Q(household_size__gte=1),
                name="housingfile_household_size_gte_1",
                violation_error_message="Un ménage compte au moins une personne.",
            ),
            models.CheckConstraint(
                condition=Q(reference_income__isnull=True) | Q(reference_income__gte=0),
                name="housingfile_income_gte_0",
                violation_error_message="Le revenu fiscal de référence ne peut pas être négatif.",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def themes(self) -> list[str]:
        return [theme for theme, field in THEME_FIELDS.items() if getattr(self, field)]


class HousingGrant(models.Model):
    """One funder's grant on a file: an Anah scheme, a local top-up (computed from a rule) or another aid."""

    Status = GrantStatus

    file = models.ForeignKey(
        HousingFile, on_delete=models.CASCADE, related_name="grants", verbose_name="dossier"
    )
    funder = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="housing_grants",
        verbose_name="financeur",
    )
    label = models.CharField("aide", max_length=200)
    scheme = models.ForeignKey(
        AidScheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name="aide Anah",
    )
    top_up_rule = models.ForeignKey(
        TopUpRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name="aide complémentaire",
    )
    eligible_amount_ht = money("montant subventionnable (€ HT)", null=True, blank=True)
    rate = rate("taux", null=True, blank=True)
    amount = money("montant de l'aide (€)")
    status = models.CharField("statut", max_length=10, choices=GrantStatus, default=GrantStatus.PLANNED)
    committed_on = models.DateField("engagée le", null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "aide du dossier"
        verbose_name_plural = "aides du dossier"
        ordering = ("file", "pk")
        indexes = [models.Index(fields=["funder", "status"], name="housinggrant_funder_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=GrantStatus.values), name="housinggrant_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="housinggrant_amount_gte_0",
                violation_error_message="Le montant d'une aide ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(status="planned") | Q(status="cancelled") | Q(committed_on__isnull=False),
                name="housinggrant_committed_has_date",
                violation_error_message="Une aide engagée a une date d'engagement.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.funder}"


class HousingGrantPayment(models.Model):
    """A payment of a grant to the household: advance, instalment or balance."""

    Kind = GrantPaymentKind

    grant = models.ForeignKey(
        HousingGrant, on_delete=models.PROTECT, related_name="payments", verbose_name="aide"
    )
    kind = models.CharField("nature", max_length=10, choices=GrantPaymentKind)
    amount = money("montant (€)")
    paid_on = models.DateField("versé le")

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "versement d'une aide"
        verbose_name_plural = "versements des aides"
        ordering = ("grant", "paid_on", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=GrantPaymentKind.values), name="housingpayment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="housingpayment_amount_gt_0",
                violation_error_message="Un versement est un montant positif.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.paid_on:%d/%m/%Y}"


class HousingFileAccess(models.Model):
    """Who opened or exported a named household file, and when (GDPR accountability). Never edited."""

    file = models.ForeignKey(
        HousingFile, on_delete=models.CASCADE, related_name="accesses", verbose_name="dossier"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="utilisateur"
    )
    action = models.CharField("action", max_length=8, choices=AccessAction, default=AccessAction.VIEW)
    at = models.DateTimeField("le", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "accès à un dossier ménage"
        verbose_name_plural = "accès aux dossiers ménages"
        ordering = ("-at", "-pk")
        indexes = [models.Index(fields=["file", "-at"], name="housingaccess_file_at")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_action_display()} — {self.file}"
