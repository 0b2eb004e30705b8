"""The procedure a consultation requires, from the thresholds in force on its launch date (DOMAIN.md §4.1,
DOMAIN_RULES.md §1), the check of the procedure the buyer chose, and the split-purchase (saucissonnage) warning.

Pure functions over the threshold rows passed in (`load_thresholds` reads them, one query for the whole small
table). A value strictly below a threshold is under it (R2122-8 « inférieure à »); exactly at the threshold is
above. Works are judged by the "works" rows, supplies and services by the "supplies_services" rows, and "all"
rows apply to both. When no row is in force on the date, a MissingThreshold error says which one is missing:
the procedure is never guessed.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from operations.procurement.models import (
    PROCEDURE_STRICTNESS,
    Consultation,
    ConsultationStatus,
    Procedure,
    ProcurementThreshold,
    PublicityLevel,
    PurchaseNature,
    ThresholdKind,
    ThresholdNature,
)
from pvd.errors import DomainError
from pvd.money import format_euros

if TYPE_CHECKING:
    from programmes.models import Programme

# The legal grounds that allow a procedure looser than the thresholds require (CCP R2122-1 to R2122-9, R2124-3).
LEGAL_GROUNDS = [
    ("R2122-1", "R2122-1 — Urgence impérieuse résultant de circonstances imprévisibles"),
    ("R2122-2", "R2122-2 — Appel d'offres infructueux (aucune offre ou offres inappropriées)"),
    ("R2122-3", "R2122-3 — Un seul opérateur possible (exclusivité, raisons techniques ou artistiques)"),
    ("R2122-4", "R2122-4 — Livraisons complémentaires du fournisseur initial"),
    ("R2122-5", "R2122-5 — Matières premières cotées"),
    ("R2122-6", "R2122-6 — Conditions particulièrement avantageuses (liquidation, cessation d'activité)"),
    ("R2122-7", "R2122-7 — Prestations similaires à un marché précédent (prévu dans la mise en concurrence)"),
    ("R2122-9", "R2122-9 — Lots de faible montant (moins de 80 000 € HT / 1 M€ HT et 20 % de la valeur)"),
    (
        "R2123-1",
        "R2123-1 — Procédure adaptée : services sociaux et autres services spécifiques ou petits lots",
    ),
    ("R2124-3", "R2124-3 — Procédure avec négociation (besoins non satisfaits sans adaptation, etc.)"),
    ("other", "Autre fondement (précisez l'article et les circonstances)"),
]

KIND_ORDER = (ThresholdKind.EXEMPTION, ThresholdKind.PUBLICITY, ThresholdKind.EU)


class ProcurementError(DomainError):
    """A procurement rule refused the action (French message)."""


class MissingThreshold(ProcurementError):
    """No threshold row is in force on the date: the administrator must enter it (nothing is guessed)."""


@dataclass(frozen=True)
class ThresholdUsed:
    kind: str
    nature: str
    value_ht: Decimal
    valid_from: datetime.date
    valid_until: datetime.date | None
    legal_reference: str
    reached: bool  # the value is at or above the threshold

    @property
    def kind_label(self) -> str:
        return ThresholdKind(self.kind).label

    @property
    def nature_label(self) -> str:
        return ThresholdNature(self.nature).label

    @property
    def position(self) -> str:
        return "atteint ou dépassé" if self.reached else "en dessous"


@dataclass(frozen=True)
class ProcedureRequirement:
    """What the thresholds in force on `launch_date` require for `value_ht` of that nature."""

    nature: str
    value_ht: Decimal
    launch_date: datetime.date
    procedure: str
    publicity: str
    thresholds: tuple[ThresholdUsed, ...] = field(default_factory=tuple)

    @property
    def procedure_label(self) -> str:
        return Procedure(self.procedure).label

    @property
    def publicity_label(self) -> str:
        return PublicityLevel(self.publicity).label

    @property
    def explanation(self) -> str:
        parts = [
            f"{t.kind_label} : {format_euros(t.value_ht)} HT ({t.legal_reference}) — {t.position}"
            for t in self.thresholds
        ]
        return (
            f"{format_euros(self.value_ht)} HT au {self.launch_date:%d/%m/%Y} : {self.procedure_label}, "
            f"{self.publicity_label.lower()}. Seuils appliqués : {' ; '.join(parts)}."
        )


def load_thresholds() -> list[ProcurementThreshold]:
    """Every threshold row (a small reference table): one query; the pure functions pick by date."""
    return list(ProcurementThreshold.objects.order_by("kind", "nature", "valid_from", "pk"))


def threshold_nature(nature: str) -> str:
    if nature not in PurchaseNature.values:
        raise ProcurementError(f"Nature de marché inconnue : « {nature} ».")
    return ThresholdNature.WORKS if nature == PurchaseNature.WORKS else ThresholdNature.SUPPLIES_SERVICES


def threshold_in_force(
    kind: str, nature: str, day: datetime.date, thresholds: Iterable[ProcurementThreshold]
) -> ProcurementThreshold | None:
    """The row of `kind` for a purchase of `nature` (works, supplies, services) in force on `day`: the
    nature's own row, else an "all" row; the latest start when periods overlap."""
    wanted = threshold_nature(nature)
    in_force = [
        t
        for t in thresholds
        if t.kind == kind
        and t.nature in (wanted, ThresholdNature.ALL)
        and t.valid_from <= day
        and (t.valid_until is None or t.valid_until >= day)
    ]
    own = [t for t in in_force if t.nature == wanted]
    return max(own or in_force, key=lambda t: t.valid_from, default=None)


def _missing_message(kinds: Sequence[str], nature: str, day: datetime.date) -> str:
    names = ", ".join(f"« {ThresholdKind(k).label} »" for k in kinds)
    return (
        f"Aucun seuil en vigueur le {day:%d/%m/%Y} pour les marchés de {PurchaseNature(nature).label.lower()} : "
        f"{names}. La procédure ne peut pas être calculée ; l'administrateur doit saisir ce seuil dans les "
        "données de référence."
    )


def required_procedure(
    nature: str, value_ht: Decimal, launch_date: datetime.date, thresholds: Iterable[ProcurementThreshold]
) -> ProcedureRequirement:
    """The procedure and publicity the thresholds in force on `launch_date` require for `value_ht` € HT.

    Below the exemption threshold: no publicity; from it to the EU threshold: adapted procedure (MAPA), with
    adapted publicity below the publicity threshold and BOAMP/JAL from it; from the EU threshold: formal
    procedure (open call for tenders by default), EU publicity. MissingThreshold when a row is missing."""
    if not isinstance(value_ht, Decimal):
        raise TypeError("required_procedure attend une valeur Decimal")
    if value_ht < 0:
        raise ProcurementError("La valeur estimée ne peut pas être négative.")
    thresholds = list(thresholds)
    rows = {kind: threshold_in_force(kind, nature, launch_date, thresholds) for kind in KIND_ORDER}
    missing = [kind for kind, row in rows.items() if row is None]
    if missing:
        raise MissingThreshold(_missing_message(missing, nature, launch_date))
    exemption, publicity, eu = (rows[k] for k in KIND_ORDER)
    if value_ht >= eu.value_ht:
        procedure, level = Procedure.OPEN, PublicityLevel.EU
    elif value_ht >= exemption.value_ht:
        procedure = Procedure.ADAPTED
        level = PublicityLevel.BOAMP_JAL if value_ht >= publicity.value_ht else PublicityLevel.ADAPTED
    else:
        procedure, level = Procedure.NO_PUBLICITY, PublicityLevel.NONE
    used = tuple(
        ThresholdUsed(
            kind=row.kind,
            nature=row.nature,
            value_ht=row.value_ht,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            legal_reference=row.legal_reference,
            reached=value_ht >= row.value_ht,
        )
        for row in (exemption, publicity, eu)
    )
    return ProcedureRequirement(nature, value_ht, launch_date, procedure, level, used)


def is_looser(required: str, chosen: str) -> bool:
    return PROCEDURE_STRICTNESS[Procedure(chosen)] < PROCEDURE_STRICTNESS[Procedure(required)]


def chosen_procedure_allowed(required: str, chosen: str, ground: str = "") -> str | None:
    """None when the buyer may run `chosen` where the thresholds require `required`; otherwise the French
    reason of the refusal. A stricter (or equally strict) procedure is always allowed; a looser one only with a
    recorded legal ground (R2122-1 urgence, R2122-2 infructuosité, R2122-3 exclusivité…)."""
    if chosen not in Procedure.values:
        return f"Procédure inconnue : « {chosen} »."
    if not is_looser(required, chosen) or ground.strip():
        return None
    return (
        f"Les seuils imposent au moins « {Procedure(required).label} » : « {Procedure(chosen).label} » est moins "
        "exigeante et n'est possible qu'avec un fondement juridique (par exemple R2122-1 urgence impérieuse, "
        "R2122-2 procédure infructueuse, R2122-3 opérateur unique). Indiquez-le ou choisissez une procédure "
        "au moins aussi exigeante."
    )


# --- Split purchases (saucissonnage) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Purchase:
    """One need counted in the year's total: a consultation (pk) or the one being entered (pk None)."""

    reference: str
    title: str
    estimated_value_ht: Decimal
    launch_date: datetime.date
    pk: int | None = None
    cpv_code: str = ""


@dataclass(frozen=True)
class SplitItem:
    purchase: Purchase
    threshold_ht: Decimal  # the threshold in force on its own launch date


@dataclass(frozen=True)
class SplitPurchaseWarning:
    """The year's similar needs together reach a threshold that some of them, alone, stay below."""

    kind: str
    nature: str
    year: int
    cpv_division: str
    total_ht: Decimal
    purchases: tuple[Purchase, ...]
    below: tuple[SplitItem, ...]

    @property
    def kind_label(self) -> str:
        return ThresholdKind(self.kind).label

    @property
    def message(self) -> str:
        scope = f" (division CPV {self.cpv_division})" if self.cpv_division else ""
        names = ", ".join(
            f"{i.purchase.reference} ({format_euros(i.purchase.estimated_value_ht)} HT, seuil "
            f"{format_euros(i.threshold_ht)} HT)"
            for i in self.below
        )
        return (
            f"Fractionnement possible : les {len(self.purchases)} besoins de "
            f"{PurchaseNature(self.nature).label.lower()}{scope} lancés en {self.year} totalisent "
            f"{format_euros(self.total_ht)} HT et atteignent le seuil « {self.kind_label} », alors que pris "
            f"isolément {names} restent en dessous. La valeur du besoin s'apprécie sur l'ensemble des "
            "prestations homogènes (R2121-1 à R2121-7) : vérifiez la procédure."
        )


def cpv_division(code: str) -> str:
    return code[:2] if code else ""


def split_warnings_among(
    purchases: Iterable[Purchase],
    *,
    nature: str,
    year: int,
    thresholds: Iterable[ProcurementThreshold],
    cpv_code: str = "",
) -> list[SplitPurchaseWarning]:
    """Warnings when the needs of `nature` launched in `year` (same CPV division as `cpv_code` when given)
    together reach a threshold in force that some of them, alone, do not reach. Each need is judged against
    the threshold in force on its own launch date. A need whose threshold is missing is left out of that
    threshold's comparison (the missing threshold is reported on the consultation itself)."""
    division = cpv_division(cpv_code)
    group = [
        p
        for p in purchases
        if p.launch_date.year == year and (not division or cpv_division(p.cpv_code) == division)
    ]
    if len(group) < 2:
        return []
    thresholds = list(thresholds)
    total = sum((p.estimated_value_ht for p in group), Decimal(0))
    warnings = []
    for kind in KIND_ORDER:
        below = []
        for p in group:
            row = threshold_in_force(kind, nature, p.launch_date, thresholds)
            if row is not None and p.estimated_value_ht < row.value_ht <= total:
                below.append(SplitItem(p, row.value_ht))
        if below:
            warnings.append(
                SplitPurchaseWarning(kind, nature, year, division, total, tuple(group), tuple(below))
            )
    return warnings


def split_purchase_warnings(
    programme: "Programme",
    year: int,
    nature: str,
    *,
    cpv_code: str = "",
    candidate: Purchase | None = None,
    thresholds: Iterable[ProcurementThreshold] | None = None,
) -> list[SplitPurchaseWarning]:
    """The split-purchase warnings of the programme's consultations of `nature` launched in `year` (not
    cancelled), plus `candidate` (the consultation being entered or edited: it replaces its saved row).
    Two queries at most (the consultations, the thresholds when not given)."""
    rows = (
        Consultation.objects.filter(programme=programme, nature=nature, launch_date__year=year)
        .exclude(status=ConsultationStatus.CANCELLED)
        .order_by("launch_date", "reference", "pk")
        .values_list("pk", "reference", "title", "estimated_value_ht", "launch_date", "cpv_code")
    )
    purchases = [
        Purchase(reference, title, value, launch, pk, cpv)
        for pk, reference, title, value, launch, cpv in rows
        if candidate is None or candidate.pk != pk
    ]
    if candidate is not None:
        purchases.append(candidate)
    return split_warnings_among(
        purchases,
        nature=nature,
        year=year,
        thresholds=load_thresholds() if thresholds is None else thresholds,
        cpv_code=cpv_code,
    )
