"""Predictions stored in a project: :class:`PredictionStore` and the SQL of the ``predictions`` table.

One row per (run, data row) in the ``predictions`` table: the predicted label, its
confidence and every class probability as float32 bytes (``probabilities`` BLOB, little-endian)
in the order of :func:`class_order` for that run. The order is the run's ``metrics["labels"]``
(what the trainer records); when a caller stores another order it is kept in ``settings``
under :func:`order_key`, so the bytes can always be read back.

The SQL functions run inside a transaction that :class:`PredictionStore` opens and commits;
they never commit themselves.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bertdesk.core.errors import ProjectError
from bertdesk.core.project.connection import ProjectConnection
from bertdesk.core.project.events import PredictionsChanged
from bertdesk.core.project.meta import invalid_value
from bertdesk.core.project.runs import RunStore, require_run

if TYPE_CHECKING:
    import pandas as pd

_FLOAT = np.dtype("<f4")
_BATCH = 10_000  # rows per executemany call while storing


def order_key(run_id: int) -> str:
    """The ``settings`` key holding the class order of run ``run_id``'s stored probabilities."""
    return f"predictions.{int(run_id)}.labels"


@dataclass
class PredictionTable:
    """The stored predictions of one run, sorted by row id.

    Attributes:
        run_id: the run that made them.
        class_names: column ``j`` of ``probabilities`` is ``class_names[j]``.
        row_ids: int64[n], ascending.
        labels: the predicted label of each row (object array of str).
        confidence: float32[n].
        probabilities: float32[n, k].
    """

    run_id: int
    class_names: list[str]
    row_ids: np.ndarray
    labels: np.ndarray
    confidence: np.ndarray
    probabilities: np.ndarray

    def __len__(self) -> int:
        return int(self.row_ids.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """Indexed by ``row_id``: ``predicted_label``, ``confidence``, one ``p_<class>`` column per class."""
        import pandas as pd

        data: dict[str, Any] = {"predicted_label": pd.Series(self.labels, dtype="str"), "confidence": self.confidence}
        for j, name in enumerate(self.class_names):
            data[f"p_{name}"] = self.probabilities[:, j] if len(self) else np.zeros(0, dtype=np.float32)
        frame = pd.DataFrame(data)
        frame.index = pd.Index(self.row_ids, name="row_id")
        return frame


def class_order(conn: sqlite3.Connection, run_id: int) -> list[str]:
    """The class order of run ``run_id``'s stored probabilities (empty when unknown)."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (order_key(run_id),)).fetchone()
    if row is not None:
        return [str(x) for x in json.loads(row[0])]
    metrics = conn.execute("SELECT metrics FROM runs WHERE id = ?", (run_id,)).fetchone()
    if metrics is None:
        return []
    labels = json.loads(metrics[0]).get("labels") or []
    return [str(x) for x in labels]


def store(
    conn: sqlite3.Connection,
    run_id: int,
    row_ids: Sequence[int] | np.ndarray,
    labels: Sequence[str],
    confidences: Sequence[float] | np.ndarray,
    probabilities: np.ndarray,
    class_names: Sequence[str] | None,
    row_count: int,
) -> int:
    """Insert or replace the predictions of ``row_ids`` for run ``run_id``; return how many."""
    require_run(conn, run_id)
    ids = np.asarray(row_ids, dtype=np.int64).reshape(-1)
    probs = np.ascontiguousarray(np.asarray(probabilities, dtype=_FLOAT))
    conf = np.asarray(confidences, dtype=np.float64).reshape(-1)
    n = ids.shape[0]
    if probs.ndim != 2 or probs.shape[0] != n or conf.shape[0] != n or len(labels) != n:
        raise ProjectError(
            f"Predictions do not line up: {n} row ids, {len(labels)} labels, {conf.shape[0]} confidences, "
            f"probabilities of shape {tuple(probs.shape)}."
        )
    if n and (ids.min() < 0 or ids.max() >= row_count):
        bad = int(ids.min()) if ids.min() < 0 else int(ids.max())
        raise ProjectError(f"Row id {bad} is out of range (the project has {row_count:,} rows).")
    stored = class_order(conn, run_id)
    names = list(class_names) if class_names is not None else stored
    if len(names) != probs.shape[1]:
        raise ProjectError(f"Predictions have {probs.shape[1]} class probabilities but the class order names {len(names)} labels.")
    if names != stored:
        # Remember this order (the run's metrics name another one, or none).
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (order_key(run_id), json.dumps(names)))
    for start in range(0, n, _BATCH):
        stop = min(start + _BATCH, n)
        conn.executemany(
            "INSERT OR REPLACE INTO predictions(run_id, row_id, label, confidence, probabilities) VALUES (?, ?, ?, ?, ?)",
            zip(
                [run_id] * (stop - start),
                ids[start:stop].tolist(),
                [str(x) for x in labels[start:stop]],
                conf[start:stop].tolist(),
                [row.tobytes() for row in probs[start:stop]],
            ),
        )
    return n


def load(conn: sqlite3.Connection, run_id: int) -> PredictionTable:
    """Every stored prediction of run ``run_id``, by row id."""
    require_run(conn, run_id)
    names = class_order(conn, run_id)
    rows = conn.execute(
        "SELECT row_id, label, confidence, probabilities FROM predictions WHERE run_id = ? ORDER BY row_id", (run_id,)
    ).fetchall()
    k = len(names)
    if rows:
        ids, labels, conf, blobs = zip(*rows)
        if k == 0:  # no order on record: name the columns by position
            k = len(blobs[0]) // _FLOAT.itemsize
            names = [f"class {j}" for j in range(k)]
        probs = np.frombuffer(b"".join(b or bytes(k * _FLOAT.itemsize) for b in blobs), dtype=_FLOAT).reshape(len(rows), k)
        return PredictionTable(
            run_id,
            names,
            np.asarray(ids, dtype=np.int64),
            np.asarray(labels, dtype=object),
            np.asarray(conf, dtype=np.float32),
            probs.astype(np.float32),
        )
    return PredictionTable(run_id, names, np.zeros(0, np.int64), np.zeros(0, object), np.zeros(0, np.float32), np.zeros((0, k), np.float32))


def count(conn: sqlite3.Connection, run_id: int) -> int:
    """How many rows have a stored prediction from run ``run_id``."""
    return int(conn.execute("SELECT COUNT(*) FROM predictions WHERE run_id = ?", (run_id,)).fetchone()[0])


def clear(conn: sqlite3.Connection, run_id: int) -> int:
    """Delete run ``run_id``'s predictions; return how many were removed."""
    require_run(conn, run_id)
    removed = conn.execute("DELETE FROM predictions WHERE run_id = ?", (run_id,)).rowcount
    conn.execute("DELETE FROM settings WHERE key = ?", (order_key(run_id),))
    return int(removed)


class PredictionStore:
    """Each run's stored predictions: saved in one transaction, loaded, counted, cleared."""

    def __init__(self, db: ProjectConnection, runs: RunStore, row_count: int) -> None:
        self._db = db
        self._runs = runs
        self._row_count = row_count

    def store(
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
        with self._db.write() as conn:
            stored = store(conn, run_id, row_ids, labels, confidences, probabilities, class_names, self._row_count)
        self._db.announce(PredictionsChanged(run_id))
        return stored

    def load(self, run_id: int | None = None) -> PredictionTable | None:
        """The stored predictions of ``run_id`` (default: the active run), or None when there is no such run."""
        with self._db.read() as conn:
            if run_id is None:
                active = self._runs.active()
                if active is None:
                    return None
                run_id = active.id
            try:
                return load(conn, run_id)
            except (ValueError, TypeError) as err:  # class order or probabilities edited outside bertdesk
                raise invalid_value(self._db.path, f"the prediction table of run {run_id}", str(err) or type(err).__name__) from err

    def count(self, run_id: int) -> int:
        """How many rows have a stored prediction from run ``run_id``."""
        with self._db.read() as conn:
            return count(conn, run_id)

    def clear(self, run_id: int) -> int:
        """Forget run ``run_id``'s stored predictions; return how many rows were removed."""
        with self._db.write() as conn:
            removed = clear(conn, run_id)
        self._db.announce(PredictionsChanged(run_id))
        return removed
