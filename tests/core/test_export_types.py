"""Exports keep the data as it was: numbers stay numbers, dates dates, text text; failures are one line.

Which cells a spreadsheet runs as formulas was checked with LibreOffice 7.4 (headless
conversion to .ods, see test_libreoffice_runs_no_exported_cell): from a CSV it evaluates
text starting with ``=`` only, and never a typed string cell of an .xlsx.
"""

from __future__ import annotations

import datetime as dt
import decimal
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bertdesk.core.importing import ImportOptions, import_spreadsheet
from bertdesk.core.project import Project
from bertdesk.core.project.export_contents import project_export_frame
from bertdesk.core.tables.column_types import typed_column
from bertdesk.core.tables.writing import export_frame, is_formula_like

ROOT = Path(__file__).resolve().parents[2]


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def xlsx_cells(path: Path) -> dict[str, list]:
    import openpyxl

    rows = list(openpyxl.load_workbook(path).active.iter_rows())
    return {str(head.value): [row[j] for row in rows[1:]] for j, head in enumerate(rows[0])}


def test_formula_rule() -> None:
    for text in ["=1", "+A1", "-2+3", "@SUM(1)", "\t1", "\r1", " =1", "\u3000=1", "\uff1d1", "\uff0b1", "\uff0d1", "\uff20x", "- bullet"]:
        assert is_formula_like(text), text
    for text in ["-5", "+5", "-5.25", "-1,234.5", "-.5", "-1e5", "1+1", " +1", "a=b", "", "00123", "－"[:0]]:
        assert not is_formula_like(text), text


def test_float32_written_in_its_own_shortest_form(tmp_path: Path) -> None:
    values = np.array([0.9, 0.1, 1e-8, 1.0, 0.5008849], dtype=np.float32)
    frame = pd.DataFrame({"p": values})
    back = read_csv(export_frame(frame, tmp_path / "out.csv"))
    assert back["p"].tolist() == ["0.9", "0.1", "1e-8", "1", "0.5008849"]
    assert [c.value for c in xlsx_cells(export_frame(frame, tmp_path / "out.xlsx"))["p"]] == [0.9, 0.1, 1e-8, 1.0, 0.5008849]
    assert pq.read_table(export_frame(frame, tmp_path / "out.parquet")).schema.field("p").type == pa.float32()


def _xlsx_source(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["text", "amount", "count", "day", "when", "flag", "zip", "mixed", "negative text"])
    rows = [
        ["- bullet one", -5, 3, dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 13, 45, 7), True, "00123", 1, "-5"],
        ["+1 typed", 3.25, 4, dt.date(2024, 2, 29), dt.datetime(2024, 1, 6), False, "00042", "one", "-7"],
        ["plain", None, 5, None, None, None, "12345", 2, "+3"],
    ]
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _import(source: Path, tmp_path: Path) -> Project:
    return import_spreadsheet(ImportOptions(source=source, project_path=tmp_path / "p.bertdesk", text_column="text"))


def test_xlsx_source_types_survive_export(tmp_path: Path) -> None:
    with _import(_xlsx_source(tmp_path / "src.xlsx"), tmp_path) as project:
        assert project.frame()["zip"].tolist() == ["00123", "00042", "12345"]  # the snapshot is text
        table = project_export_frame(project, None)
    cells = xlsx_cells(export_frame(table, tmp_path / "out.xlsx"))
    assert [c.value for c in cells["amount"]] == [-5, 3.25, None] and cells["amount"][0].data_type == "n"
    assert [c.value for c in cells["count"]] == [3, 4, 5]
    assert [c.value for c in cells["day"]][:2] == [dt.datetime(2024, 1, 5), dt.datetime(2024, 2, 29)]
    assert cells["day"][0].is_date and cells["when"][0].value == dt.datetime(2024, 1, 5, 13, 45, 7)
    assert [c.value for c in cells["flag"]][:2] == [True, False]
    assert [c.value for c in cells["zip"]] == ["00123", "00042", "12345"]  # text stays text
    assert [c.value for c in cells["mixed"]] == ["1", "one", "2"]  # a mixed column is text
    assert [c.value for c in cells["negative text"]] == ["-5", "-7", "+3"]
    assert cells["negative text"][0].data_type == "s"
    # Text written unchanged: a typed string cell is never a formula, so no apostrophe is added.
    assert [c.value for c in cells["text"]] == ["- bullet one", "+1 typed", "plain"]

    back = read_csv(export_frame(table, tmp_path / "out.csv"))
    assert back["amount"].tolist() == ["-5", "3.25", ""]
    assert back["day"].tolist() == ["2024-01-05", "2024-02-29", ""]
    assert back["when"].tolist() == ["2024-01-05 13:45:07", "2024-01-06", ""]
    assert back["flag"].tolist() == ["TRUE", "FALSE", ""]
    assert back["negative text"].tolist() == ["-5", "-7", "+3"]
    assert back["text"].tolist() == ["'- bullet one", "'+1 typed", "plain"]

    schema = pq.read_schema(export_frame(table, tmp_path / "out.parquet"))
    assert schema.field("amount").type == pa.float64() and schema.field("count").type == pa.float64()
    assert schema.field("day").type == pa.date32() and pa.types.is_timestamp(schema.field("when").type)
    assert schema.field("flag").type == pa.bool_() and pa.types.is_large_string(schema.field("zip").type)


def test_parquet_source_types_survive_export(tmp_path: Path) -> None:
    source = tmp_path / "src.parquet"
    pq.write_table(
        pa.table(
            {
                "text": ["-5", "=2", "x"],
                "i32": pa.array([-5, 0, 2**31 - 1], pa.int32()),
                "big": pa.array([2**62 + 1, None, -1], pa.int64()),
                "f": [0.1, -2.5, None],
                "d": pa.array([dt.date(2024, 1, 5), None, dt.date(1999, 12, 31)]),
                "t": pa.array([dt.datetime(2024, 1, 5, 1, 2, 3), None, dt.datetime(2024, 1, 6)], pa.timestamp("us")),
                "b": [True, False, None],
                "money": pa.array([decimal.Decimal("12345678901234567.89"), None, decimal.Decimal("-0.01")], pa.decimal128(20, 2)),
            }
        ),
        source,
    )
    with _import(source, tmp_path) as project:
        table = project_export_frame(project, None)
    back = pq.read_table(export_frame(table, tmp_path / "out.parquet"))
    assert back.column("i32").type == pa.int64() and back.column("i32").to_pylist() == [-5, 0, 2**31 - 1]
    assert back.column("big").to_pylist() == [2**62 + 1, None, -1]  # exact, not through a float
    assert back.column("f").to_pylist() == [0.1, -2.5, None]
    assert back.column("d").type == pa.date32() and back.column("d").to_pylist()[0] == dt.date(2024, 1, 5)
    assert back.column("t").to_pylist()[0] == dt.datetime(2024, 1, 5, 1, 2, 3)
    assert back.column("b").to_pylist() == [True, False, None]
    assert back.column("money").to_pylist()[0] == decimal.Decimal("12345678901234567.89")
    assert back.column("text").to_pylist() == ["-5", "=2", "x"]
    csv = read_csv(export_frame(table, tmp_path / "out.csv"))
    assert csv["i32"].tolist() == ["-5", "0", "2147483647"] and csv["text"].tolist() == ["-5", "'=2", "x"]
    assert csv["money"].tolist() == ["12345678901234567.89", "", "-0.01"]


def test_csv_source_text_stays_text(tmp_path: Path) -> None:
    source = tmp_path / "src.csv"
    source.write_text("text,n\nhello,-5\nbye,00123\n", encoding="utf-8")
    with _import(source, tmp_path) as project:
        assert "column_types" in project.source and not project.source["column_types"]
        table = project_export_frame(project, None)
    assert read_csv(export_frame(table, tmp_path / "out.csv"))["n"].tolist() == ["-5", "00123"]
    cells = xlsx_cells(export_frame(table, tmp_path / "out.xlsx"))["n"]
    assert [(c.value, c.data_type) for c in cells] == [("-5", "s"), ("00123", "s")]


def test_old_project_without_column_types_exports_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["a", "b"], "n": ["-5", "3"]})
    with Project.create(tmp_path / "old.bertdesk", frame, text_column="text", source={"format": "xlsx"}) as project:
        table = project_export_frame(project, None)
    assert table["n"].tolist() == ["-5", "3"]


def test_a_typed_column_that_does_not_parse_stays_text() -> None:
    texts = pd.Series(["1", "two", ""], dtype="str")
    assert typed_column(texts, "number") is texts
    assert typed_column(pd.Series(["1", ""], dtype="str"), "integer").tolist() == [1, pd.NA]


SCRIPT = """
import sys, openpyxl.worksheet._writer as w
import pandas as pd
from bertdesk.core.tables.writing import ExportError, export_frame
mode, target = sys.argv[1], sys.argv[2]
if mode == "full":
    real = w.WorksheetWriter.write_row
    def write_row(self, xf, row, row_idx):
        if row_idx > 50:
            raise OSError(28, "No space left on device", self.out)
        return real(self, xf, row, row_idx)
    w.WorksheetWriter.write_row = write_row
    frame = pd.DataFrame({"text": ["row %d" % i for i in range(200)]})
else:
    frame = pd.DataFrame({"text": ["short", "x" * 100_000]})
try:
    export_frame(frame, target)
except ExportError as err:
    print(err)
import gc, os
gc.collect()
print("left:", [p for p in w.ALL_TEMP_FILES if os.path.exists(p)])
"""


@pytest.mark.parametrize("mode", ["long", "full"])
def test_xlsx_failure_is_one_line_without_traceback(tmp_path: Path, mode: str) -> None:
    target = tmp_path / "out.xlsx"
    result = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(target)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.stderr == ""  # no "Exception ignored ... Traceback" from openpyxl's streams
    message, left = result.stdout.splitlines()
    if mode == "long":
        assert message == (
            "Column 'text', row 2: a cell has 100,000 characters and Excel holds at most 32,767; export as .csv or .parquet instead."
        )
    else:
        assert message.startswith(f"Cannot write {target}: No space left on device (writing the temporary file ")
    assert left == "left: []"  # the streamed sheet's temporary file is gone
    assert list(tmp_path.iterdir()) == []


CELLS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    " =1+1",
    "\uff1d1+1",
    '=HYPERLINK("http://x","y")',
    "- bullet",
    "-5",
    "-5.25",
    "00123",
]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_runs_no_exported_cell(tmp_path: Path) -> None:
    n = len(CELLS)
    frame = pd.DataFrame(
        {
            "v": pd.Series(CELLS, dtype="str"),
            "number": pd.array([-5.0] * n, dtype="Float64"),  # a numeric source column
            "text": pd.Series(["-5"] * n, dtype="str"),  # "-5" typed in a CSV source
        }
    )
    results = {}
    for suffix in (".csv", ".xlsx"):
        source = export_frame(frame, tmp_path / f"out{suffix}")
        options = ["--infilter=CSV:44,34,76,1,,0,false,true,false,false,false,-1,true"] if suffix == ".csv" else []
        subprocess.run(
            ["soffice", "--headless", *options, "--convert-to", "ods", "--outdir", str(tmp_path / suffix[1:]), str(source)],
            check=True,
            capture_output=True,
            timeout=120,
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        )
        results[suffix] = _ods_cells(tmp_path / suffix[1:] / "out.ods")
    for cells in results.values():
        assert not [c for c in cells if c[0]]  # no cell became a formula
    minus_five = (None, "float", "-5")
    assert results[".csv"].count(minus_five) == 2 * n + 1  # -5 is a number, never '-5
    assert results[".xlsx"].count(minus_five) == n  # the numeric column; text stays text


def _ods_cells(path: Path) -> list[tuple[str | None, str | None, str | None]]:
    """(formula, value type, value) of every cell LibreOffice wrote, repeats expanded."""
    import xml.etree.ElementTree as ET

    table = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    office = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    root = ET.fromstring(zipfile.ZipFile(path).read("content.xml"))
    return [
        (cell.get(table + "formula"), cell.get(office + "value-type"), cell.get(office + "value"))
        for cell in root.iter(table + "table-cell")
        for _ in range(int(cell.get(table + "number-columns-repeated", "1")))
    ]
