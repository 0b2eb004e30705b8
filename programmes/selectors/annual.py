"""Reads of one year of a programme for its annual report (issue 10, H5): the deliberations adopted in the year,
the validations of its revitalisation project, its indicators with their series. A fixed number of queries."""

import datetime

from django.db.models import F, QuerySet

from programmes.indicators.models import Indicator
from programmes.models import Deliberation, RevitalisationProject


def deliberations_adopted_between(
    programme_id: int, start: datetime.date, end: datetime.date
) -> list[Deliberation]:
    """The programme's deliberations adopted in [start, end], with their authority. One query."""
    return list(
        Deliberation.objects.filter(programme_id=programme_id, adopted_on__gte=start, adopted_on__lte=end)
        .select_related("organisation")
        .order_by("adopted_on", "organisation__name", "number", "pk")
    )


def project_validations_between(
    programme_id: int, start: datetime.date, end: datetime.date
) -> list[RevitalisationProject]:
    """The versions of the programme's revitalisation project validated in [start, end] (since superseded or not),
    with who validated them. One query."""
    return list(
        RevitalisationProject.objects.filter(
            programme_id=programme_id, validated_on__gte=start, validated_on__lte=end
        )
        .select_related("validated_by")
        .order_by("validated_on", "number", "pk")
    )


def indicators_followed(programme_id: int) -> QuerySet[Indicator]:
    """The programme's indicators still followed (not archived): programme-wide first, then by commune."""
    return Indicator.objects.filter(programme_id=programme_id, archived=False).order_by(
        F("commune__name").asc(nulls_first=True), "name", "pk"
    )
