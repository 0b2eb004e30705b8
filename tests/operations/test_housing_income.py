"""The household's Anah income category: at, just below and just above each ceiling, for 1, 4, 5 and 7 people,
in both zones, with the 2025 shipped table; a year or a zone without its table is never guessed."""

from decimal import Decimal

import pytest

from operations.housing.income import income_category, latest_table_year
from operations.housing.models import IncomeCategory, Zone
from pvd.errors import MissingReferenceData
from tests.operations.housing_factories import IncomeCeilingFactory

pytestmark = pytest.mark.django_db

VM, M, INT, ABOVE = (
    IncomeCategory.VERY_MODEST,
    IncomeCategory.MODEST,
    IncomeCategory.INTERMEDIATE,
    IncomeCategory.ABOVE,
)
CENT = Decimal("0.01")

# The 2025 shipped values (migration 0010): very modest and modest ceilings, by zone and household size;
# 7 people = 5 people + 2 × per extra person.
SHIPPED_2025 = {
    (Zone.OTHER, 1): (Decimal(17173), Decimal(22015)),
    (Zone.OTHER, 4): (Decimal(34948), Decimal(44802)),
    (Zone.OTHER, 5): (Decimal(40388), Decimal(51775)),
    (Zone.OTHER, 7): (Decimal(40388 + 2 * 5094), Decimal(51775 + 2 * 6525)),
    (Zone.IDF, 1): (Decimal(23768), Decimal(28933)),
    (Zone.IDF, 4): (Decimal(48914), Decimal(59549)),
    (Zone.IDF, 5): (Decimal(55961), Decimal(68123)),
    (Zone.IDF, 7): (Decimal(55961 + 2 * 7038), Decimal(68123 + 2 * 8568)),
}


def category(income: Decimal, size: int, zone: str = Zone.OTHER, year: int = 2025) -> str:
    return income_category(reference_income=income, household_size=size, zone=zone, year=year).category


@pytest.mark.parametrize(("zone", "size"), list(SHIPPED_2025))
def test_a_household_at_the_very_modest_ceiling_is_very_modest_and_one_cent_above_is_modest(
    zone: str, size: int
) -> None:
    very_modest, _modest = SHIPPED_2025[(zone, size)]
    assert category(very_modest - CENT, size, zone) == VM
    assert category(very_modest, size, zone) == VM
    assert category(very_modest + CENT, size, zone) == M


@pytest.mark.parametrize(("zone", "size"), list(SHIPPED_2025))
def test_a_household_at_the_modest_ceiling_is_modest(zone: str, size: int) -> None:
    _very_modest, modest = SHIPPED_2025[(zone, size)]
    assert category(modest - CENT, size, zone) == M
    assert category(modest, size, zone) == M


@pytest.mark.parametrize(("zone", "size"), list(SHIPPED_2025))
def test_above_the_modest_ceiling_the_category_cannot_be_told_without_the_intermediate_table(
    zone: str, size: int
) -> None:
    _very_modest, modest = SHIPPED_2025[(zone, size)]
    with pytest.raises(MissingReferenceData, match="intermédiaires"):
        category(modest + CENT, size, zone)


def test_the_shipped_example_one_person_outside_ile_de_france() -> None:
    assert category(Decimal(17173), 1) == VM
    assert category(Decimal("17173.01"), 1) == M
    with pytest.raises(MissingReferenceData) as error:
        category(Decimal("22015.01"), 1)
    assert "Le barème Anah 2025 (hors Île-de-France) n'est pas chargé" in str(error.value)
    assert "22\xa0015,01\xa0€" in str(error.value)


def test_the_result_gives_the_ceilings_it_compared_with() -> None:
    result = income_category(reference_income=Decimal(55000), household_size=7, zone=Zone.OTHER, year=2025)
    assert result == result.__class__(
        category=M,
        year=2025,
        zone=Zone.OTHER,
        household_size=7,
        ceilings={VM: Decimal(50576), M: Decimal(64825)},
    )


@pytest.fixture
def table_with_intermediate() -> None:
    """A made-up 2030 table with its intermediate ceilings (round figures)."""
    IncomeCeilingFactory(year=2030, category=VM)
    IncomeCeilingFactory(
        year=2030,
        category=M,
        one_person=Decimal(25000),
        two_people=Decimal(36000),
        three_people=Decimal(43000),
        four_people=Decimal(50000),
        five_people=Decimal(57000),
        per_extra_person=Decimal(7000),
    )
    IncomeCeilingFactory(
        year=2030,
        category=INT,
        one_person=Decimal(35000),
        two_people=Decimal(50000),
        three_people=Decimal(60000),
        four_people=Decimal(70000),
        five_people=Decimal(80000),
        per_extra_person=Decimal(10000),
    )


@pytest.mark.parametrize(
    ("size", "ceilings"),
    [
        (1, (20000, 25000, 35000)),
        (4, (42000, 50000, 70000)),
        (5, (48000, 57000, 80000)),
        (7, (60000, 71000, 100000)),
    ],
)
def test_with_the_intermediate_table_every_ceiling_is_a_boundary(
    table_with_intermediate: None, size: int, ceilings: tuple[int, int, int]
) -> None:
    very_modest, modest, intermediate = (Decimal(c) for c in ceilings)
    assert category(very_modest, size, year=2030) == VM
    assert category(very_modest + CENT, size, year=2030) == M
    assert category(modest, size, year=2030) == M
    assert category(modest + CENT, size, year=2030) == INT
    assert category(intermediate - CENT, size, year=2030) == INT
    assert category(intermediate, size, year=2030) == INT
    assert category(intermediate + CENT, size, year=2030) == ABOVE


def test_a_year_without_its_table_is_refused_with_the_table_named() -> None:
    with pytest.raises(MissingReferenceData) as error:
        category(Decimal(10000), 1, year=2026)
    assert str(error.value).startswith("Le barème Anah 2026 (hors Île-de-France) n'est pas chargé")


def test_a_zone_without_its_table_is_refused_with_the_zone_named(table_with_intermediate: None) -> None:
    with pytest.raises(MissingReferenceData, match=r"Le barème Anah 2030 \(Île-de-France\) n'est pas chargé"):
        category(Decimal(10000), 1, zone=Zone.IDF, year=2030)


def test_a_table_missing_its_modest_row_is_refused() -> None:
    IncomeCeilingFactory(year=2031, category=VM)
    with pytest.raises(MissingReferenceData, match="modestes"):
        category(Decimal(10000), 1, year=2031)


def test_the_same_income_changes_category_with_the_year_of_the_table(table_with_intermediate: None) -> None:
    # 19 000 € for one person: modest in the 2025 table, very modest in the (made-up) 2030 one.
    assert category(Decimal(19000), 1, year=2025) == M
    assert category(Decimal(19000), 1, year=2030) == VM


def test_latest_table_year_is_the_latest_loaded_for_the_zone(table_with_intermediate: None) -> None:
    assert latest_table_year(Zone.OTHER) == 2030
    assert latest_table_year(Zone.IDF) == 2025
