"""Services of the indicators: a library template is copied, the commune must be the programme's, yearly targets
are saved all or none, a computed indicator's measurements are not entered by hand, every write is audited."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programmes.indicators import services
from programmes.indicators.models import Indicator, IndicatorTarget, Measurement, MeasurementOrigin
from pvd.concurrency import StaleObjectError
from tests.programmes.indicator_factories import IndicatorFactory, MeasurementFactory, TargetFactory, library

D = Decimal


def test_an_indicator_from_the_library_copies_its_definition(territory, manager):
    template = library("commercial-vacancy-rate")
    indicator = services.indicator_create(
        programme=territory.programme,
        by=manager,
        template=template,
        commune=territory.wassy,
        baseline_on=datetime.date(2021, 6, 1),
        baseline_value=D("14.5"),
        baseline_source="Relevé de terrain 2021",
    )
    assert (
        indicator.name,
        indicator.unit,
        indicator.direction,
        indicator.frequency,
        indicator.computation,
    ) == (
        "Taux de vacance commerciale",
        "%",
        "down",
        "yearly",
        "manual",
    )
    assert "9,8 %" in indicator.method and indicator.source == template.source
    assert indicator.template == template and indicator.commune == territory.wassy
    assert indicator.history.get().history_user == manager


def test_a_computed_template_gives_a_computed_indicator(territory, manager):
    indicator = services.indicator_create(
        programme=territory.programme, by=manager, template=library("operations-delivered-rate")
    )
    assert indicator.is_computed and indicator.computation == "operations_delivered_rate"
    assert indicator.commune is None


def test_a_custom_indicator_keeps_what_was_given(territory, manager):
    indicator = services.indicator_create(
        programme=territory.programme,
        by=manager,
        name="Places de stationnement",
        unit="places",
        direction="neutral",
        frequency="yearly",
    )
    assert (indicator.name, indicator.unit, indicator.direction, indicator.computation) == (
        "Places de stationnement",
        "places",
        "neutral",
        "manual",
    )


def test_the_commune_must_be_one_of_the_programme(territory, manager):
    with pytest.raises(ValidationError) as error:
        services.indicator_create(
            programme=territory.programme,
            by=manager,
            template=library("population"),
            commune=territory.other_commune,
        )
    assert error.value.message_dict["commune"] == [
        f"{territory.other_commune.name} ne fait pas partie des communes du programme."
    ]
    assert not Indicator.objects.exists()


def test_two_indicators_of_the_same_name_in_a_commune_are_refused(territory, manager):
    services.indicator_create(
        programme=territory.programme, by=manager, template=library("population"), commune=territory.wassy
    )
    with pytest.raises(ValidationError, match="déjà un indicateur de ce nom pour cette commune"):
        services.indicator_create(
            programme=territory.programme, by=manager, template=library("population"), commune=territory.wassy
        )


def test_an_update_from_a_stale_version_is_refused(territory, manager):
    indicator = IndicatorFactory(programme=territory.programme)
    services.indicator_update(indicator=indicator, expected_version=1, by=manager, unit="‰")
    with pytest.raises(StaleObjectError):
        services.indicator_update(indicator=indicator, expected_version=1, by=manager, unit="%")
    indicator.refresh_from_db()
    assert (indicator.unit, indicator.version) == ("‰", 2)


def test_archiving_keeps_the_measurements(territory, manager):
    indicator = IndicatorFactory(programme=territory.programme)
    MeasurementFactory(indicator=indicator)
    archived = services.indicator_archive(indicator=indicator, expected_version=1, by=manager)
    assert archived.archived and archived.measurements.count() == 1


def test_targets_replace_the_previous_ones(territory, manager):
    indicator = IndicatorFactory(programme=territory.programme)
    TargetFactory(indicator=indicator, year=2025, value=D("12"))
    TargetFactory(indicator=indicator, year=2026, value=D("11"))
    services.targets_save(indicator=indicator, by=manager, targets=[(2026, D("10.5")), (2027, D("10"))])
    assert list(indicator.targets.order_by("year").values_list("year", "value")) == [
        (2026, D("10.50")),
        (2027, D("10.00")),
    ]
    assert IndicatorTarget.history.filter(year=2025, history_type="-").get().history_user == manager


def test_targets_are_all_saved_or_none(territory, manager):
    indicator = IndicatorFactory(programme=territory.programme)
    TargetFactory(indicator=indicator, year=2026, value=D("11"))
    with pytest.raises(services.IndicatorError, match="Une seule cible par année : 2027"):
        services.targets_save(
            indicator=indicator, by=manager, targets=[(2026, D("9")), (2027, D("8")), (2027, D("7"))]
        )
    with pytest.raises(ValidationError):
        services.targets_save(indicator=indicator, by=manager, targets=[(2026, D("9")), (1999, D("8"))])
    assert list(indicator.targets.values_list("year", "value")) == [(2026, D("11.00"))]


def test_a_manager_records_corrects_and_deletes_a_measurement(territory, manager):
    indicator = IndicatorFactory(programme=territory.programme)
    measurement = services.measurement_record(
        indicator=indicator,
        by=manager,
        measured_on=datetime.date(2026, 6, 1),
        value=D("10.6"),
        source="Relevé",
    )
    assert (measurement.origin, measurement.recorded_by) == (MeasurementOrigin.ENTERED, manager)
    services.measurement_update(
        measurement=measurement, by=manager, measured_on=datetime.date(2026, 6, 2), value=D("10.4")
    )
    measurement.refresh_from_db()
    assert (measurement.measured_on, measurement.value) == (datetime.date(2026, 6, 2), D("10.40"))
    services.measurement_delete(measurement=measurement, by=manager)
    assert not Measurement.objects.exists()
    assert [r.history_user for r in Measurement.history.order_by("history_id")] == [manager] * 3


def test_a_second_measurement_on_the_same_date_is_refused(territory, manager):
    indicator = IndicatorFactory(programme=territory.programme)
    MeasurementFactory(indicator=indicator, measured_on=datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError, match="déjà une mesure à cette date"):
        services.measurement_record(
            indicator=indicator, by=manager, measured_on=datetime.date(2026, 6, 1), value=D("1")
        )


def test_a_computed_indicator_is_not_entered_by_hand(territory, manager):
    indicator = IndicatorFactory(programme=territory.programme, computation="operations_delivered_rate")
    with pytest.raises(services.IndicatorError, match="ses mesures ne se saisissent pas à la main"):
        services.measurement_record(
            indicator=indicator, by=manager, measured_on=datetime.date(2026, 6, 1), value=D("20")
        )
    assert not Measurement.objects.exists()


def test_a_computed_measurement_is_not_edited_by_hand_but_may_be_deleted(territory, manager):
    measurement = MeasurementFactory(origin=MeasurementOrigin.COMPUTED, value=D("20"))
    with pytest.raises(services.IndicatorError, match="ne se modifie pas à la main"):
        services.measurement_update(
            measurement=measurement, by=manager, measured_on=measurement.measured_on, value=D("30")
        )
    measurement.refresh_from_db()
    assert measurement.value == D("20.00")
    services.measurement_delete(measurement=measurement, by=manager)
    assert not Measurement.objects.exists()
