"""What the label review and "similar rows" keep in the project: embeddings, the latest review, maps.

Sentence embeddings cost minutes on a big table, so they are stored once per model (float16,
two bytes a number: 768 bytes a row for a 384-wide model) in the ``embeddings`` table, one SQLite
row per (model, data row), so a later call computes only the rows still missing. The latest
:class:`~bertdesk.core.project.label_review_record.LabelReview` and each run's 2-D map are
stored the same way, so the review list, similar rows and the map survive a restart.
"""

from __future__ import annotations

import time

import numpy as np

from bertdesk.core.errors import ProjectError
from bertdesk.core.project.connection import ProjectConnection
from bertdesk.core.project.events import LabelReviewChanged
from bertdesk.core.project.label_review_record import LabelReview

_HALF = np.dtype("<f2")
_INT = np.dtype("<i8")
_FLOAT = np.dtype("<f4")
_BATCH = 10_000  # rows per executemany call


class ReviewStore:
    """Embeddings per model, the latest label review, and each run's map."""

    def __init__(self, db: ProjectConnection, row_count: int) -> None:
        self._db = db
        self._row_count = row_count

    # -- embeddings ------------------------------------------------------------------------
    def store_embeddings(self, key: str, row_ids: np.ndarray, vectors: np.ndarray) -> None:
        """Keep ``vectors[i]`` as row ``row_ids[i]``'s embedding by model ``key`` (replacing any).

        Raises:
            ProjectError: shapes disagree, a row id is out of range, the width differs from the
                vectors already stored for ``key``, or a value is not finite.
        """
        ids = np.asarray(row_ids, dtype=np.int64).reshape(-1)
        values = np.asarray(vectors)
        if values.ndim != 2 or len(values) != len(ids):
            raise ProjectError(f"Embeddings: {len(ids)} row ids for an array of shape {values.shape}.")
        if len(ids) and (ids.min() < 0 or ids.max() >= self._row_count):
            raise ProjectError(f"Embeddings: row id out of range 0..{self._row_count - 1}.")
        with np.errstate(over="ignore", invalid="ignore"):  # beyond float16's range: refused below
            half = values.astype(_HALF)
        if not np.isfinite(half).all():
            raise ProjectError("Embeddings: a vector holds a value that is not a finite number.")
        with self._db.write() as conn:
            width = _stored_width(conn.execute("SELECT vector FROM embeddings WHERE model_key = ? LIMIT 1", (key,)).fetchone())
            if width is not None and width != half.shape[1]:
                raise ProjectError(f"Embeddings: {half.shape[1]} numbers a row, but {width} are stored for this model.")
            insert = "INSERT OR REPLACE INTO embeddings(model_key, row_id, vector) VALUES (?, ?, ?)"
            for start in range(0, len(ids), _BATCH):
                chunk = half[start : start + _BATCH]
                conn.executemany(insert, ((key, int(r), v.tobytes()) for r, v in zip(ids[start : start + _BATCH], chunk)))

    def embeddings(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Row ids (ascending) and float16 vectors stored for model ``key``, or None when none are.

        Raises:
            ProjectError: a stored vector has the wrong size (a damaged file).
        """
        with self._db.read() as conn:
            rows = conn.execute("SELECT row_id, vector FROM embeddings WHERE model_key = ? ORDER BY row_id", (key,)).fetchall()
        if not rows:
            return None
        ids = np.fromiter((r for r, _ in rows), dtype=np.int64, count=len(rows))
        width = len(rows[0][1]) // _HALF.itemsize
        blob = b"".join(v for _, v in rows)
        if width == 0 or len(blob) != len(rows) * width * _HALF.itemsize:
            raise ProjectError(f"{self._db.path.name}: the stored embeddings are damaged; they will be computed again if you delete them.")
        return ids, np.frombuffer(blob, dtype=_HALF).reshape(len(rows), width)

    def embedding_keys(self) -> list[str]:
        """The models that have embeddings stored."""
        with self._db.read() as conn:
            return [str(k) for (k,) in conn.execute("SELECT DISTINCT model_key FROM embeddings ORDER BY model_key")]

    def forget_embeddings(self, key: str) -> None:
        """Drop the embeddings stored for model ``key`` (what bertdesk wrote itself)."""
        with self._db.write() as conn:
            conn.execute("DELETE FROM embeddings WHERE model_key = ?", (key,))

    # -- the label review ---------------------------------------------------------------------
    def store_label_review(self, review: LabelReview) -> None:
        """Keep ``review`` as the project's latest label review (replacing the one before)."""
        for suspect in review.suspects:
            if not 0 <= suspect.row_id < self._row_count:
                raise ProjectError(f"Label review: row id {suspect.row_id} is out of range 0..{self._row_count - 1}.")
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO label_reviews(id, created_at, review) VALUES (1, ?, ?)",
                (review.created_at or time.time(), review.to_json()),
            )
            self._db.announce(LabelReviewChanged())

    def label_review(self) -> LabelReview | None:
        """The latest label review, or None when none was made.

        Raises:
            ProjectError: the stored review is damaged (one line).
        """
        with self._db.read() as conn:
            row = conn.execute("SELECT review FROM label_reviews WHERE id = 1").fetchone()
        return None if row is None else LabelReview.from_json(str(row[0]), self._db.path.name)

    # -- maps -------------------------------------------------------------------------------
    def store_map(self, run_id: int, row_ids: np.ndarray, coords: np.ndarray) -> None:
        """Keep run ``run_id``'s 2-D map: ``coords[i]`` (x, y) places row ``row_ids[i]``."""
        ids = np.asarray(row_ids, dtype=_INT).reshape(-1)
        points = np.asarray(coords, dtype=_FLOAT)
        if points.shape != (len(ids), 2):
            raise ProjectError(f"Map: {len(ids)} row ids for coordinates of shape {points.shape}.")
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO prediction_maps(run_id, row_ids, coords) VALUES (?, ?, ?)",
                (int(run_id), ids.tobytes(), points.tobytes()),
            )

    def map(self, run_id: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Run ``run_id``'s stored map (row ids, float32 [n, 2] coordinates), or None."""
        with self._db.read() as conn:
            row = conn.execute("SELECT row_ids, coords FROM prediction_maps WHERE run_id = ?", (int(run_id),)).fetchone()
        if row is None:
            return None
        ids = np.frombuffer(row[0], dtype=_INT)
        if len(row[1]) != len(ids) * 2 * _FLOAT.itemsize:
            raise ProjectError(f"{self._db.path.name}: the stored map of run {run_id} is damaged; predict again to redraw it.")
        return ids.copy(), np.frombuffer(row[1], dtype=_FLOAT).reshape(len(ids), 2).copy()


def _stored_width(row: tuple[bytes] | None) -> int | None:
    return None if row is None else len(row[0]) // _HALF.itemsize
