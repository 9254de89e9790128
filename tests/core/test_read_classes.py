"""Classes of real exports bertdesk used to misread: Excel's "sep=" line, short cp1252 files,
Excel's trailing empty rows and unnamed columns, text with stray control characters, and
headers under a title or merged group headings (CSV and .xlsx), with ``--header-row``."""

from __future__ import annotations

import argparse
import codecs
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bertdesk.core.errors import TableReadError
from bertdesk.core.tables.reading import list_sheets, read_table
from tests.core import data_files as files

ROWS = [["id", "text", "label"], ["1", "great, really", "pos"], ["2", "slow; never again", "neg"], ["3", "ok | fine", "neu"]]


def rows_of(table) -> list[list[str]]:
    return [list(table.info.columns), *table.frame.values.tolist()]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bertdesk", *args], capture_output=True, text=True, encoding="utf-8", timeout=120)


# ----------------------------------------------------------------- Excel's "sep=" line

SEP_CASES = [
    # (encoding, bom, delimiter, newline, how the hint is spelled)
    ("utf-8", b"", ";", "\n", "sep=;"),
    ("utf-8", codecs.BOM_UTF8, ";", "\r\n", "sep=;"),
    ("utf-8", b"", ",", "\n", "sep=,"),
    ("utf-8", b"", "|", "\n", "SEP=|"),
    ("utf-8", b"", "\t", "\r\n", "sep=\t"),
    ("cp1252", b"", ";", "\r\n", "sep=;"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "\t", "\r\n", "sep=\t"),
    ("utf-16-be", codecs.BOM_UTF16_BE, ";", "\n", "sep=;"),
    ("utf-16-le", b"", ",", "\r\n", "sep=,"),
]


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter", "newline", "hint"), SEP_CASES, ids=[f"{c[0]}{'-bom' if c[1] else ''}-{c[2]!r}" for c in SEP_CASES]
)
def test_sep_line_names_the_delimiter_and_is_skipped(
    tmp_path: Path, encoding: str, bom: bytes, delimiter: str, newline: str, hint: str
) -> None:
    # Every cell holds the other candidate delimiters, so detection alone would be fooled.
    rows = [["id", "text", "label"], ["1", "a,b;c|d", "pos"], ["2", "x;y,z", "neg"], ["3", "Déjà vu", "pos"]]
    text = hint + newline + files.csv_text(rows, delimiter=delimiter, newline=newline)
    table = read_table(files.write_text(tmp_path / "excel.csv", text, encoding=encoding, bom=bom))
    assert rows_of(table) == rows
    assert table.info.delimiter == delimiter
    assert table.info.header_row == 0


def test_sep_line_with_an_explicit_header_row_and_delimiter(tmp_path: Path) -> None:
    path = files.write_text(tmp_path / "s.csv", "sep=;\nMy title\nid;text\n1;a,b\n2;c\n")
    assert rows_of(read_table(path, header_row=1)) == [["id", "text"], ["1", "a,b"], ["2", "c"]]
    # The user's delimiter wins, but the hint line is still not data.
    assert rows_of(read_table(path, header_row=1, delimiter=";", max_rows=1)) == [["id", "text"], ["1", "a,b"]]


def test_sep_line_past_the_fast_path(tmp_path: Path) -> None:
    # A ragged row sends the file to the slow reader, which must skip the hint line too.
    path = files.write_text(tmp_path / "r.csv", "sep=;\nid;text;label\n1;a\n2;b;c\n")
    table = read_table(path)
    assert rows_of(table) == [["id", "text", "label"], ["1", "a", ""], ["2", "b", "c"]]


# ------------------------------------------------------------- short cp1252 files

SHORT_WESTERN = {
    "fr-deja-vu": [["id", "text"], ["1", "Déjà vu"], ["2", "ok"], ["3", "bien"], ["4", "non"], ["5", "oui"]],
    "fr-avis": [
        ["nom", "avis"],
        ["Anaïs", "Très bien"],
        ["Jérôme", "Ça va"],
        ["Noël", "À éviter"],
        ["François", "Où est la gare ?"],
        ["Zoé", "Déçu, reçu trop tard"],
    ],
    "de-staedte": [
        ["Name", "Stadt", "Kommentar"],
        ["Jürgen", "München", "schön"],
        ["Grete", "Köln", "gut"],
        ["Hans", "Düsseldorf", "Größe passt"],
        ["Fritz", "Gießen", "ok"],
        ["Maria", "Bonn", "naja"],
    ],
    "de-kurz": [["text"], ["Ärger mit der Tür"], ["ok"], ["gut"], ["schlecht"], ["weiß nicht"]],
    "es-comentarios": [
        ["nombre", "comentario"],
        ["José", "Qué rico"],
        ["María", "Señor, ¿dónde está?"],
        ["Ñandú", "¡Hola!"],
        ["Inés", "niño, año"],
        ["Raúl", "también"],
    ],
    "es-corto": [["x"], ["niño"], ["año"], ["casa"], ["perro"], ["gato"]],
    "pt-textos": [
        ["nome", "texto"],
        ["João", "Não sei"],
        ["Conceição", "Ação rápida"],
        ["Camões", "Pão"],
        ["Inês", "Coração"],
        ["Antônio", "mãe e irmã"],
    ],
    "pt-curto": [["texto"], ["coração"], ["sim"], ["talvez"], ["nada"], ["bom"]],
    "nl-teksten": [
        ["naam", "tekst"],
        ["Anneliese", "Één keer"],
        ["René", "Café geëxporteerd"],
        ["Zoë", "Ruïne"],
        ["Joost", "beëindigd"],
        ["Sanne", "ideeën"],
    ],
    "nl-kort": [["tekst"], ["reünie"], ["ja"], ["nee"], ["misschien"], ["goed"]],
}


@pytest.mark.parametrize("name", list(SHORT_WESTERN))
def test_short_western_cp1252_files_read_as_cp1252(tmp_path: Path, name: str) -> None:
    rows = SHORT_WESTERN[name]
    table = read_table(files.write_csv(tmp_path / f"{name}.csv", rows, encoding="cp1252", newline="\r\n"))
    assert rows_of(table) == rows
    assert table.info.encoding == "cp1252"


def test_twenty_line_western_files_read_as_cp1252(tmp_path: Path) -> None:
    # 5-20 lines mixing the languages' accented words with plain ones, as survey exports do.
    words = [w for rows in SHORT_WESTERN.values() for row in rows[1:] for w in row]
    for lines in (5, 9, 14, 20):
        for offset in range(5):
            rows = [["id", "text"]] + [[str(i), f"{words[(i * 7 + offset) % len(words)]} ok"] for i in range(lines)]
            table = read_table(files.write_csv(tmp_path / f"w{lines}-{offset}.csv", rows, encoding="cp1252"))
            assert (table.info.encoding, rows_of(table)) == ("cp1252", rows)


def test_a_guess_from_few_accented_letters_is_a_warning(tmp_path: Path) -> None:
    table = read_table(files.write_text(tmp_path / "d.csv", "id,text\n1,Déjà vu\n2,ok\n", encoding="cp1252"))
    assert table.frame["text"][0] == "Déjà vu"
    assert any("cp1252 is a guess" in w and "2 non-ASCII" in w for w in table.info.warnings)
    table = read_table(files.write_text(tmp_path / "z.csv", "id,text\n1,你好\n2,谢谢\n", encoding="gb18030"))
    assert table.info.encoding == "gb18030" and any("gb18030 is a guess" in w for w in table.info.warnings)
    # Enough accented letters: no warning.
    rows = [["id", "text"], ["1", "Déjà vu, très cher"], ["2", "Größe, schön"], ["3", "Ça va, où ?"]]
    assert read_table(files.write_csv(tmp_path / "e.csv", rows, encoding="cp1252")).info.warnings == ()


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("id,text\n1,Привет как дела?\n2,Спасибо большое\n3,Хорошо\n", "cp1251"),
        ("id,text\n1,Καλημέρα σας\n2,Ευχαριστώ πολύ\n", "cp1253"),
        ("id,text\n1,Zażółć gęślą jaźń\n2,Dziękuję bardzo\n3,Łódź\n", "cp1250"),
        ("id,text\n1,你好\n2,谢谢\n", "gb18030"),
        ("id,text\n1,はい\n2,ありがとう\n", "shift_jis"),
        ("id,text\n1,감사합니다\n2,안녕하세요\n", "cp949"),
    ],
    ids=["cyrillic", "greek", "polish", "chinese", "japanese", "korean"],
)
def test_short_non_western_files_are_not_taken_for_cp1252(tmp_path: Path, text: str, codec: str) -> None:
    table = read_table(files.write_text(tmp_path / "t.csv", text, encoding=codec))
    assert table.info.encoding == codec
    assert table.frame["text"].tolist() == [line.split(",", 1)[1] for line in text.splitlines()[1:]]


# ------------------------------------------------------- trailing empty rows / columns


def test_trailing_empty_rows_and_unnamed_empty_columns_are_dropped(tmp_path: Path) -> None:
    text = "id,text,label,,Unnamed: 5\n1,a,x,,\n2,b,y,,\n,,,,\n,,,,\n"
    table = read_table(files.write_text(tmp_path / "excel.csv", text))
    assert rows_of(table) == [["id", "text", "label"], ["1", "a", "x"], ["2", "b", "y"]]
    assert any("2 empty row(s) at the end" in w for w in table.info.warnings)
    assert any("2 empty column(s) without a name" in w and "Unnamed: 5" in w for w in table.info.warnings)


def test_named_empty_columns_and_empty_rows_in_the_middle_are_kept(tmp_path: Path) -> None:
    text = "id,text,notes,\n1,a,,\n,,,\n2,b,,\n,,,\n"
    table = read_table(files.write_text(tmp_path / "m.csv", text))
    assert rows_of(table) == [["id", "text", "notes"], ["1", "a", ""], ["", "", ""], ["2", "b", ""]]


def test_a_preview_never_drops_empty_rows_it_cannot_see_past(tmp_path: Path) -> None:
    text = "id,text\n1,a\n,\n,\n2,b\n"
    path = files.write_text(tmp_path / "p.csv", text)
    assert read_table(path, max_rows=3).frame["id"].tolist() == ["1", "", ""]
    assert read_table(path).frame["id"].tolist() == ["1", "", "", "2"]


def test_xlsx_unnamed_empty_columns_and_empty_cells_at_the_end(tmp_path: Path) -> None:
    rows = [["id", "text", None, "label", None], [1, "a", None, "x", None], [2, "b", None, "", None], ["", "", None, "", ""]]
    table = read_table(files.write_xlsx(tmp_path / "e.xlsx", {"S": rows}))
    assert rows_of(table) == [["id", "text", "label"], ["1", "a", "x"], ["2", "b", ""]]


def test_parquet_unnamed_empty_column_is_dropped(tmp_path: Path) -> None:
    path = files.write_parquet(tmp_path / "p.parquet", {"text": ["a", "b"], "Unnamed: 0": ["", ""]})
    assert rows_of(read_table(path)) == [["text"], ["a"], ["b"]]


# --------------------------------------------------------------- control characters

CONTROL_TEXT = "id,text\n1,a\x00b\n2,\x1b[31mred\x1b[0m\n3,zero\u200bwidth \u202eevil\n4,bell\x07\n"


def test_text_with_stray_control_characters_loads_and_keeps_them(tmp_path: Path) -> None:
    table = read_table(files.write_text(tmp_path / "log.csv", CONTROL_TEXT))
    assert table.frame["text"].tolist() == ["a\x00b", "\x1b[31mred\x1b[0m", "zero\u200bwidth \u202eevil", "bell\x07"]
    assert any("control character" in w for w in table.info.warnings)


def test_control_characters_on_the_slow_path(tmp_path: Path) -> None:
    text = "id,text,label\n1,a\x00b\n2,\x1b[1mx,y\n"  # a short row: read by the csv module
    assert read_table(files.write_text(tmp_path / "s.csv", text)).frame["text"].tolist() == ["a\x00b", "\x1b[1mx"]


def test_utf16_without_bom_is_still_detected(tmp_path: Path) -> None:
    rows = [["id", "text"], ["1", "plain words"], ["2", "Grüße"]]
    for codec in ("utf-16-le", "utf-16-be"):
        table = read_table(files.write_csv(tmp_path / f"{codec}.txt", rows, encoding=codec, delimiter="\t"))
        assert (table.info.encoding, rows_of(table)) == (codec, rows)


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (files.PNG, "a PNG image"),
        (files.PDF, "a PDF document"),
        (b"\x7fELF\x02\x01\x01" + bytes(57), "a program"),
        (b"SQLite format 3\x00" + bytes(84), "an SQLite database"),
        (b"\xfd7zXZ\x00\x00\x04", "an xz archive"),
        (files.EXECUTABLE, "a binary file"),
        (bytes(range(256)) * 8, "a binary file"),
    ],
    ids=["png", "pdf", "elf", "sqlite", "xz", "exe", "all-bytes"],
)
def test_real_binaries_are_still_refused(tmp_path: Path, head: bytes, what: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(head)
    with pytest.raises(TableReadError, match=f"x.csv: is {what}"):
        read_table(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TableReadError, match="is a ZIP archive"):
        read_table(files.write_zip(tmp_path / "z.csv"))


def _rezip(source: Path, target: Path, rename) -> Path:
    import zipfile

    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            dst.writestr(rename(info.filename), src.read(info))
    return target


def test_a_workbook_with_windows_separators_is_read(tmp_path: Path) -> None:
    """Seen in a real export from a Chinese HR tool: ZIP members named `xl\\workbook.xml`."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["text", "label"])
    book.active.append(["great service", "pos"])
    book.save(tmp_path / "plain.xlsx")
    path = _rezip(
        tmp_path / "plain.xlsx", tmp_path / "other.xlsx", lambda name: name.replace("/", "\\") if name.startswith("xl/") else name
    )
    assert rows_of(read_table(path)) == [["text", "label"], ["great service", "pos"]]


_PACKAGE_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Override PartName="/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{target}"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c><c r="B1" t="inlineStr"><is><t>label</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>great service</t></is></c><c r="B2" t="inlineStr"><is><t>pos</t></is></c></row>'
    "</sheetData></worksheet>"
)


def test_a_minimal_package_with_the_workbook_outside_xl_is_read(tmp_path: Path) -> None:
    """A valid package need not use xl/: Excel (and calamine) follow [Content_Types].xml."""
    import zipfile

    path = tmp_path / "minimal.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", _PACKAGE_TYPES)
        z.writestr("_rels/.rels", _RELS.format(kind="officeDocument", target="workbook.xml"))
        z.writestr("_rels/workbook.xml.rels", _RELS.format(kind="worksheet", target="sheet1.xml"))
        z.writestr("workbook.xml", _WORKBOOK)
        z.writestr("sheet1.xml", _SHEET)
    assert rows_of(read_table(path)) == [["text", "label"], ["great service", "pos"]]


def test_inspect_escapes_control_characters_for_the_terminal(tmp_path: Path) -> None:
    path = files.write_text(tmp_path / "log.csv", CONTROL_TEXT)
    result = run_cli("inspect", str(path))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout and "\x00" not in result.stdout
    assert "\\x1b[31mred\\x1b[0m" in result.stdout and "\\u202eevil" in result.stdout
    data = json.loads(run_cli("inspect", str(path), "--json").stdout)
    assert data["preview"][1]["text"] == "\x1b[31mred\x1b[0m"  # --json keeps the data exact


# -------------------------------------------------------------------- header row


def group_header_book(path: Path) -> Path:
    """Excel's layout: merged group headings on row 1, the column names on row 2."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Source", None, "Annotation", None])
    sheet.append(["id", "text", "label", "annotator"])
    sheet.append([1, "good food", "pos", "ann"])
    sheet.append([2, "cold soup", "neg", "bob"])
    sheet.append([3, "slow", "neg", None])
    sheet.append([4, "too slow", None, None])  # the label is merged over rows 5-6
    sheet.merge_cells("A1:B1")
    sheet.merge_cells("C1:D1")
    sheet.merge_cells("C5:C6")
    book.save(path)
    return path


def test_xlsx_header_under_merged_group_headings(tmp_path: Path) -> None:
    table = read_table(group_header_book(tmp_path / "g.xlsx"))
    assert table.info.header_row == 1
    assert rows_of(table) == [
        ["id", "text", "label", "annotator"],
        ["1", "good food", "pos", "ann"],
        ["2", "cold soup", "neg", "bob"],
        ["3", "slow", "neg", ""],
        ["4", "too slow", "neg", ""],
    ]
    assert (table.info.text_column, table.info.label_column) == ("text", "label")
    assert any("found on row 2" in w for w in table.info.warnings)
    assert any("merged cell range" in w for w in table.info.warnings)


def test_xlsx_header_row_chosen_by_the_caller_wins(tmp_path: Path) -> None:
    table = read_table(group_header_book(tmp_path / "g.xlsx"), header_row=0)
    assert table.info.columns[:3] == ("Source", "Column 2", "Annotation")


def test_xlsx_title_row_above_the_header(tmp_path: Path) -> None:
    rows = [["Customer survey, exported 2024-05-01"], [], ["id", "comment", "topic"], *[[i, f"comment {i}", "a"] for i in range(5)]]
    table = read_table(files.write_xlsx(tmp_path / "t.xlsx", {"S": rows}))
    assert table.info.columns == ("id", "comment", "topic") and table.info.rows == 5


@pytest.mark.parametrize("title", ["Survey export 2024", "Report: Q1, 2024", "Exported by tool,,", "Notes;;;"])
def test_csv_title_preamble_is_skipped(tmp_path: Path, title: str) -> None:
    delimiter = ";" if ";" in title else ","
    text = title + "\n" + files.csv_text(ROWS, delimiter=delimiter)
    table = read_table(files.write_text(tmp_path / "t.csv", text))
    assert rows_of(table) == ROWS
    assert table.info.header_row == 1


@pytest.mark.parametrize(
    "rows",
    [
        [["", "text", "label"], ["0", "a long text", "x"], ["1", "another", "y"]],  # pandas' blank index name
        [["id", "text", "label"], ["1", "a", ""], ["2", "b", ""], ["3", "c", "z"]],  # a sparse label column
        [["text"], ["one"], ["two"]],
        [["a", "b"], ["1", "2"]],
    ],
    ids=["blank-index-name", "sparse-labels", "one-column", "numbers"],
)
def test_ordinary_headers_stay_on_the_first_row(tmp_path: Path, rows: list[list[str]]) -> None:
    table = read_table(files.write_csv(tmp_path / "o.csv", rows))
    assert table.info.header_row == 0
    assert table.frame.values.tolist() == rows[1:]


def test_cli_header_row_flag(tmp_path: Path) -> None:
    path = files.write_text(tmp_path / "t.csv", "Title\nid,text,label\n1,a,x\n2,b,y\n")
    data = json.loads(run_cli("inspect", str(path), "--json").stdout)
    assert (data["header_row"], data["columns"]) == (2, ["id", "text", "label"])
    data = json.loads(run_cli("inspect", str(path), "--json", "--header-row", "3").stdout)
    assert (data["header_row"], data["columns"], data["rows"]) == (3, ["1", "a", "x"], 1)
    for bad in ("9", "0"):
        result = run_cli("inspect", str(path), "--header-row", bad)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "row" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_train_and_predict_pass_header_row_to_the_reader(tmp_path: Path) -> None:
    from bertdesk.cli import build_parser
    from bertdesk.commands import predict as predict_command
    from bertdesk.commands.common import labelled_table

    path = files.write_text(tmp_path / "t.csv", "Title\nNotes\nid,text,label\n1,a,x\n2,b,y\n")
    parser = build_parser()
    args = parser.parse_args(["train", str(path), "--out", str(tmp_path / "m"), "--header-row", "3"])
    assert len(labelled_table(args)) == 2
    args = parser.parse_args(["predict", "model", str(path), "--header-row", "3"])
    frame, text_col, _ = predict_command._load_data(args)
    assert (list(frame.columns), text_col) == (["id", "text", "label"], "text")
    with pytest.raises(TableReadError, match="there is no row 7"):
        labelled_table(argparse.Namespace(data=str(path), header_row=7, text_col=None, label_col=None, sheet=None))


def test_column_types_follow_their_columns_when_empty_columns_are_dropped(tmp_path: Path) -> None:
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["text", None, "n", "when"])
    book.active.append(["a", None, 3, datetime.date(2024, 1, 2)])
    book.active.append(["b", None, -5, datetime.date(2024, 1, 3)])
    book.save(tmp_path / "typed.xlsx")
    info = read_table(tmp_path / "typed.xlsx").info
    assert info.columns == ("text", "n", "when")
    assert info.column_types == ("text", "number", "date")


def test_an_empty_first_sheet_gives_way_to_the_first_sheet_with_data(tmp_path: Path) -> None:
    """Seen in real workbooks: an empty cover sheet in front of the data."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "cover"
    data = book.create_sheet("answers")
    data.append(["text", "label"])
    data.append(["slow delivery", "delivery"])
    book.save(tmp_path / "book.xlsx")
    table = read_table(tmp_path / "book.xlsx")
    assert table.info.sheet == "answers"
    assert rows_of(table) == [["text", "label"], ["slow delivery", "delivery"]]
    assert any("sheet 'cover' is empty" in w for w in table.info.warnings)
    with pytest.raises(TableReadError, match="sheet 'cover' is empty"):
        read_table(tmp_path / "book.xlsx", sheet="cover")  # a sheet the user chose is read as chosen


# ---------------------------------------------------------------- .xls and .ods

FIXTURES = Path(__file__).parent / "fixtures"
SURVEY_ROWS = [
    ["text", "label", "score"],
    ["Déjà vu: the parcel came twice", "delivery", "4"],
    ["The app crashes when I pay", "app_bug", "1"],
    ["Refund took three weeks", "billing", "2"],
    ["售后服务很好", "service", "5"],
]


@pytest.mark.parametrize("name, kind", [("survey.xls", "xls"), ("survey.ods", "ods")])
def test_excel_97_and_opendocument_workbooks_are_read(name: str, kind: str, tmp_path: Path) -> None:
    """Saved by LibreOffice from one workbook: a title row above the header, a second sheet."""
    table = read_table(FIXTURES / name)
    assert table.info.format == kind and table.info.sheet == "answers"
    assert rows_of(table) == SURVEY_ROWS
    assert table.info.column_types == ("text", "text", "number")
    assert list_sheets(FIXTURES / name) == ["answers", "notes"]
    # the content decides, not the name
    renamed = tmp_path / "export.csv"
    renamed.write_bytes((FIXTURES / name).read_bytes())
    assert rows_of(read_table(renamed)) == SURVEY_ROWS


def test_a_password_protected_workbook_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import python_calamine

    def locked(path: str) -> None:
        raise python_calamine.PasswordError("Workbook is password protected")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", locked)
    path = tmp_path / "locked.xlsx"
    path.write_bytes((FIXTURES / "survey.xls").read_bytes())  # an encrypted .xlsx is an OLE2 file too
    with pytest.raises(TableReadError, match="locked.xlsx: the workbook is protected with a password"):
        read_table(path)


def test_an_opendocument_text_is_not_taken_for_a_spreadsheet(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "letter.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(TableReadError, match="letter.ods: is an OpenDocument file but not a spreadsheet"):
        read_table(path)
