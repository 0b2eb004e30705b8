"""WHO: organisations — communes and EPCIs included — and, later, people, mandates and offers."""

from typing import TYPE_CHECKING, Self

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.accounts import policy

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


siren_validator = RegexValidator(r"^\d{9}$", "Le SIREN compte exactement 9 chiffres.")
insee_validator = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$", "Le code INSEE compte 5 caractères (par ex. 52550, 2A004)."
)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)

    def communes(self) -> Self:
        return self.filter(kind=OrganisationKind.COMMUNE)


class Organisation(models.Model):
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

    def clean(self) -> None:
        # Empty strings from forms mean "none": the unique columns hold NULL, not "".
        self.siren = self.siren or None
        self.insee_code = self.insee_code or None


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
    def valid_on(self, day: "datetime.date") -> Self:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class Offer(models.Model):
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
                violation_error_message="Le taux maximal est compris entre 0 et 100 %.",
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
