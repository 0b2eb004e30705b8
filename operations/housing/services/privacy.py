"""Personal data of household files (GDPR): access log, retention and anonymisation (issue 7, DOMAIN_RULES §5)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.db.models import Q, QuerySet

from operations.housing.models import FileStatus
from operations.models import HousingFile, HousingFileAccess, HousingProgramme
from pvd.errors import DomainError
from pvd.models import StatusChange

logger = logging.getLogger(__name__)


def log_access(*, file: HousingFile, user, action: str = "view") -> None:
    """Record that `user` opened (or edited, exported) the named file. One INSERT; never fails the page."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    try:
        with transaction.atomic():
            HousingFileAccess.objects.create(file=file, user=user, action=action)
    except DatabaseError:
        logger.exception("Accès au dossier %s non journalisé", getattr(file, "pk", None))


def log_accesses(*, files: Iterable[HousingFile], user, action: str = "export") -> None:
    """Record a nominative export of several files at once (bulk_create, one query); never fails the export."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    rows = [HousingFileAccess(file=file, user=user, action=action) for file in files]
    if not rows:
        return
    try:
        with transaction.atomic():
            HousingFileAccess.objects.bulk_create(rows)
    except DatabaseError:
        logger.exception("Export de %d dossiers non journalisé", len(rows))


# --- Retention and anonymisation ---------------------------------------------------------------------------

ANONYMISED_NAME = "Ménage anonymisé"
ANONYMISED_ADDRESS = "Adresse anonymisée"
# What anonymisation erases, on the file and in every historical record of it (django-simple-history keeps old
# values). Kept for the aggregates: commune, sector, owner type, household size, category, themes, labels,
# amounts, dates and status. `end_reason` is free text written about the household (like `notes`): erased too.
ERASED_VALUES: dict[str, object] = {
    "applicant_name": ANONYMISED_NAME,
    "phone": "",
    "email": "",
    "reference_income": None,
    "tax_year": None,
    "autonomy_ground": "",
    "notes": "",
    "address": ANONYMISED_ADDRESS,
    "parcel": "",
    "end_reason": "",
}
ERASED_COMMENT = "Commentaire effacé (anonymisation RGPD)."

# The statuses after which a file is kept `retention_years` then anonymised, and the date its clock starts from.
END_DATE_OF: dict[str, str] = {
    FileStatus.CLOSED: "closed_on",
    FileStatus.REJECTED: "decided_on",
    FileStatus.ABANDONED: "ended_on",
    FileStatus.LAPSED: "ended_on",
}


class PrivacyError(DomainError):
    """A GDPR rule refused the action (French message)."""


def add_years(day: datetime.date, years: int) -> datetime.date:
    """`day` + `years` calendar years (29/02/2024 + 5 years = 28/02/2029)."""
    return day + relativedelta(years=years)


def retention_cutoff(*, day: datetime.date, retention_years: int) -> datetime.date:
    """Files that ended strictly before this date have been kept more than `retention_years` on `day`."""
    return day - relativedelta(years=retention_years)


def expired_files(
    *, day: datetime.date, housing_programme: HousingProgramme | None = None
) -> QuerySet[HousingFile]:
    """Files closed, rejected, abandoned or lapsed for more than their programme's retention period (calendar
    years) on `day`, not yet anonymised. Exactly N years after the end date is not yet expired; N years and a
    day is."""
    programmes = (
        [housing_programme]
        if housing_programme is not None
        else list(HousingProgramme.objects.only("pk", "retention_years"))
    )
    condition = Q(pk__in=[])
    for programme in programmes:
        cutoff = retention_cutoff(day=day, retention_years=programme.retention_years)
        ended = Q()
        for status, date_field in END_DATE_OF.items():
            ended |= Q(status=status, **{f"{date_field}__lt": cutoff})
        condition |= Q(housing_programme_id=programme.pk) & ended
    return (
        HousingFile.objects.filter(condition, anonymised_on__isnull=True)
        .select_related("housing_programme")
        .order_by("housing_programme_id", "reference")
    )


@transaction.atomic
def anonymise_file(*, file: HousingFile, by: object | None = None, on: datetime.date) -> HousingFile:
    """Erase the household's personal data from a finished file, from its history and from the comments of its
    status changes; keep what the aggregates need. Irreversible."""
    current = HousingFile.objects.select_for_update().get(pk=file.pk)
    if current.anonymised_on is not None:
        raise PrivacyError(
            f"Le dossier {current.reference} est déjà anonymisé (le {current.anonymised_on:%d/%m/%Y})."
        )
    if current.status not in END_DATE_OF:
        raise PrivacyError(
            f"Le dossier {current.reference} est « {current.get_status_display()} » : seul un dossier clos, "
            "rejeté, abandonné ou caduc peut être anonymisé."
        )
    for name, value in ERASED_VALUES.items():
        setattr(current, name, value)
    current.anonymised_on = on
    current.version += 1
    if by is not None:
        current._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
    current._change_reason = "Anonymisation (RGPD)"  # type: ignore[attr-defined]
    current.save()
    HousingFile.history.model.objects.filter(id=current.pk).update(**ERASED_VALUES)  # type: ignore[attr-defined]
    StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(HousingFile), object_id=current.pk
    ).exclude(comment="").update(comment=ERASED_COMMENT)
    return current


@dataclass
class ProgrammeRetention:
    """One housing programme in a retention run: its period and the files that are (or would be) anonymised."""

    housing_programme: HousingProgramme
    retention_years: int
    cutoff: datetime.date
    references: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.references)


@dataclass
class RetentionReport:
    day: datetime.date
    dry_run: bool
    programmes: list[ProgrammeRetention] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(p.count for p in self.programmes)

    def lines(self) -> list[str]:
        """The report in French, one line per programme then its references (the command prints it)."""
        head = "Simulation" if self.dry_run else "Anonymisation"
        out = [f"{head} des dossiers ménages au {self.day:%d/%m/%Y}"]
        for p in self.programmes:
            years = f"{p.retention_years} an{'s' if p.retention_years > 1 else ''}"
            out.append(
                f"- {p.housing_programme.name} (conservation {years}, dossiers terminés avant le "
                f"{p.cutoff:%d/%m/%Y}) : {self._counted(p.count)}"
            )
            out.extend(f"    {reference}" for reference in p.references)
        out.append(f"Total : {self._counted(self.total)}.")
        return out

    def _counted(self, count: int) -> str:
        plural = "s" if count > 1 else ""
        if self.dry_run:
            verb = "seraient" if count > 1 else "serait"
            return f"{count} dossier{plural} {verb} anonymisé{plural}"
        return f"{count} dossier{plural} anonymisé{plural}"


@transaction.atomic
def anonymise_expired(
    *,
    day: datetime.date,
    dry_run: bool,
    by: object | None = None,
    housing_programme: HousingProgramme | None = None,
) -> RetentionReport:
    """Anonymise every expired file (of one programme, or all), or only list them (`dry_run`). All or nothing."""
    programmes = (
        [housing_programme]
        if housing_programme is not None
        else list(HousingProgramme.objects.order_by("name", "pk"))
    )
    report = RetentionReport(day=day, dry_run=dry_run)
    by_programme: dict[int, ProgrammeRetention] = {}
    for programme in programmes:
        entry = ProgrammeRetention(
            housing_programme=programme,
            retention_years=programme.retention_years,
            cutoff=retention_cutoff(day=day, retention_years=programme.retention_years),
        )
        report.programmes.append(entry)
        by_programme[programme.pk] = entry
    files = list(expired_files(day=day, housing_programme=housing_programme))
    for file in files:
        by_programme[file.housing_programme_id].references.append(file.reference)
        if not dry_run:
            anonymise_file(file=file, by=by, on=day)
    return report
