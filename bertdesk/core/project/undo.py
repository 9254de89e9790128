"""Undo/redo for label edits, kept in memory for one session of an open project.

Every undoable edit is a :class:`Change`: the label-set table before and after (when the edit
touched it) and the label state of every touched row before and after. Undo writes the
"before" state, redo the "after" state, both through :func:`apply_state`, the same code that
made the edit in the first place, so the three can never disagree.

Row states are stored column-wise in ``array`` objects (about 25 bytes a row) so that an
undoable "label all 1,000,000 rows" costs tens of MB, not hundreds.

The history lives in memory only: closing the project (or a crash) forgets it, while every
label itself is already on disk. That matches what users expect from Ctrl+Z in an editor.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat

from bertdesk.core.project.schema import LABEL_SOURCES

UNDO_LIMIT = 500
# Above this many touched rows, reading the whole labels table once beats thousands of
# small IN (...) queries.
_SCAN_THRESHOLD = 20_000
_IN_CHUNK = 900  # stays under SQLite's historical 999-variable limit

LabelRow = tuple[int, int, str, float]  # row_id, label_key, source, updated_at


@dataclass(frozen=True)
class LabelDef:
    """One row of the ``label_set`` table."""

    key: int
    name: str
    position: int
    color: str | None


_SOURCE_CODE = {name: code for code, name in enumerate(LABEL_SOURCES)}


class RowStates:
    """Labels of some rows (row_id, label_key, source, time), stored column-wise and compactly."""

    __slots__ = ("row_ids", "keys", "sources", "times")

    def __init__(self, rows: Iterable[LabelRow] = ()) -> None:
        # zip(*rows) and the array constructors run in C: ~10x faster than appending row by row.
        columns = list(zip(*rows))
        ids, keys, sources, times = columns if columns else ((), (), (), ())
        self.row_ids = array("q", ids)
        self.keys = array("q", keys)
        self.sources = bytearray(map(_SOURCE_CODE.__getitem__, sources))
        self.times = array("d", times)

    def __len__(self) -> int:
        return len(self.row_ids)

    def __iter__(self) -> Iterator[LabelRow]:
        return zip(self.row_ids, self.keys, map(LABEL_SOURCES.__getitem__, self.sources), self.times)


@dataclass(frozen=True)
class Uniform:
    """Every touched row gets the same state: ``key`` None means "unlabelled"."""

    key: int | None
    source: str
    updated_at: float


@dataclass(frozen=True)
class Change:
    """One undoable step. ``set_*`` are None when the label set was not touched."""

    text: str
    touched: array[int]  # row ids whose label state is replaced (sorted, unique)
    rows_before: RowStates
    rows_after: RowStates | Uniform
    set_before: tuple[LabelDef, ...] | None = None
    set_after: tuple[LabelDef, ...] | None = None


def read_label_set(conn: sqlite3.Connection) -> tuple[LabelDef, ...]:
    """The ``label_set`` table in display order."""
    rows = conn.execute("SELECT key, name, position, color FROM label_set ORDER BY position, key").fetchall()
    return tuple(LabelDef(*row) for row in rows)


def read_rows(conn: sqlite3.Connection, row_ids: Sequence[int]) -> RowStates:
    """The current label state of the labelled rows among ``row_ids`` (sorted, unique)."""
    query = "SELECT row_id, label_key, source, updated_at FROM labels"
    if not row_ids:
        return RowStates()
    first, last = row_ids[0], row_ids[-1]
    if last - first + 1 == len(row_ids):  # a contiguous block, e.g. "select all"
        return RowStates(conn.execute(f"{query} WHERE row_id BETWEEN ? AND ? ORDER BY row_id", (first, last)).fetchall())
    if len(row_ids) > _SCAN_THRESHOLD:
        wanted = set(row_ids)
        rows = conn.execute(f"{query} WHERE row_id BETWEEN ? AND ? ORDER BY row_id", (first, last)).fetchall()
        return RowStates([row for row in rows if row[0] in wanted])
    found: list[LabelRow] = []
    for start in range(0, len(row_ids), _IN_CHUNK):
        chunk = tuple(row_ids[start : start + _IN_CHUNK])
        marks = ",".join("?" * len(chunk))
        found.extend(conn.execute(f"{query} WHERE row_id IN ({marks})", chunk))
    found.sort()
    return RowStates(found)


def apply_state(
    conn: sqlite3.Connection, touched: Sequence[int], rows: RowStates | Uniform, label_set: tuple[LabelDef, ...] | None
) -> None:
    """Make the database hold ``rows`` for ``touched`` and ``label_set`` (if given).

    Runs inside the caller's transaction. The order keeps every foreign key valid at each
    statement: first add/update label-set entries, then rewrite rows, then drop entries
    that no longer exist (no row points at them any more).
    """
    if label_set is not None:
        conn.executemany(
            "INSERT INTO label_set(key, name, position, color) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET name = excluded.name, position = excluded.position, "
            "color = excluded.color",
            [(d.key, d.name, d.position, d.color) for d in label_set],
        )
    # An upsert, not INSERT OR REPLACE: REPLACE deletes and re-inserts, ~4x slower in bulk.
    insert = (
        "INSERT INTO labels(row_id, label_key, source, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(row_id) DO UPDATE SET label_key = excluded.label_key, "
        "source = excluded.source, updated_at = excluded.updated_at"
    )
    if isinstance(rows, Uniform):
        if rows.key is None:
            conn.executemany("DELETE FROM labels WHERE row_id = ?", ((r,) for r in touched))
        else:
            key, source, when = rows.key, rows.source, rows.updated_at
            conn.executemany(insert, zip(touched, repeat(key), repeat(source), repeat(when)))
    else:
        # Rows labelled in the target state are replaced; the rest of the touched rows
        # must end up unlabelled.
        labelled = set(rows.row_ids)
        conn.executemany("DELETE FROM labels WHERE row_id = ?", ((r,) for r in touched if r not in labelled))
        conn.executemany(insert, iter(rows))
    if label_set is not None:
        keep = {d.key for d in label_set}
        gone = [(key,) for (key,) in conn.execute("SELECT key FROM label_set") if key not in keep]
        conn.executemany("DELETE FROM label_set WHERE key = ?", gone)


class UndoHistory:
    """Two stacks of :class:`Change`; a new edit clears the redo stack."""

    def __init__(self, limit: int = UNDO_LIMIT) -> None:
        self._undo: list[Change] = []
        self._redo: list[Change] = []
        self._limit = limit

    def push(self, change: Change) -> None:
        """Record a change that was just made."""
        self._undo.append(change)
        self._redo.clear()
        if len(self._undo) > self._limit:
            del self._undo[0]  # the oldest step falls off, like QUndoStack's undoLimit

    @property
    def undo_steps(self) -> int:
        """How many steps undo can take back."""
        return len(self._undo)

    def peek_undo(self) -> Change | None:
        return self._undo[-1] if self._undo else None

    def peek_redo(self) -> Change | None:
        return self._redo[-1] if self._redo else None

    def mark_undone(self) -> None:
        """Move the top undo step to the redo stack (call after it was written to disk)."""
        self._redo.append(self._undo.pop())

    def mark_redone(self) -> None:
        """Move the top redo step back to the undo stack (call after it was written to disk)."""
        self._undo.append(self._redo.pop())

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
