"""Write a table with predictions to CSV, Excel (.xlsx) or Parquet, safely and unchanged.

* Every file is written to a temporary name in the target's folder and renamed into place
  (``os.replace``) only when complete, so a crash or a cancel never leaves half a file under
  the user's name, and an existing file is replaced atomically.
* Values keep their type: numbers, booleans and dates (see :mod:`bertdesk.core.tables.column_types`)
  are numeric/boolean/date cells in .xlsx and typed columns in Parquet; text is text. A CSV
  holds the shortest text that reads back as the same value (a float32 0.9 is ``0.9``).
* CSV is opened by spreadsheet programs, which run a text cell beginning with ``=`` (and, in
  Excel, ``+``, ``-``, ``@``, tab or carriage return) as a formula (CSV/formula injection).
  Such text cells (and column names) get a ``'`` in front, as OWASP recommends, unless the
  text is a plain number (``-5`` stays ``-5``); so do text cells whose first visible character
  is ``=`` and the full-width forms ``＝ ＋ － ＠``. All other text is written as it is.
* In .xlsx every text cell is typed as a string (never a formula), which no spreadsheet
  evaluates (checked with LibreOffice: see tests/core/test_export_types.py), so the text is
  written unchanged; formula-like text also gets Excel's "quote prefix" style, which keeps it
  text when someone edits the cell. Parquet is data, not a spreadsheet: written unchanged.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import decimal
import math
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bertdesk.core.destinations import check_file_destination, estimate_table_bytes
from bertdesk.core.errors import BertdeskError
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, no_progress

if TYPE_CHECKING:
    import pandas as pd

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # + full-width = + - @
# A number a spreadsheet reads as a number, not a formula: -5, +3.25, -1,234.5, -.5, -1e5.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*[.,]?|[.,]\d+)(?:[eE][+-]?\d+)?", re.ASCII)
EXCEL_MAX_ROWS = 1_048_576  # including the header row
EXCEL_MAX_CELL = 32_767  # characters in one cell
_CHUNK = 20_000  # rows written between progress reports and cancel checks


class ExportError(BertdeskError):
    """An export cannot be written (unknown format, too big for Excel, disk full...)."""


def export_format(path: str | os.PathLike[str]) -> str:
    """``csv``, ``xlsx`` or ``parquet`` from the file extension.

    Raises:
        ExportError: any other extension.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"Cannot export to {Path(path).name}: use a .csv, .xlsx or .parquet file name.")
    return FORMATS[suffix]


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet opening ``text`` from a CSV could run it as a formula.

    That is text starting with ``= + - @``, tab, carriage return or a full-width ``＝ ＋ － ＠``
    (unless it is a plain number such as ``-5``), or whose first non-blank character is ``=``.
    """
    if text.startswith(FORMULA_PREFIXES):
        return _PLAIN_NUMBER.fullmatch(text) is None
    return text[:1].isspace() and text.lstrip().startswith(("=", "\uff1d"))


def neutralise(text: str) -> str:
    """``text`` made safe for a CSV opened by a spreadsheet: formula-like text gets a ``'`` in front."""
    return "'" + text if is_formula_like(text) else text


def free_names(wanted: Sequence[str], taken: Sequence[str], suffix: str) -> list[str]:
    """``wanted`` renamed where needed (``suffix`` added until free) so no name is in ``taken`` or repeated."""
    used = set(map(str, taken))
    out = []
    for name in wanted:
        candidate = name
        while candidate in used:
            candidate += suffix
        used.add(candidate)
        out.append(candidate)
    return out


def prediction_columns(class_names: Sequence[str], taken: Sequence[str] = ()) -> tuple[str, str, list[str]]:
    """Names for the predicted-label, confidence and per-class probability columns.

    Names already in ``taken`` (the original columns) get `` (predicted)`` added, so no
    original column is ever overwritten.
    """
    names = free_names(["predicted_label", "confidence", *(f"p_{name}" for name in class_names)], taken, " (predicted)")
    return names[0], names[1], names[2:]


LABEL_COLUMN = "label (bertdesk)"
LABEL_SOURCE_COLUMN = "label source (bertdesk)"


def with_labels(frame: pd.DataFrame, labels: Mapping[int, str], sources: Mapping[int, str]) -> pd.DataFrame:
    """``frame`` plus the current label of each row and who set it (human / imported / model).

    Row ``i`` of ``frame`` is row id ``i``; unlabelled rows have empty cells. The two columns
    are named :data:`LABEL_COLUMN` and :data:`LABEL_SOURCE_COLUMN`, with `` (bertdesk)`` added
    again if the table already has a column of that name.
    """
    import pandas as pd

    label_col, source_col = free_names([LABEL_COLUMN, LABEL_SOURCE_COLUMN], list(frame.columns), " (bertdesk)")
    n = len(frame)
    out = frame.reset_index(drop=True).copy()
    out[label_col] = pd.Series([labels.get(i) for i in range(n)], dtype="object")
    out[source_col] = pd.Series([sources.get(i) for i in range(n)], dtype="object")
    return out


def with_predictions(
    frame: pd.DataFrame,
    labels: Sequence[str | None],
    confidence: Sequence[float] | np.ndarray,
    probabilities: np.ndarray,
    class_names: Sequence[str],
) -> pd.DataFrame:
    """``frame`` (every original column, unchanged) plus predicted label, confidence and probabilities.

    Rows without a prediction have ``None`` as label and NaN numbers (empty cells when written).
    """
    import pandas as pd

    label_col, conf_col, prob_cols = prediction_columns(class_names, list(frame.columns))
    n = len(frame)
    probs = np.asarray(probabilities, dtype=np.float32).reshape(n, len(class_names))
    out = frame.reset_index(drop=True).copy()
    out[label_col] = pd.Series(list(labels), dtype="object")
    out[conf_col] = np.asarray(confidence, dtype=np.float32)
    for j, name in enumerate(prob_cols):
        out[name] = probs[:, j]
    return out


def export_frame(
    frame: pd.DataFrame, path: str | os.PathLike[str], *, on_progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> Path:
    """Write ``frame`` to ``path`` (format from the extension), atomically.

    Returns:
        The written file.

    Raises:
        ExportError: unknown extension, too many rows for Excel, or the write failed.
        Cancelled: ``cancel`` was set; no file is left behind and an existing one is untouched.
    """
    target = Path(path)
    fmt = export_format(target)
    if fmt == "xlsx" and len(frame) + 1 > EXCEL_MAX_ROWS:
        raise ExportError(
            f"{target.name}: Excel holds at most {EXCEL_MAX_ROWS - 1:,} data rows and this table has {len(frame):,}; "
            "export as .csv or .parquet instead."
        )
    if not target.parent.is_dir():
        raise ExportError(f"Cannot export to {target}: the folder {target.parent} does not exist.")
    check_file_destination(target, estimate_table_bytes(frame), error=ExportError)  # writable, with room: before writing
    temp = target.with_name(f".{target.name}.tmp-{secrets.token_hex(4)}")
    token = cancel if cancel is not None else CancelToken()
    try:
        writer = {"csv": _write_csv, "xlsx": _write_xlsx, "parquet": _write_parquet}[fmt]
        writer(frame, temp, on_progress, token)
        token.raise_if_cancelled()
        os.replace(temp, target)
    except OSError as err:
        where = f" (writing the temporary file {err.filename})" if err.filename and Path(err.filename) != temp else ""
        raise ExportError(f"Cannot write {target}: {err.strerror or err}{where}.") from err
    finally:
        if temp.exists():
            temp.unlink()
    on_progress(Progress(len(frame), len(frame), f"Exported {len(frame):,} rows to {target.name}"))
    return target


def _report(on_progress: ProgressCallback, done: int, total: int, name: str) -> None:
    on_progress(Progress(done, total, f"Writing {name}: {done:,} of {total:,} rows"))


def _write_csv(frame: pd.DataFrame, temp: Path, on_progress: ProgressCallback, cancel: CancelToken) -> None:
    n = len(frame)
    # utf-8 with a BOM: Excel otherwise opens UTF-8 CSV as the local code page and garbles
    # every accent, CJK character and emoji. newline="" lets the csv module own line endings,
    # so newlines inside cells survive inside quotes.
    with open(temp, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow([neutralise(str(c)) for c in frame.columns])
        for start in range(0, max(n, 1), _CHUNK):
            cancel.raise_if_cancelled()
            chunk = frame.iloc[start : start + _CHUNK]
            writer.writerows(zip(*(_csv_cells(chunk[c]) for c in chunk.columns)))
            _report(on_progress, min(start + _CHUNK, n), n, temp.name)


def _values(column: pd.Series) -> Any:
    """The column's values for .xlsx: float32 ones as the floats their shortest text reads as
    (0.9, not 0.8999999761581421); everything else as Python objects (missing: None/NaN/NA/NaT)."""
    if column.dtype == np.float32:
        return [None if text is None else float(text) for text in _float_texts(column)]
    return column.to_numpy(dtype=object)


def _csv_cells(column: pd.Series) -> list[str]:
    import pandas as pd

    if pd.api.types.is_float_dtype(column.dtype):
        return [text or "" for text in _float_texts(column)]
    return [_csv_text(v) for v in column.to_numpy(dtype=object)]


def _float_texts(column: pd.Series) -> list[str | None]:
    """The shortest text that reads back as each value in the column's own precision (None: missing).

    Arrow formats a float32 as a float32 (0.9) and whole numbers without ".0" (-5), ~50x
    faster than numpy's format_float_positional per value.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    texts: list[str | None] = pc.cast(pa.array(column, from_pandas=True), pa.string()).to_pylist()
    return texts


def _csv_text(value: object) -> str:
    if _missing(value):
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"  # what spreadsheets write and read back as a boolean
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        return _datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))  # Decimal, time of day, anything else: its text


def _missing(value: object) -> bool:
    # None, NaN (float or numpy), pandas.NA and NaT are all "no value": an empty cell.
    return value is None or (isinstance(value, (float, np.floating)) and value != value) or type(value).__name__ in ("NAType", "NaTType")


def _float_text(value: float | np.floating) -> str:
    # A float in a column of mixed values: whole numbers without ".0" (-5, as a spreadsheet
    # shows it), others their shortest repr in their own precision (numpy's str for float32).
    if float(value).is_integer() and abs(float(value)) < 1e16:
        return str(int(value))
    return str(value) if isinstance(value, np.floating) else repr(value)


def _datetime_text(value: dt.datetime) -> str:
    if value.time() == dt.time(0) and value.tzinfo is None:
        return value.date().isoformat()
    return value.isoformat(sep=" ", timespec="seconds" if not value.microsecond else "auto")


def _write_xlsx(frame: pd.DataFrame, temp: Path, on_progress: ProgressCallback, cancel: CancelToken) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Predictions")
    n = len(frame)
    names = [str(c) for c in frame.columns]
    try:
        sheet.append([_xlsx_cell(sheet, name, 0, name) for name in names])
        for start in range(0, max(n, 1), _CHUNK):
            cancel.raise_if_cancelled()
            chunk = frame.iloc[start : start + _CHUNK]
            columns = [_values(chunk[c]) for c in chunk.columns]
            for row, values in enumerate(zip(*columns), start=start + 1):
                sheet.append([_xlsx_cell(sheet, v, row, name) for v, name in zip(values, names)])
            _report(on_progress, min(start + _CHUNK, n), n, temp.name)
        cancel.raise_if_cancelled()
        workbook.save(temp)
    except BaseException:
        _discard(sheet)
        raise


def _discard(sheet: Any) -> None:
    """Close a write-only sheet that will never be saved, and delete its temporary file.

    openpyxl streams the sheet through a file in the system temp folder that only ``save``
    closes and removes. Left to the garbage collector after a failure, its generators write
    to an already closed (or full) file and Python prints "Exception ignored ... Traceback"
    under the one-line error; the file would also stay until the app exits.
    """
    writer = getattr(sheet, "_writer", None)
    for stream in (getattr(sheet, "_rows", None), getattr(writer, "xf", None)):
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()
    out = getattr(writer, "out", None)
    if isinstance(out, str):
        with contextlib.suppress(OSError, ValueError):
            writer.cleanup()  # type: ignore[union-attr]


def _xlsx_cell(sheet: Any, value: object, row: int, column: str) -> Any:
    """``value`` as an .xlsx cell of its own type; text as a string cell, never a formula."""
    if _missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        return float(value)
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return value
    if isinstance(value, dt.datetime):
        # Excel has no time zones: a zoned time is written as the wall-clock time it shows.
        plain = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
        return plain.replace(tzinfo=None)
    if isinstance(value, (dt.date, dt.time)):
        return value
    return _xlsx_string(sheet, value if isinstance(value, str) else str(value), row, column)


def _xlsx_string(sheet: Any, text: str, row: int, column: str) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if len(text) > EXCEL_MAX_CELL:
        where = "the column name" if row == 0 else f"row {row}"
        raise ExportError(
            f"Column {column!r}, {where}: a cell has {len(text):,} characters and Excel holds at most "
            f"{EXCEL_MAX_CELL:,}; export as .csv or .parquet instead."
        )
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))  # control characters XML forbids
    cell.data_type = "s"  # never "f": a string, whatever it starts with
    if is_formula_like(text):
        cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    return cell


def _write_parquet(frame: pd.DataFrame, temp: Path, on_progress: ProgressCallback, cancel: CancelToken) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cancel.raise_if_cancelled()
    try:
        table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
        name = temp.name[1:].rsplit(".tmp-", 1)[0]  # the target's name (see export_frame)
        raise ExportError(f"Cannot write {name} as Parquet: {err}.") from err
    cancel.raise_if_cancelled()
    pq.write_table(table, temp)
    _report(on_progress, len(frame), len(frame), temp.name)
