"""The FCTVA estimate of an operation (DOMAIN.md §5, DOMAIN_RULES.md §2.6): how much VAT the owner recovers
on its eligible TTC spending, and in which year.

base = eligible TTC − the part not eligible (grants to private owners, works en régie…);
amount = round_cents(base × fctva_rate in force in the spending year);
received in spending year + lag: the owner's FctvaTiming row in force, else fctva_lag_commune or
fctva_lag_epci by the owner's kind; another kind of owner is not eligible (said, not guessed).

When the operation has PPI rows, the base is spread by year of spending in proportion to each year's
planned TTC amount, and each year uses its own rate and lag (a rate change applies to that year's spending).
Otherwise the plan's main expense year is used; without it, the rate in force on the plan's day is used and
the year of receipt is unknown (said). Values come from dated data: nothing is a constant here.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from budget.models import FctvaTiming, FinancingPlan, MissingReferenceData, Parameter, PlannedInvestment
from budget.rules import ParameterTable
from partners.models import Organisation, OrganisationKind
from pvd.money import ZERO, round_cents

LAG_PARAMETERS = {
    OrganisationKind.COMMUNE: Parameter.FCTVA_LAG_COMMUNE,
    OrganisationKind.EPCI: Parameter.FCTVA_LAG_EPCI,
}


@dataclass(frozen=True)
class FctvaYear:
    """The FCTVA of one year of spending (year None: unknown)."""

    spending_year: int | None
    base_ttc: Decimal
    rate: Decimal | None
    amount: Decimal | None
    lag: int | None
    rate_reference: str = ""
    lag_reference: str = ""

    @property
    def received_year(self) -> int | None:
        if self.spending_year is None or self.lag is None:
            return None
        return self.spending_year + self.lag


@dataclass(frozen=True)
class FctvaEstimate:
    eligible: bool
    eligible_cost_ttc: Decimal
    excluded_ttc: Decimal
    years: list[FctvaYear] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    source: str = "unknown"  # "ppi", "expense_year" or "unknown"

    @property
    def base_ttc(self) -> Decimal:
        return self.eligible_cost_ttc - self.excluded_ttc

    @property
    def total(self) -> Decimal:
        """The FCTVA estimated (the years whose rate is known)."""
        return sum((year.amount for year in self.years if year.amount is not None), ZERO)

    @property
    def complete(self) -> bool:
        return not self.problems

    def by_received_year(self) -> list[tuple[int | None, Decimal]]:
        """(year of receipt, amount) in order, unknown years last."""
        totals: dict[int | None, Decimal] = {}
        for year in self.years:
            if year.amount is not None:
                totals[year.received_year] = totals.get(year.received_year, ZERO) + year.amount
        return sorted(totals.items(), key=lambda item: (item[0] is None, item[0] or 0))


def _timing_in_force(timings: Sequence[FctvaTiming], day: datetime.date) -> FctvaTiming | None:
    valid = [t for t in timings if t.valid_from <= day and (t.valid_until is None or t.valid_until >= day)]
    return max(valid, key=lambda t: t.valid_from, default=None)


def _spread(base: Decimal, planned: Sequence[PlannedInvestment]) -> list[tuple[int, Decimal]]:
    """The base split by year in proportion to the PPI amounts; the last year takes the rounding remainder,
    so the shares add up to the base exactly."""
    rows = sorted((row for row in planned if row.amount_ttc > 0), key=lambda row: row.year)
    total = sum((row.amount_ttc for row in rows), ZERO)
    shares, given = [], ZERO
    for index, row in enumerate(rows):
        share = base - given if index == len(rows) - 1 else round_cents(base * row.amount_ttc / total)
        shares.append((row.year, share))
        given += share
    return shares


def estimate(
    plan: FinancingPlan,
    *,
    owner: Organisation,
    planned: Iterable[PlannedInvestment],
    day: datetime.date,
    parameters: ParameterTable | None = None,
    timings: Iterable[FctvaTiming] | None = None,
) -> FctvaEstimate:
    """The FCTVA of `plan` for `owner`, spread by the PPI rows `planned` (if any). `day` is the plan's day
    (today on the page): it dates the rate when the year of spending is unknown."""
    table = parameters if parameters is not None else ParameterTable.load()
    timings = list(timings) if timings is not None else list(FctvaTiming.objects.filter(organisation=owner))
    planned = list(planned)
    excluded = plan.fctva_excluded_ttc or ZERO
    base = plan.eligible_cost_ttc - excluded
    lag_code = LAG_PARAMETERS.get(owner.kind)
    if lag_code is None and not timings:
        return FctvaEstimate(
            eligible=False,
            eligible_cost_ttc=plan.eligible_cost_ttc,
            excluded_ttc=excluded,
            problems=[
                (
                    f"Le maître d'ouvrage ({owner.name}, {owner.get_kind_display().lower()}) n'est ni une commune ni "
                    "un EPCI et n'a pas de régime de versement du FCTVA enregistré : aucun FCTVA n'est estimé."
                )
            ],
        )

    if any(row.amount_ttc > 0 for row in planned):
        source, spending = "ppi", _spread(base, planned)
    elif plan.expense_year:
        source, spending = "expense_year", [(plan.expense_year, base)]
    else:
        source, spending = "unknown", [(None, base)]

    problems: list[str] = []
    if source == "unknown":
        problems.append(
            "L'année de la dépense n'est pas connue : indiquez l'année principale de la dépense dans le plan "
            f"ou le PPI de l'opération pour dater le versement du FCTVA (taux en vigueur le {day:%d/%m/%Y})."
        )
    years = []
    for year, share in spending:
        on = datetime.date(year, 1, 1) if year is not None else day
        try:
            rate_row = table.row(Parameter.FCTVA_RATE, on)
        except MissingReferenceData as error:
            rate, amount, rate_reference = None, None, ""
            problems.append(str(error))
        else:
            rate, rate_reference = rate_row.value, rate_row.legal_reference
            amount = round_cents(share * rate_row.value)
        lag, lag_reference = None, ""
        timing = _timing_in_force(timings, on)
        if timing is not None:
            lag, lag_reference = timing.lag_years, f"{timing.legal_reference} (régime propre à {owner.name})"
        elif lag_code is not None:
            try:
                lag_row = table.row(lag_code, on)
            except MissingReferenceData as error:
                if year is not None:
                    problems.append(str(error))
            else:
                lag, lag_reference = int(lag_row.value), lag_row.legal_reference
        else:
            problems.append(
                f"Aucun régime de versement du FCTVA de {owner.name} n'est en vigueur le {on:%d/%m/%Y} : "
                "l'année de versement est inconnue."
            )
        years.append(FctvaYear(year, share, rate, amount, lag, rate_reference, lag_reference))
    return FctvaEstimate(
        eligible=True,
        eligible_cost_ttc=plan.eligible_cost_ttc,
        excluded_ttc=excluded,
        years=years,
        problems=problems,
        source=source,
    )
