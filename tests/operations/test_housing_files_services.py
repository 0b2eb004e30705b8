"""The household-file pipeline's services: references, edits with optimistic locking, every transition allowed or
refused in French, the evidence each one records, the income category and the aid version kept at filing."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from operations.housing.models import CategorySource, FileStatus, IncomeCategory, RejectionKind, Zone
from operations.housing.services import files as services
from operations.housing.services.files import TRANSITIONS, HousingFileError
from operations.models import AidScheme, HousingFile, HousingProgrammeKind
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.factories import HousingProgrammeFactory
from tests.operations.housing_factories import HousingFileFactory, IncomeCeilingFactory

D = datetime.date
S = FileStatus

pytestmark = pytest.mark.django_db


def _file(territory, **fields) -> HousingFile:
    values = {
        "housing_programme": territory.opah_ru,
        "commune": territory.saint_dizier,
        "first_contact_on": D(2025, 1, 15),
        "reference_income": Decimal(15000),
        "household_size": 1,
        "zone": Zone.OTHER,
    }
    return HousingFileFactory(**(values | fields))


def _changes(file: HousingFile) -> list[StatusChange]:
    return list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(HousingFile), object_id=file.pk
        ).order_by("pk")
    )


# --- Creation and edits ---------------------------------------------------------------------------------


def test_a_new_file_gets_the_next_reference_of_its_programme_kind_and_year(territory, operator) -> None:
    HousingFileFactory(housing_programme=territory.opah_ru, reference="OPAHRU-2026-007")
    fields = {
        "owner_type": "occupier",
        "applicant_name": "Mme Martin",
        "address": "3 rue Gambetta",
        "commune": territory.saint_dizier,
        "first_contact_on": D(2026, 4, 14),
    }
    first = services.create_file(housing_programme=territory.opah_ru, by=operator, **fields)
    second = services.create_file(housing_programme=territory.opah_ru, by=operator, **fields)
    pig = HousingProgrammeFactory(kind=HousingProgrammeKind.PIG, owner=territory.epci)
    other = services.create_file(housing_programme=pig, by=operator, **fields)
    assert (first.reference, second.reference, other.reference) == (
        "OPAHRU-2026-008",
        "OPAHRU-2026-009",
        "PIG-2026-001",
    )
    assert first.status == S.CONTACT
    assert first.history.first().history_user == operator
    assert [c.target for c in _changes(first)] == [S.CONTACT]


def test_a_file_cannot_be_created_with_a_status_or_category(territory, operator) -> None:
    with pytest.raises(HousingFileError, match="non modifiables"):
        services.create_file(
            housing_programme=territory.opah_ru,
            by=operator,
            income_category=IncomeCategory.VERY_MODEST,
            first_contact_on=D(2026, 1, 1),
        )


def test_an_edit_from_a_stale_version_is_refused_and_names_the_author(territory, operator, manager) -> None:
    file = _file(territory)
    services.update_file(
        file=file, expected_version=file.version, changes={"phone": "03 25 00 00 00"}, by=manager
    )
    with pytest.raises(StaleObjectError, match="a été modifié"):
        services.update_file(file=file, expected_version=file.version, changes={"phone": "06"}, by=operator)
    file.refresh_from_db()
    assert file.phone == "03 25 00 00 00"


def test_the_receipt_cannot_be_entered_before_filing(territory, operator) -> None:
    file = _file(territory)
    with pytest.raises(HousingFileError, match="pas encore déposé"):
        services.update_file(
            file=file, expected_version=file.version, changes={"receipt_on": D(2025, 3, 1)}, by=operator
        )


# --- The transitions table ------------------------------------------------------------------------------


def test_the_pipeline_follows_the_anah_lifecycle() -> None:
    assert TRANSITIONS[S.CONTACT] == {S.PRE_ELIGIBILITY, S.ABANDONED}
    assert TRANSITIONS[S.WORKS_PROGRAMME] == {S.FILED, S.ABANDONED}
    assert TRANSITIONS[S.FILED] == {S.APPROVED, S.REJECTED, S.ABANDONED}
    assert TRANSITIONS[S.APPROVED] == {S.WORKS, S.ABANDONED, S.LAPSED}
    assert TRANSITIONS[S.WORKS] == {S.PAYMENT_REQUESTED, S.ABANDONED, S.LAPSED}
    assert TRANSITIONS[S.PAYMENT_REQUESTED] == {S.PAID, S.ABANDONED}
    assert TRANSITIONS[S.PAID] == {S.CLOSED}
    for final in (S.REJECTED, S.CLOSED, S.ABANDONED, S.LAPSED):
        assert TRANSITIONS[final] == frozenset()


def test_every_transition_outside_the_table_is_refused_in_french(territory, operator) -> None:
    files = {source: _file(territory, status=source) for source in S.values}
    refused = 0
    for source, file in files.items():
        for target in S.values:
            if target in TRANSITIONS[source] or target == source:
                continue
            with pytest.raises(HousingFileError) as error:
                services.change_status(file=file, to=target, by=operator, on=D(2025, 6, 1), comment="motif")
            assert str(error.value).startswith(f"Le dossier {file.reference}")
            assert S(target).label in str(error.value)
            refused += 1
    assert refused == sum(len(S.values) - 1 - len(TRANSITIONS[source]) for source in S.values)
    assert (
        HousingFile.objects.filter(pk__in=[f.pk for f in files.values()])
        .values_list("status", flat=True)
        .count()
        == 14
    )
    for source, file in files.items():
        file.refresh_from_db()
        assert file.status == source


def test_a_final_status_says_it_is_final(territory, operator) -> None:
    file = _file(territory, status=S.CLOSED)
    with pytest.raises(HousingFileError, match="ce statut est définitif"):
        services.change_status(file=file, to=S.PAID, by=operator, on=D(2025, 6, 1))


def test_the_whole_pipeline_records_each_evidence_date_and_a_status_change(territory, operator) -> None:
    file = _file(territory, france_renov_appointment_on=D(2025, 1, 20))
    steps = [
        (S.PRE_ELIGIBILITY, D(2025, 1, 20), {}),
        (S.VISIT, D(2025, 2, 3), {}),
        (S.DIAGNOSTIC, D(2025, 2, 20), {}),
        (S.WORKS_PROGRAMME, D(2025, 3, 10), {}),
        (S.FILED, D(2025, 4, 1), {"receipt_on": D(2025, 4, 3)}),
        (S.APPROVED, D(2025, 6, 10), {}),
        (S.WORKS, D(2025, 9, 1), {}),
        (S.PAYMENT_REQUESTED, D(2025, 12, 1), {"works_completed_on": D(2025, 11, 20)}),
        (S.PAID, D(2026, 1, 15), {}),
        (S.CLOSED, D(2026, 2, 1), {}),
    ]
    for to, on, evidence in steps:
        file = services.change_status(file=file, to=to, by=operator, on=on, **evidence)
    assert (file.visit_on, file.diagnostic_on, file.filed_on, file.receipt_on) == (
        D(2025, 2, 3),
        D(2025, 2, 20),
        D(2025, 4, 1),
        D(2025, 4, 3),
    )
    assert (file.decided_on, file.works_started_on, file.works_completed_on) == (
        D(2025, 6, 10),
        D(2025, 9, 1),
        D(2025, 11, 20),
    )
    assert (file.payment_requested_on, file.paid_on, file.closed_on) == (
        D(2025, 12, 1),
        D(2026, 1, 15),
        D(2026, 2, 1),
    )
    changes = _changes(file)
    assert [c.target for c in changes] == [to for to, _, _ in steps]
    assert all(c.by == operator for c in changes)
    assert "Dépôt : 01/04/2025." in changes[4].comment
    assert file.history.first().history_user == operator


def test_a_payment_request_needs_the_end_of_works(territory, operator) -> None:
    file = _file(territory, status=S.WORKS, filed_on=D(2025, 2, 1), decided_on=D(2025, 3, 1))
    with pytest.raises(HousingFileError, match="date de fin des travaux"):
        services.change_status(file=file, to=S.PAYMENT_REQUESTED, by=operator, on=D(2025, 9, 1))


def test_an_abandon_needs_a_reason_and_records_the_end(territory, operator) -> None:
    file = _file(territory, status=S.VISIT)
    with pytest.raises(HousingFileError, match="motif de l'abandon"):
        services.change_status(file=file, to=S.ABANDONED, by=operator, on=D(2025, 3, 1))
    file = services.change_status(
        file=file, to=S.ABANDONED, by=operator, on=D(2025, 3, 1), comment="Vente du bien"
    )
    assert (file.status, file.ended_on, file.end_reason) == (S.ABANDONED, D(2025, 3, 1), "Vente du bien")


def test_a_file_lapses_only_once_the_works_deadline_has_passed(territory, operator) -> None:
    file = _file(
        territory,
        status=S.APPROVED,
        first_contact_on=D(2021, 9, 1),
        filed_on=D(2022, 1, 10),
        decided_on=D(2022, 3, 1),
    )
    with pytest.raises(HousingFileError, match=r"échéance le 01/03/2025"):
        services.change_status(file=file, to=S.LAPSED, by=operator, on=D(2025, 3, 1))
    file = services.change_status(file=file, to=S.LAPSED, by=operator, on=D(2025, 3, 2))
    assert (file.status, file.ended_on) == (S.LAPSED, D(2025, 3, 2))
    assert "01/03/2025" in file.end_reason


# --- Decisions -----------------------------------------------------------------------------------------------


def test_an_express_rejection_records_the_decision_date(territory, operator) -> None:
    file = _file(territory, status=S.FILED, filed_on=D(2025, 3, 1))
    file = services.change_status(file=file, to=S.REJECTED, by=operator, on=D(2025, 5, 2))
    assert (file.decided_on, file.rejection_kind) == (D(2025, 5, 2), RejectionKind.EXPRESS)


def test_an_implicit_rejection_arises_four_months_after_the_receipt_not_before(territory, operator) -> None:
    file = _file(territory, status=S.FILED, filed_on=D(2026, 3, 2), receipt_on=D(2026, 3, 5))
    with pytest.raises(HousingFileError, match="Pas de rejet implicite avant le 05/07/2026"):
        services.change_status(
            file=file, to=S.REJECTED, by=operator, on=D(2026, 7, 4), rejection_kind=RejectionKind.IMPLICIT
        )
    file = services.change_status(
        file=file, to=S.REJECTED, by=operator, on=D(2026, 7, 20), rejection_kind=RejectionKind.IMPLICIT
    )
    assert (file.decided_on, file.rejection_kind) == (D(2026, 7, 5), RejectionKind.IMPLICIT)


# --- Filing: the category and the aid version kept -----------------------------------------------------------


def _ready(territory, **fields) -> HousingFile:
    return _file(territory, status=S.WORKS_PROGRAMME, **fields)


def test_filing_needs_the_household_income(territory, operator) -> None:
    file = _ready(territory, reference_income=None)
    with pytest.raises(HousingFileError, match="revenu fiscal de référence"):
        services.change_status(file=file, to=S.FILED, by=operator, on=D(2025, 4, 1))
    file.refresh_from_db()
    assert file.status == S.WORKS_PROGRAMME


def test_filing_computes_the_category_from_the_filing_years_table_and_keeps_it(territory, operator) -> None:
    # 2025, one person, outside Île-de-France: very modest up to 17 173 €, modest up to 22 015 €.
    file = _ready(territory, reference_income=Decimal(17173))
    file = services.change_status(file=file, to=S.FILED, by=operator, on=D(2025, 4, 1))
    assert (file.income_category, file.category_source, file.ceiling_year) == (
        IncomeCategory.VERY_MODEST,
        CategorySource.COMPUTED,
        2025,
    )
    # Next year's table (lower ceilings) and a new income change nothing on the filed file.
    IncomeCeilingFactory(year=2026, category=IncomeCategory.VERY_MODEST, one_person=Decimal(10000))
    IncomeCeilingFactory(year=2026, category=IncomeCategory.MODEST, one_person=Decimal(12000))
    file = services.update_file(
        file=file, expected_version=file.version, changes={"reference_income": Decimal(30000)}, by=operator
    )
    file.refresh_from_db()
    assert (file.income_category, file.ceiling_year) == (IncomeCategory.VERY_MODEST, 2025)


def test_filing_just_above_a_ceiling_gives_the_next_category(territory, operator) -> None:
    file = _ready(territory, reference_income=Decimal("17173.01"))
    file = services.change_status(file=file, to=S.FILED, by=operator, on=D(2025, 4, 1))
    assert file.income_category == IncomeCategory.MODEST


def test_filing_in_a_year_without_its_table_asks_for_the_category_of_the_anah_decision(
    territory, operator
) -> None:
    file = _ready(territory)
    with pytest.raises(HousingFileError, match="barème Anah 2027.*n'est pas chargé.*décision de l'Anah"):
        services.change_status(file=file, to=S.FILED, by=operator, on=D(2027, 2, 1))
    file = services.change_status(
        file=file, to=S.FILED, by=operator, on=D(2027, 2, 1), declared_category=IncomeCategory.MODEST
    )
    assert (file.income_category, file.category_source, file.ceiling_year) == (
        IncomeCategory.MODEST,
        CategorySource.DECLARED,
        None,
    )


def test_filing_keeps_the_aid_version_in_force_on_the_filing_day(territory, operator) -> None:
    file = _ready(territory, france_renov_appointment_on=D(2026, 3, 1))
    IncomeCeilingFactory(year=2026, category=IncomeCategory.VERY_MODEST)
    IncomeCeilingFactory(year=2026, category=IncomeCategory.MODEST, one_person=Decimal(25000))
    file = services.change_status(
        file=file, to=S.FILED, by=operator, on=D(2026, 3, 10), scheme_code="mpr-parcours-accompagne"
    )
    expected = AidScheme.objects.get(code="mpr-parcours-accompagne", valid_from=D(2026, 2, 23))
    assert file.scheme == expected
    assert (file.income_category, file.ceiling_year) == (IncomeCategory.VERY_MODEST, 2026)


def test_filing_under_a_suspended_aid_is_refused(territory, operator) -> None:
    # MaPrimeRénov' parcours accompagné: suspended from 1 January to 22 February 2026.
    file = _ready(territory)
    with pytest.raises(HousingFileError, match="Aucune version de l'aide .* le 15/01/2026"):
        services.change_status(
            file=file,
            to=S.FILED,
            by=operator,
            on=D(2026, 1, 15),
            scheme_code="mpr-parcours-accompagne",
            declared_category=IncomeCategory.MODEST,
        )


def test_filing_a_parcours_accompagne_needs_the_france_renov_appointment_first(territory, operator) -> None:
    file = _ready(territory)
    with pytest.raises(HousingFileError, match="rendez-vous France Rénov' est obligatoire"):
        services.change_status(
            file=file,
            to=S.FILED,
            by=operator,
            on=D(2026, 3, 10),
            scheme_code="mpr-parcours-accompagne",
            declared_category=IncomeCategory.MODEST,
        )


def test_an_extension_of_the_works_deadline_above_the_maximum_is_refused(territory, operator) -> None:
    file = _file(territory, status=S.APPROVED, filed_on=D(2025, 2, 1), decided_on=D(2025, 4, 1))
    with pytest.raises(HousingFileError, match="limitée à 36 mois.*48 mois demandés"):
        services.update_file(
            file=file, expected_version=file.version, changes={"works_extension_months": 48}, by=operator
        )
    file = services.update_file(
        file=file, expected_version=file.version, changes={"works_extension_months": 36}, by=operator
    )
    assert file.works_extension_months == 36
