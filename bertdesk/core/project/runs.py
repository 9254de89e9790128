"""Training runs stored in a project: the record type, the SQL of the ``runs`` table and :class:`RunStore`.

The SQL functions run inside a transaction that their caller (:class:`RunStore`, or a project
migration) opens and commits; they never commit themselves.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from bertdesk.core.errors import ProjectError
from bertdesk.core.project.connection import ProjectConnection
from bertdesk.core.project.events import ActiveRunChanged, Message, PredictionsChanged, RunsChanged
from bertdesk.core.project.meta import invalid_value, stored_json
from bertdesk.core.project.paths import resolve_stored_path, stored_path


class RunStatus(StrEnum):
    """Where a training run stands. The values are what the project file stores, so projects
    written before this enum existed open unchanged; a value this version does not know (a newer
    bertdesk's, or a hand-edited file) is kept as the plain string."""

    RUNNING = "running"  # a process is training it now (or was killed: see INTERRUPTED)
    FINISHED = "finished"
    CANCELLED = "cancelled"  # stopped by the user; keeps a model when one was evaluated
    FAILED = "failed"  # metrics["error"] says why
    INTERRUPTED = "interrupted"  # its process died while it was running

    @classmethod
    def parse(cls, value: str) -> RunStatus | str:
        """The enum member for a stored value, or the value itself when it is unknown."""
        try:
            return cls(value)
        except ValueError:
            return value


# Fields update_run() may change; is_active goes through set_active_run() so that at most
# one run is ever active.
RUN_FIELDS = ("status", "model_dir", "config", "metrics", "pid", "host")
_JSON_FIELDS = ("config", "metrics")
_SELECT = "SELECT id, created_at, status, model_dir, config, metrics, is_active, pid, host FROM runs"


@dataclass(frozen=True)
class RunRecord:
    """One training run.

    Attributes:
        id: the run's id (never reused within a project).
        created_at: seconds since the epoch.
        status: a :class:`RunStatus` (a ``str``: compares equal to its stored value); an
            unknown stored value stays a plain string.
        model_dir: where the fine-tuned model folder lives.
        config: the training configuration (JSON-compatible).
        metrics: evaluation results (JSON-compatible).
        is_active: the run whose model the app uses for predictions; at most one.
        pid, host: the process that runs (or ran) it; None for runs recorded before format 2.
    """

    id: int
    created_at: float
    status: RunStatus | str
    model_dir: str
    config: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    is_active: bool = False
    pid: int | None = None
    host: str | None = None


def _to_json(name: str, value: Any) -> str:
    if not isinstance(value, dict):
        raise ProjectError(f"A run's {name} must be a dict, not {type(value).__name__}.")
    try:
        # default=str keeps Paths and the like readable instead of failing half-way through a run.
        return json.dumps(value, default=str, sort_keys=True)
    except ValueError as err:  # circular references
        raise ProjectError(f"A run's {name} cannot be stored: {err}.") from err


def _record(row: tuple[Any, ...]) -> RunRecord:
    run_id, created_at, status, model_dir, config, metrics, is_active, pid, host = row
    return RunRecord(
        run_id, created_at, RunStatus.parse(status), model_dir, json.loads(config), json.loads(metrics), bool(is_active), pid, host
    )


def insert_run(
    conn: sqlite3.Connection, *, status: RunStatus | str, model_dir: str, config: dict[str, Any], metrics: dict[str, Any]
) -> int:
    """Add a run (not active) and return its id."""
    cursor = conn.execute(
        "INSERT INTO runs(created_at, status, model_dir, config, metrics, is_active) VALUES (?, ?, ?, ?, ?, 0)",
        (time.time(), str(status), str(model_dir), _to_json("config", config), _to_json("metrics", metrics)),
    )
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)


def update_run(conn: sqlite3.Connection, run_id: int, fields: dict[str, Any]) -> None:
    """Change some of :data:`RUN_FIELDS` of run ``run_id``."""
    unknown = sorted(set(fields) - set(RUN_FIELDS))
    if unknown:
        raise ProjectError(f"Cannot update run field(s) {', '.join(unknown)}; allowed: {', '.join(RUN_FIELDS)}.")
    require_run(conn, run_id)
    if not fields:
        return
    values = [_to_json(name, value) if name in _JSON_FIELDS else str(value) for name, value in fields.items()]
    assignments = ", ".join(f"{name} = ?" for name in fields)  # names checked against RUN_FIELDS above
    conn.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*values, run_id))


def require_run(conn: sqlite3.Connection, run_id: int) -> None:
    """Raise :class:`ProjectError` unless run ``run_id`` exists."""
    if conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
        raise ProjectError(f"There is no training run {run_id} in this project.")


def list_runs(conn: sqlite3.Connection) -> list[RunRecord]:
    """Every run, oldest first."""
    return [_record(row) for row in conn.execute(_SELECT + " ORDER BY id")]


def get_active_run(conn: sqlite3.Connection) -> RunRecord | None:
    """The active run, if any."""
    row = conn.execute(_SELECT + " WHERE is_active = 1").fetchone()
    return None if row is None else _record(row)


def activate_run(conn: sqlite3.Connection, run_id: int | None) -> None:
    """Make ``run_id`` the only active run (``None``: no run is active)."""
    if run_id is not None:
        require_run(conn, run_id)
    conn.execute("UPDATE runs SET is_active = 0 WHERE is_active = 1")
    if run_id is not None:
        conn.execute("UPDATE runs SET is_active = 1 WHERE id = ?", (run_id,))


def remove_run(conn: sqlite3.Connection, run_id: int) -> None:
    """Delete run ``run_id``, its predictions and its map (the model folder on disk is the caller's)."""
    require_run(conn, run_id)
    conn.execute("DELETE FROM predictions WHERE run_id = ?", (run_id,))
    conn.execute("DELETE FROM prediction_maps WHERE run_id = ?", (run_id,))
    conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))


class RunStore:
    """A project's training runs: recorded, updated, listed, activated, deleted.

    Model folders are stored relative to the project file where they lie inside its folder
    tree (:mod:`~bertdesk.core.project.paths`) and handed out absolute.
    """

    def __init__(self, db: ProjectConnection) -> None:
        self._db = db

    def add(self, *, status: RunStatus | str, model_dir: str, config: dict[str, Any], metrics: dict[str, Any]) -> int:
        """Record a training run (not active).

        Returns:
            The new run's id.
        """
        model_dir = stored_path(self._db.path, model_dir)
        with self._db.write() as conn:
            run_id = insert_run(conn, status=status, model_dir=model_dir, config=config, metrics=metrics)
        self._db.announce(RunsChanged(run_id))
        return run_id

    def update(self, run_id: int, **fields: Any) -> None:
        """Change ``status``, ``model_dir``, ``config`` and/or ``metrics`` of a run.

        Raises:
            ProjectError: no such run, or an unknown field.
        """
        if "model_dir" in fields:
            fields = {**fields, "model_dir": stored_path(self._db.path, fields["model_dir"])}
        with self._db.write() as conn:
            update_run(conn, run_id, fields)
        self._db.announce(RunsChanged(run_id))

    def all(self) -> list[RunRecord]:
        """Every run, oldest first (``model_dir`` absolute)."""
        with self._db.read() as conn:
            try:
                return [self._as_read(run) for run in list_runs(conn)]
            except (ValueError, TypeError) as err:
                raise self._bad_run(conn) from err

    def set_active(self, run_id: int | None) -> None:
        """Make ``run_id`` the one active run (None: no run is active)."""
        with self._db.write() as conn:
            activate_run(conn, run_id)
        self._db.announce(ActiveRunChanged(run_id))

    def active(self) -> RunRecord | None:
        """The active run, or None."""
        with self._db.read() as conn:
            try:
                run = get_active_run(conn)
            except (ValueError, TypeError) as err:
                raise self._bad_run(conn) from err
            return None if run is None else self._as_read(run)

    def delete(self, run_id: int) -> None:
        """Delete a run and its predictions (its model folder on disk is left alone)."""
        with self._db.write() as conn:
            was_active = conn.execute("SELECT is_active FROM runs WHERE id = ?", (run_id,)).fetchone()
            remove_run(conn, run_id)
        messages: list[Message] = [RunsChanged(run_id), PredictionsChanged(run_id)]
        if was_active is not None and was_active[0]:
            messages.append(ActiveRunChanged(None))
        self._db.announce(*messages)

    def _as_read(self, run: RunRecord) -> RunRecord:
        """``run`` checked (a hand-edited row must not surface as a TypeError later) with its path resolved."""
        path = self._db.path
        if not isinstance(run.model_dir, str) or not isinstance(run.status, str):
            raise invalid_value(path, f"training run {run.id}", "its status or model folder is not text")
        for what, value in (("settings", run.config), ("scores", run.metrics)):
            if not isinstance(value, dict):
                raise invalid_value(path, f"the {what} of training run {run.id}", f"expected an object, found {type(value).__name__}")
        return replace(run, model_dir=resolve_stored_path(path, run.model_dir))

    def _bad_run(self, conn: sqlite3.Connection) -> ProjectError:
        """Name the run whose stored JSON cannot be decoded."""
        for run_id, config, metrics in conn.execute("SELECT id, config, metrics FROM runs ORDER BY id"):
            for what, value in (("settings", config), ("scores", metrics)):
                try:
                    stored_json(self._db.path, f"the {what} of training run {run_id}", value, dict)
                except ProjectError as err:
                    return err
        return invalid_value(self._db.path, "the training runs", "a record cannot be read")
