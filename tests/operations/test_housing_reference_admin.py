"""The administration of housing reference data: a year's Anah ceilings loaded from a pasted table (validated,
all or nothing, with French errors), the aid versions with their "in force today" filter; household files are
not in the administration (their reads go through the app, where they are logged)."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from operations.housing.income import income_category
from operations.housing.models import IncomeCategory, Zone
from operations.models import HousingFile, IncomeCeiling

pytestmark = pytest.mark.django_db

TABLE_2026 = """zone;catégorie;1;2;3;4;5;par personne
hors Île-de-France;très modestes;17 363;25 393;30 540;35 335;40 834;5 151
hors Île-de-France;modestes;22 259;32 553;39 148;45 296;52 350;6 598
hors Île-de-France;intermédiaires;31 185;45 842;55 196;64 550;73 907;9 357
Île-de-France;très modestes;24 031;35 270;42 357;49 455;56 580;7 116
idf;modest;29 253;42 933;51 564;60 208;68 877,50;8 663
"""


def load(client: object, table: str, year: str = "2026") -> object:
    return client.post(
        reverse("admin:operations_incomeceiling_load"),
        {"year": year, "source": "Arrêté d'essai", "table": table},
        follow=True,
    )


def test_staff_loads_a_year_table_and_the_category_uses_it(client_for: object) -> None:
    response = load(client_for("staff"), TABLE_2026)
    assert "Barème 2026 chargé : 5 ligne(s)" in response.content.decode()
    row = IncomeCeiling.objects.get(year=2026, zone=Zone.IDF, category=IncomeCategory.MODEST)
    assert (row.five_people, row.per_extra_person, row.source) == (
        Decimal("68877.50"),
        Decimal(8663),
        "Arrêté d'essai",
    )
    assert row.history.latest().history_user.is_staff
    result = income_category(reference_income=Decimal(40000), household_size=1, zone=Zone.OTHER, year=2026)
    assert result.category == IncomeCategory.ABOVE


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("hors IDF;très modestes;1;2;3", "Ligne 1 : 5 colonnes au lieu de 8"),
        ("Lune;très modestes;1;2;3;4;5;6", "zone « Lune » inconnue"),
        ("idf;aisés;1;2;3;4;5;6", "catégorie « aisés » inconnue"),
        ("idf;modestes;1;deux;3;4;5;6", "montant « deux » illisible"),
        ("idf;modestes;5;4;3;4;5;6", "ne peut pas baisser quand le ménage compte plus de personnes"),
        (
            "idf;modestes;1;2;3;4;5;6\nidf;modest;1;2;3;4;5;6",
            "Ligne 2 : la zone et la catégorie figurent déjà",
        ),
        ("zone;catégorie;1;2;3;4;5;par personne", "Aucune ligne de plafonds"),
    ],
)
def test_a_faulty_table_is_refused_whole_with_a_french_error(
    client_for: object, table: str, message: str
) -> None:
    response = load(client_for("staff"), table)
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not IncomeCeiling.objects.filter(year=2026).exists()


def test_one_faulty_line_refuses_the_whole_table(client_for: object) -> None:
    response = load(client_for("staff"), TABLE_2026 + "idf;intermédiaires;1;2;3;4;5\n")
    assert "Ligne 7 : 7 colonnes au lieu de 8" in response.content.decode()
    assert not IncomeCeiling.objects.filter(year=2026).exists()


def test_a_year_already_loaded_is_not_loaded_twice(client_for: object) -> None:
    response = load(client_for("staff"), TABLE_2026, year="2025")
    assert "Ce plafond existe déjà pour cette année" in response.content.decode()
    assert IncomeCeiling.objects.filter(year=2025).count() == 4
    assert IncomeCeiling.objects.get(year=2025, zone=Zone.OTHER, category="very_modest").one_person == 17173


def test_the_changelist_links_to_the_loading_page(client_for: object) -> None:
    html = client_for("staff").get(reverse("admin:operations_incomeceiling_changelist")).content.decode()
    assert reverse("admin:operations_incomeceiling_load") in html
    assert "Charger le barème d'une année" in html


def test_only_staff_reaches_the_loading_page(client_for: object) -> None:
    response = client_for("manager").get(reverse("admin:operations_incomeceiling_load"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_aid_versions_filter_those_in_force_today(client_for: object) -> None:
    url = reverse("admin:operations_aidscheme_changelist")
    client = client_for("staff")
    everything = client.get(url).content.decode()
    assert "Ma Prime Logement Décent" in everything
    today = client.get(url, {"en_vigueur": "oui"}).content.decode()
    assert "Ma Prime Logement Décent" not in today  # ended 31/12/2025


def test_household_files_are_not_in_the_administration() -> None:
    assert HousingFile not in admin.site._registry
