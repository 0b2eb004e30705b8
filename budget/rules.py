"""The legal checks of a financing plan and the net cost to its owner (DOMAIN_RULES.md §2.1–2.4, DOMAIN.md §2.2).

Pure functions: callers pass the plan, its lines and (optionally) the parameter table; nothing here queries
the database except `ParameterTable.load()` when no table is given (one query, every dated value).

Every value comes from the dated reference data in force on the plan's decision day. A check that cannot
be judged (no value in force, no eligible cost) says so with `passed=None`: never a crash, never a silent pass.
Amounts are compared exactly, in Decimal: exactly 20 % and exactly 80 % pass.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from budget.models import (
    OWN_CATEGORIES,
    PUBLIC_GRANT_CATEGORIES,
    FinancingLine,
    FinancingLineStatus,
    FinancingParameter,
    FinancingPlan,
    FundingCategory,
    MissingReferenceData,
    Parameter,
)
from pvd.money import ZERO, format_euros, format_percent

# Lines that count in the plan: envisaged, requested and granted ones; a refused line is out.
COUNTED_STATUSES = frozenset(
    {FinancingLineStatus.ENVISAGED, FinancingLineStatus.REQUESTED, FinancingLineStatus.GRANTED}
)

# The texts each check applies, shown when no dated value (and so no reference of its own) is in force.
DEFAULT_REFERENCES = {
    "balance": "Plan de financement prévisionnel du dossier de demande (décret n° 2018-514 du 25 juin 2018)",
    Parameter.OWN_SHARE_MIN: "CGCT art. L1111-10 III",
    Parameter.OWN_SHARE_MIN_LEAD: "CGCT art. L1111-9 et L1111-10 III",
    Parameter.DOTATION_MIN_RATE: "CGCT art. R2334-27",
    Parameter.DOTATION_MAX_RATE: "CGCT art. R2334-27",
    Parameter.PUBLIC_AID_MAX_RATE: "Décret n° 2018-514 du 25 juin 2018, art. 10",
}


@dataclass(frozen=True)
class Check:
    """One legal check of a plan. `passed`: True, False, or None when it cannot be judged; `derogation` when
    the owner holds a derogation (the check is then shown as such, not failed)."""

    code: str
    title: str
    passed: bool | None
    message: str
    legal_reference: str
    derogation: bool = False

    @property
    def state(self) -> str:
        """ "passed", "failed", "derogation" or "unknown" (the page's icon and badge)."""
        if self.derogation:
            return "derogation"
        if self.passed is None:
            return "unknown"
        return "passed" if self.passed else "failed"

    @property
    def state_label(self) -> str:
        return {
            "passed": "Respecté",
            "failed": "Non respecté",
            "derogation": "Dérogation",
            "unknown": "Non évaluable",
        }[self.state]

    @property
    def icon(self) -> str:
        return {"passed": "✓", "failed": "⚠", "derogation": "✓", "unknown": "?"}[self.state]


class ParameterTable:
    """Every dated FinancingParameter row, loaded once; `row(code, day)` resolves the value in force like
    `FinancingParameter.in_force` (the latest start when periods overlap), without a query per lookup."""

    def __init__(self, rows: Iterable[FinancingParameter]) -> None:
        self._rows: dict[str, list[FinancingParameter]] = {}
        for row in rows:
            self._rows.setdefault(row.code, []).append(row)
        for rows_of_code in self._rows.values():
            rows_of_code.sort(key=lambda r: r.valid_from, reverse=True)

    @classmethod
    def load(cls) -> "ParameterTable":
        return cls(FinancingParameter.objects.all())

    def row(self, code: str, day: datetime.date) -> FinancingParameter:
        for row in self._rows.get(code, []):
            if row.valid_from <= day and (row.valid_until is None or row.valid_until >= day):
                return row
        raise MissingReferenceData(
            f"Aucune valeur de « {Parameter(code).label} » n'est en vigueur le {day:%d/%m/%Y} : "
            "l'administrateur doit la saisir dans les paramètres financiers."
        )

    def value(self, code: str, day: datetime.date) -> Decimal:
        return self.row(code, day).value


def counted(lines: Iterable[FinancingLine]) -> list[FinancingLine]:
    """The lines that count in the plan (not refused)."""
    return [line for line in lines if line.status in COUNTED_STATUSES]


def _sum(lines: Iterable[FinancingLine], field: str = "amount_ht") -> Decimal:
    return sum((getattr(line, field) for line in lines), ZERO)


def _ratio(part: Decimal, whole: Decimal) -> Decimal:
    return part / whole if whole else ZERO


def _line_name(line: FinancingLine) -> str:
    funder = getattr(line, "funder", None)
    name = str(line)
    return f"{name} ({funder.name})" if funder is not None and funder.name not in name else name


# --- The checks --------------------------------------------------------------------------------------------


def _balance(plan: FinancingPlan, lines: Sequence[FinancingLine], suffix: str) -> Check:
    field = f"amount_{suffix.lower()}"
    cost = getattr(plan, f"eligible_cost_{suffix.lower()}")
    total = _sum(lines, field)
    code, title = f"balance_{suffix.lower()}", f"Équilibre du plan ({suffix})"
    reference = DEFAULT_REFERENCES["balance"]
    if not cost:
        return Check(
            code,
            title,
            None,
            f"La dépense éligible {suffix} n'est pas renseignée : l'équilibre du plan ne peut pas être vérifié.",
            reference,
        )
    gap = total - cost
    if gap == 0:
        message = f"Le plan est équilibré : {format_euros(total)} {suffix} de financements pour la dépense éligible."
    elif gap < 0:
        message = (
            f"Le plan n'est pas équilibré : il manque {format_euros(-gap)} {suffix} "
            f"({format_euros(total)} de financements pour {format_euros(cost)} de dépense éligible)."
        )
    else:
        message = (
            f"Le plan n'est pas équilibré : les financements dépassent la dépense de {format_euros(gap)} {suffix} "
            f"({format_euros(total)} pour {format_euros(cost)} de dépense éligible)."
        )
    return Check(code, title, gap == 0, message, reference)


def _own_share(
    plan: FinancingPlan, lines: Sequence[FinancingLine], day: datetime.date, table: ParameterTable
) -> Check:
    code = Parameter.OWN_SHARE_MIN_LEAD if plan.lead_authority else Parameter.OWN_SHARE_MIN
    title = "Participation minimale du maître d'ouvrage" + (" (chef de file)" if plan.lead_authority else "")
    own = _sum(line for line in lines if line.category in OWN_CATEGORIES)
    public = _sum(line for line in lines if line.category in PUBLIC_GRANT_CATEGORIES)
    total_public = own + public
    figures = (
        f"part du maître d'ouvrage {format_euros(own)} HT sur {format_euros(total_public)} HT "
        f"de financements publics ({format_percent(_ratio(own, total_public))}, financements privés exclus)"
    )
    if plan.own_share_derogation:
        return Check(
            code,
            title,
            True,
            f"Dérogation accordée ({plan.get_derogation_ground_display() or 'motif non précisé'}, "
            f"décision : {plan.derogation_reference or 'non précisée'}) : {figures}.",
            " — ".join(filter(None, [DEFAULT_REFERENCES[code], plan.derogation_reference])),
            derogation=True,
        )
    try:
        row = table.row(code, day)
    except MissingReferenceData as error:
        return Check(code, title, None, str(error), DEFAULT_REFERENCES[code])
    if not total_public:
        return Check(
            code,
            title,
            None,
            "Aucun financement public (part du maître d'ouvrage ou subvention) n'est inscrit au plan : "
            "la participation minimale ne peut pas être vérifiée.",
            row.legal_reference,
        )
    minimum = row.value * total_public
    passed = own >= minimum
    if passed:
        message = f"Respectée : {figures} ; minimum {format_percent(row.value)}."
    else:
        message = (
            f"Insuffisante : {figures} ; minimum {format_percent(row.value)}, "
            f"soit {format_euros(minimum)} HT : il manque {format_euros(minimum - own)} HT d'autofinancement. "
            "Sans dérogation du préfet, les subventions doivent être réduites."
        )
    return Check(code, title, passed, message, row.legal_reference)


def _dotations(
    plan: FinancingPlan, lines: Sequence[FinancingLine], day: datetime.date, table: ParameterTable
) -> list[Check]:
    dotations = [line for line in lines if line.category == FundingCategory.STATE_DOTATION]
    if not dotations:
        return []
    checks = []
    code = Parameter.DOTATION_MIN_RATE
    try:
        minimum_row = table.row(code, day)
    except MissingReferenceData as error:
        minimum_row, missing = None, str(error)
    for line in dotations:
        title = f"Taux minimal de la dotation : {_line_name(line)}"
        base = line.base_ht if line.base_ht is not None else plan.eligible_cost_ht
        if minimum_row is None:
            checks.append(Check(code, title, None, missing, DEFAULT_REFERENCES[code]))
            continue
        if not base:
            checks.append(
                Check(
                    code,
                    title,
                    None,
                    "L'assiette éligible de la dotation n'est pas renseignée : son taux ne peut pas être vérifié.",
                    minimum_row.legal_reference,
                )
            )
            continue
        passed = line.amount_ht >= minimum_row.value * base
        figures = (
            f"{format_euros(line.amount_ht)} HT sur une assiette de {format_euros(base)} HT, "
            f"soit {format_percent(_ratio(line.amount_ht, base))} ; minimum {format_percent(minimum_row.value)}"
        )
        message = f"Respecté : {figures}." if passed else f"Taux trop faible : {figures}."
        checks.append(Check(code, title, passed, message, minimum_row.legal_reference))

    code = Parameter.DOTATION_MAX_RATE
    title = "Plafond cumulé des dotations DETR, DSIL, DPV, DSID"
    try:
        maximum_row = table.row(code, day)
    except MissingReferenceData as error:
        checks.append(Check(code, title, None, str(error), DEFAULT_REFERENCES[code]))
        return checks
    cost = plan.eligible_cost_ht
    total = _sum(dotations)
    if not cost:
        checks.append(
            Check(
                code,
                title,
                None,
                "La dépense éligible HT n'est pas renseignée : le plafond des dotations ne peut pas être vérifié.",
                maximum_row.legal_reference,
            )
        )
        return checks
    cap = maximum_row.value * cost
    passed = total <= cap
    figures = (
        f"{format_euros(total)} HT de dotations pour {format_euros(cost)} HT de dépense éligible, "
        f"soit {format_percent(_ratio(total, cost))} ; plafond {format_percent(maximum_row.value)}"
    )
    message = (
        f"Respecté : {figures}." if passed else f"Dépassé de {format_euros(total - cap)} HT : {figures}."
    )
    checks.append(Check(code, title, passed, message, maximum_row.legal_reference))
    return checks


def _public_aid(
    plan: FinancingPlan, lines: Sequence[FinancingLine], day: datetime.date, table: ParameterTable
) -> Check:
    code = Parameter.PUBLIC_AID_MAX_RATE
    title = "Plafond des aides publiques"
    try:
        row = table.row(code, day)
    except MissingReferenceData as error:
        return Check(code, title, None, str(error), DEFAULT_REFERENCES[code])
    cost = plan.eligible_cost_ht
    if not cost:
        return Check(
            code,
            title,
            None,
            "La dépense éligible HT n'est pas renseignée : le plafond des aides publiques ne peut pas être vérifié.",
            row.legal_reference,
        )
    aid = _sum(line for line in lines if line.category in PUBLIC_GRANT_CATEGORIES)
    cap = row.value * cost
    passed = aid <= cap
    figures = (
        f"{format_euros(aid)} HT d'aides publiques pour {format_euros(cost)} HT de dépense éligible, "
        f"soit {format_percent(_ratio(aid, cost))} ; plafond {format_percent(row.value)}"
    )
    message = f"Respecté : {figures}." if passed else f"Dépassé de {format_euros(aid - cap)} HT : {figures}."
    return Check(code, title, passed, message, row.legal_reference)


def check_plan(
    plan: FinancingPlan,
    lines: Iterable[FinancingLine],
    *,
    day: datetime.date,
    parameters: ParameterTable | None = None,
) -> list[Check]:
    """The checks of `plan` with `lines` (refused lines do not count), by the values in force on `day`."""
    table = parameters if parameters is not None else ParameterTable.load()
    kept = counted(lines)
    return [
        _balance(plan, kept, "HT"),
        _balance(plan, kept, "TTC"),
        _own_share(plan, kept, day, table),
        *_dotations(plan, kept, day, table),
        _public_aid(plan, kept, day, table),
    ]


# --- Net cost ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetCost:
    """What the operation costs its owner: eligible TTC − grants (public and private) − FCTVA.

    Two readings: counting granted lines only (what is secured) and every line not refused (the plan)."""

    eligible_ttc: Decimal
    grants_granted: Decimal
    grants_planned: Decimal
    fctva: Decimal
    fctva_complete: bool

    @property
    def net_granted(self) -> Decimal:
        return self.eligible_ttc - self.grants_granted - self.fctva

    @property
    def net_planned(self) -> Decimal:
        return self.eligible_ttc - self.grants_planned - self.fctva


def is_grant(line: FinancingLine) -> bool:
    """A grant from a public or private funder (not the owner's own funds or borrowing)."""
    return line.category not in OWN_CATEGORIES


def net_cost(
    plan: FinancingPlan, lines: Iterable[FinancingLine], *, fctva: Decimal, fctva_complete: bool = True
) -> NetCost:
    lines = list(lines)
    grants = [line for line in counted(lines) if is_grant(line)]
    return NetCost(
        eligible_ttc=plan.eligible_cost_ttc,
        grants_granted=_sum(
            (line for line in grants if line.status == FinancingLineStatus.GRANTED), "amount_ttc"
        ),
        grants_planned=_sum(grants, "amount_ttc"),
        fctva=fctva,
        fctva_complete=fctva_complete,
    )
