"""What the conventions report to the alerts engine (issue 8): the validity of the convention-cadre (ending within
six months, or ended), the convention-cadre still not signed 18 months after the adhesion, and the deliberations a
convention about to be signed still needs (not enforceable: critical — the same key as the deliberations' own
alert, the engine keeps the highest level). Three queries per programme."""

import datetime
from collections.abc import Iterator

from django.urls import reverse

from operations.conventions.models import SIGNED_STATUSES, Convention, ConventionKind, ConventionStatus
from programmes.models import Programme
from programmes.selectors.alerts import deliberation_candidate, not_enforceable
from pvd.deadlines import ATTENTION, CRITICAL, AlertCandidate, add_months

ENDING_WARNING_MONTHS = 6
FRAMEWORK_AFTER_ADHESION_MONTHS = 18
FRAMEWORK_WARNING_MONTHS = 3
ABOUT_TO_BE_SIGNED = (ConventionStatus.REVIEW, ConventionStatus.APPROVED)


def _url(convention: Convention) -> str:
    return reverse("operations:convention", args=[convention.pk])


def convention_validity(programme: Programme, day: datetime.date) -> Iterator[AlertCandidate]:
    conventions = list(
        Convention.objects.filter(
            programme=programme,
            parent__isnull=True,
            kind__in=[ConventionKind.ADHESION, ConventionKind.FRAMEWORK],
        ).order_by("pk")
    )
    frameworks = [c for c in conventions if c.kind == ConventionKind.FRAMEWORK]
    signed_frameworks = [c for c in frameworks if c.status in SIGNED_STATUSES]

    # A convention-cadre in force ending within six months, or past its end.
    for convention in signed_frameworks:
        if convention.status == ConventionStatus.ENDED or convention.ends_on is None:
            continue
        if convention.ends_on < day:
            level, title = (
                CRITICAL,
                f"Convention-cadre échue le {convention.ends_on:%d/%m/%Y} — {convention.title}",
            )
        elif convention.ends_on <= add_months(day, ENDING_WARNING_MONTHS):
            level, title = (
                ATTENTION,
                f"Convention-cadre à échéance le {convention.ends_on:%d/%m/%Y} — {convention.title}",
            )
        else:
            continue
        yield AlertCandidate(
            kind="conventions.framework_ending",
            key=f"conventions.framework_ending:{convention.pk}",
            level=level,
            title=title,
            url=_url(convention),
            due_on=convention.ends_on,
            detail="Un avenant de prolongation ou une nouvelle convention est à préparer et à délibérer.",
            obj=convention,
            decision_level="referent",
        )

    # No convention-cadre signed 18 months after the adhesion.
    adhesions = [c for c in conventions if c.kind == ConventionKind.ADHESION and c.signed_on]
    if adhesions and not signed_frameworks:
        adhesion = min(adhesions, key=lambda c: c.signed_on)
        due = add_months(adhesion.signed_on, FRAMEWORK_AFTER_ADHESION_MONTHS)
        if day >= add_months(due, -FRAMEWORK_WARNING_MONTHS):
            overdue = day > due
            target = frameworks[0] if frameworks else adhesion
            yield AlertCandidate(
                kind="conventions.framework_not_signed",
                key=f"conventions.framework_not_signed:{adhesion.pk}",
                level=CRITICAL if overdue else ATTENTION,
                title=f"Convention-cadre non signée {FRAMEWORK_AFTER_ADHESION_MONTHS} mois après l'adhésion",
                url=_url(target),
                due_on=due,
                detail=(
                    f"Convention d'adhésion signée le {adhesion.signed_on:%d/%m/%Y} : la convention-cadre valant "
                    f"ORT est attendue dans les {FRAMEWORK_AFTER_ADHESION_MONTHS} mois."
                ),
                obj=target,
                decision_level="referent" if overdue else "project_committee",
            )

    # Deliberations a convention about to be signed still needs.
    needed = (
        not_enforceable(programme, day)
        .filter(
            signatories__convention__status__in=ABOUT_TO_BE_SIGNED,
            signatories__convention__programme=programme,
        )
        .distinct()
    )
    for deliberation in needed:
        yield deliberation_candidate(
            deliberation,
            CRITICAL,
            "referent",
            detail="Une convention sur le point d'être signée en a besoin : elle doit être exécutoire avant la "
            "signature.",
        )
