"""Write a table a chunk of rows at a time: CSV appended, Parquet as row groups; atomic.

:class:`ChunkedWriter` writes exactly what :func:`~bertdesk.core.tables.writing.export_frame`
writes for the whole table (the same cells, the same formula neutralising, the same types),
but never holds more than one chunk. Like ``export_frame`` it writes to a temporary name
beside the target and renames it into place only when :meth:`ChunkedWriter.commit` is called:
a cancel, a crash or any error leaves no partial file under the user's name (the temporary
file is removed on the way out), and an existing file is replaced only at the very end.

An ``.xlsx`` workbook cannot be appended to cheaply, so its chunks are kept in memory and
written by ``export_frame`` on commit; :data:`XLSX_MAX_INPUT_BYTES` bounds how big an input
may be for an .xlsx output at all (see :func:`check_xlsx_size`).
"""

from __future__ import annotations

import csv
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from bertdesk.core.tables.writing import EXCEL_MAX_ROWS, ExportError, _csv_cells, export_format, export_frame, neutralise

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# An .xlsx output is built in memory; above this input size, refuse it before any work.
XLSX_MAX_INPUT_BYTES = 100 << 20


def check_xlsx_size(out: str | os.PathLike[str], input_bytes: int, rows: int | None = None) -> None:
    """Refuse an .xlsx output for an input too big to hold in memory (or for Excel).

    Raises:
        ExportError: one line suggesting .csv or .parquet.
    """
    if export_format(out) != "xlsx":
        return
    if input_bytes > XLSX_MAX_INPUT_BYTES or (rows is not None and rows + 1 > EXCEL_MAX_ROWS):
        raise ExportError(
            f"{Path(out).name}: an .xlsx file is built in memory and holds at most {EXCEL_MAX_ROWS - 1:,} rows; "
            f"for an input of {input_bytes / (1 << 20):,.0f} MB write .csv or .parquet instead."
        )


class ChunkedWriter:
    """Append frames to ``path`` (format from its extension); :meth:`commit` publishes the file.

    ``column_types`` (name -> :data:`~bertdesk.core.tables.column_types.ColumnType`) settles the
    Parquet type of a column the first chunk holds no value in.

    Use as a context manager: leaving the block without :meth:`commit` (an error, a cancel)
    removes the temporary file and leaves ``path`` as it was.
    """

    def __init__(self, path: str | os.PathLike[str], *, column_types: Mapping[str, str] | None = None) -> None:
        self.target = Path(path)
        self.column_types = dict(column_types or {})
        self.format = export_format(self.target)
        if not self.target.parent.is_dir():
            raise ExportError(f"Cannot export to {self.target}: the folder {self.target.parent} does not exist.")
        self.temp = self.target.with_name(f".{self.target.name}.tmp-{secrets.token_hex(4)}")
        self._claimed = False  # the temp file exists and is ours (created exclusively)
        self.rows = 0
        self._handle: Any = None
        self._csv: Any = None
        self._parquet: Any = None
        self._schema: pa.Schema | None = None
        self._frames: list[pd.DataFrame] = []  # .xlsx only
        self._closed = False

    def __enter__(self) -> ChunkedWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.discard()

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame``'s rows (its columns must be the same for every call)."""
        try:
            if self.format == "csv":
                self._write_csv(frame)
            elif self.format == "parquet":
                self._write_parquet(frame)
            else:
                self._frames.append(frame)
        except OSError as err:
            raise ExportError(f"Cannot write {self.target}: {err.strerror or err}.") from err
        self.rows += len(frame)

    def commit(self) -> Path:
        """Finish the file and rename it into place; returns the written file."""
        if self.format == "xlsx":
            import pandas as pd

            frame = pd.concat(self._frames, ignore_index=True) if self._frames else pd.DataFrame()
            self._frames = []
            return export_frame(frame, self.target)
        try:
            self._close_handles()
            if not self._claimed:
                raise ExportError(f"Cannot write {self.target}: there were no rows to write.")
            os.replace(self.temp, self.target)
        except OSError as err:
            raise ExportError(f"Cannot write {self.target}: {err.strerror or err}.") from err
        self._closed = True
        return self.target

    def discard(self) -> None:
        """Close and remove the temporary file (nothing under the target's name is touched)."""
        self._frames = []
        try:
            self._close_handles()
        except Exception:  # noqa: BLE001 - already failing; the file goes either way
            pass
        if self._claimed and self.temp.exists():
            self.temp.unlink()

    # -- formats

    def _claim(self) -> None:
        """Create the temporary file exclusively, under a fresh name if one is taken: what
        :meth:`discard` removes is then always a file this writer made, never one of the user's."""
        while True:
            try:
                self.temp.open("xb").close()
            except FileExistsError:
                self.temp = self.target.with_name(f".{self.target.name}.tmp-{secrets.token_hex(4)}")
                continue
            self._claimed = True
            return

    def _write_csv(self, frame: pd.DataFrame) -> None:
        if self._csv is None:
            self._claim()
            # The same file as export_frame's: UTF-8 with a BOM, CRLF, minimal quoting.
            self._handle = open(self.temp, "w", encoding="utf-8-sig", newline="")
            self._csv = csv.writer(self._handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            self._csv.writerow([neutralise(str(c)) for c in frame.columns])
        self._csv.writerows(zip(*(_csv_cells(frame[c]) for c in frame.columns)))

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            if self._schema is None:
                table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
                self._schema = _settled(table.schema, self.column_types)
                table = table.cast(self._schema)
                self._claim()
                self._parquet = pq.ParquetWriter(self.temp, self._schema)
            else:
                table = pa.Table.from_pandas(frame.reset_index(drop=True), schema=self._schema, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
            raise ExportError(f"Cannot write {self.target.name} as Parquet (rows {self.rows + 1:,} on): {err}.") from err
        self._parquet.write_table(table)  # one row group (or more) per chunk

    def _close_handles(self) -> None:
        if self._handle is not None:
            handle, self._handle, self._csv = self._handle, None, None
            handle.close()
        if self._parquet is not None:
            writer, self._parquet = self._parquet, None
            writer.close()


def _settled(schema: pa.Schema, types: Mapping[str, str]) -> pa.Schema:
    """The first chunk's schema, with each column it saw no value in (arrow's null type) given the
    type its values will have in later chunks (from the source column's type; text otherwise)."""
    import pyarrow as pa

    kinds = {"integer": pa.int64(), "number": pa.float64(), "bool": pa.bool_(), "date": pa.date32(), "datetime": pa.timestamp("us")}
    fields = [
        field.with_type(kinds.get(types.get(field.name, "text"), pa.string())) if pa.types.is_null(field.type) else field
        for field in schema
    ]
    return pa.schema(fields, metadata=schema.metadata)
