"""Demo indicators of the Wassy and La Porte du Der programme (issue 10, H1).

For each commune: the commercial vacancy rate (baseline 2021 from a field census, yearly measurements 2022–2026
going down, targets 2026–2028), the population (INSEE), the structural housing vacancy (LOVAC) and the m² of
public space requalified. Programme-wide: the computed indicators (actions delivered, dwellings renovated,
subsidies obtained vs requested), without measurements — the computation fills them (H2's demo).

Figures are demonstration values, not official statistics. Idempotent: a second load writes nothing (`upsert`).
"""

import datetime
from decimal import Decimal

from partners.models import Organisation
from programmes.indicators.models import Indicator, IndicatorTarget, IndicatorTemplate, Measurement
from programmes.models import Objective, Programme
from pvd.accounts.models import User
from pvd.upsert import upsert

D = Decimal
FIELD_CENSUS = "Relevé de terrain des rez-de-chaussée commerciaux (commune)"

# commune key → (baseline, [(date, value)…], {year: target})
COMMERCIAL_VACANCY = {
    "wassy": (
        (datetime.date(2021, 6, 1), D("14.5")),
        [
            ("2022-06-01", "14.0"),
            ("2023-06-01", "13.2"),
            ("2024-06-01", "12.1"),
            ("2025-06-01", "11.4"),
            ("2026-06-01", "10.6"),
        ],
        {2026: D("11"), 2027: D("10"), 2028: D("9")},
    ),
    "la_porte_du_der": (
        (datetime.date(2021, 6, 1), D("11.8")),
        [
            ("2022-06-01", "11.5"),
            ("2023-06-01", "10.9"),
            ("2024-06-01", "10.9"),
            ("2025-06-01", "10.2"),
            ("2026-06-01", "9.6"),
        ],
        {2026: D("10"), 2027: D("9.5"), 2028: D("9")},
    ),
}
STRUCTURAL_VACANCY = {
    "wassy": (
        (datetime.date(2021, 1, 1), D("142")),
        [("2022-01-01", "138"), ("2023-01-01", "131"), ("2024-01-01", "126"), ("2025-01-01", "119")],
        {2026: D("110"), 2028: D("95")},
    ),
    "la_porte_du_der": (
        (datetime.date(2021, 1, 1), D("88")),
        [("2022-01-01", "86"), ("2023-01-01", "83"), ("2024-01-01", "80"), ("2025-01-01", "77")],
        {2026: D("74"), 2028: D("68")},
    ),
}
PUBLIC_SPACE = {
    "wassy": (
        (datetime.date(2021, 1, 1), D("0")),
        [("2024-10-15", "2400"), ("2026-05-20", "5200")],
        {2026: D("5000"), 2028: D("9000")},
    ),
    "la_porte_du_der": (
        (datetime.date(2021, 1, 1), D("0")),
        [("2025-09-30", "1800")],
        {2027: D("3500")},
    ),
}
# Population: the census vintages before the latest (the commune's population in the reference data).
POPULATION_DRIFT = [(2019, 96), (2020, 64), (2021, 31), (2022, 0)]
COMPUTED = ["operations-delivered-rate", "dwellings-renovated", "subsidies-obtained-rate"]


def _indicator(
    programme: Programme,
    template: IndicatorTemplate,
    commune: Organisation | None,
    baseline: tuple[datetime.date, Decimal] | None,
    baseline_source: str,
) -> Indicator:
    indicator, _ = upsert(
        Indicator,
        {
            "template": template,
            "unit": template.unit,
            "source": template.source,
            "method": template.method,
            "frequency": template.frequency,
            "direction": template.direction,
            "computation": template.computation,
            "baseline_on": baseline[0] if baseline else None,
            "baseline_value": baseline[1] if baseline else None,
            "baseline_source": baseline_source,
        },
        programme=programme,
        commune=commune,
        name=template.name,
    )
    return indicator


def _series(
    indicator: Indicator, points: list[tuple[str, str]], targets: dict[int, Decimal], source: str, by: User
) -> None:
    for day, value in points:
        upsert(
            Measurement,
            {"value": D(value), "origin": "entered", "source": source, "recorded_by": by},
            indicator=indicator,
            measured_on=datetime.date.fromisoformat(day),
        )
    for year, value in targets.items():
        upsert(IndicatorTarget, {"value": value}, indicator=indicator, year=year)


def _link_objectives(indicator: Indicator, programme: Programme, theme_code: str) -> None:
    """The objectives of the validated project (not of its drafts, which copy them) on the indicator's theme."""
    project = programme.projects.filter(status="validated").order_by("-number").first()
    if project is None:
        return
    wanted = set(
        Objective.objects.filter(axis__project=project, themes__code=theme_code).values_list("pk", flat=True)
    )
    if wanted and set(indicator.objectives.values_list("pk", flat=True)) != wanted:
        indicator.objectives.set(wanted)


def _link_operations(indicator: Indicator, programme: Programme, codes: list[str]) -> None:
    """The demo operations that move the indicator (read through the reverse relations: no operations import)."""
    wanted = set(programme.operations.filter(code__in=codes).values_list("pk", flat=True))
    if set(indicator.operations.values_list("pk", flat=True)) != wanted:
        indicator.operations.set(wanted)


# The operations each commune's indicators follow (demo action plan, operations/demo.py).
OPERATIONS = {
    "wassy": {"vacancy": ["W-02", "W-08"], "lovac": ["W-04", "W-05"], "space": ["W-01"]},
    "la_porte_du_der": {"vacancy": ["LPD-02", "LPD-05"], "lovac": ["LPD-04", "LPD-09"], "space": ["LPD-01"]},
}


def load(programme: Programme, orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    manager = users["cheffe-de-projet"]
    templates = {t.key: t for t in IndicatorTemplate.objects.all()}
    for key in ("wassy", "la_porte_du_der"):
        commune = orgs[key]
        baseline, points, targets = COMMERCIAL_VACANCY[key]
        vacancy = _indicator(
            programme, templates["commercial-vacancy-rate"], commune, baseline, f"{FIELD_CENSUS}, juin 2021"
        )
        _series(vacancy, points, targets, FIELD_CENSUS, manager)
        _link_objectives(vacancy, programme, "commerce")
        _link_operations(vacancy, programme, OPERATIONS[key]["vacancy"])

        baseline, points, targets = STRUCTURAL_VACANCY[key]
        lovac = _indicator(programme, templates["structural-vacancy"], commune, baseline, "LOVAC 2021")
        _series(lovac, points, targets, "LOVAC", manager)
        _link_objectives(lovac, programme, "habitat")
        _link_operations(lovac, programme, OPERATIONS[key]["lovac"])

        baseline, points, targets = PUBLIC_SPACE[key]
        space = _indicator(
            programme,
            templates["public-space-requalified"],
            commune,
            baseline,
            "Situation avant le programme",
        )
        _series(space, points, targets, "Procès-verbal de réception des travaux", manager)
        _link_operations(space, programme, OPERATIONS[key]["space"])

        if commune.population:
            latest = D(commune.population)
            population = _indicator(
                programme,
                templates["population"],
                commune,
                (datetime.date(2018, 1, 1), latest + 120),
                "INSEE, RP 2018",
            )
            _series(
                population,
                [(f"{year}-01-01", str(latest + drift)) for year, drift in POPULATION_DRIFT],
                {},
                "INSEE, recensement de la population",
                manager,
            )

    for key in COMPUTED:
        _indicator(programme, templates[key], None, None, "")
