"""Fuzz the import: whatever bytes a file holds, ``read_table`` returns a table or raises a
:class:`BertdeskError` with a one-line message; never another exception, never a hang.

Inputs: random bytes; random tables in random encodings and delimiters (with stray control
characters, quotes and line breaks); valid CSV, .xlsx and Parquet files cut at random
offsets; a 10 MB cell. Hypothesis runs derandomized (the same examples on every run, no
example database), so CI is stable; a crash it finds is fixed and kept as an ``@example``.
"""

from __future__ import annotations

import faulthandler
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bertdesk.core.errors import BertdeskError
from bertdesk.core.tables.reading import LoadedTable, read_table
from tests.core import data_files as files

# The deadline catches a pathological slowdown, far above a read's milliseconds even on a loaded CI.
FUZZ = settings(
    max_examples=200,
    deadline=timedelta(seconds=10),
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
HANG_SECONDS = 60  # far above any one read here (milliseconds); a hang kills the run with a traceback

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "gb18030", "shift_jis", "cp1251", "big5"]
DELIMITERS = [",", ";", "\t", "|"]


def read_outcome(path: Path, **options: Any) -> LoadedTable | BertdeskError:
    """``read_table``'s answer; anything but a table or a one-line BertdeskError fails the test."""
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        table = read_table(path, **options)
    except BertdeskError as err:
        message = str(err)
        assert message and "\n" not in message and "\r" not in message, repr(message)
        assert path.name in message or "header_row" in message, message
        return err
    finally:
        faulthandler.cancel_dump_traceback_later()
    frame = table.frame
    assert len(frame) == table.info.rows >= 1
    assert list(map(str, frame.columns)) == list(table.info.columns)
    assert len(set(table.info.columns)) == len(table.info.columns)
    assert not frame.isna().any().any()
    assert all("\n" not in w for w in table.info.warnings)
    return table


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ random bytes


@FUZZ
@given(data=st.binary(max_size=3000))
@example(data=b"")
@example(data=b"\x00" * 64)
@example(data=b"sep=")
@example(data=b"sep=;")
@example(data=b"sep=;\n")
@example(data=b'\xef\xbb\xbfsep="\na\n1\n')
@example(data=b"\xff\xfe")
@example(data=b"\xff\xfea\x00")
@example(data=b"PK\x03\x04")
@example(data=b"PAR1")
@example(data=b"a\n\x1b\n")
@example(data=b",,,,\n,,,,\n")
def test_random_bytes(tmp_path: Path, data: bytes) -> None:
    read_outcome(write(tmp_path, "random.csv", data))
    read_outcome(write(tmp_path, "random.csv", data), max_rows=2)


# ------------------------------------------------ random tables, encodings, delimiters

CELL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
TABLES = st.lists(st.lists(CELL, min_size=1, max_size=5), min_size=1, max_size=12)


@FUZZ
@given(
    rows=TABLES,
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from(DELIMITERS),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    hint=st.booleans(),
    header_row=st.none() | st.integers(0, 3),
    forced=st.booleans(),
)
@example(rows=[["Déjà vu"]], encoding="cp1252", delimiter=",", newline="\n", hint=False, header_row=None, forced=False)
@example(
    rows=[["a", "b"], ["\x00", "\x1b[0m"]], encoding="utf-16-le", delimiter="\t", newline="\r\n", hint=True, header_row=None, forced=False
)
@example(rows=[["a"], ["b", "c"]], encoding="utf-8", delimiter=";", newline="\r", hint=True, header_row=None, forced=True)
def test_random_tables_in_random_encodings(
    tmp_path: Path, rows: list[list[str]], encoding: str, delimiter: str, newline: str, hint: bool, header_row: int | None, forced: bool
) -> None:
    text = files.csv_text(rows, delimiter=delimiter, newline=newline)
    if hint:
        text = f"sep={delimiter}{newline}{text}"
    data = text.encode(encoding, "replace")
    options: dict[str, Any] = {"header_row": header_row}
    if forced:
        options.update(encoding=encoding, delimiter=delimiter)
    read_outcome(write(tmp_path, "table.csv", data), **options)


PRINTABLE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20)


@FUZZ
@given(
    body=st.lists(st.lists(PRINTABLE, min_size=3, max_size=3), min_size=1, max_size=15),
    delimiter=st.sampled_from(DELIMITERS),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_well_formed_unicode_tables_round_trip(tmp_path: Path, body: list[list[str]], delimiter: str, encoding: str) -> None:
    # Named columns and non-empty cells: nothing to drop, no preamble, so the text comes back exactly.
    rows = [["id", "text", "label"], *body]
    data = files.csv_text(rows, delimiter=delimiter).encode(encoding)
    table = read_outcome(write(tmp_path, "u.csv", data), delimiter=delimiter)
    assert isinstance(table, LoadedTable), table
    assert [list(table.info.columns), *table.frame.values.tolist()] == rows


# ------------------------------------------------------------------- truncated files


def _csv_bytes() -> bytes:
    return files.csv_text(files.sample_reviews(60)).encode("utf-8")


def _xlsx_bytes() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in files.sample_reviews(60):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _parquet_bytes() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = files.sample_reviews(60)
    buffer = io.BytesIO()
    pq.write_table(pa.table({name: [r[j] for r in rows[1:]] for j, name in enumerate(rows[0])}), buffer, row_group_size=7)
    return buffer.getvalue()


VALID: dict[str, Callable[[], bytes]] = {"csv": _csv_bytes, "xlsx": _xlsx_bytes, "parquet": _parquet_bytes}
_CACHE: dict[str, bytes] = {}


def valid_file(kind: str) -> bytes:
    if kind not in _CACHE:
        _CACHE[kind] = VALID[kind]()
    return _CACHE[kind]


@FUZZ
@given(kind=st.sampled_from(sorted(VALID)), cut=st.floats(0, 1), flip=st.none() | st.floats(0, 1))
@example(kind="xlsx", cut=0.5, flip=None)
@example(kind="parquet", cut=0.999, flip=None)
@example(kind="parquet", cut=1.0, flip=0.5)
def test_truncated_and_damaged_files(tmp_path: Path, kind: str, cut: float, flip: float | None) -> None:
    data = bytearray(valid_file(kind))
    if flip is not None:  # one damaged byte somewhere
        at = min(int(flip * len(data)), len(data) - 1)
        data[at] ^= 0x5A
    data = data[: int(cut * len(data))]
    read_outcome(write(tmp_path, f"cut.{kind}", bytes(data)))


# ---------------------------------------------------------------------- huge fields


@pytest.mark.parametrize("quoted", [False, True])
def test_a_ten_megabyte_cell(tmp_path: Path, quoted: bool) -> None:
    big = "word " * (2 << 20)  # 10 MiB
    cell = f'"{big}, with a comma"' if quoted else big
    path = write(tmp_path, "big.csv", f"id,text\n1,{cell}\n2,small\n".encode())
    table = read_outcome(path)
    assert isinstance(table, LoadedTable)
    assert table.frame["text"].tolist() == [big + (", with a comma" if quoted else ""), "small"]


def test_a_ten_megabyte_parquet_cell(tmp_path: Path) -> None:
    big = "x" * (10 << 20)
    path = files.write_parquet(tmp_path / "big.parquet", {"text": [big, "small"]})
    table = read_outcome(path)
    assert isinstance(table, LoadedTable) and table.frame["text"][0] == big


# ----------------------------------------------------------------- the inspect CLI


def _cli_examples(tmp_path: Path) -> list[Path]:
    return [
        write(tmp_path, "noise.csv", bytes((i * 151 + 7) % 256 for i in range(2000))),
        write(tmp_path, "cut.xlsx", valid_file("xlsx")[:900]),
        write(tmp_path, "cut.parquet", valid_file("parquet")[:-40]),
        write(tmp_path, "ansi.csv", "id,text\n1,\x1b[2J\x1b[31mred\u202e\n".encode()),
        write(tmp_path, "sep.csv", b"sep=\n"),
    ]


def test_inspect_cli_on_fuzz_examples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bertdesk.cli import main

    for path in _cli_examples(tmp_path):
        code = main(["inspect", str(path)])
        out, err = capsys.readouterr()
        assert code in (0, 2), (path.name, err)
        assert "Traceback" not in err and "internal error" not in err, err
        if code == 2:
            assert err.count("\n") == 1 and path.name in err, err
        assert "\x1b" not in out
