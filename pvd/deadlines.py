"""The vocabulary every app uses for its deadlines (subsidies, consultations, contracts), so that the alerts
engine (governance) can merge them: a status, its French label and badge, the order of urgency, and the one
rule that places a due date against a day."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

DONE = "done"
UPCOMING = "upcoming"
WARNING = "warning"
OVERDUE = "overdue"
NOT_APPLICABLE = "not_applicable"

STATUS_LABELS = {
    DONE: "Fait",
    UPCOMING: "À venir",
    WARNING: "Échéance proche",
    OVERDUE: "Dépassée",
    NOT_APPLICABLE: "Sans objet",
}
STATUS_BADGES = {
    DONE: "text-bg-success",
    UPCOMING: "text-bg-light border",
    WARNING: "text-bg-warning",
    OVERDUE: "text-bg-danger",
    NOT_APPLICABLE: "text-bg-secondary",
}
# Sorting: what needs attention first.
URGENCY = {OVERDUE: 0, WARNING: 1, UPCOMING: 2, DONE: 3, NOT_APPLICABLE: 4}
OPEN_STATUSES = frozenset({UPCOMING, WARNING, OVERDUE})


class HasDeadlineStatus:
    """For a deadline dataclass with a `status`: its French label and its badge, the same everywhere."""

    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` + `months` calendar months, the month end clamped (29/02/2024 + 24 months = 28/02/2026; 31/01 + 1 month =
    28 or 29/02). Every legal deadline counted in months uses it."""
    return day + relativedelta(months=months)


def timing(
    due: datetime.date, day: datetime.date, *, warn_from: datetime.date | None, done: bool = False
) -> str:
    """Where a deadline due on `due` stands on `day`: done, overdue the day after it falls, warning from
    `warn_from` (included), upcoming before."""
    if done:
        return DONE
    if day > due:
        return OVERDUE
    if warn_from is not None and day >= warn_from:
        return WARNING
    return UPCOMING


# --- What each app reports to the alerts engine (issue 8, pvd.governance.alerts) -------------------------------
# Levels, the same integers as governance.AlertLevel; decision levels, the codes of governance.DecisionLevel.
INFO, ATTENTION, CRITICAL = 1, 2, 3


@dataclass(frozen=True)
class AlertCandidate:
    """Something an app's selectors found that needs attention today. The engine raises one alert per `key`
    (the rule and its object: "budget.subsidy_start:42") while candidates keep coming, and resolves it the first
    day the candidate is no longer reported. Titles name objects by their reference, never a household's name."""

    kind: str  # the rule: "budget.subsidy_start", "operations.late"…
    key: str  # the rule and its object, stable from one day to the next
    level: int  # INFO, ATTENTION, CRITICAL
    title: str
    url: str
    due_on: datetime.date | None = None
    detail: str = ""
    obj: object | None = None  # the model instance it is about (for the generic link)
    commune_id: int | None = None
    decision_level: str = "manager"  # manager, cotech, project_committee, referent, bureau, council
