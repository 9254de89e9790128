"""Exports: every original column plus predictions; formulas neutralised; text round-trips; atomic."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bertdesk.core.errors import Cancelled
from bertdesk.core.progress import CancelToken
from bertdesk.core.tables.writing import ExportError, export_format, export_frame, neutralise, with_predictions

FORMULAS = [
    "=1+1",
    "+SUM(A1)",
    "-2+3",
    "@cmd",
    "\tTAB",
    "\rCR",
    '=HYPERLINK("http://x","y")',
    " =not at start",
    "\t =1",
    "\uff1d1+1",
    "\uff0bSUM(A1)",
    "\uff0d2+3",
    "\uff20cmd",
    "- bullet",
    "-x",
    "-5%",
]
SAFE = [
    "plain text",
    "emoji 😀👍🏽 and ZWJ 👩‍💻",
    "中文 日本語 한국어",
    "שלום עולם مرحبا",
    "quotes \"double\" and 'single', commas; semicolons",
    "line one\nline two",
    "  leading and trailing spaces  ",
    "a=b+c-d@e",
    " +1 not a formula after a space",
    "-5",
    "+3.25",
    "-1,234.5",
    "-.5",
    "-1e5",
    "",
    "0001234",
    "1e10",
    "TRUE",
    "NA",
]
CLASSES = ["neg", "pos"]


def frame() -> pd.DataFrame:
    texts = FORMULAS + SAFE
    n = len(texts)
    return pd.DataFrame(
        {
            "id": pd.Series([f"{i:03d}" for i in range(n)], dtype="str"),
            "text": pd.Series(texts, dtype="str"),
            "=danger header": pd.Series(["-x"] * n, dtype="str"),
        }
    )


def table() -> pd.DataFrame:
    f = frame()
    n = len(f)
    p = np.linspace(0.05, 0.95, n, dtype=np.float32)
    probs = np.stack([1 - p, p], axis=1)
    return with_predictions(f, [CLASSES[int(x > 0.5)] for x in p], probs.max(axis=1), probs, CLASSES)


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_columns() -> None:
    t = table()
    assert list(t.columns) == ["id", "text", "=danger header", "predicted_label", "confidence", "p_neg", "p_pos"]
    clash = with_predictions(pd.DataFrame({"confidence": ["x"]}), ["neg"], [0.9], np.array([[0.9, 0.1]]), CLASSES)
    assert list(clash.columns) == ["confidence", "predicted_label", "confidence (predicted)", "p_neg", "p_pos"]
    assert clash["confidence"].tolist() == ["x"]


def test_csv_neutralises_formulas_and_round_trips_text(tmp_path: Path) -> None:
    out = export_frame(table(), tmp_path / "out.csv")
    back = read_csv(out)
    assert list(back.columns) == ["id", "text", "'=danger header", "predicted_label", "confidence", "p_neg", "p_pos"]
    texts = back["text"].tolist()
    assert texts[: len(FORMULAS)] == ["'" + t for t in FORMULAS]
    assert texts[len(FORMULAS) :] == SAFE  # byte for byte
    assert back["id"].tolist() == frame()["id"].tolist()  # leading zeros kept
    assert set(back["'=danger header"]) == {"'-x"}
    np.testing.assert_allclose(back["confidence"].astype(float), table()["confidence"], rtol=1e-6)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8


def test_xlsx_has_no_formulas_and_round_trips_text(tmp_path: Path) -> None:
    import openpyxl

    out = export_frame(table(), tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(out)
    sheet = book.active
    rows = list(sheet.iter_rows())
    assert all(cell.data_type != "f" for row in rows for cell in row)
    header = [c.value for c in rows[0]]
    # Typed string cells are never evaluated (LibreOffice 7.4, see test_export_types.py), so the
    # text is written unchanged; formula-like text also gets Excel's quote-prefix style.
    assert header == ["id", "text", "=danger header", "predicted_label", "confidence", "p_neg", "p_pos"]
    texts = [row[1].value or "" for row in rows[1:]]
    # XML stores a carriage return as a line feed, so only "\rCR" differs.
    assert texts[: len(FORMULAS)] == [t.replace("\r", "\n") for t in FORMULAS]
    assert texts[len(FORMULAS) :] == SAFE
    assert [row[1].quotePrefix for row in rows[1:]] == [True] * len(FORMULAS) + [False] * len(SAFE)
    assert rows[0][2].quotePrefix and not rows[0][1].quotePrefix
    assert [row[0].value for row in rows[1:]] == frame()["id"].tolist()
    assert isinstance(rows[1][4].value, float)
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml


def test_parquet_is_not_neutralised(tmp_path: Path) -> None:
    out = export_frame(table(), tmp_path / "out.parquet")
    back = pd.read_parquet(out)
    assert back["text"].tolist() == FORMULAS + SAFE
    assert list(back.columns) == list(table().columns)
    assert back["p_pos"].dtype == np.float32


def test_atomic_and_cancel(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        export_frame(table(), target, cancel=token)
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["out.csv"]  # no temporary file left
    export_frame(table(), target)
    assert os.listdir(tmp_path) == ["out.csv"] and read_csv(target).shape[0] == len(table())


def test_bad_targets(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"\.csv, \.xlsx or \.parquet"):
        export_format(tmp_path / "out.txt")
    with pytest.raises(ExportError, match="does not exist"):
        export_frame(table(), tmp_path / "missing" / "out.csv")


def test_neutralise() -> None:
    for text in FORMULAS:
        assert neutralise(text) == "'" + text
    for text in SAFE:
        assert neutralise(text) == text
