"""Read delimited text files (CSV/TSV/TXT) into arrow tables of text.

The fast path is pyarrow's multi-threaded CSV reader (:func:`_arrow_csv`); when it cannot
vouch for its answer the file is read again with Python's ``csv`` module
(:func:`_python_csv`), which pads short rows and names the line of a real error. See
:mod:`bertdesk.core.tables.reading` for the whole picture.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from bertdesk.core.errors import TableReadError
from bertdesk.core.progress import CancelToken, Progress, Throttle
from bertdesk.core.tables import rawfile
from bertdesk.core.tables.columns import _unique_names, detect_header_row, header_note, unnamed_columns
from bertdesk.core.tables.encoding import (
    DELIMITER_CHOICES,
    bom_encoding,
    canonical_codec,
    decode_sample,
    detect_delimiter,
    detect_encoding,
    detect_legacy,
    suspicious_characters,
)
from bertdesk.core.tables.rawfile import _read_head
from bertdesk.core.tables.textstream import Utf8Stream, first_bad_utf8

BLOCK_BYTES = 1 << 20  # pyarrow block: a few ms of parsing, so cancel is checked often

# Excel cells hold up to 32,767 characters, but other tools write longer quoted text; the
# csv module's default 128 KiB limit would turn such files into errors. Only ever raised.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))


@dataclass(frozen=True)
class _TextPlan:
    codec: str  # Python codec for the file's bytes
    transcode: bool  # False: pyarrow reads the bytes as they are (UTF-8)
    delimiter: str
    names: tuple[str, ...]
    unnamed: tuple[int, ...]  # columns whose header cell was blank (or pandas' "Unnamed: N")
    header_row: int  # the header among the non-blank records, not counting a "sep=" line
    skip_records: int  # non-blank records before the header, the "sep=" line included
    skip_lines: int  # physical lines up to and including the header (pyarrow's skip_rows)
    prefix_quotes: int  # '"' characters in those lines (for the quote-parity check)
    multiline: bool  # the sample has quoted line breaks or blank lines
    line_break: bytes  # b"\n", or b"\r" for old-Mac files
    sample_replaced: int  # U+FFFD in the decoded sample
    sample_control: int  # control characters in the decoded sample


class _NotUtf8(Exception):
    """pyarrow met bytes that are not UTF-8 past the sample the encoding was detected on."""


# ---------------------------------------------------------------------- text files


def _read_text(
    p: Path,
    head: bytes,
    complete: bool,
    size: int,
    encoding: str | None,
    delimiter: str | None,
    header_row: int | None,
    max_rows: int | None,
    report: Throttle,
    cancel: CancelToken,
    warnings: list[str],
) -> tuple[pa.Table, _TextPlan]:
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
        with rawfile._open(p) as f:
            pos, line, utf8_before = first_bad_utf8(f, cancel)
        if encoding is None and not utf8_before:
            with rawfile._open(p) as f:
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
    if header_row is None and plan.header_row:
        warnings.append(header_note(plan.header_row))
    warnings.extend(_decode_warnings(plan, replaced))
    report(Progress(size, size, f"Read {p.name}"), force=True)
    return table, plan


def _plan_text(p: Path, head: bytes, complete: bool, codec: str, delimiter: str | None, header_row: int | None) -> _TextPlan:
    """Decode the sample, settle the delimiter and find the header (growing the sample if the
    header lies beyond it). ``header_row=None``: find the header row (past a title preamble)."""
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise TableReadError(f"{p.name}: the delimiter must be one character other than a quote or line break")
    while True:
        text = decode_sample(head, codec, complete=complete)
        if complete and not text.strip(" \t\r\n\ufeff\x00"):
            raise TableReadError(f"{p.name}: the file is empty")
        hint = delimiter_hint(text)
        hinted = 1 if hint else 0  # the "sep=" line is skipped like a row above the header
        delim = (
            delimiter
            or hint
            or detect_delimiter(text, complete=complete, skip_records=hinted + (header_row or 0))
            or next((d for d in DELIMITER_CHOICES if d not in text), "\x1f")
        )
        row = header_row
        if row is None:
            row = detect_header_row(_first_records(text, delim, hinted, complete))
            if row and delimiter is None and hint is None:
                delim = detect_delimiter(text, complete=complete, skip_records=row) or delim
        found, seen = _scan_sample(text, delim, hinted + row, complete)
        if found or complete:
            break
        head, complete = _read_head(p, len(head) * 4)
    if not found:
        raise TableReadError(
            f"{p.name}: there is no row {row + 1} to use as the header (the file has {max(0, seen - hinted)} non-blank rows)"
        )
    header, skip_lines, prefix_end, multiline = found
    replaced, control = suspicious_characters(text)
    passthrough = codec in ("utf-8", "utf-8-sig")
    return _TextPlan(
        codec=codec,
        transcode=not passthrough,
        delimiter=delim,
        names=_unique_names(header),
        unnamed=unnamed_columns(header),
        header_row=row,
        skip_records=hinted + row,
        skip_lines=skip_lines,
        prefix_quotes=text[:prefix_end].count('"'),
        multiline=multiline,
        line_break=b"\n" if "\n" in text else b"\r",
        sample_replaced=replaced,
        sample_control=control,
    )


# Excel's delimiter hint: a first line "sep=;" (written by Excel and by tools aiming at it).
_SEP_HINT = re.compile('\ufeff?sep=([^"\r\n])(?:\r\n|\n|\r|$)', re.IGNORECASE)


def delimiter_hint(text: str) -> str | None:
    """The delimiter named by a "sep=X" first line of the decoded ``text``, else None."""
    match = _SEP_HINT.match(text)
    return match.group(1) if match else None


def _first_records(text: str, delim: str, skip: int, complete: bool, limit: int = 40) -> list[list[str]]:
    """The first non-blank records of the sample, after ``skip`` of them (for header detection)."""
    reader = csv.reader(io.StringIO(text[:262144], newline=""), delimiter=delim, quotechar='"')
    records: list[list[str]] = []
    try:
        for record in reader:
            if record:
                records.append(record)
                if len(records) >= skip + limit:
                    return records[skip:]
    except csv.Error:
        pass  # a quote problem: the rows so far still say enough
    if not complete or len(text) > 262144:
        records = records[:-1]  # the last record may be cut short by the sample's end
    return records[skip:]


def _scan_sample(text: str, delim: str, header_row: int, complete: bool) -> tuple[tuple[list[str], int, int, bool] | None, int]:
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
        out.append(
            f"{replaced} character(s) could not be decoded as {plan.codec} and show as \ufffd; "
            "if the text looks wrong, pick another encoding"
        )
    if plan.sample_control:
        out.append(
            f"the text has {plan.sample_control} control character(s) when read as {plan.codec}; if it looks wrong, pick another encoding"
        )
    return out


def _arrow_csv(
    p: Path, plan: _TextPlan, size: int, max_rows: int | None, report: Throttle, cancel: CancelToken
) -> tuple[pa.Table, int] | None:
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
            if table.num_rows and _one_row_per_line(table, stream, plan) and not _ends_in_open_quote(table, stream.tail):
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


def arrow_csv_options(
    plan: _TextPlan, block_size: int, multiline: bool
) -> tuple[pacsv.ReadOptions, pacsv.ParseOptions, pacsv.ConvertOptions]:
    """pyarrow's CSV options for ``plan``: every column as text, exactly as written (the whole-file
    read here and the chunked read of core.tables.chunked read the same way)."""
    names = list(plan.names)
    read_opts = pacsv.ReadOptions(block_size=block_size, skip_rows=plan.skip_lines, column_names=names)
    parse_opts = pacsv.ParseOptions(
        delimiter=plan.delimiter,
        quote_char='"',
        double_quote=True,
        escape_char=False,
        newlines_in_values=multiline,
        ignore_empty_lines=True,
    )
    convert_opts = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    return read_opts, parse_opts, convert_opts


def _arrow_attempt(
    p: Path, plan: _TextPlan, size: int, max_rows: int | None, multiline: bool, report: Throttle, cancel: CancelToken
) -> tuple[pa.Table, Utf8Stream, bool] | None:
    """One pyarrow read: (table, stream, stopped early), or None when pyarrow gave up."""
    stream = Utf8Stream(rawfile._open(p), plan.codec if plan.transcode else None, cancel, line_break=plan.line_break)
    read_opts, parse_opts, convert_opts = arrow_csv_options(plan, BLOCK_BYTES, multiline)
    message = f"Reading {p.name}"
    stopped = False
    try:
        if max_rows is None:
            # The whole file: pyarrow's threaded reader, run on a helper thread so this one can
            # report progress and notice a cancel (the stream then fails the next read).
            table = _in_thread(
                lambda: pacsv.read_csv(stream, read_options=read_opts, parse_options=parse_opts, convert_options=convert_opts),
                lambda: report(Progress(min(stream.bytes_read, size), size, message)),
            )
        else:
            # A preview: the streaming reader, stopped after enough rows.
            reader = pacsv.open_csv(stream, read_options=read_opts, parse_options=parse_opts, convert_options=convert_opts)
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
    lines = stream.line_breaks - stream.tail[len(content) :].count(plan.line_break) + (1 if content else 0)
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


def _python_csv(
    p: Path, plan: _TextPlan, size: int, max_rows: int | None, report: Throttle, cancel: CancelToken, warnings: list[str]
) -> tuple[pa.Table, int]:
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
    with rawfile._open(p) as raw:
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
            if seen <= plan.skip_records:
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
        warnings.append(f"{padded} row(s) had fewer fields than the header and were padded with empty cells (first on line {first_padded})")
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
