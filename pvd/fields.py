"""The building blocks every app's models share (ARCHITECTURE.md §4): a euro amount, a rate as a fraction,
the validity period of dated reference data, and the querysets that answer `visible_to(user)` through the
one access policy and `valid_on(day)` for dated rows."""

import datetime
from typing import TYPE_CHECKING, Self

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from pvd.accounts import policy

if TYPE_CHECKING:
    from pvd.accounts.models import User


def money(verbose_name: str, **options: object) -> models.DecimalField:
    """A euro amount: 14 digits, 2 decimals, never negative at the form."""
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, validators=[MinValueValidator(0)], **options
    )


def rate(verbose_name: str, **options: object) -> models.DecimalField:
    """A rate as a fraction (0,05 for 5 %), between 0 and 1."""
    return models.DecimalField(
        verbose_name,
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        **options,
    )


def validity_constraint(name: str) -> models.CheckConstraint:
    """Dated reference data: the end of validity, when there is one, does not precede its start."""
    return models.CheckConstraint(
        condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
        name=name,
        violation_error_message="La fin de validité doit suivre son début.",
    )


class ScopedQuerySet[M: models.Model](models.QuerySet[M]):
    def visible_to(self, user: "User") -> Self:
        return policy.visible_to(self, user)


class ReferenceQuerySet[M: models.Model](ScopedQuerySet[M]):
    """Dated reference data (`valid_from`, `valid_until`)."""

    def valid_on(self, day: datetime.date) -> Self:
        return self.filter(valid_from__lte=day).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
