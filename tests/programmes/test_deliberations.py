"""Deliberations and ORT perimeters (issue 9): the lists with the state of each act and the conventions it
authorises, recording and editing (PDF only, dates in order, stale forms refused), the guarded downloads and the
lists' query budgets."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.conventions.models import ConventionKind, ConventionStatus
from programmes.models import DeliberatingBody, Deliberation, OrtSector
from programmes.services import deliberations as services
from tests.conftest import Territory
from tests.factories import ProgrammeFactory
from tests.operations.convention_factories import (
    ConventionFactory,
    DeliberationFactory,
    OrtSectorFactory,
    SignatoryFactory,
)
from tests.operations.convention_rows import convention_rows
from tests.programmes.factories import PDF_BYTES, pdf_file

D = datetime.date
PNG_BYTES = bytes.fromhex("89504E470D0A1A0A") + b"\x00" * 32


def deliberation_data(territory: Territory, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "organisation": territory.wassy.pk,
        "body": DeliberatingBody.MUNICIPAL_COUNCIL,
        "number": "2026-051",
        "adopted_on": "2026-05-12",
        "subject": "Avenant n° 1 à la convention-cadre : approbation et autorisation de signature",
        "published_on": "",
        "transmitted_on": "",
    }
    data.update(overrides)
    return data


# --- The list ------------------------------------------------------------------------------------------------


def test_the_list_tells_which_deliberations_are_enforceable_and_what_is_missing(
    client_for, manager, territory: Territory
) -> None:
    DeliberationFactory(organisation=territory.epci, programme=territory.programme, number="CC-2026-01")
    DeliberationFactory(
        organisation=territory.wassy,
        programme=territory.programme,
        number="2026-051",
        published_on=None,
        transmitted_on=None,
    )
    DeliberationFactory(organisation=territory.other_commune, programme=territory.other_programme)
    response = client_for("manager").get(reverse("programmes:deliberations", args=[territory.programme.pk]))
    states = {d.number: (d.enforceable_on, d.missing_formalities) for d in response.context["deliberations"]}
    assert states == {
        "CC-2026-01": (D(2026, 3, 13), []),
        "2026-051": (None, ["la publication", "la transmission au préfet"]),
    }
    content = response.content.decode()
    assert "depuis le 13/03/2026" in content
    assert "Pas encore exécutoire</span> : manque la publication et la transmission au préfet" in content
    assert "Nouvelle délibération" in content


def test_a_mayor_sees_next_to_a_deliberation_only_the_conventions_he_may_read(
    client_for, mayor_of_wassy, territory: Territory
) -> None:
    rows = convention_rows(territory)
    SignatoryFactory(convention=rows.draft, organisation=territory.wassy, deliberation=rows.deliberation)
    response = client_for("mayor_of_wassy").get(
        reverse("programmes:deliberations", args=[territory.programme.pk])
    )
    wassy = next(d for d in response.context["deliberations"] if d.pk == rows.deliberation.pk)
    assert [s.convention.title for s in wassy.visible_signatories] == ["Convention d'adhésion PVD"]
    assert "Convention-cadre PVD valant ORT" not in response.content.decode()
    assert "Nouvelle délibération" not in response.content.decode()


def test_the_deliberation_page_lists_the_conventions_it_authorises(client_for, manager, territory) -> None:
    rows = convention_rows(territory)
    response = client_for("manager").get(reverse("programmes:deliberation", args=[rows.deliberation.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert [s.convention for s in response.context["deliberation"].visible_signatories] == [rows.signed]
    assert "Convention d&#x27;adhésion PVD" in content
    assert reverse("operations:convention", args=[rows.signed.pk]) in content
    assert "Historique" in content


# --- Recording and editing -----------------------------------------------------------------------------------


def test_manager_records_a_deliberation_with_its_pdf(client_for, manager, territory: Territory) -> None:
    data = deliberation_data(territory, file=SimpleUploadedFile("deliberation.pdf", PDF_BYTES))
    response = client_for("manager").post(
        reverse("programmes:deliberation_create", args=[territory.programme.pk]), data
    )
    deliberation = Deliberation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:deliberation", args=[deliberation.pk])
    assert deliberation.programme == territory.programme
    assert deliberation.file.read() == PDF_BYTES
    assert deliberation.enforceable_on is None
    assert deliberation.history.latest().history_user == manager


def test_a_deliberation_file_must_be_a_pdf(client_for, manager, territory: Territory) -> None:
    data = deliberation_data(territory, file=SimpleUploadedFile("scan.png", PNG_BYTES))
    response = client_for("manager").post(
        reverse("programmes:deliberation_create", args=[territory.programme.pk]), data
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Le format « PNG » n'est pas accepté ici. Formats acceptés : PDF."
    ]
    assert Deliberation.objects.count() == 0


def test_a_publication_before_the_adoption_is_refused_in_french(client_for, manager, territory) -> None:
    data = deliberation_data(territory, published_on="2026-05-01")
    response = client_for("manager").post(
        reverse("programmes:deliberation_create", args=[territory.programme.pk]), data
    )
    assert response.status_code == 200
    assert "La publication ne peut pas précéder l'adoption." in response.context["form"].non_field_errors()
    assert Deliberation.objects.count() == 0


def test_only_a_local_authority_deliberates(manager, territory: Territory) -> None:
    with pytest.raises(ValidationError) as refusal:
        services.deliberation_create(
            programme=territory.programme,
            by=manager,
            organisation=territory.anah,
            body=DeliberatingBody.BOARD,
            number="CA-2026-3",
            adopted_on=D(2026, 3, 1),
            subject="Convention",
        )
    assert refusal.value.message_dict == {"organisation": ["Seule une collectivité délibère."]}


def test_the_organisation_choices_are_local_authorities(client_for, manager, territory: Territory) -> None:
    response = client_for("manager").get(
        reverse("programmes:deliberation_create", args=[territory.programme.pk])
    )
    choices = set(response.context["form"].fields["organisation"].queryset)
    assert {territory.epci, territory.wassy, territory.la_porte_du_der} <= choices
    assert territory.anah not in choices


def test_recording_the_transmission_makes_the_deliberation_enforceable(
    client_for, manager, territory
) -> None:
    deliberation = DeliberationFactory(
        organisation=territory.wassy, programme=territory.programme, number="2026-051", transmitted_on=None
    )
    url = reverse("programmes:deliberation_edit", args=[deliberation.pk])
    data = deliberation_data(
        territory, adopted_on="2026-03-10", published_on="2026-03-12", transmitted_on="2026-03-20", version=1
    )
    response = client_for("manager").post(url, data)
    assert response.status_code == 302
    deliberation.refresh_from_db()
    assert deliberation.enforceable_on == D(2026, 3, 20)
    assert deliberation.version == 2


def test_a_stale_deliberation_edit_is_refused_and_changes_nothing(client_for, manager, territory) -> None:
    deliberation = DeliberationFactory(
        organisation=territory.wassy, programme=territory.programme, number="2026-051"
    )
    url = reverse("programmes:deliberation_edit", args=[deliberation.pk])
    client = client_for("manager")
    base = {"adopted_on": "2026-03-10", "published_on": "2026-03-12", "transmitted_on": "2026-03-13"}
    assert (
        client.post(url, deliberation_data(territory, subject="Premier objet", version=1, **base)).status_code
        == 302
    )
    second = client.post(
        url, deliberation_data(territory, subject="Autre saisie", version=1, **base), follow=True
    )
    deliberation.refresh_from_db()
    assert deliberation.subject == "Premier objet"
    message = [str(m) for m in second.context["messages"]][-1]
    assert "a été modifié par Camille Martin le " in message


def test_the_referent_cannot_record_a_deliberation(client_for, referent, territory: Territory) -> None:
    url = reverse("programmes:deliberation_create", args=[territory.programme.pk])
    assert client_for("referent").post(url, deliberation_data(territory)).status_code == 403
    assert Deliberation.objects.count() == 0


def test_the_deliberation_file_is_downloaded_through_the_policy(
    client_for, mayor_of_wassy, mayor_of_la_porte_du_der, territory: Territory
) -> None:
    deliberation = DeliberationFactory(
        organisation=territory.wassy, programme=territory.programme, file=pdf_file("deliberation.pdf")
    )
    url = reverse("programmes:deliberation", args=[deliberation.pk]) + "?fichier"
    response = client_for("mayor_of_wassy").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert client_for("mayor_of_la_porte_du_der").get(url).status_code == 404


def grow_deliberations(territory: Territory, factor: int) -> None:
    """Deliberations of the programme, each authorising two conventions, and others elsewhere."""
    for n in range(3 * factor):
        deliberation = DeliberationFactory(organisation=territory.wassy, programme=territory.programme)
        for kind in (ConventionKind.ADHESION, ConventionKind.PARTNER):
            convention = ConventionFactory(
                programme=territory.programme,
                kind=kind,
                status=ConventionStatus.REVIEW,
                title=f"C {n} {kind}",
            )
            SignatoryFactory(convention=convention, organisation=territory.wassy, deliberation=deliberation)
        DeliberationFactory(organisation=territory.other_commune, programme=ProgrammeFactory())


@pytest.mark.parametrize("factor", [1, 10])
def test_deliberation_list_query_budget_is_flat(
    client_for, manager, territory: Territory, factor: int, django_assert_num_queries
) -> None:
    grow_deliberations(territory, factor)
    client = client_for("manager")
    url = reverse("programmes:deliberations", args=[territory.programme.pk])
    # session, user, memberships (scope), programme + EPCI, its communes, deliberations + authority,
    # their visible signatories + convention, menu: programmes, session refresh (savepoint, update, release)
    with django_assert_num_queries(12):  # +1: the bell's unread count (issue 8)
        response = client.get(url)
    assert len(response.context["deliberations"]) == 3 * factor
    assert all(len(d.visible_signatories) == 2 for d in response.context["deliberations"])


# --- ORT perimeters ------------------------------------------------------------------------------------------


def sector_data(territory: Territory, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Centre de La Porte du Der (Montier-en-Der)",
        "commune": territory.la_porte_du_der.pk,
        "is_town_centre": "on",
        "description": "Place de l'Hôtel de ville, rue de l'Isle.",
        "order": "2",
    }
    data.update(overrides)
    return data


def test_the_perimeters_page_recalls_the_legal_rule(client_for, mayor_of_la_porte_du_der, territory) -> None:
    convention_rows(territory)
    response = client_for("mayor_of_la_porte_du_der").get(
        reverse("programmes:ort_sectors", args=[territory.programme.pk])
    )
    content = response.content.decode()
    assert [s.name for s in response.context["sectors"]] == ["Centre-ville de Wassy"]
    assert "L303-2" in content
    assert "Ajouter un secteur" not in content


def test_manager_adds_a_sector_with_its_map(client_for, manager, territory: Territory) -> None:
    data = sector_data(territory, map_file=SimpleUploadedFile("perimetre.png", PNG_BYTES))
    response = client_for("manager").post(
        reverse("programmes:ort_sector_create", args=[territory.programme.pk]), data
    )
    assert response.status_code == 302
    sector = OrtSector.objects.get()
    assert sector.commune == territory.la_porte_du_der
    assert sector.map_file.read() == PNG_BYTES
    download = client_for("manager").get(
        reverse("programmes:ort_sectors", args=[territory.programme.pk]) + f"?carte={sector.pk}"
    )
    assert download["Content-Type"] == "image/png"


def test_a_map_must_be_a_pdf_or_an_image(client_for, manager, territory: Territory) -> None:
    docx = SimpleUploadedFile("plan.odt", b"PK\x03\x04" + b"\x00" * 30)
    response = client_for("manager").post(
        reverse("programmes:ort_sector_create", args=[territory.programme.pk]),
        sector_data(territory, map_file=docx),
    )
    assert response.status_code == 200
    assert "map_file" in response.context["form"].errors
    assert OrtSector.objects.count() == 0


def test_a_sector_outside_the_programme_communes_is_refused(client_for, manager, territory) -> None:
    response = client_for("manager").post(
        reverse("programmes:ort_sector_create", args=[territory.programme.pk]),
        sector_data(territory, commune=territory.saint_dizier.pk),
    )
    assert response.status_code == 200
    assert "commune" in response.context["form"].errors
    assert OrtSector.objects.count() == 0


def test_a_stale_sector_edit_is_refused(client_for, manager, territory: Territory) -> None:
    sector = OrtSectorFactory(programme=territory.programme, commune=territory.wassy, name="Centre")
    url = reverse("programmes:ort_sector_edit", args=[sector.pk])
    client = client_for("manager")
    assert client.post(url, sector_data(territory, name="Centre ancien", version=1)).status_code == 302
    client.post(url, sector_data(territory, name="Autre", version=1))
    sector.refresh_from_db()
    assert sector.name == "Centre ancien"


@pytest.mark.parametrize("factor", [1, 10])
def test_ort_sector_list_query_budget_is_flat(
    client_for, manager, territory: Territory, factor: int, django_assert_num_queries
) -> None:
    for n in range(3 * factor):
        OrtSectorFactory(programme=territory.programme, commune=territory.wassy, name=f"Secteur {n}")
        OrtSectorFactory(programme=territory.other_programme, commune=territory.other_commune)
    client = client_for("manager")
    url = reverse("programmes:ort_sectors", args=[territory.programme.pk])
    # session, user, memberships (scope), programme + EPCI, its communes, sectors + commune,
    # menu: programmes, session refresh (savepoint, update, release)
    with django_assert_num_queries(11):  # +1: the bell's unread count (issue 8)
        response = client.get(url)
    assert len(response.context["sectors"]) == 3 * factor
