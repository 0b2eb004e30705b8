import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from pvd.money import round_cents
from pvd.templatetags.pvd import date_fr, euros, integer, percent

NBSP = "\xa0"


def test_euros_groups_thousands_with_non_breaking_spaces_and_a_decimal_comma() -> None:
    assert euros(Decimal("1234567.89")) == f"1{NBSP}234{NBSP}567,89{NBSP}€"


def test_euros_rounds_half_up_to_the_cent() -> None:
    assert euros(Decimal("0.005")) == f"0,01{NBSP}€"
    assert euros(Decimal("2.675")) == f"2,68{NBSP}€"  # a float would give 2,67


def test_euros_shows_negative_amounts_and_small_ones() -> None:
    assert euros(Decimal(-1500)) == f"-1{NBSP}500,00{NBSP}€"
    assert euros(Decimal(7)) == f"7,00{NBSP}€"


def test_euros_refuses_floats_so_no_binary_rounding_reaches_a_page() -> None:
    with pytest.raises(TypeError):
        euros(1234.5)  # type: ignore[arg-type]


def test_missing_amount_is_a_dash() -> None:
    assert euros(None) == "—"


def test_percent_shows_a_stored_fraction_as_a_french_percentage() -> None:
    assert percent(Decimal("0.16404")) == f"16,40{NBSP}%"
    assert percent(Decimal("0.16404"), 3) == f"16,404{NBSP}%"


def test_integer_groups_population_figures() -> None:
    assert integer(22858) == f"22{NBSP}858"
    assert integer(2771) == f"2{NBSP}771"
    assert integer(None) == "—"


def test_dates_are_day_month_year() -> None:
    assert date_fr(datetime.date(2026, 4, 14)) == "14/04/2026"


def test_datetimes_are_shown_in_paris_time() -> None:
    utc_evening = datetime.datetime(2026, 4, 14, 22, 30, tzinfo=ZoneInfo("UTC"))
    assert date_fr(utc_evening) == "15/04/2026 à 00:30"


def test_round_cents_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        round_cents(0.1)  # type: ignore[arg-type]
    assert round_cents(Decimal("10.125")) == Decimal("10.13")


def test_django_date_filter_uses_french_formats_too() -> None:
    rendered = Template("{{ d|date }}").render(Context({"d": datetime.date(2026, 4, 14)}))
    assert rendered == "14/04/2026"
