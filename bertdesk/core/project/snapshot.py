"""The project's data snapshot: the imported table, as Arrow record batches stored as blobs.

Layout (schema version 3): table ``chunks`` holds one row per run of :data:`CHUNK_ROWS`
consecutive data rows: ``id`` (0, 1, ...), ``first_row`` (the row id of its first row),
``row_count`` and ``data``, an Arrow IPC *stream* (schema + one record batch) whose columns
``c0..cN`` are strings in the project's column order; the column *names* live in ``meta``. A
project always has at least one chunk (an empty table has one chunk of 0 rows), so the column
count can be checked against ``meta`` on every open. Any Arrow tool reads a chunk as it is.

Why blobs of a few thousand rows rather than one SQLite row per data row (schema 2's ``rows``
table): a million rows are written in ~0.3 s straight from the table pyarrow read (no Python
string per cell, no SQL statement per row), while a page of the Data panel still needs one
blob (~0.2 ms to read, check and decode a 2048-row chunk; a small cache of decoded chunks makes
scrolling nearby pages free) and a text search decodes the chunks one after another.

Nothing here is trusted on reading: a blob that is not an Arrow stream, has the wrong shape or
holds invalid data (offsets, UTF-8) raises a one-line :class:`ProjectError` naming the chunk,
never a crash inside Arrow.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bertdesk.core.errors import Cancelled, ProjectError
from bertdesk.core.progress import CancelToken

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# Rows per chunk. Measured on 1M rows of ~115 bytes (3 columns, a busy 2-core machine), a
# random 256-row page read uncached: 4096 rows (~0.5 MB a chunk) ~0.8 ms, 2048 ~0.5 ms, 1024
# ~0.5 ms; reading every text took 0.55 / 0.40 / 0.79 s. Below ~2048 the per-blob costs
# (writing, scanning) grow while pages get no faster: reading, validating and decoding the
# blob is then no longer what a page costs.
CHUNK_ROWS = 2048
# Decoded chunks kept in memory for page reads (~0.25 MB each for ~115-byte rows).
CACHED_CHUNKS = 16

CHUNKS_TABLE = "CREATE TABLE chunks (id INTEGER PRIMARY KEY, first_row INTEGER NOT NULL, row_count INTEGER NOT NULL, data BLOB NOT NULL)"


def column_name(position: int) -> str:
    """Name of the snapshot column at ``position`` inside a chunk (``c0``, ``c1``...)."""
    return f"c{position}"


# -- writing ---------------------------------------------------------------------------------
def column_strings(series: pd.Series) -> list[str]:
    """One DataFrame column as a list of ``str``; missing values become ``""``."""
    import pandas as pd

    mask = series.isna()
    has_missing = bool(mask.any())
    if has_missing:
        series = series.astype(object).where(~mask, "")
    values: list[str] = series.tolist()
    # A pandas string column without missing values holds nothing but str: skip the scan.
    if has_missing or not isinstance(series.dtype, pd.StringDtype):
        if not all(type(value) is str for value in values):
            values = [value if type(value) is str else str(value) for value in values]
    return values


def frame_columns(frame: pd.DataFrame) -> list[pa.ChunkedArray]:
    """Each column of ``frame`` as Arrow strings, missing values as ``""``.

    A column pandas already keeps in Arrow (``read_table``'s string columns) is taken as it
    is, without a copy; any other column goes through ``str()`` cell by cell.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    out: list[pa.ChunkedArray] = []
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        dtype = series.dtype
        if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
            column = pa.chunked_array(pa.array(series.array))
            if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
                column = column.cast(pa.large_string())
            if column.null_count:
                column = pc.fill_null(column, "")
        else:
            column = pa.chunked_array([pa.array(column_strings(series), pa.large_string())])
        out.append(column)
    return out


def encode_chunk(columns: Sequence[pa.Array | pa.ChunkedArray], first: int, count: int) -> tuple[int, Any]:
    """Rows ``first .. first+count-1`` of ``columns`` as one Arrow IPC stream; returns (rows, blob)."""
    import pyarrow as pa

    arrays = []
    for column in columns:
        part = column.slice(first, count)
        array = part.combine_chunks() if isinstance(part, pa.ChunkedArray) else part
        if pa.types.is_large_string(array.type) and array.nbytes < 2**30:
            array = array.cast(pa.string())  # 4-byte offsets: 4 bytes less per cell on disk
        arrays.append(array)
    schema = pa.schema([pa.field(column_name(i), array.type, nullable=False) for i, array in enumerate(arrays)])
    batch = pa.RecordBatch.from_arrays(arrays, schema=schema)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_batch(batch)
    return batch.num_rows, sink.getvalue()  # a pyarrow Buffer: SQLite binds it without a copy


def write_chunks(
    conn: sqlite3.Connection,
    columns: Sequence[pa.Array | pa.ChunkedArray],
    total: int,
    *,
    on_rows: Callable[[int], None],
    cancel: CancelToken | None,
) -> None:
    """Store ``total`` rows of ``columns`` (one array per column) in the empty ``chunks`` table.

    ``on_rows(done)`` is called after each chunk; ``cancel`` is checked before each.
    """
    for number, first in enumerate(range(0, max(total, 1), CHUNK_ROWS)):
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        rows, blob = encode_chunk(columns, first, min(CHUNK_ROWS, total - first))
        conn.execute("INSERT INTO chunks(id, first_row, row_count, data) VALUES (?, ?, ?, ?)", (number, first, rows, blob))
        on_rows(first + rows)


# -- reading ---------------------------------------------------------------------------------
def _damaged(path: Path, why: str) -> ProjectError:
    return ProjectError(f"{path.name} is damaged: {why}; restore it from a backup.")


class Snapshot:
    """Reads the ``chunks`` table of one open project: pages of rows, one column, the whole table.

    Every method takes the connection from the caller, who holds the project's lock; the cache
    of decoded chunks is only touched under that lock.

    Attributes:
        row_count: rows in the snapshot.
        column_count: columns of every chunk.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        """Load and check the chunk index (ids 0.., contiguous rows) and the first chunk's columns.

        Raises:
            ProjectError: the chunks do not line up or the first cannot be read (one line).
        """
        self._path = path
        self._cache: OrderedDict[int, pa.RecordBatch] = OrderedDict()
        index = conn.execute("SELECT id, first_row, row_count FROM chunks ORDER BY id").fetchall()
        if not index:
            raise _damaged(path, "its table of data has no chunks")
        self._firsts: list[int] = []
        self._counts: list[int] = []
        expected = 0
        for number, (chunk_id, first, count) in enumerate(index):
            if chunk_id != number or first != expected or not isinstance(count, int) or count < 0:
                raise _damaged(path, f"chunk {number} of its table of data is out of place")
            self._firsts.append(first)
            self._counts.append(count)
            expected += count
        self.row_count = expected
        self.column_count = self.chunk(conn, 0).num_columns

    def chunk(self, conn: sqlite3.Connection, number: int) -> pa.RecordBatch:
        """The decoded chunk ``number`` (cached)."""
        batch = self._cache.get(number)
        if batch is not None:
            self._cache.move_to_end(number)
            return batch
        batch = self._decode(conn, number)
        self._cache[number] = batch
        if len(self._cache) > CACHED_CHUNKS:
            self._cache.popitem(last=False)
        return batch

    def _decode(self, conn: sqlite3.Connection, number: int) -> pa.RecordBatch:
        import pyarrow as pa

        found = conn.execute("SELECT data FROM chunks WHERE id = ?", (number,)).fetchone()
        blob = None if found is None else found[0]
        if not isinstance(blob, bytes):
            raise _damaged(self._path, f"chunk {number} of its table of data is missing")
        try:
            batches = list(pa.ipc.open_stream(blob))
            batch = batches[0] if len(batches) == 1 else None
            if batch is not None:
                batch.validate(full=True)  # offsets and UTF-8: never hand Arrow bad memory to read
        except (pa.ArrowException, ValueError, OSError) as err:
            raise _damaged(self._path, f"chunk {number} of its table of data cannot be read ({err})") from None
        if batch is None or batch.num_rows != self._counts[number]:
            raise _damaged(self._path, f"chunk {number} of its table of data does not hold the rows it should")
        text = all(pa.types.is_string(t) or pa.types.is_large_string(t) for t in batch.schema.types)
        if not text or any(column.null_count for column in batch.columns):
            raise _damaged(self._path, f"chunk {number} of its table of data holds something other than text")
        if number and batch.num_columns != self.column_count:
            raise _damaged(self._path, f"chunk {number} of its table of data has {batch.num_columns} columns, not {self.column_count}")
        return batch

    def slices(self, conn: sqlite3.Connection, start: int, stop: int) -> Iterator[pa.RecordBatch]:
        """Rows ``start .. stop-1`` (clipped to the table) as consecutive record-batch slices."""
        start, stop = max(start, 0), min(stop, self.row_count)
        if start >= stop:
            return
        number, last = self._chunk_of(start), self._chunk_of(stop - 1)
        keep = last - number < 2  # a page: cache it; a long scan would only flush the cache
        while number <= last:
            first = self._firsts[number]
            batch = self.chunk(conn, number) if keep else self._cache.get(number) or self._decode(conn, number)
            lo, hi = max(start - first, 0), min(stop - first, self._counts[number])
            if hi > lo:
                yield batch.slice(lo, hi - lo)
            number += 1

    def _chunk_of(self, row: int) -> int:
        return bisect.bisect_right(self._firsts, row) - 1

    def cells(self, conn: sqlite3.Connection, position: int, rows: Sequence[int]) -> list[str]:
        """The cells of column ``position`` at ``rows`` (ascending, each in range), chunk by chunk."""
        import pyarrow as pa

        out: list[str] = []
        at = 0
        while at < len(rows):
            number = self._chunk_of(rows[at])
            end = bisect.bisect_left(rows, self._firsts[number] + self._counts[number], at)
            offsets = pa.array([row - self._firsts[number] for row in rows[at:end]], pa.int64())
            out.extend(self.chunk(conn, number).column(position).take(offsets).to_pylist())
            at = end
        return out

    def rows(self, conn: sqlite3.Connection, start: int, stop: int) -> list[tuple[str, ...]]:
        """Rows ``start .. stop-1`` as tuples of cells in column order (fewer past the end)."""
        out: list[tuple[str, ...]] = []
        for part in self.slices(conn, start, stop):
            out.extend(zip(*(column.to_pylist() for column in part.columns)))
        return out

    def column(self, conn: sqlite3.Connection, position: int, start: int, stop: int) -> list[str]:
        """The cells of column ``position`` for rows ``start .. stop-1``, in row order."""
        out: list[str] = []
        for part in self.slices(conn, start, stop):
            out.extend(part.column(position).to_pylist())
        return out

    def forget(self) -> None:
        """Drop the decoded chunks (the project closed)."""
        self._cache.clear()


# -- schema 2 -> 3 ---------------------------------------------------------------------------
def chunks_from_rows_table(conn: sqlite3.Connection, path: Path) -> None:
    """Copy schema 2's ``rows`` table (``row_id`` + TEXT ``c0..cN``) into a new ``chunks`` table.

    Runs inside the caller's transaction and leaves ``rows`` for the caller to drop. Reads
    one chunk's rows at a time, so memory stays flat however big the table.

    Raises:
        ProjectError: the row ids are not 0..n-1 or a cell is not text (a damaged file).
    """
    import pyarrow as pa

    names = [row[1] for row in conn.execute("PRAGMA table_info(rows)") if row[1] != "row_id"]
    selected = ", ".join(["row_id", *names])
    conn.execute(CHUNKS_TABLE)
    total = conn.execute("SELECT COALESCE(MAX(row_id) + 1, 0) FROM rows").fetchone()[0]
    for number, first in enumerate(range(0, max(total, 1), CHUNK_ROWS)):
        rows = conn.execute(
            f"SELECT {selected} FROM rows WHERE row_id >= ? AND row_id < ? ORDER BY row_id", (first, first + CHUNK_ROWS)
        ).fetchall()
        if [row[0] for row in rows] != list(range(first, min(first + CHUNK_ROWS, total))):
            raise _damaged(path, f"its rows are not numbered 0 to {total - 1:,}, so it cannot be upgraded to this version's format")
        cells = list(zip(*rows))[1:] if rows else [() for _ in names]
        try:
            columns = [pa.array(column, pa.string()) for column in cells]
            if any(column.null_count for column in columns):
                raise TypeError("NULL")
        except (pa.ArrowException, TypeError) as err:
            where = f"rows {first + 1:,}-{first + len(rows):,}"
            raise _damaged(path, f"a cell in {where} is not text ({err}), so it cannot be upgraded") from None
        count, blob = encode_chunk(columns, 0, len(rows))
        conn.execute("INSERT INTO chunks(id, first_row, row_count, data) VALUES (?, ?, ?, ?)", (number, first, count, blob))
