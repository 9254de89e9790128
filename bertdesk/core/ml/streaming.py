"""Predict a table chunk by chunk, so memory stays flat however many rows a file has.

:func:`predict_in_chunks` pulls frames of text from a
:class:`~bertdesk.core.tables.chunked.ChunkReader`, runs the one fast predictor
(:func:`~bertdesk.core.ml.inference.predict`) over each, and hands each chunk with its
predictions to a :class:`PredictionSink`, which writes the output file (appended chunk by
chunk, atomically published at the end) and calls ``on_rows`` (JSON lines, a preview). The
Ray engine (:mod:`bertdesk.core.ml.ray_prediction`) feeds the same sink, so both engines write
the same file.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bertdesk.core.ml.inference import Predictions, Predictor, predict
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, format_duration, no_progress
from bertdesk.core.tables.chunked_writing import ChunkedWriter

if TYPE_CHECKING:
    import pandas as pd

    from bertdesk.core.tables.chunked import ChunkReader

# ``on_rows(first_row, frame, predictions)``: a chunk has been predicted; ``first_row`` is the
# 0-based position of its first row in the whole table.
RowsCallback = Callable[[int, "pd.DataFrame", Predictions], None]


@dataclass
class ChunkedResult:
    """What a chunked prediction did: rows, how many of each predicted label, the file written."""

    rows: int = 0
    labels: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    out: Path | None = None
    seconds: float = 0.0
    chunks: int = 0


class PredictionSink:
    """Where predicted chunks go: the output file (when ``out`` is given) and ``on_rows``.

    The file gets every original column (typed back from ``column_types``, as the in-memory
    export does), then the predicted label, confidence and one probability per class, under
    the same names :func:`~bertdesk.core.tables.writing.with_predictions` chooses. Use as a
    context manager and call :meth:`finish`; leaving early removes the partial file.
    """

    def __init__(self, out: str | Path | None, column_types: Mapping[str, str], on_rows: RowsCallback | None = None) -> None:
        self.writer = ChunkedWriter(out, column_types=column_types) if out else None
        self.column_types = dict(column_types)
        self.on_rows = on_rows
        self.result = ChunkedResult()

    def __enter__(self) -> PredictionSink:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.writer is not None:
            self.writer.discard()

    def add(self, frame: pd.DataFrame, predictions: Predictions) -> None:
        from bertdesk.core.tables.column_types import typed_frame
        from bertdesk.core.tables.writing import with_predictions

        first = self.result.rows
        if self.writer is not None:
            typed = typed_frame(frame.reset_index(drop=True), self.column_types)
            labels = predictions.predicted_labels
            self.writer.write(with_predictions(typed, labels, predictions.confidence, predictions.probabilities, predictions.labels))
        if self.on_rows is not None:
            self.on_rows(first, frame, predictions)
        self.result.labels = list(predictions.labels)
        for name, count in zip(*_counts(predictions)):
            self.result.counts[name] = self.result.counts.get(name, 0) + count
        self.result.rows += len(frame)
        self.result.chunks += 1

    def finish(self) -> ChunkedResult:
        if self.writer is not None:
            self.result.out = self.writer.commit()
        return self.result


def _counts(predictions: Predictions) -> tuple[list[str], list[int]]:
    import numpy as np

    k = len(predictions.labels)
    counts = np.bincount(predictions.predicted, minlength=k) if len(predictions) else np.zeros(k, dtype=np.int64)
    return list(predictions.labels), [int(c) for c in counts[:k]]


class RateProgress:
    """Rows done, an estimate of the total (known for Parquet, from bytes read for CSV), rows/s and time left."""

    def __init__(self, on_progress: ProgressCallback, total_rows: int | None, total_bytes: int) -> None:
        self.on_progress = on_progress
        self.total_rows = total_rows
        self.total_bytes = total_bytes
        self.started = time.monotonic()

    def __call__(self, done: int, rows_read: int = 0, bytes_read: int = 0, *, final: bool = False) -> None:
        """``done`` rows predicted; ``rows_read`` rows came from the first ``bytes_read`` bytes."""
        total = self.total_rows
        estimated = total is None and not final
        if final:
            total = done
        elif total is None:
            guess = int(rows_read * self.total_bytes / bytes_read) if bytes_read and rows_read else 0
            total = max(guess, done + 1) if guess else 0  # an estimate never says "finished"
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate > 0 and total else None
        of = f" of {'~' if estimated else ''}{total:,}" if total else ""
        tail = f", {rate:,.0f} rows/s" + (f", {format_duration(left)} left" if left is not None and not final else "") if done else ""
        self.on_progress(Progress(done, total, f"Predicted {done:,}{of} rows{tail}"))


def predict_in_chunks(
    predictor: Predictor,
    reader: ChunkReader,
    text_column: str,
    *,
    out: str | Path | None = None,
    on_rows: RowsCallback | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    batch_size: int | None = None,
) -> ChunkedResult:
    """Predict every row ``reader`` yields, one chunk in memory at a time.

    Args:
        predictor: a loaded model (:func:`~bertdesk.core.ml.inference.load_predictor`).
        reader: the table's rows, chunk by chunk.
        text_column: the column holding the text.
        out: write the table with predictions here (.csv, .parquet; .xlsx is built in memory).
        on_rows: called with each predicted chunk (after it is written).
        on_progress: rows done and an estimate of the total, with rows/s and time left.
        cancel: checked before every batch; when set, :class:`Cancelled` is raised and no
            output file is left behind.
        batch_size: at most this many rows per model batch.

    Returns:
        The rows predicted, the count of each predicted label, and the file written.

    Raises:
        Cancelled, TableReadError, ExportError: nothing is left under ``out``'s name.
    """
    token = cancel if cancel is not None else CancelToken()
    types = dict(zip(reader.table.columns, reader.table.column_types))
    report = RateProgress(on_progress, reader.table.total_rows, reader.table.total_bytes)
    started = time.perf_counter()
    report(0, 0)
    with PredictionSink(out, types, on_rows) as sink:
        for frame in _chunks(reader, token):
            before = sink.result.rows

            def progress(p: Progress, before: int = before) -> None:
                report(before + p.done, reader.rows_read, reader.bytes_read)

            predictions = predict(predictor, frame[text_column].tolist(), on_progress=progress, cancel=token, batch_size=batch_size)
            token.raise_if_cancelled()
            sink.add(frame, predictions)
        token.raise_if_cancelled()
        result = sink.finish()
    result.seconds = time.perf_counter() - started
    report(result.rows, final=True)
    return result


def _chunks(reader: Iterable[pd.DataFrame], cancel: CancelToken) -> Iterable[pd.DataFrame]:
    for frame in reader:
        cancel.raise_if_cancelled()
        yield frame
