"""Recording computed measurements (issue 10, H2): the service is idempotent and never overwrites an entered
value, the nightly task runs every programme, the « Calculer » buttons per persona."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from operations.models import OperationStatus
from programmes.indicators import computations
from programmes.indicators.computations import SOURCE, refresh_computed
from programmes.indicators.models import Indicator, IndicatorComputation, Measurement, MeasurementOrigin
from programmes.indicators.tasks_compute import refresh_computed_indicators
from tests.conftest import Territory
from tests.operations.factories import OperationFactory
from tests.programmes.indicator_rows import computed_indicator

D = Decimal
C = IndicatorComputation
# Operations' statuses on a past day come from their history: the operations made here exist from today on.
DAY = timezone.localdate()


def _indicator(programme, computation: str, name: str, **fields: object) -> Indicator:
    return Indicator.objects.create(
        programme=programme, name=name, unit="u", computation=computation, **fields
    )


def _delivered(territory: Territory, n: int = 1) -> None:
    for _ in range(n):
        OperationFactory(
            programme=territory.programme, status=OperationStatus.DELIVERED, communes=[territory.wassy]
        )


def values(indicator: Indicator) -> list[tuple[datetime.date, Decimal, str]]:
    return list(indicator.measurements.order_by("measured_on").values_list("measured_on", "value", "origin"))


def test_refresh_records_the_computed_indicators_only(territory: Territory, manager) -> None:
    _delivered(territory, 2)
    OperationFactory(
        programme=territory.programme, status=OperationStatus.IDEA, communes=[territory.la_porte_du_der]
    )
    count = _indicator(territory.programme, C.OPERATIONS_DELIVERED, "Livrées")
    rate = _indicator(territory.programme, C.OPERATIONS_DELIVERED_RATE, "Part livrée")
    wassy = _indicator(
        territory.programme, C.OPERATIONS_DELIVERED_RATE, "Part livrée", commune=territory.wassy
    )
    manual = _indicator(territory.programme, C.MANUAL, "Vacance commerciale")
    archived = _indicator(territory.programme, C.OPERATIONS_DELIVERED, "Ancien", archived=True)
    empty = _indicator(
        territory.programme, C.SUBSIDIES_OBTAINED_RATE, "Subventions"
    )  # nothing requested: None

    assert refresh_computed(programme=territory.programme, day=DAY, by=manager) == 3
    assert values(count) == [(DAY, D("2.00"), MeasurementOrigin.COMPUTED)]
    assert values(rate) == [(DAY, D("66.67"), MeasurementOrigin.COMPUTED)]
    assert values(wassy) == [(DAY, D("100.00"), MeasurementOrigin.COMPUTED)]
    assert values(manual) == values(archived) == values(empty) == []
    measurement = count.measurements.get()
    assert (measurement.source, measurement.recorded_by) == (SOURCE, manager)
    assert measurement.history.get().history_user == manager


def test_a_second_run_the_same_day_writes_nothing_then_a_change_updates_that_day(
    territory: Territory,
) -> None:
    _delivered(territory)
    count = _indicator(territory.programme, C.OPERATIONS_DELIVERED, "Livrées")
    assert refresh_computed(programme=territory.programme, day=DAY) == 1
    assert refresh_computed(programme=territory.programme, day=DAY) == 0
    assert refresh_computed(programme=territory.programme, day=DAY) == 0
    _delivered(territory)
    assert refresh_computed(programme=territory.programme, day=DAY) == 1
    assert values(count) == [(DAY, D("2.00"), MeasurementOrigin.COMPUTED)]  # the same row, updated


def test_an_unchanged_value_on_a_later_day_adds_no_row_a_changed_one_does(territory: Territory) -> None:
    _delivered(territory)
    count = _indicator(territory.programme, C.OPERATIONS_DELIVERED, "Livrées")
    refresh_computed(programme=territory.programme, day=DAY)
    assert refresh_computed(programme=territory.programme, day=DAY + datetime.timedelta(days=1)) == 0
    _delivered(territory)
    later = DAY + datetime.timedelta(days=2)
    assert refresh_computed(programme=territory.programme, day=later) == 1
    assert [v for _, v, _ in values(count)] == [D("1.00"), D("2.00")]


def test_an_entered_value_of_the_same_day_is_never_overwritten(territory: Territory, manager) -> None:
    _delivered(territory, 3)
    count = _indicator(territory.programme, C.OPERATIONS_DELIVERED, "Livrées")
    Measurement.objects.create(
        indicator=count, measured_on=DAY, value=D("5"), origin=MeasurementOrigin.ENTERED
    )
    Measurement.objects.create(
        indicator=count,
        measured_on=DAY - datetime.timedelta(days=1),
        value=D("4"),
        origin=MeasurementOrigin.IMPORTED,
    )
    assert refresh_computed(programme=territory.programme, day=DAY) == 0
    assert values(count) == [
        (DAY - datetime.timedelta(days=1), D("4.00"), MeasurementOrigin.IMPORTED),
        (DAY, D("5.00"), MeasurementOrigin.ENTERED),
    ]


def test_the_refresh_costs_the_same_queries_at_any_number_of_operations(
    territory: Territory, django_assert_num_queries
) -> None:
    _indicator(territory.programme, C.OPERATIONS_DELIVERED, "Livrées")
    _indicator(territory.programme, C.OPERATIONS_DELIVERED, "Livrées", commune=territory.wassy)
    counts = []
    for n in (1, 10):
        _delivered(territory, n)
        Measurement.objects.all().delete()
        with django_assert_num_queries(9) as captured:
            # savepoint; indicators with the day's and the previous measurement; 2 providers (programme,
            # Wassy); 2 × (insert, history insert); release
            refresh_computed(programme=territory.programme, day=DAY)
        counts.append(len(captured))
    assert counts == [9, 9]


# --- The nightly task -----------------------------------------------------------------------------------------


def test_the_task_refreshes_every_programme_and_goes_on_after_a_failure(
    territory: Territory, monkeypatch, caplog
) -> None:
    _delivered(territory)
    OperationFactory(programme=territory.other_programme, status=OperationStatus.DELIVERED)
    mine = _indicator(territory.programme, C.OPERATIONS_DELIVERED, "Livrées")
    theirs = _indicator(territory.other_programme, C.OPERATIONS_DELIVERED, "Livrées")
    assert refresh_computed_indicators.delay().get() == 2
    today = timezone.localdate()
    assert values(mine) == values(theirs) == [(today, D("1.00"), MeasurementOrigin.COMPUTED)]

    real = computations.compute

    def failing(indicator, day):
        if indicator.programme_id == territory.programme.pk:
            raise RuntimeError("base indisponible")
        return real(indicator, day)

    monkeypatch.setattr(computations, "compute", failing)
    OperationFactory(programme=territory.other_programme, status=OperationStatus.DELIVERED)
    assert refresh_computed_indicators() == 1
    assert values(theirs)[-1][1] == D("2.00")
    assert "Calcul des indicateurs du programme" in caplog.text


def test_the_beat_runs_the_task_every_night() -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["refresh-computed-indicators"]
    assert entry["task"] == "programmes.indicators.tasks_compute.refresh_computed_indicators"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({4}, {10})


# --- The « Calculer » buttons -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 302),
        ("referent", 403),
        ("partner", 403),
        ("mayor_of_wassy", 404),
        ("operator", 404),
        ("outsider", 404),
    ],
)
def test_computing_the_programme_indicators_is_for_managers(
    territory: Territory, client_for, persona, status
) -> None:
    _delivered(territory)
    indicator = computed_indicator(territory)
    url = reverse("programmes:indicators_compute", args=[territory.programme.pk])
    response = client_for(persona).post(url, follow=False)
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == reverse("programmes:indicators", args=[territory.programme.pk])
        assert indicator.measurements.get().value == D(1)
    else:
        assert not indicator.measurements.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 302),
        ("referent", 403),
        ("partner", 403),
        ("mayor_of_wassy", 403),  # a programme-wide indicator: the mayor reads it, cannot compute it
        ("operator", 404),
        ("outsider", 404),
    ],
)
def test_computing_one_indicator_is_for_managers(territory: Territory, client_for, persona, status) -> None:
    _delivered(territory)
    indicator = computed_indicator(territory)
    response = client_for(persona).post(reverse("programmes:indicator_compute", args=[indicator.pk]))
    assert response.status_code == status
    assert indicator.measurements.exists() is (status == 302)


def test_the_buttons_say_what_was_written(territory: Territory, client_for) -> None:
    _delivered(territory)
    indicator = computed_indicator(territory)
    _indicator(territory.programme, C.OPERATIONS_COMMITTED_RATE, "Engagées")
    _indicator(territory.programme, C.OPERATIONS_DELIVERED_RATE, "Livrées (%)")
    url = reverse("programmes:indicators_compute", args=[territory.programme.pk])
    messages = [str(m) for m in client_for("manager").post(url).wsgi_request._messages]
    assert messages == ["3 mesures calculées"]
    messages = [str(m) for m in client_for("manager").post(url).wsgi_request._messages]
    assert messages == ["Aucune valeur n'a changé"]
    _delivered(territory)
    response = client_for("manager").post(reverse("programmes:indicator_compute", args=[indicator.pk]))
    assert response["Location"] == reverse("programmes:indicator", args=[indicator.pk])
    assert [str(m) for m in response.wsgi_request._messages] == ["1 mesure calculée"]


def test_a_manual_indicator_has_nothing_to_compute(territory: Territory, client_for) -> None:
    manual = _indicator(territory.programme, C.MANUAL, "Vacance commerciale")
    response = client_for("manager").post(reverse("programmes:indicator_compute", args=[manual.pk]))
    assert [str(m) for m in response.wsgi_request._messages] == [
        "Cet indicateur est saisi ou importé : il n'y a rien à calculer."
    ]


@pytest.mark.parametrize("name", ["programmes:indicators_compute", "programmes:indicator_compute"])
def test_get_is_refused(territory: Territory, client_for, name: str) -> None:
    pk = (
        territory.programme.pk
        if name == "programmes:indicators_compute"
        else computed_indicator(territory).pk
    )
    assert client_for("manager").get(reverse(name, args=[pk])).status_code == 405
