"""WHO: organisations — communes and EPCIs included — and, later, people, mandates and offers."""

from typing import TYPE_CHECKING, Self

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from pvd.accounts import policy

if TYPE_CHECKING:
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
