"""WHAT WE AIM FOR: PVD programmes and the communes they serve (strategy, governance and conventions
come in later issues)."""

from typing import TYPE_CHECKING, Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pvd.accounts import policy
from pvd.concurrency import VersionedModel

if TYPE_CHECKING:
    from pvd.accounts.models import User


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)


class Programme(VersionedModel):
    """A Petites Villes de Demain programme: one or several communes of one EPCI, with its key dates.

    Every date is editable: PVD was due to end in March 2026 and was extended; conventions slip.
    """

    name = models.CharField("nom", max_length=200)
    epci = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="programmes_as_epci",
        verbose_name="intercommunalité",
        limit_choices_to={"kind": "epci"},
    )
    communes = models.ManyToManyField(
        "partners.Organisation",
        related_name="programmes",
        verbose_name="communes lauréates",
        limit_choices_to={"kind": "commune"},
    )
    selected_on = models.DateField("date de sélection (lauréat PVD)", null=True, blank=True)
    adhesion_signed_on = models.DateField("signature de la convention d'adhésion", null=True, blank=True)
    framework_signed_on = models.DateField(
        "signature de la convention-cadre valant ORT", null=True, blank=True
    )
    ends_on = models.DateField("fin du programme", null=True, blank=True)
    description = models.TextField("présentation", blank=True)

    history = HistoricalRecords(m2m_fields=[communes])
    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = "programme PVD"
        verbose_name_plural = "programmes PVD"
        ordering = ("name", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(framework_signed_on__isnull=True)
                | Q(adhesion_signed_on__isnull=True)
                | Q(framework_signed_on__gte=F("adhesion_signed_on")),
                name="programme_framework_after_adhesion",
                violation_error_message=(
                    "La convention-cadre ne peut pas être signée avant la convention d'adhésion."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(adhesion_signed_on__isnull=True)
                | Q(ends_on__gt=F("adhesion_signed_on")),
                name="programme_ends_after_adhesion",
                violation_error_message="La fin du programme doit suivre la signature de la convention d'adhésion.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.selected_on and self.adhesion_signed_on and self.adhesion_signed_on < self.selected_on:
            raise ValidationError(
                {
                    "adhesion_signed_on": "La convention d'adhésion ne peut pas précéder la sélection du programme."
                }
            )
