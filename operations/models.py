"""WHAT WE DO: operations, procurement and housing programmes. This first part holds the housing
programmes (OPAH, OPAH-RU, PIG) that operators' access is scoped on; their targets, envelopes and
household files come with the housing issue."""

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.accounts import policy

if TYPE_CHECKING:
    from pvd.accounts.models import User


class HousingProgrammeKind(models.TextChoices):
    OPAH = "opah", "OPAH"
    OPAH_RU = "opah_ru", "OPAH-RU"
    PIG = "pig", "PIG"


class HousingProgrammeQuerySet(models.QuerySet["HousingProgramme"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)


class HousingProgramme(models.Model):
    """A private-housing improvement operation (OPAH, OPAH-RU, PIG) run by a suivi-animation operator."""

    Kind = HousingProgrammeKind

    kind = models.CharField("type", max_length=10, choices=HousingProgrammeKind)
    name = models.CharField("nom", max_length=200)
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="housing_programmes",
        verbose_name="programme PVD",
        help_text="Quand l'opération fait partie du programme PVD.",
    )
    owner = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="owned_housing_programmes",
        verbose_name="maître d'ouvrage",
    )
    communes = models.ManyToManyField(
        "partners.Organisation",
        related_name="housing_programmes",
        verbose_name="communes du périmètre",
        limit_choices_to={"kind": "commune"},
    )
    operator = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operated_housing_programmes",
        verbose_name="opérateur de suivi-animation",
    )
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")

    history = HistoricalRecords(m2m_fields=[communes])
    objects = HousingProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = "dispositif habitat"
        verbose_name_plural = "dispositifs habitat"
        ordering = ("-starts_on", "name", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=HousingProgrammeKind.values), name="housingprogramme_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="housingprogramme_ends_after_start",
                violation_error_message="La fin du dispositif doit suivre son début.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
