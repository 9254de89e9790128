"""The model resolver: bundled default, folders, hub ids offline, and refusing pickles."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from bertdesk.core.errors import ModelError
from bertdesk.core.ml.models import load_classifier, read_model_info, resolve_model_source


def test_default_is_the_bundled_minilm() -> None:
    source = resolve_model_source("default")
    assert source.kind == "bundled" and (source.path / "model.safetensors").is_file()
    info = read_model_info(source.path)
    assert (info.layers, info.heads, info.hidden_size) == (6, 12, 384) and not info.is_classifier
    assert resolve_model_source(None) == source == resolve_model_source("")


def test_a_local_folder_and_its_labels(tiny_model_dir: Path) -> None:
    source = resolve_model_source(str(tiny_model_dir))
    assert source.kind == "folder" and source.path == tiny_model_dir.resolve()
    assert read_model_info(tiny_model_dir).labels == ["neg", "pos"]


def test_a_pickle_only_folder_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pickled"
    shutil.copytree(tiny_model_dir, folder)
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(ModelError, match="pytorch_model.bin, a pickle checkpoint .* safetensors only"):
        resolve_model_source(str(folder))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "no config.json"),
        (lambda p: (p.mkdir(), (p / "config.json").write_text("{}")), "no model.safetensors"),
        (lambda p: p.write_text("x"), "is a file"),
        (lambda p: None, "No model folder"),
    ],
)
def test_bad_folders_get_one_line(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "model"
    make(target)
    with pytest.raises(ModelError, match=message) as caught:
        resolve_model_source(str(target))
    assert "\n" not in str(caught.value)


def test_an_uncached_hub_id_offline_fails_at_once_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(ModelError, match="cannot be reached .* bundled default or a model folder"):
        resolve_model_source("someone/no-such-model-here")
    assert time.monotonic() - started < 5


def test_unreachable_hub_is_detected_without_hanging(monkeypatch: pytest.MonkeyPatch) -> None:
    import bertdesk.core.ml.models as models

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(models, "HUB_HOST", "192.0.2.1")  # TEST-NET-1: never routable
    monkeypatch.setattr(models, "HUB_CONNECT_TIMEOUT_S", 0.5)
    started = time.monotonic()
    with pytest.raises(ModelError, match="cannot be reached"):
        resolve_model_source("someone/no-such-model-here")
    assert time.monotonic() - started < 5


def test_remote_code_is_never_run(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "remote"
    shutil.copytree(tiny_model_dir, folder)
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoModelForSequenceClassification": "evil.EvilModel"}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "evil.py").write_text("raise SystemExit('remote code ran')\n")
    model = load_classifier(resolve_model_source(str(folder)))
    assert type(model).__name__ == "BertForSequenceClassification"


def test_new_labels_get_a_fresh_head(tiny_model_dir: Path) -> None:
    model = load_classifier(resolve_model_source(str(tiny_model_dir)), ["a", "b", "c"])
    assert model.config.id2label == {0: "a", 1: "b", 2: "c"} and model.classifier.out_features == 3
