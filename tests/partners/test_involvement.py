"""The partner page says what the partner takes part in across the user's programmes."""

from tests.factories import OfferFactory
from tests.programmes.factories import DocumentFactory, NeedFactory


def test_partner_page_lists_the_needs_that_mobilise_its_offers_in_the_users_scope_only(
    client_for, manager, territory
) -> None:
    offer = OfferFactory(organisation=territory.anah, name="Ingénierie habitat")
    NeedFactory(programme=territory.programme, title="Étude de vacance du centre-bourg", offer=offer)
    NeedFactory(programme=territory.other_programme, title="Besoin d'un autre territoire", offer=offer)
    DocumentFactory(
        programme=territory.programme, title="Étude pré-opérationnelle OPAH-RU", author=territory.anah
    )
    page = client_for("manager").get(f"/partenaires/{territory.anah.pk}/").content.decode()
    assert "Étude de vacance du centre-bourg" in page
    assert "Auteur de" in page and "Étude pré-opérationnelle OPAH-RU" in page
    assert "Besoin d&#x27;un autre territoire" not in page and "Besoin d'un autre territoire" not in page
