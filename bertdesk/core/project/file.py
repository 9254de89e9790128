"""The project file: one SQLite database holding the data snapshot, label set, labels and runs.

Durability: the file is in WAL mode with ``synchronous=FULL``; every edit is its own
transaction, committed before the method returns, so a crash or ``kill -9`` loses nothing a
method reported as done. Whole-file writes (:meth:`Project.create`, :meth:`Project.save_as`)
go to ``<path>.tmp-<random>`` and are renamed into place only when complete.

Threads: one connection (``check_same_thread=False``) guarded by one re-entrant lock, so the
UI thread and a worker thread may both use a project. The snapshot (Arrow chunks, see
:mod:`bertdesk.core.project.snapshot`) never changes after creation, so long reads
(:meth:`Project.texts`, :meth:`Project.frame`) take the lock 50,000 rows at a time and the UI's
:meth:`Project.fetch_rows` never waits long behind them.

Older files (format 1 and 2) are upgraded in place when opened, in one transaction.

One process at a time: the connection keeps SQLite's exclusive lock for the whole session, so
a second window opening the same file gets a clear "open in another window" error instead of
two diverging views and undo histories.

Undo/redo history is kept in memory for the session only (see :mod:`bertdesk.core.project.undo`):
closing the project forgets it, while every label is already on disk. It is the one history:
each edit's step is recorded under the lock that covered its commit.

Changes: every committed edit, undo and redo is announced on :attr:`Project.events` (labels
of which rows, the label set, the history, runs, the active run, stored predictions; see
:mod:`bertdesk.core.project.events`), on the thread that made it, once the lock is let go.

:class:`Project` is a facade: it opens and closes the file, reads the data snapshot, and hands
every other call to the store that owns it, each a small class over the one shared
:class:`~bertdesk.core.project.connection.ProjectConnection`:

* :class:`~bertdesk.core.project.label_store.LabelStore`: the label set, each row's label,
  accepting predictions, undo/redo;
* :class:`~bertdesk.core.project.runs.RunStore`: training runs and the active run;
* :class:`~bertdesk.core.project.predictions.PredictionStore`: each run's stored predictions;
* :class:`~bertdesk.core.project.settings.SettingsStore`: the app's per-project settings.

A new kind of per-project data (notes on rows, say) gets its table in ``schema``, its own store
module beside these, and a line here handing its calls to it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from bertdesk.core.errors import ProjectError
from bertdesk.core.progress import CancelToken, ProgressCallback, no_progress
from bertdesk.core.project import rows as rows_sql
from bertdesk.core.project.build import save_copy, write_new_project
from bertdesk.core.project.connection import ProjectConnection
from bertdesk.core.project.label_set import LabelSet
from bertdesk.core.project.label_store import LabelSource, LabelStore
from bertdesk.core.project.meta import read_project_meta
from bertdesk.core.project.paths import resolve_stored_path
from bertdesk.core.project.predictions import PredictionStore, PredictionTable
from bertdesk.core.project.review_store import ReviewStore
from bertdesk.core.project.runs import RunRecord, RunStore
from bertdesk.core.project.schema import SCHEMA_VERSION, migrate, open_connection, write_meta
from bertdesk.core.project.settings import SettingsStore
from bertdesk.core.project.snapshot import Snapshot
from bertdesk.core.project.text_search import SearchBudget, TextQuery, scan_rows

if TYPE_CHECKING:  # pandas is imported only where a DataFrame is made, to keep start-up fast
    import pandas as pd

__all__ = ["LabelSource", "PredictionTable", "Project", "RunRecord"]

_READ_CHUNK = 50_000  # rows read per lock hold in long reads
_SCAN_ROWS = 20_000  # above this many ids, texts() reads the whole column once


class Project:
    """An open project file. Make one with :meth:`create` or :meth:`open`; :meth:`close` when done.

    Attributes:
        path: the project file.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        """Wrap an already vetted connection; use :meth:`create` or :meth:`open` instead."""
        snapshot = Snapshot(conn, path)  # the chunk index, checked
        # Every stored value checked: a tampered file fails here, in one line.
        meta = read_project_meta(conn, path, stored_columns=snapshot.column_count, stored_rows=snapshot.row_count)
        self.path = path
        self._db = ProjectConnection(path, conn)
        self._row_count = meta.row_count
        self._snapshot = snapshot
        self._db.on_close(snapshot.forget)
        self._columns: list[str] = meta.columns
        self._text_column: str = meta.text_column
        self._label_column: str | None = meta.label_column
        self._source: dict[str, Any] = meta.source

        # What changed, announced by every store after each commit (bertdesk.core.project.events).
        self.events = self._db.events
        # The stores, and the facade's vocabulary: each call answered by the store that owns it.
        labels = self._labels = LabelStore(self._db, meta.row_count)
        self.label_colors = labels.label_colors
        self.display_colors = labels.display_colors
        self.add_label = labels.add_label
        self.rename_label = labels.rename_label
        self.merge_labels = labels.merge_labels
        self.delete_label = labels.delete_label
        self.reorder_labels = labels.reorder_labels
        self.set_label_color = labels.set_label_color
        self.rows_with_label = labels.rows_with_label
        self.set_label = labels.set_label
        self.set_labels = labels.set_labels
        self.label_of = labels.label_of
        self.labels_in_range = labels.labels_in_range
        self.labels = labels.labels
        self.label_sources = labels.label_sources
        self.label_counts = labels.label_counts
        self.accept_predictions = labels.accept
        self.mark_reviewed = labels.mark_reviewed
        self.reviewed_rows = labels.reviewed_rows
        self.undo = labels.undo
        self.redo = labels.redo

        runs = self._runs = RunStore(self._db)
        self.add_run = runs.add
        self.update_run = runs.update
        self.runs = runs.all
        self.set_active_run = runs.set_active
        self.active_run = runs.active
        self.delete_run = runs.delete

        predictions = PredictionStore(self._db, runs, meta.row_count)
        self.store_predictions = predictions.store
        self.predictions = predictions.load
        self.prediction_count = predictions.count
        self.clear_predictions = predictions.clear

        review = ReviewStore(self._db, meta.row_count)
        self.store_embeddings = review.store_embeddings
        self.embeddings = review.embeddings
        self.embedding_keys = review.embedding_keys
        self.forget_embeddings = review.forget_embeddings
        self.store_label_review = review.store_label_review
        self.label_review = review.label_review
        self.store_map = review.store_map
        self.map = review.map

        settings = SettingsStore(self._db)
        self.get_setting = settings.get
        self.set_setting = settings.set

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: str | Path,
        frame: pd.DataFrame,
        *,
        text_column: str,
        label_column: str | None = None,
        source: dict[str, Any] | None = None,
        on_progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
        overwrite: bool = False,
    ) -> Project:
        """Snapshot ``frame`` into a new project file at ``path`` and open it.

        Args:
            path: the project file to write.
            frame: the imported table; every cell is stored as a string (missing -> "").
                Row ids are the 0-based row positions.
            text_column: the column the model reads.
            label_column: optional column of existing labels. Each value is trimmed
                (:func:`~bertdesk.core.project.label_set.normalise_label`); empty means unlabelled; the
                rest become labels with source "imported". The label set is the distinct values
                in order of first appearance; case variants stay separate labels.
            source: where the table came from (path, format, encoding, delimiter, sheet,
                header_row, column_types); stored as JSON.
            on_progress: called once per chunk of rows.
            cancel: checked between chunks.
            overwrite: replace an existing file at ``path``.

        Returns:
            The new project, open.

        Raises:
            ProjectError: ``path`` exists (without ``overwrite``), bad columns, or a write failed.
            Cancelled: ``cancel`` was set; no file is left behind.
        """
        target = Path(path)
        counts = write_new_project(
            target,
            frame,
            text_column=text_column,
            label_column=label_column,
            source=source,
            overwrite=overwrite,
            on_progress=on_progress,
            cancel=cancel,
        )
        project = cls._open(target, check=False)  # just built: no need to re-read 100s of MB
        project._labels.know_counts(counts)  # the build counted the imported labels: no need to count them again
        return project

    @classmethod
    def open(cls, path: str | Path) -> Project:
        """Open an existing project for reading and editing.

        A file left by a crash is recovered by SQLite: committed labels in the WAL are kept.

        Raises:
            ProjectError: missing, not a bertdesk project, damaged (``PRAGMA quick_check``),
                newer format, read-only, or open in another window (one-line message).
        """
        return cls._open(Path(path), check=True)

    @classmethod
    def _open(cls, path: Path, *, check: bool) -> Project:
        conn, version = open_connection(path, check=check)
        try:
            if version < SCHEMA_VERSION:
                cls._migrate(conn, version, path)
            return cls(path, conn)
        except BaseException as err:
            conn.close()
            if isinstance(err, (sqlite3.Error, KeyError, ValueError)):
                raise ProjectError(f"{path.name} is damaged: {err!s}.", detail=repr(err)) from err
            raise

    @staticmethod
    def _migrate(conn: sqlite3.Connection, from_version: int, path: Path) -> None:
        """Upgrade an older project file in place, in one transaction (see ``schema.migrate``).

        Killed midway, the file is still the old version, whole (the WAL never committed the
        transaction). After a format-2 file's table moved into chunks, VACUUM gives the old
        table's pages back (the file would otherwise keep twice its size); VACUUM is atomic too,
        and if it fails (a full disk) the file is complete, only larger.
        """
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrate(conn, from_version, path)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if conn.execute("PRAGMA freelist_count").fetchone()[0]:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("VACUUM")

    def save_as(self, path: str | Path, *, overwrite: bool = False) -> Project:
        """Copy this project to ``path`` and open the copy.

        This project stays open on its old path (the caller closes it). The undo history is
        not carried over: the copy starts with an empty one.

        Raises:
            ProjectError: ``path`` is this project, exists (without ``overwrite``), or the copy failed.
        """
        target = Path(path)
        if target.resolve() == self.path.resolve():
            raise ProjectError(f"{target.name} is this project already; choose another name.")
        with self._db.lock:
            runs, source = self.runs(), self.source  # paths resolved against this project's folder
            save_copy(self._db.db(), target, overwrite)
        copy = Project._open(target, check=False)  # save_copy has run quick_check on the copy
        try:
            copy._store_paths(runs, source)
        except BaseException:
            copy.close()
            raise
        return copy

    def _store_paths(self, runs: Sequence[RunRecord], source: dict[str, Any]) -> None:
        """Write the runs' model folders and the source path again, relative to this file's folder
        where they are inside it, so a copy saved elsewhere still finds the original's models."""
        from bertdesk.core.project import runs as runs_sql
        from bertdesk.core.project.paths import stored_path

        with self._db.write() as conn:
            for run in runs:
                runs_sql.update_run(conn, run.id, {"model_dir": stored_path(self.path, run.model_dir)})
            if isinstance(source.get("path"), str):
                self._source = {**self._source, "path": stored_path(self.path, source["path"])}
                write_meta(conn, {"source": self._source})

    def close(self) -> None:
        """Close the file (SQLite folds the WAL back into it); the undo history is forgotten. Safe to call twice."""
        self._db.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._db.closed

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({str(self.path)!r}, rows={self._row_count}, closed={self.closed})"

    # -- labels: the state the GUI reads on every paint ---------------------------------------
    @property
    def label_set(self) -> LabelSet:
        """The labels in order (an immutable snapshot: later edits do not change it)."""
        return self._labels.label_set

    @property
    def labelled_count(self) -> int:
        """How many rows have a label."""
        return self._labels.labelled_count

    @property
    def can_undo(self) -> bool:
        """True when :meth:`undo` would do something."""
        return self._labels.can_undo

    @property
    def can_redo(self) -> bool:
        """True when :meth:`redo` would do something."""
        return self._labels.can_redo

    @property
    def undo_steps(self) -> int:
        """How many edits :meth:`undo` can take back, one call each."""
        return self._labels.undo_steps

    @property
    def undo_text(self) -> str:
        """What :meth:`undo` would undo, e.g. 'Label row 13 "positive"' (1-based); "" when nothing."""
        return self._labels.undo_text

    @property
    def redo_text(self) -> str:
        """What :meth:`redo` would redo; "" when nothing."""
        return self._labels.redo_text

    # -- the snapshot ------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        """Number of rows in the snapshot."""
        return self._row_count

    @property
    def columns(self) -> list[str]:
        """Column names of the snapshot, in order (a copy)."""
        return list(self._columns)

    @property
    def text_column(self) -> str:
        """The column the model reads."""
        return self._text_column

    @property
    def label_column(self) -> str | None:
        """The column labels were imported from, if any."""
        return self._label_column

    @property
    def source(self) -> dict[str, Any]:
        """Where the table came from (a copy): path (absolute), format, encoding, delimiter, sheet, header_row."""
        copy: dict[str, Any] = json.loads(json.dumps(self._source))
        if isinstance(copy.get("path"), str):
            copy["path"] = resolve_stored_path(self.path, copy["path"])
        return copy

    def set_text_column(self, name: str) -> None:
        """Choose another column as the text column (saved at once).

        Raises:
            ProjectError: there is no such column.
        """
        if name not in self._columns:
            raise ProjectError(f"There is no column named {name!r} to use as the text column.")
        with self._db.write() as conn:
            write_meta(conn, {"text_column": name})
            self._text_column = name

    def fetch_rows(self, start: int, count: int) -> list[tuple[str, ...]]:
        """Cells of rows ``start .. start+count-1`` in column order (fewer past the end)."""
        with self._db.read() as conn:
            return self._snapshot.rows(conn, int(start), int(start) + max(int(count), 0))

    def column_values(self, name: str) -> list[str]:
        """Every row's cell of column ``name``, in row order (one column decoded, not the whole table).

        Raises:
            ProjectError: there is no such column.
        """
        if name not in self._columns:
            raise ProjectError(f"There is no column named {name!r} in {self.path.name}.")
        column = self._columns.index(name)
        out: list[str] = []
        for start in range(0, self._row_count, _READ_CHUNK):
            with self._db.read() as conn:  # released between chunks so the UI thread can read too
                out.extend(self._snapshot.column(conn, column, start, start + _READ_CHUNK))
        return out

    def texts(self, row_ids: Sequence[int] | None = None) -> list[str]:
        """The text column for ``row_ids`` (in the order given, repeats allowed), or every row when None.

        Raises:
            ProjectError: a row id is out of range.
        """
        if row_ids is None:
            return self.column_values(self._text_column)
        column = self._columns.index(self._text_column)
        ids = rows_sql.checked_row_ids(row_ids, self._row_count)
        if len(ids) > _SCAN_ROWS:  # e.g. a training split: one sequential pass beats many look-ups
            every = self.texts()
            return [every[r] for r in row_ids]
        with self._db.read() as conn:  # ids are sorted and unique: each chunk is decoded once
            found = dict(zip(ids, self._snapshot.cells(conn, column, ids)))
        return [found[int(r)] for r in row_ids]

    def frame(self) -> pd.DataFrame:
        """The whole snapshot as a DataFrame of string columns (default RangeIndex = row id)."""
        import pandas as pd
        import pyarrow as pa

        parts: list[pa.RecordBatch] = []
        for start in range(0, self._row_count, _READ_CHUNK):
            with self._db.read() as conn:  # released between chunks so the UI thread can read too
                parts.extend(self._snapshot.slices(conn, start, start + _READ_CHUNK))
        table = pa.Table.from_batches(parts) if parts else pa.table({str(i): pa.array([], pa.string()) for i in range(len(self._columns))})
        # Arrow-backed string columns, as read_table gives them: no Python string per cell.
        text = pd.StringDtype(na_value=float("nan"))  # pandas' "str"
        frame = table.to_pandas(types_mapper={pa.string(): text, pa.large_string(): text}.get)
        frame.columns = pd.Index(self._columns)
        return frame

    def next_row_matching(
        self,
        row: int | None,
        *,
        labelled: bool | None = None,
        label: str | None = None,
        pattern: str | TextQuery | None = None,
        backward: bool = False,
        budget: SearchBudget = SearchBudget(),
        cancel: CancelToken | None = None,
        on_progress: ProgressCallback = no_progress,
    ) -> int | None:
        """The first row after ``row`` (``backward``: the last before it) that matches, or None.

        Reads the labels as they are now, so a row labelled a moment ago is already skipped by
        ``labelled=False``. Each step is one indexed query (text search: a chunked scan).

        Args:
            row: where to start; None starts before the first row (``backward``: after the last).
            labelled: True for labelled rows only, False for unlabelled only, None for any.
            label: only rows with this label (implies labelled).
            pattern: only rows whose text column matches this query: a :class:`TextQuery` (plain
                or regex), or a string taken as a case-insensitive regular expression. Cannot be
                combined with ``labelled``/``label``.
            backward: search towards row 0.
            budget: time limits of a text search, per row and overall.
            cancel: checked during a text search.
            on_progress: told how far a text search got (once per chunk of rows).

        Raises:
            ProjectError: ``pattern`` combined with a label condition, or the file is closed.
            LabelError: ``label`` is not in the label set.
            SearchTooSlow: the text search ran past ``budget`` (the message names the row).
            Cancelled: ``cancel`` was set during a text search.
        """
        if pattern is not None and (labelled is not None or label is not None):
            raise ProjectError("A text search cannot be combined with a label condition.")
        n = self._row_count
        start = (n if backward else -1) if row is None else int(row)
        if pattern is not None:
            query = pattern if isinstance(pattern, TextQuery) else TextQuery(pattern, regex=True)
            column = self._columns.index(self._text_column)

            def read(first: int, last: int) -> list[str | None]:
                with self._db.read() as conn:  # released between chunks so other threads can read
                    return list(self._snapshot.column(conn, column, first, last))

            return scan_rows(
                read, query, start=start, row_count=n, backward=backward, budget=budget, cancel=cancel, on_progress=on_progress
            )
        with self._db.read() as conn:
            if label is not None:
                return rows_sql.step_labelled(conn, start, self._labels.key_of(label), backward=backward)
            if labelled:
                return rows_sql.step_labelled(conn, start, None, backward=backward)
            if labelled is False:
                if backward:
                    return rows_sql.previous_unlabelled(conn, start, n)
                return rows_sql.next_unlabelled(conn, start, n)
        candidate = start - 1 if backward else start + 1
        return candidate if 0 <= candidate < n else None
