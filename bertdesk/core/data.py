"""Read a spreadsheet (CSV/TSV/TXT, .xlsx, Parquet) into a table of text.

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
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import traceback
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from bertdesk.core.encoding import (
    DELIMITER_CHOICES,
    ENCODING_CHOICES,
    Utf8Stream,
    bom_encoding,
    canonical_codec,
    decode_sample,
    describe_binary,
    detect_delimiter,
    detect_encoding,
    detect_legacy,
    first_bad_utf8,
    looks_numeric,
    suspicious_characters,
)
from bertdesk.core.errors import Cancelled, TableReadError
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, Throttle, no_progress

__all__ = [
    "DELIMITER_CHOICES",
    "ENCODING_CHOICES",
    "LoadedTable",
    "TableInfo",
    "list_sheets",
    "read_table",
    "suggest_columns",
]

SAMPLE_BYTES = 1 << 20  # enough to detect the encoding/delimiter and find the header row
BLOCK_BYTES = 1 << 20  # pyarrow block: a few ms of parsing, so cancel is checked often
_SUGGEST_ROWS = 2000

# Excel cells hold up to 32,767 characters, but other tools write longer quoted text; the
# csv module's default 128 KiB limit would turn such files into errors. Only ever raised.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))


@dataclass(frozen=True)
class TableInfo:
    """What was read and how; shown by the import dialog, stored with the project.

    Attributes:
        path: the file read.
        format: "csv", "tsv" (tab-delimited text), "xlsx" or "parquet", from the content.
        encoding: Python codec used for text files; None for xlsx/parquet.
        delimiter: field delimiter for text files; None for xlsx/parquet.
        sheet: the sheet read (xlsx), else None.
        sheets: all worksheet names (xlsx), else ().
        header_row: 0-based index of the row holding the column names, counting non-blank
            rows (blank lines are skipped everywhere); rows above it are skipped.
        rows: data rows read.
        columns: column names, unique and non-blank.
        text_column: suggested column holding the text to classify.
        label_column: suggested column holding the labels.
        warnings: one-line, human-readable notes (doubtful encoding, padded rows...).
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


@dataclass
class LoadedTable:
    """A table of text: every column has pandas' string dtype, missing cells are ``""``."""

    frame: pd.DataFrame
    info: TableInfo


@dataclass(frozen=True)
class _TextPlan:
    codec: str  # Python codec for the file's bytes
    transcode: bool  # False: pyarrow reads the bytes as they are (UTF-8)
    delimiter: str
    names: tuple[str, ...]
    header_row: int
    skip_lines: int  # physical lines up to and including the header (pyarrow's skip_rows)
    prefix_quotes: int  # '"' characters in those lines (for the quote-parity check)
    multiline: bool  # the sample has quoted line breaks or blank lines
    line_break: bytes  # b"\n", or b"\r" for old-Mac files
    sample_replaced: int  # U+FFFD in the decoded sample
    sample_control: int  # control characters in the decoded sample


class _NotUtf8(Exception):
    """pyarrow met bytes that are not UTF-8 past the sample the encoding was detected on."""


# --------------------------------------------------------------------------- public API


def read_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    header_row: int = 0,
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
            rows above it are skipped (text and xlsx).
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
    if header_row < 0:
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
    """Worksheet names of an .xlsx file, in workbook order; ``[]`` for other formats.

    Raises:
        TableReadError: the file is missing, unreadable or a damaged workbook.
    """
    p = Path(path)
    try:
        head, _ = _read_head(p, 8)
        if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return []
        _zip_kind(p)
        return list(_open_workbook(p)[1])
    except TableReadError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise TableReadError(f"{p.name}: could not be read ({_short(exc)})", detail=traceback.format_exc()) from exc


def suggest_columns(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """Suggest the text column and the label column of a table of text.

    The text column has the longest average text, is mostly non-numeric and has many
    distinct values (a name like "text"/"review" helps). The label column has few distinct
    values for the number of rows and short values (a name like "label"/"category"/
    "sentiment" helps a lot). Only a sample of up to 2,000 evenly spaced rows is looked at.

    Returns:
        ``(text_column, label_column)``; either may be None, and they never coincide.
    """
    runs = _sample_runs(len(frame))
    return _suggest({
        str(name): ["" if v is None or v != v else str(v) for a, b in runs for v in frame.iloc[a:b, j].tolist()]
        for j, name in enumerate(frame.columns)
    })


def _sample_runs(n: int) -> list[tuple[int, int]]:
    """Up to 2,000 rows as 20 evenly spaced runs: slices are free, while a scattered take
    over a chunked column is not (~20 ms on a million rows)."""
    if n <= _SUGGEST_ROWS:
        return [(0, n)]
    run = _SUGGEST_ROWS // 20
    return [(int(a), int(a) + run) for a in np.linspace(0, n - run, 20)]


def _suggest(columns: dict[str, list[str]]) -> tuple[str | None, str | None]:
    stats = {name: _column_stats(values) for name, values in columns.items()}
    text_scores = {}
    for name, (filled, distinct, avg_len, numeric) in stats.items():
        ratio = distinct / filled if filled else 0.0
        if filled and numeric < 0.5 and (ratio > 0.2 or avg_len >= 30):
            bonus = 1.5 if _has_hint(name, _TEXT_HINTS) else 1.0
            text_scores[name] = avg_len * (1 - numeric) * (0.25 + 0.75 * ratio) * bonus
    text = max(text_scores, key=text_scores.__getitem__) if text_scores else None
    label_scores = {}
    for name, (filled, distinct, avg_len, numeric) in stats.items():
        if name == text:
            continue
        hint = _has_hint(name, _LABEL_HINTS)
        if not hint and (filled == 0 or distinct >= filled or distinct > 100 or avg_len > 40):
            continue
        ratio = distinct / filled if filled else 0.0
        score = (10.0 if hint else 0.0) + 3 * (1 - ratio) + (1.0 if avg_len <= 20 else 0.0)
        score -= 0.5 * numeric + (2.0 if distinct < 2 else 0.0)
        label_scores[name] = score
    label = max(label_scores, key=label_scores.__getitem__) if label_scores else None
    return text, label


# ------------------------------------------------------------------------ dispatch


def _read(p: Path, encoding: str | None, delimiter: str | None, sheet: str | None, header_row: int,
          max_rows: int | None, report: Throttle, cancel: CancelToken) -> LoadedTable:
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
        return _finish(p, table, "parquet", None, None, None, (), 0, warnings)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        _zip_kind(p)
        table, chosen, sheets = _read_xlsx(p, sheet, header_row, max_rows, report, cancel)
        return _finish(p, table, "xlsx", None, None, chosen, sheets, header_row, warnings)
    what = describe_binary(head[:65536])
    if what:
        raise TableReadError(f"{p.name}: is {what}")
    table, plan = _read_text(p, head, complete, size, encoding, delimiter, header_row, max_rows,
                             report, cancel, warnings)
    fmt = "tsv" if plan.delimiter == "\t" else "csv"
    return _finish(p, table, fmt, plan.codec, plan.delimiter, None, (), header_row, warnings)


def _finish(p: Path, table: pa.Table, fmt: str, encoding: str | None, delimiter: str | None,
            sheet: str | None, sheets: tuple[str, ...], header_row: int, warnings: list[str]) -> LoadedTable:
    if table.num_rows == 0:
        raise TableReadError(f"{p.name}: has a header row but no data rows")
    runs = _sample_runs(table.num_rows)
    text, label = _suggest({name: [v for a, b in runs for v in table.column(j).slice(a, b - a).to_pylist()]
                            for j, name in enumerate(table.column_names)})
    frame = table.to_pandas()
    info = TableInfo(path=p, format=fmt, encoding=encoding, delimiter=delimiter, sheet=sheet,
                     sheets=sheets, header_row=header_row, rows=len(frame),
                     columns=tuple(str(c) for c in frame.columns), text_column=text,
                     label_column=label, warnings=tuple(warnings))
    return LoadedTable(frame=frame, info=info)


def _open(path: Path) -> BinaryIO:
    """Open for reading; one place, so tests can simulate an unreadable file."""
    return open(path, "rb")


def _read_head(p: Path, n: int) -> tuple[bytes, bool]:
    """The first ``n`` bytes and whether that is the whole file; file-system errors -> one line."""
    try:
        if p.is_dir():  # checked first: on Windows opening a folder says "permission denied"
            raise TableReadError(f"{p.name or p}: is a folder, not a file")
        with _open(p) as f:
            head = f.read(n)
            return head, len(head) < n or not f.read(1)
    except FileNotFoundError:
        raise TableReadError(f"{p.name}: file not found") from None
    except PermissionError:
        raise TableReadError(f"{p.name}: permission denied (the file cannot be opened)") from None
    except OSError as exc:
        raise TableReadError(f"{p.name}: cannot be read ({exc.strerror or exc})") from None


def _short(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _unique_names(header: list[str]) -> tuple[str, ...]:
    """Blank names become "Column N"; repeats become "name (2)", "name (3)"."""
    raw = [h if h.strip() else f"Column {i + 1}" for i, h in enumerate(header)]
    if raw and raw[0].startswith("\ufeff"):
        raw[0] = raw[0][1:] or "Column 1"  # a BOM the chosen codec did not consume
    taken: set[str] = set()
    out = []
    for name in raw:
        unique, k = name, 1
        while unique in taken:
            k += 1
            unique = f"{name} ({k})"
        taken.add(unique)
        out.append(unique)
    return tuple(out)


# ---------------------------------------------------------------------- text files


def _read_text(p: Path, head: bytes, complete: bool, size: int, encoding: str | None,
               delimiter: str | None, header_row: int, max_rows: int | None, report: Throttle,
               cancel: CancelToken, warnings: list[str]) -> tuple[pa.Table, _TextPlan]:
    if encoding is None:
        codec, notes = detect_encoding(head, complete=complete)
        warnings.extend(notes)
    else:
        try:
            codec = canonical_codec(encoding)
        except LookupError:
            raise TableReadError(f"{p.name}: unknown encoding '{encoding}'") from None
        if codec == "utf-8" and bom_encoding(head)[0] == "utf-8-sig":
            codec = "utf-8-sig"  # a BOM is never content
    plan = _plan_text(p, head, complete, codec, delimiter, header_row)
    try:
        result = _arrow_csv(p, plan, size, max_rows, report, cancel)
    except _NotUtf8:
        with _open(p) as f:
            pos, line, utf8_before = first_bad_utf8(f, cancel)
        if encoding is None and not utf8_before:
            with _open(p) as f:
                f.seek(max(0, pos - 32768))
                window = f.read(65536)
            codec, notes = detect_legacy(window)
            warnings.extend(notes)
            warnings.append(f"the file is not UTF-8 (line {line} is not); it was read as {codec}")
            plan = _plan_text(p, head, complete, codec, delimiter, header_row)
        else:
            plan = replace(plan, transcode=True)
        result = _arrow_csv(p, plan, size, max_rows, report, cancel)
    # None: the fast path could not vouch for its answer; the slow reader reads or names the line.
    table, replaced = result or _python_csv(p, plan, size, max_rows, report, cancel, warnings)
    warnings.extend(_decode_warnings(plan, replaced))
    report(Progress(size, size, f"Read {p.name}"), force=True)
    return table, plan


def _plan_text(p: Path, head: bytes, complete: bool, codec: str, delimiter: str | None,
               header_row: int) -> _TextPlan:
    """Decode the sample, settle the delimiter and find the header (growing the sample if the
    header lies beyond it)."""
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise TableReadError(f"{p.name}: the delimiter must be one character other than a quote or line break")
    while True:
        text = decode_sample(head, codec, complete=complete)
        if complete and not text.strip(" \t\r\n\ufeff\x00"):
            raise TableReadError(f"{p.name}: the file is empty")
        delim = delimiter or detect_delimiter(text, complete=complete, skip_records=header_row) or next(
            (d for d in DELIMITER_CHOICES if d not in text), "\x1f")
        found, seen = _scan_sample(text, delim, header_row, complete)
        if found or complete:
            break
        head, complete = _read_head(p, len(head) * 4)
    if not found:
        raise TableReadError(f"{p.name}: there is no row {header_row + 1} to use as the header "
                             f"(the file has {seen} non-blank rows)")
    header, skip_lines, prefix_end, multiline = found
    replaced, control = suspicious_characters(text)
    passthrough = codec in ("utf-8", "utf-8-sig")
    return _TextPlan(codec=codec, transcode=not passthrough, delimiter=delim, names=_unique_names(header),
                     header_row=header_row, skip_lines=skip_lines, prefix_quotes=text[:prefix_end].count('"'),
                     multiline=multiline, line_break=b"\n" if "\n" in text else b"\r",
                     sample_replaced=replaced, sample_control=control)


def _scan_sample(text: str, delim: str, header_row: int,
                 complete: bool) -> tuple[tuple[list[str], int, int, bool] | None, int]:
    """Find the header record: (fields, physical lines up to its end, its end offset, whether
    the next records show quoted line breaks or blank lines), and the non-blank records seen."""
    buf = io.StringIO(text, newline="")
    reader = csv.reader(buf, delimiter=delim, quotechar='"')
    seen = 0
    try:
        for record in reader:
            if not record:
                continue
            if seen == header_row:
                end = buf.tell()
                if not complete and end >= len(text):
                    return None, seen  # the header may be cut by the end of the sample
                return (record, reader.line_num, end, _multiline(reader, buf, reader.line_num)), seen
            seen += 1
    except csv.Error:
        pass  # a quote problem: the slow reader will name its line
    return None, seen


def _multiline(reader: Any, buf: io.StringIO, first_line: int, limit: int = 65536) -> bool:
    """Do the records after the header (in the first 64K characters) span several lines?"""
    records = 0
    try:
        for record in reader:
            records += 1
            if not record or reader.line_num - first_line != records:
                return True  # a blank line, or a record over more than one line
            if buf.tell() > limit:
                break
    except csv.Error:
        return True
    return False


def _decode_warnings(plan: _TextPlan, replaced_total: int) -> list[str]:
    out = []
    replaced = max(plan.sample_replaced, replaced_total)
    if replaced:
        out.append(f"{replaced} character(s) could not be decoded as {plan.codec} and show as \ufffd; "
                   "if the text looks wrong, pick another encoding")
    if plan.sample_control:
        out.append(f"the text has {plan.sample_control} control character(s) when read as {plan.codec}; "
                   "if it looks wrong, pick another encoding")
    return out


def _arrow_csv(p: Path, plan: _TextPlan, size: int, max_rows: int | None, report: Throttle,
               cancel: CancelToken) -> tuple[pa.Table, int] | None:
    """The fast path: the table and how many characters were replaced by U+FFFD.

    None means "ask the slow reader" (it either reads the file or names the bad line).
    A whole file is read with ``newlines_in_values=False`` when the sample shows no multi-line
    records: pyarrow's quote-aware block splitter costs ~60% more on two cores. That mode
    silently drops or splits a record whose quoted line break falls on a block boundary, so
    its answer is only kept when every physical line became exactly one row and no block
    starts or ends with a value ending in a line break; otherwise the file is read again
    with ``newlines_in_values=True``.
    """
    if max_rows is None and not plan.multiline:
        outcome = _arrow_attempt(p, plan, size, None, False, report, cancel)
        if outcome is not None:
            table, stream, _ = outcome
            if (table.num_rows and _one_row_per_line(table, stream, plan)
                    and not _ends_in_open_quote(table, stream.tail)):
                return table, stream.replaced
    outcome = _arrow_attempt(p, plan, size, max_rows, True, report, cancel)
    if outcome is None:
        return None
    table, stream, stopped = outcome
    if table.num_rows == 0:
        return None  # the slow reader tells "no data rows" from "unterminated quote in the header"
    if any("\r" in value for value in _edge_values(table)):
        # pyarrow (26) drops the "\n" of a quoted "\r\n" split by a block boundary; the
        # damaged value is always the first or last of a block and still holds the "\r".
        return None
    if not stopped and ((stream.quotes - plan.prefix_quotes) % 2 or _ends_in_open_quote(table, stream.tail)):
        # pyarrow accepts a quote that is never closed and swallows what follows into one
        # cell; an odd number of quotes, or a last cell that runs to the end of the file,
        # sends the file to the slow reader, which names the line.
        return None
    return table, stream.replaced


def _arrow_attempt(p: Path, plan: _TextPlan, size: int, max_rows: int | None, multiline: bool,
                   report: Throttle, cancel: CancelToken) -> tuple[pa.Table, Utf8Stream, bool] | None:
    """One pyarrow read: (table, stream, stopped early), or None when pyarrow gave up."""
    stream = Utf8Stream(_open(p), plan.codec if plan.transcode else None, cancel, line_break=plan.line_break)
    names = list(plan.names)
    read_opts = pacsv.ReadOptions(block_size=BLOCK_BYTES, skip_rows=plan.skip_lines, column_names=names)
    parse_opts = pacsv.ParseOptions(delimiter=plan.delimiter, quote_char='"', double_quote=True,
                                    escape_char=False, newlines_in_values=multiline, ignore_empty_lines=True)
    convert_opts = pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                        strings_can_be_null=False, quoted_strings_can_be_null=False)
    message = f"Reading {p.name}"
    stopped = False
    try:
        if max_rows is None:
            # The whole file: pyarrow's threaded reader, run on a helper thread so this one can
            # report progress and notice a cancel (the stream then fails the next read).
            table = _in_thread(lambda: pacsv.read_csv(stream, read_options=read_opts, parse_options=parse_opts,
                                                      convert_options=convert_opts),
                               lambda: report(Progress(min(stream.bytes_read, size), size, message)))
        else:
            # A preview: the streaming reader, stopped after enough rows.
            reader = pacsv.open_csv(stream, read_options=read_opts, parse_options=parse_opts,
                                    convert_options=convert_opts)
            batches, rows = [], 0
            for batch in reader:
                cancel.raise_if_cancelled()
                batches.append(batch)
                rows += batch.num_rows
                report(Progress(min(stream.bytes_read, size), size, message))
                if rows >= max_rows:
                    stopped = True
                    break
            table = pa.Table.from_batches(batches, schema=reader.schema).slice(0, max_rows)
    except pa.ArrowException as exc:
        cancel.raise_if_cancelled()
        if "invalid UTF8" in str(exc) and not plan.transcode:
            raise _NotUtf8() from exc
        return None  # ragged row, quote trouble, a row longer than a block: the slow reader decides
    finally:
        stream.close()
    cancel.raise_if_cancelled()
    return table, stream, stopped


def _in_thread(work: Any, tick: Any, interval: float = 0.1) -> Any:
    """Run ``work()`` on a helper thread, calling ``tick()`` here every ``interval`` seconds."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread below
            box["error"] = exc

    helper = threading.Thread(target=run, name="bertdesk-read-csv", daemon=True)
    helper.start()
    while helper.is_alive():
        helper.join(interval)
        tick()
    if "error" in box:
        raise box["error"]
    return box["result"]


def _one_row_per_line(table: pa.Table, stream: Utf8Stream, plan: _TextPlan) -> bool:
    """Did every physical line after the header become exactly one row (see _arrow_csv)?"""
    content = stream.tail.rstrip(b"\r\n")
    lines = stream.line_breaks - stream.tail[len(content):].count(plan.line_break) + (1 if content else 0)
    if table.num_rows + plan.skip_lines != lines:
        return False
    return not any(value.endswith(("\n", "\r")) for value in _edge_values(table))


def _edge_values(table: pa.Table) -> list[str]:
    """The values of the first and last row of every block pyarrow parsed."""
    values = []
    for column in table.columns:
        for chunk in column.chunks:
            if len(chunk):
                values += [chunk[0].as_py(), chunk[len(chunk) - 1].as_py()]
    return values


def _ends_in_open_quote(table: pa.Table, tail: bytes) -> bool:
    last = table.column(table.num_columns - 1)[table.num_rows - 1].as_py() or ""
    opened = ('"' + last.replace('"', '""')).encode("utf-8")
    if len(opened) >= len(tail) and len(tail) == Utf8Stream.TAIL:
        return True  # too long to check here; let the slow reader decide
    return tail.endswith(opened)


def _python_csv(p: Path, plan: _TextPlan, size: int, max_rows: int | None, report: Throttle,
                cancel: CancelToken, warnings: list[str]) -> tuple[pa.Table, int]:
    """The slow path: pads short rows, names the line of a row it cannot take.

    Quoting is as lenient as pyarrow's (text after a closing quote is kept: ``"x"y`` -> xy),
    so both paths read a file the same way; a quote still open at the end of the file is an
    error. Returns the table and how many characters were replaced by U+FFFD.
    """
    name, ncols = p.name, len(plan.names)
    columns: list[list[str]] = [[] for _ in range(ncols)]
    seen, rows, padded, first_padded = -1, 0, 0, 0
    python_codec = "utf-8-sig" if plan.codec == "utf-8" else plan.codec
    message = f"Reading {name}"
    last_start, last_lines, stopped = 0, [], False
    with _open(p) as raw:
        lines = _LineTracker(io.TextIOWrapper(raw, encoding=python_codec, errors="replace", newline=""))
        reader = csv.reader(lines, delimiter=plan.delimiter, quotechar='"', doublequote=True)
        while True:
            start = reader.line_num + 1
            lines.record = []
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise TableReadError(f"{name}: line {start}: {exc}") from None
            if not record:
                continue
            last_start, last_lines = start, lines.record
            seen += 1
            if seen <= plan.header_row:
                continue
            if len(record) > ncols:
                raise TableReadError(f"{name}: line {start} has {len(record)} fields but the header has {ncols}")
            if len(record) < ncols:
                padded += 1
                first_padded = first_padded or start
                record.extend([""] * (ncols - len(record)))
            for column, value in zip(columns, record):
                column.append(value)
            rows += 1
            if rows % 4096 == 0:
                cancel.raise_if_cancelled()
                report(Progress(min(raw.tell(), size), size, message))
            if max_rows is not None and rows >= max_rows:
                stopped = True
                break
    if not stopped and _open_at_end("".join(last_lines), plan.delimiter):
        raise TableReadError(f"{name}: line {last_start}: a quoted field is never closed (unterminated quote)")
    if padded:
        warnings.append(f"{padded} row(s) had fewer fields than the header and were padded with empty "
                        f"cells (first on line {first_padded})")
    table = pa.table([pa.array(c, type=pa.string()) for c in columns], names=list(plan.names))
    replaced = sum(pc.sum(pc.count_substring(c, "\ufffd")).as_py() or 0 for c in table.columns)
    return table, replaced


class _LineTracker:
    """Iterates a text file's lines for csv.reader, keeping those of the current record."""

    def __init__(self, lines: io.TextIOWrapper) -> None:
        self._lines = lines
        self.record: list[str] = []

    def __iter__(self) -> _LineTracker:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.record.append(line)
        return line


def _open_at_end(record_text: str, delimiter: str) -> bool:
    """Does this (last) record end inside a quoted field? A lenient reader takes everything
    to the end of the file as that field's text; a strict one says so."""
    try:
        list(csv.reader(io.StringIO(record_text, newline=""), delimiter=delimiter, quotechar='"', strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


# -------------------------------------------------------------------------- workbooks


def _zip_kind(p: Path) -> None:
    """Raise unless the ZIP file is an Excel workbook."""
    try:
        with zipfile.ZipFile(p) as z:
            members = set(z.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise TableReadError(f"{p.name}: the workbook is damaged or incomplete ({_short(exc)})") from None
    if "xl/workbook.xml" in members or "xl/workbook.bin" in members:
        return
    if "content.xml" in members:
        raise TableReadError(f"{p.name}: OpenDocument spreadsheets are not supported; save it as .xlsx or CSV")
    if "word/document.xml" in members:
        raise TableReadError(f"{p.name}: is a Word document, not a table")
    raise TableReadError(f"{p.name}: is a ZIP archive, not a spreadsheet")


def _open_workbook(p: Path) -> tuple[Any, tuple[str, ...]]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        book = CalamineWorkbook.from_path(str(p))
        sheets = tuple(m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet)
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
        raise TableReadError(f"{p.name}: the workbook is damaged or not a valid .xlsx file ({_short(exc)})") from None
    if not sheets:
        raise TableReadError(f"{p.name}: the workbook has no worksheets")
    return book, sheets


def _read_xlsx(p: Path, sheet: str | None, header_row: int, max_rows: int | None, report: Throttle,
               cancel: CancelToken) -> tuple[pa.Table, str, tuple[str, ...]]:
    book, sheets = _open_workbook(p)
    chosen = sheets[0] if sheet is None else sheet
    if chosen not in sheets:
        raise TableReadError(f"{p.name}: there is no sheet named '{sheet}' (sheets: {', '.join(sheets)})")
    message = f"Reading {p.name} ({chosen})"
    try:
        # calamine parses the whole sheet here (it cannot stream); cancel is checked after.
        ws = book.get_sheet_by_name(chosen)
        total = ws.height
        header: list[Any] | None = None
        data: list[list[Any]] = []
        seen = 0
        for i, row in enumerate(ws.iter_rows()):
            if i % 4096 == 0:
                cancel.raise_if_cancelled()
                report(Progress(i, total, message))
            if row.count("") == len(row):
                continue  # blank rows are skipped, as blank lines are in text files
            if header is None:
                if seen == header_row:
                    header = row
                seen += 1
                continue
            data.append(row)
            if max_rows is not None and len(data) >= max_rows:
                break
    except (Cancelled, TableReadError):
        raise
    except Exception as exc:  # noqa: BLE001
        raise TableReadError(f"{p.name}: sheet '{chosen}' could not be read; the workbook may be damaged "
                             f"({_short(exc)})") from None
    cancel.raise_if_cancelled()
    if header is None:
        if seen == 0:
            raise TableReadError(f"{p.name}: sheet '{chosen}' is empty")
        raise TableReadError(f"{p.name}: there is no row {header_row + 1} to use as the header "
                             f"(sheet '{chosen}' has {seen} non-blank rows)")
    names = [_cell_text(v) for v in header]
    columns = [list(c) for c in zip(*data)] if data else [[] for _ in names]
    keep = [j for j, n in enumerate(names) if n.strip() or any(v != "" for v in columns[j])]
    if not keep:
        raise TableReadError(f"{p.name}: sheet '{chosen}' is empty")
    # Cells already text stay as they are (the common case, and cheap); the rest are formatted.
    arrays = [pa.array([v if type(v) is str else _cell_text(v) for v in columns[j]], type=pa.string()) for j in keep]
    report(Progress(total, total, message), force=True)
    return pa.table(arrays, names=list(_unique_names([names[j] for j in keep]))), chosen, sheets


def _cell_text(value: Any) -> str:
    """A cell as Excel shows it with the General format, as far as the stored value allows.

    Whole numbers lose the ".0" (3.0 -> "3"); other numbers keep up to 15 significant digits,
    as Excel does (0.1+0.2 -> "0.3"); booleans are "TRUE"/"FALSE"; dates are ISO
    ("2024-01-05", with " 13:45:07" when there is a time). Cell formats (percent, currency,
    thousands separators) are not applied: 25% comes out as "0.25".
    """
    kind = type(value)
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is float:
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"
    if kind is int:
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if not value.microsecond else "auto")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


# ---------------------------------------------------------------------------- parquet


def _read_parquet(p: Path, max_rows: int | None, report: Throttle, cancel: CancelToken) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(p)
        total = pf.metadata.num_rows
        batches, rows = [], 0
        for batch in pf.iter_batches(batch_size=65536):
            cancel.raise_if_cancelled()
            batches.append(batch)
            rows += batch.num_rows
            report(Progress(rows, total, f"Reading {p.name}"))
            if max_rows is not None and rows >= max_rows:
                break
        report(Progress(total, total, f"Read {p.name}"), force=True)
        table = pa.Table.from_batches(batches) if batches else pf.schema_arrow.empty_table()
    except Cancelled:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow raises OSError/ArrowInvalid/... for damage
        raise TableReadError(f"{p.name}: the Parquet file is damaged or unreadable ({_short(exc)})") from None
    if max_rows is not None:
        table = table.slice(0, max_rows)
    keep = [i for i, n in enumerate(table.column_names) if not n.startswith("__index_level_")]
    arrays = [_arrow_text(table.column(i)) for i in keep]
    names = _unique_names([table.column_names[i] for i in keep])
    if not names:
        raise TableReadError(f"{p.name}: the Parquet file has no columns")
    return pa.table(arrays, names=list(names))


def _arrow_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """A Parquet column as text; nulls (and float NaN) become ""."""
    kind = col.type
    if pa.types.is_dictionary(kind):
        col = col.cast(kind.value_type)
        kind = col.type
    try:
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            out = col
        elif pa.types.is_timestamp(kind):
            seconds = pc.cast(col, pa.timestamp("s", kind.tz), safe=False)
            out = pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
            if pc.all(pc.ends_with(out, " 00:00:00")).as_py():
                out = pc.utf8_slice_codeunits(out, 0, 10)
        elif pa.types.is_floating(kind):
            out = pc.cast(pc.if_else(pc.is_nan(col), None, col), pa.string())
        elif (pa.types.is_integer(kind) or pa.types.is_decimal(kind) or pa.types.is_boolean(kind)
              or pa.types.is_date(kind) or pa.types.is_time(kind)):
            out = pc.cast(col, pa.string())
        else:
            out = pc.cast(col, pa.string())  # binary that is valid UTF-8; anything else falls back
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        out = pa.chunked_array([pa.array(["" if v is None else _cell_text(v) for v in col.to_pylist()],
                                         type=pa.string())])
    return pc.fill_null(out, "")


# ------------------------------------------------------------------------ suggestions

_TEXT_HINTS = ("text", "review", "comment", "sentence", "content", "body", "message", "description",
               "tweet", "feedback", "utterance", "document", "abstract", "summary")
_LABEL_HINTS = ("label", "labels", "class", "category", "categories", "sentiment", "target", "tag",
                "tags", "topic", "intent", "y", "gold", "annotation")


def _has_hint(name: str, hints: tuple[str, ...]) -> bool:
    words = "".join(ch.lower() if ch.isalnum() else " " for ch in name).split()
    return any(w in hints for w in words)


def _column_stats(values: list[str]) -> tuple[int, int, float, float]:
    """(filled cells, distinct filled values, average length, fraction numeric)."""
    filled = [v for v in values if v != ""]
    if not filled:
        return 0, 0, 0.0, 0.0
    numeric = sum(1 for v in filled if looks_numeric(v)) / len(filled)
    return len(filled), len(set(filled)), sum(map(len, filled)) / len(filled), numeric
