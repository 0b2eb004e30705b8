"""What an avenant changes: the pure comparison of two snapshots (articles paired by key, a word-level diff of
their text, data-block rows added, removed or changed, columns paired by label) and the comparison page of an
avenant created from a signed convention."""

import datetime
from decimal import Decimal

from django.urls import reverse

from operations.conventions.models import ConventionKind, ConventionStatus
from operations.conventions.selectors.compare import (
    ADDED,
    DELETE,
    EQUAL,
    INSERT,
    MODIFIED,
    REMOVED,
    UNCHANGED,
    compare_block,
    compare_snapshots,
    word_diff,
)
from operations.conventions.services import conventions as convention_services
from operations.conventions.services import versions as services
from operations.models import Convention, ConventionArticle, ConventionVersion, Operation, OperationStatus
from tests.conftest import Territory
from tests.operations.convention_factories import (
    ConventionArticleFactory,
    ConventionFactory,
    SignatoryFactory,
)
from tests.operations.convention_rows import convention_rows
from tests.operations.factories import OperationFactory

D = datetime.date


def article(key: str, title: str, html: str, number: str = "") -> dict:
    return {"key": key, "kind": "article", "number": number, "title": title, "html": html}


def block(rows: list[tuple[str, list[str]]], columns: list[str] | None = None) -> dict:
    columns = columns or ["Opération", "Coût HT"]
    return {
        "kind": "plan_action",
        "title": "Plan d'action (fiches-actions)",
        "columns": [{"label": label, "numeric": label == "Coût HT"} for label in columns],
        "rows": [{"key": key, "cells": cells} for key, cells in rows],
        "footer": [],
        "empty": "",
        "note": "",
    }


# --- compare.py ---------------------------------------------------------------------------------------------


def test_articles_are_paired_by_key_as_unchanged_modified_added_or_removed() -> None:
    old = {
        "articles": [
            article("a", "Objet", "<p>La convention engage les parties.</p>", "Article 1"),
            article("b", "Durée", "<p>Six ans.</p>", "Article 2"),
            article("c", "Gouvernance", "<p>Un comité de projet.</p>", "Article 3"),
        ]
    }
    new = {
        "articles": [
            article("a", "Objet", "<p>La convention engage les parties.</p>", "Article 1"),
            article("c", "Gouvernance du programme", "<p>Un comité de projet annuel.</p>", "Article 2"),
            article("d", "Objet de l'avenant", "<p>Modifier le plan d'action.</p>"),
        ]
    }
    comparison = compare_snapshots(old, new)
    statuses = [(change.article["key"], change.status) for change in comparison.articles]
    assert statuses == [("a", UNCHANGED), ("c", MODIFIED), ("d", ADDED), ("b", REMOVED)]
    modified = comparison.articles[1]
    assert [(c.label, c.old, c.new) for c in modified.changes] == [
        ("Numéro", "Article 3", "Article 2"),
        ("Titre", "Gouvernance", "Gouvernance du programme"),
    ]
    assert [(p.op, p.text) for p in modified.text.new if p.op == INSERT] == [(INSERT, " annuel")]
    assert [(p.op, p.text) for p in modified.text.old] == [(EQUAL, "Un comité de projet.")]
    assert (comparison.added_count, comparison.removed_count, comparison.modified_count) == (1, 1, 1)


def test_the_word_diff_keeps_each_side_readable_and_marks_only_the_changed_words() -> None:
    diff = word_diff("Le comité se réunit deux fois par an.", "Le comité se réunit trois fois par an.")
    assert "".join(p.text for p in diff.old) == "Le comité se réunit deux fois par an."
    assert "".join(p.text for p in diff.new) == "Le comité se réunit trois fois par an."
    assert [p.text for p in diff.old if p.op == DELETE] == ["deux"]
    assert [p.text for p in diff.new if p.op == INSERT] == ["trois"]
    assert not word_diff("Identique.", "Identique.").changed


def test_block_rows_are_added_removed_or_changed_by_key_with_old_and_new_cells() -> None:
    old = block([("op-1", ["Halles", "100 000,00 €"]), ("op-2", ["Médiathèque", "50 000,00 €"])])
    new = block([("op-1", ["Halles", "120 000,00 €"]), ("op-3", ["Tiers-lieu", "80 000,00 €"])])
    change = compare_block("plan_action", old, new)
    assert change.status == MODIFIED
    assert [[(c.label, c.value) for c in row] for row in change.added] == [
        [("Opération", "Tiers-lieu"), ("Coût HT", "80 000,00 €")]
    ]
    assert [[c.value for c in row] for row in change.removed] == [["Médiathèque", "50 000,00 €"]]
    assert [(r.label, [(c.label, c.old, c.new) for c in r.cells]) for r in change.changed] == [
        ("Halles", [("Coût HT", "100 000,00 €", "120 000,00 €")])
    ]


def test_block_columns_are_paired_by_label_when_they_differ() -> None:
    old = block([("op-1", ["Halles", "100 000,00 €"])])
    new = block(
        [("op-1", ["Halles", "25 000,00 €", "100 000,00 €"])], ["Opération", "État (DETR)", "Coût HT"]
    )
    change = compare_block("plan_action", old, new)
    assert change.columns_added == ["État (DETR)"]
    assert [(c.label, c.old, c.new) for c in change.changed[0].cells] == [("État (DETR)", "", "25 000,00 €")]


def test_a_block_only_on_one_side_is_added_or_removed_and_identical_snapshots_show_no_change() -> None:
    table = block([("op-1", ["Halles", "1,00 €"])])
    assert compare_block("plan_action", None, table).status == ADDED
    assert compare_block("plan_action", table, None).status == REMOVED
    snapshot = {"articles": [article("a", "Objet", "<p>Texte.</p>")], "blocks": {"plan_action": table}}
    assert compare_snapshots(snapshot, snapshot).is_empty
    assert compare_snapshots({"articles": []}, {"articles": []}).is_empty  # minimal snapshots


# --- The comparison page ------------------------------------------------------------------------------------


def signed_convention_with_avenant(t: Territory, manager) -> tuple[Convention, Convention, ConventionVersion]:
    halles = OperationFactory(
        programme=t.programme,
        code="W-01",
        title="Halles de Wassy",
        estimated_cost_ht=Decimal("100000.00"),
        estimated_cost_ttc=Decimal("120000.00"),
    )
    mediatheque = OperationFactory(
        programme=t.programme,
        code="W-02",
        title="Médiathèque",
        estimated_cost_ht=Decimal("50000.00"),
        estimated_cost_ttc=Decimal("60000.00"),
    )
    convention = ConventionFactory(
        programme=t.programme, kind=ConventionKind.ADHESION, title="Convention d'adhésion de Wassy"
    )
    ConventionArticleFactory(
        convention=convention,
        order=1,
        number="Article 1",
        title="Plan d'action",
        body="<p>Les parties engagent les opérations suivantes.</p><p>[[bloc:plan_action]]</p>",
    )
    ConventionArticleFactory(
        convention=convention, order=2, number="Article 2", title="Durée", body="<p>Six ans.</p>"
    )
    SignatoryFactory(convention=convention, organisation=t.wassy, order=1)
    version = services.version_issue(convention=convention, by=manager, site_url="https://pvd.example.fr/")
    ConventionVersion.objects.filter(pk=version.pk).update(signed=True)
    Convention.objects.filter(pk=convention.pk).update(
        status=ConventionStatus.IN_FORCE, signed_on=D(2026, 4, 1)
    )
    convention.refresh_from_db()
    avenant = convention_services.amendment_create(parent=convention, by=manager)
    # The avenant changes the text, removes an article, and the action plan changes meanwhile.
    ConventionArticle.objects.filter(convention=avenant, title="Plan d'action").update(
        body="<p>Les parties engagent pleinement les opérations suivantes.</p><p>[[bloc:plan_action]]</p>"
    )
    ConventionArticle.objects.filter(convention=avenant, title="Durée").delete()
    Operation.objects.filter(pk=halles.pk).update(estimated_cost_ht=Decimal("120000.00"))
    Operation.objects.filter(pk=mediatheque.pk).update(status=OperationStatus.ABANDONED)
    OperationFactory(
        programme=t.programme,
        code="W-03",
        title="Tiers-lieu",
        estimated_cost_ht=Decimal("80000.00"),
        estimated_cost_ttc=Decimal("96000.00"),
    )
    return convention, avenant, version


def test_the_comparison_page_shows_what_the_avenant_changes_in_the_version_in_force(
    territory, manager, client_for
) -> None:
    _, avenant, version = signed_convention_with_avenant(territory, manager)
    response = client_for("referent").get(reverse("operations:amendment_compare", args=[avenant.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert version.reference in page
    comparison = response.context["comparison"]
    assert {c.article["title"]: c.status for c in comparison.articles}["Durée"] == REMOVED
    assert '<ins><span class="visually-hidden">[ajouté : </span> pleinement<' in page
    assert "Version en vigueur" in page and "Avenant" in page
    blocks = {b.kind: b for b in comparison.blocks}
    plan = blocks["plan_action"]
    assert [row[1].value for row in plan.added] == ["Tiers-lieu"]
    assert [row[1].value for row in plan.removed] == ["Médiathèque"]
    assert [(c.label, c.old, c.new) for c in plan.changed[0].cells] == [
        ("Coût HT", "100\xa0000,00\xa0€", "120\xa0000,00\xa0€")
    ]
    assert "Tiers-lieu" in page and "Lignes ajoutées" in page and "Lignes supprimées" in page


def test_once_signed_the_avenant_is_compared_through_its_signed_version(
    territory, manager, client_for
) -> None:
    _, avenant, version = signed_convention_with_avenant(territory, manager)
    avenant_version = services.version_issue(
        convention=avenant, by=manager, site_url="https://pvd.example.fr/"
    )
    ConventionVersion.objects.filter(pk=avenant_version.pk).update(signed=True)
    Convention.objects.filter(pk=avenant.pk).update(status=ConventionStatus.SIGNED, signed_on=D(2026, 9, 1))
    ConventionArticle.objects.filter(convention=avenant, title="Plan d'action").update(
        body="<p>Changé après.</p>"
    )
    response = client_for("manager").get(reverse("operations:amendment_compare", args=[avenant.pk]))
    sides = response.context["sides"]
    assert (sides.base, sides.new_version) == (version, avenant_version)
    assert "Changé après" not in response.content.decode()
    assert "pleinement" in response.content.decode()


def test_only_an_avenant_has_a_comparison_and_the_minimal_rows_still_show(territory, client_for) -> None:
    rows = convention_rows(territory)
    assert (
        client_for("manager").get(reverse("operations:amendment_compare", args=[rows.signed.pk])).status_code
        == 404
    )
    response = client_for("manager").get(reverse("operations:amendment_compare", args=[rows.amendment.pk]))
    assert response.status_code == 200
    assert rows.version.reference in response.content.decode()


def test_the_comparison_page_costs_the_same_queries_at_1x_and_10x(
    territory, manager, client_for, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, avenant, _ = signed_convention_with_avenant(territory, manager)
    client = client_for("manager")
    url = reverse("operations:amendment_compare", args=[avenant.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(9):
        ConventionArticleFactory(convention=avenant, order=50 + n, title=f"Article ajouté {n}")
        OperationFactory(
            programme=territory.programme,
            estimated_cost_ht=Decimal("10.00"),
            estimated_cost_ttc=Decimal("12.00"),
        )
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert "Article ajouté 8" in response.content.decode()
