"""A tampered project file is bad input: exit 2 and one line on stderr, never a traceback.

Each case damages a copy of a small, valid project the way an editor, a sync tool or a bad
disk might: wrong-typed or corrupt ``meta`` values, a file that is not SQLite, a truncated
file, another program's SQLite database, a newer format, a hand-edited label set or run.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.cli import main
from bertdesk.core.errors import ProjectError
from bertdesk.core.project import Project
from tests.tiny_model import tiny_texts


def _sql(*statements: str) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        conn = sqlite3.connect(path)
        try:
            for statement in statements:
                conn.execute(statement)
            conn.commit()
        finally:
            conn.close()

    return apply


def _meta(key: str, value: str) -> Callable[[Path], None]:
    return _sql(f"UPDATE meta SET value = {value} WHERE key = '{key}'")


def _write(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _other_program(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.commit()
    conn.close()


# A meta table without NOT NULL, as another tool might rebuild it.
_LOOSE_META = (
    "CREATE TABLE meta2 (key, value)",
    "INSERT INTO meta2 SELECT key, value FROM meta",
    "DROP TABLE meta",
    "ALTER TABLE meta2 RENAME TO meta",
)

TAMPERINGS: dict[str, Callable[[Path], None]] = {
    "columns not JSON": _meta("columns", "'{bad'"),
    "columns a number": _meta("columns", "'5'"),
    "columns not names": _meta("columns", "'[1, 2]'"),
    "columns too few": _meta("columns", "'[\"text\"]'"),
    "columns repeated": _meta("columns", '\'["text", "text"]\''),
    "columns NULL": _sql(*_LOOSE_META, "UPDATE meta SET value = NULL WHERE key = 'columns'"),
    "columns a blob": _sql(*_LOOSE_META, "UPDATE meta SET value = X'00FF' WHERE key = 'columns'"),
    "row_count text": _meta("row_count", "'\"x\"'"),
    "row_count negative": _meta("row_count", "'-1'"),
    "row_count a fraction": _meta("row_count", "'3.5'"),
    "row_count true": _meta("row_count", "'true'"),
    "row_count too big": _meta("row_count", "'1000000'"),
    "text_column a number": _meta("text_column", "'7'"),
    "text_column unknown": _meta("text_column", "'\"nope\"'"),
    "text_column missing": _sql("DELETE FROM meta WHERE key = 'text_column'"),
    "label_column unknown": _meta("label_column", "'\"nope\"'"),
    "source a list": _meta("source", "'[1]'"),
    "schema_version text": _meta("schema_version", "'abc'"),
    "schema_version empty": _meta("schema_version", "''"),
    "schema_version newer": _meta("schema_version", "'99'"),
    "app another program": _meta("app", "'other'"),
    "table chunk not Arrow": _sql("UPDATE chunks SET data = X'00FF00FF' WHERE id = 0"),
    "table chunk text": _sql("UPDATE chunks SET data = 'some text' WHERE id = 0"),
    "table chunks missing": _sql("DELETE FROM chunks"),
    "table chunk misnumbered": _sql("UPDATE chunks SET id = 5"),
    "label name untrimmed": _sql("UPDATE label_set SET name = 'neg\u200b' WHERE name = 'neg'"),
    "not SQLite": _write(b"text,label\nhello,neg\n"),
    "empty file": _write(b""),
    "truncated": _truncate,
    "another program's SQLite": _other_program,
}
CASES = sorted(TAMPERINGS)


@pytest.fixture(scope="module")
def valid_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts, labels = tiny_texts(40)
    path = tmp_path_factory.mktemp("valid") / "valid.bertdesk"
    Project.create(path, pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label").close()
    return path


def tampered_copy(valid: Path, folder: Path, case: str) -> Path:
    path = folder / "tampered.bertdesk"
    path.write_bytes(valid.read_bytes())
    TAMPERINGS[case](path)
    return path


def _command(name: str, project: Path, model: Path, out: Path) -> list[str]:
    if name == "train":
        return ["train", str(project), "--model", str(model), "--epochs", "1", "--quiet", "--out", str(out)]
    return [name, str(model), str(project), "--quiet", "--device", "cpu"]


@pytest.mark.parametrize("case", CASES)
def test_open_raises_one_line_project_error(valid_project: Path, tmp_path: Path, case: str) -> None:
    path = tampered_copy(valid_project, tmp_path, case)
    with pytest.raises(ProjectError) as caught:
        Project.open(path).close()
    message = str(caught.value)
    assert "\n" not in message and "tampered.bertdesk" in message


@pytest.mark.parametrize("command", ["train", "predict", "evaluate"])
@pytest.mark.parametrize("case", CASES)
def test_every_command_exits_2(
    valid_project: Path, tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str], case: str, command: str
) -> None:
    path = tampered_copy(valid_project, tmp_path, case)
    code = main(_command(command, path, tiny_model_dir, tmp_path / "out"))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert len(err) == 1 and err[0].startswith("bertdesk: ") and "tampered.bertdesk" in err[0]
    assert not (tmp_path / "out").exists()


# A real process, so nothing escapes main(). train and evaluate read the project before loading
# torch (half a second each) and take turns; predict loads the model first, so one case runs it.
SUBPROCESS_CASES = [(case, ("train", "evaluate")[i % 2]) for i, case in enumerate(CASES)] + [("columns a number", "predict")]


@pytest.mark.parametrize(("case", "command"), SUBPROCESS_CASES)
def test_as_a_user_runs_it(valid_project: Path, tmp_path: Path, tiny_model_dir: Path, case: str, command: str) -> None:
    path = tampered_copy(valid_project, tmp_path, case)
    result = subprocess.run(
        [sys.executable, "-m", "bertdesk", *_command(command, path, tiny_model_dir, tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("bertdesk: ") and "Traceback" not in result.stderr


def test_a_run_with_corrupt_metrics_is_reported(
    valid_project: Path, tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.bertdesk"
    path.write_bytes(valid_project.read_bytes())
    with Project.open(path) as project:
        project.set_active_run(project.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={}))
    _sql("UPDATE runs SET metrics = '{bad'")(path)
    assert main(["predict", str(tiny_model_dir), str(path), "--quiet", "--device", "cpu"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "p.bertdesk" in err[0] and "run 1" in err[0]


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_a_row_labelled_with_an_unknown_label_key_is_reported(
    valid_project: Path, tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # Found as the labels are read (no extra scan when opening): commands that read labels say so.
    path = tmp_path / "p.bertdesk"
    path.write_bytes(valid_project.read_bytes())
    _sql("UPDATE labels SET label_key = 99 WHERE row_id = 3")(path)
    assert main(_command(command, path, tiny_model_dir, tmp_path / "out")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "p.bertdesk: a row's label is invalid (label key 99 is not in the label set)" in err[0]


def test_corrupt_stored_predictions_are_reported(valid_project: Path, tmp_path: Path) -> None:
    import numpy as np

    path = tmp_path / "p.bertdesk"
    path.write_bytes(valid_project.read_bytes())
    with Project.open(path) as project:
        run_id = project.add_run(status="finished", model_dir="", config={}, metrics={"labels": ["neg", "pos"]})
        project.store_predictions(run_id, [0, 1], ["neg", "pos"], [0.9, 0.8], np.array([[0.9, 0.1], [0.2, 0.8]]))
    _sql("UPDATE predictions SET probabilities = X'0102'")(path)
    with Project.open(path) as project, pytest.raises(ProjectError, match="p.bertdesk: the prediction table of run 1 is invalid"):
        project.predictions(run_id)
