"""Project files: create/open/save_as, errors, labels, label-set edits, undo/redo, runs, threads."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pandas as pd
import pytest

import bertdesk.core.project.build as project_build
import bertdesk.core.project.snapshot as project_snapshot
from bertdesk.core.errors import Cancelled, LabelError, ProjectError
from bertdesk.core.progress import CancelToken, Progress
from bertdesk.core.project import Project, RunRecord
from bertdesk.core.project.label_set import LabelSet, find_label_clashes

TRICKY = ["00123", "NA", "", "😀 emoji", "中文文本", "line one\nline two", "  padded  ", 'quote " and , comma', "tab\there", "crlf\r\nend"]


def tricky_frame() -> pd.DataFrame:
    n = len(TRICKY)
    return pd.DataFrame(
        {
            "id": [f"{i:05d}" for i in range(n)],
            "text": TRICKY,
            "null": ["NULL", "None", "nan", "N/A", "#N/A", "-", "0", "1e5", "TRUE", "=1+1"],
        },
        dtype=object,
    )


def one_line(err: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(err.value)
    assert message and "\n" not in message
    return message


def check_file(path: Path) -> None:
    """The closed file passes SQLite's own checks, and every label points at a real row/label."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        positions = [p for (p,) in conn.execute("SELECT position FROM label_set ORDER BY position")]
        assert positions == list(range(len(positions)))
    finally:
        conn.close()


def assert_counts_match(project: Project) -> None:
    """The cached per-label counts agree with the labels themselves."""
    labels = project.labels()
    expected = {name: sum(1 for v in labels.values() if v == name) for name in project.label_set}
    assert project.label_counts() == expected
    assert project.labelled_count == len(labels)
    assert all(project.rows_with_label(name) == n for name, n in expected.items())


@pytest.fixture
def project(tmp_path: Path) -> Project:
    frame = pd.DataFrame({"text": [f"text {i}" for i in range(50)], "n": [str(i) for i in range(50)]})
    proj = Project.create(tmp_path / "p.bertdesk", frame, text_column="text")
    yield proj
    proj.close()
    check_file(tmp_path / "p.bertdesk")


# -- create / open / save_as -----------------------------------------------------------------
def test_round_trip_keeps_exact_text(tmp_path: Path) -> None:
    frame = tricky_frame()
    source = {"path": "/data/x.csv", "format": "csv", "encoding": "utf-8", "delimiter": ",", "sheet": None, "header_row": 0}
    path = tmp_path / "rt.bertdesk"
    with Project.create(path, frame, text_column="text", source=source) as created:
        assert created.fetch_rows(0, 3) == [tuple(frame.iloc[i]) for i in range(3)]
    with Project.open(path) as proj:
        assert proj.row_count == len(TRICKY)
        assert proj.columns == ["id", "text", "null"]
        assert proj.text_column == "text" and proj.label_column is None
        assert proj.source == source
        assert proj.texts() == TRICKY
        assert proj.texts([5, 0, 5]) == [TRICKY[5], TRICKY[0], TRICKY[5]]
        assert proj.fetch_rows(0, 100) == [tuple(row) for row in frame.itertuples(index=False)]
        pd.testing.assert_frame_equal(proj.frame(), frame.astype("str"), check_dtype=False)
        assert all(pd.api.types.is_string_dtype(dtype) for dtype in proj.frame().dtypes)
        copy = proj.save_as(tmp_path / "copy.bertdesk")
    with copy:
        assert copy.texts() == TRICKY and copy.source == source
    check_file(path)
    check_file(tmp_path / "copy.bertdesk")


def test_fetch_rows_edges(project: Project) -> None:
    assert project.fetch_rows(48, 10) == [("text 48", "48"), ("text 49", "49")]
    assert project.fetch_rows(50, 10) == []
    assert project.fetch_rows(3, 0) == []
    assert project.fetch_rows(-5, 6) == [("text 0", "0")]
    with pytest.raises(ProjectError):
        project.texts([50])


def test_missing_values_and_non_string_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame({0: [1, 2, 3], "t": ["a", None, float("nan")]})
    with Project.create(tmp_path / "m.bertdesk", frame, text_column="t") as proj:
        assert proj.columns == ["0", "t"]
        assert proj.texts() == ["a", "", ""]
        assert proj.fetch_rows(0, 1) == [("1", "a")]


def test_create_refuses_overwrite_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "p.bertdesk"
    path.write_text("precious")
    with pytest.raises(ProjectError) as err:
        Project.create(path, tricky_frame(), text_column="text")
    assert "exists" in one_line(err)
    assert path.read_text() == "precious"
    Path(f"{path}-wal").write_bytes(b"stale wal from an older project")
    with Project.create(path, tricky_frame(), text_column="text", overwrite=True) as proj:
        assert proj.texts() == TRICKY
    assert not Path(f"{path}-wal").exists()
    check_file(path)


def test_create_refuses_overwriting_an_open_project(project: Project) -> None:
    with pytest.raises(ProjectError) as err:
        Project.create(project.path, tricky_frame(), text_column="text", overwrite=True)
    assert "open" in one_line(err)
    assert project.texts([0]) == ["text 0"]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"text_column": "nope"}, "no column"),
        ({"text_column": "text", "label_column": "nope"}, "no column"),
        ({"text_column": "text", "label_column": "text"}, "both"),
    ],
)
def test_create_checks_columns(tmp_path: Path, kwargs: dict[str, str], words: str) -> None:
    with pytest.raises(ProjectError) as err:
        Project.create(tmp_path / "c.bertdesk", tricky_frame(), **kwargs)
    assert words in one_line(err)
    assert list(tmp_path.iterdir()) == []


def test_create_rejects_duplicate_column_names(tmp_path: Path) -> None:
    frame = pd.DataFrame([["a", "b"]], columns=["x", "x"])
    with pytest.raises(ProjectError):
        Project.create(tmp_path / "d.bertdesk", frame, text_column="x")


def test_cancelled_create_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_build, "CHUNK_ROWS", 10)
    monkeypatch.setattr(project_snapshot, "CHUNK_ROWS", 10)  # a chunk of the snapshot per report
    frame = pd.DataFrame({"text": [f"row {i}" for i in range(100)]})
    token = CancelToken()
    reports: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        reports.append(progress)
        if progress.done >= 30:
            token.cancel()

    with pytest.raises(Cancelled):
        Project.create(tmp_path / "c.bertdesk", frame, text_column="text", on_progress=on_progress, cancel=token)
    assert list(tmp_path.iterdir()) == []
    assert [r.done for r in reports] == [0, 10, 20, 30] and all(r.total == 100 for r in reports)


def test_failed_create_leaves_no_file(tmp_path: Path) -> None:
    def boom(progress: Progress) -> None:
        if progress.done:
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        Project.create(tmp_path / "f.bertdesk", tricky_frame(), text_column="text", on_progress=boom)
    assert list(tmp_path.iterdir()) == []


def test_progress_reaches_total(tmp_path: Path) -> None:
    reports: list[Progress] = []
    Project.create(tmp_path / "p.bertdesk", tricky_frame(), text_column="text", on_progress=reports.append).close()
    assert reports[-1].done == reports[-1].total == len(TRICKY)


# -- open errors -----------------------------------------------------------------------------
def test_open_missing(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as err:
        Project.open(tmp_path / "missing.bertdesk")
    assert "does not exist" in one_line(err)
    assert not (tmp_path / "missing.bertdesk").exists()


@pytest.mark.parametrize("content", [b"", b"text,label\nhello,pos\n", b"SQLite format 3"])
def test_open_non_database(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.bertdesk"
    path.write_bytes(content)
    with pytest.raises(ProjectError) as err:
        Project.open(path)
    assert "not a bertdesk project" in one_line(err)


def test_open_other_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError) as err:
        Project.open(path)
    assert "not a bertdesk project" in one_line(err)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('app', 'someone-else')")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError) as err:
        Project.open(path)
    assert "not a bertdesk project" in one_line(err)


def test_open_truncated_file(tmp_path: Path) -> None:
    path = tmp_path / "t.bertdesk"
    frame = pd.DataFrame({"text": [f"some longer text number {i} " * 4 for i in range(5000)]})
    Project.create(path, frame, text_column="text").close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ProjectError) as err:
        Project.open(path)
    assert "damaged" in one_line(err)


def test_open_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.bertdesk"
    Project.create(path, tricky_frame(), text_column="text").close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError) as err:
        Project.open(path)
    assert "newer version" in one_line(err)


def test_open_locked_by_another_window(project: Project) -> None:
    with pytest.raises(ProjectError) as err:
        Project.open(project.path)
    assert "open in another" in one_line(err)
    project.set_label(0, "still works")


def test_closed_project_refuses_work(project: Project) -> None:
    project.close()
    project.close()  # twice is fine
    assert project.closed
    with pytest.raises(ProjectError) as err:
        project.fetch_rows(0, 1)
    assert "closed" in one_line(err)
    reopened = Project.open(project.path)
    reopened.close()


# -- snapshot settings -----------------------------------------------------------------------
def test_set_text_column_and_settings_persist(project: Project) -> None:
    project.set_text_column("n")
    assert project.texts([3]) == ["3"]
    with pytest.raises(ProjectError):
        project.set_text_column("nope")
    assert project.get_setting("missing") is None and project.get_setting("missing", "d") == "d"
    project.set_setting("model", "bundled")
    project.set_setting("model", "local")
    project.close()
    with Project.open(project.path) as again:
        assert again.text_column == "n" and again.get_setting("model") == "local"


# -- imported labels -------------------------------------------------------------------------
def test_imported_labels_trimmed_and_case_variants_kept(tmp_path: Path) -> None:
    raw = [" Positive", "negative\u00a0", "", "positive", "\u200b", "Positive", "NEGATIVE ", "neutral"]
    frame = pd.DataFrame({"text": [f"t{i}" for i in range(len(raw))], "label": raw})
    with Project.create(tmp_path / "l.bertdesk", frame, text_column="text", label_column="label") as proj:
        assert proj.label_column == "label"
        assert proj.label_set == LabelSet(["Positive", "negative", "positive", "NEGATIVE", "neutral"])
        assert proj.labels() == {0: "Positive", 1: "negative", 3: "positive", 5: "Positive", 6: "NEGATIVE", 7: "neutral"}
        assert set(proj.label_sources().values()) == {"imported"}
        assert proj.label_counts() == {"Positive": 2, "negative": 1, "positive": 1, "NEGATIVE": 1, "neutral": 1}
        assert proj.labelled_count == 6
        assert find_label_clashes(proj.label_set) == [["Positive", "positive"], ["negative", "NEGATIVE"]]
        assert proj.fetch_rows(0, 1) == [("t0", " Positive")]  # the snapshot itself is untouched
        assert not proj.can_undo  # importing is not an undo step


# -- labels, undo, redo ----------------------------------------------------------------------
def test_set_label_clear_undo_redo(project: Project) -> None:
    assert not project.can_undo and not project.can_redo and project.undo_text == ""
    project.set_label(12, "positive")
    assert project.label_of(12) == "positive" and project.label_set.names == ("positive",)
    assert project.undo_text == 'Label row 13 "positive"'  # rows are numbered from 1 for people
    project.set_label(12, "negative")
    project.set_label(12, None)
    assert project.label_of(12) is None and project.undo_text == "Clear label of row 13"
    assert project.undo() and project.label_of(12) == "negative"
    assert project.undo() and project.label_of(12) == "positive"
    assert project.label_set.names == ("positive",)  # "negative" came with that step, and went with it
    assert project.redo_text == 'Label row 13 "negative"'
    assert project.redo() and project.label_of(12) == "negative"
    assert project.undo() and project.undo()
    assert project.label_of(12) is None and project.label_set.names == ()  # the implicit add is undone too
    assert not project.undo() and project.can_redo
    assert project.redo() and project.label_of(12) == "positive"
    project.set_label(3, "spam")  # a new edit clears the redo stack
    assert not project.can_redo and not project.redo()
    assert project.labels() == {3: "spam", 12: "positive"}


def test_bulk_label_is_one_undo_step(project: Project) -> None:
    project.set_label(7, "keep", source="model")
    project.set_labels(range(5, 30), "spam")
    project.set_labels([40, 41, 41], "spam")
    assert project.undo_text == 'Label 2 rows "spam"'
    assert project.undo()
    assert project.undo_text == 'Label 25 rows "spam"'
    assert project.rows_with_label("spam") == 25
    assert project.undo()
    assert project.labels() == {7: "keep"} and project.label_sources() == {7: "model"}
    project.set_labels([1, 2, 7], None)
    assert project.undo_text == "Clear labels of 3 rows" and project.labels() == {}


def test_labels_are_saved_when_set_returns(project: Project) -> None:
    project.set_label(0, "a")
    project.set_labels([1, 2], " b\u200b")
    project.set_label(3, "")  # empty = clear; nothing to do
    path = project.path
    project.close()
    with Project.open(path) as again:
        assert again.labels() == {0: "a", 1: "b", 2: "b"}
        assert not again.can_undo  # the undo history is per session


def test_no_op_edits_make_no_undo_step(project: Project) -> None:
    project.set_label(1, "x")
    project.set_label(1, "x")
    project.set_label(2, None)
    project.add_label("x")
    project.rename_label("x", "x")
    assert project.undo() and not project.can_undo
    project.set_label(1, "x", source="model")
    project.set_label(1, "x", source="human")  # a person confirming a model label is a change
    assert project.undo() and project.label_sources() == {1: "model"}


def test_label_errors(project: Project) -> None:
    with pytest.raises(ProjectError):
        project.set_label(50, "x")
    with pytest.raises(ProjectError):
        project.set_labels([0, -1], "x")
    with pytest.raises(ProjectError):
        project.set_label(0, "x", source="robot")  # type: ignore[arg-type]
    assert project.labels() == {} and not project.can_undo


def test_labels_in_range_and_counts(project: Project) -> None:
    project.add_label("empty")
    project.set_labels([1, 3, 5], "odd")
    project.set_labels([2, 4], "even")
    assert project.labels_in_range(2, 3) == {2: "even", 3: "odd", 4: "even"}
    assert project.labels_in_range(40, 100) == {}
    assert project.label_counts() == {"empty": 0, "odd": 3, "even": 2}
    assert project.labelled_count == 5 and project.rows_with_label("empty") == 0
    with pytest.raises(LabelError):
        project.rows_with_label("nope")


# -- label-set edits -------------------------------------------------------------------------
def test_rename_moves_all_rows_and_undoes(project: Project) -> None:
    project.set_labels([1, 2, 3], "pos")
    project.set_label(4, "neg")
    project.rename_label("pos", " positive ")
    assert project.labels() == {1: "positive", 2: "positive", 3: "positive", 4: "neg"}
    assert project.undo_text == 'Rename label "pos" to "positive"'
    with pytest.raises(LabelError):
        project.rename_label("positive", "neg")
    with pytest.raises(LabelError):
        project.rename_label("nope", "x")
    with pytest.raises(LabelError):
        project.rename_label("neg", "  ")
    assert project.undo() and project.label_of(1) == "pos"
    assert project.redo() and project.label_of(1) == "positive"


def test_merge_relabels_and_undoes(project: Project) -> None:
    project.set_labels([1, 2], "Positive")
    project.set_labels([3], "positive", source="model")
    project.set_labels([4], "POSITIVE")
    project.set_label(5, "neg")
    before = project.labels()
    assert project.merge_labels("positive", ["Positive", "POSITIVE", "positive"]) == 3
    assert project.label_set.names == ("positive", "neg")
    assert project.labels() == {1: "positive", 2: "positive", 3: "positive", 4: "positive", 5: "neg"}
    assert project.label_sources()[1] == "human" and project.label_sources()[3] == "model"
    assert project.undo_text == 'Merge "Positive", "POSITIVE" into "positive"'
    assert project.undo()
    assert project.labels() == before and project.label_set.names == ("Positive", "positive", "POSITIVE", "neg")
    assert project.redo() and project.label_counts() == {"positive": 4, "neg": 1}
    assert_counts_match(project)
    with pytest.raises(LabelError):
        project.merge_labels("nope", ["neg"])
    assert project.merge_labels("neg", ["neg"]) == 0


def test_delete_clears_rows_and_undoes(project: Project) -> None:
    project.set_labels(range(10), "spam", source="model")
    project.set_label(3, "ham")
    assert project.delete_label("spam") == 9
    assert project.labels() == {3: "ham"} and project.label_set.names == ("ham",)
    assert project.label_set.id_of("ham") == 0  # positions close up
    assert project.undo_text == 'Delete label "spam"'
    assert project.undo()
    assert project.rows_with_label("spam") == 9 and project.label_set.names == ("spam", "ham")
    assert project.label_sources()[0] == "model"
    project.set_label(20, "new")  # keys of deleted labels are never reused under an undo step
    assert project.delete_label("new") == 1
    assert project.undo() and project.label_of(20) == "new"
    assert_counts_match(project)
    with pytest.raises(LabelError):
        project.delete_label("nope")


def test_reorder_and_colours(project: Project) -> None:
    for name in ("a", "b", "c"):
        project.add_label(name)
    project.set_label(0, "c")
    project.reorder_labels(["c", "a", "b"])
    assert project.label_set.names == ("c", "a", "b") and project.label_set.id_of("c") == 0
    assert project.label_of(0) == "c"
    with pytest.raises(LabelError):
        project.reorder_labels(["a", "b"])
    with pytest.raises(LabelError):
        project.reorder_labels(["a", "a", "b"])
    project.set_label_color("a", "#ff0000")
    project.add_label("d", color="#00ff00")
    assert project.label_colors() == {"a": "#ff0000", "d": "#00ff00"}
    assert project.undo() and project.undo()
    assert project.label_colors() == {}
    assert project.undo_text == "Reorder labels"
    assert project.undo() and project.label_set.names == ("a", "b", "c")


def test_long_mixed_history_matches_replay(project: Project) -> None:
    """Undo everything step by step, then redo everything: each state matches the one recorded."""
    states = [(project.labels(), project.label_set.names)]
    steps = [
        lambda: project.set_labels(range(0, 20), "a"),
        lambda: project.set_labels(range(10, 30), "b"),
        lambda: project.rename_label("a", "A"),
        lambda: project.merge_labels("b", ["A"]),
        lambda: project.set_label(5, "c"),
        lambda: project.delete_label("b"),
        lambda: project.set_labels([5, 6], None),
        lambda: project.add_label("z", color="#123456"),
        lambda: project.reorder_labels(["z", "c"]),
        lambda: project.set_label_color("c", "red"),
        lambda: project.set_labels([4, 5, 6], "d"),
    ]
    for step in steps:
        step()
        states.append((project.labels(), project.label_set.names))
        assert_counts_match(project)
    for expected in reversed(states[:-1]):
        assert project.undo()
        assert (project.labels(), project.label_set.names) == expected
        assert_counts_match(project)
    for expected in states[1:]:
        assert project.redo()
        assert (project.labels(), project.label_set.names) == expected
        assert_counts_match(project)


# -- runs ------------------------------------------------------------------------------------
def test_runs(project: Project) -> None:
    assert project.runs() == [] and project.active_run() is None
    first = project.add_run(status="running", model_dir="/m/1", config={"epochs": 3, "path": Path("/x")}, metrics={})
    second = project.add_run(status="finished", model_dir="/m/2", config={}, metrics={"f1": 0.5})
    project.update_run(first, status="finished", metrics={"accuracy": 0.9})
    runs = project.runs()
    assert [r.id for r in runs] == [first, second]
    assert runs[0].status == "finished" and runs[0].metrics == {"accuracy": 0.9}
    assert runs[0].config == {"epochs": 3, "path": "/x"} and not runs[0].is_active
    assert isinstance(runs[0], RunRecord) and runs[0].created_at > 0
    project.set_active_run(first)
    project.set_active_run(second)
    assert project.active_run() is not None and project.active_run().id == second  # type: ignore[union-attr]
    assert [r.is_active for r in project.runs()] == [False, True]
    with pytest.raises(ProjectError):
        project.update_run(first, is_active=True)
    with pytest.raises(ProjectError):
        project.update_run(999, status="x")
    with pytest.raises(ProjectError):
        project.set_active_run(999)
    project.delete_run(second)
    assert project.active_run() is None and [r.id for r in project.runs()] == [first]
    third = project.add_run(status="s", model_dir="d", config={}, metrics={})
    assert third > second  # ids are never reused (model folders may be named after them)
    project.set_active_run(None)
    with pytest.raises(ProjectError):
        project.delete_run(second)


# -- save_as ---------------------------------------------------------------------------------
def test_save_as_copies_everything_and_leaves_original_open(project: Project, tmp_path: Path) -> None:
    project.set_labels([1, 2], "x")
    run = project.add_run(status="done", model_dir="m", config={}, metrics={})
    project.set_active_run(run)
    with pytest.raises(ProjectError):
        project.save_as(project.path)
    (tmp_path / "taken.bertdesk").write_text("keep me")
    with pytest.raises(ProjectError):
        project.save_as(tmp_path / "taken.bertdesk")
    copy = project.save_as(tmp_path / "copy.bertdesk")
    try:
        assert copy.path == tmp_path / "copy.bertdesk"
        assert copy.labels() == {1: "x", 2: "x"} and copy.active_run().id == run  # type: ignore[union-attr]
        assert not copy.can_undo
        copy.set_label(3, "only in copy")
    finally:
        copy.close()
    project.set_label(4, "only in original")
    assert project.label_of(3) is None
    assert sorted(p.name for p in tmp_path.iterdir() if ".tmp-" in p.name) == []
    check_file(tmp_path / "copy.bertdesk")


# -- threads ---------------------------------------------------------------------------------
def test_two_threads_share_a_project(project: Project) -> None:
    errors: list[BaseException] = []
    done = threading.Event()

    def writer() -> None:
        try:
            for i in range(200):
                project.set_label(i % 50, "even" if i % 2 == 0 else "odd")
                if i % 25 == 0:
                    project.undo()
                    project.redo()
        except BaseException as err:  # noqa: BLE001 - reported to the main thread
            errors.append(err)
        finally:
            done.set()

    def reader() -> None:
        try:
            while not done.is_set():
                assert len(project.fetch_rows(0, 50)) == 50
                labels = project.labels_in_range(0, 50)
                assert set(labels.values()) <= {"even", "odd"}
                project.label_counts()
                assert len(project.texts()) == 50
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert project.labels() == {i: ("even" if i % 2 == 0 else "odd") for i in range(50)}
    assert_counts_match(project)


def test_meta_is_json_and_identifies_the_file(project: Project) -> None:
    project.close()
    conn = sqlite3.connect(project.path)
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    conn.close()
    assert meta["app"] == "bertdesk" and meta["schema_version"] == "4"
    assert json.loads(meta["columns"]) == ["text", "n"] and json.loads(meta["row_count"]) == 50


def test_every_label_has_a_stable_colour_its_own_or_the_palettes(tmp_path: Path) -> None:
    from bertdesk.core.project.label_colors import PALETTE

    frame = pd.DataFrame({"text": ["x", "y", "z"], "label": ["a", "b", "c"]})
    with Project.create(tmp_path / "c.bertdesk", frame, text_column="text", label_column="label") as project:
        first = project.display_colors()
        assert first == {"a": PALETTE[0], "b": PALETTE[1], "c": PALETTE[2]}
        assert len(set(first.values())) == 3 and not {"#ff0000", "#FF0000", "#e15759"} & set(first.values())  # no red
        project.set_label_color("b", "#123456")
        project.reorder_labels(["c", "b", "a"])
        project.rename_label("a", "alpha")
        project.delete_label("c")
        project.add_label("d")
        # Reordering, renaming and deleting others change no label's colour; a new label gets an unused one.
        assert project.display_colors() == {"b": "#123456", "alpha": PALETTE[0], "d": PALETTE[3]}
