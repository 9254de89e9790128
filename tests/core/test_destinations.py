"""Outputs never destroy user data and are checked before the work: the model folder rule,
writability, disk room, and a model kept safe when saving fails at the very end.

Root ignores permission bits, so "read-only" is a real read-only tmpfs mount where this machine
allows ``mount`` (skipped otherwise) and a refused write probe everywhere else; "full" is a
patched ``shutil.disk_usage`` or a tiny tmpfs.
"""

from __future__ import annotations

import errno
import json
import os
from collections import namedtuple
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.cli import main
from bertdesk.core import destinations
from bertdesk.core.destinations import DestinationError, check_model_destination, is_bertdesk_model
from bertdesk.core.errors import TrainingError
from bertdesk.core.ml.training import fine_tune
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_data import data_from_frame
from bertdesk.core.tables.writing import ExportError, export_frame
from tests.tiny_model import tiny_texts

Usage = namedtuple("Usage", "total used free")
FAST = TrainConfig(epochs=1, batch_size=8, max_length=32, learning_rate=1e-3, patience=0, precision="fp32")


@pytest.fixture
def labelled_csv(tmp_path: Path) -> Path:
    texts, labels = tiny_texts(40)
    folder = tmp_path / "work"
    folder.mkdir()
    path = folder / "reviews.csv"
    pd.DataFrame({"review": texts, "sentiment": labels}).to_csv(path, index=False)
    return path


def _train(data: Path, model: Path, out: str | Path, *extra: str) -> list[str]:
    return [
        "train",
        str(data),
        "--model",
        str(model),
        "--epochs",
        "1",
        "--max-length",
        "32",
        "--precision",
        "fp32",
        "--quiet",
        "--out",
        str(out),
        *extra,
    ]


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "training on" not in err  # refused before any data was read
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bertdesk: "), err
    return lines[0]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- never delete what bertdesk did not write ------------------------------------------------


def test_overwrite_refuses_a_folder_of_notes(
    labelled_csv: Path, tiny_encoder_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("mine")
    (notes / "drafts").mkdir()
    (notes / "drafts" / "a.md").write_text("also mine")
    before = _snapshot(notes)
    assert main(_train(labelled_csv, tiny_encoder_dir, notes, "--overwrite")) == 2
    assert "is not a model folder bertdesk saved" in _one_line_error(capsys)
    assert _snapshot(notes) == before


def test_overwrite_refuses_the_folder_holding_the_data(
    labelled_csv: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = labelled_csv.parent
    before = _snapshot(folder)
    assert main(_train(labelled_csv, tiny_encoder_dir, folder, "--overwrite")) == 2
    assert "holds reviews.csv" in _one_line_error(capsys)
    assert _snapshot(folder) == before


def test_overwrite_refuses_an_ancestor_of_the_project(tmp_path: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bertdesk.core.project import Project

    texts, labels = tiny_texts(40)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    Project.create(deep / "p.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label").close()
    before = _snapshot(tmp_path / "a")
    assert main(_train(deep / "p.bertdesk", tiny_encoder_dir, tmp_path / "a", "--overwrite")) == 2
    assert "holds p.bertdesk" in _one_line_error(capsys)
    assert _snapshot(tmp_path / "a") == before


def test_out_dot_is_refused_before_training(
    labelled_csv: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(labelled_csv.parent)
    before = _snapshot(labelled_csv.parent)
    assert main(_train(Path("reviews.csv"), tiny_encoder_dir, ".", "--overwrite")) == 2
    assert "is the current folder" in _one_line_error(capsys)
    assert _snapshot(labelled_csv.parent) == before


@pytest.mark.parametrize("name", ["root", "home", "cwd-parent"])
def test_root_home_and_ancestors_of_the_current_folder_are_never_a_model_folder(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    out, message = {
        "root": (Path("/"), "is the root of a filesystem"),
        "home": (home, "is your home folder"),
        "cwd-parent": (Path(".."), "holds the current folder"),
    }[name]
    with pytest.raises(DestinationError, match=message):
        check_model_destination(out, overwrite=True)


def _fake_model(folder: Path, *, marker: bool) -> None:
    folder.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        (folder / name).write_text("{}")
    (folder / "model.safetensors").write_bytes(b"weights")
    (folder / "metrics.json").write_text(json.dumps({"bertdesk_version": "0.1.0"}))
    if marker:
        destinations.write_model_marker(folder)


def test_a_bertdesk_model_is_recognised_by_its_marker_or_the_older_layout(tmp_path: Path) -> None:
    _fake_model(tmp_path / "new", marker=True)
    _fake_model(tmp_path / "old", marker=False)
    assert is_bertdesk_model(tmp_path / "new") and is_bertdesk_model(tmp_path / "old")
    # Someone else's Hugging Face folder: no marker, no bertdesk metrics.
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "config.json").write_text("{}")
    (tmp_path / "hf" / "model.safetensors").write_bytes(b"w")
    assert not is_bertdesk_model(tmp_path / "hf")
    # A bertdesk model the user put a file (or a folder) into is no longer ours alone.
    (tmp_path / "new" / "notes.txt").write_text("mine")
    (tmp_path / "old" / "results").mkdir()
    assert not is_bertdesk_model(tmp_path / "new") and not is_bertdesk_model(tmp_path / "old")
    for folder in ("new", "old", "hf"):
        with pytest.raises(DestinationError):
            check_model_destination(tmp_path / folder, overwrite=True)


def test_overwrite_replaces_a_model_bertdesk_wrote(
    labelled_csv: Path, tiny_encoder_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model"
    assert main(_train(labelled_csv, tiny_encoder_dir, out)) == 0
    marker = json.loads((out / ".bertdesk-model").read_text())
    assert marker["format"] == 1 and "model.safetensors" in marker["files"]
    (out / ".bertdesk-model").unlink()  # a model saved before the marker existed is replaced too
    first = (out / "metrics.json").read_text()
    assert main(_train(labelled_csv, tiny_encoder_dir, out, "--overwrite", "--seed", "7")) == 0
    assert (out / "metrics.json").read_text() != first and (out / ".bertdesk-model").is_file()
    (out / "my-notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(_train(labelled_csv, tiny_encoder_dir, out, "--overwrite")) == 2
    assert "my-notes.txt" in _one_line_error(capsys) and (out / "my-notes.txt").read_text() == "mine"


def test_fine_tune_refuses_at_the_end_if_the_old_folder_changed_and_keeps_the_new_model(
    tiny_encoder_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bertdesk.core.ml import training

    out = tmp_path / "model"
    _fake_model(out, marker=True)
    texts, labels = tiny_texts(40)
    data = data_from_frame(pd.DataFrame({"t": texts, "l": labels}), "t", "l")
    real_save = training.save_model

    def user_adds_a_file_meanwhile(*args: object) -> None:
        (out / "notes.txt").write_text("added while training")
        real_save(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(training, "save_model", user_adds_a_file_meanwhile)
    with pytest.raises(TrainingError, match="kept in") as caught:
        fine_tune(data, FAST.replace(model=str(tiny_encoder_dir)), out, overwrite=True)
    assert (out / "notes.txt").read_text() == "added while training"
    kept = Path(str(caught.value).rsplit("kept in ", 1)[1].rstrip("."))
    assert kept.parent == tmp_path and is_bertdesk_model(kept)


# -- checked before the work -----------------------------------------------------------------


def test_out_under_a_regular_file_is_refused_before_training(
    labelled_csv: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_train(labelled_csv, tiny_encoder_dir, labelled_csv / "model")) == 2
    assert "is a file, not a folder" in _one_line_error(capsys)


def test_unwritable_out_is_refused_before_training(
    labelled_csv: Path, tiny_encoder_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(folder: Path) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(destinations, "probe_write", refuse)
    assert main(_train(labelled_csv, tiny_encoder_dir, tmp_path / "new" / "model")) == 2
    assert "is not writable (Permission denied)" in _one_line_error(capsys)
    assert not (tmp_path / "new").exists()


def test_read_only_disk_is_refused_before_training(
    labelled_csv: Path, tiny_encoder_dir: Path, ro_mount: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_train(labelled_csv, tiny_encoder_dir, ro_mount / "model")) == 2
    assert "Read-only file system" in _one_line_error(capsys)


def test_full_disk_is_refused_before_training(
    labelled_csv: Path, tiny_encoder_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(destinations.shutil, "disk_usage", lambda path: Usage(10**9, 10**9 - 50_000, 50_000))
    assert main(_train(labelled_csv, tiny_encoder_dir, tmp_path / "model")) == 2
    assert "Not enough room for the model" in _one_line_error(capsys)


def test_a_model_is_expected_to_be_about_the_size_of_its_base(tiny_encoder_dir: Path) -> None:
    weights = (tiny_encoder_dir / "model.safetensors").stat().st_size
    assert weights < destinations.estimate_model_bytes(tiny_encoder_dir) < 2 * weights + 2 * 2**20


def test_predict_out_is_checked_before_the_model_is_loaded(
    labelled_csv: Path, tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bertdesk.core.ml.inference as inference

    loads: list[object] = []
    real = inference.load_predictor
    monkeypatch.setattr(inference, "load_predictor", lambda *a, **k: loads.append(a) or real(*a, **k))
    cases = [(labelled_csv / "out.csv", "is a file, not a folder"), (tmp_path / "missing" / "out.csv", "does not exist")]
    for out, message in cases:
        assert main(["predict", str(tiny_model_dir), str(labelled_csv), "--quiet", "--out", str(out)]) == 2
        assert message in _one_line_error(capsys)
    monkeypatch.setattr(destinations.shutil, "disk_usage", lambda path: Usage(10**9, 10**9 - 100, 100))
    assert main(["predict", str(tiny_model_dir), str(labelled_csv), "--quiet", "--out", str(tmp_path / "out.csv")]) == 2
    assert "Not enough room for out.csv" in _one_line_error(capsys)
    assert loads == [] and not (tmp_path / "out.csv").exists()


def test_export_checks_room_and_writability_before_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame({"text": ["x" * 100] * 1000, "n": range(1000)})
    free = {"bytes": 50_000}  # the table needs about 100 KB
    monkeypatch.setattr(destinations.shutil, "disk_usage", lambda path: Usage(10**9, 0, free["bytes"]))
    with pytest.raises(ExportError, match="Not enough room for out.csv"):
        export_frame(frame, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []
    free["bytes"] = 10**9
    assert export_frame(frame, tmp_path / "out.csv").is_file()


def test_export_to_a_disk_too_small_is_refused_before_writing(tiny_disk: Path) -> None:
    frame = pd.DataFrame({"text": ["x" * 100] * 1000})  # about 100 KB on a 64 KB disk
    with pytest.raises(ExportError, match="Not enough room for out.csv"):
        export_frame(frame, tiny_disk / "out.csv")
    assert list(tiny_disk.iterdir()) == []


def test_import_checks_the_project_destination_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bertdesk.core.errors import ProjectError
    from bertdesk.core.importing import ImportOptions, import_spreadsheet
    from bertdesk.core.tables import reading as data_module

    source = tmp_path / "big.csv"
    source.write_text("text,label\n" + "some words here,a\n" * 5000, encoding="utf-8")
    read = []
    real_read = data_module.read_table
    monkeypatch.setattr(data_module, "read_table", lambda *a, **k: read.append(1) or real_read(*a, **k))
    monkeypatch.setattr(destinations.shutil, "disk_usage", lambda path: Usage(10**9, 0, 10_000))
    with pytest.raises(ProjectError, match="Not enough room for p.bertdesk"):
        import_spreadsheet(ImportOptions(source=source, project_path=tmp_path / "p.bertdesk", text_column="text"))
    (tmp_path / "afile").write_text("mine")
    with pytest.raises(ProjectError, match="is a file, not a folder"):
        import_spreadsheet(ImportOptions(source=source, project_path=tmp_path / "afile" / "p.bertdesk", text_column="text"))
    (tmp_path / "taken.bertdesk").write_text("not ours")
    with pytest.raises(ProjectError, match="already exists"):
        import_spreadsheet(ImportOptions(source=source, project_path=tmp_path / "taken.bertdesk", text_column="text"))
    assert read == []  # refused before a row was read
    assert (tmp_path / "taken.bertdesk").read_text() == "not ours"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "big.csv", "taken.bertdesk"]


# -- a failure while saving at the end keeps the trained model ---------------------------------


def _data() -> object:
    texts, labels = tiny_texts(40)
    return data_from_frame(pd.DataFrame({"t": texts, "l": labels}), "t", "l")


def test_disk_full_while_saving_keeps_the_model_in_the_temp_folder(
    tiny_encoder_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from transformers import PreTrainedModel

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    disk = tmp_path / "disk"
    disk.mkdir()
    real_save = PreTrainedModel.save_pretrained

    def fills_the_disk(self: object, save_directory: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        if Path(save_directory).parent == disk:
            (Path(save_directory) / "model.safetensors").write_bytes(b"half")
            raise OSError(errno.ENOSPC, "No space left on device")
        real_save(self, save_directory, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PreTrainedModel, "save_pretrained", fills_the_disk)
    with pytest.raises(TrainingError, match="No space left on device.*kept in") as caught:
        fine_tune(_data(), FAST.replace(model=str(tiny_encoder_dir)), disk / "model")
    kept = Path(str(caught.value).rsplit("kept in ", 1)[1].rstrip("."))
    assert kept.parent == scratch and is_bertdesk_model(kept)
    assert list(disk.iterdir()) == []  # the half-written folder is gone


def test_rename_failing_at_the_end_keeps_the_complete_model_beside_it(
    tiny_encoder_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bertdesk.core.ml import model_folder

    def fails(partial: Path, out: Path) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(model_folder, "_publish", fails)
    with pytest.raises(TrainingError, match="kept in") as caught:
        fine_tune(_data(), FAST.replace(model=str(tiny_encoder_dir)), tmp_path / "model")
    kept = Path(str(caught.value).rsplit("kept in ", 1)[1].rstrip("."))
    assert kept.parent == tmp_path and is_bertdesk_model(kept) and not kept.name.startswith(".")
    assert not (kept / ".bertdesk-writer").exists()  # a kept model, never cleaned up as abandoned


def test_a_disk_that_fills_up_during_training_still_keeps_the_model(
    tiny_encoder_dir: Path, tmp_path: Path, tiny_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    # Room when checked (other programs freed it), full by the time the model is written.
    monkeypatch.setattr(destinations.shutil, "disk_usage", lambda path: Usage(10**12, 0, 10**12))
    with pytest.raises(TrainingError, match="kept in") as caught:
        fine_tune(_data(), FAST.replace(model=str(tiny_encoder_dir)), tiny_disk / "model")
    kept = Path(str(caught.value).rsplit("kept in ", 1)[1].rstrip("."))
    assert kept.parent == scratch and is_bertdesk_model(kept)
    assert list(tiny_disk.iterdir()) == []


def test_a_taken_partial_name_is_never_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the hidden name a model is first written under already exists (anyone's), saving
    fails without removing it."""
    from bertdesk.core.ml import model_folder

    taken = tmp_path / ".model.partial-taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    monkeypatch.setattr(model_folder, "_partial_dir", lambda out: taken)
    monkeypatch.setattr(model_folder, "_keep_elsewhere", lambda *args: None)
    with pytest.raises(TrainingError):
        model_folder.save_model(object(), object(), {}, tmp_path / "model")
    assert (taken / "notes.txt").read_text() == "mine"
