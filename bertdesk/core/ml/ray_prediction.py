"""Predict files of tens of millions of rows on a Ray cluster (Ray Data), with bertdesk's own predictor.

The engine is Ray Data, not a home-made one: ``ray.data.read_csv`` / ``read_parquet`` read the
input (one file, a folder of parts or a glob), ``map_batches`` runs :class:`BatchPredictor` — a
callable class, so each actor of the pool loads the model once — and the driver iterates the
predicted blocks in input order and writes them through the same
:class:`~bertdesk.core.ml.streaming.PredictionSink` as the local engine: the same columns, the
same cells, written atomically. Each actor asks for one GPU when the cluster has GPUs.

The model folder is shipped to the actors through Ray's object store, so a cluster node
needs bertdesk installed (``pip install 'bertdesk[cluster]'``) but not the model. The input
must be readable from the nodes (a shared folder, or the local machine for a local Ray).

Ray is an optional dependency: importing this module does not import it;
:func:`require_ray` raises a one-line error with the install command when it is missing.
"""

from __future__ import annotations

import glob
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bertdesk.core.errors import BertdeskError
from bertdesk.core.ml.inference import Predictions, load_predictor, predict
from bertdesk.core.ml.streaming import ChunkedResult, PredictionSink, RateProgress, RowsCallback
from bertdesk.core.progress import CancelToken, ProgressCallback, no_progress
from bertdesk.core.tables.chunked import ChunkedTable, open_chunks

if TYPE_CHECKING:
    import pyarrow as pa

INSTALL_HINT = "pip install 'bertdesk[cluster]'"
BATCH_ROWS = 8192  # rows per map_batches call: enough to keep an actor busy, small enough to stream
_PREFIX = "__bertdesk_"  # the actors' prediction columns; never a user's column name
_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet")


class RayMissingError(BertdeskError):
    """``--engine ray`` was asked for and Ray is not installed."""


def require_ray() -> Any:
    """The ``ray`` module, or a one-line :class:`RayMissingError` naming the install command."""
    try:
        import ray
        import ray.data  # noqa: F401 - the Data library is the part we need
    except ImportError:
        raise RayMissingError(f"--engine ray needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


def input_files(data: str) -> list[Path]:
    """The files ``data`` names: one file, a folder's CSV/Parquet files, or a glob, sorted.

    Raises:
        BertdeskError: nothing found.
    """
    path = Path(data)
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES and not p.name.startswith("."))
    elif path.is_file():
        found = [path]
    else:
        found = sorted(Path(p) for p in glob.glob(data) if Path(p).is_file())
    if not found:
        raise BertdeskError(f"{data}: no file found (give a .csv or .parquet file, a folder of them, or a glob such as 'parts/*.csv')")
    kinds = {p.suffix.lower() == ".parquet" for p in found}
    if len(kinds) > 1:
        raise BertdeskError(f"{data}: mixes Parquet and text files; give one kind")
    return found


class BatchPredictor:
    """One actor of the pool: loads the model once, then predicts each batch it is handed.

    Returns the batch's columns as text plus ``__bertdesk_predicted`` (class id),
    ``__bertdesk_confidence`` and one ``__bertdesk_p<j>`` per class.
    """

    def __init__(
        self, model_files: list[Any], columns: Sequence[str], text_column: str, device: str, precision: str, batch_size: int | None
    ) -> None:
        import ray

        files: dict[str, bytes] = ray.get(model_files[0])
        self._folder = tempfile.TemporaryDirectory(prefix="bertdesk-ray-model-")
        for name, data in files.items():
            Path(self._folder.name, name).write_bytes(data)
        self.predictor = load_predictor(self._folder.name, device=device, precision=precision)
        self.columns = list(columns)
        self.text_column = text_column
        self.batch_size = batch_size

    def __call__(self, batch: pa.Table) -> pa.Table:
        import pyarrow as pa

        from bertdesk.core.tables.workbook import _arrow_text

        arrays = [_arrow_text(batch.column(i)) for i in range(len(self.columns))]
        texts = arrays[self.columns.index(self.text_column)].to_pylist()
        result = predict(self.predictor, texts, batch_size=self.batch_size)
        names = [*self.columns, f"{_PREFIX}predicted", f"{_PREFIX}confidence"]
        arrays += [pa.array(result.predicted, type=pa.int64()), pa.array(result.confidence, type=pa.float32())]
        for j in range(len(result.labels)):
            names.append(f"{_PREFIX}p{j}")
            arrays.append(pa.array(result.probabilities[:, j], type=pa.float32()))
        return pa.table(arrays, names=names)


def predict_with_ray(
    model: str | os.PathLike[str],
    data: str,
    text_column: str | None,
    *,
    out: str | Path | None = None,
    on_rows: RowsCallback | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    address: str | None = None,
    actors: int | None = None,
    device: str = "auto",
    precision: str = "auto",
    batch_size: int | None = None,
    batch_rows: int = BATCH_ROWS,
    header_row: int | None = None,
    num_cpus: int | None = None,
    table: ChunkedTable | None = None,
) -> ChunkedResult:
    """Predict every row of ``data`` (file, folder or glob) with a pool of ``actors`` Ray actors
    (default: one per GPU of the cluster, else one per CPU).

    Without ``address`` a local Ray is started with ``num_cpus`` (default: this machine's
    cores) and stopped afterwards; with one, the job joins that cluster (``ray.init(address=...)``).

    ``table`` is what :func:`~bertdesk.core.tables.chunked.open_chunks` learnt about the first
    file, when the caller has it already; every file is parsed the same way.

    Returns:
        The rows predicted, with label counts and the file written.

    Raises:
        RayMissingError: Ray is not installed.
        BertdeskError: a bad model, input or column (one line); Cancelled on ``cancel``.
    """
    ray = require_ray()
    token = cancel if cancel is not None else CancelToken()
    files = input_files(data)
    if table is None:
        table = open_chunks(files[0], header_row=header_row, cancel=token)
    column = text_column or table.text_column
    if not column:
        raise BertdeskError(f"{files[0].name}: no text column found; name one with --text-col (columns: {', '.join(table.columns)}).")
    if column not in table.columns:
        raise BertdeskError(f"{files[0].name} has no column {column!r} (columns: {', '.join(table.columns)}).")
    # The model is checked here (a bad folder is one line, before any cluster work) and gives the labels.
    labels = load_predictor(model, device="cpu", precision="fp32").labels
    model_files = {p.name: p.read_bytes() for p in Path(model).iterdir() if p.is_file()}
    started_here = not ray.is_initialized()
    if started_here:
        _start(ray, address, num_cpus)
    try:
        logging.getLogger("ray.data").setLevel(logging.WARNING)  # its INFO lines would bury the progress bar
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.execution_options.preserve_order = True  # rows come back in input order, as the local engine writes them
        dataset = _read(ray, files, table)
        resources = ray.cluster_resources()
        gpus = float(resources.get("GPU", 0)) if device in ("auto", "cuda") else 0.0
        pool = actors or max(1, int(gpus or resources.get("CPU", 2) - 1))  # a CPU left for reading
        if not gpus and pool >= int(resources.get("CPU", 1)):
            raise BertdeskError(
                f"--actors {pool} takes every CPU of the Ray cluster ({int(resources.get('CPU', 1))}) and leaves none to read the "
                f"input; use --actors {max(1, int(resources.get('CPU', 1)) - 1)} or fewer."
            )
        dataset = dataset.map_batches(
            BatchPredictor,
            fn_constructor_kwargs={
                "model_files": [ray.put(model_files)],
                "columns": list(table.columns),
                "text_column": column,
                "device": device,
                "precision": precision,
                "batch_size": batch_size,
            },
            batch_format="pyarrow",
            batch_size=max(1, int(batch_rows)),
            compute=ray.data.ActorPoolStrategy(size=pool),
            **({"num_gpus": 1} if gpus >= 1 else {"num_cpus": 1}),
        )
        total = sum(_parquet_rows(f) for f in files) if table.format == "parquet" else None
        report = RateProgress(on_progress, total, 0)
        report(0, 0)
        types = dict(zip(table.columns, table.column_types))
        with PredictionSink(out, types, on_rows) as sink:
            for batch in dataset.iter_batches(batch_format="pyarrow", batch_size=None):
                token.raise_if_cancelled()
                frame, predictions = _split(batch, list(table.columns), labels)
                sink.add(frame, predictions)
                report(sink.result.rows)
            token.raise_if_cancelled()
            result = sink.finish()
        report(result.rows, final=True)
    finally:
        if started_here:
            ray.shutdown()
    return result


def _start(ray: Any, address: str | None, num_cpus: int | None) -> None:
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
    try:
        if address:
            ray.init(address=address, **options)
        else:
            # One logical CPU more than the actors take: Ray Data's read tasks need a CPU slot too,
            # and with every slot held by an actor the read never starts (a silent hang).
            ray.init(num_cpus=(num_cpus or os.cpu_count() or 1) + 1, **options)
    except Exception as err:  # noqa: BLE001 - ConnectionError, RuntimeError...: one line
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise BertdeskError(f"Cannot start {where}: {str(err).splitlines()[0] if str(err) else type(err).__name__}") from None


def _read(ray: Any, files: list[Path], table: ChunkedTable) -> Any:
    paths = [str(f) for f in files]
    if table.format == "parquet":
        dataset = ray.data.read_parquet(paths, partitioning=None)
        keep = [f for f in dataset.schema().names if not f.startswith("__index_level_")]
        return dataset.select_columns(keep) if len(keep) != len(dataset.schema().names) else dataset
    import pyarrow as pa
    import pyarrow.csv as pacsv

    plan = table.plan
    assert plan is not None
    names = list(plan.names)
    # The parse options of the local reader (bertdesk.core.tables.chunked), for every part file.
    return ray.data.read_csv(
        paths,
        partitioning=None,
        read_options=pacsv.ReadOptions(
            skip_rows=plan.skip_lines, column_names=names, encoding=plan.codec if plan.transcode else "utf8", block_size=1 << 20
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=plan.delimiter, quote_char='"', double_quote=True, escape_char=False, newlines_in_values=True, ignore_empty_lines=True
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def _split(batch: pa.Table, columns: list[str], labels: list[str]) -> tuple[Any, Predictions]:
    """A predicted block back into the table's columns (pandas, text) and :class:`Predictions`."""
    frame = batch.select(list(range(len(columns)))).rename_columns(columns).to_pandas()
    k = len(labels)
    probabilities = (
        np.stack([batch.column(f"{_PREFIX}p{j}").to_numpy().astype(np.float32) for j in range(k)], axis=1)
        if batch.num_rows
        else np.zeros((0, k), dtype=np.float32)
    )
    predictions = Predictions(
        labels=list(labels),
        predicted=batch.column(f"{_PREFIX}predicted").to_numpy().astype(np.int64),
        confidence=batch.column(f"{_PREFIX}confidence").to_numpy().astype(np.float32),
        probabilities=probabilities,
    )
    return frame, predictions
