"""What the deliberations report to the alerts engine (issue 8): a deliberation adopted more than 15 days ago and
still not enforceable (not published and/or not transmitted to the préfet). The conventions' provider reports
the same key as critical when a convention about to be signed needs it (the engine keeps the highest level).
One query per programme."""

import datetime
from collections.abc import Iterator

from django.db.models import F, Q
from django.urls import reverse

from programmes.models import Deliberation, Programme
from pvd.deadlines import ATTENTION, AlertCandidate

ENFORCEABILITY_DAYS = 15


def deliberation_key(deliberation_pk: int) -> str:
    return f"programmes.deliberation_not_enforceable:{deliberation_pk}"


def deliberation_candidate(
    deliberation: Deliberation, level: int, decision_level: str, detail: str = ""
) -> AlertCandidate:
    """The candidate of a deliberation not enforceable yet (shared with the conventions' provider)."""
    missing = " et ".join(deliberation.missing_formalities)
    commune_id = (
        deliberation.organisation_id if getattr(deliberation, "organisation_kind", "") == "commune" else None
    )
    return AlertCandidate(
        kind="programmes.deliberation_not_enforceable",
        key=deliberation_key(deliberation.pk),
        level=level,
        title=f"Délibération n° {deliberation.number} non exécutoire — {deliberation.subject}",
        url=reverse("programmes:deliberation", args=[deliberation.pk]),
        due_on=deliberation.adopted_on + datetime.timedelta(days=ENFORCEABILITY_DAYS),
        detail=" ".join(
            filter(None, [f"Adoptée le {deliberation.adopted_on:%d/%m/%Y} ; manque {missing}.", detail])
        ),
        obj=deliberation,
        commune_id=commune_id,
        decision_level=decision_level,
    )


def not_enforceable(programme: Programme, day: datetime.date, *, adopted_before: datetime.date | None = None):
    """The programme's deliberations still missing their publication or their transmission."""
    queryset = Deliberation.objects.filter(programme=programme).filter(
        Q(published_on__isnull=True) | Q(transmitted_on__isnull=True)
    )
    if adopted_before is not None:
        queryset = queryset.filter(adopted_on__lt=adopted_before)
    return queryset.annotate(organisation_kind=F("organisation__kind")).order_by("adopted_on", "pk")


def deliberations_not_enforceable(programme: Programme, day: datetime.date) -> Iterator[AlertCandidate]:
    """Adopted more than 15 days ago, not published and/or not transmitted: attention, for the chargé de
    mission."""
    cutoff = day - datetime.timedelta(days=ENFORCEABILITY_DAYS)
    for deliberation in not_enforceable(programme, day, adopted_before=cutoff):
        yield deliberation_candidate(deliberation, ATTENTION, "manager")
