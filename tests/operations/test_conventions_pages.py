"""The convention pages (issue 9, H1): the lists (avenants under their convention, the version in force, drafts
hidden from partners and mayors), creation from the model of a kind, the convention's page for each persona (status
card and actions for managers, status only for the referent, reading only for partners and the mayors of signing
communes) and query budgets that do not grow with the data."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from operations.conventions.models import ConventionKind, ConventionStatus
from operations.models import Convention
from tests.conftest import Territory
from tests.factories import CommuneFactory
from tests.operations.convention_factories import (
    ConventionFactory,
    ConventionVersionFactory,
    SignatoryFactory,
)
from tests.operations.convention_rows import convention_rows

S = ConventionStatus
pytestmark = pytest.mark.django_db


def list_url(t: Territory) -> str:
    return reverse("operations:conventions", args=[t.programme.pk])


def page(convention: Convention) -> str:
    return reverse("operations:convention", args=[convention.pk])


# --- Lists --------------------------------------------------------------------------------------------------


def test_the_list_groups_avenants_under_their_convention_with_the_version_in_force(
    territory, client_for
) -> None:
    rows = convention_rows(territory)
    response = client_for("manager").get(list_url(territory))
    listed = [
        (row.convention, row.in_force_reference, [a.convention for a in row.amendments])
        for row in response.context["rows"]
    ]
    assert listed == [
        (rows.draft, "", []),
        (rows.signed, rows.version.reference, [rows.amendment]),
    ]
    assert "Nouvelle convention" in response.content.decode()


def test_a_signed_avenant_becomes_the_version_in_force(territory, client_for) -> None:
    rows = convention_rows(territory)
    Convention.objects.filter(pk=rows.amendment.pk).update(status=S.SIGNED, signed_on="2026-05-01")
    version = ConventionVersionFactory(
        convention=rows.amendment, number=1, signed=True, reference="CONV-A1-V1"
    )
    [_, signed] = client_for("manager").get(list_url(territory)).context["rows"]
    assert signed.in_force_reference == version.reference
    assert signed.amendments[0].in_force_reference == version.reference


def test_a_draft_is_hidden_from_partners_and_mayors(territory, client_for) -> None:
    rows = convention_rows(territory)
    for persona in ["partner", "mayor_of_wassy"]:
        client = client_for(persona)
        body = client.get(list_url(territory)).content.decode()
        assert escape(rows.draft.title) not in body and escape(rows.amendment.title) not in body
        assert escape(rows.signed.title) in body and "Nouvelle convention" not in body
        assert client.get(page(rows.draft)).status_code == 404


def test_a_mayor_of_a_commune_that_does_not_sign_does_not_see_the_convention(territory, client_for) -> None:
    rows = convention_rows(territory)
    client = client_for("mayor_of_la_porte_du_der")
    assert client.get(page(rows.signed)).status_code == 404
    assert client.get(list_url(territory)).context["rows"] == []


def test_the_housing_programme_lists_its_conventions_for_its_members(territory, client_for) -> None:
    rows = convention_rows(territory)
    url = reverse("operations:housing_conventions", args=[territory.opah_ru.pk])
    body = client_for("operator").get(url).content.decode()
    assert escape(rows.housing.title) in body and "Nouvelle convention" not in body
    assert client_for("mayor_of_wassy").get(url).status_code == 404


@pytest.mark.parametrize("factor", [1, 10])
def test_the_list_has_a_fixed_query_budget(territory, client_for, factor, django_assert_num_queries) -> None:
    for _ in range(factor):
        convention = ConventionFactory(
            programme=territory.programme, kind=ConventionKind.PARTNER, status=S.SIGNED
        )
        ConventionVersionFactory(convention=convention, number=1, signed=True)
        ConventionFactory(
            programme=territory.programme,
            kind=ConventionKind.AMENDMENT,
            parent=convention,
            amendment_number=1,
        )
    client = client_for("manager")
    client.get(list_url(territory))
    # session, user, scope, programme, can it create, conventions, versions in force, the menu's programmes,
    # session refresh (savepoint, update, release)
    with django_assert_num_queries(11):  # +1: the bell's unread count (issue 8)
        response = client.get(list_url(territory))
    assert len(response.context["rows"]) == factor


# --- Creation -------------------------------------------------------------------------------------------------


def test_the_manager_creates_a_convention_from_the_model_of_its_kind(territory, client_for, manager) -> None:
    response = client_for("manager").post(
        reverse("operations:convention_create", args=[territory.programme.pk]),
        {
            "kind": ConventionKind.FRAMEWORK,
            "title": " Convention-cadre ",
            "purpose": "",
            "starts_on": "",
            "ends_on": "",
        },
    )
    convention = Convention.objects.get()
    assert response["Location"] == page(convention)
    assert (convention.title, convention.status, convention.created_by) == (
        "Convention-cadre",
        S.DRAFT,
        manager,
    )
    assert convention.articles.exists()
    assert [s.organisation for s in convention.signatories.order_by("order")] == [
        territory.epci,
        territory.la_porte_du_der,
        territory.wassy,
    ]


def test_an_avenant_is_not_created_from_the_list(territory, client_for) -> None:
    response = client_for("manager").post(
        reverse("operations:convention_create", args=[territory.programme.pk]),
        {"kind": ConventionKind.AMENDMENT, "title": "Avenant"},
    )
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    assert not Convention.objects.exists()


def test_a_housing_convention_is_created_for_its_housing_programme(territory, client_for) -> None:
    response = client_for("staff").post(
        reverse("operations:housing_convention_create", args=[territory.opah_ru.pk]),
        {
            "kind": ConventionKind.FRAMEWORK,
            "title": "Convention d'OPAH-RU",
            "starts_on": "2026-01-01",
            "ends_on": "2030-12-31",
        },
    )
    convention = Convention.objects.get()
    assert response["Location"] == page(convention)
    assert (convention.kind, convention.housing_programme) == (ConventionKind.HOUSING, territory.opah_ru)
    assert [s.organisation for s in convention.signatories.all()] == [territory.saint_dizier]


# --- The convention's page ----------------------------------------------------------------------------------


def test_the_manager_sees_the_status_card_and_every_action(territory, client_for) -> None:
    rows = convention_rows(territory)
    body = client_for("manager").get(page(rows.draft)).content.decode()
    assert "Étapes suivantes" in body and "Passer à « En relecture par les parties »" in body
    assert reverse("operations:convention_status", args=[rows.draft.pk]) + "?vers=review" in body
    for name in [
        "convention_edit",
        "signatory_create",
        "article_create",
        "version_issue",
        "convention_draft_pdf",
    ]:
        assert reverse(f"operations:{name}", args=[rows.draft.pk]) in body, name


def test_the_referent_may_change_the_status_but_not_edit(territory, client_for) -> None:
    rows = convention_rows(territory)
    body = client_for("referent").get(page(rows.draft)).content.decode()
    assert reverse("operations:convention_status", args=[rows.draft.pk]) + "?vers=review" in body
    for name in ["convention_edit", "signatory_create", "article_create", "version_issue"]:
        assert reverse(f"operations:{name}", args=[rows.draft.pk]) not in body, name


@pytest.mark.parametrize("persona", ["partner", "mayor_of_wassy"])
def test_partners_and_mayors_of_signing_communes_read_without_actions(territory, client_for, persona) -> None:
    rows = convention_rows(territory)
    body = client_for(persona).get(page(rows.signed)).content.decode()
    assert escape("Convention d'adhésion PVD") in body and rows.version.reference in body
    assert "version signée" in body
    assert "exécutoire depuis le 13/03/2026" in body  # the deliberations that authorised the signature
    assert reverse("programmes:deliberation", args=[rows.deliberation.pk]) in body
    assert reverse("operations:convention_status", args=[rows.signed.pk]) not in body
    assert reverse("operations:convention_amendment_create", args=[rows.signed.pk]) not in body
    assert reverse("operations:convention_edit", args=[rows.signed.pk]) not in body


def test_a_signed_convention_lists_its_avenants_and_offers_a_new_one(territory, client_for) -> None:
    rows = convention_rows(territory)
    body = client_for("manager").get(page(rows.signed)).content.decode()
    assert escape(rows.amendment.title) in body
    assert reverse("operations:convention_amendment_create", args=[rows.signed.pk]) in body
    assert (
        reverse("operations:signatory_create", args=[rows.signed.pk]) not in body
    )  # parties change by avenant
    avenant = client_for("manager").get(page(rows.amendment)).content.decode()
    assert reverse("operations:amendment_compare", args=[rows.amendment.pk]) in avenant


def test_a_deliberation_not_yet_enforceable_says_what_is_missing(territory, client_for) -> None:
    rows = convention_rows(territory)
    type(rows.deliberation).objects.filter(pk=rows.deliberation.pk).update(published_on=None)
    body = client_for("manager").get(page(rows.signed)).content.decode()
    assert "pas encore exécutoire : manque la publication" in body


@pytest.mark.parametrize("factor", [1, 10])
def test_the_page_has_a_fixed_query_budget(territory, client_for, factor, django_assert_num_queries) -> None:
    rows = convention_rows(territory)
    for n in range(factor):
        SignatoryFactory(convention=rows.draft, organisation=CommuneFactory(epci=territory.epci), order=n + 1)
        ConventionVersionFactory(convention=rows.draft, number=n + 1)
    client = client_for("manager")
    client.get(page(rows.draft))
    with django_assert_num_queries(QUERIES_OF_THE_PAGE):
        response = client.get(page(rows.draft))
    assert len(response.context["signatories"]) == factor


# Session, user, scope, the convention; breadcrumb; status checks; signatories; versions; transitions; the
# snapshot of the articles; the history panel; the menu; session refresh — the same at 1 and 10 rows.
QUERIES_OF_THE_PAGE = 20  # with the bell's unread count (issue 8)
