"""The data snapshot stored as Arrow chunks (schema 3), and the upgrade of format-2 files to it.

``fixtures/format2.bertdesk`` was written by bertdesk's format-2 code (the ``rows`` table, one
SQLite row per data row) before format 3 existed, then vacuumed to 4 KiB pages to stay small:
10 rows x (id, text, label) with tricky text, imported labels plus one human label, a
setting, and an active finished run with three stored predictions.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest

import bertdesk.core.project.snapshot as project_snapshot
from bertdesk.core.errors import ProjectError
from bertdesk.core.project import Project
from bertdesk.core.project.schema import SCHEMA_VERSION
from bertdesk.core.project.text_search import TextQuery

FORMAT_2_PROJECT = Path(__file__).parent / "fixtures" / "format2.bertdesk"
ROOT = Path(__file__).resolve().parents[2]
FORMAT_2_ROWS = [
    ("0", "great food", "pos"),
    ("1", "", ""),
    ("2", "slow\nservice", "neg"),
    ("3", "  00123  ", "pos"),
    ("4", "NA", " neg "),
    ("5", "Straße ist schön", ""),
    ("6", "数据 🙂", "pos"),
    ("7", 'a "quoted", text', "neg"),
    ("8", "tab\there", ""),
    ("9", "last row", "pos"),
]
FORMAT_2_LABELS = {0: "pos", 1: "neg", 2: "neg", 3: "pos", 4: "neg", 6: "pos", 7: "neg", 9: "pos"}


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _version(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(dict(conn.execute("SELECT key, value FROM meta"))["schema_version"])


def _check_file(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.fixture
def format_2(tmp_path: Path) -> Path:
    path = tmp_path / "old.bertdesk"
    shutil.copyfile(FORMAT_2_PROJECT, path)
    return path


def _grow_format_2(path: Path, rows: int) -> list[tuple[str, str, str]]:
    """Append rows to a format-2 file's ``rows`` table (as the format-2 code stored them); return all rows."""
    extra = [(str(i), f"text {i} " + "x" * (i % 13), "") for i in range(10, rows)]
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany("INSERT INTO rows(row_id, c0, c1, c2) VALUES (?, ?, ?, ?)", [(int(r[0]), *r) for r in extra])
        conn.execute("UPDATE meta SET value = ? WHERE key = 'row_count'", (str(rows),))
    return FORMAT_2_ROWS + extra


# -- the upgrade of format-2 files -------------------------------------------------------------
def test_a_format_2_project_is_upgraded_in_place_with_everything_kept(format_2: Path) -> None:
    assert _version(format_2) == "2" and "rows" in _tables(format_2)
    with Project.open(format_2) as project:
        assert project.row_count == 10 and project.columns == ["id", "text", "label"]
        assert project.fetch_rows(0, 20) == FORMAT_2_ROWS
        assert project.texts() == [row[1] for row in FORMAT_2_ROWS]
        assert project.labels() == FORMAT_2_LABELS
        assert project.label_counts() == {"pos": 4, "neg": 4}
        assert project.get_setting("train.preset") == "fast"
        (run,) = project.runs()
        assert project.active_run() == run and run.status == "finished"
        predictions = project.predictions()
        assert predictions is not None and predictions.row_ids.tolist() == [0, 2, 5]
        assert project.next_row_matching(None, pattern=TextQuery("STRASSE")) == 5
        project.set_label(5, "pos")  # and it is writable as before
    assert _version(format_2) == str(SCHEMA_VERSION)
    assert "rows" not in _tables(format_2) and {"chunks", "labels", "predictions"} <= _tables(format_2)
    _check_file(format_2)
    with closing(sqlite3.connect(format_2)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert conn.execute("PRAGMA freelist_count").fetchone() == (0,)  # the old table's pages were given back
        (source,) = conn.execute("SELECT source FROM labels WHERE row_id = 1").fetchone()
        assert source == "human"
    with Project.open(format_2) as project:  # opens again as a format-3 file
        assert project.fetch_rows(0, 20) == FORMAT_2_ROWS and project.labels() == {**FORMAT_2_LABELS, 5: "pos"}


def test_a_big_format_2_project_is_upgraded_into_many_chunks(format_2: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_snapshot, "CHUNK_ROWS", 64)
    rows = _grow_format_2(format_2, 1000)
    with Project.open(format_2) as project:
        assert project.row_count == 1000
        assert project.fetch_rows(0, 1000) == rows
        assert project.fetch_rows(60, 10) == rows[60:70]  # across a chunk boundary
        assert project.texts([999, 0, 64, 63, 0]) == [rows[i][1] for i in (999, 0, 64, 63, 0)]
    with closing(sqlite3.connect(format_2)) as conn:
        assert conn.execute("SELECT COUNT(*), SUM(row_count) FROM chunks").fetchone() == (16, 1000)


def test_an_upgrade_killed_midway_leaves_the_format_2_file_whole(format_2: Path) -> None:
    rows = _grow_format_2(format_2, 300)
    # Die like kill -9 (no cleanup, no rollback) while the third chunk is being written.
    script = (
        "import os, sys\n"
        "import bertdesk.core.project.snapshot as s\n"
        "s.CHUNK_ROWS = 50\n"
        "calls = []\n"
        "real = s.encode_chunk\n"
        "def dying(*args):\n"
        "    calls.append(1)\n"
        "    if len(calls) == 3:\n"
        "        os._exit(9)\n"
        "    return real(*args)\n"
        "s.encode_chunk = dying\n"
        "from bertdesk.core.project import Project\n"
        "Project.open(sys.argv[1])\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(format_2)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr
    assert _version(format_2) == "2" and "rows" in _tables(format_2) and "chunks" not in _tables(format_2)
    _check_file(format_2)
    with Project.open(format_2) as project:  # the next open upgrades it
        assert project.fetch_rows(0, 300) == rows and project.labels() == FORMAT_2_LABELS
    assert _version(format_2) == str(SCHEMA_VERSION)


def test_a_damaged_format_2_table_is_refused_in_one_line_and_left_as_it_was(format_2: Path) -> None:
    with closing(sqlite3.connect(format_2)) as conn, conn:
        conn.execute("DELETE FROM rows WHERE row_id = 4")  # a hole in the row ids
    before = format_2.read_bytes()
    with pytest.raises(ProjectError) as err:
        Project.open(format_2)
    message = str(err.value)
    assert "\n" not in message and "old.bertdesk" in message and "numbered" in message
    assert _version(format_2) == "2" and "rows" in _tables(format_2) and "chunks" not in _tables(format_2)
    with closing(sqlite3.connect(format_2)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM rows").fetchone() == (9,)
    assert len(format_2.read_bytes()) == len(before)


def test_an_upgraded_project_saved_as_a_copy_reads_the_same(format_2: Path, tmp_path: Path) -> None:
    with Project.open(format_2) as project, project.save_as(tmp_path / "copy.bertdesk") as copy:
        assert copy.fetch_rows(0, 20) == FORMAT_2_ROWS and copy.labels() == FORMAT_2_LABELS
        assert len(copy.runs()) == 1
    assert _version(tmp_path / "copy.bertdesk") == str(SCHEMA_VERSION)
    _check_file(tmp_path / "copy.bertdesk")


# -- reading the chunks ------------------------------------------------------------------------
@pytest.fixture
def chunked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, pd.DataFrame]:
    """A 100-row project in chunks of 7 rows (the last one short)."""
    monkeypatch.setattr(project_snapshot, "CHUNK_ROWS", 7)
    rng = random.Random(3)
    texts = [f"row {i} " + rng.choice(["alpha", "Straße", "数据", "", "x\ny", '"q", r']) for i in range(100)]
    frame = pd.DataFrame({"text": texts, "n": [str(i) for i in range(100)], "label": [("", "a", "b")[i % 3] for i in range(100)]})
    project = Project.create(tmp_path / "c.bertdesk", frame, text_column="text", label_column="label")
    project.close()
    project = Project.open(tmp_path / "c.bertdesk")
    yield project, frame
    project.close()


def test_pages_of_rows_read_across_chunks(chunked: tuple[Project, pd.DataFrame]) -> None:
    project, frame = chunked
    rows = [tuple(row) for row in frame.itertuples(index=False)]
    for start in range(-3, 104):
        for count in (0, 1, 6, 7, 8, 15, 256):
            assert project.fetch_rows(start, count) == rows[max(start, 0) : max(start + count, 0)], (start, count)


def test_texts_by_id_and_all_and_the_frame(chunked: tuple[Project, pd.DataFrame]) -> None:
    project, frame = chunked
    texts = frame["text"].tolist()
    assert project.texts() == texts
    ids = [99, 0, 7, 6, 7, 50, 13, 14, 0]
    assert project.texts(ids) == [texts[i] for i in ids]
    assert project.texts([]) == []
    with pytest.raises(ProjectError):
        project.texts([100])
    pd.testing.assert_frame_equal(project.frame(), frame)


def test_text_search_finds_rows_in_any_chunk(chunked: tuple[Project, pd.DataFrame]) -> None:
    project, frame = chunked
    matching = [i for i, text in enumerate(frame["text"]) if "strasse" in text.casefold().replace("ß", "ss")]
    found: list[int] = []
    row = project.next_row_matching(None, pattern=TextQuery("STRASSE"))
    while row is not None:
        found.append(row)
        row = project.next_row_matching(row, pattern=TextQuery("STRASSE"))
    assert found == matching and len(found) > 3
    assert project.next_row_matching(None, pattern=TextQuery("STRASSE"), backward=True) == matching[-1]
    assert project.next_row_matching(55, pattern=TextQuery(r"^row 9\d ", regex=True)) == 90


def test_imported_labels_of_many_names_are_counted_as_stored(tmp_path: Path) -> None:
    names = [f"label {i}" for i in range(12)]  # keys past 9: more than one digit each
    labels = [names[i % 12] if i % 5 else " " for i in range(200)]
    frame = pd.DataFrame({"text": [f"t{i}" for i in range(200)], "label": labels})
    with Project.create(tmp_path / "l.bertdesk", frame, text_column="text", label_column="label") as project:
        counted_at_creation = project.label_counts()
        assert project.labels() == {i: labels[i] for i in range(200) if i % 5}
    with Project.open(tmp_path / "l.bertdesk") as project:
        assert project.label_counts() == counted_at_creation
        assert list(counted_at_creation) == [label for label in dict.fromkeys(labels) if label.strip()]  # order of first appearance
        assert sorted(counted_at_creation) == sorted(names)
        assert sum(counted_at_creation.values()) == 160


def test_an_empty_table_makes_a_project(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": pd.Series([], dtype="str"), "label": pd.Series([], dtype="str")})
    with Project.create(tmp_path / "e.bertdesk", frame, text_column="text", label_column="label"):
        pass
    with Project.open(tmp_path / "e.bertdesk") as project:
        assert project.row_count == 0 and project.columns == ["text", "label"]
        assert project.fetch_rows(0, 10) == [] and project.texts() == [] and project.labels() == {}
        assert list(project.frame().columns) == ["text", "label"] and len(project.frame()) == 0


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        ("UPDATE chunks SET data = X'00FF00FF' WHERE id = 3", "chunk 3 of its table of data cannot be read"),
        ("UPDATE chunks SET data = 'text' WHERE id = 3", "chunk 3 of its table of data is missing"),
        ("UPDATE chunks SET row_count = 6 WHERE id = 3", "chunk 4 of its table of data is out of place"),
        ("DELETE FROM chunks WHERE id = 3", "chunk 3 of its table of data is out of place"),
    ],
)
def test_a_damaged_chunk_is_one_line_never_a_crash(chunked: tuple[Project, pd.DataFrame], damage: str, words: str) -> None:
    project, _ = chunked
    path = project.path
    project.close()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(damage)
    with pytest.raises(ProjectError) as err:
        with Project.open(path) as reopened:
            reopened.fetch_rows(20, 5)  # rows 20-24 live in chunk 2 and 3
    message = str(err.value)
    assert "\n" not in message and path.name in message and words in message


def test_a_chunk_with_invalid_text_is_refused(chunked: tuple[Project, pd.DataFrame]) -> None:
    import pyarrow as pa

    project, _ = chunked
    path = project.path
    project.close()
    bad = pa.array([b"\xff\xfe"] * 7, pa.binary()).view(pa.string())  # bytes that are not UTF-8
    others = [pa.array(["x"] * 7, pa.string())] * 2
    _, blob = project_snapshot.encode_chunk([bad, *others], 0, 7)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE chunks SET data = ? WHERE id = 5", (blob,))
    with Project.open(path) as reopened:
        assert reopened.fetch_rows(0, 3)[0][0].startswith("row 0")  # the other chunks still read
        with pytest.raises(ProjectError) as err:
            reopened.texts()
    assert "chunk 5 of its table of data cannot be read" in str(err.value)
