"""What an avenant changes: the comparison of two convention snapshots (operations.conventions.snapshot).

Pure functions on two snapshot dicts — the version in force (`old`) and the avenant (`new`) — so that the page, a
test or a future export compare exactly the same way:

- **articles** are paired by their stable `key` (an avenant's articles start as copies of the version in force):
  unchanged, modified (number, title or text — the text compared word by word on `richtext.plain_text`), added or
  removed;
- **data blocks** are paired by kind, then their rows by row `key`: rows added, removed or changed, a changed row
  giving old → new for each column whose value differs; columns are paired by label, since a block's columns may
  differ between the two tables (a column added to the maquette, say).

Texts are returned as plain strings split into equal / deleted / inserted pieces: the template escapes them and
wraps the pieces in <del> and <ins>.
"""

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from operations.conventions.richtext import plain_text
from operations.conventions.snapshot import block_label

ADDED = "added"
REMOVED = "removed"
MODIFIED = "modified"
UNCHANGED = "unchanged"

LABELS = {
    ADDED: "Ajouté",
    REMOVED: "Supprimé",
    MODIFIED: "Modifié",
    UNCHANGED: "Inchangé",
}

EQUAL, DELETE, INSERT = "equal", "del", "ins"
TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Piece:
    """A run of text of one side of a word diff: `op` is equal, del (old side) or ins (new side)."""

    op: str
    text: str


@dataclass(frozen=True)
class TextDiff:
    old: list[Piece]
    new: list[Piece]

    @property
    def changed(self) -> bool:
        return any(piece.op != EQUAL for piece in self.old + self.new)


def word_diff(old: str, new: str) -> TextDiff:
    """Word-level diff of two plain texts: the old side with its deleted words, the new side with its inserted
    ones (whitespace kept, so each side reads as its text)."""
    a, b = TOKENS.findall(old or ""), TOKENS.findall(new or "")
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    old_side: list[Piece] = []
    new_side: list[Piece] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            old_side.append(Piece(EQUAL, "".join(a[i1:i2])))
            new_side.append(Piece(EQUAL, "".join(b[j1:j2])))
            continue
        if i2 > i1:
            old_side.append(Piece(DELETE, "".join(a[i1:i2])))
        if j2 > j1:
            new_side.append(Piece(INSERT, "".join(b[j1:j2])))
    return TextDiff(_merge(old_side), _merge(new_side))


def _merge(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in pieces:
        if merged and merged[-1].op == piece.op:
            merged[-1] = Piece(piece.op, merged[-1].text + piece.text)
        elif piece.text:
            merged.append(piece)
    return merged


# --- Articles ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ArticleChange:
    status: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    changes: list[FieldChange] = field(default_factory=list)
    text: TextDiff | None = None

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def article(self) -> dict[str, Any]:
        return self.new if self.new is not None else self.old  # type: ignore[return-value]

    @property
    def heading(self) -> str:
        article = self.article
        return " — ".join(part for part in (article.get("number", ""), article.get("title", "")) if part)


def compare_articles(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[ArticleChange]:
    """The avenant's articles in its order, each paired with the article of the same key in force; then the
    articles in force that the avenant removes, in their order."""
    old_by_key = {article["key"]: article for article in old}
    new_keys = {article["key"] for article in new}
    result: list[ArticleChange] = []
    for article in new:
        before = old_by_key.get(article["key"])
        if before is None:
            text = word_diff("", plain_text(article.get("html", "")))
            result.append(ArticleChange(ADDED, None, article, text=text))
            continue
        changes = [
            FieldChange(label, before.get(name, ""), article.get(name, ""))
            for name, label in (("number", "Numéro"), ("title", "Titre"))
            if before.get(name, "") != article.get(name, "")
        ]
        text = word_diff(plain_text(before.get("html", "")), plain_text(article.get("html", "")))
        if changes or text.changed:
            result.append(ArticleChange(MODIFIED, before, article, changes, text if text.changed else None))
        else:
            result.append(ArticleChange(UNCHANGED, before, article))
    result += [
        ArticleChange(REMOVED, article, None, text=word_diff(plain_text(article.get("html", "")), ""))
        for article in old
        if article["key"] not in new_keys
    ]
    return result


# --- Data blocks ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    label: str
    value: str


@dataclass(frozen=True)
class CellChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange:
    key: str
    label: str  # the row's first cell, as the reader names it
    cells: list[CellChange]


@dataclass(frozen=True)
class BlockChange:
    kind: str
    title: str
    status: str
    added: list[list[Cell]] = field(default_factory=list)
    removed: list[list[Cell]] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.status]


def _cells(table: dict[str, Any], row: dict[str, Any]) -> dict[str, str]:
    labels = [column["label"] for column in table.get("columns", [])]
    return dict(zip(labels, row.get("cells", []), strict=False))


def _labels(table: dict[str, Any] | None) -> list[str]:
    return [column["label"] for column in (table or {}).get("columns", [])]


def compare_block(kind: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> BlockChange:
    """One block in force and in the avenant (either may be missing), row by row."""
    title = (new or old or {}).get("title") or block_label(kind)
    old_labels, new_labels = _labels(old), _labels(new)
    labels = new_labels + [label for label in old_labels if label not in new_labels]
    old_rows = {row["key"]: row for row in (old or {}).get("rows", [])}
    new_rows = {row["key"]: row for row in (new or {}).get("rows", [])}

    def as_cells(table: dict[str, Any], row: dict[str, Any]) -> list[Cell]:
        values = _cells(table, row)
        return [Cell(label, values[label]) for label in _labels(table)]

    added = [as_cells(new, row) for key, row in new_rows.items() if key not in old_rows] if new else []
    removed = [as_cells(old, row) for key, row in old_rows.items() if key not in new_rows] if old else []
    changed: list[RowChange] = []
    for key, row in new_rows.items():
        before = old_rows.get(key)
        if before is None:
            continue
        old_values, new_values = _cells(old, before), _cells(new, row)  # type: ignore[arg-type]
        cells = [
            CellChange(label, old_values.get(label, ""), new_values.get(label, ""))
            for label in labels
            if old_values.get(label, "") != new_values.get(label, "")
        ]
        if cells:
            name = (row.get("cells") or [""])[0] or (before.get("cells") or [""])[0] or key
            changed.append(RowChange(key, name, cells))
    if old is None:
        status = ADDED
    elif new is None:
        status = REMOVED
    elif added or removed or changed or old_labels != new_labels:
        status = MODIFIED
    else:
        status = UNCHANGED
    return BlockChange(
        kind=kind,
        title=title,
        status=status,
        added=added,
        removed=removed,
        changed=changed,
        columns_added=[label for label in new_labels if label not in old_labels] if old and new else [],
        columns_removed=[label for label in old_labels if label not in new_labels] if old and new else [],
    )


def compare_blocks(old: dict[str, Any], new: dict[str, Any]) -> list[BlockChange]:
    kinds = list(dict.fromkeys([*new, *old]))
    return [compare_block(kind, old.get(kind), new.get(kind)) for kind in kinds]


# --- Whole snapshots -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    articles: list[ArticleChange]
    blocks: list[BlockChange]

    def count(self, status: str) -> int:
        return sum(1 for change in self.articles if change.status == status)

    @property
    def added_count(self) -> int:
        return self.count(ADDED)

    @property
    def removed_count(self) -> int:
        return self.count(REMOVED)

    @property
    def modified_count(self) -> int:
        return self.count(MODIFIED)

    @property
    def unchanged_count(self) -> int:
        return self.count(UNCHANGED)

    @property
    def changed_blocks(self) -> list[BlockChange]:
        return [block for block in self.blocks if block.status != UNCHANGED]

    @property
    def is_empty(self) -> bool:
        return self.unchanged_count == len(self.articles) and not self.changed_blocks


def compare_snapshots(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    """What `new` (the avenant) changes in `old` (the version in force)."""
    return Comparison(
        articles=compare_articles(old.get("articles", []), new.get("articles", [])),
        blocks=compare_blocks(old.get("blocks", {}), new.get("blocks", {})),
    )
