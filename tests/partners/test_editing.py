"""Managers keep the directory up to date: organisations, contacts, mandates and offers. Stale forms are
refused with who changed what; inconsistent dates are refused in French, by the form and the database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partners import services
from partners.models import Mandate, MandateRole, Offer, Organisation, Person, Theme
from tests.factories import CommuneFactory
from tests.partners import objects


def person_data(person: Person, **changes: object) -> dict[str, object]:
    data = {
        "organisation": person.organisation_id,
        "civility": person.civility,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "function": person.function,
        "email": person.email,
        "phone": person.phone,
        "notes": person.notes,
        "version": person.version,
    }
    data.update(changes)
    return data


def test_manager_adds_a_partner_organisation(client_for, manager) -> None:
    response = client_for("manager").post(
        "/partenaires/nouveau/",
        {"name": "Chambre de commerce et d'industrie de la Haute-Marne", "kind": "other", "siren": ""},
    )
    organisation = Organisation.objects.get(name="Chambre de commerce et d'industrie de la Haute-Marne")
    assert response["Location"] == f"/partenaires/{organisation.pk}/"
    assert organisation.siren is None and organisation.version == 1
    assert organisation.history.get().history_user == manager


def test_a_commune_cannot_be_created_from_the_directory(client_for, manager) -> None:
    response = client_for("manager").post("/partenaires/nouveau/", {"name": "Wassy bis", "kind": "commune"})
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="Wassy bis").exists()
    with pytest.raises(ValidationError) as error:
        services.organisation_create(by=manager, kind="epci", name="CC fictive")
    assert error.value.message_dict == {
        "kind": ["Les communes et les intercommunalités viennent de la géographie officielle (import)."]
    }


def test_manager_adds_a_contact_to_a_commune_and_the_history_says_who(client_for, manager, territory) -> None:
    client = client_for("manager")
    response = client.post(
        f"/partenaires/{territory.wassy.pk}/contacts/nouveau/",
        {
            "organisation": territory.wassy.pk,
            "civility": "m",
            "first_name": "Olivier",
            "last_name": "Mercier",
            "function": "Directeur général des services",
            "email": "dgs@wassy.example",
        },
    )
    person = Person.objects.get(last_name="Mercier")
    assert response["Location"] == f"/partenaires/contacts/{person.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Le contact a été ajouté." in page
    assert "Monsieur Olivier Mercier" in page
    assert "Création</strong> le" in page and "par Camille Martin" in page


def test_a_contact_edited_from_a_stale_page_is_refused_and_says_who_changed_what(
    client_for, manager, territory
) -> None:
    person = objects.anah_contact(territory)
    client = client_for("manager")
    stale = person_data(person, phone="03 53 01 00 99")
    client.post(
        f"/partenaires/contacts/{person.pk}/modifier/",
        person_data(person, function="Chef du service habitat"),
    )
    response = client.post(f"/partenaires/contacts/{person.pk}/modifier/", stale)
    assert response.status_code == 200
    page = response.content.decode()
    assert "« Karim Benali » a été modifié par Camille Martin" in page
    assert "Champs modifiés : fonction." in page
    person.refresh_from_db()
    assert (person.function, person.phone, person.version) == ("Chef du service habitat", "", 2)


def test_a_mandate_that_ends_before_it_starts_is_refused_in_french(client_for, manager, territory) -> None:
    person = objects.wassy_mayor_contact(territory)
    response = client_for("manager").post(
        f"/partenaires/contacts/{person.pk}/mandats/nouveau/",
        {
            "role": MandateRole.DEPUTY_MAYOR,
            "organisation": territory.wassy.pk,
            "valid_from": "2026-03-28",
            "valid_until": "27/03/2026",
        },
    )
    assert response.status_code == 200
    assert "La fin du mandat ne peut pas précéder son début." in response.content.decode()
    assert not Mandate.objects.filter(person=person).exists()


def test_the_database_refuses_a_mandate_ending_before_it_starts_too(territory) -> None:
    mandate = objects.wassy_mayor_mandate(territory)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.filter(pk=mandate.pk).update(valid_until=datetime.date(2020, 1, 1))


def test_ending_a_mandate_keeps_it_with_its_dates(client_for, manager, territory) -> None:
    mandate = objects.wassy_mayor_mandate(territory)
    response = client_for("manager").post(
        f"/partenaires/mandats/{mandate.pk}/modifier/",
        {
            "role": MandateRole.MAYOR,
            "title": "",
            "organisation": territory.wassy.pk,
            "valid_from": "2026-03-28",
            "valid_until": "2026-11-27",
            "version": mandate.version,
        },
    )
    assert response["Location"] == f"/partenaires/contacts/{mandate.person_id}/"
    mandate.refresh_from_db()
    assert mandate.valid_until == datetime.date(2026, 11, 27) and mandate.version == 2
    assert not Mandate.objects.current_on(datetime.date(2026, 11, 28)).filter(pk=mandate.pk).exists()


def test_a_contact_cannot_be_moved_to_an_organisation_out_of_scope(client_for, manager, territory) -> None:
    person = objects.anah_contact(territory)
    response = client_for("manager").post(
        f"/partenaires/contacts/{person.pk}/modifier/",
        person_data(person, organisation=territory.other_commune.pk),
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide." in response.content.decode()
    person.refresh_from_db()
    assert person.organisation == territory.anah


def offer_data(organisation: Organisation, **changes: object) -> dict[str, object]:
    data = {
        "organisation": organisation.pk,
        "name": "Aide à l'ingénierie commerce",
        "kind": "funding",
        "themes": [Theme.objects.get(code="commerce").pk],
        "code": "",
        "max_rate_percent": "75",
        "cap_amount": "45000",
        "cap_period": "par an",
        "valid_from": "",
        "valid_until": "2026-03-31",
    }
    data.update(changes)
    return data


def test_manager_adds_an_offer_typed_in_percent_and_stored_as_a_fraction(
    client_for, manager, territory
) -> None:
    client = client_for("manager")
    response = client.post("/partenaires/offres/nouvelle/", offer_data(territory.anah))
    offer = Offer.objects.get(name="Aide à l'ingénierie commerce")
    assert response["Location"] == f"/partenaires/offres/{offer.pk}/"
    assert (offer.max_rate, offer.cap_amount, offer.code) == (Decimal("0.75"), Decimal(45000), None)
    assert [t.code for t in offer.themes.all()] == ["commerce"]
    page = client.get(f"/partenaires/offres/{offer.pk}/modifier/").content.decode()
    assert 'name="max_rate_percent" value="75"' in page


def test_an_offer_edit_changes_its_themes_and_keeps_the_history(client_for, manager, territory) -> None:
    offer = Offer.objects.get(code="bdt-amp")
    client = client_for("manager")
    data = offer_data(
        offer.organisation,
        name=offer.name,
        kind=offer.kind,
        code=offer.code,
        themes=[Theme.objects.get(code="transversal").pk, Theme.objects.get(code="habitat").pk],
        max_rate_percent="",
        cap_amount="",
        valid_until="",
        version=offer.version,
    )
    response = client.post(f"/partenaires/offres/{offer.pk}/modifier/", data)
    assert response.status_code == 302
    offer.refresh_from_db()
    assert sorted(offer.themes.values_list("code", flat=True)) == ["habitat", "transversal"]
    assert offer.version == 2
    page = client.get(f"/partenaires/offres/{offer.pk}/").content.decode()
    assert "Rénovation de l&#x27;habitat, Transversal" in page  # the history's Thèmes line, old → new


def test_a_stale_offer_form_is_refused(client_for, manager, territory) -> None:
    offer = Offer.objects.get(code="detr")
    client = client_for("manager")
    common = {"name": offer.name, "kind": offer.kind, "code": offer.code, "version": offer.version}
    client.post(
        f"/partenaires/offres/{offer.pk}/modifier/",
        offer_data(
            offer.organisation,
            **common,
            max_rate_percent="",
            cap_amount="",
            valid_until="",
            url="https://exemple.fr/detr",
        ),
    )
    response = client.post(
        f"/partenaires/offres/{offer.pk}/modifier/",
        offer_data(
            offer.organisation, **common, max_rate_percent="", cap_amount="", valid_until="2027-01-01"
        ),
    )
    assert "Vos modifications n&#x27;ont pas été enregistrées" in response.content.decode()
    offer.refresh_from_db()
    assert offer.valid_until is None and offer.url == "https://exemple.fr/detr"


def test_an_offer_valid_until_before_its_start_is_refused_in_french(client_for, manager, territory) -> None:
    response = client_for("manager").post(
        "/partenaires/offres/nouvelle/",
        offer_data(territory.anah, valid_from="2026-06-01", valid_until="2026-01-01"),
    )
    assert response.status_code == 200
    assert "La fin de validité doit suivre son début." in response.content.decode()


@pytest.mark.parametrize("persona", ["referent", "partner"])
def test_readers_cannot_post_changes(client_for, persona, territory) -> None:
    person = objects.anah_contact(territory)
    client = client_for(persona)
    assert (
        client.post(
            f"/partenaires/contacts/{person.pk}/modifier/", person_data(person, last_name="X")
        ).status_code
        == 403
    )
    assert client.post("/partenaires/offres/nouvelle/", offer_data(territory.anah)).status_code == 403
    person.refresh_from_db()
    assert person.last_name == "Benali"


def test_services_validate_and_record_the_author(manager, territory) -> None:
    person = services.person_create(
        by=manager, organisation=territory.anah, first_name="Ana", last_name="Lyse"
    )
    mandate = services.mandate_create(
        by=manager,
        person=person,
        organisation=territory.anah,
        role=MandateRole.DIRECTOR,
        valid_from=datetime.date(2025, 1, 1),
    )
    assert mandate.history.get().history_user == manager
    with pytest.raises(ValidationError) as error:
        services.person_create(
            by=manager, organisation=territory.anah, first_name="", last_name="Sans prénom"
        )
    assert error.value.message_dict == {"first_name": ["Ce champ ne peut pas être vide."]}
    assert Person.objects.filter(last_name="Sans prénom").count() == 0


def test_forms_offer_only_organisations_involved_in_a_programme_among_communes_and_epcis(
    client_for, staff, territory
) -> None:
    CommuneFactory(name="Commune sans programme")
    page = client_for("staff").get(f"/partenaires/contacts/{objects.anah_contact(territory).pk}/modifier/")
    options = page.content.decode()
    assert ">Wassy</option>" in options and ">Agence nationale de l&#x27;habitat (Anah)</option>" in options
    assert "Commune sans programme" not in options
