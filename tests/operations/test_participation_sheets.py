"""Good-practice sheets (fiches retour d'expérience): writing one from an operation, editing it, publishing it
(rules, transitions, PDF), the library and its search, and the public pages that show nothing private."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from operations.models import PracticeSheet
from operations.participation.models import SheetStatus
from operations.participation.services import sheets as services
from partners.models import Theme
from pvd.models import DocumentStatus, RenderedDocument, StatusChange
from tests.conftest import Territory
from tests.operations.factories import OperationFactory
from tests.operations.participation_factories import PracticeSheetFactory
from tests.operations.participation_rows import participation_rows
from tests.partners.factories import PersonFactory

D = datetime.date


def theme(code: str) -> Theme:
    return Theme.objects.get(code=code)


def complete_sheet(t: Territory, **fields: object) -> PracticeSheet:
    defaults = {
        "programme": t.programme,
        "title": "Permanences OPAH-RU en mairie",
        "summary": "Une permanence mensuelle en mairie pour les propriétaires.",
        "context": "Un centre-bourg ancien, des logements vacants.",
        "actions": "Douze permanences, un courrier à chaque propriétaire.",
        "lessons": "Annoncer les permanences dans le bulletin municipal.",
        "contact_organisation": t.wassy,
        "contact_service": "Service urbanisme",
    }
    return PracticeSheetFactory(**{**defaults, **fields})


# --- Writing a sheet ----------------------------------------------------------------------------------------


def test_a_sheet_written_from_an_operation_is_prefilled_with_it(client_for, territory: Territory) -> None:
    operation = OperationFactory(
        programme=territory.programme,
        code="W-06",
        title="Tiers-lieu numérique de l'ancienne poste",
        description="L'ancienne poste, vide depuis 2015.",
        estimated_cost_ht=Decimal("420000.00"),
        estimated_cost_ttc=Decimal("504000.00"),
        communes=[territory.wassy],
        themes=[theme("numerique")],
    )
    response = client_for("manager").get(
        reverse("operations:sheet_create", args=[territory.programme.pk]) + f"?operation={operation.pk}"
    )
    form = response.context["form"]
    assert form["title"].value() == "Tiers-lieu numérique de l'ancienne poste"
    assert form["context"].value() == "L'ancienne poste, vide depuis 2015."
    assert form["cost_ht"].value() == Decimal("420000.00")
    assert form["operation"].value() == operation.pk
    assert form["communes"].value() == [territory.wassy.pk]
    assert form["themes"].value() == [theme("numerique").pk]


def test_an_operation_of_another_programme_cannot_prefill_a_sheet(client_for, territory: Territory) -> None:
    foreign = OperationFactory(programme=territory.other_programme, communes=[territory.other_commune])
    url = reverse("operations:sheet_create", args=[territory.programme.pk]) + f"?operation={foreign.pk}"
    assert client_for("manager").get(url).status_code == 404


def test_creating_a_sheet_saves_a_draft_with_a_public_address_and_its_author(
    client_for, manager, territory: Territory
) -> None:
    response = client_for("manager").post(
        reverse("operations:sheet_create", args=[territory.programme.pk]),
        {
            "title": "Balade urbaine à Wassy",
            "summary": "Deux balades pour dessiner la place.",
            "communes": [territory.wassy.pk],
            "themes": [theme("espaces-publics").pk],
            "contact_service": "Cheffe de projet PVD",
        },
    )
    sheet = PracticeSheet.objects.get(title="Balade urbaine à Wassy")
    assert response.status_code == 302 and response["Location"] == reverse(
        "operations:sheet", args=[sheet.pk]
    )
    assert (sheet.status, sheet.slug) == (SheetStatus.DRAFT, "balade-urbaine-a-wassy")
    assert list(sheet.communes.all()) == [territory.wassy]
    assert sheet.history.latest().history_user == manager


def test_two_sheets_with_the_same_title_get_two_addresses(territory: Territory, manager) -> None:
    first = services.sheet_create(programme=territory.programme, by=manager, title="Même titre", summary="a")
    second = services.sheet_create(programme=territory.programme, by=manager, title="Même titre", summary="b")
    assert (first.slug, second.slug) == ("meme-titre", "meme-titre-2")


def test_a_commune_outside_the_programme_is_refused_in_french(client_for, territory: Territory) -> None:
    response = client_for("manager").post(
        reverse("operations:sheet_create", args=[territory.programme.pk]),
        {"title": "Hors champ", "summary": "x", "communes": [territory.other_commune.pk]},
    )
    assert response.status_code == 200
    assert "communes" in response.context["form"].errors
    assert not PracticeSheet.objects.filter(title="Hors champ").exists()


def test_a_stale_edit_is_refused_and_names_who_changed_the_sheet(
    client_for, manager, territory: Territory
) -> None:
    sheet = complete_sheet(territory)
    services.sheet_update(sheet=sheet, by=manager, changes={"results": "40 dossiers"}, expected_version=1)
    response = client_for("manager").post(
        reverse("operations:sheet_edit", args=[sheet.pk]),
        {"title": "Titre concurrent", "summary": sheet.summary, "version": 1},
        follow=True,
    )
    assert "a été modifié par Camille Martin" in response.content.decode()
    sheet.refresh_from_db()
    assert (sheet.title, sheet.results, sheet.version) == ("Permanences OPAH-RU en mairie", "40 dossiers", 2)


def test_the_sheet_page_shows_its_history_and_pdf_state(client_for, manager, territory: Territory) -> None:
    sheet = complete_sheet(territory)
    services.sheet_update(sheet=sheet, by=manager, changes={"results": "40 dossiers"}, expected_version=1)
    RenderedDocument.objects.create(
        obj=sheet, kind="practice_sheet", title="Fiche", status=DocumentStatus.QUEUED
    )
    html = client_for("referent").get(reverse("operations:sheet", args=[sheet.pk])).content.decode()
    assert "Historique des modifications" in html and "Camille Martin" in html
    assert "En attente" in html and "Suivre sa production" in html
    assert reverse("operations:sheet_publish", args=[sheet.pk]) not in html  # the referent does not publish


# --- Publishing ---------------------------------------------------------------------------------------------


def test_a_sheet_without_actions_or_lessons_cannot_be_published(client_for, territory: Territory) -> None:
    sheet = complete_sheet(territory, actions="", lessons="  ")
    response = client_for("manager").post(reverse("operations:sheet_publish", args=[sheet.pk]), follow=True)
    assert (
        "La fiche ne peut pas être publiée sans : ce qui a été fait, enseignements."
        in response.content.decode()
    )
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT


def test_a_sheet_holding_an_email_address_cannot_be_published(manager, territory: Territory) -> None:
    sheet = complete_sheet(territory, contact_service="Écrire à camille.martin@agglo.example")
    with pytest.raises(services.SheetError, match="aucune donnée personnelle"):
        services.sheet_publish(sheet=sheet, by=manager, on=D(2026, 9, 1))


def test_publishing_dates_the_sheet_records_the_transition_and_queues_its_pdf(
    client_for, manager, territory: Territory, django_capture_on_commit_callbacks
) -> None:
    sheet = complete_sheet(territory)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for("manager").post(
            reverse("operations:sheet_publish", args=[sheet.pk]), {"version": sheet.version}
        )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.PUBLISHED and sheet.published_on is not None
    change = StatusChange.objects.get(
        content_type=ContentType.objects.get_for_model(sheet), object_id=sheet.pk
    )
    assert (change.source, change.target, change.by) == ("draft", "published", manager)
    doc = RenderedDocument.objects.get(object_id=sheet.pk, kind="practice_sheet")
    assert doc.status == DocumentStatus.QUEUED and len(callbacks) == 1  # rendered after the commit


def test_withdrawing_a_sheet_makes_its_public_page_404(client_for, manager, territory: Territory) -> None:
    sheet = services.sheet_publish(sheet=complete_sheet(territory), by=manager, on=D(2026, 9, 1))
    public_url = reverse("public_sheet", args=[sheet.slug])
    assert client_for("anonymous").get(public_url).status_code == 200
    client_for("manager").post(
        reverse("operations:sheet_unpublish", args=[sheet.pk]),
        {"version": sheet.version, "comment": "À revoir"},
    )
    sheet.refresh_from_db()
    assert (sheet.status, sheet.published_on) == (SheetStatus.DRAFT, None)
    assert client_for("anonymous").get(public_url).status_code == 404
    assert StatusChange.objects.filter(object_id=sheet.pk, target="draft", comment="À revoir").exists()


def test_a_published_sheet_cannot_be_published_twice(manager, territory: Territory) -> None:
    sheet = services.sheet_publish(sheet=complete_sheet(territory), by=manager, on=D(2026, 9, 1))
    with pytest.raises(services.SheetError, match="est déjà « Publiée »"):
        services.sheet_publish(sheet=sheet, by=manager, on=D(2026, 9, 2))


def test_asking_for_a_pdf_leads_to_the_document_page(
    client_for, territory: Territory, django_capture_on_commit_callbacks
) -> None:
    sheet = complete_sheet(territory)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("partner").post(reverse("operations:sheet_pdf", args=[sheet.pk]))
    doc = RenderedDocument.objects.get(object_id=sheet.pk, kind="practice_sheet")
    assert response["Location"] == reverse("document", args=[doc.pk])
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DONE


# --- Library ------------------------------------------------------------------------------------------------


def test_the_library_lists_published_sheets_of_every_programme_and_only_readable_drafts(
    client_for, territory: Territory
) -> None:
    rows = participation_rows(territory)
    foreign = PracticeSheetFactory(
        programme=territory.other_programme,
        title="Joinville : halle",
        status="published",
        published_on=D(2026, 5, 1),
    )
    foreign_draft = PracticeSheetFactory(programme=territory.other_programme, title="Joinville : brouillon")
    titles = lambda persona: {
        s.title
        for s in client_for(persona).get(reverse("operations:practice_library")).context["listing"].page
    }
    assert titles("partner") == {rows.sheet.title, rows.published_sheet.title, foreign.title}
    assert titles("outsider") == {rows.published_sheet.title, foreign.title, foreign_draft.title}
    assert titles("operator") == {rows.published_sheet.title, foreign.title}


def test_the_library_searches_the_text_and_filters_by_theme(client_for, territory: Territory) -> None:
    complete_sheet(
        territory,
        title="Permanences",
        lessons="Le bouche-à-oreille des commerçants",
        status="published",
        published_on=D(2026, 1, 1),
        themes=[theme("habitat")],
    )
    complete_sheet(
        territory, title="Place", summary="Une place sans voitures", themes=[theme("espaces-publics")]
    )
    url = reverse("operations:practice_library")
    found = lambda query: [s.title for s in client_for("manager").get(url + query).context["listing"].page]
    assert found("?q=bouche-à-oreille") == ["Permanences"]
    assert found("?q=PLACE+voitures") == ["Place"]
    assert found("?theme=espaces-publics") == ["Place"]
    assert found("?q=commerçants&theme=espaces-publics") == []


@pytest.mark.parametrize("factor", [1, 10])
def test_library_query_budget_is_flat(
    client_for, territory: Territory, factor: int, django_assert_num_queries
) -> None:
    for n in range(3 * factor):
        PracticeSheetFactory(
            programme=territory.programme if n % 2 else territory.other_programme,
            status="published",
            published_on=D(2026, 1, 1),
            communes=[territory.wassy],
            themes=[theme("habitat"), theme("commerce")],
        )
    client = client_for("manager")
    # session, user, memberships (scope), themes (form), count, sheets + programme + contact, their themes,
    # their communes, menu: programmes, session refresh (savepoint, update, release)
    with django_assert_num_queries(13):  # +1: the bell's unread count (issue 8)
        response = client.get(reverse("operations:practice_library") + "?q=a")
    assert response.context["listing"].page.paginator.count == 3 * factor


@pytest.mark.parametrize("factor", [1, 10])
def test_programme_sheets_query_budget_is_flat(
    client_for, territory: Territory, factor: int, django_assert_num_queries
) -> None:
    for _ in range(3 * factor):
        PracticeSheetFactory(
            programme=territory.programme,
            operation=OperationFactory(programme=territory.programme),
            communes=[territory.wassy],
            themes=[theme("habitat")],
        )
    client = client_for("manager")
    # session, user, memberships (scope), programme + EPCI, sheets + operation + programme + contact, their
    # themes, their communes, menu: programmes, session refresh (savepoint, update, release)
    with django_assert_num_queries(12):  # +1: the bell's unread count (issue 8)
        response = client.get(reverse("operations:sheets", args=[territory.programme.pk]))
    assert len(response.context["sheets"]) == 3 * factor


@pytest.mark.parametrize("factor", [1, 10])
def test_public_library_query_budget_is_flat(
    client_for, territory: Territory, factor: int, django_assert_num_queries
) -> None:
    for _ in range(3 * factor):
        PracticeSheetFactory(
            programme=territory.programme,
            status="published",
            published_on=D(2026, 1, 1),
            communes=[territory.wassy],
        )
    # themes (form), count, sheets + programme + contact, their themes, their communes
    with django_assert_num_queries(5):
        response = client_for("anonymous").get(reverse("public_library"))
    assert response.context["listing"].page.paginator.count == 3 * factor


# --- Public pages ---------------------------------------------------------------------------------------------


def test_the_public_page_shows_the_public_content_and_nothing_private(
    client_for, manager, territory: Territory
) -> None:
    PersonFactory(
        organisation=territory.wassy, first_name="Hélène", last_name="Girard", email="maire@wassy.example"
    )
    sheet = complete_sheet(territory, cost_ht=Decimal("4500.00"), communes=[territory.wassy])
    sheet = services.sheet_publish(sheet=sheet, by=manager, on=D(2026, 9, 1))
    response = client_for("anonymous").get(reverse("public_sheet", args=[sheet.slug]))
    html = response.content.decode()
    for public in [
        sheet.title,
        sheet.summary,
        sheet.actions,
        sheet.lessons,
        "Wassy",
        "Service urbanisme",
        "4\xa0500,00\xa0€",
    ]:
        assert public in html
    for private in [
        "Girard",
        "maire@wassy.example",
        "Camille Martin",
        "Historique",
        "/operations/",
        "/programmes/",
        "Se déconnecter",
    ]:
        assert private not in html, private


def test_a_logged_in_visitor_sees_the_public_page_without_the_navigation(
    client_for, manager, territory: Territory
) -> None:
    sheet = services.sheet_publish(sheet=complete_sheet(territory), by=manager, on=D(2026, 9, 1))
    html = client_for("manager").get(reverse("public_sheet", args=[sheet.slug])).content.decode()
    assert "Se déconnecter" not in html and territory.programme.name not in html


def test_a_draft_has_no_public_page_nor_pdf(client_for, territory: Territory) -> None:
    draft = participation_rows(territory).sheet
    anonymous = client_for("anonymous")
    assert anonymous.get(reverse("public_sheet", args=[draft.slug])).status_code == 404
    assert anonymous.get(reverse("public_sheet_pdf", args=[draft.slug])).status_code == 404
    assert draft.title not in anonymous.get(reverse("public_library")).content.decode()


def test_the_public_library_searches_published_sheets_only(client_for, territory: Territory) -> None:
    rows = participation_rows(territory)
    page = client_for("anonymous").get(reverse("public_library") + "?q=balade").context["listing"].page
    assert [s.title for s in page] == [rows.published_sheet.title]


def test_the_public_pdf_is_the_latest_rendered_since_publication_and_never_triggers_a_render(
    client_for, manager, territory: Territory, django_capture_on_commit_callbacks
) -> None:
    sheet = complete_sheet(territory)
    with django_capture_on_commit_callbacks(execute=True):
        draft_pdf = services.sheet_request_pdf(sheet=sheet, by=manager)  # a draft's PDF: never public
    url = reverse("public_sheet_pdf", args=[sheet.slug])
    with django_capture_on_commit_callbacks(execute=False):
        sheet = services.sheet_publish(sheet=sheet, by=manager, on=D(2026, 9, 1))
    assert client_for("anonymous").get(url).status_code == 404  # its PDF is still queued
    assert RenderedDocument.objects.filter(object_id=sheet.pk).count() == 2  # the visit queued nothing
    with django_capture_on_commit_callbacks(execute=True):
        published_pdf = services.sheet_request_pdf(sheet=sheet, by=manager)
    response = client_for("anonymous").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    published_pdf.refresh_from_db()
    draft_pdf.refresh_from_db()
    assert b"".join(response.streaming_content) != b"" and published_pdf.status == DocumentStatus.DONE
    assert published_pdf.pk != draft_pdf.pk


def test_the_public_page_breadcrumb_leads_back_to_the_public_library(
    client_for, territory: Territory
) -> None:
    sheet = participation_rows(territory).published_sheet
    html = client_for("anonymous").get(reverse("public_sheet", args=[sheet.slug])).content.decode()
    assert f'<a href="{reverse("public_library")}">Retours d\'expérience</a>' in html
    assert f'aria-current="page">{sheet.title}</li>' in html


# --- Demo ---------------------------------------------------------------------------------------------------


def test_the_demo_loads_three_sheets_and_three_network_events_twice_without_change(
    territory: Territory, manager
) -> None:
    from operations.participation import demo_sheets
    from tests.factories import OrganisationFactory

    for code in ["W-01", "PVD-02", "LPD-08"]:
        OperationFactory(programme=territory.programme, code=code, communes=[territory.wassy])
    orgs = {
        "wassy": territory.wassy,
        "la_porte_du_der": territory.la_porte_du_der,
        "epci": territory.epci,
        "Agence nationale de la cohésion des territoires (ANCT)": OrganisationFactory(name="ANCT"),
    }
    demo_sheets.load(territory.programme, orgs, {"cheffe-de-projet": manager})
    first_history = [PracticeSheet.history.count(), StatusChange.objects.count()]
    demo_sheets.load(territory.programme, orgs, {"cheffe-de-projet": manager})
    sheets = PracticeSheet.objects.filter(programme=territory.programme).order_by("slug")
    assert [(s.status, s.operation.code) for s in sheets] == [
        ("published", "W-01"),
        ("published", "PVD-02"),
        ("draft", "LPD-08"),
    ]
    assert territory.programme.network_events.count() == 3
    assert StatusChange.objects.filter(target="published").count() == 2
    # The second load changed nothing: no new version, no new transition.
    assert [PracticeSheet.history.count(), StatusChange.objects.count()] == first_history
