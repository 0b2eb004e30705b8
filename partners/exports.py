"""Contacts for mail merges: the same rows as CSV (UTF-8 with BOM, « ; » as French Excel expects) and XLSX."""

import csv
import io
import re
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

from partners.models import Person

HEADERS = ["Civilité", "Prénom", "Nom", "Fonction", "Organisme", "E-mail", "Téléphone", "Mandat en cours"]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMN_WIDTHS = [10, 18, 22, 36, 44, 34, 18, 60]

# A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection, OWASP). Phone
# numbers such as "+33 3 25 …" are kept as typed.
_PHONE = re.compile(r"^[+\-]?[\d .()/-]+$")


def _safe(value: str) -> str:
    if value and value[0] in "=+-@\t\r" and not _PHONE.match(value):
        return "'" + value
    return value


def contact_rows(people: Iterable[Person]) -> list[list[str]]:
    """One row per contact, in HEADERS order; `current_mandates` must be prefetched (selectors)."""
    rows = []
    for person in people:
        mandates = " ; ".join(mandate.label for mandate in person.current_mandates)  # type: ignore[attr-defined]
        row = [
            person.get_civility_display() if person.civility else "",
            person.first_name,
            person.last_name,
            person.function,
            person.organisation.name,
            person.email,
            person.phone,
            mandates,
        ]
        rows.append(row)
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows([_safe(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read the accents as UTF-8


def to_xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Contacts"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, never a formula (openpyxl reads "=…" as one)
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
