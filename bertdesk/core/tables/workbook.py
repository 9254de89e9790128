"""Read .xlsx workbooks (python-calamine) and Parquet files into arrow tables of text.

Cells become the text the user saw: :func:`_cell_text` formats a workbook cell the way
Excel's General format shows it, :func:`_arrow_text` turns a Parquet column into text.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from bertdesk.core.errors import Cancelled, TableReadError
from bertdesk.core.progress import CancelToken, Progress, Throttle
from bertdesk.core.tables.column_types import arrow_type, attach, cells_type
from bertdesk.core.tables.columns import _unique_names, detect_header_row, header_note, unnamed_columns
from bertdesk.core.tables.rawfile import _short

# -------------------------------------------------------------------------- workbooks


# The content types of a workbook's main part (.xlsx, .xltx, .xlsm, .xlsb), lowercased.
_WORKBOOK_CONTENT_TYPES = (b"spreadsheetml.sheet.main", b"spreadsheetml.template.main", b"application/vnd.ms-excel.sheet.")


#: Office's old binary container: an Excel 97-2003 .xls, or an .xlsx saved with a password.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def workbook_kind(p: Path, head: bytes) -> str | None:
    """ "xlsx", "ods" or "xls" when ``head`` (the file's first bytes) starts a workbook calamine
    reads, None when it is no workbook container at all.

    Raises:
        TableReadError: a ZIP that is no spreadsheet (a Word document, a plain archive), or damaged.
    """
    if head.startswith(OLE2_MAGIC):
        return "xls"  # a password-protected .xlsx is told apart when it is opened
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return None
    try:
        with zipfile.ZipFile(p) as z:
            # Some writers store Windows separators (xl\workbook.xml) or put the workbook part
            # elsewhere than xl/; Excel and calamine follow the package's content types.
            members = {name.replace("\\", "/").lower() for name in z.namelist()}
            content_types = _read_member(z, "[Content_Types].xml")
            mimetype = _read_member(z, "mimetype")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise TableReadError(f"{p.name}: the workbook is damaged or incomplete ({_short(exc)})") from None
    if "xl/workbook.xml" in members or "xl/workbook.bin" in members:
        return "xlsx"
    if any(kind in content_types for kind in _WORKBOOK_CONTENT_TYPES):
        return "xlsx"
    if mimetype.strip().startswith(_ODS_MIMETYPE):
        return "ods"
    if "content.xml" in members:
        raise TableReadError(f"{p.name}: is an OpenDocument file but not a spreadsheet")
    if "word/document.xml" in members:
        raise TableReadError(f"{p.name}: is a Word document, not a table")
    raise TableReadError(f"{p.name}: is a ZIP archive, not a spreadsheet")


def _has_data(ws: Any) -> bool:
    """Does the worksheet hold any non-blank cell? (Stops at the first one.)"""
    return any(row.count("") != len(row) for row in ws.iter_rows())


def _read_member(z: zipfile.ZipFile, name: str, limit: int = 1 << 20) -> bytes:
    """The first ``limit`` bytes of a ZIP member (any separator, any case), or b"" when absent."""
    for info in z.infolist():
        if info.filename.replace("\\", "/").lower() == name.lower():
            with z.open(info) as member:
                return member.read(limit).lower()
    return b""


def _open_workbook(p: Path) -> tuple[Any, tuple[str, ...]]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        book = CalamineWorkbook.from_path(str(p))
        sheets = tuple(m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet)
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
        if type(exc).__name__ == "PasswordError":
            raise TableReadError(
                f"{p.name}: the workbook is protected with a password; open it in the program that made it, remove "
                "the password and save it again"
            ) from None
        raise TableReadError(f"{p.name}: the workbook is damaged or not a spreadsheet bertdesk can read ({_short(exc)})") from None
    if not sheets:
        raise TableReadError(f"{p.name}: the workbook has no worksheets")
    return book, sheets


@dataclass(frozen=True)
class _Sheet:
    table: pa.Table
    sheet: str
    sheets: tuple[str, ...]
    header_row: int  # among the non-blank rows
    unnamed: tuple[int, ...]  # columns whose header cell is blank


def _read_xlsx(
    p: Path, sheet: str | None, header_row: int | None, max_rows: int | None, report: Throttle, cancel: CancelToken, warnings: list[str]
) -> _Sheet:
    """Read a worksheet; ``header_row=None`` finds the header under a title or group headings.

    Merged cells: a workbook stores a merged range's value in its top-left cell only. In the
    data, a range spanning several rows (a label merged over the rows it applies to) is what
    the user sees as that value on each of those rows, so it is copied down the range's first
    column (noted in the warnings); a range spanning only columns leaves the cells to its right
    empty, as they look. Merged group headings above the header row are part of the skipped
    preamble.
    """
    book, sheets = _open_workbook(p)
    chosen = sheets[0] if sheet is None else sheet
    if chosen not in sheets:
        raise TableReadError(f"{p.name}: there is no sheet named '{chosen}' (sheets: {', '.join(sheets)})")
    message = f"Reading {p.name} ({chosen})"
    try:
        # calamine parses the whole sheet here (it cannot stream); cancel is checked after.
        ws = book.get_sheet_by_name(chosen)
        if sheet is None and not _has_data(ws):
            # A workbook often opens on an empty cover sheet; the user meant the data.
            for name in sheets[1:]:
                candidate = book.get_sheet_by_name(name)
                if _has_data(candidate):
                    warnings.append(f"sheet '{chosen}' is empty; read '{name}', the first sheet with data")
                    chosen, ws, message = name, candidate, f"Reading {p.name} ({name})"
                    break
        total = ws.height
        top: list[tuple[int, list[Any]]] = []  # the first non-blank rows, until the header is known
        found: int | None = header_row
        header: list[Any] | None = None
        header_at = 0  # the header's row in the sheet (0-based)
        data: list[list[Any]] = []
        where: list[int] = []  # each data row's row in the sheet
        for i, row in enumerate(ws.iter_rows()):
            if i % 4096 == 0:
                cancel.raise_if_cancelled()
                report(Progress(i, total, message))
            if row.count("") == len(row):
                continue  # blank rows are skipped, as blank lines are in text files
            if header is None:
                top.append((i, row))
                if found is None and len(top) > _HEADER_LOOKAHEAD:
                    found = _find_header(top)
                if found is None or len(top) <= found:
                    continue
                header_at, header = top[found]
                for at, rest in top[found + 1 :]:
                    where.append(at)
                    data.append(rest)
            else:
                where.append(i)
                data.append(row)
            if max_rows is not None and len(data) >= max_rows:
                break
        if header is None and top and found is None:
            found = _find_header(top)
            header_at, header = top[found]
            for at, rest in top[found + 1 :]:
                where.append(at)
                data.append(rest)
        merged = ws.merged_cell_ranges or []
    except (Cancelled, TableReadError):
        raise
    except Exception as exc:  # noqa: BLE001
        raise TableReadError(f"{p.name}: sheet '{chosen}' could not be read; the workbook may be damaged ({_short(exc)})") from None
    cancel.raise_if_cancelled()
    if header is None:
        if not top:
            raise TableReadError(f"{p.name}: sheet '{chosen}' is empty")
        raise TableReadError(
            f"{p.name}: there is no row {(found or 0) + 1} to use as the header (sheet '{chosen}' has {len(top)} non-blank rows)"
        )
    assert found is not None
    if max_rows is not None:
        data, where = data[:max_rows], where[:max_rows]
    if header_row is None and found:
        warnings.append(header_note(found))
    filled = _fill_merged_down(data, where, merged, ws.start[1] if ws.start else 0, header_at)
    if filled:
        warnings.append(f"{filled} merged cell range(s) in the data: each value was copied to every row it spans")
    names = [_cell_text(v) for v in header]
    columns = [list(c) for c in zip(*data)] if data else [[] for _ in names]
    # Cells already text stay as they are (the common case, and cheap); the rest are formatted.
    arrays = [pa.array([v if type(v) is str else _cell_text(v) for v in column], type=pa.string()) for column in columns]
    report(Progress(total, total, message), force=True)
    table = attach(pa.table(arrays, names=list(_unique_names(names))), [cells_type(column) for column in columns])
    return _Sheet(table, chosen, sheets, found, unnamed_columns(names))


_HEADER_LOOKAHEAD = 40  # non-blank rows read before the header row is decided


def _find_header(top: list[tuple[int, list[Any]]]) -> int:
    return detect_header_row([[_cell_text(v) for v in row] for _, row in top[:_HEADER_LOOKAHEAD]])


def _fill_merged_down(data: list[list[Any]], where: list[int], merged: list[Any], first_col: int, header_at: int) -> int:
    """Copy each merged range's value down its first column over the data rows it spans;
    returns how many ranges were filled."""
    if not merged or not data:
        return 0
    index = {at: k for k, at in enumerate(where)}
    filled = 0
    for (top_row, left), (bottom, _right) in merged:
        col = left - first_col
        if bottom <= top_row or top_row <= header_at or top_row not in index or not 0 <= col < len(data[0]):
            continue
        value = data[index[top_row]][col]
        if value == "" or value is None:
            continue
        for at in range(top_row + 1, bottom + 1):
            k = index.get(at)
            if k is not None and data[k][col] in ("", None):
                data[k][col] = value
        filled += 1
    return filled


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
    return attach(pa.table(arrays, names=list(names)), [arrow_type(table.column(i).type) for i in keep])


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
        elif (
            pa.types.is_integer(kind)
            or pa.types.is_decimal(kind)
            or pa.types.is_boolean(kind)
            or pa.types.is_date(kind)
            or pa.types.is_time(kind)
        ):
            out = pc.cast(col, pa.string())
        else:
            out = pc.cast(col, pa.string())  # binary that is valid UTF-8; anything else falls back
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        out = pa.chunked_array([pa.array(["" if v is None else _cell_text(v) for v in col.to_pylist()], type=pa.string())])
    return pc.fill_null(out, "")
