"""Read a CSV/TSV or Parquet file a chunk of rows at a time, so a file bigger than memory can be
predicted with flat memory.

The file is *understood* exactly as :func:`~bertdesk.core.tables.reading.read_table` would
(encoding, delimiter, header row past a preamble, column names, suggested text column, column
types): that is read from its first rows. Then the rows are *read* in batches:
``pyarrow.csv.open_csv`` (the same parse options as the in-memory reader, quoted line breaks
allowed) or ``pyarrow.parquet.ParquetFile.iter_batches``. Every cell comes back as the text
the in-memory reader gives (Parquet values through the same conversion), missing cells ``""``.

What differs from the in-memory reader, because a stream cannot look ahead:

* a column without a name (blank header, ``Unnamed: 5``) is kept even when it is empty
  (the in-memory reader leaves such a column out only after seeing every row of it);
* a row pyarrow cannot parse (a ragged row) is an error naming the file, not a padded row;
  a file that is not in the detected encoding past its first megabyte is an error too.

Empty rows at the very end are still left out: they are held back until a filled row follows.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from bertdesk.core.errors import Cancelled, TableReadError
from bertdesk.core.progress import CancelToken
from bertdesk.core.tables import rawfile
from bertdesk.core.tables.column_types import arrow_type
from bertdesk.core.tables.columns import _unique_names
from bertdesk.core.tables.delimited import _plan_text, _TextPlan, arrow_csv_options
from bertdesk.core.tables.rawfile import _read_head, _short
from bertdesk.core.tables.reading import SAMPLE_BYTES, read_table
from bertdesk.core.tables.textstream import Utf8Stream
from bertdesk.core.tables.workbook import _arrow_text

if TYPE_CHECKING:
    import pandas as pd

CHUNK_ROWS = 50_000  # rows per chunk: ~10-30 MB of text for short rows, a few seconds of work
SAMPLE_ROWS = 10_000  # rows read up front to understand the file (columns, text column)
_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class ChunkedTable:
    """What :func:`open_chunks` learnt about a file before reading its rows.

    Attributes:
        path: the file.
        format: ``csv``, ``tsv`` or ``parquet``.
        columns: the column names, as the chunks carry them.
        column_types: one per column (``"text"`` for CSV; from the schema for Parquet).
        text_column: the suggested text column (from the first rows), or None.
        total_rows: data rows in the file when known up front (Parquet metadata), else None.
        total_bytes: the file's size (progress for CSV goes by bytes read).
        warnings: notes from reading the first rows (a doubtful encoding, a skipped title...).
    """

    path: Path
    format: str
    columns: tuple[str, ...]
    column_types: tuple[str, ...]
    text_column: str | None
    total_rows: int | None
    total_bytes: int
    warnings: tuple[str, ...]
    plan: _TextPlan | None = None  # how a text file is parsed (None for Parquet)


def can_stream(path: str | Path) -> bool:
    """True for files :func:`open_chunks` reads in chunks: Parquet and delimited text (not workbooks)."""
    from bertdesk.core.tables.encoding import describe_binary
    from bertdesk.core.tables.workbook import workbook_kind

    p = Path(path)
    try:
        head, _ = _read_head(p, 65536)
    except OSError:
        return False
    if not head:
        return False
    if head.startswith(b"PAR1"):
        return True
    return workbook_kind(p, head) is None and describe_binary(head) is None


def open_chunks(path: str | Path, *, header_row: int | None = None, cancel: CancelToken | None = None) -> ChunkedTable:
    """Understand ``path`` from its first rows, ready for :func:`iter_chunks`.

    Raises:
        TableReadError: the file cannot be read (see :func:`~bertdesk.core.tables.reading.read_table`),
            or is a workbook (read those whole).
    """
    p = Path(path)
    if not can_stream(p):
        raise TableReadError(f"{p.name}: only CSV/TSV text and Parquet files can be read in chunks")
    sample = read_table(p, header_row=header_row, max_rows=SAMPLE_ROWS, cancel=cancel)
    info = sample.info
    size = p.stat().st_size
    if info.format == "parquet":
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(p)
            schema = pf.schema_arrow
            total: int | None = pf.metadata.num_rows
        except Exception as exc:  # noqa: BLE001 - read_table has just read it; damage past the sample
            raise TableReadError(f"{p.name}: the Parquet file is damaged or unreadable ({_short(exc)})") from None
        keep = [f for f in schema if not f.name.startswith("__index_level_")]
        names = _unique_names([f.name for f in keep])
        types = tuple(arrow_type(f.type) for f in keep)
        return ChunkedTable(p, "parquet", names, types, info.text_column, total, size, info.warnings)
    head, complete = _read_head(p, SAMPLE_BYTES)
    assert info.encoding is not None  # a text file always has one
    plan = _plan_text(p, head, complete, info.encoding, info.delimiter, info.header_row)
    names = tuple(plan.names)
    return ChunkedTable(p, info.format, names, ("text",) * len(names), info.text_column, None, size, info.warnings, plan)


class ChunkReader:
    """Iterate the rows of a :class:`ChunkedTable` as pandas frames of text, ``chunk_rows`` at a time.

    :attr:`rows_read` rows have been parsed from the first :attr:`bytes_read` bytes (CSV; an
    estimate of the total rows for progress).
    """

    def __init__(self, table: ChunkedTable, *, chunk_rows: int = CHUNK_ROWS, cancel: CancelToken | None = None) -> None:
        self.table = table
        self.chunk_rows = max(1, int(chunk_rows))
        self.cancel = cancel if cancel is not None else CancelToken()
        self.bytes_read = 0
        self.rows_read = 0
        self.empty_rows_dropped = 0

    def __iter__(self) -> Iterator[pd.DataFrame]:
        name = self.table.path.name
        try:
            batches = self._parquet_batches() if self.table.format == "parquet" else self._csv_batches()
            yield from self._frames(self._rechunk(batches))
        except (TableReadError, Cancelled):
            raise
        except MemoryError as exc:
            raise TableReadError(f"{name}: not enough memory to read a chunk of {self.chunk_rows:,} rows") from exc
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            raise TableReadError(f"{name}: could not be read in chunks ({_short(exc)})", detail=traceback.format_exc()) from exc

    # -- sources of arrow tables of text, in file order

    def _parquet_batches(self) -> Iterator[pa.Table]:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(self.table.path)
        keep = [i for i, f in enumerate(pf.schema_arrow) if not f.name.startswith("__index_level_")]
        names = list(self.table.columns)
        for batch in pf.iter_batches(batch_size=self.chunk_rows):
            self.cancel.raise_if_cancelled()
            part = pa.Table.from_batches([batch])
            self.rows_read += part.num_rows
            yield pa.table([_arrow_text(part.column(i)) for i in keep], names=names)

    def _csv_batches(self) -> Iterator[pa.Table]:
        import pyarrow.csv as pacsv

        plan = self.table.plan
        assert plan is not None
        stream = Utf8Stream(rawfile._open(self.table.path), plan.codec if plan.transcode else None, self.cancel, line_break=plan.line_break)
        try:
            read_opts, parse_opts, convert_opts = arrow_csv_options(plan, _BLOCK_BYTES, multiline=True)
            reader = pacsv.open_csv(stream, read_options=read_opts, parse_options=parse_opts, convert_options=convert_opts)
            for batch in reader:
                self.cancel.raise_if_cancelled()
                self.bytes_read = min(stream.bytes_read, self.table.total_bytes)
                self.rows_read += batch.num_rows
                yield pa.Table.from_batches([batch])
        except pa.ArrowException as exc:
            self.cancel.raise_if_cancelled()
            raise TableReadError(f"{self.table.path.name}: could not be read in chunks ({_short(exc)})") from None
        finally:
            stream.close()
        if (stream.quotes - plan.prefix_quotes) % 2:
            # pyarrow accepts a quote that is never closed and swallows the rest into one cell.
            raise TableReadError(f"{self.table.path.name}: a quote is opened and never closed; the file was not read whole")
        self.bytes_read = self.table.total_bytes

    # -- regrouping

    def _rechunk(self, tables: Iterator[pa.Table]) -> Iterator[pa.Table]:
        """``chunk_rows`` rows at a time; empty rows at the end are held back until a filled row follows."""
        pending: list[pa.Table] = []
        rows = 0
        for table in tables:
            pending.append(table)
            rows += table.num_rows
            while rows >= self.chunk_rows:
                whole = pa.concat_tables(pending)
                head, rest = whole.slice(0, self.chunk_rows), whole.slice(self.chunk_rows)
                yield head
                pending, rows = [rest], rest.num_rows
        if rows:
            yield pa.concat_tables(pending)

    def _frames(self, tables: Iterator[pa.Table]) -> Iterator[pd.DataFrame]:
        held: pa.Table | None = None  # trailing empty rows, waiting for a filled row or the end
        for table in tables:
            if held is not None:
                table = pa.concat_tables([held, table])
                held = None
            empty = _trailing_empty(table)
            if empty:
                held = table.slice(table.num_rows - empty)
                table = table.slice(0, table.num_rows - empty)
            if table.num_rows:
                yield table.to_pandas()
        if held is not None:
            self.empty_rows_dropped = held.num_rows


def _trailing_empty(table: pa.Table) -> int:
    """How many rows at the end of ``table`` have every cell empty."""
    if table.num_rows == 0 or table.num_columns == 0:
        return 0
    filled = None
    for column in table.columns:
        has = pc.not_equal(pc.binary_length(column), 0)
        filled = has if filled is None else pc.or_(filled, has)
    assert filled is not None
    flags = filled.to_numpy(zero_copy_only=False)
    hits = flags.nonzero()[0]
    return int(table.num_rows) if len(hits) == 0 else int(table.num_rows) - 1 - int(hits[-1])
