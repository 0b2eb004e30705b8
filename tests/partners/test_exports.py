"""Contacts export for mail merges: exactly the contacts in the user's scope, French headers, accents
that Excel reads (UTF-8 BOM), today's mandates, and no formula smuggled into a spreadsheet."""

import csv
import io

import openpyxl
import pytest

from tests.partners import objects
from tests.partners.factories import PersonFactory

HEADERS = ["Civilité", "Prénom", "Nom", "Fonction", "Organisme", "E-mail", "Téléphone", "Mandat en cours"]


@pytest.fixture
def contacts(territory) -> None:
    """Two contacts in the programme's scope, two outside it."""
    objects.wassy_mayor_mandate(territory)  # Hélène Girard, mayor of Wassy since 28/03/2026
    objects.anah_contact(territory)  # Karim Benali, Anah
    PersonFactory(organisation=territory.other_commune, first_name="Paul", last_name="Joinvillois")
    PersonFactory(organisation=territory.saint_dizier, first_name="Lucie", last_name="Bragarde")


def read_csv(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the accents right
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_has_french_headers_and_exactly_the_contacts_in_scope(
    client_for, manager, contacts
) -> None:
    response = client_for("manager").get("/partenaires/contacts/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-partenaires-')
    assert response["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert rows == [
        HEADERS,
        [
            "",
            "Karim",
            "Benali",
            "Délégation locale de l'Anah",
            "Agence nationale de l'habitat (Anah)",
            "anah@ddt-52.example",
            "",
            "",
        ],
        ["Madame", "Hélène", "Girard", "Maire de Wassy", "Wassy", "maire@wassy.example", "", "Maire (Wassy)"],
    ]


def test_another_territory_exports_only_national_partners_and_its_own_contacts(
    client_for, outsider, contacts
) -> None:
    rows = read_csv(client_for("outsider").get("/partenaires/contacts/export.csv"))
    assert [(row[1], row[2]) for row in rows[1:]] == [("Karim", "Benali"), ("Paul", "Joinvillois")]


def test_xlsx_export_holds_the_same_rows_with_bold_headers(client_for, referent, contacts) -> None:
    response = client_for("referent").get("/partenaires/contacts/export.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADERS
    assert sheet["A1"].font.bold
    assert [row[2] for row in values[1:]] == ["Benali", "Girard"]
    assert values[2][7] == "Maire (Wassy)"


def test_a_value_that_looks_like_a_formula_stays_text(client_for, manager, territory) -> None:
    PersonFactory(organisation=territory.anah, last_name='=HYPERLINK("http://x")', phone="+33 3 53 01 00 01")
    rows = read_csv(client_for("manager").get("/partenaires/contacts/export.csv"))
    assert rows[1][2] == '\'=HYPERLINK("http://x")'
    assert rows[1][6] == "+33 3 53 01 00 01"  # a phone number is kept as typed
    sheet = openpyxl.load_workbook(
        io.BytesIO(client_for("manager").get("/partenaires/contacts/export.xlsx").content)
    ).active
    assert sheet["C2"].data_type == "s"
    assert sheet["C2"].value == '=HYPERLINK("http://x")'
