"""Page-shaped reads of indicators: the summary every page shows (indicator page, commune page, programme
dashboard, annual report) — baseline, latest value, trend against the wanted direction, the year's target and how
far along the way from the baseline to it we are.

`indicator_summaries(indicators, year=…)` costs three queries whatever the number of indicators: the indicators,
their measurements, their targets (prefetched).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from programmes.indicators.models import Indicator, IndicatorDirection, IndicatorTarget, Measurement

BETTER = "better"
WORSE = "worse"
STABLE = "stable"
TREND_LABELS = {
    BETTER: "En progrès",
    WORSE: "En recul",
    STABLE: "Stable",
    None: "Pas encore de tendance",
}
ARROWS = {"up": "↗", "down": "↘", "flat": "→", None: ""}


@dataclass(frozen=True)
class Point:
    on: datetime.date
    value: Decimal


@dataclass
class IndicatorSummary:
    indicator: Indicator
    points: list[Point] = field(default_factory=list)  # measurements, oldest first
    targets: dict[int, Decimal] = field(default_factory=dict)  # year -> value
    year: int = 0

    @property
    def baseline(self) -> Point | None:
        ind = self.indicator
        if ind.baseline_on is None or ind.baseline_value is None:
            return None
        return Point(ind.baseline_on, ind.baseline_value)

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def previous(self) -> Point | None:
        """The measurement before the latest one, or the baseline when there is only one measurement."""
        if len(self.points) >= 2:
            return self.points[-2]
        if self.points and self.baseline is not None and self.baseline.on < self.points[-1].on:
            return self.baseline
        return None

    @property
    def target(self) -> Decimal | None:
        """The target of the summary's year."""
        return self.targets.get(self.year)

    @property
    def change(self) -> str | None:
        """Which way the value moved between the previous and the latest point: up, down, flat."""
        if self.latest is None or self.previous is None:
            return None
        if self.latest.value > self.previous.value:
            return "up"
        if self.latest.value < self.previous.value:
            return "down"
        return "flat"

    @property
    def trend(self) -> str | None:
        """better / worse / stable against the direction wanted; None without two points (or no direction)."""
        change = self.change
        if change is None:
            return None
        if change == "flat":
            return STABLE
        direction = self.indicator.direction
        if direction == IndicatorDirection.NEUTRAL:
            return None
        return BETTER if (change == "up") == (direction == IndicatorDirection.UP) else WORSE

    @property
    def trend_label(self) -> str:
        if self.change is not None and self.indicator.direction == IndicatorDirection.NEUTRAL:
            return {"up": "En hausse", "down": "En baisse", "flat": "Stable"}[self.change]
        return TREND_LABELS[self.trend]

    @property
    def arrow(self) -> str:
        return ARROWS[self.change]

    @property
    def attainment(self) -> Decimal | None:
        """How far along from the baseline to the year's target the latest value is (fraction, may pass 1 or be
        negative when it went the wrong way); without a baseline, latest ÷ target. None when it cannot be told."""
        target, latest = self.target, self.latest
        if target is None or latest is None:
            return None
        baseline = self.baseline
        if baseline is not None:
            if target == baseline.value:
                return None
            return (latest.value - baseline.value) / (target - baseline.value)
        if target == 0:
            return None
        return latest.value / target


def with_series(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """The indicators with their measurements (oldest first) and targets prefetched."""
    return indicators.select_related("commune").prefetch_related(
        Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on", "pk")),
        Prefetch("targets", queryset=IndicatorTarget.objects.order_by("year")),
    )


def indicator_summaries(
    indicators: QuerySet[Indicator], *, year: int | None = None
) -> list[IndicatorSummary]:
    """One summary per indicator (in the queryset's order), for `year` (default: this year)."""
    year = year or timezone.localdate().year
    summaries = []
    for indicator in with_series(indicators):
        summaries.append(
            IndicatorSummary(
                indicator=indicator,
                points=[Point(m.measured_on, m.value) for m in indicator.measurements.all()],
                targets={t.year: t.value for t in indicator.targets.all()},
                year=year,
            )
        )
    return summaries


# --- issue 10, H5: the value of an indicator as of a date (annual report) ---


def summary_as_of(
    summary: IndicatorSummary, day: datetime.date, *, year: int | None = None
) -> IndicatorSummary:
    """The summary as it stood on `day`: only the measurements dated on or before it, the targets of `year`
    (default: the year of `day`). `latest` is then the value as of that date, `attainment` measured with it."""
    return IndicatorSummary(
        indicator=summary.indicator,
        points=[point for point in summary.points if point.on <= day],
        targets=summary.targets,
        year=year or day.year,
    )
