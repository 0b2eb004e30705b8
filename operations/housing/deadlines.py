"""The deadlines of an Anah household file (DOMAIN_RULES §3), computed from its stored dates and the
`AnahDeadlineRule` in force on the trigger date:

- implicit rejection: no decision `decision_silence_months` after the receipt (the filing when no receipt is
  recorded) — while the file is filed;
- works completion: `works_deadline_months` after the decision, plus the extension granted (at most
  `max_extension_months`) — while the file is approved or in works.

Months are calendar months (dateutil.relativedelta, a month end clamps: 31/10 + 4 months = 28/02). No rule in
force on the trigger date → no deadline: nothing is invented. `deadlines_for` is pure; `file_deadlines` is the
read the alerts engine calls (two queries whatever the number of files).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from operations.housing.models import AnahDeadlineRule, FileStatus, HousingFile
from pvd.deadlines import (
    OPEN_STATUSES,
    URGENCY,
    HasDeadlineStatus,
    add_months,
    timing,
)

S = FileStatus

IMPLICIT_REJECTION = "implicit_rejection"
WORKS_COMPLETION = "works_completion"

# A decision is awaited in this status; works are to be completed in these.
AWAITING_DECISION = frozenset({S.FILED})
WORKS_RUNNING = frozenset({S.APPROVED, S.WORKS})
# Once past these, the works deadline is met (works completed).
WORKS_DONE = frozenset({S.PAYMENT_REQUESTED, S.PAID, S.CLOSED})
DECIDED = frozenset({S.APPROVED, S.REJECTED, S.WORKS, S.PAYMENT_REQUESTED, S.PAID, S.CLOSED, S.LAPSED})


@dataclass(frozen=True)
class Deadline(HasDeadlineStatus):
    """One deadline of a household file: when it is due, from when to warn, where it stands, and the rule."""

    code: str
    label: str
    due_on: datetime.date
    warn_from: datetime.date | None
    status: str
    rule: str
    file_id: int | None
    file_reference: str = ""
    housing_programme_id: int | None = None
    detail: str = ""

    @property
    def is_open(self) -> bool:
        """Still to be met (or already missed): what an alert is about."""
        return self.status in OPEN_STATUSES

    def days_left(self, day: datetime.date) -> int:
        return (self.due_on - day).days


def rule_on(rules: Sequence[AnahDeadlineRule], day: datetime.date | None) -> AnahDeadlineRule | None:
    """The rule in force on `day` (the latest start when periods overlap), or None."""
    if day is None:
        return None
    in_force = [r for r in rules if r.valid_from <= day and (r.valid_until is None or r.valid_until >= day)]
    return max(in_force, key=lambda r: r.valid_from, default=None)


def load_rules() -> list[AnahDeadlineRule]:
    """Every deadline rule (a handful of rows), for `deadlines_for` (one query)."""
    return list(AnahDeadlineRule.objects.order_by("valid_from"))


def decision_trigger(file: HousingFile) -> datetime.date | None:
    """The silence runs from the receipt, or from the filing when no receipt is recorded."""
    return file.receipt_on or file.filed_on


def implicit_rejection_due(file: HousingFile, rules: Sequence[AnahDeadlineRule]) -> datetime.date | None:
    """The day the Anah's silence becomes an implicit rejection, or None (not filed, no rule in force)."""
    trigger = decision_trigger(file)
    rule = rule_on(rules, trigger)
    if trigger is None or rule is None:
        return None
    return add_months(trigger, rule.decision_silence_months)


def works_due(file: HousingFile, rules: Sequence[AnahDeadlineRule]) -> datetime.date | None:
    """The day the works must be completed by (decision + deadline + extension granted), or None."""
    rule = rule_on(rules, file.decided_on)
    if file.decided_on is None or rule is None:
        return None
    return add_months(file.decided_on, rule.works_deadline_months + (file.works_extension_months or 0))


def extension_error(*, file: HousingFile, months: int, rules: Sequence[AnahDeadlineRule]) -> str | None:
    """Why an extension of `months` months of the works deadline is refused (French), or None."""
    if not months:
        return None
    rule = rule_on(rules, file.decided_on)
    if file.decided_on is None:
        return "Une prorogation du délai de travaux suppose une décision d'octroi : datez-la d'abord."
    if rule is None:
        return (
            f"Aucune règle de délais Anah n'est en vigueur le {file.decided_on:%d/%m/%Y} : la prorogation ne "
            "peut pas être contrôlée (Administration › Délais des dossiers Anah)."
        )
    if months > rule.max_extension_months:
        return (
            f"La prorogation du délai de travaux est limitée à {rule.max_extension_months} mois par le "
            f"règlement de l'Anah : {months} mois demandés."
        )
    return None


def _deadline(
    file: HousingFile,
    *,
    code: str,
    label: str,
    due: datetime.date,
    rule: AnahDeadlineRule,
    day: datetime.date,
    done: bool,
    detail: str,
) -> Deadline:
    warn_from = due - datetime.timedelta(days=rule.warning_days)
    return Deadline(
        code=code,
        label=label,
        due_on=due,
        warn_from=warn_from,
        status=timing(due, day, warn_from=warn_from, done=done),
        rule=rule.legal_reference,
        file_id=file.pk,
        file_reference=file.reference,
        housing_programme_id=file.housing_programme_id,
        detail=detail,
    )


def deadlines_for(
    file: HousingFile, rules: Sequence[AnahDeadlineRule], *, day: datetime.date
) -> list[Deadline]:
    """The file's deadlines on `day`, in date order: the decision (open while filed, done once decided) and the
    works completion (open while approved or in works, done once the works are completed)."""
    deadlines: list[Deadline] = []
    trigger = decision_trigger(file)
    due = implicit_rejection_due(file, rules)
    if due is not None and (file.status in AWAITING_DECISION or file.status in DECIDED):
        rule = rule_on(rules, trigger)
        source = (
            "de l'accusé de réception" if file.receipt_on else "du dépôt (pas d'accusé de réception saisi)"
        )
        deadlines.append(
            _deadline(
                file,
                code=IMPLICIT_REJECTION,
                label="Décision de l'Anah (silence valant rejet)",
                due=due,
                rule=rule,
                day=day,
                done=file.status not in AWAITING_DECISION,
                detail=f"{rule.decision_silence_months} mois à compter {source} du {trigger:%d/%m/%Y}.",
            )
        )
    due = works_due(file, rules)
    if due is not None and (file.status in WORKS_RUNNING or file.status in WORKS_DONE):
        rule = rule_on(rules, file.decided_on)
        extension = (
            f" + prorogation de {file.works_extension_months} mois" if file.works_extension_months else ""
        )
        deadlines.append(
            _deadline(
                file,
                code=WORKS_COMPLETION,
                label="Achèvement des travaux",
                due=due,
                rule=rule,
                day=day,
                done=file.status in WORKS_DONE,
                detail=f"{rule.works_deadline_months} mois à compter de la décision du "
                f"{file.decided_on:%d/%m/%Y}{extension}.",
            )
        )
    return sorted(deadlines, key=lambda d: d.due_on)


def next_deadline(
    file: HousingFile, rules: Sequence[AnahDeadlineRule], *, day: datetime.date
) -> Deadline | None:
    """The file's most urgent open deadline, or None."""
    open_ones = [d for d in deadlines_for(file, rules, day=day) if d.is_open]
    return min(open_ones, key=lambda d: (URGENCY[d.status], d.due_on), default=None)


def sort_deadlines(deadlines: Iterable[Deadline]) -> list[Deadline]:
    """Most urgent first, then by due date and file."""
    return sorted(deadlines, key=lambda d: (URGENCY[d.status], d.due_on, d.file_reference))


# The fields a deadline reads (the alerts query loads only these).
DEADLINE_FIELDS = (
    "reference",
    "housing_programme",
    "status",
    "filed_on",
    "receipt_on",
    "decided_on",
    "works_extension_months",
)


def file_deadlines(
    user: object, *, day: datetime.date, housing_programme: object | None = None
) -> list[Deadline]:
    """The open deadlines of the household files the user reads named (for the alerts engine), most urgent
    first. Two queries (the files, the rules) plus the user's scope, whatever the number of files."""
    files = HousingFile.objects.visible_to(user).filter(status__in=AWAITING_DECISION | WORKS_RUNNING)
    if housing_programme is not None:
        files = files.filter(housing_programme=housing_programme)
    files = files.only(*DEADLINE_FIELDS).order_by("pk")
    rules = load_rules()
    found: list[Deadline] = []
    for file in files:
        found.extend(d for d in deadlines_for(file, rules, day=day) if d.is_open)
    return sort_deadlines(found)
