"""Exports of the action plan: every column of the list, in XLSX (typed cells: dates as dates, amounts and
percentages as numbers) and CSV (UTF-8 with BOM, « ; », French number and date formats, as French Excel
expects).

The rows are those the page shows the user (same selector, same filters and sorting). Text never becomes a
formula: typed as text in XLSX, prefixed with « ' » in CSV when it starts with = + - @ (OWASP CSV injection).
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from operations.models import Operation

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
EUROS_FORMAT = '#,##0.00\\ "€"'
PERCENT_FORMAT = "0.0%"

Cell = str | int | Decimal | datetime.date | None


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Operation], Cell]
    width: int = 20
    kind: str = "text"  # text, euros, percent, date, integer


def _names(items: Iterable[object]) -> str:
    return ", ".join(getattr(item, "name", str(item)) for item in items)


def _person(person: object | None) -> str:
    if person is None:
        return ""
    return getattr(person, "full_name", "") or str(person)


def _yes_no(value: bool) -> str:
    return "Oui" if value else "Non"


COLUMNS = [
    Column("Numéro", lambda o: o.code, 10),
    Column("Intitulé", lambda o: o.title, 50),
    Column("Communes", lambda o: _names(o.communes.all()), 30),
    Column("Maître d'ouvrage", lambda o: o.owner.name, 32),
    Column("Axe du projet", lambda o: o.axis.title if o.axis else "", 40),
    Column("Objectif opérationnel", lambda o: o.objective.title if o.objective else "", 40),
    Column("Thèmes", lambda o: _names(o.themes.all()), 36),
    Column("Dans le périmètre ORT", lambda o: _yes_no(o.in_ort), 12),
    Column("Secteur ORT", lambda o: o.ort_sector, 24),
    Column("Statut", lambda o: o.get_status_display(), 22),
    Column("Priorité", lambda o: o.get_priority_display(), 14),
    Column("Maturité", lambda o: o.get_maturity_display(), 18),
    Column("Avancement", lambda o: o.progress, 12, "percent"),
    Column("En retard", lambda o: _yes_no(o.is_late), 10),
    Column("Début prévu", lambda o: o.planned_start, 12, "date"),
    Column("Fin prévue", lambda o: o.planned_end, 12, "date"),
    Column("Fin prévisionnelle", lambda o: o.forecast_end, 12, "date"),
    Column("Coût estimé (€ HT)", lambda o: o.estimated_cost_ht, 18, "euros"),
    Column("Coût estimé (€ TTC)", lambda o: o.estimated_cost_ttc, 18, "euros"),
    Column("Partenaires", lambda o: _names(o.partners.all()), 40),
    Column("Élu(e) référent(e)", lambda o: _person(o.elected_in_charge), 24),
    Column("Technicien(ne) en charge", lambda o: _person(o.technician_in_charge), 24),
    Column("Description", lambda o: o.description, 60),
    Column("Objectifs", lambda o: o.objectives, 50),
    Column("Résultats attendus", lambda o: o.expected_results, 50),
]
HEADERS = [column.header for column in COLUMNS]


def operations_xlsx(operations: Iterable[Operation]) -> bytes:
    """One sheet « Plan d'actions »: bold frozen headers, an autofilter, typed cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan d'actions"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row, operation in enumerate(operations, start=2):
        for index, column in enumerate(COLUMNS, start=1):
            value = column.value(operation)
            if value is None or value == "":
                continue
            cell = sheet.cell(row=row, column=index)
            if column.kind == "text":
                cell.value = str(value)
                cell.data_type = "s"  # text, never a formula
            else:
                cell.value = value
                if column.kind == "euros":
                    cell.number_format = EUROS_FORMAT
                elif column.kind == "percent":
                    cell.number_format = PERCENT_FORMAT
                elif column.kind == "date":
                    cell.number_format = DATE_FORMAT
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe(value: str) -> str:
    """A text cell starting with = + - @ (or a control character) is run as a formula: neutralise it."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _csv_cell(column: Column, value: Cell) -> str:
    if value is None or value == "":
        return ""
    if column.kind == "euros":
        return f"{value:.2f}".replace(".", ",")
    if column.kind == "percent":  # a fraction, written as a percentage number: 0.425 -> 42,5
        return f"{Decimal(value) * 100:.1f}".replace(".", ",")
    if column.kind == "date":
        return value.strftime("%d/%m/%Y")  # type: ignore[union-attr]
    return _safe(str(value))


def operations_csv(operations: Iterable[Operation]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([h if h != "Avancement" else "Avancement (%)" for h in HEADERS])
    for operation in operations:
        writer.writerow([_csv_cell(column, column.value(operation)) for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read the accents as UTF-8
