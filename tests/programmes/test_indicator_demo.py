"""The demo indicators: Wassy's and La Porte du Der's commercial vacancy going down towards its targets, the
programme-wide computed indicators without measurements; a second load writes nothing."""

import datetime
from decimal import Decimal

from programmes.indicators import demo
from programmes.indicators.models import Indicator, IndicatorTarget, Measurement
from programmes.indicators.selectors import indicator_summaries


def load(territory, manager):
    orgs = {"wassy": territory.wassy, "la_porte_du_der": territory.la_porte_du_der}
    demo.load(territory.programme, orgs, {"cheffe-de-projet": manager})


def test_the_demo_commercial_vacancy_goes_down_towards_its_targets(territory, manager):
    load(territory, manager)
    vacancy = Indicator.objects.filter(name="Taux de vacance commerciale", commune=territory.wassy)
    (summary,) = indicator_summaries(vacancy, year=2026)
    assert summary.baseline.value == Decimal("14.5") and summary.baseline.on.year == 2021
    assert [p.on.year for p in summary.points] == [2022, 2023, 2024, 2025, 2026]
    assert summary.trend_label == "En progrès" and sorted(summary.targets) == [2026, 2027, 2028]
    computed = Indicator.objects.filter(programme=territory.programme, commune__isnull=True)
    assert sorted(computed.values_list("computation", flat=True)) == [
        "dwellings_renovated",
        "operations_delivered_rate",
        "subsidies_obtained_rate",
    ]
    assert not Measurement.objects.filter(indicator__in=computed).exists()


def test_loading_the_demo_twice_writes_nothing(territory, manager):
    load(territory, manager)
    counts = lambda: (
        Indicator.objects.count(),
        Measurement.objects.count(),
        IndicatorTarget.objects.count(),
        Indicator.history.count(),
        Measurement.history.count(),
        IndicatorTarget.history.count(),
    )
    before = counts()
    load(territory, manager)
    assert counts() == before and before[0] == 11


def test_the_demo_links_the_operations_and_the_validated_projects_objectives(territory, manager):
    from partners.models import Theme
    from programmes.models import Axis, Objective, ProjectStatus, RevitalisationProject
    from tests.operations.factories import OperationFactory

    commerce = Theme.objects.create(code="commerce-demo-test", name="Commerce (test)")
    validated = RevitalisationProject.objects.create(
        programme=territory.programme,
        number=1,
        status=ProjectStatus.VALIDATED,
        validated_on=datetime.date(2023, 3, 1),
        snapshot={},
    )
    draft = RevitalisationProject.objects.create(programme=territory.programme, number=2)
    kept = Objective.objects.create(
        axis=Axis.objects.create(project=validated, title="Commerces"), title="Vacance"
    )
    copy = Objective.objects.create(
        axis=Axis.objects.create(project=draft, title="Commerces"), title="Vacance"
    )
    kept.themes.add(commerce)
    copy.themes.add(commerce)
    for code in ["W-02", "W-08", "W-01"]:
        OperationFactory(programme=territory.programme, code=code, communes=[territory.wassy])
    demo._link_objectives(
        Indicator.objects.create(programme=territory.programme, name="Vacance", unit="%"),
        territory.programme,
        commerce.code,
    )
    load(territory, manager)

    assert list(Indicator.objects.get(name="Vacance").objectives.all()) == [kept]  # not the draft's copy
    vacancy = Indicator.objects.get(name="Taux de vacance commerciale", commune=territory.wassy)
    assert sorted(vacancy.operations.values_list("code", flat=True)) == ["W-02", "W-08"]
