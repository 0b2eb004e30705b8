"""The manager edits the programme's key dates; stale forms and contradictory dates are refused."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from programmes.models import Programme


def form_data(programme: Programme, **changes: object) -> dict[str, object]:
    data = {
        "selected_on": "2020-12-14",
        "adhesion_signed_on": "2021-10-29",
        "framework_signed_on": "2023-03-30",
        "ends_on": "2026-12-31",
        "description": "Revitalisation des centres-bourgs.",
        "version": programme.version,
    }
    data.update(changes)
    return data


def test_manager_extends_the_programme_and_the_history_says_who(client_for, manager, territory) -> None:
    programme = territory.programme
    client = client_for("manager")
    response = client.post(
        f"/programmes/{programme.pk}/modifier/", form_data(programme, ends_on="2027-12-31")
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.ends_on == datetime.date(2027, 12, 31)
    assert programme.version == 2
    last = programme.history.latest()
    assert last.history_user == manager
    page = client.get(f"/programmes/{programme.pk}/").content.decode()
    assert "Les dates clés du programme ont été enregistrées." in page
    assert (
        "Camille Martin" in page and "31/12/2026" in page and "31/12/2027" in page
    )  # old → new in Historique


def test_dates_can_be_typed_the_french_way(client_for, manager, territory) -> None:
    programme = territory.programme
    client_for("manager").post(
        f"/programmes/{programme.pk}/modifier/", form_data(programme, ends_on="30/06/2027")
    )
    programme.refresh_from_db()
    assert programme.ends_on == datetime.date(2027, 6, 30)


def test_a_stale_form_is_refused_and_says_who_changed_what(client_for, manager, territory) -> None:
    programme = territory.programme
    client = client_for("manager")
    stale = form_data(programme, ends_on="2028-01-01")
    client.post(
        f"/programmes/{programme.pk}/modifier/", form_data(programme, framework_signed_on="2023-04-15")
    )
    response = client.post(f"/programmes/{programme.pk}/modifier/", stale)
    assert response.status_code == 200
    page = response.content.decode()
    assert "a été modifié par Camille Martin" in page
    assert "Champs modifiés : signature de la convention-cadre valant ORT, présentation." in page
    assert "Vos modifications n&#x27;ont pas été enregistrées" in page
    programme.refresh_from_db()
    assert programme.ends_on == datetime.date(2026, 12, 31)  # the stale change did not land
    assert programme.framework_signed_on == datetime.date(2023, 4, 15)


def test_a_convention_cadre_before_the_adhesion_is_refused_in_french(client_for, manager, territory) -> None:
    programme = territory.programme
    response = client_for("manager").post(
        f"/programmes/{programme.pk}/modifier/", form_data(programme, framework_signed_on="2021-01-01")
    )
    assert response.status_code == 200
    assert (
        "La convention-cadre ne peut pas être signée avant la convention d&#x27;adhésion."
        in response.content.decode()
    )
    programme.refresh_from_db()
    assert programme.framework_signed_on is None and programme.version == 1


def test_the_database_refuses_inconsistent_dates_too(territory) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=territory.programme.pk).update(ends_on=datetime.date(2020, 1, 1))


@pytest.mark.parametrize("persona", ["referent", "partner"])
def test_readers_cannot_post_changes(client_for, persona, territory) -> None:
    programme = territory.programme
    response = client_for(persona).post(
        f"/programmes/{programme.pk}/modifier/", form_data(programme, ends_on="2030-01-01")
    )
    assert response.status_code == 403
    programme.refresh_from_db()
    assert programme.ends_on == datetime.date(2026, 12, 31)


def test_out_of_scope_users_cannot_even_see_it_exists(client_for, outsider, territory) -> None:
    programme = territory.programme
    assert (
        client_for("outsider").post(f"/programmes/{programme.pk}/modifier/", form_data(programme)).status_code
        == 404
    )
