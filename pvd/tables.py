"""A plain, JSON-ready table: the shape of the data blocks of conventions (operations.conventions.blocks) — built by
providers that live in every app, so it sits here, below all of them.

    {"kind", "title", "columns": [{"label", "numeric"}], "rows": [{"key", "cells"}], "footer", "empty", "note"}

Cells are text already formatted the French way; row keys are stable (an avenant compares rows by key).
"""

from collections.abc import Sequence
from typing import TypedDict


class Column(TypedDict):
    label: str
    numeric: bool


class Row(TypedDict):
    key: str
    cells: list[str]


class Table(TypedDict):
    kind: str
    title: str
    columns: list[Column]
    rows: list[Row]
    footer: list[str]
    empty: str
    note: str


def _text(cell: object) -> str:
    return "" if cell is None else str(cell)


def table(
    kind: str,
    columns: Sequence[tuple[str, bool]],
    rows: Sequence[tuple[object, Sequence[object]]],
    *,
    title: str = "",
    footer: Sequence[object] = (),
    empty: str = "Aucune donnée.",
    note: str = "",
) -> Table:
    """Build a table: `columns` as (label, numeric), `rows` as (stable key, cells); every row as wide as the
    header. The title of a convention's block is its kind's label, set by `render_blocks`."""
    width = len(columns)
    for key, cells in rows:
        if len(cells) != width:
            raise ValueError(f"Bloc {kind} : la ligne {key} a {len(cells)} cellules pour {width} colonnes.")
    return Table(
        kind=kind,
        title=title,
        columns=[Column(label=label, numeric=numeric) for label, numeric in columns],
        rows=[Row(key=str(key), cells=[_text(cell) for cell in cells]) for key, cells in rows],
        footer=[_text(cell) for cell in footer],
        empty=empty,
        note=note,
    )
