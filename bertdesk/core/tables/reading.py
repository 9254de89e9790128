"""Read a spreadsheet (CSV/TSV/TXT, Excel .xlsx/.xlsm/.xlsb/.xls, OpenDocument .ods, Parquet) into a table of text.

:func:`read_table` is the one entry point. The format is decided from the content (a ZIP
with a workbook inside is .xlsx, ``PAR1`` is Parquet, anything else must be text), never from
the extension. Every cell comes back as the text the user saw: no type inference, no NaN,
no stripping, no Unicode normalisation; missing cells are ``""``.

Text files go through pyarrow's multi-threaded CSV reader (fast path). When it cannot vouch
for its answer (a ragged row, a quote left open, a row bigger than a block, a pyarrow quirk at
a block boundary), the file is read again with Python's ``csv`` module, which pads short rows
and names the line of a real error (slow path, ~10x slower). Both paths read quotes the same,
lenient way (text after a closing quote is kept, as in pandas). Anything unreadable raises
:class:`TableReadError` with one line.

The readers live in :mod:`bertdesk.core.tables.delimited` (text) and :mod:`bertdesk.core.tables.workbook`
(.xlsx, Parquet); column naming and suggestions in :mod:`bertdesk.core.tables.columns`.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from bertdesk.core.errors import Cancelled, TableReadError
from bertdesk.core.progress import CancelToken, ProgressCallback, Throttle, no_progress
from bertdesk.core.tables.column_types import attached
from bertdesk.core.tables.columns import _sample_runs, _suggest, drop_empty_edges, suggest_columns, unnamed_columns
from bertdesk.core.tables.delimited import _read_text
from bertdesk.core.tables.encoding import DELIMITER_CHOICES, ENCODING_CHOICES, describe_binary
from bertdesk.core.tables.rawfile import _read_head, _short
from bertdesk.core.tables.workbook import _open_workbook, _read_parquet, _read_xlsx, workbook_kind

__all__ = ["DELIMITER_CHOICES", "ENCODING_CHOICES", "LoadedTable", "TableInfo", "list_sheets", "read_table", "suggest_columns"]

SAMPLE_BYTES = 1 << 20  # enough to detect the encoding/delimiter and find the header row


@dataclass(frozen=True)
class TableInfo:
    """What was read and how; shown by the import dialog, stored with the project.

    Attributes:
        path: the file read.
        format: "csv", "tsv" (tab-delimited text), "xlsx" (also .xlsm/.xlsb), "xls", "ods" or
            "parquet", from the content.
        encoding: Python codec used for text files; None for xlsx/parquet.
        delimiter: field delimiter for text files; None for xlsx/parquet.
        sheet: the sheet read (xlsx), else None.
        sheets: all worksheet names (xlsx), else ().
        header_row: 0-based index of the row holding the column names, counting non-blank
            rows (blank lines, and a "sep=" line, are skipped everywhere); rows above it are
            skipped. Detected unless the caller chose it.
        rows: data rows read.
        columns: column names, unique and non-blank.
        text_column: suggested column holding the text to classify.
        label_column: suggested column holding the labels.
        warnings: one-line, human-readable notes (doubtful encoding, padded rows, skipped
            preamble, dropped empty rows and columns...).
        column_types: how each column was typed in the file (:mod:`bertdesk.core.tables.column_types`):
            "number", "date"... for a whole-numeric/date .xlsx column or a typed Parquet
            column, else "text" (always for CSV). The frame itself is text either way.
    """

    path: Path
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sheets: tuple[str, ...]
    header_row: int
    rows: int
    columns: tuple[str, ...]
    text_column: str | None
    label_column: str | None
    warnings: tuple[str, ...]
    column_types: tuple[str, ...] = ()


@dataclass
class LoadedTable:
    """A table of text: every column has pandas' string dtype, missing cells are ``""``."""

    frame: pd.DataFrame
    info: TableInfo


# --------------------------------------------------------------------------- public API


def read_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    max_rows: int | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> LoadedTable:
    """Read a CSV/TSV/TXT, .xlsx or Parquet file into a table of text.

    Args:
        path: the file. Its format is decided from the content, not the extension.
        encoding: Python codec name to use instead of detection (text files only).
        delimiter: one character to use instead of detection (text files only).
        sheet: worksheet to read (xlsx only); default the first.
        header_row: 0-based index of the row with the column names among the non-blank rows;
            rows above it are skipped (text and xlsx). None (the default): detected, past a
            title or group-heading preamble (see :func:`~bertdesk.core.tables.columns.detect_header_row`).
        max_rows: read at most this many data rows (a quick preview); the rest of the file
            is not read.
        on_progress: receives ``Progress(done, total, message)`` a few times a second (bytes
            for text files, rows for xlsx and Parquet).
        cancel: checked between blocks; when set, :class:`Cancelled` is raised.

    Returns:
        The table (all columns string dtype, missing cells ``""``) and what was detected.

    Raises:
        TableReadError: the file is missing, unreadable, empty, binary, damaged, or has a row
            that cannot be parsed; the one-line message names the file (and the line).
        Cancelled: ``cancel`` was set.
        ValueError: ``header_row`` or ``max_rows`` is negative/zero.
    """
    if header_row is not None and header_row < 0:
        raise ValueError("header_row must be >= 0")
    if max_rows is not None and max_rows < 1:
        raise ValueError("max_rows must be None or >= 1")
    p = Path(path)
    token = cancel if cancel is not None else CancelToken()
    report = Throttle(on_progress)
    try:
        return _read(p, encoding, delimiter, sheet, header_row, max_rows, report, token)
    except (TableReadError, Cancelled):
        raise
    except MemoryError as exc:
        raise TableReadError(f"{p.name}: not enough memory to read this file") from exc
    except Exception as exc:  # noqa: BLE001 - the GUI must get one line, never a stray traceback
        raise TableReadError(f"{p.name}: could not be read ({_short(exc)})", detail=traceback.format_exc()) from exc


def list_sheets(path: str | Path) -> list[str]:
    """Worksheet names of a workbook (.xlsx, .xls, .ods), in workbook order; ``[]`` for other formats.

    Raises:
        TableReadError: the file is missing, unreadable or a damaged workbook.
    """
    p = Path(path)
    try:
        head, _ = _read_head(p, 8)
        if workbook_kind(p, head) is None:
            return []
        return list(_open_workbook(p)[1])
    except TableReadError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise TableReadError(f"{p.name}: could not be read ({_short(exc)})", detail=traceback.format_exc()) from exc


# ------------------------------------------------------------------------ dispatch


def _read(
    p: Path,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    header_row: int | None,
    max_rows: int | None,
    report: Throttle,
    cancel: CancelToken,
) -> LoadedTable:
    cancel.raise_if_cancelled()
    head, complete = _read_head(p, SAMPLE_BYTES)
    if not head:
        raise TableReadError(f"{p.name}: the file is empty")
    size = p.stat().st_size
    warnings: list[str] = []
    if head.startswith(b"PAR1"):
        table = _read_parquet(p, max_rows, report, cancel)
        if header_row:
            warnings.append("the header row setting does not apply to Parquet files; it was ignored")
        return _finish(
            p, table, "parquet", None, None, None, (), 0, warnings, unnamed_columns(table.column_names), _at_end(table, max_rows)
        )
    kind = workbook_kind(p, head)
    if kind is not None:
        book = _read_xlsx(p, sheet, header_row, max_rows, report, cancel, warnings)
        return _finish(
            p, book.table, kind, None, None, book.sheet, book.sheets, book.header_row, warnings, book.unnamed, _at_end(book.table, max_rows)
        )
    what = describe_binary(head[:65536])
    if what:
        raise TableReadError(f"{p.name}: is {what}")
    table, plan = _read_text(p, head, complete, size, encoding, delimiter, header_row, max_rows, report, cancel, warnings)
    fmt = "tsv" if plan.delimiter == "\t" else "csv"
    return _finish(p, table, fmt, plan.codec, plan.delimiter, None, (), plan.header_row, warnings, plan.unnamed, _at_end(table, max_rows))


def _at_end(table: pa.Table, max_rows: int | None) -> bool:
    """Was the whole file read (so empty rows at the end of the table end the file)?"""
    return max_rows is None or table.num_rows < max_rows


def _finish(
    p: Path,
    table: pa.Table,
    fmt: str,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    sheets: tuple[str, ...],
    header_row: int,
    warnings: list[str],
    unnamed: tuple[int, ...],
    at_end: bool,
) -> LoadedTable:
    # Dropping empty columns changes the column list the recorded types line up with.
    type_of = dict(zip(table.column_names, attached(table)))
    table, notes = drop_empty_edges(table, unnamed, at_end=at_end)
    warnings.extend(notes)
    if table.num_rows == 0:
        raise TableReadError(f"{p.name}: has a header row but no data rows")
    runs = _sample_runs(table.num_rows)
    text, label = _suggest(
        {name: [v for a, b in runs for v in table.column(j).slice(a, b - a).to_pylist()] for j, name in enumerate(table.column_names)}
    )
    frame = table.to_pandas()
    info = TableInfo(
        path=p,
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        sheets=sheets,
        header_row=header_row,
        rows=len(frame),
        columns=tuple(str(c) for c in frame.columns),
        text_column=text,
        label_column=label,
        warnings=tuple(warnings),
        column_types=tuple(type_of.get(name, "text") for name in table.column_names),
    )
    return LoadedTable(frame=frame, info=info)
