"""What the budget reports to the alerts engine (issue 8): subsidy deadlines about to lapse or missed (start,
extension request, completion, balance…), budget lines committed beyond their credits, AP committed beyond their
amount. Reads the programme's rows directly (a system job; the alerts are scoped when read). Bounded queries per
programme whatever the number of rows."""

import datetime
from collections.abc import Iterator

from django.db.models import F
from django.urls import reverse

from budget import deadlines as rules
from budget.models import (
    AuthorisationStatus,
    BudgetDirection,
    BudgetLine,
    ProgrammeAuthorisation,
    SubsidyRequest,
)
from budget.selectors.programme_budget import authorisations_with_figures, lines_with_figures
from budget.selectors.subsidies import _DEADLINE_FIELDS, _deadlines, _rules_by_scheme, with_money
from programmes.models import Programme
from pvd.deadlines import ATTENTION, CRITICAL, OVERDUE, WARNING, AlertCandidate
from pvd.money import format_euros

# A missed start or completion deadline makes the subsidy lapse: the élu référent must know; the other steps
# are the chargé de mission's.
DECISION_LEVELS = {rules.START: "referent", rules.COMPLETION: "referent"}
ALERTED = (WARNING, OVERDUE)


def subsidy_deadlines(programme: Programme, day: datetime.date) -> Iterator[AlertCandidate]:
    """Each open request's deadline in its warning window (attention) or missed (critical). Two queries."""
    requests = list(
        with_money(
            SubsidyRequest.objects.filter(programme=programme).exclude(status__in=rules.CLOSED_STATUSES)
        )
        .annotate(beneficiary_kind=F("beneficiary__kind"))
        .only(*_DEADLINE_FIELDS, "beneficiary_id")
        .order_by("pk")
    )
    schemes = _rules_by_scheme(requests)
    for request in requests:
        commune_id = request.beneficiary_id if request.beneficiary_kind == "commune" else None
        for deadline in _deadlines(request, schemes, day):
            if deadline.status not in ALERTED:
                continue
            overdue = deadline.status == OVERDUE
            yield AlertCandidate(
                kind=f"budget.subsidy_{deadline.code}",
                key=f"budget.subsidy_{deadline.code}:{request.pk}",
                level=CRITICAL if overdue else ATTENTION,
                title=f"{deadline.label} — {request.title}",
                url=reverse("budget:subsidy_detail", args=[request.pk]),
                due_on=deadline.due_on,
                detail=" ".join(filter(None, [deadline.detail, deadline.rule])),
                obj=request,
                commune_id=commune_id,
                decision_level=DECISION_LEVELS.get(deadline.code, "manager") if overdue else "manager",
            )


def budget_overruns(programme: Programme, day: datetime.date) -> Iterator[AlertCandidate]:
    """Expense lines of the year committed beyond their credits; open AP committed beyond their amount (critical,
    for the élu référent: a budget decision — a decision modificative or an AP revision — is needed). Two
    queries."""
    lines = lines_with_figures(
        BudgetLine.objects.filter(programme=programme, year=day.year, direction=BudgetDirection.EXPENSE)
        .annotate(organisation_kind=F("organisation__kind"))
        .order_by("pk")
    ).filter(committed__gt=F("credits"))
    for line in lines:
        excess = line.committed - line.credits
        yield AlertCandidate(
            kind="budget.line_overrun",
            key=f"budget.line_overrun:{line.pk}",
            level=CRITICAL,
            title=f"Crédits dépassés — {line.label} ({line.year})",
            url=reverse("budget:budget_line_detail", args=[line.pk]),
            detail=(
                f"Engagé {format_euros(line.committed)} pour {format_euros(line.credits)} de crédits : "
                f"dépassement de {format_euros(excess)}."
            ),
            obj=line,
            commune_id=line.organisation_id if line.organisation_kind == "commune" else None,
            decision_level="referent",
        )
    authorisations = authorisations_with_figures(
        ProgrammeAuthorisation.objects.filter(programme=programme, status=AuthorisationStatus.OPEN)
        .annotate(organisation_kind=F("organisation__kind"))
        .order_by("pk"),
        day.year,
    )
    for ap in authorisations:
        amount = ap.initial_amount + ap.revisions_total
        if ap.committed_total <= amount:
            continue
        yield AlertCandidate(
            kind="budget.authorisation_overrun",
            key=f"budget.authorisation_overrun:{ap.pk}",
            level=CRITICAL,
            title=f"AP consommée au-delà de son montant — {ap.number} {ap.label}",
            url=reverse("budget:authorisation_detail", args=[ap.pk]),
            detail=(
                f"Engagé {format_euros(ap.committed_total)} pour une AP de {format_euros(amount)} : "
                "une révision de l'autorisation de programme est nécessaire."
            ),
            obj=ap,
            commune_id=ap.organisation_id if ap.organisation_kind == "commune" else None,
            decision_level="referent",
        )
