"""The parties of a convention (issue 9, H1): added, edited and removed by its managers while the text may change
(draft, review); a local authority's signature authorised by its own deliberation; one row per organisation; a
signed convention's parties change by avenant; stale forms refused."""

import pytest
from django.urls import reverse

from operations.conventions.models import ConventionStatus
from operations.conventions.services import signatories as services
from operations.conventions.services.conventions import ConventionError
from operations.models import Signatory
from tests.conftest import Territory
from tests.operations.convention_factories import ConventionFactory, DeliberationFactory, SignatoryFactory
from tests.operations.convention_rows import convention_rows

S = ConventionStatus
pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def draft(territory: Territory):
    return ConventionFactory(programme=territory.programme, title="Convention-cadre PVD")


def test_the_manager_adds_a_commune_with_the_deliberation_that_authorises_it(
    territory, client_for, draft
) -> None:
    deliberation = DeliberationFactory(organisation=territory.wassy, number="2026-015")
    client = client_for("manager")
    response = client.post(
        reverse("operations:signatory_create", args=[draft.pk]),
        {
            "organisation": territory.wassy.pk,
            "signer_name": " Hélène Girard ",
            "signer_capacity": "La Maire",
            "deliberation": deliberation.pk,
            "order": 2,
        },
        follow=True,
    )
    signatory = Signatory.objects.get(convention=draft)
    assert (signatory.organisation, signatory.signer_name, signatory.deliberation) == (
        territory.wassy,
        "Hélène Girard",
        deliberation,
    )
    page = response.content.decode()
    assert "La partie a été ajoutée." in page
    assert "Délibération n° 2026-015 du 10/03/2026</a> — exécutoire depuis le 13/03/2026" in page


def test_a_deliberation_of_another_authority_is_refused(territory, client_for, draft) -> None:
    epci_deliberation = DeliberationFactory(organisation=territory.epci, number="CC-2026-03")
    response = client_for("manager").post(
        reverse("operations:signatory_create", args=[draft.pk]),
        {"organisation": territory.wassy.pk, "deliberation": epci_deliberation.pk, "order": 1},
    )
    assert messages_of(response) == [
        (
            "La délibération n° CC-2026-03 a été adoptée par CA du Grand Saint-Dizier Der et Vallées : elle ne "
            "peut pas autoriser la signature de Wassy."
        )
    ]
    assert not Signatory.objects.filter(convention=draft).exists()


def test_an_organisation_signs_only_once(territory, manager, draft) -> None:
    SignatoryFactory(convention=draft, organisation=territory.wassy)
    with pytest.raises(ConventionError, match="^Wassy signe déjà la convention.$"):
        services.signatory_create(convention=draft, by=manager, organisation=territory.wassy)
    assert draft.signatories.count() == 1


def test_the_deliberation_choices_are_the_visible_acts_of_local_authorities(
    territory, client_for, draft
) -> None:
    wassy = DeliberationFactory(organisation=territory.wassy)
    DeliberationFactory(
        organisation=territory.other_commune
    )  # another EPCI's commune: not in the manager's scope
    DeliberationFactory(organisation=territory.anah)  # not a local authority
    form = client_for("manager").get(reverse("operations:signatory_create", args=[draft.pk])).context["form"]
    assert list(form.fields["deliberation"].queryset) == [wassy]


def test_the_parties_of_a_signed_convention_change_by_avenant(territory, client_for, manager) -> None:
    rows = convention_rows(territory)
    client = client_for("manager")
    message = "La convention est signée : ses parties se modifient par avenant."
    for url in [
        reverse("operations:signatory_create", args=[rows.signed.pk]),
        reverse("operations:signatory_edit", args=[rows.signatory.pk]),
        reverse("operations:signatory_delete", args=[rows.signatory.pk]),
    ]:
        response = client.post(url, {"organisation": territory.la_porte_du_der.pk, "order": 3}, follow=True)
        assert message in response.content.decode()
    with pytest.raises(ConventionError, match=message):
        services.signatory_delete(signatory=rows.signatory, by=manager)
    assert rows.signed.signatories.count() == 2


def test_the_parties_of_an_approved_convention_are_frozen_until_it_goes_back_to_review(
    territory, manager
) -> None:
    convention = ConventionFactory(programme=territory.programme, status=S.APPROVED)
    with pytest.raises(ConventionError, match="repassez-la « en relecture »"):
        services.signatory_create(convention=convention, by=manager, organisation=territory.wassy)


def test_a_stale_edit_of_a_party_is_refused(territory, client_for, manager, draft) -> None:
    signatory = SignatoryFactory(convention=draft, organisation=territory.wassy, signer_name="A")
    stale = signatory.version
    services.signatory_update(
        signatory=signatory, by=manager, changes={"signer_name": "B"}, expected_version=stale
    )
    response = client_for("manager").post(
        reverse("operations:signatory_edit", args=[signatory.pk]),
        {"organisation": territory.wassy.pk, "signer_name": "C", "order": 1, "version": stale},
    )
    assert "a été modifié par Camille Martin" in messages_of(response)[0]
    signatory.refresh_from_db()
    assert signatory.signer_name == "B"


def test_the_manager_removes_a_party_after_confirming(territory, client_for, manager, draft) -> None:
    signatory = SignatoryFactory(convention=draft, organisation=territory.wassy)
    url = reverse("operations:signatory_delete", args=[signatory.pk])
    client = client_for("manager")
    assert "Retirer Wassy des parties" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("operations:convention", args=[draft.pk]) + "#parties"
    assert not draft.signatories.exists()
    removal = Signatory.history.filter(id=signatory.pk, history_type="-").get()
    assert removal.history_user == manager


@pytest.mark.parametrize(
    ("persona", "status"), [("referent", 403), ("mayor_of_wassy", 404), ("outsider", 404)]
)
def test_only_the_managers_edit_the_parties(territory, client_for, draft, persona, status) -> None:
    signatory = SignatoryFactory(convention=draft, organisation=territory.wassy)
    client = client_for(persona)
    assert client.get(reverse("operations:signatory_create", args=[draft.pk])).status_code == status
    assert client.post(reverse("operations:signatory_delete", args=[signatory.pk])).status_code == status
    assert draft.signatories.count() == 1
