"""The connection layer under :class:`~bertdesk.core.project.Project`: lock, transactions, runs, settings.

``Project`` is built in layers so no module grows past a screenful of concerns:
``ProjectStore`` (this module: connection, transactions, runs, settings) <- ``LabelStore``
(:mod:`bertdesk.core.project.label_store`: label set, labels, undo) <- ``Project`` (file lifecycle
and the data snapshot). Only ``Project`` is public.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from bertdesk.core.errors import ProjectError
from bertdesk.core.project import runs as runs_sql
from bertdesk.core.project.events import ActiveRunChanged, AnnouncingLock, ChangeHub, PredictionsChanged, RunsChanged
from bertdesk.core.project.meta import invalid_value, stored_json
from bertdesk.core.project.paths import resolve_stored_path, stored_path
from bertdesk.core.project.runs import RunRecord, RunStatus


class ProjectStore:
    """One SQLite connection shared by all threads, serialised by a re-entrant lock.

    Args:
        path: the project file.
        conn: an open, validated connection (``check_same_thread=False``, autocommit mode).
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn
        # What changed, for whoever listens (bertdesk.core.project.events): every edit
        # announces itself here after its commit, whoever made it.
        self.events = ChangeHub()
        # Re-entrant: a method holding the lock may call another public method. Messages
        # queued while it is held are delivered when the outermost holder lets go.
        self._lock = AnnouncingLock(self.events)

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        """Close the file (SQLite folds the WAL back into it). Safe to call twice."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
                self._on_close()
        self.events.clear()

    def _on_close(self) -> None:
        """Hook for subclasses to drop in-memory state when the file closes."""

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._conn is None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ProjectError(f"The project {self.path.name} is closed.")
        return self._conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db()
            except sqlite3.Error as err:
                raise ProjectError(f"Could not read {self.path.name}: {err}.", detail=str(err)) from err

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # One IMMEDIATE transaction per edit. With WAL + synchronous=FULL, COMMIT returns only
        # after the WAL is fsynced: that is the "saved" promise.
        with self._lock:
            conn = self._db()
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except BaseException as err:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(err, sqlite3.Error):
                    raise ProjectError(f"Could not save to {self.path.name}: {err}.", detail=str(err)) from err
                raise

    # -- training runs -----------------------------------------------------------------------
    def add_run(self, *, status: RunStatus | str, model_dir: str, config: dict[str, Any], metrics: dict[str, Any]) -> int:
        """Record a training run (not active).

        Returns:
            The new run's id.
        """
        model_dir = stored_path(self.path, model_dir)
        with self._write() as conn:
            run_id = runs_sql.insert_run(conn, status=status, model_dir=model_dir, config=config, metrics=metrics)
        self._lock.announce_on_release(RunsChanged(run_id))
        return run_id

    def update_run(self, run_id: int, **fields: Any) -> None:
        """Change ``status``, ``model_dir``, ``config`` and/or ``metrics`` of a run.

        Raises:
            ProjectError: no such run, or an unknown field.
        """
        if "model_dir" in fields:
            fields = {**fields, "model_dir": stored_path(self.path, fields["model_dir"])}
        with self._write() as conn:
            runs_sql.update_run(conn, run_id, fields)
        self._lock.announce_on_release(RunsChanged(run_id))

    def runs(self) -> list[RunRecord]:
        """Every run, oldest first (``model_dir`` absolute)."""
        with self._read() as conn:
            try:
                return [self._as_read(run) for run in runs_sql.list_runs(conn)]
            except (ValueError, TypeError) as err:
                raise self._bad_run(conn) from err

    def set_active_run(self, run_id: int | None) -> None:
        """Make ``run_id`` the one active run (None: no run is active)."""
        with self._write() as conn:
            runs_sql.activate_run(conn, run_id)
        self._lock.announce_on_release(ActiveRunChanged(run_id))

    def active_run(self) -> RunRecord | None:
        """The active run, or None."""
        with self._read() as conn:
            try:
                run = runs_sql.get_active_run(conn)
            except (ValueError, TypeError) as err:
                raise self._bad_run(conn) from err
            return None if run is None else self._as_read(run)

    def _as_read(self, run: RunRecord) -> RunRecord:
        """``run`` checked (a hand-edited row must not surface as a TypeError later) with its path resolved."""
        if not isinstance(run.model_dir, str) or not isinstance(run.status, str):
            raise invalid_value(self.path, f"training run {run.id}", "its status or model folder is not text")
        for what, value in (("settings", run.config), ("scores", run.metrics)):
            if not isinstance(value, dict):
                raise invalid_value(self.path, f"the {what} of training run {run.id}", f"expected an object, found {type(value).__name__}")
        return replace(run, model_dir=resolve_stored_path(self.path, run.model_dir))

    def _bad_run(self, conn: sqlite3.Connection) -> ProjectError:
        """Name the run whose stored JSON cannot be decoded."""
        for run_id, config, metrics in conn.execute("SELECT id, config, metrics FROM runs ORDER BY id"):
            for what, value in (("settings", config), ("scores", metrics)):
                try:
                    stored_json(self.path, f"the {what} of training run {run_id}", value, dict)
                except ProjectError as err:
                    return err
        return invalid_value(self.path, "the training runs", "a record cannot be read")

    def delete_run(self, run_id: int) -> None:
        """Delete a run and its predictions (its model folder on disk is left alone)."""
        with self._write() as conn:
            was_active = conn.execute("SELECT is_active FROM runs WHERE id = ?", (run_id,)).fetchone()
            runs_sql.remove_run(conn, run_id)
        messages: list[RunsChanged | PredictionsChanged | ActiveRunChanged] = [RunsChanged(run_id), PredictionsChanged(run_id)]
        if was_active is not None and was_active[0]:
            messages.append(ActiveRunChanged(None))
        self._lock.announce_on_release(*messages)

    # -- settings ----------------------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A per-project setting stored by the app, or ``default``."""
        with self._read() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            return default if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        """Store a per-project setting (durably)."""
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, str(value)))
