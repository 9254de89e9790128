"""``bertdesk predict MODEL_DIR DATA``: classify every row of a spreadsheet or a bertdesk project."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bertdesk.commands.common import (
    EXIT_OK,
    TABLE_FILES,
    StderrProgress,
    add_header_row_option,
    ctrl_c_cancels,
    header_row_index,
    open_project,
    print_json,
)
from bertdesk.core.errors import BertdeskError, Cancelled
from bertdesk.core.importing import PROJECT_SUFFIX
from bertdesk.core.ml.devices import DEVICE_CHOICES

PREVIEW_ROWS = 20
# Spreadsheet inputs bigger than this are read, predicted and written in chunks (flat memory).
STREAM_ABOVE_BYTES = 64 << 20
CHUNK_ROWS = 50_000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser(
        "predict",
        help="classify every row with a trained model",
        description="Classify every row of a spreadsheet or a bertdesk project with a trained model folder. "
        "Progress goes to stderr. With --out the table is written with the predicted label, confidence and "
        "one probability column per class; without it a preview (or JSON lines with --json) goes to stdout. "
        "Ctrl+C cancels.",
    )
    cmd.add_argument("model", metavar="MODEL_DIR", help="a trained model folder (config.json with labels, model.safetensors)")
    cmd.add_argument("data", metavar="DATA", help=f"a {TABLE_FILES} file or a {PROJECT_SUFFIX} project")
    cmd.add_argument("--text-col", metavar="C", help="the column holding the text (default: the suggested one / the project's)")
    cmd.add_argument("--sheet", metavar="NAME", help="sheet to read (Excel files)")
    add_header_row_option(cmd)
    cmd.add_argument("--out", metavar="FILE", help="write the table with predictions to FILE.csv, .xlsx or .parquet")
    cmd.add_argument("--batch-size", metavar="B", type=int, help="at most B rows per batch (on top of the token budget)")
    cmd.add_argument("--device", choices=DEVICE_CHOICES, default="auto", help="where to run (default auto)")
    cmd.add_argument("--precision", choices=("auto", "fp32", "bf16", "fp16"), default="auto", help="number format (default auto)")
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    cmd.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per row instead of a preview table (as each chunk finishes, when read in chunks)",
    )
    cmd.add_argument(
        "--chunk-rows",
        metavar="N",
        type=int,
        help=f"read, predict and write a CSV/Parquet file N rows at a time, so memory stays flat "
        f"(default: files over {STREAM_ABOVE_BYTES >> 20} MB are read in chunks of {CHUNK_ROWS:,} rows)",
    )
    cmd.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local: this machine (default); ray: a Ray cluster, DATA may be a file, a folder of parts or a glob "
        "(needs pip install 'bertdesk[cluster]')",
    )
    cmd.add_argument("--ray-address", metavar="ADDR", help="join this Ray cluster (e.g. auto, or HEAD_IP:6379); default: start a local Ray")
    cmd.add_argument(
        "--actors",
        metavar="K",
        type=int,
        default=None,
        help="model copies (Ray actors) to run at once (default: one per GPU of the cluster, else one per CPU less one, left for reading)",
    )
    cmd.set_defaults(handler=_cmd_predict)


def _cmd_predict(args: argparse.Namespace) -> int:
    from bertdesk.core.destinations import check_file_destination, estimate_table_bytes
    from bertdesk.core.ml.inference import load_predictor, predict
    from bertdesk.core.progress import CancelToken
    from bertdesk.core.tables.writing import export_format

    if args.batch_size is not None and args.batch_size < 1:
        raise BertdeskError(f"--batch-size must be at least 1, not {args.batch_size}.")
    if args.chunk_rows is not None and args.chunk_rows < 1:
        raise BertdeskError(f"--chunk-rows must be at least 1, not {args.chunk_rows}.")
    if args.actors is not None and args.actors < 1:
        raise BertdeskError(f"--actors must be at least 1, not {args.actors}.")
    if args.engine == "ray":
        return _predict_ray(args)
    if args.ray_address or args.actors is not None:
        raise BertdeskError("--ray-address and --actors go with --engine ray.")
    if not Path(args.data).exists():
        raise BertdeskError(f"{args.data}: file not found")
    if args.out:
        # Before minutes of work: a known extension, a folder that exists and can be written,
        # room for about as much as the input holds (checked again once the rows are known).
        export_format(args.out)
        check_file_destination(args.out, Path(args.data).stat().st_size)
    if _streams(args):
        return _predict_in_chunks(args)
    # The model first: a wrong folder, device or precision is reported before a big table is read.
    predictor = load_predictor(args.model, device=args.device, precision=args.precision)
    frame, text_col, finish = _load_data(args)
    if len(frame) == 0:
        raise BertdeskError(f"{Path(args.data).name} has no rows to predict.")
    if args.out:  # the rows plus a label, a confidence and one probability per class
        check_file_destination(args.out, estimate_table_bytes(frame) + len(frame) * 12 * (len(predictor.labels) + 2))
    texts = frame[text_col].tolist()
    _warn_unreadable(predictor, texts, text_col)
    sys.stderr.write(f"bertdesk: predicting {len(frame):,} rows with {predictor.describe()}\n")
    progress = StderrProgress(quiet=args.quiet)
    with ctrl_c_cancels(CancelToken()) as token:
        try:
            result = predict(predictor, texts, on_progress=progress, cancel=token, batch_size=args.batch_size)
        finally:
            progress.close()
        token.raise_if_cancelled()
        out = finish(result, args.out, token)
        if out is not None:
            sys.stderr.write(f"bertdesk: wrote {len(frame):,} rows to {out}\n")
            return EXIT_OK
    if args.json:
        _print_json_lines(0, texts, result)
    else:
        _print_preview(_preview_rows(texts, result), len(texts), _label_counts(result), result.labels)
    return EXIT_OK


def _warn_unreadable(predictor: Any, texts: list[Any], column: str) -> None:
    """Before the work: say so when the model's tokenizer cannot read much of the column."""
    from bertdesk.core.ml.vocabulary_coverage import PREDICT_FIX, measure

    warning = measure(predictor.tokenizer, texts).message(column, fix=PREDICT_FIX)
    if warning:
        sys.stderr.write(f"Warning: {warning}\n")


def _warn_unreadable_head(tokenizer: Any, table: Any, column: str, cancel: Any = None) -> None:
    """:func:`_warn_unreadable` for a file read in chunks: measured on its first rows only (a file
    bigger than memory is not read twice for a hint)."""
    from bertdesk.core.ml.vocabulary_coverage import PREDICT_FIX, SAMPLE, measure
    from bertdesk.core.tables.chunked import ChunkReader

    head = next(iter(ChunkReader(table, chunk_rows=SAMPLE, cancel=cancel)), None)
    if head is None or column not in head:
        return
    warning = measure(tokenizer, head[column].tolist()).message(column, fix=PREDICT_FIX)
    if warning:
        sys.stderr.write(f"Warning: {warning} (measured on the first {len(head):,} rows)\n")


def _streams(args: argparse.Namespace) -> bool:
    """Read this spreadsheet in chunks? Asked for (--chunk-rows), or a CSV/Parquet file too big to
    hold comfortably in memory. Projects and workbooks are read whole."""
    from bertdesk.core.tables.chunked import can_stream

    if str(args.data).lower().endswith(PROJECT_SUFFIX) or args.sheet:
        return False
    if args.chunk_rows is None and Path(args.data).stat().st_size <= STREAM_ABOVE_BYTES:
        return False
    return can_stream(args.data)


def _predict_in_chunks(args: argparse.Namespace) -> int:
    from bertdesk.core.destinations import check_file_destination
    from bertdesk.core.ml.inference import load_predictor
    from bertdesk.core.ml.streaming import predict_in_chunks
    from bertdesk.core.progress import CancelToken
    from bertdesk.core.tables.chunked import ChunkReader, open_chunks
    from bertdesk.core.tables.chunked_writing import check_xlsx_size

    size = Path(args.data).stat().st_size
    if args.out:
        check_xlsx_size(args.out, size)
        check_file_destination(args.out, int(size * 1.5))  # the rows plus a label, a confidence and probabilities
    predictor = load_predictor(args.model, device=args.device, precision=args.precision)
    with ctrl_c_cancels(CancelToken()) as token:
        table = open_chunks(args.data, header_row=header_row_index(args), cancel=token)
        text_col = _text_column(args, table.columns, table.text_column)
        chunk_rows = args.chunk_rows or CHUNK_ROWS
        rows = f"{table.total_rows:,} rows" if table.total_rows is not None else f"{Path(args.data).name} ({size / (1 << 20):,.1f} MB)"
        _warn_unreadable_head(predictor.tokenizer, table, text_col, token)
        sys.stderr.write(f"bertdesk: predicting {rows} in chunks of {chunk_rows:,} rows with {predictor.describe()}\n")
        show = _RowPrinter(text_col, json_lines=args.json and not args.out, preview=not args.out)
        progress = StderrProgress(quiet=args.quiet)
        try:
            result = predict_in_chunks(
                predictor,
                ChunkReader(table, chunk_rows=chunk_rows, cancel=token),
                text_col,
                out=args.out,
                on_rows=show,
                on_progress=progress,
                cancel=token,
                batch_size=args.batch_size,
            )
        finally:
            progress.close()
    return _report(args, show, result)


def _predict_ray(args: argparse.Namespace) -> int:
    from bertdesk.core.destinations import check_file_destination
    from bertdesk.core.ml.ray_prediction import input_files, predict_with_ray, require_ray
    from bertdesk.core.progress import CancelToken
    from bertdesk.core.tables.chunked import open_chunks
    from bertdesk.core.tables.chunked_writing import check_xlsx_size

    require_ray()  # before anything else: the one thing a user must install
    if args.sheet or str(args.data).lower().endswith(PROJECT_SUFFIX):
        raise BertdeskError("--engine ray reads CSV/TSV or Parquet files (one, a folder of parts or a glob); not projects or workbooks.")
    files = input_files(args.data)
    size = sum(f.stat().st_size for f in files)
    if args.out:
        check_xlsx_size(args.out, size)
        check_file_destination(args.out, int(size * 1.5))
    table = open_chunks(files[0], header_row=header_row_index(args))
    text_col = _text_column(args, table.columns, table.text_column)
    from bertdesk.core.ml.models import load_tokenizer, resolve_model_source

    _warn_unreadable_head(load_tokenizer(resolve_model_source(args.model)), table, text_col)
    where = f"the Ray cluster at {args.ray_address}" if args.ray_address else "a local Ray"
    pool = f"{args.actors} actor(s)" if args.actors else "one actor per GPU (else per CPU)"
    sys.stderr.write(f"bertdesk: predicting {len(files):,} file(s), {size / (1 << 20):,.1f} MB, with {pool} on {where}\n")
    show = _RowPrinter(text_col, json_lines=args.json and not args.out, preview=not args.out)
    progress = StderrProgress(quiet=args.quiet)
    with ctrl_c_cancels(CancelToken()) as token:
        try:
            result = predict_with_ray(
                args.model,
                args.data,
                text_col,
                table=table,
                out=args.out,
                on_rows=show,
                on_progress=progress,
                cancel=token,
                address=args.ray_address,
                actors=args.actors,
                device=args.device,
                precision=args.precision,
                batch_size=args.batch_size,
                batch_rows=args.chunk_rows or 8192,
                header_row=header_row_index(args),
            )
        finally:
            progress.close()
    return _report(args, show, result)


def _text_column(args: argparse.Namespace, columns: Sequence[str], suggested: str | None) -> str:
    name = Path(args.data).name
    text_col = args.text_col or suggested
    if not text_col:
        raise BertdeskError(f"{name}: no text column found; name one with --text-col (columns: {', '.join(columns)}).")
    if text_col not in columns:
        raise BertdeskError(f"{name} has no column {text_col!r} (columns: {', '.join(columns)}).")
    return text_col


class _RowPrinter:
    """Prints each predicted chunk as JSON lines at once (for pipelines), or keeps the first rows for a preview."""

    def __init__(self, text_col: str, *, json_lines: bool, preview: bool) -> None:
        self.text_col = text_col
        self.json_lines = json_lines
        self.preview = preview
        self.rows: list[tuple[Any, str, float]] = []

    def __call__(self, first: int, frame: Any, predictions: Any) -> None:
        if self.json_lines:
            try:
                _print_json_lines(first, frame[self.text_col].tolist(), predictions)
                sys.stdout.flush()
            except BrokenPipeError:  # the reader of the pipe (| head) has had enough: stop the work
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python's own advice; nothing more is written
                raise Cancelled("stdout was closed; stopped predicting.") from None
        elif self.preview and len(self.rows) < PREVIEW_ROWS:
            texts = frame[self.text_col].iloc[: PREVIEW_ROWS - len(self.rows)].tolist()
            self.rows += _preview_rows(texts, predictions)


def _report(args: argparse.Namespace, show: _RowPrinter, result: Any) -> int:
    if result.out is not None:
        sys.stderr.write(f"bertdesk: wrote {result.rows:,} rows to {result.out}\n")
    elif not args.json:
        _print_preview(show.rows, result.rows, result.counts, result.labels)
    return EXIT_OK


def _load_data(args: argparse.Namespace) -> tuple[Any, str, Any]:
    """The table, its text column, and ``finish(result, out, cancel)``: stores the results in a
    project (when the model is one of its runs) and, when ``out`` is given, writes the export
    there and returns the file written."""
    if str(args.data).lower().endswith(PROJECT_SUFFIX):
        return _load_project(args)
    from bertdesk.core.tables.column_types import typed_frame
    from bertdesk.core.tables.reading import read_table
    from bertdesk.core.tables.writing import export_frame, with_predictions

    table = read_table(args.data, sheet=args.sheet, header_row=header_row_index(args))
    frame = table.frame
    text_col = args.text_col or table.info.text_column
    if not text_col:
        raise BertdeskError(f"{Path(args.data).name}: no text column found; name one with --text-col (columns: {_names(frame)}).")
    if text_col not in frame.columns:
        raise BertdeskError(f"{Path(args.data).name} has no column {text_col!r} (columns: {_names(frame)}).")

    def finish(result: Any, out: str | None, cancel: Any) -> Path | None:
        if not out:
            return None
        typed = typed_frame(frame, dict(zip(table.info.columns, table.info.column_types)))
        return export_frame(
            with_predictions(typed, result.predicted_labels, result.confidence, result.probabilities, result.labels), out, cancel=cancel
        )

    return frame, text_col, finish


def _load_project(args: argparse.Namespace) -> tuple[Any, str, Any]:
    from bertdesk.core.project import Project

    project = open_project(args.data)
    try:
        frame = project.frame()
        text_col = args.text_col or project.text_column
        if text_col not in frame.columns:
            raise BertdeskError(f"{Path(args.data).name} has no column {text_col!r} (columns: {_names(frame)}).")
        model_dir = Path(args.model).resolve()
        run = next((r for r in project.runs() if _same_folder(r.model_dir, model_dir)), None)
    finally:
        project.close()
    run_id = run.id if run is not None else None
    keep = run_id is not None and text_col == project.text_column  # else not a run of this project: nothing to store

    def finish(result: Any, out: str | None, cancel: Any) -> Path | None:
        import numpy as np

        from bertdesk.core.project.predictions import PredictionTable
        from bertdesk.core.usecases import export_project_predictions

        if not keep and not out:
            return None
        with Project.open(args.data) as again:
            if keep:
                again.store_predictions(
                    run_id,
                    np.arange(len(frame)),
                    result.predicted_labels,
                    result.confidence,
                    result.probabilities,
                    class_names=result.labels,
                )
                sys.stderr.write(f"bertdesk: stored the predictions with run {run_id} in {Path(args.data).name}\n")
            if not out:
                return None
            predictions = PredictionTable(
                run_id=run_id or 0,
                class_names=list(result.labels),
                row_ids=np.arange(len(frame)),
                labels=np.asarray(result.predicted_labels, dtype=object),
                confidence=np.asarray(result.confidence, dtype=np.float32),
                probabilities=np.asarray(result.probabilities, dtype=np.float32),
            )
            # The labels as they are now, beside the original columns and these predictions
            # (the same export as the Predict panel's).
            return export_project_predictions(again, predictions, out, frame=frame, cancel=cancel)

    return frame, text_col, finish


def _same_folder(stored: str, folder: Path) -> bool:
    try:
        return Path(stored).resolve() == folder
    except OSError:
        return False


def _names(frame: Any) -> str:
    return ", ".join(map(str, frame.columns))


def _label_counts(result: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for label in result.predicted_labels:
        counts[label] = counts.get(label, 0) + 1
    return counts


def _preview_rows(texts: list[Any], result: Any, rows: int = PREVIEW_ROWS) -> list[tuple[Any, str, float]]:
    return list(zip(texts[:rows], result.predicted_labels[:rows], [float(c) for c in result.confidence[:rows]]))


def _print_json_lines(first: int, texts: list[Any], result: Any) -> None:
    out = sys.stdout
    names = result.labels
    for i, (text, label, conf, probs) in enumerate(
        zip(texts, result.predicted_labels, result.confidence, result.probabilities), start=first
    ):
        print_json(
            {
                "row": i,
                "text": "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text),
                "label": label,
                "confidence": round(float(conf), 6),
                "probabilities": {name: round(float(p), 6) for name, p in zip(names, probs)},
            },
            out,
        )


def _print_preview(preview: list[tuple[Any, str, float]], total: int, counts: dict[str, int], labels: list[str], width: int = 60) -> None:
    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        text = text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎").replace("\t", " ")
        return text if len(text) <= width else text[: width - 1] + "…"

    header = ["row", "predicted", "confidence", "text"]
    body = [[str(i + 1), label, f"{conf * 100:.1f}%", cell(text)] for i, (text, label, conf) in enumerate(preview)]
    table = [header] + body
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    out = sys.stdout
    out.write("\n".join(lines) + "\n")
    if total > len(preview):
        out.write(f"... {total - len(preview):,} more rows; use --out FILE to save them all, or --json.\n")
    out.write("Predicted: " + ", ".join(f"{name} {counts.get(name, 0):,}" for name in labels) + "\n")
