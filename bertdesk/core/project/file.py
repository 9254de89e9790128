"""The project file: one SQLite database holding the data snapshot, label set, labels and runs.

Durability: the file is in WAL mode with ``synchronous=FULL``; every edit is its own
transaction, committed before the method returns, so a crash or ``kill -9`` loses nothing a
method reported as done. Whole-file writes (:meth:`Project.create`, :meth:`Project.save_as`)
go to ``<path>.tmp-<random>`` and are renamed into place only when complete.

Threads: one connection (``check_same_thread=False``) guarded by one re-entrant lock, so the
UI thread and a worker thread may both use a project. The snapshot never changes after
creation, so long reads (:meth:`Project.texts`, :meth:`Project.frame`) take the lock one chunk
at a time and the UI's :meth:`Project.fetch_rows` never waits long behind them.

One process at a time: the connection keeps SQLite's exclusive lock for the whole session, so
a second window opening the same file gets a clear "open in another window" error instead of
two diverging views and undo histories.

Undo/redo history is kept in memory for the session only (see :mod:`bertdesk.core.project.undo`):
closing the project forgets it, while every label is already on disk. It is the one history:
each edit's step is recorded under the lock that covered its commit.

Changes: every committed edit, undo and redo is announced on :attr:`Project.events` (labels
of which rows, the label set, the history, runs, the active run, stored predictions; see
:mod:`bertdesk.core.project.events`), on the thread that made it, once the lock is let go.

The class is built in layers (:mod:`~bertdesk.core.project.store` <-
:mod:`~bertdesk.core.project.label_store` <- this module) to keep each module small.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bertdesk.core.errors import ProjectError
from bertdesk.core.progress import CancelToken, ProgressCallback, no_progress
from bertdesk.core.project import predictions as predictions_sql
from bertdesk.core.project import rows as rows_sql
from bertdesk.core.project.build import save_copy, write_new_project
from bertdesk.core.project.events import PredictionsChanged
from bertdesk.core.project.label_store import LabelSource, LabelStore
from bertdesk.core.project.meta import invalid_value, read_project_meta
from bertdesk.core.project.paths import resolve_stored_path
from bertdesk.core.project.predictions import PredictionTable
from bertdesk.core.project.runs import RunRecord
from bertdesk.core.project.schema import SCHEMA_VERSION, data_column, migrate, open_connection, write_meta
from bertdesk.core.project.text_search import SearchBudget, TextQuery, scan_rows

if TYPE_CHECKING:  # pandas is imported only where a DataFrame is made, to keep start-up fast
    import numpy as np
    import pandas as pd

__all__ = ["LabelSource", "PredictionTable", "Project", "RunRecord"]

_READ_CHUNK = 50_000  # rows read per lock hold in long reads
_IN_CHUNK = 900  # ids per IN (...) query, under SQLite's historical 999-variable limit
_SCAN_ROWS = 20_000  # above this many ids, texts() reads the whole column once


class Project(LabelStore):
    """An open project file. Make one with :meth:`create` or :meth:`open`; :meth:`close` when done.

    Attributes:
        path: the project file.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        """Wrap an already vetted connection; use :meth:`create` or :meth:`open` instead."""
        meta = read_project_meta(conn, path)  # every stored value checked: a tampered file fails here, in one line
        super().__init__(path, conn, meta.row_count)
        self._columns: list[str] = meta.columns
        self._text_column: str = meta.text_column
        self._label_column: str | None = meta.label_column
        self._source: dict[str, Any] = meta.source
        cells = ", ".join(data_column(i) for i in range(len(self._columns)))
        # row_id is the INTEGER PRIMARY KEY (the rowid), so this is one b-tree range scan.
        self._fetch_sql = f"SELECT {cells} FROM rows WHERE row_id >= ? AND row_id < ? ORDER BY row_id"

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
        write_new_project(
            target,
            frame,
            text_column=text_column,
            label_column=label_column,
            source=source,
            overwrite=overwrite,
            on_progress=on_progress,
            cancel=cancel,
        )
        return cls._open(target, check=False)  # just built: no need to re-read 100s of MB

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
                cls._migrate(conn, version)
            return cls(path, conn)
        except BaseException as err:
            conn.close()
            if isinstance(err, (sqlite3.Error, KeyError, ValueError)):
                raise ProjectError(f"{path.name} is damaged: {err!s}.", detail=repr(err)) from err
            raise

    @staticmethod
    def _migrate(conn: sqlite3.Connection, from_version: int) -> None:
        """Upgrade an older project file in place, in one transaction (see ``project_schema.migrate``)."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrate(conn, from_version)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

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
        with self._lock:
            runs, source = self.runs(), self.source  # paths resolved against this project's folder
            save_copy(self._db(), target, overwrite)
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

        with self._write() as conn:
            for run in runs:
                runs_sql.update_run(conn, run.id, {"model_dir": stored_path(self.path, run.model_dir)})
            if isinstance(source.get("path"), str):
                self._source = {**self._source, "path": stored_path(self.path, source["path"])}
                write_meta(conn, {"source": self._source})

    def __repr__(self) -> str:
        return f"Project({str(self.path)!r}, rows={self._row_count}, closed={self.closed})"

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
        with self._write() as conn:
            write_meta(conn, {"text_column": name})
            self._text_column = name

    def fetch_rows(self, start: int, count: int) -> list[tuple[str, ...]]:
        """Cells of rows ``start .. start+count-1`` in column order (fewer past the end)."""
        with self._read() as conn:
            return conn.execute(self._fetch_sql, (max(int(start), 0), int(start) + max(int(count), 0))).fetchall()

    def texts(self, row_ids: Sequence[int] | None = None) -> list[str]:
        """The text column for ``row_ids`` (in the order given, repeats allowed), or every row when None.

        Raises:
            ProjectError: a row id is out of range.
        """
        column = data_column(self._columns.index(self._text_column))
        if row_ids is None:
            out: list[str] = []
            query = f"SELECT {column} FROM rows WHERE row_id >= ? AND row_id < ? ORDER BY row_id"
            for start in range(0, self._row_count, _READ_CHUNK):
                with self._read() as conn:  # released between chunks so the UI thread can read too
                    out.extend(row[0] for row in conn.execute(query, (start, start + _READ_CHUNK)))
            return out
        ids = self._row_ids(row_ids)
        if len(ids) > _SCAN_ROWS:  # e.g. a training split: one sequential pass beats many IN queries
            every = self.texts()
            return [every[r] for r in row_ids]
        found: dict[int, str] = {}
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = tuple(ids[start : start + _IN_CHUNK])
            query = f"SELECT row_id, {column} FROM rows WHERE row_id IN ({','.join('?' * len(chunk))})"
            with self._read() as conn:
                found.update(conn.execute(query, chunk))
        return [found[int(r)] for r in row_ids]

    def frame(self) -> pd.DataFrame:
        """The whole snapshot as a DataFrame of string columns (default RangeIndex = row id)."""
        import pandas as pd

        cells: list[list[str]] = [[] for _ in self._columns]
        for start in range(0, self._row_count, _READ_CHUNK):
            for column, values in zip(cells, zip(*self.fetch_rows(start, _READ_CHUNK))):
                column.extend(values)
        return pd.DataFrame({name: pd.Series(values, dtype="str") for name, values in zip(self._columns, cells)})

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
            column = data_column(self._columns.index(self._text_column))

            def read(first: int, last: int) -> list[str | None]:
                with self._read() as conn:  # released between chunks so other threads can read
                    return rows_sql.text_range(conn, column, first, last)

            return scan_rows(
                read, query, start=start, row_count=n, backward=backward, budget=budget, cancel=cancel, on_progress=on_progress
            )
        with self._read() as conn:
            if label is not None:
                key = self.label_set.id_of(label)  # validates the name
                return rows_sql.step_labelled(conn, start, self._label_key(key), backward=backward)
            if labelled:
                return rows_sql.step_labelled(conn, start, None, backward=backward)
            if labelled is False:
                if backward:
                    return rows_sql.previous_unlabelled(conn, start, n)
                return rows_sql.next_unlabelled(conn, start, n)
        candidate = start - 1 if backward else start + 1
        return candidate if 0 <= candidate < n else None

    def _label_key(self, label_id: int) -> int:
        return self._defs[label_id].key

    # -- predictions -------------------------------------------------------------------------
    def store_predictions(
        self,
        run_id: int,
        row_ids: Sequence[int] | np.ndarray,
        labels: Sequence[str],
        confidences: Sequence[float] | np.ndarray,
        probabilities: Any,
        *,
        class_names: Sequence[str] | None = None,
    ) -> int:
        """Save predictions of run ``run_id`` (replacing earlier ones of the same rows), in one transaction.

        Args:
            run_id: the run whose model made them.
            row_ids: the rows predicted.
            labels: the predicted label of each row.
            confidences: the probability of each predicted label.
            probabilities: float[n, k], class order ``class_names`` (default: the run's
                ``metrics["labels"]``); stored as float32.
            class_names: the class order of ``probabilities`` when it is not the run's.

        Returns:
            How many rows were stored.

        Raises:
            ProjectError: no such run, a row id out of range, or shapes that do not line up.
        """
        with self._write() as conn:
            stored = predictions_sql.store(conn, run_id, row_ids, labels, confidences, probabilities, class_names, self._row_count)
        self._lock.announce_on_release(PredictionsChanged(run_id))
        return stored

    def predictions(self, run_id: int | None = None) -> PredictionTable | None:
        """The stored predictions of ``run_id`` (default: the active run), or None when there is no such run."""
        with self._read() as conn:
            if run_id is None:
                active = self.active_run()
                if active is None:
                    return None
                run_id = active.id
            try:
                return predictions_sql.load(conn, run_id)
            except (ValueError, TypeError) as err:  # class order or probabilities edited outside bertdesk
                raise invalid_value(self.path, f"the prediction table of run {run_id}", str(err) or type(err).__name__) from err

    def prediction_count(self, run_id: int) -> int:
        """How many rows have a stored prediction from run ``run_id``."""
        with self._read() as conn:
            return predictions_sql.count(conn, run_id)

    def clear_predictions(self, run_id: int) -> int:
        """Forget run ``run_id``'s stored predictions; return how many rows were removed."""
        with self._write() as conn:
            removed = predictions_sql.clear(conn, run_id)
        self._lock.announce_on_release(PredictionsChanged(run_id))
        return removed

    def accept_predictions(self, assignments: dict[int, str], source: LabelSource = "model") -> bool:
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
        import time
        from typing import get_args

        from bertdesk.core.errors import LabelError
        from bertdesk.core.project.label_set import normalise_label
        from bertdesk.core.project.undo import Change, RowStates, read_rows

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
