"""Personal data of household files (GDPR): the access log, the retention period and the anonymisation — on the
file, in its history and in its status-change comments —, the nightly task and the management command."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.housing.models import AutonomyGround, FileStatus
from operations.housing.services.privacy import (
    ANONYMISED_ADDRESS,
    ANONYMISED_NAME,
    PrivacyError,
    anonymise_expired,
    anonymise_file,
    expired_files,
    log_access,
    log_accesses,
)
from operations.housing.tasks import anonymise_expired_files
from operations.models import HousingFile, HousingFileAccess
from pvd.models import StatusChange
from tests.operations.housing_factories import HousingFileFactory
from tests.operations.housing_rows import housing_rows

D = datetime.date
pytestmark = pytest.mark.django_db


def closed_file(hp, commune, *, closed_on: D, reference: str = "SD-2018-001", **extra) -> HousingFile:
    """A closed file full of personal data, edited once (so that its history holds the old values too)."""
    values = {
        "housing_programme": hp,
        "commune": commune,
        "reference": reference,
        "status": FileStatus.CLOSED,
        "applicant_name": "Gisèle Vautrin",
        "phone": "03 25 05 12 34",
        "email": "gisele.vautrin@example.org",
        "reference_income": Decimal("15432.00"),
        "tax_year": 2017,
        "autonomy_ground": AutonomyGround.DISABILITY,
        "theme_autonomy": True,
        "notes": "Mme Vautrin, fauteuil roulant, appeler son fils",
        "address": "7 impasse des Tilleuls",
        "parcel": "AB 123",
        "household_size": 3,
        "income_category": "very_modest",
        "first_contact_on": D(2017, 3, 1),
        "filed_on": D(2017, 6, 1),
        "decided_on": D(2017, 8, 1),
        "paid_on": D(2018, 5, 1),
        "closed_on": closed_on,
        "works_amount_ht": Decimal("20000.00"),
        "works_amount_ttc": Decimal("21100.00"),
    } | extra
    file = HousingFileFactory(**values)
    file.applicant_name = "Gisèle Vautrin-Martin"  # a correction: the first name stays in the history
    file.address = "7 bis impasse des Tilleuls"
    file.save()
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(HousingFile),
        object_id=file.pk,
        source=FileStatus.PAID,
        target=FileStatus.CLOSED,
        comment="Dossier de Mme Vautrin clos, RFR 15 432 €",
    )
    return file


PERSONAL_VALUES = [
    "Vautrin",
    "03 25 05 12 34",
    "gisele.vautrin@example.org",
    "Tilleuls",
    "AB 123",
    "fauteuil",
]


def _texts_of(file: HousingFile) -> str:
    """Everything stored about the file, its history and its status changes, as one string."""
    rows = [HousingFile.objects.filter(pk=file.pk).values().get()]
    rows += list(HousingFile.history.model.objects.filter(id=file.pk).values())
    rows += list(StatusChange.objects.filter(object_id=file.pk).values("comment"))
    return repr(rows)


# --- access log --------------------------------------------------------------------------------------------


def test_an_opening_of_a_file_is_logged_with_the_user_and_the_time(territory, manager) -> None:
    file = housing_rows(territory).wassy.file
    before = datetime.datetime.now(datetime.UTC)
    log_access(file=file, user=manager)
    access = HousingFileAccess.objects.get(file=file)
    assert (access.user, access.action) == (manager, "view")
    assert before <= access.at <= datetime.datetime.now(datetime.UTC)


def test_logging_an_opening_costs_one_insert(territory, manager, django_assert_num_queries) -> None:
    file = housing_rows(territory).wassy.file
    with django_assert_num_queries(3):  # savepoint, INSERT, release
        log_access(file=file, user=manager, action="edit")
    assert HousingFileAccess.objects.filter(file=file, action="edit").count() == 1


def test_an_export_logs_every_exported_file_in_one_query(territory, operator) -> None:
    hp = territory.opah_ru
    files = [HousingFileFactory(housing_programme=hp, commune=territory.saint_dizier) for _ in range(7)]
    with CaptureQueriesContext(connection) as queries:
        log_accesses(files=files, user=operator)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert HousingFileAccess.objects.filter(user=operator, action="export").count() == 7


def test_an_anonymous_visit_logs_nothing_and_never_fails(territory) -> None:
    from django.contrib.auth.models import AnonymousUser

    log_access(file=housing_rows(territory).wassy.file, user=AnonymousUser())
    log_accesses(files=[], user=None)
    assert not HousingFileAccess.objects.exists()


def test_a_failing_log_does_not_break_the_page(territory, manager, monkeypatch) -> None:
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("disque plein")

    monkeypatch.setattr(HousingFileAccess.objects, "create", broken)
    log_access(file=housing_rows(territory).wassy.file, user=manager)  # no exception


def test_the_manager_reads_who_opened_a_file(territory, manager, operator, client_for) -> None:
    file = housing_rows(territory).wassy.file
    log_access(file=file, user=manager, action="export")
    response = client_for("manager").get(reverse("operations:housing_file_accesses", args=[file.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Camille Martin" in body and "Export nominatif" in body


def test_the_access_log_page_costs_the_same_queries_at_1x_and_10x(territory, manager, client_for) -> None:
    file = housing_rows(territory).wassy.file
    client = client_for("manager")
    url = reverse("operations:housing_file_accesses", args=[file.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    log_access(file=file, user=manager)
    once = count()
    for _ in range(9):
        log_access(file=file, user=manager)
    assert count() == once


# --- anonymisation -----------------------------------------------------------------------------------------


def test_anonymisation_erases_the_household_on_the_file_and_keeps_the_aggregates(territory, staff) -> None:
    file = closed_file(territory.opah_ru, territory.saint_dizier, closed_on=D(2018, 6, 1))
    result = anonymise_file(file=file, by=staff, on=D(2026, 1, 10))
    file.refresh_from_db()
    assert file == result
    assert file.applicant_name == ANONYMISED_NAME
    assert file.address == ANONYMISED_ADDRESS
    assert (file.phone, file.email, file.notes, file.parcel, file.autonomy_ground) == ("", "", "", "", "")
    assert (file.reference_income, file.tax_year) == (None, None)
    assert file.anonymised_on == D(2026, 1, 10)
    # What the aggregates need stays.
    assert file.commune == territory.saint_dizier
    assert (file.household_size, file.income_category, file.theme_autonomy) == (3, "very_modest", True)
    assert (file.status, file.closed_on, file.works_amount_ht) == (
        "closed",
        D(2018, 6, 1),
        Decimal("20000.00"),
    )


def test_anonymisation_erases_the_household_in_the_history_and_the_status_comments(territory, staff) -> None:
    file = closed_file(territory.opah_ru, territory.saint_dizier, closed_on=D(2018, 6, 1))
    assert "Vautrin" in _texts_of(file) and "15432" in _texts_of(file)
    anonymise_file(file=file, by=staff, on=D(2026, 1, 10))
    texts = _texts_of(file)
    for value in [*PERSONAL_VALUES, "15432", "15 432"]:
        assert value not in texts
    latest = file.history.latest()
    assert (latest.history_user, latest.applicant_name) == (staff, ANONYMISED_NAME)


def test_an_open_file_or_an_anonymised_one_is_refused(territory) -> None:
    open_file = HousingFileFactory(housing_programme=territory.opah_ru, status=FileStatus.WORKS)
    with pytest.raises(PrivacyError, match="Travaux"):
        anonymise_file(file=open_file, on=D(2026, 1, 1))
    done = closed_file(territory.opah_ru, territory.saint_dizier, closed_on=D(2018, 6, 1))
    anonymise_file(file=done, on=D(2026, 1, 1))
    with pytest.raises(PrivacyError, match="déjà anonymisé"):
        anonymise_file(file=done, on=D(2026, 1, 2))


# --- retention ---------------------------------------------------------------------------------------------


def test_a_file_is_kept_exactly_its_retention_period_and_anonymised_the_day_after(territory) -> None:
    hp = territory.opah_ru
    hp.retention_years = 5
    hp.save()
    file = closed_file(hp, territory.saint_dizier, closed_on=D(2020, 6, 15))
    assert list(expired_files(day=D(2025, 6, 15))) == []  # exactly 5 years: not yet
    assert list(expired_files(day=D(2025, 6, 16))) == [file]  # 5 years and a day
    anonymise_expired(day=D(2025, 6, 15), dry_run=False)
    file.refresh_from_db()
    assert file.anonymised_on is None
    anonymise_expired(day=D(2025, 6, 16), dry_run=False)
    file.refresh_from_db()
    assert file.anonymised_on == D(2025, 6, 16)


def test_the_retention_period_is_the_programmes_own(territory) -> None:
    rows = housing_rows(territory)
    rows.wassy.housing_programme.retention_years = 10
    rows.wassy.housing_programme.save()
    wassy = closed_file(
        rows.wassy.housing_programme, territory.wassy, closed_on=D(2018, 1, 1), reference="W-1"
    )
    saint_dizier = closed_file(
        territory.opah_ru, territory.saint_dizier, closed_on=D(2018, 1, 1), reference="S-1"
    )
    assert list(expired_files(day=D(2026, 1, 1))) == [saint_dizier]
    assert list(expired_files(day=D(2028, 1, 2), housing_programme=rows.wassy.housing_programme)) == [wassy]


@pytest.mark.parametrize(
    ("status", "dates"),
    [
        (FileStatus.REJECTED, {"decided_on": D(2019, 1, 10), "paid_on": None}),
        (FileStatus.ABANDONED, {"ended_on": D(2019, 1, 10), "paid_on": None}),
        (FileStatus.LAPSED, {"ended_on": D(2019, 1, 10), "paid_on": None}),
    ],
)
def test_rejected_abandoned_and_lapsed_files_expire_from_their_end(territory, status, dates) -> None:
    file = closed_file(territory.opah_ru, territory.saint_dizier, closed_on=None, status=status, **dates)
    assert list(expired_files(day=D(2024, 1, 10))) == []
    assert list(expired_files(day=D(2024, 1, 11))) == [file]


def test_open_and_already_anonymised_files_never_expire(territory) -> None:
    HousingFileFactory(
        housing_programme=territory.opah_ru, status=FileStatus.WORKS, first_contact_on=D(2010, 1, 1)
    )
    done = closed_file(territory.opah_ru, territory.saint_dizier, closed_on=D(2010, 1, 1))
    anonymise_file(file=done, on=D(2020, 1, 1))
    assert list(expired_files(day=D(2030, 1, 1))) == []


def test_a_dry_run_lists_the_files_and_changes_nothing(territory) -> None:
    file = closed_file(territory.opah_ru, territory.saint_dizier, closed_on=D(2018, 6, 1))
    before = _texts_of(file)
    report = anonymise_expired(day=D(2026, 1, 10), dry_run=True)
    assert report.total == 1
    [entry] = [p for p in report.programmes if p.count]
    assert (entry.housing_programme, entry.references, entry.cutoff) == (
        territory.opah_ru,
        [file.reference],
        D(2021, 1, 10),
    )
    assert _texts_of(file) == before
    assert "Total : 1 dossier serait anonymisé." in report.lines()


def test_the_nightly_task_runs_through_celery_and_anonymises(territory) -> None:
    file = closed_file(territory.opah_ru, territory.saint_dizier, closed_on=D(2015, 6, 1))
    assert anonymise_expired_files.delay().get() == 1
    file.refresh_from_db()
    assert file.applicant_name == ANONYMISED_NAME


def test_the_nightly_task_is_in_the_beat_schedule(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["anonymise-expired-housing-files"]
    assert entry["task"] == anonymise_expired_files.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {40})


def test_the_command_prints_a_french_dry_run_report(territory) -> None:
    file = closed_file(territory.opah_ru, territory.saint_dizier, closed_on=D(2018, 6, 1))
    out = StringIO()
    call_command("anonymise_housing_files", "--dry-run", "--date", "2026-01-10", stdout=out)
    text = out.getvalue()
    assert "Simulation des dossiers ménages au 10/01/2026" in text
    assert file.reference in text
    assert "Total : 1 dossier serait anonymisé." in text
    file.refresh_from_db()
    assert file.anonymised_on is None


def test_the_command_anonymises_and_refuses_a_bad_date(territory) -> None:
    from django.core.management import CommandError

    file = closed_file(territory.opah_ru, territory.saint_dizier, closed_on=D(2018, 6, 1))
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("anonymise_housing_files", "--date", "10/01/2026", stdout=StringIO())
    out = StringIO()
    call_command("anonymise_housing_files", "--date", "2026-01-10", stdout=out)
    assert "Total : 1 dossier anonymisé." in out.getvalue()
    file.refresh_from_db()
    assert file.anonymised_on == D(2026, 1, 10)


# --- retention page ----------------------------------------------------------------------------------------


def test_the_manager_previews_then_runs_the_anonymisation_with_a_confirmation(
    territory, manager, client_for
) -> None:
    hp = housing_rows(territory).wassy.housing_programme
    file = closed_file(hp, territory.wassy, closed_on=D(2015, 6, 1), reference="W-2015-007")
    client = client_for("manager")
    page = client.get(reverse("operations:housing_retention", args=[hp.pk]))
    assert page.status_code == 200
    assert "W-2015-007" in page.content.decode() and "Je confirme" in page.content.decode()

    url = reverse("operations:housing_retention_run", args=[hp.pk])
    unconfirmed = client.post(url, {}, follow=True)
    assert "Cochez la case de confirmation" in unconfirmed.content.decode()
    file.refresh_from_db()
    assert file.anonymised_on is None

    done = client.post(url, {"confirm": "on"}, follow=True)
    assert "1 dossier anonymisé." in done.content.decode()
    file.refresh_from_db()
    assert file.applicant_name == ANONYMISED_NAME
    assert file.history.latest().history_user == manager


def test_running_the_retention_touches_only_that_programme(territory, manager, client_for) -> None:
    hp = housing_rows(territory).wassy.housing_programme
    other = closed_file(territory.opah_ru, territory.saint_dizier, closed_on=D(2015, 6, 1))
    client_for("manager").post(reverse("operations:housing_retention_run", args=[hp.pk]), {"confirm": "on"})
    other.refresh_from_db()
    assert other.anonymised_on is None


@pytest.mark.parametrize(
    ("persona", "status"), [("referent", 403), ("mayor_of_wassy", 404), ("operator", 404)]
)
def test_only_managers_run_the_anonymisation(territory, client_for, persona, status) -> None:
    hp = housing_rows(territory).wassy.housing_programme
    file = closed_file(hp, territory.wassy, closed_on=D(2015, 6, 1))
    response = client_for(persona).post(
        reverse("operations:housing_retention_run", args=[hp.pk]), {"confirm": "on"}
    )
    assert response.status_code == status
    file.refresh_from_db()
    assert file.anonymised_on is None
