"""Spreadsheets in the layout a finance department expects: a heading block (who, what, when), bold frozen
headers with a filter, typed cells (amounts as numbers in euros, rates as percentages, dates as dates),
a bold total row computed by a SUM formula, several sheets in one workbook.

Text cells are always written as text, never as a formula (CSV/XLSX injection).
"""

import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Format codes are stored locale-neutral; French Excel and LibreOffice show 1 234,56 €, 20,00 % and 28/11/2026.
DATE_FORMAT = "DD/MM/YYYY"
EUROS_FORMAT = '#,##0.00\\ "€"'
PERCENT_FORMAT = "0.00%"
NUMBER_FORMAT = "#,##0.##"  # a quantity in its own unit (%, m², habitants…), not an amount

Cell = str | int | Decimal | datetime.date | None


@dataclass(frozen=True)
class Column:
    """A column: its header, how to read a row's value, its width; `percent` for fractions (0,2 → 20 %);
    `number` for quantities that are not euros (indicator values); `total` to add a SUM of the column in the total
    row."""

    header: str
    value: Callable[[object], Cell]
    width: int = 18
    percent: bool = False
    total: bool = False
    number: bool = False


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[object]
    heading: Sequence[str] = field(default_factory=list)


def _write(sheet, row: int, column: int, value: Cell, percent: bool = False, number: bool = False) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None or value == "":
        return
    if isinstance(value, bool):
        cell.value = "Oui" if value else "Non"
        cell.data_type = "s"
    elif isinstance(value, Decimal | float):
        cell.value = value
        cell.number_format = PERCENT_FORMAT if percent else NUMBER_FORMAT if number else EUROS_FORMAT
    elif isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, int):
        cell.value = value
    else:
        cell.value = str(value)
        cell.data_type = "s"  # text, never a formula


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The workbook of `sheets`, as bytes ready to send."""
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        for line in spec.heading:
            sheet.append([line])
            sheet.cell(row=sheet.max_row, column=1).data_type = "s"
        sheet.cell(row=1, column=1).font = Font(bold=True, size=12) if spec.heading else Font()
        header_row = len(spec.heading) + 2 if spec.heading else 1  # a blank line under the heading
        for index, column in enumerate(spec.columns, start=1):
            cell = sheet.cell(row=header_row, column=index, value=column.header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        row = header_row
        for obj in spec.rows:
            row += 1
            for index, column in enumerate(spec.columns, start=1):
                _write(sheet, row, index, column.value(obj), column.percent, column.number)
        if any(column.total for column in spec.columns):
            total_row = row + 1
            label = sheet.cell(row=total_row, column=1, value="Total")
            label.font = Font(bold=True)
            for index, column in enumerate(spec.columns, start=1):
                if column.total:
                    letter = get_column_letter(index)
                    cell = sheet.cell(row=total_row, column=index)
                    cell.value = f"=SUM({letter}{header_row + 1}:{letter}{max(row, header_row + 1)})"
                    cell.number_format = EUROS_FORMAT
                    cell.font = Font(bold=True)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        if row > header_row:
            sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(spec.columns))}{row}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
