"""One label normalisation on every path, and project paths that resolve from anywhere.

Labels: a spreadsheet trained directly and the same spreadsheet imported into a project give
the same label set; evaluation, renames, lookups and accepted predictions clean names the same
way (:func:`~bertdesk.core.project.label_set.normalise_label`).

Paths: a run's model folder and the source spreadsheet are stored relative to the project
file when they sit in its folder tree (absolute otherwise), so the project opens from any
working directory and can be moved together with its models.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.cli import main
from bertdesk.core.errors import ModelError
from bertdesk.core.ml.evaluation import evaluate
from bertdesk.core.ml.project_prediction import predict_project
from bertdesk.core.ml.training_data import TrainingData, data_from_frame, data_from_project
from bertdesk.core.project import Project
from tests.tiny_model import make_tiny_model, tiny_texts

# The same label written three ways: a zero-width space after it, a space before it, plain.
NEG_SPELLINGS = ("neg\u200b", " neg", "neg")


def _messy_frame(n: int = 40) -> pd.DataFrame:
    texts, labels = tiny_texts(n)
    messy = [NEG_SPELLINGS[i % 3] if label == "neg" else label for i, label in enumerate(labels)]
    return pd.DataFrame({"text": texts, "label": messy})


def _messy_csv(folder: Path) -> Path:
    path = folder / "messy.csv"
    _messy_frame().to_csv(path, index=False)
    return path


def _train_args(encoder: Path, out: str | Path) -> list[str]:
    return ["--model", str(encoder), "--epochs", "1", "--max-length", "32", "--precision", "fp32", "--quiet", "--out", str(out)]


# -- one label normalisation -----------------------------------------------------------------


def test_spreadsheet_and_project_read_the_same_label_set(tmp_path: Path) -> None:
    frame = pd.read_csv(_messy_csv(tmp_path), dtype=str, keep_default_na=False)
    from_sheet = data_from_frame(frame, "text", "label")
    with Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label") as project:
        from_project = data_from_project(project)
    assert from_sheet.label_order == from_project.label_order == ["neg", "pos"]
    assert from_sheet.counts() == from_project.counts() == {"neg": 20, "pos": 20}


def test_cli_training_from_spreadsheet_and_project_gives_one_label_set(
    tmp_path: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = _messy_csv(tmp_path)
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label").close()
    assert (
        main(["train", str(csv), "--text-col", "text", "--label-col", "label", "--json", *_train_args(tiny_encoder_dir, tmp_path / "m1")])
        == 0
    )
    sheet_labels = json.loads(capsys.readouterr().out)["labels"]
    assert main(["train", str(tmp_path / "p.bertdesk"), "--json", *_train_args(tiny_encoder_dir, tmp_path / "m2")]) == 0
    project_labels = json.loads(capsys.readouterr().out)["labels"]
    assert sheet_labels == project_labels == ["neg", "pos"]
    config = json.loads((tmp_path / "m1" / "config.json").read_text(encoding="utf-8"))
    assert sorted(config["id2label"].values()) == ["neg", "pos"]


def test_cli_evaluate_matches_every_spelling(tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = _messy_csv(tmp_path)
    assert main(["evaluate", str(tiny_model_dir), str(csv), "--text-col", "text", "--label-col", "label", "--json", "--quiet"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["unknown_labels"] == {}
    assert scores["support"] == 40


def test_evaluate_normalises_the_model_labels_too(tmp_path: Path) -> None:
    # A model trained elsewhere whose id2label carries the invisible characters.
    model = make_tiny_model(tmp_path / "model", labels=["neg\u200b", " pos"])
    texts, labels = tiny_texts(12)
    scores = evaluate(model, TrainingData(texts, labels, list(range(12)), ["neg", "pos"]), device="cpu")
    assert scores["unknown_labels"] == {}
    assert scores["support"] == 12
    assert set(scores["per_class"]) == {"neg", "pos"}


def test_label_set_edits_store_and_find_normalised_names(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["a", "b", "c"], "label": ["x", "y", ""]})
    with Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label") as project:
        project.rename_label("x", "pos\u200b")
        assert project.label_set.names == ("pos", "y")
        assert project.label_of(0) == "pos"
        # The name as typed (with the invisible character) finds the stored label.
        project.rename_label("pos\u200b", "neg")
        assert project.label_set.names == ("neg", "y")
        project.add_label("\ufeffz ")
        assert project.label_set.names == ("neg", "y", "z")
        project.set_label_color(" z", "#123456")
        assert project.label_colors() == {"z": "#123456"}
        project.reorder_labels(["z\u200b", "neg", "y"])
        assert project.label_set.names == ("z", "neg", "y")
        assert project.rows_with_label("neg\u200b") == 1
        assert project.next_row_matching(None, label="y\u200b") == 1
        assert project.merge_labels("neg\u200b", [" y"]) == 1
        assert project.label_set.names == ("z", "neg")
        assert project.delete_label("z\u200b") == 0
        assert project.label_set.names == ("neg",)
        # Undo walks back through the same steps.
        while project.undo():
            pass
        assert project.label_set.names == ("x", "y")


def test_bulk_label_and_accepted_predictions_use_the_normalised_name(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["a", "b", "c", "d"], "label": ["neg", "pos", "", ""]})
    with Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label") as project:
        assert project.set_labels([2], "\u200bpos ")
        assert project.label_of(2) == "pos"
        # Predictions of a model whose id2label carries invisible characters.
        assert project.accept_predictions({3: "neg\u200b"})
        assert project.label_of(3) == "neg"
        assert project.label_set.names == ("neg", "pos")


# -- paths resolve from anywhere -------------------------------------------------------------


def _stored_model_dirs(project_file: Path) -> list[str]:
    conn = sqlite3.connect(project_file)
    try:
        return [row[0] for row in conn.execute("SELECT model_dir FROM runs ORDER BY id")]
    finally:
        conn.close()


def test_relative_out_is_found_from_another_folder_and_after_a_move(
    tmp_path: Path, tiny_encoder_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder_a, folder_b = tmp_path / "A", tmp_path / "B"
    folder_a.mkdir()
    folder_b.mkdir()
    texts, labels = tiny_texts(40)
    Project.create(
        folder_a / "p.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label"
    ).close()
    monkeypatch.chdir(folder_a)
    assert main(["train", "p.bertdesk", *_train_args(tiny_encoder_dir, "rel/dir")]) == 0
    capsys.readouterr()
    # Stored relative to the project file, so the folder can move with its models.
    assert _stored_model_dirs(folder_a / "p.bertdesk") == ["rel/dir"]

    monkeypatch.chdir(folder_b)
    with Project.open(folder_a / "p.bertdesk") as project:
        run = project.active_run()
        assert run is not None and Path(run.model_dir) == folder_a / "rel" / "dir" and Path(run.model_dir).is_dir()
        assert len(predict_project(project, device="cpu").row_ids) == 40
    # The CLI recognises the model as the project's run and stores the predictions with it.
    assert main(["predict", str(folder_a / "rel" / "dir"), str(folder_a / "p.bertdesk"), "--quiet", "--device", "cpu"]) == 0
    assert "stored the predictions with run 1" in capsys.readouterr().err
    assert main(["evaluate", str(folder_a / "rel" / "dir"), str(folder_a / "p.bertdesk"), "--quiet", "--device", "cpu", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unknown_labels"] == {}

    moved = tmp_path / "elsewhere" / "A2"
    moved.parent.mkdir()
    shutil.move(str(folder_a), str(moved))
    with Project.open(moved / "p.bertdesk") as project:
        run = project.active_run()
        assert run is not None and Path(run.model_dir) == moved / "rel" / "dir" and Path(run.model_dir).is_dir()
        assert len(predict_project(project, device="cpu").row_ids) == 40


def _project_with_model(folder: Path, model: Path, model_dir: str | Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    texts, labels = tiny_texts(6)
    path = folder / "p.bertdesk"
    with Project.create(path, pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label") as project:
        run_id = project.add_run(status="finished", model_dir=str(model_dir), config={}, metrics={"labels": ["neg", "pos"]})
        project.set_active_run(run_id)
    return path


def test_model_outside_the_project_folder_is_stored_absolute(tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "models" / "m"
    shutil.copytree(tiny_model_dir, outside)
    monkeypatch.chdir(tmp_path)
    path = _project_with_model(tmp_path / "proj", tiny_model_dir, Path("models") / "m")  # relative to the cwd
    assert _stored_model_dirs(path) == [str(outside)]
    monkeypatch.chdir(tmp_path / "proj")
    with Project.open(path) as project:
        assert project.active_run().model_dir == str(outside)  # type: ignore[union-attr]


def test_old_cwd_relative_paths_resolve_by_project_then_cwd(tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _project_with_model(tmp_path / "proj", tiny_model_dir, "")
    # What older versions stored: a path relative to the working directory of the day.
    conn = sqlite3.connect(path)
    conn.execute("UPDATE runs SET model_dir = 'old/model'")
    conn.commit()
    conn.close()
    elsewhere = tmp_path / "cwd"
    shutil.copytree(tiny_model_dir, elsewhere / "old" / "model")
    monkeypatch.chdir(elsewhere)
    with Project.open(path) as project:  # not beside the project: the working directory's
        assert project.active_run().model_dir == str(elsewhere / "old" / "model")  # type: ignore[union-attr]
    shutil.copytree(tiny_model_dir, tmp_path / "proj" / "old" / "model")
    with Project.open(path) as project:  # beside the project wins
        assert project.active_run().model_dir == str(tmp_path / "proj" / "old" / "model")  # type: ignore[union-attr]
    shutil.rmtree(tmp_path / "proj" / "old")
    shutil.rmtree(elsewhere / "old")
    with Project.open(path) as project:  # neither: reported missing, naming where it was looked for
        with pytest.raises(ModelError, match="missing"):
            predict_project(project, device="cpu")


def test_save_as_elsewhere_keeps_finding_the_models(tmp_path: Path, tiny_model_dir: Path) -> None:
    model = tmp_path / "proj" / "p.models" / "run-001"
    shutil.copytree(tiny_model_dir, model)
    path = _project_with_model(tmp_path / "proj", tiny_model_dir, model)
    assert _stored_model_dirs(path) == ["p.models/run-001"]
    (tmp_path / "copy").mkdir()
    with Project.open(path) as project, project.save_as(tmp_path / "copy" / "q.bertdesk") as copy:
        assert copy.active_run().model_dir == str(model)  # type: ignore[union-attr]


def test_source_spreadsheet_path_moves_with_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bertdesk.core.importing import ImportOptions, import_spreadsheet

    folder = tmp_path / "work"
    folder.mkdir()
    _messy_frame(6).to_csv(folder / "data.csv", index=False)
    monkeypatch.chdir(folder)
    options = ImportOptions(source=Path("data.csv"), project_path=Path("data.bertdesk"), text_column="text", label_column="label")
    import_spreadsheet(options).close()
    conn = sqlite3.connect(folder / "data.bertdesk")
    stored = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'source'").fetchone()[0])
    conn.close()
    assert stored["path"] == "data.csv"
    moved = tmp_path / "moved"
    shutil.move(str(folder), str(moved))
    monkeypatch.chdir(tmp_path)
    with Project.open(moved / "data.bertdesk") as project:
        assert project.source["path"] == str(moved / "data.csv")
        assert os.path.isfile(project.source["path"])
