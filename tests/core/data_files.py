"""Generate the files tests/core/test_data.py reads: text in many encodings, workbooks,
Parquet, and broken or binary files. Everything is written into a test's ``tmp_path``; no
binary fixture is committed."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Minimal but genuine headers of formats people rename to .csv by mistake.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00C\x00" + bytes(64)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(20)
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48)


def csv_text(rows: Sequence[Sequence[str]], *, delimiter: str = ",", newline: str = "\n") -> str:
    """Rows as CSV text, quoted the way Excel and Python's csv module write it."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def write_text(path: Path, text: str, *, encoding: str = "utf-8", bom: bytes = b"") -> Path:
    """Write ``text`` encoded with ``encoding`` (no newline translation), after ``bom``."""
    path.write_bytes(bom + text.encode(encoding))
    return path


def write_csv(
    path: Path, rows: Sequence[Sequence[str]], *, encoding: str = "utf-8", delimiter: str = ",", newline: str = "\n", bom: bytes = b""
) -> Path:
    return write_text(path, csv_text(rows, delimiter=delimiter, newline=newline), encoding=encoding, bom=bom)


def write_utf16_be_with_bom(path: Path, text: str) -> Path:
    return write_text(path, text, encoding="utf-16-be", bom=codecs.BOM_UTF16_BE)


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook with one worksheet per entry, written by openpyxl."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def write_parquet(path: Path, columns: dict[str, list[Any]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path, row_group_size=3)
    return path


def truncated(path: Path, keep: float = 0.5) -> Path:
    """Cut ``path`` short in place, as an interrupted download or copy would."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def corrupt_middle(path: Path) -> Path:
    """Overwrite the middle third of ``path`` with junk, keeping its size and both ends."""
    data = bytearray(path.read_bytes())
    third = len(data) // 3
    data[third : 2 * third] = b"\xab" * third
    path.write_bytes(bytes(data))
    return path


def write_zip(path: Path) -> Path:
    """A ZIP archive holding a text file: not a workbook."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("notes.txt", "hello")
    return path


def sample_reviews(n: int) -> list[list[str]]:
    """A small labelled review table: id, a longer text, a short label."""
    words = ["good", "bad", "service", "slow", "tasty, really", 'the "best"', "never again", "ok"]
    labels = ["positive", "negative", "neutral"]
    rows = [["id", "review", "sentiment"]]
    for i in range(n):
        text = " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(4 + i % 9)) + f" #{i}"
        rows.append([str(i), text, labels[i % 3]])
    return rows


EXCEL_CELLS = [
    ["int", "float", "bool", "date", "datetime", "text", "empty", "big"],
    [3, 0.5, True, dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 13, 45, 7), "00123", None, 1e20],
    [3.0, 0.1 + 0.2, False, dt.date(1999, 12, 31), dt.datetime(2024, 1, 5), "  spaced  ", None, 12345678],
]
EXCEL_TEXT = [
    ["3", "0.5", "TRUE", "2024-01-05", "2024-01-05 13:45:07", "00123", "", "1e+20"],
    ["3", "0.3", "FALSE", "1999-12-31", "2024-01-05", "  spaced  ", "", "12345678"],
]
