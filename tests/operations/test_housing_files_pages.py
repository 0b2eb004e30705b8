"""Household files' pages: the list's filters and counts, a file's page (logged), its create, edit (stale
version refused) and status change, the named export (logged per file) and the query budgets."""

import datetime
import io
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from operations.housing.models import AccessAction, FileStatus, IncomeCategory, OwnerType
from operations.models import HousingFile, HousingFileAccess
from tests.operations.housing_factories import HousingFileFactory
from tests.operations.housing_rows import housing_rows

D = datetime.date
S = FileStatus

pytestmark = pytest.mark.django_db


def _file(territory, **fields) -> HousingFile:
    values = {"housing_programme": territory.opah_ru, "commune": territory.saint_dizier}
    return HousingFileFactory(**(values | fields))


def _list(client, territory, **params) -> str:
    response = client.get(reverse("operations:housing_files", args=[territory.opah_ru.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


# --- The list -------------------------------------------------------------------------------------------------


def test_the_list_filters_by_status_commune_owner_category_theme_year_and_text(territory, client_for) -> None:
    territory.opah_ru.communes.add(territory.wassy)
    a = _file(
        territory,
        reference="OPAHRU-2026-001",
        applicant_name="Famille Durand",
        status=S.FILED,
        first_contact_on=D(2026, 1, 5),
        filed_on=D(2026, 3, 2),
        income_category=IncomeCategory.VERY_MODEST,
    )
    b = _file(
        territory,
        reference="OPAHRU-2025-004",
        applicant_name="M. Petit",
        commune=territory.wassy,
        owner_type=OwnerType.LANDLORD,
        theme_energy=False,
        theme_indigne=True,
        status=S.CONTACT,
    )
    client = client_for("operator")
    assert "OPAHRU-2026-001" in _list(client, territory) and "OPAHRU-2025-004" in _list(client, territory)
    for params, shown, hidden in [
        ({"statut": "filed"}, a, b),
        ({"commune": territory.wassy.pk}, b, a),
        ({"demandeur": "landlord"}, b, a),
        ({"categorie": "very_modest"}, a, b),
        ({"theme": "indigne"}, b, a),
        ({"annee": "2026"}, a, b),
        ({"q": "durand"}, a, b),
        ({"q": "2025-004"}, b, a),
    ]:
        html = _list(client, territory, **params)
        assert shown.reference in html and hidden.reference not in html, params


def test_the_list_counts_files_by_status_and_links_to_the_export_with_the_filters(
    territory, client_for
) -> None:
    _file(territory, status=S.VISIT)
    _file(territory, status=S.VISIT)
    _file(territory, status=S.CLOSED)
    html = _list(client_for("operator"), territory, statut="visit")
    assert '<a href="?statut=visit">Visite</a> : <strong>2</strong>' in html
    assert "(3 au total)" in html
    assert reverse("operations:housing_files_xlsx", args=[territory.opah_ru.pk]) + "?statut=visit" in html


def test_the_list_paginates(territory, client_for) -> None:
    HousingFileFactory.create_batch(55, housing_programme=territory.opah_ru, commune=territory.saint_dizier)
    html = _list(client_for("operator"), territory)
    assert "Page 1 sur 2" in html
    prefix = reverse("operations:housing_file_detail", args=[1]).removesuffix("1/")
    assert html.count(f'href="{prefix}') == 50


def test_the_list_costs_the_same_queries_at_1x_and_10x(territory, client_for) -> None:
    client = client_for("operator")
    url = reverse("operations:housing_files", args=[territory.opah_ru.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"statut": "contact"}).status_code == 200
        return len(ctx.captured_queries)

    _file(territory, status=S.CONTACT, filed_on=None)
    count()  # warms the caches (content types, session)
    once = count()
    HousingFileFactory.create_batch(9, housing_programme=territory.opah_ru, commune=territory.saint_dizier)
    assert count() == once


def test_the_kanban_page_costs_the_same_queries_at_1x_and_10x(territory, client_for) -> None:
    client = client_for("operator")
    url = reverse("operations:housing_kanban", args=[territory.opah_ru.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _file(territory, status=S.FILED, first_contact_on=D(2026, 1, 5), filed_on=D(2026, 3, 2))
    count()  # warms the caches (content types, session)
    once = count()
    HousingFileFactory.create_batch(
        9,
        housing_programme=territory.opah_ru,
        commune=territory.saint_dizier,
        status=S.FILED,
        first_contact_on=D(2026, 1, 5),
        filed_on=D(2026, 3, 2),
    )
    assert count() == once


def test_aggregate_readers_get_403_on_the_list(territory, client_for) -> None:
    wassy = housing_rows(territory).wassy.housing_programme
    assert client_for("referent").get(reverse("operations:housing_files", args=[wassy.pk])).status_code == 403
    assert client_for("manager").get(reverse("operations:housing_files", args=[wassy.pk])).status_code == 200


# --- A file's page --------------------------------------------------------------------------------------------


def test_opening_a_file_logs_the_access(territory, client_for, operator) -> None:
    file = _file(territory, applicant_name="Famille Lemoine")
    response = client_for("operator").get(reverse("operations:housing_file_detail", args=[file.pk]))
    assert response.status_code == 200
    assert "Famille Lemoine" in response.content.decode()
    assert list(HousingFileAccess.objects.values_list("file_id", "user_id", "action")) == [
        (file.pk, operator.pk, AccessAction.VIEW)
    ]


def test_a_file_out_of_scope_is_404_and_not_logged(territory, client_for) -> None:
    file = _file(territory)
    assert (
        client_for("manager").get(reverse("operations:housing_file_detail", args=[file.pk])).status_code
        == 404
    )
    assert not HousingFileAccess.objects.exists()


def test_the_file_page_shows_energy_works_category_deadlines_and_transitions(territory, client_for) -> None:
    file = _file(
        territory,
        status=S.FILED,
        first_contact_on=D(2026, 1, 5),
        filed_on=D(2026, 3, 2),
        receipt_on=D(2026, 3, 5),
        label_before="G",
        label_after="D",
        consumption_before=Decimal(400),
        consumption_after=Decimal(180),
        works_amount_ht=Decimal(25000),
        works_amount_ttc=Decimal(26375),
        income_category=IncomeCategory.MODEST,
        category_source="computed",
        ceiling_year=2026,
    )
    html = (
        client_for("operator").get(reverse("operations:housing_file_detail", args=[file.pk])).content.decode()
    )
    assert "G → D (3 classes gagnées)" in html
    assert "55,00\xa0%" in html  # (400 − 180) / 400
    assert "25\xa0000,00\xa0€" in html and "26\xa0375,00\xa0€" in html
    assert "Conservée au dépôt" in html and "(barème 2026)" in html
    assert "05/07/2026" in html  # implicit rejection
    assert "Agréé / engagé" in html and "Rejeté" in html  # the allowed transitions


def test_before_filing_the_page_shows_a_provisional_category_from_the_latest_table(
    territory, client_for
) -> None:
    file = _file(territory, reference_income=Decimal(20000), household_size=1)
    html = (
        client_for("operator").get(reverse("operations:housing_file_detail", args=[file.pk])).content.decode()
    )
    assert "Modestes (jaune)" in html and "Provisoire" in html and "barème 2025" in html


# --- Create, edit, status -------------------------------------------------------------------------------------


def test_the_operator_creates_a_file_with_its_reference(territory, client_for) -> None:
    response = client_for("operator").post(
        reverse("operations:housing_file_create", args=[territory.opah_ru.pk]),
        {
            "contact_channel": "phone",
            "owner_type": "occupier",
            "applicant_name": "Mme Roux",
            "household_size": 2,
            "zone": "other",
            "address": "8 rue Gambetta",
            "commune": territory.saint_dizier.pk,
            "in_perimeter": "on",
            "dwellings": 1,
            "theme_energy": "on",
            "first_contact_on": "2026-04-14",
        },
    )
    file = HousingFile.objects.get(applicant_name="Mme Roux")
    assert response.status_code == 302 and response["Location"] == reverse(
        "operations:housing_file_detail", args=[file.pk]
    )
    assert file.reference == "OPAHRU-2026-001"


def test_an_edit_from_a_stale_version_is_refused_with_a_french_message(
    territory, client_for, manager
) -> None:
    file = _file(territory, phone="")
    client = client_for("operator")
    url = reverse("operations:housing_file_edit", args=[file.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(commune=territory.saint_dizier.pk, phone="06 00 00 00 00", version=file.version)
    HousingFile.objects.filter(pk=file.pk).update(version=file.version + 1)
    response = client.post(url, data, follow=True)
    assert "a été modifié" in response.content.decode()
    file.refresh_from_db()
    assert file.phone == ""


def test_the_status_form_moves_the_file_and_refusals_come_back_in_french(territory, client_for) -> None:
    file = _file(territory, status=S.CONTACT, first_contact_on=D(2026, 1, 5))
    client = client_for("operator")
    url = reverse("operations:housing_file_status", args=[file.pk])
    response = client.post(
        url, {"status": "pre_eligibility", "on": "2026-01-20", "version": file.version}, follow=True
    )
    file.refresh_from_db()
    assert file.status == S.PRE_ELIGIBILITY
    assert "Le statut du dossier a été modifié." in response.content.decode()
    response = client.post(
        url, {"status": "abandoned", "on": "2026-02-01", "version": file.version}, follow=True
    )
    assert "Indiquez le motif de l" in response.content.decode()
    file.refresh_from_db()
    assert file.status == S.PRE_ELIGIBILITY


def test_filing_without_the_years_table_is_refused_then_accepted_with_the_declared_category(
    territory, client_for
) -> None:
    file = _file(
        territory, status=S.WORKS_PROGRAMME, first_contact_on=D(2026, 1, 5), reference_income=Decimal(15000)
    )
    client = client_for("operator")
    url = reverse("operations:housing_file_status", args=[file.pk])
    response = client.post(url, {"status": "filed", "on": "2026-03-02", "version": file.version}, follow=True)
    assert "Le barème Anah 2026 (hors Île-de-France) n'est pas chargé" in unescape(response.content.decode())
    client.post(
        url, {"status": "filed", "on": "2026-03-02", "declared_category": "modest", "version": file.version}
    )
    file.refresh_from_db()
    assert (file.status, file.income_category, file.category_source) == (S.FILED, "modest", "declared")


def test_the_status_change_is_post_only(territory, client_for) -> None:
    file = _file(territory)
    assert (
        client_for("operator").get(reverse("operations:housing_file_status", args=[file.pk])).status_code
        == 405
    )


# --- The named export -----------------------------------------------------------------------------------------


def test_the_named_export_lists_the_filtered_files_and_logs_one_access_each(
    territory, client_for, operator
) -> None:
    filed = _file(
        territory,
        status=S.FILED,
        applicant_name="Famille Durand",
        first_contact_on=D(2026, 1, 5),
        filed_on=D(2026, 3, 2),
        works_amount_ht=Decimal("12000.00"),
    )
    _file(territory, status=S.CONTACT, applicant_name="M. Petit")
    response = client_for("operator").get(
        reverse("operations:housing_files_xlsx", args=[territory.opah_ru.pk]), {"statut": "filed"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert filed.reference in values and "Famille Durand" in values and "M. Petit" not in values
    assert Decimal(str(next(v for v in values if v == 12000))) == Decimal(12000)
    assert list(HousingFileAccess.objects.values_list("file_id", "user_id", "action")) == [
        (filed.pk, operator.pk, AccessAction.EXPORT)
    ]


def test_the_export_logs_in_bulk_whatever_the_number_of_files(territory, client_for) -> None:
    client = client_for("operator")
    url = reverse("operations:housing_files_xlsx", args=[territory.opah_ru.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _file(territory)
    count()  # warms the caches (content types, session)
    once = count()
    HousingFileFactory.create_batch(9, housing_programme=territory.opah_ru, commune=territory.saint_dizier)
    assert count() == once
    assert HousingFileAccess.objects.filter(action=AccessAction.EXPORT).count() == 1 + 1 + 10


def test_aggregate_readers_cannot_export_named_files(territory, client_for) -> None:
    wassy = housing_rows(territory).wassy.housing_programme
    assert (
        client_for("partner").get(reverse("operations:housing_files_xlsx", args=[wassy.pk])).status_code
        == 403
    )
