"""The pipeline's kanban: one column per working status, the longest-waiting files first, a capped number of
cards per column with « + x autres » to the filtered list, and a fixed number of queries at 1× and 10×."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.housing.models import FileStatus
from operations.housing.selectors import files as selectors
from operations.housing.services import files as services
from tests.operations.housing_factories import HousingFileFactory

D = datetime.date
S = FileStatus

pytestmark = pytest.mark.django_db


def _files(territory, n: int, **fields) -> list:
    values = {"housing_programme": territory.opah_ru, "commune": territory.saint_dizier}
    return HousingFileFactory.create_batch(n, **(values | fields))


def test_one_column_per_working_status_in_pipeline_order(territory, operator) -> None:
    board = selectors.kanban(operator, territory.opah_ru, day=D(2026, 4, 14))
    assert [c.status for c in board.columns] == list(services.PIPELINE_STATUSES)
    assert [c.status for c in board.columns][:3] == [S.CONTACT, S.PRE_ELIGIBILITY, S.VISIT]
    assert {s for s, _, _ in board.closed} == {S.REJECTED, S.CLOSED, S.ABANDONED, S.LAPSED}


def test_a_column_loads_at_most_n_cards_and_counts_the_others(territory, operator) -> None:
    _files(territory, 5, status=S.VISIT)
    _files(territory, 2, status=S.CLOSED)
    board = selectors.kanban(operator, territory.opah_ru, day=D(2026, 4, 14), per_column=3)
    visit = next(c for c in board.columns if c.status == S.VISIT)
    assert (visit.count, len(visit.cards), visit.more) == (5, 3, 2)
    assert {s: n for s, _, n in board.closed}[S.CLOSED] == 2


def test_the_longest_waiting_files_come_first_with_their_days_in_status(territory, operator) -> None:
    recent, old = _files(territory, 2, status=S.CONTACT)
    HousingFileFactory._meta.model.objects.filter(pk=old.pk).update(first_contact_on=D(2025, 12, 1))
    HousingFileFactory._meta.model.objects.filter(pk=recent.pk).update(first_contact_on=D(2026, 4, 1))
    board = selectors.kanban(operator, territory.opah_ru, day=D(2026, 4, 14))
    contact = board.columns[0]
    assert [card.file.pk for card in contact.cards] == [old.pk, recent.pk]
    assert [card.days_in_status for card in contact.cards] == [134, 13]


def test_a_filed_card_shows_its_next_deadline(territory, operator) -> None:
    _files(
        territory,
        1,
        status=S.FILED,
        first_contact_on=D(2026, 1, 5),
        filed_on=D(2026, 3, 2),
        receipt_on=D(2026, 3, 5),
    )
    board = selectors.kanban(operator, territory.opah_ru, day=D(2026, 6, 1))
    (card,) = next(c for c in board.columns if c.status == S.FILED).cards
    assert card.next_deadline.due_on == D(2026, 7, 5)
    assert card.days_in_status == 91  # since the filing (no status change recorded)


def test_the_kanban_costs_the_same_queries_at_1x_and_10x(territory, operator) -> None:
    def count() -> int:
        selectors.kanban(operator, territory.opah_ru, day=D(2026, 6, 1))  # the user's scope, cached
        with CaptureQueriesContext(connection) as ctx:
            selectors.kanban(operator, territory.opah_ru, day=D(2026, 6, 1))
        return len(ctx.captured_queries)

    for status in (S.CONTACT, S.FILED, S.WORKS):
        _files(
            territory,
            1,
            status=status,
            first_contact_on=D(2026, 1, 5),
            filed_on=D(2026, 3, 2),
            decided_on=D(2026, 4, 1),
        )
    once = count()
    for status in (S.CONTACT, S.FILED, S.WORKS):
        _files(
            territory,
            9,
            status=status,
            first_contact_on=D(2026, 1, 5),
            filed_on=D(2026, 3, 2),
            decided_on=D(2026, 4, 1),
        )
    assert count() == once <= 4


def test_the_kanban_page_links_the_overflow_to_the_filtered_list(territory, client_for) -> None:
    _files(territory, selectors.KANBAN_CARDS + 2, status=S.VISIT)
    response = client_for("operator").get(reverse("operations:housing_kanban", args=[territory.opah_ru.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    list_url = reverse("operations:housing_files", args=[territory.opah_ru.pk])
    assert f'href="{list_url}?statut=visit">+ 2 autres</a>' in html
    assert "Visite" in html
