"""XLSX export of a programme's indicators: one row per measurement, and a sheet of the yearly targets."""

from django.db.models import F, QuerySet
from django.utils import timezone

from programmes.indicators.models import Indicator, IndicatorTarget, Measurement
from programmes.models import Programme
from pvd.xlsx import Column, Sheet, workbook


def _commune(indicator: Indicator) -> str:
    return indicator.commune.name if indicator.commune else "Tout le programme"


def indicators_xlsx(
    programme: Programme, indicators: QuerySet[Indicator], measurements: QuerySet[Measurement]
) -> bytes:
    heading = [
        f"Indicateurs — {programme.name}",
        f"Export du {timezone.localdate():%d/%m/%Y}",
    ]
    targets = (
        IndicatorTarget.objects.filter(indicator__in=indicators)
        .select_related("indicator__commune")
        .order_by("indicator__name", F("indicator__commune__name").asc(nulls_first=True), "year", "pk")
    )
    return workbook(
        [
            Sheet(
                title="Mesures",
                heading=heading,
                columns=[
                    Column("Indicateur", lambda m: m.indicator.name, width=40),
                    Column("Commune", lambda m: _commune(m.indicator), width=22),
                    Column("Unité", lambda m: m.indicator.unit, width=12),
                    Column("Date", lambda m: m.measured_on, width=12),
                    Column("Valeur", lambda m: m.value, width=14, number=True),
                    Column("Origine", lambda m: m.get_origin_display(), width=14),
                    Column("Source", lambda m: m.source, width=30),
                    Column("Commentaire", lambda m: m.comment, width=30),
                    Column("Saisie par", lambda m: str(m.recorded_by) if m.recorded_by else "", width=22),
                ],
                rows=measurements,
            ),
            Sheet(
                title="Cibles",
                heading=heading,
                columns=[
                    Column("Indicateur", lambda t: t.indicator.name, width=40),
                    Column("Commune", lambda t: _commune(t.indicator), width=22),
                    Column("Unité", lambda t: t.indicator.unit, width=12),
                    Column("Année", lambda t: t.year, width=10),
                    Column("Cible", lambda t: t.value, width=14, number=True),
                ],
                rows=targets,
            ),
            Sheet(
                title="Indicateurs",
                heading=heading,
                columns=[
                    Column("Indicateur", lambda i: i.name, width=40),
                    Column("Commune", _commune, width=22),
                    Column("Unité", lambda i: i.unit, width=12),
                    Column("Source", lambda i: i.source, width=30),
                    Column("Fréquence", lambda i: i.get_frequency_display(), width=16),
                    Column("Sens souhaité", lambda i: i.get_direction_display(), width=18),
                    Column("Obtention des mesures", lambda i: i.get_computation_display(), width=30),
                    Column("État zéro : date", lambda i: i.baseline_on, width=14),
                    Column("État zéro : valeur", lambda i: i.baseline_value, width=14, number=True),
                    Column("État zéro : source", lambda i: i.baseline_source, width=30),
                ],
                rows=indicators.order_by("name", F("commune__name").asc(nulls_first=True), "pk"),
            ),
        ]
    )
