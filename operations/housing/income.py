"""The household's Anah income category (DOMAIN.md §3.3, DOMAIN_RULES §1).

The reference tax income (RFR) is compared with the ceilings of the table of a year and a zone (« inférieur ou
égal »). A year or a zone without its table is never guessed: `MissingReferenceData` names the missing table, and
the file then takes the category stated by the Anah decision (B's filing service).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from operations.housing.models import IncomeCategory, IncomeCeiling, Zone
from pvd.errors import MissingReferenceData
from pvd.money import format_euros


@dataclass(frozen=True)
class CategoryResult:
    """The category found, with the ceilings it was compared with (category → ceiling for this household)."""

    category: str
    year: int
    zone: str
    household_size: int
    ceilings: dict[str, Decimal]

    @property
    def label(self) -> str:
        return IncomeCategory(self.category).label


def table_label(year: int, zone: str) -> str:
    """« Le barème Anah 2026 (hors Île-de-France) »."""
    zone_label = "Île-de-France" if zone == Zone.IDF else "hors Île-de-France"
    return f"Le barème Anah {year} ({zone_label})"


def income_category(
    *, reference_income: Decimal, household_size: int, zone: str, year: int
) -> CategoryResult:
    """The Anah category of a household of `household_size` people with this RFR, from the table of `year`."""
    if not isinstance(reference_income, Decimal):
        raise TypeError(f"income_category attend un Decimal, pas {type(reference_income).__name__}")
    if household_size < 1:
        raise ValueError("Un ménage compte au moins une personne.")
    rows = {row.category: row for row in IncomeCeiling.objects.filter(year=year, zone=zone)}
    missing = [c for c in (IncomeCategory.VERY_MODEST, IncomeCategory.MODEST) if c not in rows]
    if missing:
        names = " et ".join(IncomeCategory(c).label.lower() for c in missing)
        raise MissingReferenceData(
            f"{table_label(year, zone)} n'est pas chargé : plafonds des ménages {names} absents "
            "(Administration › Plafonds de ressources Anah)."
        )
    ceilings = {category: row.ceiling_for(household_size) for category, row in rows.items()}

    def result(category: str) -> CategoryResult:
        return CategoryResult(
            category=category, year=year, zone=zone, household_size=household_size, ceilings=ceilings
        )

    if reference_income <= ceilings[IncomeCategory.VERY_MODEST]:
        return result(IncomeCategory.VERY_MODEST)
    if reference_income <= ceilings[IncomeCategory.MODEST]:
        return result(IncomeCategory.MODEST)
    if IncomeCategory.INTERMEDIATE not in ceilings:
        raise MissingReferenceData(
            f"{table_label(year, zone)} n'est pas chargé : le plafond des ménages intermédiaires manque, la "
            f"catégorie d'un revenu de {format_euros(reference_income)} (au-dessus du plafond modeste de "
            f"{format_euros(ceilings[IncomeCategory.MODEST])}) ne peut pas être déterminée "
            "(Administration › Plafonds de ressources Anah)."
        )
    if reference_income <= ceilings[IncomeCategory.INTERMEDIATE]:
        return result(IncomeCategory.INTERMEDIATE)
    return result(IncomeCategory.ABOVE)


def latest_table_year(zone: str) -> int | None:
    """The latest year whose table (at least the very modest ceilings) is loaded for the zone."""
    return (
        IncomeCeiling.objects.filter(zone=zone, category=IncomeCategory.VERY_MODEST)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


# --- Loading a year's table (administration) -------------------------------------------------------------

CSV_COLUMNS = "zone;catégorie;1;2;3;4;5;par personne"
SIZE_FIELDS = ("one_person", "two_people", "three_people", "four_people", "five_people", "per_extra_person")
ZONE_WORDS = {
    "idf": Zone.IDF,
    "île-de-france": Zone.IDF,
    "ile-de-france": Zone.IDF,
    "other": Zone.OTHER,
    "hors île-de-france": Zone.OTHER,
    "hors ile-de-france": Zone.OTHER,
    "hors idf": Zone.OTHER,
}
CATEGORY_WORDS = {
    "very_modest": IncomeCategory.VERY_MODEST,
    "très modestes": IncomeCategory.VERY_MODEST,
    "très modeste": IncomeCategory.VERY_MODEST,
    "tres modestes": IncomeCategory.VERY_MODEST,
    "modest": IncomeCategory.MODEST,
    "modestes": IncomeCategory.MODEST,
    "modeste": IncomeCategory.MODEST,
    "intermediate": IncomeCategory.INTERMEDIATE,
    "intermédiaires": IncomeCategory.INTERMEDIATE,
    "intermédiaire": IncomeCategory.INTERMEDIATE,
    "intermediaires": IncomeCategory.INTERMEDIATE,
}


class CeilingTableError(ValueError):
    """The pasted table is refused; `errors` lists the French messages (one per faulty line)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(" ".join(errors))
        self.errors = errors


def _amount(text: str) -> Decimal:
    cleaned = (
        text.replace("\xa0", "").replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", ".")
    )
    value = Decimal(cleaned)  # raises InvalidOperation
    if not value.is_finite() or value < 0:
        raise ValueError(text)
    return value


def parse_ceiling_table(text: str, *, year: int, source: str) -> list[IncomeCeiling]:
    """Read a pasted table (`zone;catégorie;1;2;3;4;5;par personne`, a header line allowed, French amounts) into
    unsaved ceilings of `year`; every faulty line is reported, nothing is returned half-read."""
    rows: list[IncomeCeiling] = []
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    for number, line in lines:
        cells = [cell.strip() for cell in line.split(";")]
        if cells[0].lower() == "zone":
            continue  # header
        if len(cells) != 8:
            errors.append(f"Ligne {number} : {len(cells)} colonnes au lieu de 8 ({CSV_COLUMNS}).")
            continue
        zone = ZONE_WORDS.get(cells[0].lower())
        category = CATEGORY_WORDS.get(cells[1].lower())
        if zone is None:
            errors.append(
                f"Ligne {number} : zone « {cells[0]} » inconnue (Île-de-France ou hors Île-de-France)."
            )
        if category is None:
            errors.append(
                f"Ligne {number} : catégorie « {cells[1]} » inconnue (très modestes, modestes ou intermédiaires)."
            )
        amounts = []
        for cell in cells[2:]:
            try:
                amounts.append(_amount(cell))
            except (InvalidOperation, ValueError):
                errors.append(
                    f"Ligne {number} : montant « {cell} » illisible (par exemple 17 173 ou 17173,00)."
                )
        if zone is None or category is None or len(amounts) != 6:
            continue
        if (zone, category) in seen:
            errors.append(
                f"Ligne {number} : la zone et la catégorie figurent déjà plus haut dans le tableau."
            )
            continue
        seen.add((zone, category))
        row = IncomeCeiling(
            year=year,
            zone=zone,
            category=category,
            source=source,
            **dict(zip(SIZE_FIELDS, amounts, strict=True)),
        )
        try:
            row.full_clean()
        except ValidationError as error:
            errors.extend(f"Ligne {number} : {message}" for message in error.messages)
            continue
        rows.append(row)
    if not rows and not errors:
        errors.append(f"Aucune ligne de plafonds : collez le tableau au format {CSV_COLUMNS}.")
    if errors:
        raise CeilingTableError(errors)
    return rows


def load_ceiling_table(*, text: str, year: int, source: str, by: object) -> list[IncomeCeiling]:
    """Create the ceilings of a year from a pasted table, all or nothing (one transaction), audited."""
    with transaction.atomic():
        rows = parse_ceiling_table(text, year=year, source=source)
        for row in rows:
            row._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
            row.save()
    return rows
