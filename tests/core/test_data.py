"""read_table and friends: formats, encodings, delimiters, exact text, bad files, progress."""

from __future__ import annotations

import codecs
import csv
import io
import os
import random
import time
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.core.errors import Cancelled, TableReadError
from bertdesk.core.progress import CancelToken, Progress
from bertdesk.core.tables import delimited, rawfile
from bertdesk.core.tables import reading as data
from bertdesk.core.tables.reading import (
    DELIMITER_CHOICES,
    ENCODING_CHOICES,
    LoadedTable,
    TableInfo,
    list_sheets,
    read_table,
    suggest_columns,
)
from tests.core import data_files as files

ROWS = [["id", "text", "label"], ["1", "first text", "pos"], ["2", "second, with comma", "neg"]]


def rows_of(table: LoadedTable) -> list[list[str]]:
    return [list(table.info.columns), *table.frame.values.tolist()]


def assert_all_text(frame: pd.DataFrame) -> None:
    for column in frame.columns:
        assert pd.api.types.is_string_dtype(frame[column].dtype), column
    assert not frame.isna().any().any()


# ------------------------------------------------------------------------ encodings

FRENCH = [
    ["id", "texte", "label"],
    ["1", "Le café était très bon, à refaire", "positif"],
    ["2", "Service déplorable; « jamais » je n'y retournerai", "négatif"],
    ["3", "Crème brûlée délicieuse — 5 € seulement", "positif"],
]
GERMAN = [
    ["id", "text", "label"],
    ["1", "Größe passt nicht, Qualität mäßig", "negativ"],
    ["2", "Schöne Überraschung für 20 €", "positiv"],
    ["3", "Straße war gesperrt", "neutral"],
]
CHINESE = [
    ["id", "text", "label"],
    ["1", "这家餐厅的服务非常好，菜也很好吃", "正面"],
    ["2", "价格太贵了，不会再来了", "负面"],
    ["3", "一般般吧，没有什么特别的", "中性"],
]
JAPANESE = [
    ["id", "text", "label"],
    ["1", "このレストランはとても美味しかったです", "良い"],
    ["2", "サービスが遅くて残念でした", "悪い"],
    ["3", "普通でした。また来るかもしれません", "普通"],
]
MIXED = [["id", "text", "label"], ["1", "Crème brûlée 😀 naïve", "pos"], ["2", "日本語と中文", "neg"]]


@pytest.mark.parametrize(
    ("rows", "codec", "bom", "expected"),
    [
        (MIXED, "utf-8", b"", "utf-8"),
        (MIXED, "utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        (MIXED, "utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        (MIXED, "utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        (FRENCH, "cp1252", b"", "cp1252"),
        (GERMAN, "cp1252", b"", "cp1252"),
        (CHINESE, "gb18030", b"", "gb18030"),
        (CHINESE, "gbk", b"", "gb18030"),
        (JAPANESE, "shift_jis", b"", "shift_jis"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "cp1252-fr", "cp1252-de", "gb18030", "gbk", "sjis"],
)
def test_encoding_is_detected(tmp_path: Path, rows: list[list[str]], codec: str, bom: bytes, expected: str) -> None:
    path = files.write_csv(tmp_path / "t.csv", rows, encoding=codec, bom=bom)
    table = read_table(path)
    assert rows_of(table) == rows
    assert table.info.encoding == expected
    assert table.info.warnings == ()
    assert_all_text(table.frame)


def test_latin1_reads_as_a_western_code_page(tmp_path: Path) -> None:
    rows = [["a", "b"], ["1", "café crème"], ["2", "façade"]]
    table = read_table(files.write_csv(tmp_path / "l.csv", rows, encoding="latin-1"))
    assert rows_of(table) == rows
    assert table.info.encoding in {"cp1252", "latin-1"}


def test_excel_unicode_text_is_utf16_tab_separated(tmp_path: Path) -> None:
    rows = [["id", "text", "label"], ["1", "Grüße, 你好", "a"], ["2", "plain", "b"]]
    path = files.write_csv(tmp_path / "export.txt", rows, encoding="utf-16-le", delimiter="\t", newline="\r\n", bom=codecs.BOM_UTF16_LE)
    table = read_table(path)
    assert rows_of(table) == rows
    assert (table.info.format, table.info.delimiter, table.info.encoding) == ("tsv", "\t", "utf-16")


def test_encoding_override_is_used(tmp_path: Path) -> None:
    path = files.write_csv(tmp_path / "o.csv", FRENCH, encoding="cp1252")
    table = read_table(path, encoding="latin-1")
    assert table.info.encoding == "latin-1"
    assert table.frame["texte"][0] == "Le café était très bon, à refaire"


def test_unknown_encoding_is_a_table_read_error(tmp_path: Path) -> None:
    path = files.write_csv(tmp_path / "o.csv", ROWS)
    with pytest.raises(TableReadError, match="o.csv: unknown encoding"):
        read_table(path, encoding="klingon")


def test_wrong_encoding_override_warns_about_replacement_characters(tmp_path: Path) -> None:
    path = files.write_csv(tmp_path / "w.csv", FRENCH, encoding="cp1252")
    table = read_table(path, encoding="utf-8")
    assert "\ufffd" in table.frame["texte"][0]
    assert any("could not be decoded as utf-8" in w for w in table.info.warnings)


def test_damaged_utf8_keeps_utf8_and_warns(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes("id,text\n1,café ok\n2,naïve\n".encode() + b"3,caf\xe9\n")
    table = read_table(path)
    assert table.info.encoding == "utf-8"
    assert table.frame["text"].tolist() == ["café ok", "naïve", "caf\ufffd"]
    assert any("\ufffd" in w for w in table.info.warnings)


def test_non_utf8_bytes_after_the_sample_switch_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "SAMPLE_BYTES", 256)
    rows = [["id", "text"], *[[str(i), f"plain ascii row {i}"] for i in range(50)], ["50", "déjà vu, très cher"]]
    table = read_table(files.write_csv(tmp_path / "late.csv", rows, encoding="cp1252"))
    assert rows_of(table) == rows
    assert table.info.encoding == "cp1252"
    assert any("not UTF-8" in w and "line 52" in w for w in table.info.warnings)


def test_control_characters_warn(tmp_path: Path) -> None:
    path = files.write_text(tmp_path / "c.csv", "a,b\n1,x\x07y\n2,z\n")
    table = read_table(path)
    assert table.frame["b"][0] == "x\x07y"
    assert any("control character" in w for w in table.info.warnings)


def test_choices_are_python_codecs() -> None:
    for name in ENCODING_CHOICES:
        codecs.lookup(name)
    assert DELIMITER_CHOICES == {",": "Comma", ";": "Semicolon", "\t": "Tab", "|": "Pipe"}


# ------------------------------------------------------------------ delimiters, quoting


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_detected_from_content(tmp_path: Path, delimiter: str) -> None:
    # The text holds the other candidates, so only consistency can tell them apart.
    rows = [["id", "text", "label"]] + [[str(i), f"a, b; c | d\te {i}", "x" if i % 2 else "y"] for i in range(12)]
    path = files.write_csv(tmp_path / "d.csv", rows, delimiter=delimiter)  # extension says nothing
    table = read_table(path)
    assert table.info.delimiter == delimiter
    assert table.info.format == ("tsv" if delimiter == "\t" else "csv")
    assert rows_of(table) == rows


def test_delimiter_override(tmp_path: Path) -> None:
    path = files.write_text(tmp_path / "o.csv", "a;b,c\n1;2,3\n")
    assert rows_of(read_table(path, delimiter=",")) == [["a;b", "c"], ["1;2", "3"]]
    with pytest.raises(TableReadError, match="o.csv: the delimiter must be one character"):
        read_table(path, delimiter=";;")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_line_ends_quoted_newlines_and_doubled_quotes(tmp_path: Path, newline: str) -> None:
    rows = [
        ["id", "text", "label"],
        ["1", f"two{newline}lines", "a"],
        ["2", 'say "hi"', "b"],
        ["3", f'both{newline}"quoted"{newline}', "c"],
        ["4", "", "d"],
    ]
    table = read_table(files.write_csv(tmp_path / "q.csv", rows, newline=newline))
    assert rows_of(table) == rows


def test_quoted_newlines_across_blocks_and_past_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small blocks so records straddle block boundaries; the sample shows no multi-line record.
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 256)
    monkeypatch.setattr(data, "SAMPLE_BYTES", 1024)
    for last_column in (False, True):
        rows = [["id", "text", "label"]]
        for i in range(600):
            text = f"row {i} " + ("x\ny" if i > 60 and i % 3 == 0 else "flat")
            rows.append([str(i), "l", text] if last_column else [str(i), text, "l"])
        table = read_table(files.write_csv(tmp_path / f"late{last_column}.csv", rows))
        assert rows_of(table) == rows


def test_multiline_records_only_past_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The sample shows one-line records, so the fast mode (no quoted line breaks) is tried;
    # where a quoted line break meets a block boundary pyarrow may drop or split a record
    # without an error (about 3% of these files); the checks must catch every one.
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 128)
    monkeypatch.setattr(data, "SAMPLE_BYTES", 256)
    rng = random.Random(99)
    for trial in range(200):
        ncols = rng.randint(1, 3)
        rows = [[f"c{j}" for j in range(ncols)]]
        for i in range(rng.randint(20, 120)):
            values = [" ".join(rng.choice(["a", "bb", "c,d", "e"]) for _ in range(rng.randint(1, 6))) for _ in range(ncols)]
            rows.append([v.replace(" ", "\n", 1) if i > 12 and rng.random() < 0.15 else v for v in values])
        path = files.write_csv(tmp_path / f"m{trial}.csv", rows, newline=rng.choice(["\n", "\r\n"]))
        assert rows_of(read_table(path)) == rows, trial


def test_random_csv_files_parse_like_the_csv_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 256)
    monkeypatch.setattr(data, "SAMPLE_BYTES", 512)
    rng = random.Random(1234)
    pieces = ["a", "bb", "c, d", "e;f", 'g"h', " sp ", "", "é", "\n", "\r\n", "0012"]
    for trial in range(60):
        ncols = rng.randint(1, 4)
        newline = rng.choice(["\n", "\r\n", "\r"])
        rows = [[f"c{j}" for j in range(ncols)]]
        for _ in range(rng.randint(1, 80)):
            rows.append(["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(ncols)])
        text = files.csv_text(rows, newline=newline)
        path = files.write_text(tmp_path / f"r{trial}.csv", text)
        # Python's csv module is the reference (it yields [] for a blank line, which is skipped).
        # The writer does not quote a lone "\n" when rows end in "\r", so some files are ragged:
        # short records are padded, long ones are an error.
        expected = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
        if any(len(r) > ncols for r in expected):
            with pytest.raises(TableReadError, match=r"r\d+\.csv: line \d+ has \d+ fields"):
                read_table(path, delimiter=",")
            continue
        expected = [r + [""] * (ncols - len(r)) for r in expected]
        table = read_table(path, delimiter=",")
        assert rows_of(table) == expected, (trial, text[:200])


def test_quoted_crlf_split_by_a_block_boundary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pyarrow drops the "\n" of a quoted "\r\n" that a block boundary splits; every offset
    # of the boundary is tried by growing the first value one character at a time.
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 64)
    for pad in range(40):
        rows = [["id", "text"], ["0", "p" * pad]] + [[str(i), "a\r\n\r\n\nb"] for i in range(1, 12)]
        path = files.write_csv(tmp_path / f"crlf{pad}.csv", rows, newline="\r\n")
        assert rows_of(read_table(path)) == rows, pad


def test_row_longer_than_a_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 1024)
    rows = [["id", "text"], ["1", "x" * 5000], ["2", "short"]]
    assert rows_of(read_table(files.write_csv(tmp_path / "long.csv", rows))) == rows


def test_quoting_is_lenient_the_same_way_on_both_paths(tmp_path: Path) -> None:
    # Text after a closing quote is kept (as pandas and pyarrow do). The second file has a
    # short row, which sends it down the slow path: the same text must come out.
    fast = read_table(files.write_text(tmp_path / "fast.csv", 'a,b\n1,"x\ny"z\n2,w\n'))
    slow = read_table(files.write_text(tmp_path / "slow.csv", 'a,b\n1,"x\ny"z\n2,w\n3\n'))
    assert fast.frame["b"].tolist() == ["x\nyz", "w"]
    assert slow.frame["b"].tolist() == ["x\nyz", "w", ""]


def test_short_rows_are_padded_with_a_warning(tmp_path: Path) -> None:
    path = files.write_text(tmp_path / "short.csv", "a,b,c\n1,2,3\n4,5\n6\n")
    table = read_table(path)
    assert rows_of(table) == [["a", "b", "c"], ["1", "2", "3"], ["4", "5", ""], ["6", "", ""]]
    assert any("padded" in w and "line 3" in w for w in table.info.warnings)


# ------------------------------------------------------------------------ exact text


def test_text_is_kept_exactly(tmp_path: Path) -> None:
    rows = [
        ["code", "value", "note"],
        ["00123", "NA", "  padded  "],
        ["007", "null", "N/A"],
        ["", "", "e\u0301 (decomposed)"],
        ["1e5", "nan", "\u00e9 (composed)"],
        ["TRUE", "None", "#N/A"],
    ]
    table = read_table(files.write_csv(tmp_path / "exact.csv", rows))
    assert rows_of(table) == rows
    assert_all_text(table.frame)


def test_blank_and_duplicate_column_names(tmp_path: Path) -> None:
    path = files.write_text(tmp_path / "names.csv", "name,,name, ,Column 2\n1,2,3,4,5\n")
    assert read_table(path).info.columns == ("name", "Column 2", "name (2)", "Column 4", "Column 2 (2)")


def test_header_row_skips_rows_above(tmp_path: Path) -> None:
    text = 'Exported 2024-05-01\n"A note, with a\nline break"\n\nid;text\n1;a\n2;b\n'
    table = read_table(files.write_text(tmp_path / "pre.csv", text), header_row=2)
    assert rows_of(table) == [["id", "text"], ["1", "a"], ["2", "b"]]
    assert (table.info.header_row, table.info.delimiter) == (2, ";")


def test_header_row_past_the_end(tmp_path: Path) -> None:
    with pytest.raises(TableReadError, match=r"h.csv: there is no row 10"):
        read_table(files.write_csv(tmp_path / "h.csv", ROWS), header_row=9)


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    table = read_table(files.write_text(tmp_path / "b.csv", "a,b\n\n1,2\n\n3,4\n\n\n"))
    assert rows_of(table) == [["a", "b"], ["1", "2"], ["3", "4"]]


def test_max_rows_reads_only_the_start(tmp_path: Path) -> None:
    rows = [["id", "text"], *[[str(i), f"text {i}"] for i in range(60000)]]
    text = files.csv_text(rows) + "bad,row,with,extra,fields\n"  # a full read would fail here
    path = files.write_text(tmp_path / "big.csv", text)
    table = read_table(path, max_rows=200)
    assert table.info.rows == 200 and len(table.frame) == 200
    assert table.frame["text"].iloc[-1] == "text 199"
    with pytest.raises(TableReadError, match="big.csv: line 60002 has 5 fields"):
        read_table(path)


def test_format_comes_from_content_not_extension(tmp_path: Path) -> None:
    csv_named_xlsx = files.write_csv(tmp_path / "really_csv.xlsx", ROWS)
    assert read_table(csv_named_xlsx).info.format == "csv"
    xlsx_named_csv = files.write_xlsx(tmp_path / "really_xlsx.csv", {"S": ROWS})
    assert read_table(xlsx_named_csv).info.format == "xlsx"
    parquet_named_txt = files.write_parquet(tmp_path / "really.txt", {"a": ["x", "y"]})
    assert read_table(parquet_named_txt).info.format == "parquet"


@pytest.mark.parametrize("name", ["my reviews.csv", "données é.csv", "a#b.csv", "100%.csv", "[x] y.csv", "it's.csv", "日本語.csv"])
def test_awkward_paths(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "dir with spaces #%[]'"
    folder.mkdir()
    path = files.write_csv(folder / name, ROWS)
    assert rows_of(read_table(str(path))) == ROWS
    xlsx = files.write_xlsx(folder / (name + ".xlsx"), {"S": ROWS})
    assert rows_of(read_table(xlsx)) == ROWS


# --------------------------------------------------------------------- xlsx, parquet


def test_xlsx_sheets_default_and_choice(tmp_path: Path) -> None:
    second = [["text", "tag"], ["hello", "a"], ["bye", "b"]]
    path = files.write_xlsx(tmp_path / "book.xlsx", {"First": ROWS, "Second": second})
    assert list_sheets(path) == ["First", "Second"]
    table = read_table(path)
    assert rows_of(table) == ROWS
    assert (table.info.format, table.info.sheet, table.info.sheets) == ("xlsx", "First", ("First", "Second"))
    assert (table.info.encoding, table.info.delimiter) == (None, None)
    chosen = read_table(path, sheet="Second")
    assert rows_of(chosen) == second and chosen.info.sheet == "Second"
    with pytest.raises(TableReadError, match="book.xlsx: there is no sheet named 'Third'"):
        read_table(path, sheet="Third")


def test_xlsx_cells_come_out_as_excel_shows_them(tmp_path: Path) -> None:
    table = read_table(files.write_xlsx(tmp_path / "cells.xlsx", {"S": files.EXCEL_CELLS}))
    assert rows_of(table) == [files.EXCEL_CELLS[0], *files.EXCEL_TEXT]
    assert_all_text(table.frame)


def test_xlsx_header_row_blank_rows_and_max_rows(tmp_path: Path) -> None:
    rows = [["Quarterly export"], [], ["id", "text"], *[[i, f"t{i}"] for i in range(10)], [], [99, "last"]]
    path = files.write_xlsx(tmp_path / "h.xlsx", {"S": rows})
    table = read_table(path, header_row=1)
    assert table.info.columns == ("id", "text")
    assert table.frame["id"].tolist() == [str(i) for i in range(10)] + ["99"]
    assert read_table(path, header_row=1, max_rows=3).frame["text"].tolist() == ["t0", "t1", "t2"]


def test_list_sheets_of_a_csv_is_empty(tmp_path: Path) -> None:
    assert list_sheets(files.write_csv(tmp_path / "x.csv", ROWS)) == []


def test_parquet_columns_become_text(tmp_path: Path) -> None:
    import datetime as dt

    path = files.write_parquet(
        tmp_path / "p.parquet",
        {
            "id": [1, 2, None, 4],
            "score": [0.5, 3.0, None, float("nan")],
            "text": ["00123", "", None, "NA"],
            "flag": [True, False, None, True],
            "when": [dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 6), None, dt.datetime(2024, 1, 7)],
        },
    )
    table = read_table(path)
    assert table.info.format == "parquet"
    assert table.frame.values.tolist() == [
        ["1", "0.5", "00123", "true", "2024-01-05"],
        ["2", "3", "", "false", "2024-01-06"],
        ["", "", "", "", ""],
        ["4", "", "NA", "true", "2024-01-07"],
    ]
    assert_all_text(table.frame)
    assert len(read_table(path, max_rows=2).frame) == 2


# ----------------------------------------------------------------------- suggestions


def test_suggestions_on_a_review_table(tmp_path: Path) -> None:
    table = read_table(files.write_csv(tmp_path / "r.csv", files.sample_reviews(300)))
    assert (table.info.text_column, table.info.label_column) == ("review", "sentiment")


def test_suggestions_use_content_when_names_say_nothing() -> None:
    frame = pd.DataFrame(
        {
            "a": [str(i) for i in range(50)],
            "b": [("x" if i % 2 else "y") for i in range(50)],
            "c": [f"a longer free text sentence number {i}" for i in range(50)],
        },
        dtype="str",
    )
    assert suggest_columns(frame) == ("c", "b")


def test_suggestions_never_coincide_and_may_be_none() -> None:
    only_text = pd.DataFrame({"label": ["some long text here", "another long text"]}, dtype="str")
    text, label = suggest_columns(only_text)
    assert text != label
    assert suggest_columns(pd.DataFrame({"n": ["1", "2", "3"]}, dtype="str"))[0] is None
    assert suggest_columns(pd.DataFrame()) == (None, None)


def test_label_name_hint_wins_even_when_empty() -> None:
    frame = pd.DataFrame(
        {"text": [f"sentence {i} of many words" for i in range(20)], "category": [""] * 20, "kind": ["a", "b"] * 10}, dtype="str"
    )
    assert suggest_columns(frame) == ("text", "category")


# ------------------------------------------------------------------------- bad files


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, a fragment the one-line message must contain)."""
    t = tmp_path
    book = files.write_xlsx(t / "damaged.xlsx", {"S": files.sample_reviews(200)})
    corrupt_book = files.write_xlsx(t / "corrupt.xlsx", {"S": files.sample_reviews(2000)})
    pq_cut = files.write_parquet(t / "cut.parquet", {"a": [str(i) for i in range(100)]})
    pq_bad = files.write_parquet(t / "bad.parquet", {"a": [f"value {i}" for i in range(300)]})
    locked = files.write_csv(t / "locked.csv", ROWS)
    return {
        "empty": (files.write_text(t / "empty.csv", ""), "empty.csv: the file is empty"),
        "whitespace": (files.write_text(t / "blank.csv", "\r\n\n  \n"), "blank.csv: the file is empty"),
        "bom only": (files.write_text(t / "bom.csv", "", bom=codecs.BOM_UTF8), "bom.csv: the file is empty"),
        "header only": (files.write_text(t / "header.csv", "a,b,c\n"), "header.csv: has a header row but no data"),
        "png": (files.write_text(t / "image.csv", "", bom=files.PNG), "image.csv: is a PNG image"),
        "jpeg": (files.write_text(t / "photo.csv", "", bom=files.JPEG), "photo.csv: is a JPEG image"),
        "pdf": (files.write_text(t / "doc.csv", "", bom=files.PDF), "doc.csv: is a PDF document"),
        "gzip": (files.write_text(t / "data.csv", "", bom=files.GZIP), "data.csv: is a gzip archive"),
        "xls": (files.write_text(t / "old.csv", "", bom=files.XLS), "old.csv: the workbook is damaged or not a spreadsheet"),
        "exe": (files.write_text(t / "prog.csv", "", bom=files.EXECUTABLE), "prog.csv: is a binary file"),
        "zip": (files.write_zip(t / "archive.csv"), "archive.csv: is a ZIP archive"),
        "truncated xlsx": (files.truncated(book), "damaged.xlsx: the workbook is damaged"),
        "corrupt xlsx": (files.corrupt_middle(corrupt_book), "corrupt.xlsx:"),
        "truncated parquet": (files.truncated(pq_cut), "cut.parquet: the Parquet file is damaged"),
        "corrupt parquet": (files.corrupt_middle(pq_bad), "bad.parquet: the Parquet file is damaged"),
        "unterminated quote": (
            files.write_text(t / "uq.csv", 'a,b\n1,x\n2,"never closed\n3,y\n'),
            "uq.csv: line 3: a quoted field is never closed",
        ),
        "unterminated mid-row": (
            files.write_text(t / "uq2.csv", 'a,b,c\n1,x,y\n2,"open,z\n3,y,z\n'),
            "uq2.csv: line 3: a quoted field is never closed",
        ),
        "unterminated header": (files.write_text(t / "uq3.csv", 'a,"b\n1,2\n'), "uq3.csv: line 1:"),
        "too many fields": (
            files.write_text(t / "wide.csv", "a,b\n1,2\n3,4\n5,6,7\n"),
            "wide.csv: line 4 has 3 fields but the header has 2",
        ),
        "missing": (t / "nowhere.csv", "nowhere.csv: file not found"),
        "directory": (t, f"{t.name}: is a folder"),
        "locked": (locked, "locked.csv: permission denied"),
    }


BAD = [
    "empty",
    "whitespace",
    "bom only",
    "header only",
    "png",
    "jpeg",
    "pdf",
    "gzip",
    "xls",
    "exe",
    "zip",
    "truncated xlsx",
    "corrupt xlsx",
    "truncated parquet",
    "corrupt parquet",
    "unterminated quote",
    "unterminated mid-row",
    "unterminated header",
    "too many fields",
    "missing",
    "directory",
    "locked",
]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[Path, str]]]:
    folder = tmp_path_factory.mktemp("bad")
    return folder, _bad_files(folder)


@pytest.mark.parametrize("case", BAD)
@pytest.mark.parametrize("max_rows", [None, 100])
def test_bad_files_give_one_line_table_read_errors(
    bad_files: tuple[Path, dict[str, tuple[Path, str]]], monkeypatch: pytest.MonkeyPatch, case: str, max_rows: int | None
) -> None:
    tmp_path, cases = bad_files
    path, fragment = cases[case]
    if case == "locked":  # root ignores file modes, so simulate what the OS would say
        real_open = rawfile._open
        monkeypatch.setattr(
            rawfile,
            "_open",
            lambda p: (_ for _ in ()).throw(PermissionError(13, "denied")) if Path(p).name == "locked.csv" else real_open(p),
        )
    with pytest.raises(TableReadError) as caught:  # any other exception type fails the test
        read_table(path, max_rows=max_rows)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(path.name) or message.startswith(tmp_path.name)
    assert fragment in message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_real_permission_denied(tmp_path: Path) -> None:
    path = files.write_csv(tmp_path / "secret.csv", ROWS)
    path.chmod(0)
    try:
        with pytest.raises(TableReadError, match="secret.csv: permission denied"):
            read_table(path)
    finally:
        path.chmod(0o600)


def test_list_sheets_of_a_damaged_workbook(tmp_path: Path) -> None:
    path = files.truncated(files.write_xlsx(tmp_path / "d.xlsx", {"S": files.sample_reviews(200)}))
    with pytest.raises(TableReadError, match="d.xlsx: the workbook is damaged"):
        list_sheets(path)


def test_bad_arguments_are_value_errors(tmp_path: Path) -> None:
    path = files.write_csv(tmp_path / "x.csv", ROWS)
    with pytest.raises(ValueError):
        read_table(path, header_row=-1)
    with pytest.raises(ValueError):
        read_table(path, max_rows=0)


# ----------------------------------------------------------------- progress, cancel


def test_progress_reports_bytes_to_the_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 4096)
    path = files.write_csv(tmp_path / "reviews.csv", files.sample_reviews(3000))
    seen: list[Progress] = []
    read_table(path, on_progress=seen.append)
    size = path.stat().st_size
    assert seen and all(p.total == size for p in seen)
    assert seen[-1].done == size
    assert "reviews.csv" in seen[-1].message


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_cancel_before_start(tmp_path: Path, kind: str) -> None:
    rows = files.sample_reviews(50)
    path = {
        "csv": lambda: files.write_csv(tmp_path / "c.csv", rows),
        "xlsx": lambda: files.write_xlsx(tmp_path / "c.xlsx", {"S": rows}),
        "parquet": lambda: files.write_parquet(tmp_path / "c.parquet", {"a": [r[1] for r in rows]}),
    }[kind]()
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        read_table(path, cancel=token)


class _SlowFile(io.BufferedReader):
    """A file that takes 2 ms per read, so a small file still takes a while to load."""

    def read(self, size: int | None = -1) -> bytes:
        time.sleep(0.002)
        return super().read(size)


@pytest.mark.parametrize(("max_rows", "reader"), [(None, "fast"), (50000, "fast"), (None, "slow")])
def test_cancel_during_a_read_is_answered_quickly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_rows: int | None, reader: str
) -> None:
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(rawfile, "_open", lambda p: _SlowFile(io.FileIO(p, "rb")))
    if reader == "slow":
        monkeypatch.setattr(delimited, "_arrow_csv", lambda *args: None)
    path = files.write_csv(tmp_path / "c.csv", files.sample_reviews(20000))  # ~300 reads: ~0.6 s
    token = CancelToken()
    cancelled_at: list[float] = []

    def on_progress(progress: Progress) -> None:
        if 0 < progress.done < progress.total and not token.is_set():
            token.cancel()
            cancelled_at.append(time.monotonic())

    with pytest.raises(Cancelled):
        read_table(path, on_progress=on_progress, cancel=token, max_rows=max_rows)
    assert cancelled_at and time.monotonic() - cancelled_at[0] < 0.5


def test_info_is_frozen_and_complete(tmp_path: Path) -> None:
    table = read_table(files.write_csv(tmp_path / "i.csv", files.sample_reviews(10)))
    info = table.info
    assert isinstance(info, TableInfo)
    assert info.path == tmp_path / "i.csv"
    assert (info.rows, info.header_row, info.sheet, info.sheets) == (10, 0, None, ())
    with pytest.raises(AttributeError):
        info.rows = 3  # type: ignore[misc]
