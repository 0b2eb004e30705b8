"""WHO: organisations — communes and EPCIs included —, the themes and the offers catalogue, people
(contacts) and their dated mandates."""

from typing import TYPE_CHECKING, Self

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.accounts import policy
from pvd.concurrency import VersionedModel

if TYPE_CHECKING:
    import datetime

    from pvd.accounts.models import User


class OrganisationKind(models.TextChoices):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "Intercommunalité (EPCI)"
    STATE_SERVICE = "state_service", "Service de l'État"
    AGENCY = "agency", "Agence ou opérateur public"
    REGION = "region", "Région"
    DEPARTMENT = "department", "Département"
    COMPANY = "company", "Entreprise"
    ASSOCIATION = "association", "Association"
    SOCIAL_LANDLORD = "social_landlord", "Bailleur social"
    OTHER = "other", "Autre"


# Communes and EPCIs come from the official geography (import_geography), never from a form.
TERRITORIAL_KINDS = frozenset({OrganisationKind.COMMUNE, OrganisationKind.EPCI})

siren_validator = RegexValidator(r"^\d{9}$", "Le SIREN compte exactement 9 chiffres.")
insee_validator = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$", "Le code INSEE compte 5 caractères (par ex. 52550, 2A004)."
)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)

    def communes(self) -> Self:
        return self.filter(kind=OrganisationKind.COMMUNE)

    def partners(self) -> Self:
        """Everything but communes: the directory of partners (EPCIs included, they are partners too)."""
        return self.exclude(kind=OrganisationKind.COMMUNE)

    def editable(self) -> Self:
        """Organisations edited in the directory's forms: not communes nor EPCIs (official geography)."""
        return self.exclude(kind__in=TERRITORIAL_KINDS)


class Organisation(VersionedModel):
    """Any organisation the programme deals with. Communes carry their INSEE code, EPCIs their SIREN.

    The primary key is a surrogate: INSEE codes change when communes merge (La Porte du Der kept
    Montier-en-Der's 52331, Robert-Magny's 52427 became a former code).
    """

    Kind = OrganisationKind

    kind = models.CharField("type", max_length=20, choices=OrganisationKind)
    name = models.CharField("nom", max_length=200)
    siren = models.CharField(
        "SIREN", max_length=9, unique=True, null=True, blank=True, validators=[siren_validator]
    )
    insee_code = models.CharField(
        "code INSEE", max_length=5, unique=True, null=True, blank=True, validators=[insee_validator]
    )
    former_insee_codes = models.JSONField(
        "anciens codes INSEE",
        default=list,
        blank=True,
        help_text="Codes des communes fusionnées ou déléguées.",
    )
    department_code = models.CharField("département", max_length=3, blank=True)
    postcodes = models.JSONField("codes postaux", default=list, blank=True)
    population = models.PositiveIntegerField(
        "population",
        null=True,
        blank=True,
        help_text="Population municipale légale (INSEE) pour une commune.",
    )
    epci = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="member_communes",
        verbose_name="intercommunalité",
        limit_choices_to={"kind": OrganisationKind.EPCI},
    )
    epci_type = models.CharField(
        "nature de l'EPCI", max_length=10, blank=True, help_text="CC, CA, CU, METRO."
    )
    website = models.URLField("site web", blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    address = models.TextField("adresse", blank=True)

    history = HistoricalRecords()
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ("name", "pk")
        indexes = [models.Index(fields=["kind", "name"], name="organisation_kind_name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.COMMUNE) | Q(insee_code__isnull=False),
                name="organisation_commune_has_insee_code",
                violation_error_message="Une commune doit avoir un code INSEE.",
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.COMMUNE) | Q(insee_code__isnull=True),
                name="organisation_insee_code_only_for_communes",
                violation_error_message="Seule une commune a un code INSEE.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.EPCI) | Q(siren__isnull=False),
                name="organisation_epci_has_siren",
                violation_error_message="Une intercommunalité doit avoir un SIREN.",
            ),
            models.CheckConstraint(
                condition=Q(epci__isnull=True) | Q(kind=OrganisationKind.COMMUNE),
                name="organisation_only_communes_join_epci",
                violation_error_message="Seule une commune peut être membre d'une intercommunalité.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_territorial(self) -> bool:
        return self.kind in TERRITORIAL_KINDS

    def clean(self) -> None:
        # Empty strings from forms mean "none": the unique columns hold NULL, not "".
        self.siren = self.siren or None
        self.insee_code = self.insee_code or None


class ThemeQuerySet(models.QuerySet["Theme"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)


class Theme(models.Model):
    """One of the programme's themes — the single vocabulary of stakes, needs, offers and operations.

    The list comes from the PVD programme (and the job posting of our first user): habitat,
    commerces-services-activités, mobilité, espaces publics, patrimoine, culture, tourisme,
    transition écologique, numérique, participation, plus transversal. Shipped by a data migration.
    """

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("thème", max_length=120, unique=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()
    objects = ThemeQuerySet.as_manager()

    class Meta:
        verbose_name = "thème"
        verbose_name_plural = "thèmes"
        ordering = ("order", "pk")

    def __str__(self) -> str:
        return self.name


class OfferKind(models.TextChoices):
    FUNDING = "funding", "Financement (subvention, dotation)"
    ENGINEERING = "engineering", "Ingénierie"
    EXPERTISE = "expertise", "Expertise"
    LOAN = "loan", "Prêt"
    TRAINING = "training", "Formation et réseau"


class OfferQuerySet(models.QuerySet["Offer"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)

    def valid_on(self, day: "datetime.date") -> Self:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class Offer(VersionedModel):
    """An engineering offer or funding scheme of a partner (the catalogue; dispositif = kind "funding").

    Rates and caps are data with validity dates: schemes change every year (DOMAIN_RULES §1).
    """

    Kind = OfferKind

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="offers", verbose_name="organisme porteur"
    )
    name = models.CharField("intitulé", max_length=200)
    code = models.SlugField(
        "code",
        max_length=60,
        unique=True,
        null=True,
        blank=True,
        help_text="Pour les dispositifs de référence (detr, dsil…).",
    )
    kind = models.CharField("nature", max_length=20, choices=OfferKind)
    themes = models.ManyToManyField(Theme, related_name="offers", verbose_name="thèmes", blank=True)
    description = models.TextField("description", blank=True)
    conditions = models.TextField("conditions d'éligibilité", blank=True)
    max_rate = models.DecimalField(
        "taux maximal",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="En fraction : 0,75 pour 75 %.",
    )
    cap_amount = models.DecimalField(
        "plafond (€)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cap_period = models.CharField(
        "période du plafond", max_length=60, blank=True, help_text="Par an, par opération…"
    )
    valid_from = models.DateField("valable du", null=True, blank=True)
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    url = models.URLField("lien", blank=True)
    legal_reference = models.CharField("référence", max_length=200, blank=True)

    history = HistoricalRecords(m2m_fields=[themes])
    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = "offre ou dispositif"
        verbose_name_plural = "offres et dispositifs"
        ordering = ("organisation__name", "name", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OfferKind.values), name="offer_kind_valid"),
            models.CheckConstraint(
                condition=Q(max_rate__isnull=True) | (Q(max_rate__gte=0) & Q(max_rate__lte=1)),
                name="offer_rate_between_0_and_1",
                violation_error_message="Le taux maximal est compris entre 0 et 100 %%.",
            ),
            models.CheckConstraint(
                condition=Q(cap_amount__isnull=True) | Q(cap_amount__gte=0),
                name="offer_cap_gte_0",
                violation_error_message="Le plafond ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="offer_validity_ordered",
                violation_error_message="La fin de validité doit suivre son début.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


# --- People (contacts) and their dated mandates: personal data (docs/decisions/0005) ---------------------


class Civility(models.TextChoices):
    MADAME = "mme", "Madame"
    MONSIEUR = "m", "Monsieur"


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)


class Person(VersionedModel):
    """A contact: someone the programme works with, in one organisation (commune, partner, company…).

    Personal data: only managers, referents and partners of a programme (and staff) see contacts,
    and only those of organisations in their scope (pvd/accounts/policy.py).
    """

    Civility = Civility

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="people", verbose_name="organisme"
    )
    civility = models.CharField("civilité", max_length=3, choices=Civility, blank=True)
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    function = models.CharField(
        "fonction", max_length=200, blank=True, help_text="Par exemple « Directrice territoriale »."
    )
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    notes = models.TextField("notes", blank=True)

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ("last_name", "first_name", "pk")
        indexes = [models.Index(fields=["last_name", "first_name"], name="person_name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(civility="") | Q(civility__in=Civility.values), name="person_civility_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def salutation(self) -> str:
        """« Madame Hélène Girard » when the civility is known, else the name."""
        return f"{self.get_civility_display()} {self}" if self.civility else str(self)


class MandateRole(models.TextChoices):
    """Labels in one place: a change of wording is one line."""

    MAYOR = "mayor", "Maire"
    DEPUTY_MAYOR = "deputy_mayor", "Adjoint(e) au maire"
    PRESIDENT = "president", "Président(e)"
    VICE_PRESIDENT = "vice_president", "Vice-président(e)"
    PVD_REFERENT = "pvd_referent", "Élu(e) référent(e) PVD"
    COUNCILLOR = "councillor", "Conseiller(ère)"
    DIRECTOR = "director", "Directeur(rice)"
    PROJECT_OFFICER = "project_officer", "Chargé(e) de mission"
    OTHER = "other", "Autre"


class MandateQuerySet(models.QuerySet["Mandate"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)

    def current_on(self, day: "datetime.date") -> Self:
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day)


class Mandate(VersionedModel):
    """Who holds which office in which body, and since when (DOMAIN_RULES §1: elections of March 2026).

    A mandate ends (valid_until) rather than being deleted, so "who was mayor on date X" stays answerable.
    It describes the world; what a user may see in the software stays with accounts.Membership.
    """

    Role = MandateRole

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="mandates", verbose_name="contact"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="mandates",
        verbose_name="instance",
        help_text="La commune, l'intercommunalité ou l'organisme où s'exerce le mandat ou la fonction.",
    )
    role = models.CharField("rôle", max_length=20, choices=MandateRole)
    title = models.CharField(
        "intitulé",
        max_length=200,
        blank=True,
        help_text="Par exemple « Vice-président délégué à l'habitat ».",
    )
    valid_from = models.DateField("depuis le")
    valid_until = models.DateField("jusqu'au", null=True, blank=True, help_text="Vide : en cours.")

    history = HistoricalRecords()
    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = "mandat"
        verbose_name_plural = "mandats"
        ordering = ("-valid_from", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=MandateRole.values), name="mandate_role_valid"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="mandate_until_after_from",
                violation_error_message="La fin du mandat ne peut pas précéder son début.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.person}"

    @property
    def label(self) -> str:
        """« Vice-président délégué à l'habitat (CA du Grand Saint-Dizier…) », « Maire (Wassy) »."""
        return f"{self.title or self.get_role_display()} ({self.organisation})"

    def is_current_on(self, day: "datetime.date") -> bool:
        return self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)


# --- Financers' publicity obligations (issue 11) ---------------------------------------------------------


class CommunicationKind(models.TextChoices):
    """The channels of a communication action (operations.CommunicationAction), here because the publicity
    requirements below say which channels they apply to."""

    NEWSLETTER = "newsletter", "Lettre d'information"
    WEBSITE = "website", "Article sur le site internet"
    PRESS = "press", "Presse (communiqué, article)"
    SOCIAL = "social", "Publication sur les réseaux sociaux"
    SIGNAGE = "signage", "Panneau de chantier ou signalétique"
    INAUGURATION = "inauguration", "Inauguration"
    PRINT = "print", "Document imprimé (plaquette, affiche)"
    OTHER = "other", "Autre"


class PublicityRequirementQuerySet(models.QuerySet["PublicityRequirement"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)

    def valid_on(self, day: "datetime.date") -> Self:
        return self.filter(valid_from__lte=day).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))


class PublicityRequirement(models.Model):
    """What a financer requires to be shown when it funds an operation (its logo, a mention, a site panel),
    for a scheme (DETR: the site panel) or for every aid of the financer; on which channels; for a period.
    Reference data (DOMAIN.md §8): dated, with its source, edited by the administrator."""

    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publicity_requirements",
        verbose_name="financeur",
        help_text="Vide si l'obligation est propre à un dispositif.",
    )
    scheme = models.ForeignKey(
        Offer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publicity_requirements",
        verbose_name="dispositif",
        limit_choices_to={"kind": "funding"},
    )
    label = models.CharField("obligation", max_length=200)
    description = models.TextField("ce qui doit figurer", blank=True)
    channels = models.JSONField(
        "canaux concernés",
        default=list,
        blank=True,
        help_text="Vide : toute communication sur l'opération financée.",
    )
    valid_from = models.DateField("en vigueur du")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    source = models.CharField("source", max_length=300, blank=True)

    history = HistoricalRecords()
    objects = PublicityRequirementQuerySet.as_manager()

    class Meta:
        verbose_name = "obligation de publicité d'un financeur"
        verbose_name_plural = "obligations de publicité des financeurs"
        ordering = ("label", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(funder__isnull=False) | Q(scheme__isnull=False),
                name="publicityrequirement_funder_or_scheme",
                violation_error_message="Indiquez le financeur ou le dispositif concerné.",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="publicityrequirement_validity_ordered",
                violation_error_message="La fin de validité doit suivre son début.",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def applies_to(self, kind: str) -> bool:
        return not self.channels or kind in self.channels
