"""The revitalisation project: versions, the validation workflow by the élu référent, frozen versions,
the diff between versions, and the project's pages (editing, validation, print) with a flat query budget."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from programmes.models import Axis, Objective, ProjectStatus, RevitalisationProject
from programmes.selectors.project import diff_versions, project_as_dict
from programmes.services import project as services
from programmes.services.errors import StrategyError
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.programmes.factories import StakeFactory, theme
from tests.programmes.project_rows import write_version

FROZEN = "Une version validée ne se modifie pas : créez une nouvelle version."
ON = timezone.localdate()  # a decision cannot precede the submission, which happens now


def transitions(project: RevitalisationProject) -> list[tuple[str, str, str]]:
    """(source, target, comment) of a version's status changes, oldest first."""
    return list(
        StatusChange.objects.filter(content_type__model="revitalisationproject", object_id=project.pk)
        .order_by("at", "pk")
        .values_list("source", "target", "comment")
    )


def submitted(programme, manager, **kwargs) -> RevitalisationProject:
    project = write_version(programme, **kwargs)
    return services.project_submit(project=project, expected_version=project.version, by=manager)


def validated(programme, manager, referent, on: datetime.date = ON, **kwargs) -> RevitalisationProject:
    project = submitted(programme, manager, **kwargs)
    return services.project_validate(
        project=project,
        expected_version=project.version,
        by=referent,
        on=on,
        comment="Conforme aux orientations du comité de projet.",
        deliberation_reference="Délibération du conseil communautaire n° 2026-112",
    )


# --- Versions and the workflow -------------------------------------------------------------------------


def test_the_first_version_starts_as_an_empty_draft_and_records_it(territory, manager) -> None:
    project = services.project_start(programme=territory.programme, by=manager)
    assert (project.number, project.status, project.vision, project.axes.count()) == (1, "draft", "", 0)
    assert transitions(project) == [("", "draft", "Première version du projet.")]
    assert StatusChange.objects.get(object_id=project.pk).by == manager


def test_a_second_open_version_is_refused(territory, manager) -> None:
    services.project_start(programme=territory.programme, by=manager)
    with pytest.raises(StrategyError, match="La version 1 du projet est déjà en cours"):
        services.project_start(programme=territory.programme, by=manager)


def test_a_draft_without_vision_or_axis_cannot_be_submitted(territory, manager) -> None:
    project = services.project_start(programme=territory.programme, by=manager)
    with pytest.raises(StrategyError, match="Rédigez la vision du projet"):
        services.project_submit(project=project, expected_version=project.version, by=manager)
    project = services.project_update(
        project=project,
        expected_version=project.version,
        by=manager,
        title=project.title,
        vision="Vivre au bourg.",
    )
    with pytest.raises(StrategyError) as error:
        services.project_submit(project=project, expected_version=project.version, by=manager)
    assert str(error.value) == "Le projet doit comporter au moins un axe stratégique avant d'être soumis."


def test_manager_submits_a_draft_and_the_transition_is_recorded(territory, manager) -> None:
    project = submitted(territory.programme, manager)
    assert project.status == ProjectStatus.SUBMITTED
    assert project.submitted_by == manager
    assert transitions(project)[-1] == ("draft", "submitted", "")


@pytest.mark.parametrize("persona", ["referent", "partner", "mayor_of_wassy"])
def test_only_the_team_submits(territory, persona, request) -> None:
    project = write_version(territory.programme)
    with pytest.raises(PermissionDenied, match="Seule l'équipe projet du programme soumet le projet"):
        services.project_submit(
            project=project, expected_version=project.version, by=request.getfixturevalue(persona)
        )


@pytest.mark.parametrize("persona", ["manager", "staff", "partner", "mayor_of_wassy", "outsider"])
def test_nobody_but_the_referent_validates(territory, manager, persona, request) -> None:
    project = submitted(territory.programme, manager)
    with pytest.raises(PermissionDenied, match="Seul l'élu référent du programme peut valider le projet."):
        services.project_validate(
            project=project, expected_version=project.version, by=request.getfixturevalue(persona), on=ON
        )
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["manager", "staff", "partner"])
def test_nobody_but_the_referent_sends_back(territory, manager, persona, request) -> None:
    project = submitted(territory.programme, manager)
    with pytest.raises(PermissionDenied, match="Seul l'élu référent du programme peut renvoyer le projet"):
        services.project_return(
            project=project,
            expected_version=project.version,
            by=request.getfixturevalue(persona),
            comment="Non.",
        )


def test_referent_validates_with_date_comment_and_deliberation_and_freezes_the_content(
    territory, manager, referent
) -> None:
    project = validated(territory.programme, manager, referent, axes=1, objectives=1)
    assert project.status == ProjectStatus.VALIDATED
    assert project.validated_on == ON
    assert project.validated_by == referent
    assert project.validation_comment == "Conforme aux orientations du comité de projet."
    assert project.deliberation_reference == "Délibération du conseil communautaire n° 2026-112"
    axis = project.axes.get()
    objective = axis.objectives.get()
    assert project.snapshot == {
        "number": 1,
        "title": "Projet de revitalisation",
        "vision": "Des bourgs vivants.",
        "axes": [
            {
                "id": axis.pk,
                "order": 1,
                "title": "Axe écrit n° 1",
                "description": "",
                "themes": ["Rénovation de l'habitat"],
                "stakes": [],
                "objectives": [
                    {
                        "id": objective.pk,
                        "order": 1,
                        "title": "Objectif 1.1",
                        "description": "",
                        "themes": ["Commerces, services et activités"],
                        "stakes": [],
                    }
                ],
            }
        ],
    }
    assert transitions(project) == [
        ("", "draft", "Première version du projet."),
        ("draft", "submitted", ""),
        ("submitted", "validated", "Conforme aux orientations du comité de projet."),
    ]


def test_referent_sends_back_a_submitted_version_with_a_comment(territory, manager, referent) -> None:
    project = submitted(territory.programme, manager)
    with pytest.raises(StrategyError, match="le commentaire est obligatoire"):
        services.project_return(project=project, expected_version=project.version, by=referent, comment="  ")
    project = services.project_return(
        project=project, expected_version=project.version, by=referent, comment="Préciser l'axe 2."
    )
    assert (project.status, project.submitted_at, project.submitted_by) == ("draft", None, None)
    assert transitions(project)[-1] == ("submitted", "draft", "Préciser l'axe 2.")


def test_a_draft_cannot_be_validated(territory, referent) -> None:
    project = write_version(territory.programme)
    with pytest.raises(StrategyError) as error:
        services.project_validate(project=project, expected_version=project.version, by=referent, on=ON)
    assert str(error.value) == "La version 1 est « Brouillon » : elle ne peut pas passer à « Validé »."


def test_validation_cannot_precede_the_submission(territory, manager, referent) -> None:
    project = submitted(territory.programme, manager)
    with pytest.raises(StrategyError, match="La date de validation ne peut pas précéder la soumission"):
        services.project_validate(
            project=project, expected_version=project.version, by=referent, on=datetime.date(2020, 1, 1)
        )


def test_a_decision_taken_on_a_stale_page_is_refused(territory, manager, referent) -> None:
    project = submitted(territory.programme, manager)
    shown = project.version
    services.project_return(project=project, expected_version=shown, by=referent, comment="À revoir.")
    again = services.project_submit(project=project, expected_version=shown + 1, by=manager)
    with pytest.raises(StaleObjectError, match="a changé pendant votre saisie"):
        services.project_validate(project=again, expected_version=shown, by=referent, on=ON)


# --- Frozen versions -----------------------------------------------------------------------------------


def test_a_validated_version_refuses_every_edit(territory, manager, referent) -> None:
    project = validated(territory.programme, manager, referent, axes=2, objectives=1)
    axis = project.axes.order_by("order").first()
    objective = axis.objectives.get()
    attempts = [
        lambda: services.project_update(
            project=project, expected_version=project.version, by=manager, title="Autre", vision="Autre"
        ),
        lambda: services.axis_create(project=project, by=manager, title="Nouvel axe"),
        lambda: services.axis_update(
            axis=axis,
            expected_version=axis.version,
            by=manager,
            title="Renommé",
            description="",
            themes=[],
            stakes=[],
        ),
        lambda: services.axis_delete(axis=axis, by=manager),
        lambda: services.axis_move(axis=axis, by=manager, direction="down"),
        lambda: services.objective_create(axis=axis, by=manager, title="Nouvel objectif"),
        lambda: services.objective_update(
            objective=objective,
            expected_version=objective.version,
            by=manager,
            title="Renommé",
            description="",
            themes=[],
            stakes=[],
        ),
        lambda: services.objective_delete(objective=objective, by=manager),
        lambda: services.objective_move(objective=objective, by=manager, direction="up"),
    ]
    for attempt in attempts:
        with pytest.raises(StrategyError) as error:
            attempt()
        assert str(error.value) == FROZEN
    assert project_as_dict(RevitalisationProject.objects.get(pk=project.pk)) == project.snapshot


def test_a_submitted_version_is_not_edited_either(territory, manager) -> None:
    project = submitted(territory.programme, manager)
    with pytest.raises(StrategyError, match="Cette version est soumise à l'élu référent"):
        services.axis_create(project=project, by=manager, title="Ajout tardif")


def test_live_changes_do_not_change_a_validated_versions_page(
    client_for, territory, manager, referent
) -> None:
    stake = StakeFactory(programme=territory.programme, title="Vacance des logements du centre ancien")
    project = write_version(territory.programme, axes=1, objectives=0)
    axis = project.axes.get()
    services.axis_update(
        axis=axis,
        expected_version=axis.version,
        by=manager,
        title="Habiter le centre",
        description="",
        themes=[theme("habitat")],
        stakes=[stake],
    )
    project = services.project_submit(project=project, expected_version=project.version, by=manager)
    services.project_validate(project=project, expected_version=project.version, by=referent, on=ON)
    # Later, the stake is renamed and (bypassing the services) the axis row too.
    stake.title = "Enjeu renommé après la validation"
    stake.save()
    Axis.objects.filter(pk=axis.pk).update(title="Titre modifié en base")

    page = (
        client_for("partner").get(f"/programmes/{territory.programme.pk}/projet/versions/1/").content.decode()
    )
    assert "Axe 1 — Habiter le centre" in page
    assert "Vacance des logements du centre ancien" in page
    assert "Enjeu renommé après la validation" not in page
    assert "Titre modifié en base" not in page
    assert "Contenu affiché tel qu'il a été validé" in page


def test_a_new_version_copies_the_validated_content_with_themes_and_stakes(
    territory, manager, referent
) -> None:
    stake = StakeFactory(programme=territory.programme, title="Commerces vacants")
    v1 = write_version(territory.programme, axes=1, objectives=1)
    objective = Objective.objects.get(axis__project=v1)
    services.objective_update(
        objective=objective,
        expected_version=objective.version,
        by=manager,
        title=objective.title,
        description="Boutiques à l'essai.",
        themes=[theme("commerce")],
        stakes=[stake],
    )
    v1 = services.project_submit(project=v1, expected_version=v1.version, by=manager)
    v1 = services.project_validate(project=v1, expected_version=v1.version, by=referent, on=ON)

    v2 = services.project_start(programme=territory.programme, by=manager)

    assert (v2.number, v2.status, v2.vision) == (2, "draft", "Des bourgs vivants.")
    copied = Objective.objects.get(axis__project=v2)
    assert copied.pk != objective.pk
    assert (copied.axis.title, copied.title, copied.description) == (
        "Axe écrit n° 1",
        "Objectif 1.1",
        "Boutiques à l'essai.",
    )
    assert list(copied.stakes.all()) == [stake]
    assert [t.code for t in copied.themes.all()] == ["commerce"]
    assert [t.code for t in copied.axis.themes.all()] == ["habitat"]
    assert transitions(v2) == [("", "draft", "Version 2 ouverte à partir de la version 1 validée.")]
    # Editing the copy leaves version 1 untouched.
    services.axis_delete(axis=copied.axis, by=manager)
    assert Axis.objects.filter(project=v1).count() == 1


def test_validating_a_new_version_supersedes_the_previous_one(territory, manager, referent) -> None:
    v1 = validated(territory.programme, manager, referent)
    v2 = services.project_start(programme=territory.programme, by=manager)
    v2 = services.project_submit(project=v2, expected_version=v2.version, by=manager)
    v2 = services.project_validate(project=v2, expected_version=v2.version, by=referent, on=ON)

    v1.refresh_from_db()
    assert (v1.status, v2.status) == (ProjectStatus.SUPERSEDED, ProjectStatus.VALIDATED)
    assert v1.snapshot["number"] == 1  # the frozen content stays
    assert transitions(v1)[-1] == (
        "validated",
        "superseded",
        f"Remplacée par la version 2, validée le {ON:%d/%m/%Y}.",
    )
    assert StatusChange.objects.filter(object_id=v1.pk, target="superseded").get().by == referent


# --- Axes and objectives of a draft --------------------------------------------------------------------


def test_axes_move_and_are_renumbered_after_a_deletion(territory, manager) -> None:
    project = write_version(territory.programme, axes=3, objectives=0)
    first, _, third = project.axes.order_by("order")
    services.axis_move(axis=third, by=manager, direction="up")
    assert list(project.axes.order_by("order").values_list("title", flat=True)) == [
        "Axe écrit n° 1",
        "Axe écrit n° 3",
        "Axe écrit n° 2",
    ]
    services.axis_move(axis=first, by=manager, direction="up")  # already first: nothing moves
    services.axis_delete(axis=first, by=manager)
    assert list(project.axes.order_by("order").values_list("order", "title")) == [
        (1, "Axe écrit n° 3"),
        (2, "Axe écrit n° 2"),
    ]


def test_objectives_move_within_their_axis(territory, manager) -> None:
    project = write_version(territory.programme, axes=1, objectives=3)
    axis = project.axes.get()
    services.objective_move(objective=axis.objectives.get(order=1), by=manager, direction="down")
    services.objective_delete(objective=axis.objectives.get(title="Objectif 1.3"), by=manager)
    assert list(axis.objectives.order_by("order").values_list("order", "title")) == [
        (1, "Objectif 1.2"),
        (2, "Objectif 1.1"),
    ]


def test_a_stake_of_another_programme_is_refused(territory, manager) -> None:
    project = write_version(territory.programme, axes=0)
    elsewhere = StakeFactory(programme=territory.other_programme, title="Enjeu de Joinville")
    with pytest.raises(StrategyError, match="L'enjeu « Enjeu de Joinville » appartient à un autre programme"):
        services.axis_create(project=project, by=manager, title="Axe", stakes=[elsewhere])


def test_an_axis_edited_from_a_stale_form_is_refused(territory, manager) -> None:
    axis = write_version(territory.programme, axes=1, objectives=0).axes.get()
    shown = axis.version
    services.axis_update(
        axis=axis, expected_version=shown, by=manager, title="Premier", description="", themes=[], stakes=[]
    )
    with pytest.raises(StaleObjectError, match="Vos modifications n'ont pas été enregistrées"):
        services.axis_update(
            axis=axis,
            expected_version=shown,
            by=manager,
            title="Second",
            description="",
            themes=[],
            stakes=[],
        )
    axis.refresh_from_db()
    assert axis.title == "Premier"


# --- Diff ----------------------------------------------------------------------------------------------


def _axis(order: int, title: str, objectives: list[dict], **extra: object) -> dict:
    return {
        "order": order,
        "title": title,
        "description": "",
        "themes": [],
        "stakes": [],
        "objectives": objectives,
        **extra,
    }


def _objective(order: int, title: str, **extra: object) -> dict:
    return {"order": order, "title": title, "description": "", "themes": [], "stakes": [], **extra}


def test_diff_reports_vision_and_axes_added_removed_renamed_and_changed() -> None:
    a = {
        "number": 1,
        "title": "Projet",
        "vision": "Avant.",
        "axes": [
            _axis(1, "Habiter les cœurs de bourg", [_objective(1, "Logements vacants")]),
            _axis(2, "Commerces", [_objective(1, "Vacance commerciale"), _objective(2, "Marché")]),
            _axis(3, "Stationnement", []),
        ],
    }
    b = {
        "number": 2,
        "title": "Projet",
        "vision": "Après.",
        "axes": [
            _axis(1, "Habitat et cœurs de bourg", [_objective(1, "Logements vacants")]),
            _axis(
                2,
                "Commerces",
                [_objective(1, "Vacance commerciale", stakes=["Rue principale"]), _objective(2, "Halle")],
                themes=["Commerces, services et activités"],
            ),
            _axis(3, "Transition écologique", [_objective(1, "Îlots de fraîcheur")]),
        ],
    }
    b["axes"][2]["order"] = 4  # not at the place of "Stationnement": an addition, not a rename
    diff = diff_versions(a, b)

    assert (diff.old_number, diff.new_number, diff.title) == (1, 2, None)
    assert (diff.vision.old, diff.vision.new) == ("Avant.", "Après.")
    summary = [(axis.kind, axis.title) for axis in diff.axes]
    assert summary == [
        ("renamed", "Habitat et cœurs de bourg"),
        ("changed", "Commerces"),
        ("removed", "Stationnement"),
        ("added", "Transition écologique"),
    ]
    renamed, changed, _, _ = diff.axes
    assert [(c.label, c.old, c.new) for c in renamed.changes] == [
        ("Intitulé", "Habiter les cœurs de bourg", "Habitat et cœurs de bourg")
    ]
    assert [(c.label, c.old, c.new) for c in changed.changes] == [
        ("Thèmes", "—", "Commerces, services et activités")
    ]
    assert [(o.kind, o.title, [(c.label, c.old, c.new) for c in o.changes]) for o in changed.objectives] == [
        ("changed", "Vacance commerciale", [("Enjeux traités", "—", "Rue principale")]),
        ("renamed", "Halle", [("Intitulé", "Marché", "Halle")]),
    ]
    assert (diff.added_count, diff.removed_count, diff.renamed_count, diff.changed_count) == (1, 1, 1, 1)
    assert not diff.is_empty


def test_diff_of_a_version_with_itself_is_empty(territory) -> None:
    content = project_as_dict(write_version(territory.programme))
    assert diff_versions(content, content).is_empty


def test_compare_page_shows_what_changed_between_the_validated_and_the_draft(
    client_for, territory, manager, referent
) -> None:
    validated(territory.programme, manager, referent, axes=1, objectives=1)
    v2 = services.project_start(programme=territory.programme, by=manager)
    services.axis_create(project=v2, by=manager, title="Transition écologique")
    page = (
        client_for("mayor_of_wassy")
        .get(f"/programmes/{territory.programme.pk}/projet/comparer/?de=1&a=2")
        .content.decode()
    )
    assert "De la version 1 à la version 2" in page
    assert "Vision inchangée." in page
    assert '<span class="pvd-diff-count">1 ajouté</span>' in page
    assert '<span class="pvd-diff-count">0 supprimé</span>' in page
    assert "Axe 2 — Transition écologique" in page


# --- Pages ---------------------------------------------------------------------------------------------


def test_manager_adds_an_axis_with_themes_and_stakes_through_the_page(client_for, territory, manager) -> None:
    stake = StakeFactory(programme=territory.programme, title="Vacance des logements")
    services.project_start(programme=territory.programme, by=manager)
    client = client_for("manager")
    response = client.post(
        f"/programmes/{territory.programme.pk}/projet/axes/ajouter/",
        {
            "title": "Habitat et cœurs de bourg",
            "description": "",
            "themes": [theme("habitat").pk],
            "stakes": [stake.pk],
        },
    )
    axis = Axis.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{territory.programme.pk}/projet/#axe-{axis.pk}"
    assert (axis.order, axis.title, list(axis.stakes.all())) == (1, "Habitat et cœurs de bourg", [stake])
    page = client.get(response["Location"]).content.decode()
    assert "L&#x27;axe 1 « Habitat et cœurs de bourg » est ajouté." in page
    assert "Axe 1 — Habitat et cœurs de bourg" in page
    assert "Soumettre à l'élu référent" in page


def test_editing_a_validated_versions_axis_sends_back_to_the_project_with_the_reason(
    client_for, territory, manager, referent
) -> None:
    project = validated(territory.programme, manager, referent, axes=1, objectives=0)
    client = client_for("manager")
    url = f"/programmes/{territory.programme.pk}/projet/axes/{project.axes.get().pk}/modifier/"
    response = client.post(url, {"title": "Renommé", "version": 1}, follow=True)
    assert response.redirect_chain == [(f"/programmes/{territory.programme.pk}/projet/", 302)]
    assert "Une version validée ne se modifie pas : créez une nouvelle version." in response.content.decode()
    assert project.axes.get().title == "Axe écrit n° 1"


def test_referent_validates_through_the_validation_page(client_for, territory, manager, referent) -> None:
    project = submitted(territory.programme, manager)
    client = client_for("referent")
    url = f"/programmes/{territory.programme.pk}/projet/validation/"
    page = client.get(url).content.decode()
    assert "Version 1 — soumise à validation" in page
    assert f'value="{datetime.date.today():%Y-%m-%d}"' in page  # the date defaults to today
    response = client.post(
        url,
        {
            "decision": "validate",
            "on": ON.isoformat(),
            "comment": "Validé en comité de projet.",
            "deliberation_reference": "Délibération n° 2026-112",
            "version": project.version,
        },
    )
    assert response["Location"] == f"/programmes/{territory.programme.pk}/projet/versions/1/"
    project.refresh_from_db()
    assert (project.status, project.validated_on, project.validated_by) == ("validated", ON, referent)
    assert project.deliberation_reference == "Délibération n° 2026-112"


def test_sending_back_without_a_comment_is_refused_on_the_form(
    client_for, territory, manager, referent
) -> None:
    project = submitted(territory.programme, manager)
    response = client_for("referent").post(
        f"/programmes/{territory.programme.pk}/projet/validation/",
        {"decision": "return", "on": ON.isoformat(), "comment": "", "version": project.version},
    )
    assert response.status_code == 200
    assert "Indiquez ce qui doit être revu pour renvoyer le projet." in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


def test_a_decision_dated_in_the_future_is_refused(client_for, territory, manager, referent) -> None:
    project = submitted(territory.programme, manager)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    response = client_for("referent").post(
        f"/programmes/{territory.programme.pk}/projet/validation/",
        {"decision": "validate", "on": tomorrow.isoformat(), "version": project.version},
    )
    assert "La date de la décision ne peut pas être dans le futur." in response.content.decode()


def test_manager_posting_a_validation_gets_403(client_for, territory, manager) -> None:
    project = submitted(territory.programme, manager)
    response = client_for("manager").post(
        f"/programmes/{territory.programme.pk}/projet/validation/",
        {"decision": "validate", "on": ON.isoformat(), "version": project.version},
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


def test_readers_see_the_project_without_editing_controls(client_for, territory, manager) -> None:
    write_version(territory.programme, axes=1, objectives=1)
    for persona in ["mayor_of_la_porte_du_der", "partner", "referent"]:
        page = client_for(persona).get(f"/programmes/{territory.programme.pk}/projet/").content.decode()
        assert "Axe 1 — Axe écrit n° 1" in page, persona
        assert "Ajouter un axe" not in page, persona
        assert "Soumettre à l'élu référent" not in page, persona


def test_the_referent_is_invited_to_validate_a_submitted_version(
    client_for, territory, manager, referent
) -> None:
    submitted(territory.programme, manager)
    page = client_for("referent").get(f"/programmes/{territory.programme.pk}/projet/").content.decode()
    assert "Examiner et valider la version 1" in page


def test_the_printable_summary_puts_each_axis_on_its_own_page(
    client_for, territory, manager, referent
) -> None:
    validated(territory.programme, manager, referent, axes=3, objectives=2)
    page = (
        client_for("partner").get(f"/programmes/{territory.programme.pk}/projet/imprimer/").content.decode()
    )
    assert "/static/css/print.css" in page
    assert page.count('class="pvd-print-axis"') == 3
    assert "Version 1 — Validé" in page
    assert "Délibération du conseil communautaire n° 2026-112" in page
    assert "Communes : La Porte du Der, Wassy" in page


def test_programme_page_links_the_strategy_and_the_project(client_for, territory, manager) -> None:
    page = client_for("manager").get(f"/programmes/{territory.programme.pk}/").content.decode()
    assert f'href="/programmes/{territory.programme.pk}/strategie/"' in page
    assert f'href="/programmes/{territory.programme.pk}/projet/"' in page


@pytest.mark.parametrize("factor", [1, 10])
def test_project_page_query_budget_is_flat(
    client_for, territory, manager, referent, factor, django_assert_num_queries
) -> None:
    for _ in range(factor):
        StakeFactory(programme=territory.programme)
    v1 = validated(territory.programme, manager, referent, axes=2 * factor, objectives=2)
    services.project_start(programme=territory.programme, by=manager)  # a draft copying 2×factor axes
    stakes = list(territory.programme.stakes.all())
    for objective in Objective.objects.filter(axis__project__number=2):
        objective.stakes.set(stakes)
        objective.themes.set([theme("habitat"), theme("commerce")])
    assert v1.axes.count() == 2 * factor
    client = client_for("manager")
    # session, user, memberships (scope), programme + EPCI, its communes, versions + submitter + validator,
    # the draft's content: axes, their themes, their stakes, objectives, their themes, their stakes;
    # status changes + authors, menu: programmes, history (records + authors), names in the history
    # (programme), session refresh (savepoint, update, release)
    with django_assert_num_queries(20):  # +1: the bell's unread count (issue 8)
        assert client.get(f"/programmes/{territory.programme.pk}/projet/").status_code == 200


# --- Demo ----------------------------------------------------------------------------------------------


def test_the_demo_project_has_a_validated_version_1_and_a_draft_version_2_with_five_axes(territory) -> None:
    from programmes.demo_project import DELIBERATION, load_project

    StakeFactory(
        programme=territory.programme, theme=theme("commerce"), commune=territory.wassy, title="Vacance"
    )
    load_project(territory.programme)
    load_project(territory.programme)  # idempotent
    v1, v2 = RevitalisationProject.objects.filter(programme=territory.programme).order_by("number")
    assert (v1.status, v1.validated_on, v1.deliberation_reference) == (
        "validated",
        datetime.date(2023, 3, 14),
        DELIBERATION,
    )
    assert [axis["title"] for axis in v1.snapshot["axes"]] == [
        "Habiter les cœurs de bourg",
        "Commerces et services de proximité",
        "Espaces publics et mobilités",
        "Patrimoine et tourisme autour du lac du Der",
    ]
    assert v2.status == "draft"
    assert list(v2.axes.values_list("title", flat=True)) == [
        "Habitat et cœurs de bourg",
        "Commerces et services de proximité",
        "Espaces publics et mobilités",
        "Patrimoine, culture, tourisme et lac du Der",
        "Transition écologique",
    ]
    assert all(2 <= axis.objectives.count() <= 3 for axis in v2.axes.all())
    assert (
        Objective.objects.get(axis__project=v2, title__startswith="Résorber").stakes.get().title == "Vacance"
    )
    diff = diff_versions(v1.snapshot, project_as_dict(v2))
    assert (diff.added_count, diff.renamed_count) == (1, 2)
