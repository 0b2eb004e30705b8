"""Communication actions (issue 11): the list (filters in the URL, figures per channel, mayors' scope, query
budget), the create and edit forms (operations of the programme only, the proof checked, a stale form refused),
the status workflow (done once its date has come, cancelled with a reason, final statuses) and the action's page
(transitions and history with their authors, the link to the financers' obligations)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.models import CommunicationAction
from operations.participation.models import CommunicationStatus
from operations.participation.services import communication as services
from partners.models import CommunicationKind
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.factories import OrganisationFactory
from tests.operations.factories import OperationFactory
from tests.operations.participation_factories import CommunicationActionFactory

D = datetime.date
pytestmark = pytest.mark.django_db
PNG = bytes.fromhex("89504E470D0A1A0A") + b"\x00" * 64


def list_url(t: Territory) -> str:
    return reverse("operations:communication", args=[t.programme.pk])


def action_url(action: CommunicationAction, name: str = "operations:communication_action") -> str:
    return reverse(name, kwargs={"pk": action.programme_id, "action_pk": action.pk})


@pytest.fixture
def wassy_op(territory: Territory):
    return OperationFactory(
        programme=territory.programme, code="W-03", title="Maison de santé", communes=[territory.wassy]
    )


@pytest.fixture
def prefecture(db):
    return OrganisationFactory(name="Préfecture de la Haute-Marne", kind="state_service")


def form_data(operation, funder, **overrides) -> dict[str, object]:
    data = {
        "kind": CommunicationKind.SIGNAGE,
        "title": "Panneau de chantier de la maison de santé",
        "date": "2026-03-02",
        "audience": "Passants",
        "message": "Avec le soutien de l'État",
        "reach": "",
        "operations": [operation.pk],
        "funders_credited": [funder.pk],
        "proof_note": "",
    }
    data.update(overrides)
    return data


# --- The list --------------------------------------------------------------------------------------------------


def test_the_list_counts_done_actions_per_channel_and_their_total_reach(
    territory, client_for, wassy_op
) -> None:
    common = {"programme": territory.programme, "communes": [territory.wassy]}
    CommunicationActionFactory(**common, kind=CommunicationKind.PRESS, reach=1200)
    CommunicationActionFactory(**common, kind=CommunicationKind.PRESS, reach=800)
    CommunicationActionFactory(**common, kind=CommunicationKind.SOCIAL, reach=350)
    CommunicationActionFactory(
        **common, kind=CommunicationKind.SOCIAL, reach=999, status=CommunicationStatus.PLANNED
    )
    data = client_for("manager").get(list_url(territory)).context["data"]
    assert [(f.label, f.done, f.reach) for f in data.figures] == [
        ("Presse (communiqué, article)", 2, 2000),
        ("Publication sur les réseaux sociaux", 1, 350),
    ]
    assert (data.done, data.reach) == (3, 2350)


def test_the_filters_are_in_the_url(territory, client_for, wassy_op) -> None:
    common = {"programme": territory.programme, "communes": [territory.wassy]}
    press = CommunicationActionFactory(
        **common, kind=CommunicationKind.PRESS, title="Presse 2026", operations=[wassy_op]
    )
    CommunicationActionFactory(
        **common, kind=CommunicationKind.PRESS, title="Presse 2025", date=D(2025, 5, 1)
    )
    CommunicationActionFactory(**common, kind=CommunicationKind.WEBSITE, title="Site 2026")
    lpd = CommunicationActionFactory(
        programme=territory.programme, communes=[territory.la_porte_du_der], title="Presse LPD"
    )
    client = client_for("manager")

    def titles(query: str) -> list[str]:
        return sorted(a.title for a in client.get(f"{list_url(territory)}?{query}").context["data"].page)

    assert titles("canal=press&annee=2026") == ["Presse 2026", "Presse LPD"]
    assert titles(f"operation={wassy_op.pk}") == [press.title]
    assert titles(f"commune={territory.la_porte_du_der.pk}") == [lpd.title]
    assert titles("statut=planned") == []


def test_a_mayor_sees_only_the_actions_of_her_commune(territory, client_for) -> None:
    CommunicationActionFactory(programme=territory.programme, communes=[territory.wassy], title="À Wassy")
    CommunicationActionFactory(
        programme=territory.programme, communes=[territory.la_porte_du_der], title="À La Porte du Der"
    )
    body = client_for("mayor_of_la_porte_du_der").get(list_url(territory)).content.decode()
    assert "À La Porte du Der" in body and "À Wassy" not in body


@pytest.mark.parametrize("factor", [1, 10])
@pytest.mark.parametrize("persona", ["manager", "mayor_of_wassy"])
def test_the_list_has_a_fixed_query_budget(
    territory, client_for, factor, persona, wassy_op, prefecture, django_assert_num_queries
) -> None:
    for n in range(3 * factor):
        CommunicationActionFactory(
            programme=territory.programme,
            communes=[territory.wassy],
            operations=[wassy_op],
            funders_credited=[prefecture],
            reach=n,
        )
    client = client_for(persona)
    client.get(list_url(territory))
    # session, user, scope, programme (+ mayor: is her commune in it), years, figures, page count, the menu's
    # programmes, the filter's operations and communes (count and rows each), page rows, their operations, their
    # funders, session refresh (savepoint, update, release)
    expected = {"manager": 19, "mayor_of_wassy": 20}[persona]  # with the bell's unread count (issue 8)
    with django_assert_num_queries(expected):
        response = client.get(list_url(territory))
    assert response.context["data"].page.paginator.count == 3 * factor


# --- Create and edit -----------------------------------------------------------------------------------------------


def test_the_manager_records_an_action_planned_with_its_operations_communes(
    territory, client_for, manager, wassy_op, prefecture
) -> None:
    response = client_for("manager").post(
        reverse("operations:communication_create", args=[territory.programme.pk]),
        form_data(wassy_op, prefecture),
    )
    action = CommunicationAction.objects.get()
    assert response.status_code == 302 and response["Location"] == action_url(action)
    assert action.status == CommunicationStatus.PLANNED
    assert list(action.communes.all()) == [territory.wassy]  # from its operation
    assert list(action.funders_credited.all()) == [prefecture]
    change = StatusChange.objects.get(object_id=action.pk, target=CommunicationStatus.PLANNED)
    assert change.by == manager
    page = client_for("manager").get(action_url(action)).content.decode()
    assert "Camille Martin" in page  # the history and the transitions name who recorded it
    assert reverse("budget:publicity", args=[territory.programme.pk]) + f"#action-{action.pk}" in page


def test_an_operation_of_another_programme_is_refused(territory, client_for, prefecture) -> None:
    foreign = OperationFactory(programme=territory.other_programme, communes=[territory.other_commune])
    response = client_for("manager").post(
        reverse("operations:communication_create", args=[territory.programme.pk]),
        form_data(foreign, prefecture),
    )
    assert response.status_code == 200
    assert "operations" in response.context["form"].errors
    assert not CommunicationAction.objects.exists()


def test_the_service_refuses_an_operation_of_another_programme(territory, manager) -> None:
    from django.core.exceptions import ValidationError

    foreign = OperationFactory(programme=territory.other_programme, code="J-01")
    with pytest.raises(ValidationError, match="J-01"):
        services.action_create(
            programme=territory.programme,
            by=manager,
            operations=[foreign],
            kind=CommunicationKind.PRESS,
            title="Article",
            date=D(2026, 3, 2),
        )
    assert not CommunicationAction.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("panneau.pdf", b"MZ\x90\x00 not a pdf", "n'est pas celui d'un fichier PDF"),
        ("panneau.exe", b"MZ\x90\x00", "n'est pas accepté"),
        ("panneau.png", PNG * 20, "taille maximale"),
    ],
    ids=["renamed", "type", "size"],
)
def test_a_bad_proof_file_is_refused_with_a_french_message(
    territory, client_for, wassy_op, prefecture, settings, name, content, message
) -> None:
    settings.UPLOAD_MAX_BYTES = 1000
    data = form_data(wassy_op, prefecture, proof=SimpleUploadedFile(name, content))
    response = client_for("manager").post(
        reverse("operations:communication_create", args=[territory.programme.pk]), data
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["proof"])
    assert not CommunicationAction.objects.exists()


def test_a_proof_photo_is_kept_and_downloaded_by_the_readers_only(
    territory, client_for, wassy_op, prefecture, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    data = form_data(wassy_op, prefecture, proof=SimpleUploadedFile("panneau.png", PNG))
    client_for("manager").post(
        reverse("operations:communication_create", args=[territory.programme.pk]), data
    )
    action = CommunicationAction.objects.get()
    url = action_url(action, "operations:communication_proof")
    response = client_for("mayor_of_wassy").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert client_for("mayor_of_la_porte_du_der").get(url).status_code == 404


def test_a_stale_edit_is_refused_and_nothing_is_saved(territory, client_for, wassy_op, prefecture) -> None:
    action = CommunicationActionFactory(
        programme=territory.programme,
        communes=[territory.wassy],
        title="Avant",
        status=CommunicationStatus.PLANNED,
    )
    stale = action.version
    client = client_for("manager")
    client.post(
        action_url(action, "operations:communication_edit"),
        {**form_data(wassy_op, prefecture, title="Une"), "version": stale},
    )
    response = client.post(
        action_url(action, "operations:communication_edit"),
        {**form_data(wassy_op, prefecture, title="Deux", funders_credited=[]), "version": stale},
        follow=True,
    )
    action.refresh_from_db()
    assert action.title == "Une" and list(action.funders_credited.all()) == [prefecture]
    assert "pendant votre saisie" in response.content.decode()


def test_the_referent_and_the_mayor_cannot_record_an_action(
    territory, client_for, wassy_op, prefecture
) -> None:
    url = reverse("operations:communication_create", args=[territory.programme.pk])
    for persona in ["referent", "mayor_of_wassy", "partner"]:
        assert client_for(persona).post(url, form_data(wassy_op, prefecture)).status_code == 403
    assert not CommunicationAction.objects.exists()


# --- Status ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def planned(territory: Territory):
    return CommunicationActionFactory(
        programme=territory.programme,
        communes=[territory.wassy],
        status=CommunicationStatus.PLANNED,
        date=D(2026, 3, 2),
    )


def test_an_action_is_marked_done_once_its_date_has_come(planned, manager) -> None:
    with pytest.raises(services.CommunicationError, match="à partir de cette date"):
        services.change_status(action=planned, to=CommunicationStatus.DONE, by=manager, today=D(2026, 3, 1))
    planned.refresh_from_db()
    assert planned.status == CommunicationStatus.PLANNED
    done = services.change_status(
        action=planned, to=CommunicationStatus.DONE, by=manager, today=D(2026, 3, 2)
    )
    assert done.status == CommunicationStatus.DONE
    change = StatusChange.objects.get(object_id=planned.pk, target=CommunicationStatus.DONE)
    assert (change.source, change.by) == (CommunicationStatus.PLANNED, manager)


def test_a_done_action_is_final(planned, manager) -> None:
    services.change_status(action=planned, to=CommunicationStatus.DONE, by=manager, today=D(2026, 3, 2))
    with pytest.raises(services.CommunicationError, match="définitif"):
        services.change_status(action=planned, to=CommunicationStatus.CANCELLED, by=manager, comment="Erreur")


def test_cancelling_needs_a_reason(planned, manager) -> None:
    with pytest.raises(services.CommunicationError, match="motif"):
        services.change_status(action=planned, to=CommunicationStatus.CANCELLED, by=manager)
    services.change_status(action=planned, to=CommunicationStatus.CANCELLED, by=manager, comment="Reportée")
    planned.refresh_from_db()
    assert planned.status == CommunicationStatus.CANCELLED


def test_the_status_form_marks_the_action_done(planned, client_for) -> None:
    response = client_for("manager").post(
        action_url(planned, "operations:communication_status"),
        {"status": CommunicationStatus.DONE, "comment": "", "version": planned.version},
        follow=True,
    )
    planned.refresh_from_db()
    assert planned.status == CommunicationStatus.DONE
    assert "Le statut de l&#x27;action a été modifié." in response.content.decode()


def test_a_future_action_cannot_be_marked_done_from_the_page(territory, client_for) -> None:
    future = CommunicationActionFactory(
        programme=territory.programme,
        communes=[territory.wassy],
        status=CommunicationStatus.PLANNED,
        date=D(2099, 1, 1),
    )
    response = client_for("manager").post(
        action_url(future, "operations:communication_status"),
        {"status": CommunicationStatus.DONE, "comment": "", "version": future.version},
        follow=True,
    )
    future.refresh_from_db()
    assert future.status == CommunicationStatus.PLANNED
    assert "ne peut être marquée réalisée" in response.content.decode()


def test_a_stale_status_change_is_refused(planned, manager) -> None:
    with pytest.raises(StaleObjectError):
        services.change_status(
            action=planned,
            to=CommunicationStatus.DONE,
            by=manager,
            expected_version=planned.version - 1,
            today=D(2026, 3, 2),
        )
