"""XLSX exports of the strategy (documents, stakes, engineering needs): French headers, real dates and
amounts, so the spreadsheet sorts and sums them.

The rows are those the page shows the user (selectors.strategy: scoped by the access policy). Text cells
are written as text: a title starting with « = » never becomes a formula (OWASP CSV/formula injection).
"""

import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from programmes.models import EngineeringNeed, Stake, StrategicDocument

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Format codes are stored locale-neutral; French Excel and LibreOffice show 1 234,56 € and 28/11/2026.
DATE_FORMAT = "DD/MM/YYYY"
EUROS_FORMAT = '#,##0.00\\ "€"'

Cell = str | int | Decimal | datetime.date | None


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[object], Cell]
    width: int = 20


def _names(items: Iterable[object]) -> str:
    return ", ".join(str(item) for item in items)


DOCUMENT_COLUMNS = [
    Column("Titre", lambda d: d.title, 50),
    Column("Nature", lambda d: d.get_kind_display(), 28),
    Column("État", lambda d: d.get_status_display(), 22),
    Column("Auteur", lambda d: d.author.name if d.author else "", 32),
    Column("Année", lambda d: d.year, 8),
    Column("Thèmes", lambda d: _names(d.themes.all()), 40),
    Column("Communes", lambda d: _names(d.communes.all()) or "Tout le programme", 30),
    Column("Fichier", lambda d: "Oui" if d.file else "Non", 10),
    Column("Lien", lambda d: d.url, 40),
    Column("Résumé", lambda d: d.summary, 60),
]

STAKE_COLUMNS = [
    Column("Thème", lambda s: s.theme.name, 32),
    Column("Enjeu", lambda s: s.title, 60),
    Column("Commune", lambda s: s.commune.name if s.commune else "Tout le programme", 24),
    Column("Priorité", lambda s: s.get_priority_display(), 14),
    Column("Description", lambda s: s.description, 60),
    Column("Documents sources", lambda s: _names(s.sources.all()), 60),
]

NEED_COLUMNS = [
    Column("Thème", lambda n: n.theme.name, 32),
    Column("Besoin", lambda n: n.title, 50),
    Column("Commune", lambda n: n.commune.name if n.commune else "Tout le programme", 24),
    Column("Nature", lambda n: n.get_kind_display(), 24),
    Column("Statut", lambda n: n.get_status_display(), 24),
    Column("Coût estimé (€ HT)", lambda n: n.estimated_cost_ht, 18),
    Column("Offre mobilisée", lambda n: n.offer.name if n.offer else "", 40),
    Column("Partenaire", lambda n: n.offer.organisation.name if n.offer else "", 32),
    Column("Sollicité le", lambda n: n.requested_on, 12),
    Column("Réponse le", lambda n: n.answered_on, 12),
    Column("Réponse du partenaire", lambda n: n.partner_answer, 40),
    Column("Démarré le", lambda n: n.started_on, 12),
    Column("Livré le", lambda n: n.delivered_on, 12),
    Column("Contenu de la mission", lambda n: n.scope, 50),
    Column("Livrable attendu", lambda n: n.deliverable, 40),
]


def to_xlsx(title: str, columns: Sequence[Column], objects: Iterable[object]) -> bytes:
    """One sheet: bold frozen headers, an autofilter, dates and amounts as typed cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([column.header for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for obj in objects:
        sheet.append([None] * len(columns))
        row = sheet.max_row
        for index, column in enumerate(columns, start=1):
            value = column.value(obj)
            cell = sheet.cell(row=row, column=index)
            if value is None or value == "":
                continue
            if isinstance(value, Decimal):
                cell.value = value
                cell.number_format = EUROS_FORMAT
            elif isinstance(value, datetime.date):
                cell.value = value
                cell.number_format = DATE_FORMAT
            elif isinstance(value, int):
                cell.value = value
            else:
                cell.value = str(value)
                cell.data_type = "s"  # text, never a formula
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def documents_xlsx(documents: Iterable[StrategicDocument]) -> bytes:
    return to_xlsx("Documents stratégiques", DOCUMENT_COLUMNS, documents)


def stakes_xlsx(stakes: Iterable[Stake]) -> bytes:
    return to_xlsx("Enjeux", STAKE_COLUMNS, stakes)


def needs_xlsx(needs: Iterable[EngineeringNeed]) -> bytes:
    return to_xlsx("Besoins d'ingénierie", NEED_COLUMNS, needs)
