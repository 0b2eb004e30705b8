"""Import of an existing action plan from a spreadsheet (XLSX): all-or-nothing, with a row-level report.

`operation_import_start` stores the upload as an `OperationImport` and queues `run_operation_import` on
commit; the task calls `operation_import_run`, which reads the first sheet, maps the columns by their French
headers (accents, case and punctuation ignored), validates EVERY row — collecting the errors as (row,
column, message) in French — and creates the operations in one transaction only when no row failed.

Progress: validation (reads only, the long part) saves its progress every `PROGRESS_EVERY` rows, up to
90 %; the creation runs in one transaction, so it shows as 100 % at its commit.
"""

import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from operations.models import (
    ImportStatus,
    Operation,
    OperationImport,
    OperationPriority,
    OperationStatus,
)
from partners.models import Organisation, OrganisationKind, Theme
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.models import StatusChange
from pvd.money import round_cents

PROGRESS_EVERY = 20
MAX_ROWS = 2000
MAX_ERRORS = 500  # beyond, the report says how many more
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def normalise(text: object) -> str:
    """« Maître d'ouvrage » → "maitre d ouvrage": no accents, lower case, punctuation as spaces."""
    raw = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", raw.lower()).split())


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header of the template, and the column named in the report
    aliases: tuple[str, ...]
    required: bool = False


COLUMNS = [
    Column("code", "Numéro", ("numero", "code", "n", "no", "n fiche", "numero de fiche", "code fiche"), True),
    Column("title", "Intitulé", ("intitule", "titre", "intitule de l operation", "operation"), True),
    Column("communes", "Commune(s)", ("commune", "communes", "commune s", "code insee"), True),
    Column("themes", "Thème(s)", ("theme", "themes", "theme s", "thematique", "thematiques")),
    Column("owner", "Maître d'ouvrage", ("maitre d ouvrage", "maitrise d ouvrage", "mo", "moa"), True),
    Column("status", "Statut", ("statut", "etat", "avancement")),
    Column(
        "cost_ht", "Coût HT", ("cout ht", "cout estime ht", "montant ht", "cout ht eur", "cout estime eur ht")
    ),
    Column("cost_ttc", "Coût TTC", ("cout ttc", "cout estime ttc", "montant ttc", "cout ttc eur")),
    Column("in_ort", "Périmètre ORT", ("perimetre ort", "ort", "dans le perimetre ort", "en ort")),
    Column("priority", "Priorité", ("priorite",)),
]
LABELS = {c.key: c.label for c in COLUMNS}

STATUS_WORDS = {
    **{normalise(label): value for value, label in OperationStatus.choices},
    **{value: value for value in OperationStatus.values},
    "idee": "idea",
    "en maturation": "idea",
    "prete": "mature",
    "mature": "mature",
    "engagee": "committed",
    "travaux": "works",
    "en cours": "works",
    "en travaux": "works",
    "livree": "delivered",
    "achevee": "delivered",
    "soldee": "closed",
    "suspendue": "suspended",
    "abandonnee": "abandoned",
}
PRIORITY_WORDS = {
    **{normalise(label): value for value, label in OperationPriority.choices},
    **{str(value): value for value in OperationPriority.values},
    "haute": OperationPriority.HIGH,
    "moyenne": OperationPriority.MEDIUM,
    "basse": OperationPriority.LOW,
}
YES = {"oui", "o", "x", "vrai", "yes", "1"}
NO = {"non", "n", "faux", "no", "0", ""}


class ImportFileError(Exception):
    """The file cannot be read at all (not an XLSX, no header row…); str(error) is shown as is."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedRow:
    row: int
    values: dict[str, object] = field(default_factory=dict)


# --- Reading -------------------------------------------------------------------------------------------


def read_rows(content: bytes) -> tuple[dict[str, int], list[tuple[int, tuple[object, ...]]]]:
    """The column map (key → index) from the header row, and the non-empty data rows with their number."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (zip, XML, key errors) for a bad file
        raise ImportFileError("Le fichier n'est pas un classeur Excel (.xlsx) lisible.") from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFileError("La première feuille du classeur est vide.")
        columns: dict[str, int] = {}
        aliases = {alias: column.key for column in COLUMNS for alias in column.aliases}
        for index, name in enumerate(header):
            key = aliases.get(normalise(name))
            if key and key not in columns:
                columns[key] = index
        data = []
        for number, values in enumerate(rows, start=2):
            if any(v not in (None, "") and str(v).strip() for v in values):
                data.append((number, tuple(values)))
                if len(data) > MAX_ROWS:
                    raise ImportFileError(f"Le fichier dépasse {MAX_ROWS} lignes : découpez-le.")
        return columns, data
    finally:
        workbook.close()


# --- Validation ----------------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_amount(value: object) -> Decimal | None:
    """A cell's amount: a number, or a text such as « 1 234 567,89 € »; None when empty. ValueError else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError  # noqa: TRY004 - callers report any unreadable cell as ValueError
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        cleaned = re.sub(r"[\s\u00a0\u202f€]|eur|ht|ttc", "", str(value).lower())
        if "," in cleaned:
            cleaned = cleaned.replace(".", "").replace(",", ".")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation as error:
            raise ValueError from error
    if not amount.is_finite():
        raise ValueError
    return round_cents(amount)


@dataclass
class Lookups:
    """What cells are matched against, loaded once per import (a bounded set: the programme's territory)."""

    communes: dict[str, Organisation]
    themes: dict[str, Theme]
    owners: dict[str, list[Organisation]]
    existing_codes: set[str]

    @classmethod
    def for_programme(cls, programme: Programme) -> "Lookups":
        communes: dict[str, Organisation] = {}
        for commune in programme.communes.all():
            communes[normalise(commune.name)] = commune
            communes[commune.insee_code] = commune
            for former in commune.former_insee_codes or []:
                communes.setdefault(former, commune)
        themes: dict[str, Theme] = {}
        for theme in Theme.objects.all():
            themes[normalise(theme.name)] = theme
            themes[normalise(theme.code)] = theme
        owners: dict[str, list[Organisation]] = {}
        candidates = Organisation.objects.filter(
            ~Q(kind__in=[OrganisationKind.COMMUNE, OrganisationKind.EPCI])
            | Q(pk=programme.epci_id)
            | Q(kind=OrganisationKind.COMMUNE, epci_id=programme.epci_id)
        ).only("pk", "name", "kind", "insee_code", "siren")
        for org in candidates:
            for key in {normalise(org.name), org.insee_code or "", org.siren or ""} - {""}:
                owners.setdefault(key, []).append(org)
        codes = {
            normalise(c) for c in Operation.objects.filter(programme=programme).values_list("code", flat=True)
        }
        return cls(communes, themes, owners, codes)


def validate_row(
    number: int,
    cells: tuple[object, ...],
    columns: dict[str, int],
    lookups: Lookups,
    seen_codes: dict[str, int],
) -> tuple[ParsedRow, list[RowError]]:
    def cell(key: str) -> object:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    parsed, errors = ParsedRow(number), []

    def error(key: str, message: str) -> None:
        errors.append(RowError(number, LABELS[key], message))

    code = _text(cell("code"))
    if not code:
        error("code", "Le numéro de la fiche-action est obligatoire.")
    elif len(code) > Operation._meta.get_field("code").max_length:
        error("code", "Le numéro dépasse 20 caractères.")
    elif normalise(code) in seen_codes:
        error(
            "code", f"Le numéro « {code} » figure déjà à la ligne {seen_codes[normalise(code)]} du fichier."
        )
    elif normalise(code) in lookups.existing_codes:
        error("code", f"Le numéro « {code} » existe déjà dans le programme.")
    if code:
        seen_codes.setdefault(normalise(code), number)
    parsed.values["code"] = code

    title = _text(cell("title"))
    if not title:
        error("title", "L'intitulé est obligatoire.")
    elif len(title) > Operation._meta.get_field("title").max_length:
        error("title", "L'intitulé dépasse 250 caractères.")
    parsed.values["title"] = title

    communes = []
    names = [n.strip() for n in _text(cell("communes")).split(";") if n.strip()]
    if not names:
        error("communes", "Indiquez au moins une commune (nom ou code INSEE, séparés par « ; »).")
    for name in names:
        commune = lookups.communes.get(name) or lookups.communes.get(normalise(name))
        if commune is None:
            error("communes", f"Commune inconnue dans ce programme : « {name} » (nom ou code INSEE attendu).")
        elif commune not in communes:
            communes.append(commune)
    parsed.values["communes"] = communes

    themes = []
    for name in [n.strip() for n in _text(cell("themes")).split(";") if n.strip()]:
        theme = lookups.themes.get(normalise(name))
        if theme is None:
            error("themes", f"Thème inconnu : « {name} ».")
        elif theme not in themes:
            themes.append(theme)
    parsed.values["themes"] = themes

    owner_name = _text(cell("owner"))
    matches = lookups.owners.get(owner_name) or lookups.owners.get(normalise(owner_name), [])
    if not owner_name:
        error("owner", "Le maître d'ouvrage est obligatoire.")
    elif not matches:
        error("owner", f"Maître d'ouvrage inconnu : « {owner_name} » (créez-le d'abord dans l'annuaire).")
    elif len(matches) > 1:
        error("owner", f"Plusieurs organismes s'appellent « {owner_name} » : indiquez son SIREN.")
    else:
        parsed.values["owner"] = matches[0]

    status_text = _text(cell("status"))
    status = STATUS_WORDS.get(normalise(status_text)) if status_text else OperationStatus.IDEA
    if status is None:
        labels = ", ".join(label for _, label in OperationStatus.choices)
        error("status", f"Statut inconnu : « {status_text} » (statuts possibles : {labels}).")
    parsed.values["status"] = status

    amounts: dict[str, Decimal | None] = {}
    for key in ("cost_ht", "cost_ttc"):
        try:
            amounts[key] = parse_amount(cell(key))
        except ValueError:
            error(key, f"Montant illisible : « {_text(cell(key))} » (un nombre en euros est attendu).")
            continue
        if amounts[key] is not None and amounts[key] < 0:
            error(key, "Le montant ne peut pas être négatif.")
    ht, ttc = amounts.get("cost_ht"), amounts.get("cost_ttc")
    if ht is not None and ttc is not None and ttc < ht:
        error("cost_ttc", f"Le coût TTC ({ttc} €) est inférieur au coût HT ({ht} €).")
    parsed.values["estimated_cost_ht"], parsed.values["estimated_cost_ttc"] = ht, ttc

    ort = normalise(_text(cell("in_ort")))
    if ort in YES:
        parsed.values["in_ort"] = True
    elif ort in NO:
        parsed.values["in_ort"] = False
    else:
        error("in_ort", f"Réponse attendue « oui » ou « non », pas « {_text(cell('in_ort'))} ».")

    priority_text = _text(cell("priority"))
    priority = PRIORITY_WORDS.get(normalise(priority_text)) if priority_text else OperationPriority.MEDIUM
    if priority is None:
        labels = ", ".join(label for _, label in OperationPriority.choices)
        error("priority", f"Priorité inconnue : « {priority_text} » (attendu : {labels} ou 1 à 3).")
    parsed.values["priority"] = priority
    return parsed, errors


# --- The job -------------------------------------------------------------------------------------------


def _save_progress(job: OperationImport, progress: int) -> None:
    job.progress = progress
    OperationImport.objects.filter(pk=job.pk).update(progress=progress)


def _create(job: OperationImport, rows: Iterable[ParsedRow], by: User) -> list[str]:
    codes = []
    comment = f"Opération importée du fichier « {job.original_name} »."
    for parsed in rows:
        values = dict(parsed.values)
        communes, themes = values.pop("communes"), values.pop("themes")
        operation = Operation(programme=job.programme, **values)
        operation.full_clean()
        operation._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
        operation.save()
        operation.communes.set(communes)
        if themes:
            operation.themes.set(themes)
        StatusChange.objects.create(obj=operation, source="", target=operation.status, by=by, comment=comment)
        codes.append(operation.code)
    return codes


def operation_import_run(*, job: OperationImport, on_progress: Callable[[int], None] | None = None) -> None:
    """Validate every row, then create all operations in one transaction, or none (status failed + report)."""
    save = on_progress or (lambda p: _save_progress(job, p))
    job.status, job.progress, job.report = ImportStatus.RUNNING, 0, {}
    job.save(update_fields=["status", "progress", "report"])
    errors: list[RowError] = []
    parsed_rows: list[ParsedRow] = []
    try:
        with job.file.open("rb") as handle:
            columns, data = read_rows(handle.read())
        job.total_rows = len(data)
        job.save(update_fields=["total_rows"])
        missing = [c.label for c in COLUMNS if c.required and c.key not in columns]
        for label in missing:
            errors.append(RowError(1, label, "Colonne obligatoire absente de la ligne d'en-tête."))
        if not data and not missing:
            errors.append(RowError(2, "", "Le fichier ne contient aucune opération."))
        if not missing:
            lookups, seen = Lookups.for_programme(job.programme), {}
            for done, (number, cells) in enumerate(data, start=1):
                parsed, row_errors = validate_row(number, cells, columns, lookups, seen)
                parsed_rows.append(parsed)
                errors += row_errors
                if done % PROGRESS_EVERY == 0:
                    save(90 * done // len(data))
        if not errors:
            try:
                with transaction.atomic():
                    codes = _create(job, parsed_rows, job.created_by)
            except ValidationError as error:  # a rule the row checks missed: still nothing imported
                errors.append(RowError(0, "", " ".join(error.messages)))
    except ImportFileError as error:
        errors.append(RowError(0, "", str(error)))
    job.finished_at = timezone.now()
    job.progress = 100
    if errors:
        job.status, job.imported_count = ImportStatus.FAILED, 0
        job.report = {
            "errors": [e.as_dict() for e in errors[:MAX_ERRORS]],
            "error_count": len(errors),
            "rows_with_errors": len({e.row for e in errors}),
        }
    else:
        job.status, job.imported_count = ImportStatus.DONE, len(codes)
        job.report = {"created": codes}
    job.save(update_fields=["status", "progress", "report", "imported_count", "finished_at"])


@transaction.atomic
def operation_import_start(*, programme: Programme, file: UploadedFile, by: User) -> OperationImport:
    """Store the upload and queue the import once this transaction commits."""
    from operations.tasks import run_operation_import  # lazy: tasks import this module

    name = PurePath(file.name or "plan-d-action.xlsx").name
    if not name.lower().endswith(".xlsx"):
        raise ValidationError({"file": "Déposez un classeur Excel au format .xlsx."})
    head = file.read(4)
    file.seek(0)
    if head != b"PK\x03\x04":
        raise ValidationError({"file": "Ce fichier n'est pas un classeur .xlsx valide."})
    job = OperationImport(programme=programme, created_by=by, original_name=name[:255])
    job.file.save(f"{timezone.localdate():%Y%m%d}-{name}", file, save=False)
    job.save()
    run_operation_import.delay_on_commit(job.pk)
    return job


# --- The template --------------------------------------------------------------------------------------


def template_xlsx(programme: Programme) -> bytes:
    """An empty action plan with the expected headers, an example row, and a sheet of accepted values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan d'action"
    sheet.append([c.label for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    communes = list(programme.communes.order_by("name"))
    example_commune = communes[0].name if communes else "Wassy"
    sheet.append(
        [
            "X-01",
            "Exemple : requalification de la place",
            example_commune,
            "Aménagement des espaces publics",
            example_commune,
            "Idée / en maturation",
            100000,
            120000,
            "oui",
            "Importante",
        ]
    )
    for letter, width in zip("ABCDEFGHIJ", [10, 48, 28, 34, 30, 22, 14, 14, 14, 14], strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet("Valeurs acceptées")
    help_sheet.append(["Colonne", "Valeurs acceptées"])
    help_sheet.append(["Numéro", "Unique dans le programme et dans le fichier (ex. W-03). Obligatoire."])
    help_sheet.append(
        [
            "Commune(s)",
            "; ".join(f"{c.name} ({c.insee_code})" for c in communes)
            + " — plusieurs séparées par « ; ». Obligatoire.",
        ]
    )
    help_sheet.append(["Thème(s)", "; ".join(Theme.objects.order_by("order").values_list("name", flat=True))])
    help_sheet.append(["Maître d'ouvrage", "Nom exact (ou SIREN) d'un organisme de l'annuaire. Obligatoire."])
    help_sheet.append(["Statut", "; ".join(label for _, label in OperationStatus.choices)])
    help_sheet.append(["Coût HT / Coût TTC", "Nombres en euros ; le TTC ne peut pas être inférieur au HT."])
    help_sheet.append(["Périmètre ORT", "oui ou non"])
    help_sheet.append(["Priorité", "; ".join(label for _, label in OperationPriority.choices)])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    help_sheet.column_dimensions["A"].width = 22
    help_sheet.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TEMPLATE_FILENAME = "modele-plan-d-action.xlsx"
