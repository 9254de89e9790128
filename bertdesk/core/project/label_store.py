"""A project's labels: the label set, each row's label, accepting predictions, and the one undo history.

Every edit is committed in its own transaction before the method returns, and recorded as
one step of an in-memory undo history (this session only; the labels themselves are on disk)
while the lock that covered the commit is still held. This history is the app's only one:
Edit > Undo, the label panel's Ctrl+Z and a script all step it, and each step is announced on
the project's ``events`` (:mod:`bertdesk.core.project.events`) like the edit itself.
The SQL of the two label tables is in :mod:`~bertdesk.core.project.label_tables`; how each edit
changes them is described in :mod:`~bertdesk.core.project.edits`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Literal, get_args

from bertdesk.core.errors import LabelError, ProjectError
from bertdesk.core.project import edits
from bertdesk.core.project.connection import ProjectConnection
from bertdesk.core.project.events import AnnouncingLock, Cause, HistoryChanged, LabelsChanged, LabelSetChanged, Message
from bertdesk.core.project.label_colors import display_colors
from bertdesk.core.project.label_set import LabelSet, normalise_label
from bertdesk.core.project.label_tables import LabelDef, apply_state, read_label_set, read_rows
from bertdesk.core.project.meta import invalid_value
from bertdesk.core.project.rows import checked_row_ids
from bertdesk.core.project.undo import Change, RowStates, UndoHistory, Uniform

LabelSource = Literal["human", "imported", "model", "reviewed"]


class LabelStore:
    """Label set and per-row labels of the project open on ``db``."""

    def __init__(self, db: ProjectConnection, row_count: int) -> None:
        """``row_count`` comes from the project's checked description (:mod:`~bertdesk.core.project.meta`)."""
        self._db = db
        self._row_count = row_count
        self._history = UndoHistory()
        self._defs: tuple[LabelDef, ...] = ()
        self._label_set = LabelSet(())
        self._names: dict[int, str] = {}
        self._max_key = 0
        # Rows per label key, filled on first use and then kept up to date from each change's
        # before/after states, so label counts cost nothing however often the GUI asks.
        self._counts: Counter[int] | None = None
        try:
            self._reload_label_set()
        except LabelError as err:  # a name edited outside bertdesk: untrimmed, empty or repeated
            raise invalid_value(db.path, "the label set", str(err).rstrip(".")) from err
        db.on_close(self._forget)

    def _forget(self) -> None:
        self._history.clear()
        self._counts = None

    def know_counts(self, counts: Counter[int]) -> None:
        """Take the rows per label key from the build that has just written them (a new
        project), so the first count does not read the whole labels table again."""
        with self._read():
            self._counts = Counter(counts)

    # -- plumbing ----------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self._db.path

    @property
    def _lock(self) -> AnnouncingLock:
        return self._db.lock

    def _read(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._db.read()

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._db.write()

    def _reload_label_set(self) -> None:
        # The label set is small and read on every paint, so it is cached and re-read after
        # any change to it.
        with self._read() as conn:
            self._defs = read_label_set(conn)
        self._label_set = LabelSet(d.name for d in self._defs)
        self._names = {d.key: d.name for d in self._defs}
        self._max_key = max([self._max_key, *self._names])

    def _tally(self) -> Counter[int]:
        with self._read() as conn:
            if self._counts is None:
                self._counts = Counter(dict(conn.execute("SELECT label_key, COUNT(*) FROM labels GROUP BY label_key").fetchall()))
            return self._counts

    def _move_counts(self, change: Change, *, forward: bool) -> None:
        """Update the tally after ``change`` was applied (``forward``) or undone."""
        if self._counts is None:
            return  # not computed yet: it will be read fresh from the table

        def tally(state: RowStates | Uniform) -> Counter[int]:
            if isinstance(state, Uniform):
                return Counter({state.key: len(change.touched)}) if state.key is not None else Counter()
            return Counter(state.keys)  # counted in C

        old, new = (change.rows_before, change.rows_after) if forward else (change.rows_after, change.rows_before)
        self._counts.subtract(tally(old))
        self._counts.update(tally(new))

    def _new_key(self) -> int:
        # Keys only grow within a session, so a key remembered by an undo step is never
        # handed to a different label.
        return self._max_key + 1

    def _edit(self, describe: Callable[[sqlite3.Connection], Change | None]) -> Change | None:
        """Describe an edit with ``describe(conn)``, apply it durably and record it for undo.

        ``describe`` runs under the lock, so no other thread changes the label set meanwhile.
        """
        with self._lock:
            with self._write() as conn:
                change = describe(conn)
                if change is None:
                    return None
                apply_state(conn, change.touched, change.rows_after, change.set_after)
            # Recorded under the lock that covered the commit: no other edit (a key press on
            # the GUI thread while a job writes) can land between a write and its undo step.
            self._history.push(change)
            self._move_counts(change, forward=True)
            if change.set_after is not None:
                self._reload_label_set()
            self._announce(change, "edit")
        return change

    def _announce(self, change: Change, cause: Cause) -> None:
        """Tell the listeners what ``change`` (just made, undone or redone) changed, once the lock is let go."""
        messages: list[Message] = []
        if change.set_after is not None:
            messages.append(LabelSetChanged(change.text, cause))
        if len(change.touched):
            messages.append(LabelsChanged(change.touched, change.text, cause))
        messages.append(HistoryChanged())
        self._db.announce(*messages)

    @contextlib.contextmanager
    def _known_keys(self) -> Iterator[None]:
        """Turn a row pointing at a label that is not in the set (a file edited outside bertdesk)
        into a one-line error; checked as rows are read, so opening a project costs no extra scan."""
        try:
            yield
        except KeyError as err:
            raise invalid_value(self.path, "a row's label", f"label key {err.args[0]!r} is not in the label set") from None

    def _row_ids(self, row_ids: Sequence[int]) -> array[int]:
        return checked_row_ids(row_ids, self._row_count)

    # -- the label set -----------------------------------------------------------------------
    @property
    def label_set(self) -> LabelSet:
        """The labels in order (an immutable snapshot: later edits do not change it)."""
        return self._label_set

    def label_colors(self) -> dict[str, str]:
        """Colours of the labels that have one (name -> colour as stored, e.g. "#1f77b4")."""
        return {d.name: d.color for d in self._defs if d.color}

    def display_colors(self) -> dict[str, str]:
        """Every label's colour as drawn: its own, else its palette colour (:mod:`~bertdesk.core.project.label_colors`)."""
        return display_colors((d.key, d.name, d.color) for d in self._defs)

    def add_label(self, name: str, color: str | None = None) -> None:
        """Append a label to the set (trimmed; no-op if it exists). Undoable."""
        self._edit(lambda conn: edits.add(self._defs, name, color, self._new_key()))

    def rename_label(self, old: str, new: str) -> None:
        """Rename a label; all its rows follow. Undoable.

        Raises:
            LabelError: ``old`` does not exist, or ``new`` is empty or exists already.
        """
        self._edit(lambda conn: edits.rename(self._defs, old, new))

    def merge_labels(self, into: str, others: Sequence[str]) -> int:
        """Relabel the rows of ``others`` as ``into`` (keeping source and time), remove ``others``. Undoable.

        Returns:
            How many rows were relabelled.
        """
        change = self._edit(lambda conn: edits.merge(conn, self._defs, into, others))
        return 0 if change is None else len(change.touched)

    def delete_label(self, name: str) -> int:
        """Remove a label; its rows become unlabelled. Undoable.

        Returns:
            How many rows were cleared.
        """
        change = self._edit(lambda conn: edits.delete(conn, self._defs, name))
        return 0 if change is None else len(change.touched)

    def reorder_labels(self, names: Sequence[str]) -> None:
        """Put the labels in this order, which decides their class ids. Undoable."""
        self._edit(lambda conn: edits.reorder(self._defs, list(names)))

    def set_label_color(self, name: str, color: str | None) -> None:
        """Set a label's display colour (None or "" removes it). Undoable."""
        self._edit(lambda conn: edits.recolor(self._defs, name, color))

    def key_of(self, name: str) -> int:
        """The key that stands for label ``name`` in the labels table (not its class id).

        Raises:
            LabelError: ``name`` is not in the label set.
        """
        return self._defs[self._label_set.id_of(name)].key

    def rows_with_label(self, name: str) -> int:
        """How many rows carry the label ``name``."""
        with self._lock:
            return self._tally()[edits.find(self._defs, name).key]

    # -- labels ------------------------------------------------------------------------------
    def set_label(self, row_id: int, label: str | None, source: LabelSource = "human") -> bool:
        """Label one row; on disk when this returns. Undoable.

        Args:
            row_id: 0-based row id.
            label: the label name (trimmed); None or an empty name clears the row. An unknown
                name is added to the label set in the same undo step.
            source: who decided: "human", "imported" or "model".

        Returns:
            True when something changed (and one undo step was recorded); False when the row
            already had this label from this source (or was already clear).
        """
        return self.set_labels([row_id], label, source)

    def set_labels(self, row_ids: Sequence[int], label: str | None, source: LabelSource = "human") -> bool:
        """Label many rows in one transaction and one undo step (None clears). See :meth:`set_label`."""
        if source not in get_args(LabelSource):
            raise ProjectError(f"Unknown label source {source!r}; use one of {', '.join(get_args(LabelSource))}.")
        with self._lock:
            ids = self._row_ids(row_ids)
            if not ids:
                return False
            return self._edit(lambda conn: edits.assign(conn, self._defs, ids, label, source, self._new_key())) is not None

    def label_of(self, row_id: int) -> str | None:
        """The label of one row, or None."""
        with self._read() as conn:
            # int(): numpy integers (from a model's output) are not valid SQLite parameters.
            row = conn.execute("SELECT label_key FROM labels WHERE row_id = ?", (int(row_id),)).fetchone()
            if row is None:
                return None
            with self._known_keys():
                return self._names[row[0]]

    def labels_in_range(self, start: int, count: int) -> dict[int, str]:
        """Labels of the labelled rows among ``start .. start+count-1`` (row id -> name)."""
        with self._read() as conn:
            rows = conn.execute("SELECT row_id, label_key FROM labels WHERE row_id >= ? AND row_id < ?", (int(start), int(start + count)))
            with self._known_keys():
                return {row_id: self._names[key] for row_id, key in rows}

    def labels(self) -> dict[int, str]:
        """Every labelled row (row id -> name), by row id."""
        with self._read() as conn:
            names = self._names
            with self._known_keys():
                return {row_id: names[key] for row_id, key in conn.execute("SELECT row_id, label_key FROM labels ORDER BY row_id")}

    def label_sources(self) -> dict[int, LabelSource]:
        """Where each label came from ("human", "imported", "model", "reviewed"), for every labelled row."""
        with self._read() as conn:
            return dict(conn.execute("SELECT row_id, source FROM labels ORDER BY row_id").fetchall())

    def label_counts(self) -> dict[str, int]:
        """Rows per label for every label in the set (0 included), in label-set order."""
        with self._lock:
            counts = self._tally()
            return {d.name: counts[d.key] for d in self._defs}

    @property
    def labelled_count(self) -> int:
        """How many rows have a label."""
        with self._lock:
            counts = self._tally()
            return sum(counts[d.key] for d in self._defs)

    def accept(self, assignments: dict[int, str], source: LabelSource = "model") -> bool:
        """Label each row with its predicted label, all in one undo step.

        Args:
            assignments: row id -> label name (each must be in the label set).
            source: recorded as who decided (default "model": a prediction the user accepted).

        Returns:
            True when something changed (one undo step recorded).

        Raises:
            LabelError: a label is not in the label set.
            ProjectError: a row id is out of range.
        """
        if source not in get_args(LabelSource):
            raise ProjectError(f"Unknown label source {source!r}; use one of {', '.join(get_args(LabelSource))}.")
        with self._lock:
            ids = self._row_ids(list(assignments))
            if not ids:
                return False
            keys = {d.name: d.key for d in self._defs}
            # A model trained elsewhere may spell its labels "neg\u200b": clean them the one way.
            names = {name: normalise_label(str(name)) for name in set(assignments.values())}
            missing = sorted({name for name, clean in names.items() if clean not in keys})
            if missing:
                raise LabelError(f"Cannot accept predictions: {', '.join(map(repr, missing))} is not in the label set.")
            by_row = {int(r): keys[names[name]] for r, name in assignments.items()}

            def describe(conn: sqlite3.Connection) -> Change | None:
                before = read_rows(conn, ids)
                now = time.time()
                old = {r: (k, s) for r, k, s, _ in before}
                if all(old.get(r) == (by_row[r], source) for r in ids):
                    return None
                after = RowStates((r, by_row[r], source, now) for r in ids)
                where = f"row {ids[0] + 1}" if len(ids) == 1 else f"{len(ids):,} rows"
                return Change(f"Accept predictions for {where}", ids, before, after)

            return self._edit(describe) is not None

    def mark_reviewed(self, row_ids: Sequence[int]) -> bool:
        """Keep the labels of ``row_ids`` and record that a person reviewed them (source "reviewed").

        One undo step. Unlabelled rows are skipped. Any later relabel sets another source, so a
        reviewed row counts as reviewed only until its label changes.

        Returns:
            True when something changed.
        """
        with self._lock:
            ids = self._row_ids(row_ids)
            if not ids:
                return False

            def describe(conn: sqlite3.Connection) -> Change | None:
                before = read_rows(conn, ids)
                kept = array("q", sorted(r for r, _, s, _ in before if s != "reviewed"))
                if not kept:
                    return None
                now = time.time()
                wanted = set(kept)
                old = RowStates(row for row in before if row[0] in wanted)
                after = RowStates((r, k, "reviewed", now) for r, k, _, _ in old)
                where = f"row {kept[0] + 1}" if len(kept) == 1 else f"{len(kept):,} rows"
                return Change(f"Keep the label of {where} (reviewed)", kept, old, after)

            return self._edit(describe) is not None

    def reviewed_rows(self) -> set[int]:
        """Rows whose label a person kept in a label review (and has not changed since)."""
        with self._read() as conn:
            return {int(r) for (r,) in conn.execute("SELECT row_id FROM labels WHERE source = 'reviewed'")}

    # -- undo / redo (this session only) -----------------------------------------------------
    def undo(self) -> bool:
        """Undo the last label edit; on disk when this returns.

        Returns:
            False when there was nothing to undo.
        """
        return self._step_history(forward=False)

    def redo(self) -> bool:
        """Redo the last undone edit; on disk when this returns.

        Returns:
            False when there was nothing to redo.
        """
        return self._step_history(forward=True)

    def _step_history(self, *, forward: bool) -> bool:
        """Write one history step's before (undo) or after (redo) state back to disk."""
        with self._lock:
            change = self._history.peek_redo() if forward else self._history.peek_undo()
            if change is None:
                return False
            rows = change.rows_after if forward else change.rows_before
            label_set = change.set_after if forward else change.set_before
            with self._write() as conn:
                apply_state(conn, change.touched, rows, label_set)
            if forward:
                self._history.mark_redone()
            else:
                self._history.mark_undone()
            self._move_counts(change, forward=forward)
            if label_set is not None:
                self._reload_label_set()
            self._announce(change, "redo" if forward else "undo")
            return True

    @property
    def can_undo(self) -> bool:
        """True when :meth:`undo` would do something."""
        return self._history.peek_undo() is not None

    @property
    def undo_steps(self) -> int:
        """How many edits :meth:`undo` can take back, one call each (at most :data:`~bertdesk.core.project.undo.UNDO_LIMIT`)."""
        return self._history.undo_steps

    @property
    def can_redo(self) -> bool:
        """True when :meth:`redo` would do something."""
        return self._history.peek_redo() is not None

    @property
    def undo_text(self) -> str:
        """What :meth:`undo` would undo, e.g. 'Label row 13 "positive"' (1-based); "" when nothing."""
        change = self._history.peek_undo()
        return "" if change is None else change.text

    @property
    def redo_text(self) -> str:
        """What :meth:`redo` would redo; "" when nothing."""
        change = self._history.peek_redo()
        return "" if change is None else change.text
