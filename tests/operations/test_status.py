"""The operation status workflow (DOMAIN.md §1.5): every transition allowed or refused, the StatusChange
rows, stale pages, and the bulk change, all or nothing."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from operations.models import Operation, OperationStatus
from operations.services import operation as services
from operations.services.errors import OperationError
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.operations.factories import OperationFactory

S = OperationStatus
ALLOWED = [(source, target) for source, targets in services.TRANSITIONS.items() for target in sorted(targets)]
REFUSED = [
    (source, target)
    for source in S.values
    for target in S.values
    if target not in services.TRANSITIONS[source] and target != source
]


def changes_of(operation: Operation) -> list[tuple[str, str, str, str]]:
    rows = StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Operation), object_id=operation.pk
    ).order_by("pk")
    return [(c.source, c.target, c.by.full_name if c.by else "", c.comment) for c in rows]


def operation_in(status: str, territory: Territory, code: str = "W-01") -> Operation:
    return OperationFactory(
        programme=territory.programme, code=code, status=status, communes=[territory.wassy]
    )


def test_the_transitions_are_those_of_the_domain() -> None:
    assert {
        "idea": {"mature", "suspended", "abandoned"},
        "mature": {"committed", "idea", "suspended", "abandoned"},
        "committed": {"works", "delivered", "suspended", "abandoned"},
        "works": {"delivered", "suspended", "abandoned"},
        "delivered": {"closed", "works"},
        "suspended": {"idea", "mature", "committed", "works", "abandoned"},
        "closed": set(),
        "abandoned": set(),
    } == services.TRANSITIONS


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=str)
def test_each_allowed_transition_moves_the_operation_and_writes_a_status_change(
    source: str, target: str, manager, territory: Territory
) -> None:
    operation = operation_in(source, territory)
    saved = services.operation_change_status(
        operation=operation, to=target, by=manager, comment="Décidé en COTECH.", expected_version=1
    )
    operation.refresh_from_db()
    assert (operation.status, operation.version, saved.status) == (target, 2, target)
    assert changes_of(operation) == [(source, target, "Camille Martin", "Décidé en COTECH.")]
    assert operation.history.latest().history_user == manager


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=str)
def test_each_illegal_transition_is_refused_in_french_naming_both_statuses(
    source: str, target: str, manager, territory: Territory
) -> None:
    operation = operation_in(source, territory)
    with pytest.raises(OperationError) as refusal:
        services.operation_change_status(operation=operation, to=target, by=manager, expected_version=1)
    message = str(refusal.value)
    assert f"« {S(source).label} »" in message
    assert f"« {S(target).label} »" in message
    operation.refresh_from_db()
    assert (operation.status, operation.version) == (source, 1)
    assert changes_of(operation) == []


def test_the_refusal_lists_the_possible_statuses(manager, territory: Territory) -> None:
    operation = operation_in(S.IDEA, territory)
    with pytest.raises(OperationError) as refusal:
        services.operation_change_status(operation=operation, to=S.WORKS, by=manager)
    assert str(refusal.value) == (
        "L'opération W-01 ne peut pas passer de « Idée / en maturation » à « En cours (travaux) » ; "
        "statuts possibles : « Prête (mature) », « Suspendue », « Abandonnée »."
    )


def test_a_final_status_says_so(manager, territory: Territory) -> None:
    operation = operation_in(S.CLOSED, territory)
    with pytest.raises(OperationError, match="Soldée.*définitif.*Idée / en maturation"):
        services.operation_change_status(operation=operation, to=S.IDEA, by=manager)


def test_a_stale_version_is_refused(manager, territory: Territory) -> None:
    operation = operation_in(S.IDEA, territory)
    services.operation_change_status(operation=operation, to=S.MATURE, by=manager, expected_version=1)
    with pytest.raises(StaleObjectError):
        services.operation_change_status(operation=operation, to=S.ABANDONED, by=manager, expected_version=1)
    operation.refresh_from_db()
    assert operation.status == S.MATURE


# --- Bulk ----------------------------------------------------------------------------------------------------


def test_bulk_change_moves_every_operation(manager, territory: Territory) -> None:
    ops = [operation_in(S.IDEA, territory, code=f"W-0{n}") for n in range(1, 4)]
    changed = services.operations_bulk_change_status(operations=ops, to=S.MATURE, by=manager, comment="COPIL")
    assert [o.status for o in changed] == [S.MATURE] * 3
    assert all(changes_of(o) == [(S.IDEA, S.MATURE, "Camille Martin", "COPIL")] for o in ops)


def test_bulk_change_is_all_or_nothing_and_names_the_refused_codes(manager, territory: Territory) -> None:
    ok = operation_in(S.IDEA, territory, code="W-01")
    closed = operation_in(S.CLOSED, territory, code="W-02")
    works = operation_in(S.WORKS, territory, code="W-03")
    with pytest.raises(OperationError) as refusal:
        services.operations_bulk_change_status(operations=[ok, closed, works], to=S.MATURE, by=manager)
    assert str(refusal.value) == (
        "Aucun statut n'a été modifié : 2 opérations ne peuvent pas passer à « Prête (mature) » : "
        "W-02 (« Soldée »), W-03 (« En cours (travaux) »)."
    )
    assert list(Operation.objects.order_by("code").values_list("status", "version")) == [
        (S.IDEA, 1),
        (S.CLOSED, 1),
        (S.WORKS, 1),
    ]
    assert StatusChange.objects.count() == 0


def test_bulk_view_changes_the_checked_rows_and_keeps_the_filters(client_for, territory: Territory) -> None:
    ops = [operation_in(S.IDEA, territory, code=f"W-0{n}") for n in range(1, 3)]
    url = reverse("operations:bulk_status", args=[territory.programme.pk])
    response = client_for("manager").post(
        url,
        {"operations": [o.pk for o in ops], "to": S.MATURE, "comment": "", "query": "statut=idea&tri=-code"},
    )
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("operations:list", args=[territory.programme.pk]) + "?statut=idea&tri=-code"
    )
    assert set(Operation.objects.values_list("status", flat=True)) == {S.MATURE}


def test_bulk_view_refuses_an_operation_of_another_programme(client_for, territory: Territory) -> None:
    mine = operation_in(S.IDEA, territory)
    other = OperationFactory(programme=territory.other_programme, status=S.IDEA)
    url = reverse("operations:bulk_status", args=[territory.programme.pk])
    client_for("manager").post(url, {"operations": [mine.pk, other.pk], "to": S.MATURE})
    assert set(Operation.objects.values_list("status", flat=True)) == {S.IDEA}


def test_bulk_view_is_for_managers(client_for, territory: Territory) -> None:
    op = operation_in(S.IDEA, territory)
    url = reverse("operations:bulk_status", args=[territory.programme.pk])
    assert client_for("referent").post(url, {"operations": [op.pk], "to": S.MATURE}).status_code == 403
    assert client_for("outsider").post(url, {"operations": [op.pk], "to": S.MATURE}).status_code == 404


# --- The operation page's form ---------------------------------------------------------------------------------


def test_status_form_changes_the_status(client_for, territory: Territory) -> None:
    op = operation_in(S.IDEA, territory)
    client = client_for("manager")
    page = client.get(reverse("operations:detail", args=[op.pk]))
    assert [c[0] for c in page.context["status_form"].fields["to"].choices] == [
        "mature",
        "suspended",
        "abandoned",
    ]
    response = client.post(
        reverse("operations:status", args=[op.pk]),
        {"to": S.MATURE, "comment": "Programme validé", "version": 1},
    )
    assert response.status_code == 302
    op.refresh_from_db()
    assert op.status == S.MATURE
    page = client.get(reverse("operations:detail", args=[op.pk]))
    assert [(c.source_label, c.target_label) for c in page.context["changes"]] == [
        ("Idée / en maturation", "Prête (mature)")
    ]


def test_status_form_from_a_stale_page_is_refused(client_for, manager, territory: Territory) -> None:
    op = operation_in(S.IDEA, territory)
    services.operation_change_status(operation=op, to=S.SUSPENDED, by=manager, expected_version=1)
    response = client_for("manager").post(
        reverse("operations:status", args=[op.pk]), {"to": S.IDEA, "version": 1}, follow=True
    )
    op.refresh_from_db()
    assert op.status == S.SUSPENDED
    assert "pendant votre saisie" in response.content.decode()


def test_status_form_is_for_managers(client_for, territory: Territory) -> None:
    op = operation_in(S.IDEA, territory)
    url = reverse("operations:status", args=[op.pk])
    assert client_for("mayor_of_wassy").post(url, {"to": S.MATURE, "version": 1}).status_code == 403
    assert client_for("mayor_of_la_porte_du_der").post(url, {"to": S.MATURE, "version": 1}).status_code == 404
    assert (
        client_for("mayor_of_wassy").get(reverse("operations:detail", args=[op.pk])).context["status_form"]
        is None
    )
