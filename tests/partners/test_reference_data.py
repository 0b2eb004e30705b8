"""After `migrate`, the national PVD partners and their main offers are there, with the values DOMAIN.md
gives (§1.6, §1.7, §2.1) and nothing invented: rates, caps and dates it does not give stay empty."""

import datetime
import importlib
from decimal import Decimal

from django.apps import apps

from partners.models import Offer, Organisation

reference = importlib.import_module("partners.migrations.0005_national_partners_and_offers")


def test_the_national_partners_exist_once_with_the_names_the_demo_uses(db) -> None:
    from partners.demo import PARTNERS

    demo = {name: (kind, website) for name, kind, website in PARTNERS}
    for name, kind, website in reference.ORGANISATIONS:
        assert Organisation.objects.filter(name=name, kind=kind).count() == 1, name
        assert demo[name] == (kind, website), name  # the demo's upsert finds it and changes nothing


def test_the_chef_de_projet_co_financing_has_the_domain_values(db) -> None:
    offer = Offer.objects.get(code="pvd-chef-de-projet")
    assert offer.organisation.name == "Agence nationale de la cohésion des territoires (ANCT)"
    assert (offer.kind, offer.max_rate, offer.cap_amount) == (
        "funding",
        Decimal("0.7500"),
        Decimal("45000.00"),
    )
    assert offer.cap_period == "par an (55 000 € par an avec l'Anah)"
    assert (offer.valid_from, offer.valid_until) == (None, datetime.date(2026, 3, 31))
    assert [theme.code for theme in offer.themes.all()] == ["transversal"]


def test_the_anah_offers_have_the_domain_values(db) -> None:
    share = Offer.objects.get(code="anah-chef-de-projet-pvd")
    assert (share.max_rate, share.cap_amount, share.valid_until) == (
        Decimal("0.5000"),
        Decimal("40000.00"),
        datetime.date(2026, 3, 31),
    )
    opah_ru = Offer.objects.get(code="anah-chef-de-projet-opah-ru")
    assert (opah_ru.max_rate, opah_ru.cap_amount, opah_ru.valid_until) == (
        Decimal("0.5000"),
        Decimal("80000.00"),
        None,
    )
    assert opah_ru.cap_period == "de dépense HT par an (assiette)"


def test_the_manager_de_commerce_is_capped_at_40_000_over_two_years(db) -> None:
    offer = Offer.objects.get(code="manager-de-commerce")
    assert (offer.cap_amount, offer.cap_period, offer.max_rate) == (Decimal("40000.00"), "sur 2 ans", None)


def test_state_grants_are_funding_schemes_with_a_code(db) -> None:
    grants = {o.code: o for o in Offer.objects.filter(code__in=["detr", "dsil", "fonds-vert", "fnadt"])}
    assert sorted(grants) == ["detr", "dsil", "fnadt", "fonds-vert"]
    assert {o.kind for o in grants.values()} == {"funding"}
    assert grants["detr"].legal_reference == grants["dsil"].legal_reference == "CGCT art. R2334-27"
    assert grants["fnadt"].organisation.name == "Agence nationale de la cohésion des territoires (ANCT)"


def test_no_rate_cap_or_date_is_invented(db) -> None:
    with_values = {
        code
        for code, rate, cap, start, end in Offer.objects.filter(
            code__in=[r["code"] for r in reference.OFFERS]
        ).values_list("code", "max_rate", "cap_amount", "valid_from", "valid_until")
        if any(v is not None for v in (rate, cap, start, end))
    }
    assert with_values == {
        "pvd-chef-de-projet",
        "anah-chef-de-projet-pvd",
        "anah-chef-de-projet-opah-ru",
        "manager-de-commerce",
    }


def test_every_offer_has_at_least_one_theme_and_the_shipped_count(db) -> None:
    shipped = Offer.objects.filter(code__in=[r["code"] for r in reference.OFFERS])
    assert shipped.count() == len(reference.OFFERS) == 29
    assert not shipped.filter(themes__isnull=True).exists()


def test_running_the_data_migration_again_duplicates_nothing_and_keeps_edits(db) -> None:
    Offer.objects.filter(code="detr").update(description="Texte revu par la cheffe de projet")
    counts = (Organisation.objects.count(), Offer.objects.count())
    reference.add_reference_data(apps, None)
    assert (Organisation.objects.count(), Offer.objects.count()) == counts
    assert Offer.objects.get(code="detr").description == "Texte revu par la cheffe de projet"
