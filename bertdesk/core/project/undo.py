"""Undo/redo for label edits, kept in memory for one session of an open project.

Every undoable edit is a :class:`Change`: the label-set table before and after (when the edit
touched it) and the label state of every touched row before and after. Undo writes the
"before" state, redo the "after" state, both through
:func:`~bertdesk.core.project.label_tables.apply_state`, the same code that
made the edit in the first place, so the three can never disagree.

Row states are stored column-wise in ``array`` objects (about 25 bytes a row) so that an
undoable "label all 1,000,000 rows" costs tens of MB, not hundreds.

The history lives in memory only: closing the project (or a crash) forgets it, while every
label itself is already on disk. That matches what users expect from Ctrl+Z in an editor.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bertdesk.core.project.schema import LABEL_SOURCES

if TYPE_CHECKING:  # label_tables reads and writes these states; the history only holds them
    from bertdesk.core.project.label_tables import LabelDef

UNDO_LIMIT = 500

LabelRow = tuple[int, int, str, float]  # row_id, label_key, source, updated_at


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
