"""CSV import of measurements (issue 10): all-or-nothing, with every error listed.

The model file (`template_csv`) is UTF-8 with a BOM (Excel opens it with accents), `;`-separated, with the
header `indicateur;commune;date;valeur;source;commentaire`. Reading accepts `;` or `,` (sniffed from the
header line), UTF-8 with or without BOM (Windows-1252 as a fallback: a file saved by a French Excel), dates
`JJ/MM/AAAA` or ISO `AAAA-MM-JJ`, values with a French decimal comma and grouped thousands (`9,8`,
`1 234,5`), the commune as its INSEE code (empty: the programme-wide indicator), the indicator by its exact
name in this programme.

`measurement_import_start` stores the upload as a `MeasurementImport` and queues the Celery task on commit;
`measurement_import_run` validates EVERY row, then saves all of them in one transaction only when none failed.
A row for an (indicator, date) that already has an entered or imported value updates it; computed
indicators and computed measurements are refused. Counts: `imported_count` = measurements created;
`total_rows - imported_count` = measurements updated (all rows are saved when the import succeeds).
"""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from programmes.indicators.models import Indicator, Measurement, MeasurementImport, MeasurementOrigin
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.money import round_cents

HEADER = ["indicateur", "commune", "date", "valeur", "source", "commentaire"]
REQUIRED = ["indicateur", "date", "valeur"]
TEMPLATE_FILENAME = "modele-mesures-indicateurs.csv"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
MAX_ERRORS = 500
MAX_VALUE = Decimal("1e14")  # 16 digits, 2 decimals


class ImportFileError(Exception):
    """The file cannot be read at all; str(error) is shown as is."""


def template_csv() -> bytes:
    """The model file: the header only, UTF-8 with BOM, `;` separator."""
    return ("\ufeff" + ";".join(HEADER) + "\r\n").encode("utf-8")


def _normalise(text: str) -> str:
    raw = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", raw.lower()).split())


def decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                "Le fichier n'est pas un fichier texte lisible (enregistrez-le en CSV UTF-8)."
            ) from error


def read_rows(content: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """The column map (name → index) from the header line and the non-empty data lines with their number."""
    text = decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise ImportFileError("Le fichier est vide : la première ligne doit porter les noms des colonnes.")
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _normalise(name)
        if key in HEADER and key not in columns:
            columns[key] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFileError(
            f"Colonne{'s' if len(missing) > 1 else ''} absente{'s' if len(missing) > 1 else ''} de la première "
            f"ligne : {', '.join(missing)}. En-tête attendu : {';'.join(HEADER)}."
        )
    rows = []
    for values in reader:
        number = reader.line_num
        if any(v.strip() for v in values):
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(f"Le fichier dépasse {MAX_ROWS} lignes : découpez-le.")
    return columns, rows


def parse_date(text: str) -> datetime.date:
    """`31/12/2025`, `31/12/25` is refused; ISO `2025-12-31` accepted. ValueError when unreadable."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if day.year >= 1900:
            return day
    raise ValueError(text)


def parse_value(text: str) -> Decimal:
    """`9,8`, `1 234,5`, `1234.5`, `-2` → Decimal rounded half up to the cent. ValueError when unreadable."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern above already refuses it
        raise ValueError(text) from error
    value = round_cents(value)
    if abs(value) >= MAX_VALUE:
        raise ValueError(text)
    return value


@dataclass
class ParsedRow:
    row: int
    indicator: Indicator
    measured_on: datetime.date
    value: Decimal
    source: str
    comment: str


def _cell(values: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(values):
        return ""
    return values[index].strip()


def validate(
    programme: Programme, columns: dict[str, int], rows: list[tuple[int, list[str]]]
) -> tuple[list[ParsedRow], list[str]]:
    """Every row checked; the parsed rows and the errors (« ligne 4 : date illisible « 31/02/2025 » »)."""
    indicators = {
        (ind.name, ind.commune.insee_code if ind.commune else ""): ind
        for ind in Indicator.objects.filter(programme=programme).select_related("commune")
    }
    names = {name for name, _ in indicators}
    communes = set(programme.communes.values_list("insee_code", flat=True))
    parsed: list[ParsedRow] = []
    errors: list[str] = []
    seen: dict[tuple[int, datetime.date], int] = {}
    for number, values in rows:
        problems = []
        name = _cell(values, columns, "indicateur")
        insee = _cell(values, columns, "commune")
        raw_date = _cell(values, columns, "date")
        raw_value = _cell(values, columns, "valeur")
        source = _cell(values, columns, "source")
        comment = _cell(values, columns, "commentaire")
        indicator = None
        if not name:
            problems.append("indicateur manquant")
        elif insee and insee not in communes:
            problems.append(f"commune « {insee} » hors du programme (code INSEE attendu)")
        elif (name, insee) in indicators:
            indicator = indicators[(name, insee)]
            if indicator.is_computed:
                problems.append(
                    f"l'indicateur « {name} » est calculé par le logiciel : ses mesures ne s'importent pas"
                )
                indicator = None
        elif name in names:
            where = f"la commune « {insee} »" if insee else "tout le programme"
            problems.append(f"l'indicateur « {name} » n'est pas suivi pour {where}")
        else:
            problems.append(f"indicateur « {name} » inconnu dans ce programme")
        measured_on = None
        if not raw_date:
            problems.append("date manquante")
        else:
            try:
                measured_on = parse_date(raw_date)
            except ValueError:
                problems.append(f"date illisible « {raw_date} » (JJ/MM/AAAA attendu)")
        value = None
        if not raw_value:
            problems.append("valeur manquante")
        else:
            try:
                value = parse_value(raw_value)
            except ValueError:
                problems.append(f"valeur illisible « {raw_value} » (nombre attendu, par exemple 9,8)")
        if len(source) > 250:
            problems.append("source trop longue (250 caractères au plus)")
        if len(comment) > 500:
            problems.append("commentaire trop long (500 caractères au plus)")
        if indicator is not None and measured_on is not None:
            key = (indicator.pk, measured_on)
            if key in seen:
                problems.append(f"même indicateur et même date qu'à la ligne {seen[key]}")
            else:
                seen[key] = number
        errors.extend(f"ligne {number} : {problem}" for problem in problems)
        if not problems:
            parsed.append(ParsedRow(number, indicator, measured_on, value, source, comment))  # type: ignore[arg-type]
    # Existing measurements: an entered or imported one is updated, a computed one is not overwritten.
    if parsed:
        existing = {
            (m.indicator_id, m.measured_on): m
            for m in Measurement.objects.filter(
                indicator_id__in={row.indicator.pk for row in parsed},
                measured_on__in={row.measured_on for row in parsed},
            )
        }
        for row in parsed:
            current = existing.get((row.indicator.pk, row.measured_on))
            if current is not None and current.origin == MeasurementOrigin.COMPUTED:
                errors.append(
                    f"ligne {row.row} : la mesure du {row.measured_on:%d/%m/%Y} de « {row.indicator.name} » est "
                    "calculée par le logiciel, elle n'est pas remplacée"
                )
    errors.sort(key=lambda e: int(e.split(" ", 2)[1]))
    return parsed, errors


def _save(job: MeasurementImport, rows: list[ParsedRow]) -> int:
    """Save every row (create or update); returns the number created."""
    by = job.created_by
    existing = {
        (m.indicator_id, m.measured_on): m
        for m in Measurement.objects.select_for_update(of=("self",))
        .order_by()
        .filter(
            indicator_id__in={row.indicator.pk for row in rows},
            measured_on__in={row.measured_on for row in rows},
        )
    }
    created = 0
    for row in rows:
        measurement = existing.get((row.indicator.pk, row.measured_on))
        if measurement is None:
            measurement = Measurement(indicator=row.indicator, measured_on=row.measured_on)
            created += 1
        measurement.value = row.value
        measurement.origin = MeasurementOrigin.IMPORTED
        measurement.source = row.source
        measurement.comment = row.comment
        measurement.source_import = job
        measurement.recorded_by = by
        measurement._history_user = by  # type: ignore[attr-defined]
        measurement.save()
    return created


def measurement_import_run(*, job: MeasurementImport) -> MeasurementImport:
    """Validate the whole file; save all its rows in one transaction, or none and list every error."""
    job.status = MeasurementImport.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        with job.file.open("rb") as handle:
            content = handle.read()
        columns, rows = read_rows(content)
    except ImportFileError as error:
        return _finish(job, status=MeasurementImport.Status.FAILED, errors=[str(error)])
    job.total_rows = len(rows)
    if not rows:
        return _finish(
            job, status=MeasurementImport.Status.FAILED, errors=["Le fichier ne contient aucune mesure."]
        )
    parsed, errors = validate(job.programme, columns, rows)
    if errors:
        return _finish(job, status=MeasurementImport.Status.FAILED, errors=errors[:MAX_ERRORS])
    with transaction.atomic():
        created = _save(job, parsed)
    job.imported_count = created
    return _finish(job, status=MeasurementImport.Status.DONE, errors=[])


def _finish(job: MeasurementImport, *, status: str, errors: list[str]) -> MeasurementImport:
    job.status = status
    job.errors = errors
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "total_rows", "imported_count", "finished_at"])
    return job


def measurement_import_start(*, programme: Programme, file: UploadedFile, by: User) -> MeasurementImport:
    """Store the upload and queue the import once this transaction commits."""
    from programmes.indicators.tasks import run_measurement_import  # lazy: the task imports this module

    name = PurePath(file.name or "mesures.csv").name
    if not name.lower().endswith((".csv", ".txt")):
        raise ValidationError({"file": "Déposez un fichier CSV (.csv)."})
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": "Le fichier dépasse 2 Mo."})
    job = MeasurementImport(programme=programme, created_by=by, original_name=name[:255])
    job.file.save(f"{timezone.localdate():%Y%m%d}-{name}", file, save=False)
    job.save()
    run_measurement_import.delay_on_commit(job.pk)
    return job
