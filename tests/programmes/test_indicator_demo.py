"""The demo indicators: Wassy's and La Porte du Der's commercial vacancy going down towards its targets, the
programme-wide computed indicators without measurements; a second load writes nothing."""

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
