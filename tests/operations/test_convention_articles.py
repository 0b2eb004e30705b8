"""Articles of conventions (issue 9, H2): add, edit, move, delete while the convention is a draft; refused once
signed; the text sanitised on save and on display; unknown data blocks and stale edits refused."""

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.urls import reverse

from operations.conventions.models import ConventionArticle, ConventionStatus
from operations.conventions.services import articles as services
from operations.conventions.services.conventions import ConventionError
from operations.conventions.snapshot import rendered_articles, take_snapshot
from tests.operations.convention_factories import ConventionArticleFactory, ConventionFactory
from tests.operations.convention_rows import convention_rows
from tests.operations.factories import OperationFactory

MALICIOUS = (
    '<p onclick="steal()">Objet <a href="javascript:alert(2)">lien</a></p>'
    "<script>alert(1)</script><style>body { display: none }</style>"
    '<p><img src=x onerror="alert(3)"><strong>Engagements</strong></p>'
)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def draft(territory):
    convention = ConventionFactory(programme=territory.programme, title="Convention-cadre PVD valant ORT")
    first = ConventionArticleFactory(convention=convention, order=1, number="Article 1", title="Objet")
    second = ConventionArticleFactory(convention=convention, order=2, number="Article 2", title="Engagements")
    return convention, first, second


def titles(convention) -> list[str]:
    return list(convention.articles.order_by("order", "pk").values_list("title", flat=True))


def test_a_manager_adds_an_article_after_another(client_for, draft):
    convention, first, _ = draft
    response = client_for("manager").post(
        reverse("operations:article_create", args=[convention.pk]),
        {
            "kind": "article",
            "number": "Article 2",
            "title": "Périmètre",
            "body": "<p>Le centre.</p>",
            "after": first.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("operations:convention", args=[convention.pk])
    assert titles(convention) == ["Objet", "Périmètre", "Engagements"]
    added = convention.articles.get(title="Périmètre")
    assert added.body == "<p>Le centre.</p>"
    assert added.history.latest().history_user.full_name == "Camille Martin"


def test_an_article_added_without_place_goes_last(manager, draft):
    convention, _, _ = draft
    services.article_add(convention=convention, by=manager, title="Durée", body="")
    assert titles(convention) == ["Objet", "Engagements", "Durée"]


def test_a_manager_edits_an_article(client_for, draft):
    _convention, first, _ = draft
    url = reverse("operations:article_edit", args=[first.pk])
    client = client_for("manager")
    assert "Aide à la rédaction" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "kind": "article",
            "number": "Article 1",
            "title": "Objet et durée",
            "body": "<p>Six ans.</p>",
            "version": 1,
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.title, first.body, first.version) == ("Objet et durée", "<p>Six ans.</p>", 2)


def test_a_body_is_saved_without_scripts_handlers_links_or_styles(client_for, draft):
    _convention, first, _ = draft
    client_for("manager").post(
        reverse("operations:article_edit", args=[first.pk]),
        {"kind": "article", "number": "Article 1", "title": "Objet", "body": MALICIOUS, "version": 1},
    )
    first.refresh_from_db()
    assert first.body == "<p>Objet lien</p><p><strong>Engagements</strong></p>"


def test_the_rendered_articles_carry_no_script_even_from_a_row_written_elsewhere(manager, draft):
    convention, first, _ = draft
    ConventionArticle.objects.filter(pk=first.pk).update(body=MALICIOUS)  # bypassing the service

    html = render_to_string(
        "operations/conventions/partials/_articles.html",
        {
            "articles": rendered_articles(take_snapshot(convention)),
            "convention": convention,
            "can_edit_articles": True,
        },
    )

    for forbidden in (
        "<script",
        "alert(",
        "onclick",
        "onerror",
        "javascript:",
        "<style",
        "display: none",
    ):
        assert forbidden not in html
    assert "<strong>Engagements</strong>" in html
    assert "<p>Objet lien</p>" in html  # the link's text stays, not the link
    assert '<h3 class="h5" id="article-1-titre">Article 1 — Objet</h3>' in html
    assert reverse("operations:article_edit", args=[first.pk]) in html
    assert "Monter" in html and "Descendre" in html


def test_readers_see_the_articles_without_edit_controls(territory, draft):
    convention, first, _ = draft
    OperationFactory(programme=territory.programme, code="W-01", title="Halles de Wassy")
    ConventionArticle.objects.filter(pk=first.pk).update(body="<p>Plan :</p><p>[[bloc:plan_action]]</p>")

    html = render_to_string(
        "operations/conventions/partials/_articles.html",
        {
            "articles": rendered_articles(take_snapshot(convention)),
            "convention": convention,
            "can_edit_articles": False,
        },
    )

    assert "<caption" in html and "Plan d&#x27;action (fiches-actions)</caption>" in html
    assert "<td>Halles de Wassy</td>" in html
    assert 'scope="col" class="text-end">Coût HT</th>' in html
    assert "Modifier" not in html and "<form" not in html


def test_an_unknown_block_is_refused_with_the_list_of_blocks(client_for, draft):
    _convention, first, _ = draft
    response = client_for("manager").post(
        reverse("operations:article_edit", args=[first.pk]),
        {
            "kind": "article",
            "number": "Article 1",
            "title": "Objet",
            "body": "<p>[[bloc:budget]]</p>",
            "version": 1,
        },
    )
    assert response.status_code == 200
    (message,) = messages_of(response)
    assert message.startswith(
        "Bloc inconnu : [[bloc:budget]]. Blocs disponibles : [[bloc:enjeux]] (Enjeux du territoire)"
    )
    first.refresh_from_db()
    assert first.version == 1


def test_a_stale_edit_is_refused(client_for, manager, draft):
    _convention, first, _ = draft
    services.article_update(
        article=first, by=manager, changes={"title": "Objet (collègue)"}, expected_version=1
    )
    response = client_for("manager").post(
        reverse("operations:article_edit", args=[first.pk]),
        {"kind": "article", "number": "Article 1", "title": "Objet (moi)", "body": "", "version": 1},
    )
    assert response.status_code == 200
    (message,) = messages_of(response)
    assert "a été modifié par Camille Martin" in message
    first.refresh_from_db()
    assert first.title == "Objet (collègue)"


def test_a_manager_moves_an_article_down_and_up(client_for, draft):
    convention, first, _second = draft
    client = client_for("manager")
    client.post(reverse("operations:article_move", args=[first.pk]), {"direction": "down"})
    assert titles(convention) == ["Engagements", "Objet"]
    response = client.post(reverse("operations:article_move", args=[first.pk]), {"direction": "up"})
    assert titles(convention) == ["Objet", "Engagements"]
    assert messages_of(response)[-1] == "« Article 1 — Objet » a été monté d'un rang."


def test_the_first_article_cannot_move_up(client_for, draft):
    convention, first, _ = draft
    response = client_for("manager").post(
        reverse("operations:article_move", args=[first.pk]), {"direction": "up"}
    )
    assert messages_of(response) == ["« Article 1 — Objet » est déjà le premier article."]
    assert titles(convention) == ["Objet", "Engagements"]


def test_a_manager_deletes_an_article_after_confirming(client_for, draft):
    convention, first, _ = draft
    client = client_for("manager")
    url = reverse("operations:article_delete", args=[first.pk])
    assert "Supprimer l'article</button>" in client.get(url).content.decode()
    assert titles(convention) == ["Objet", "Engagements"]
    client.post(url)
    assert titles(convention) == ["Engagements"]


def test_a_referent_cannot_write_articles(client_for, draft):
    convention, first, _ = draft
    client = client_for("referent")
    assert (
        client.post(reverse("operations:article_move", args=[first.pk]), {"direction": "down"}).status_code
        == 403
    )
    assert client.post(reverse("operations:article_delete", args=[first.pk])).status_code == 403
    assert titles(convention) == ["Objet", "Engagements"]


def test_the_text_of_a_signed_convention_changes_only_by_avenant(territory, client_for, manager):
    signed = convention_rows(territory).signed
    article = signed.articles.get()
    with pytest.raises(ConventionError, match="La convention est signée : son texte se modifie par avenant."):
        services.article_update(article=article, by=manager, changes={"title": "Autre"}, expected_version=1)
    for action in (
        lambda: services.article_add(convention=signed, by=manager, title="Nouvel article"),
        lambda: services.article_move(article=article, by=manager, direction="down"),
        lambda: services.article_delete(article=article, by=manager),
    ):
        with pytest.raises(ConventionError):
            action()
    response = client_for("manager").post(
        reverse("operations:article_edit", args=[article.pk]),
        {"kind": "article", "number": "Article 1", "title": "Autre", "body": "", "version": 1},
    )
    assert response["Location"] == reverse("operations:convention", args=[signed.pk])
    assert messages_of(response) == ["La convention est signée : son texte se modifie par avenant."]
    article.refresh_from_db()
    assert article.title == "Objet de la convention"


def test_a_convention_in_review_can_still_be_edited(manager, draft):
    convention, first, _ = draft
    convention.status = ConventionStatus.REVIEW
    convention.save()
    services.article_update(article=first, by=manager, changes={"title": "Objet revu"}, expected_version=1)
    first.refresh_from_db()
    assert first.title == "Objet revu"
