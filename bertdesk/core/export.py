"""Write a table with predictions to CSV, Excel (.xlsx) or Parquet, safely.

* Every file is written to a temporary name in the target's folder and renamed into place
  (``os.replace``) only when complete, so a crash or a cancel never leaves half a file under
  the user's name, and an existing file is replaced atomically.
* CSV and Excel are opened by spreadsheet programs that run a cell beginning with ``=``,
  ``+``, ``-``, ``@``, tab or carriage return as a formula (CSV/formula injection). Such text
  cells (and column names) are prefixed with ``'`` as OWASP recommends, and the .xlsx is written
  with every text cell typed as a string, so it holds no formulas at all. All other text is
  written exactly as it is. Parquet is data, not a spreadsheet: it is written unchanged.
"""

from __future__ import annotations

import csv
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bertdesk.core.destinations import check_file_destination, estimate_table_bytes
from bertdesk.core.errors import BertdeskError
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, no_progress

if TYPE_CHECKING:
    import pandas as pd

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
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


def neutralise(text: str) -> str:
    """``text`` made safe for a spreadsheet: a leading formula character gets a ``'`` in front."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def prediction_columns(class_names: Sequence[str], taken: Sequence[str] = ()) -> tuple[str, str, list[str]]:
    """Names for the predicted-label, confidence and per-class probability columns.

    Names already in ``taken`` (the original columns) get `` (predicted)`` added, so no
    original column is ever overwritten.
    """
    used = set(map(str, taken))

    def free(name: str) -> str:
        candidate = name
        while candidate in used:
            candidate += " (predicted)"
        used.add(candidate)
        return candidate

    return free("predicted_label"), free("confidence"), [free(f"p_{name}") for name in class_names]


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
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
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
        raise ExportError(f"Cannot write {target}: {err.strerror or err}.") from err
    finally:
        if temp.exists():
            temp.unlink()
    on_progress(Progress(len(frame), len(frame), f"Exported {len(frame):,} rows to {target.name}"))
    return target


def _report(on_progress: ProgressCallback, done: int, total: int, name: str) -> None:
    on_progress(Progress(done, total, f"Writing {name}: {done:,} of {total:,} rows"))


def _text_columns(frame: pd.DataFrame) -> list[bool]:
    import pandas as pd

    return [pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object for c in frame.columns]


def _safe_chunk(frame: pd.DataFrame, is_text: list[bool]) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like text cells neutralised."""
    chunk = frame.copy()
    for column, text in zip(frame.columns, is_text):
        if not text:
            continue
        values = chunk[column]
        risky = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES)).to_numpy(dtype=bool)
        if risky.any():
            fixed = values.astype(object).copy()
            fixed[risky] = ["'" + v for v in values[risky]]
            chunk[column] = fixed
    return chunk


def _write_csv(frame: pd.DataFrame, temp: Path, on_progress: ProgressCallback, cancel: CancelToken) -> None:
    is_text = _text_columns(frame)
    n = len(frame)
    # utf-8 with a BOM: Excel otherwise opens UTF-8 CSV as the local code page and garbles
    # every accent, CJK character and emoji. newline="" lets the csv module own line endings,
    # so newlines inside cells survive inside quotes.
    with open(temp, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow([neutralise(str(c)) for c in frame.columns])
        for start in range(0, max(n, 1), _CHUNK):
            cancel.raise_if_cancelled()
            chunk = _safe_chunk(frame.iloc[start : start + _CHUNK], is_text)
            writer.writerows(_csv_rows(chunk))
            _report(on_progress, min(start + _CHUNK, n), n, temp.name)


def _csv_rows(chunk: pd.DataFrame) -> Any:
    columns = [chunk[c].to_numpy(dtype=object) for c in chunk.columns]
    for row in zip(*columns):
        yield ["" if _missing(v) else _plain(v) for v in row]


def _missing(value: object) -> bool:
    # None, NaN (float or numpy) and pandas.NA are all "no value": an empty cell.
    return value is None or (isinstance(value, (float, np.floating)) and value != value) or type(value).__name__ == "NAType"


def _plain(value: object) -> object:
    # str() of a numpy float is its shortest round-trip text in its own precision: a float32
    # 0.9 is written "0.9", not "0.8999999761581421".
    if isinstance(value, np.floating):
        return str(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _write_xlsx(frame: pd.DataFrame, temp: Path, on_progress: ProgressCallback, cancel: CancelToken) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    is_text = _text_columns(frame)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Predictions")
    n = len(frame)

    def cell(value: object, text: bool) -> Any:
        if _missing(value):
            return None
        if text or isinstance(value, str):
            c = WriteOnlyCell(sheet, value=_xlsx_text(neutralise(str(value))))
            c.data_type = "s"  # never "f": a string, whatever it starts with
            return c
        return float(str(value)) if isinstance(value, np.floating) else _plain(value)

    sheet.append([cell(str(c), True) for c in frame.columns])
    for start in range(0, max(n, 1), _CHUNK):
        cancel.raise_if_cancelled()
        chunk = frame.iloc[start : start + _CHUNK]
        columns = [chunk[c].to_numpy(dtype=object) for c in chunk.columns]
        for row in zip(*columns):
            sheet.append([cell(v, t) for v, t in zip(row, is_text)])
        _report(on_progress, min(start + _CHUNK, n), n, temp.name)
    cancel.raise_if_cancelled()
    workbook.save(temp)


def _xlsx_text(text: str) -> str:
    """Text an .xlsx can hold: control characters XML forbids become U+FFFD; cut at Excel's cell limit."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if len(text) > EXCEL_MAX_CELL:
        raise ExportError(
            f"A cell has {len(text):,} characters; Excel holds at most {EXCEL_MAX_CELL:,}. Export as .csv or .parquet instead."
        )
    return text


def _write_parquet(frame: pd.DataFrame, temp: Path, on_progress: ProgressCallback, cancel: CancelToken) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cancel.raise_if_cancelled()
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    cancel.raise_if_cancelled()
    pq.write_table(table, temp)
    _report(on_progress, len(frame), len(frame), temp.name)
