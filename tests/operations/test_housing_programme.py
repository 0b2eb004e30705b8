"""The housing programme page and its convention edits: targets grid saved in one transaction with the avenant in
history, refusals of bad input (negative amount, year outside the programme), sectors and top-up rules."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from operations.housing.models import EnvelopeKind, TargetCategory
from operations.housing.services.programmes import (
    HousingProgrammeError,
    housing_envelopes_save,
    housing_targets_save,
)
from operations.models import HousingEnvelope, HousingTarget
from tests.operations.housing_factories import HousingAmendmentFactory
from tests.operations.housing_rows import housing_rows


@pytest.fixture
def wassy(territory):
    return housing_rows(territory).wassy


def test_the_programme_page_shows_the_convention_without_any_household(wassy, client_for) -> None:
    page = client_for("referent").get(
        reverse("operations:housing_programme", kwargs={"pk": wassy.housing_programme.pk})
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Centre ancien W" in text and "Prime intercommunale" in text and "Avenant" in text
    assert "Famille Témoin" not in text and "rue des Tanneurs" not in text
    assert reverse("operations:housing_results", kwargs={"pk": wassy.housing_programme.pk}) in text
    assert "Modifier les objectifs" not in text


def test_the_manager_sees_the_edit_links_and_the_files(wassy, client_for) -> None:
    text = (
        client_for("manager")
        .get(reverse("operations:housing_programme", kwargs={"pk": wassy.housing_programme.pk}))
        .content.decode()
    )
    assert "Modifier les objectifs" in text
    assert reverse("operations:housing_files", kwargs={"pk": wassy.housing_programme.pk}) in text


def test_the_targets_grid_is_saved_at_once_with_its_avenant_in_history(wassy, manager, client_for) -> None:
    hp = wassy.housing_programme
    amendment = HousingAmendmentFactory(housing_programme=hp, number=2, subject="Révision des objectifs")
    response = client_for("manager").post(
        reverse("operations:housing_targets_edit", kwargs={"pk": hp.pk}),
        {
            f"t__{TargetCategory.PO_VERY_MODEST}__2026": "15",
            f"t__{TargetCategory.PO_MODEST}__2025": "8",
            "amendment": amendment.pk,
        },
    )
    assert response.status_code == 302
    targets = {(t.category, t.year): t for t in HousingTarget.objects.filter(housing_programme=hp)}
    assert targets[(TargetCategory.PO_VERY_MODEST, 2026)].count == 15
    assert targets[(TargetCategory.PO_MODEST, 2025)].amendment == amendment
    record = HousingTarget.history.filter(
        housing_programme_id=hp.pk, category=TargetCategory.PO_MODEST
    ).latest("history_date")
    assert record.history_user == manager and record.amendment_id == amendment.pk
    page = (
        client_for("manager")
        .get(reverse("operations:housing_programme", kwargs={"pk": hp.pk}))
        .content.decode()
    )
    assert "Avenant n° 2" in page and "Camille Martin" in page


def test_a_negative_target_refuses_the_whole_grid(wassy, client_for) -> None:
    hp = wassy.housing_programme
    response = client_for("manager").post(
        reverse("operations:housing_targets_edit", kwargs={"pk": hp.pk}),
        {f"t__{TargetCategory.PO_VERY_MODEST}__2026": "20", f"t__{TargetCategory.PO_MODEST}__2025": "-3"},
    )
    assert response.status_code == 200
    assert "Un objectif ne peut pas être négatif." in response.content.decode()
    assert HousingTarget.objects.get(pk=wassy.target.pk).count == 12


def test_a_year_outside_the_programme_leaves_nothing_half_saved(wassy, manager) -> None:
    hp = wassy.housing_programme
    with pytest.raises(HousingProgrammeError, match="en dehors de la période du dispositif"):
        housing_targets_save(
            housing_programme=hp,
            by=manager,
            counts={(TargetCategory.PO_VERY_MODEST, 2026): 30, (TargetCategory.PO_MODEST, 2031): 4},
        )
    assert HousingTarget.objects.get(pk=wassy.target.pk).count == 12


def test_a_negative_envelope_is_refused(wassy, manager, territory) -> None:
    hp = wassy.housing_programme
    with pytest.raises(HousingProgrammeError, match="négative"):
        housing_envelopes_save(
            housing_programme=hp,
            by=manager,
            amounts={
                (territory.anah.pk, EnvelopeKind.WORKS, 2025): Decimal(5000),
                (territory.epci.pk, EnvelopeKind.WORKS, 2026): Decimal(-1),
            },
        )
    assert not HousingEnvelope.objects.filter(housing_programme=hp, year=2025).exists()


def test_the_envelopes_grid_adds_a_funder_row(wassy, client_for, territory) -> None:
    hp = wassy.housing_programme
    response = client_for("manager").post(
        reverse("operations:housing_envelopes_edit", kwargs={"pk": hp.pk}),
        {"new_funder": territory.epci.pk, "new_kind": EnvelopeKind.WORKS, "new__2025": "25000"},
    )
    assert response.status_code == 302
    assert HousingEnvelope.objects.get(
        housing_programme=hp, funder=territory.epci, year=2025
    ).amount == Decimal("25000.00")


def test_the_manager_adds_an_avenant_a_sector_and_a_top_up(wassy, client_for, territory) -> None:
    hp = wassy.housing_programme
    client = client_for("manager")
    assert (
        client.post(
            reverse("operations:housing_amendment_create", kwargs={"pk": hp.pk}),
            {"signed_on": "2026-02-01", "subject": "Prorogation", "deliberation": ""},
        ).status_code
        == 302
    )
    assert hp.amendments.get(subject="Prorogation").number == 2
    assert (
        client.post(
            reverse("operations:housing_sector_create", kwargs={"pk": hp.pk}),
            {
                "name": "Îlot Notre-Dame",
                "commune": territory.wassy.pk,
                "streets": "Rue Notre-Dame",
                "in_ort": "on",
            },
        ).status_code
        == 302
    )
    assert hp.sectors.get(name="Îlot Notre-Dame").in_ort
    response = client.post(
        reverse("operations:housing_top_up_create", kwargs={"pk": hp.pk}),
        {
            "funder": territory.epci.pk,
            "label": "Prime façades",
            "base": "flat",
            "flat_amount": "1500",
            "valid_from": datetime.date(2026, 1, 1).isoformat(),
        },
    )
    assert response.status_code == 302
    assert hp.top_up_rules.get(label="Prime façades").flat_amount == Decimal("1500.00")


def test_the_manager_creates_the_future_opah_ru_of_wassy_carried_by_its_operation(
    territory, client_for
) -> None:
    from operations.models import HousingProgramme
    from tests.operations.factories import OperationFactory

    operation = OperationFactory(
        programme=territory.programme, code="PVD-02", title="OPAH-RU des centres-bourgs"
    )
    response = client_for("manager").post(
        reverse("operations:housing_programme_create", kwargs={"pk": territory.programme.pk}),
        {
            "kind": "opah_ru",
            "name": "OPAH-RU de Wassy 2027-2031",
            "owner": territory.epci.pk,
            "communes": [territory.wassy.pk],
            "starts_on": "2027-01-01",
            "ends_on": "2031-12-31",
            "operation": operation.pk,
        },
    )
    hp = HousingProgramme.objects.get(name="OPAH-RU de Wassy 2027-2031")
    assert response.status_code == 302 and response["Location"] == reverse(
        "operations:housing_programme", kwargs={"pk": hp.pk}
    )
    assert hp.programme == territory.programme and hp.operation == operation
    assert list(hp.communes.all()) == [territory.wassy]
    assert hp.history.first().history_user.full_name == "Camille Martin"
    # The programme page lists it with its fiche-action; the referent now reads it.
    page = (
        client_for("referent")
        .get(reverse("programme", kwargs={"pk": territory.programme.pk}))
        .content.decode()
    )
    assert "OPAH-RU de Wassy 2027-2031" in page and "PVD-02" in page
    assert (
        client_for("referent").get(reverse("operations:housing_programme", kwargs={"pk": hp.pk})).status_code
        == 200
    )


def test_a_housing_programme_cannot_reach_outside_the_programmes_intercommunality(
    territory, client_for
) -> None:
    from operations.models import HousingProgramme

    response = client_for("manager").post(
        reverse("operations:housing_programme_create", kwargs={"pk": territory.programme.pk}),
        {
            "kind": "pig",
            "name": "PIG débordant",
            "owner": territory.epci.pk,
            "communes": [territory.wassy.pk, territory.other_commune.pk],
            "starts_on": "2027-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "communes" in form.errors  # Joinville is not even offered: another EPCI
    assert form.errors["ends_on"] == ["La fin du dispositif doit suivre son début."]
    assert not HousingProgramme.objects.filter(name="PIG débordant").exists()


def test_a_stale_edit_of_the_housing_programme_is_refused_and_says_who_changed_it(wassy, client_for) -> None:
    hp = wassy.housing_programme
    url = reverse("operations:housing_programme_edit", kwargs={"pk": hp.pk})
    form_data = {
        "communes": [c.pk for c in hp.communes.all()],
        "perimeter_description": "Centre ancien",
        "retention_years": 5,
        "version": hp.version,
    }
    first = client_for("manager").post(url, form_data)
    assert first.status_code == 302
    second = client_for("staff").post(url, {**form_data, "perimeter_description": "Autre périmètre"})
    assert second.status_code == 200
    assert "a été modifié par Camille Martin" in second.content.decode()
    hp.refresh_from_db()
    assert hp.perimeter_description == "Centre ancien" and hp.version == 2
