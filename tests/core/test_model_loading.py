"""Strict model loading: weights that do not cover the model, and config.json values that would
hang, crash or mislead, are refused with one line naming what is wrong (CLI exit 2)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bertdesk.cli import main as cli_main
from bertdesk.core.errors import BertdeskError, ModelError
from bertdesk.core.ml.models import load_classifier, load_encoder, resolve_model_source
from bertdesk.core.ml.training import fine_tune
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_data import TrainingData
from bertdesk.core.progress import Progress
from tests.tiny_model import tiny_texts

FAST = TrainConfig(epochs=1, batch_size=8, max_length=32, learning_rate=1e-3, patience=0, precision="fp32")


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def _edit_weights(folder: Path, change: Callable[[dict[str, Any]], dict[str, Any]]) -> Path:
    from safetensors.torch import load_file, save_file

    path = folder / "model.safetensors"
    save_file(change(load_file(path)), path, metadata={"format": "pt"})
    return folder


def _edit_config(folder: Path, change: Callable[[Any], Any]) -> Path:
    path = folder / "config.json"
    path.write_text(json.dumps(change(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")
    return folder


def _updated(**values: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda config: {**config, **values}


def _without(prefix: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda weights: {k: v for k, v in weights.items() if not k.startswith(prefix)}


@pytest.fixture
def headless(tiny_model_dir: Path, tmp_path: Path) -> Path:
    """A trained-looking classifier folder whose classifier weights were deleted."""
    return _edit_weights(_copy(tiny_model_dir, tmp_path / "headless"), _without("classifier."))


@pytest.fixture
def data_csv(tmp_path: Path) -> Path:
    import pandas as pd

    texts, labels = tiny_texts(6, seed=3)
    path = tmp_path / "rows.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(path, index=False)
    return path


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli_main(list(args))
    err = capsys.readouterr().err.strip().splitlines()
    return code, err[-1] if err else ""


# -- weights that do not cover the model -------------------------------------------------------


def test_missing_classifier_weights_are_refused_by_predict_evaluate_and_attention(headless: Path) -> None:
    from bertdesk.core.ml.attention import explain_text
    from bertdesk.core.ml.evaluation import evaluate
    from bertdesk.core.ml.inference import load_predictor

    texts, labels = tiny_texts(4)
    calls: list[Callable[[], Any]] = [
        lambda: load_predictor(str(headless), device="cpu", precision="fp32"),
        lambda: evaluate(str(headless), TrainingData(texts, labels, [0, 1, 2, 3], ["neg", "pos"]), device="cpu", precision="fp32"),
        lambda: explain_text(str(headless), "good great love"),
    ]
    for call in calls:
        with pytest.raises(ModelError, match=r"lacks 2 weights .*classifier\.bias, classifier\.weight") as caught:
            call()
        assert "\n" not in str(caught.value) and "headless" in str(caught.value)


@pytest.mark.parametrize("command", ["predict", "evaluate", "attention"])
def test_the_cli_exits_2_with_one_line_for_a_model_missing_its_head(
    command: str, headless: Path, data_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = "good great love" if command == "attention" else str(data_csv)
    code, line = _cli(capsys, command, str(headless), target, *(["--quiet"] if command != "attention" else []))
    assert code == 2
    assert line.startswith("bertdesk: ") and "classifier.weight" in line and "internal error" not in line


def test_a_project_prediction_with_a_headless_run_is_refused(headless: Path, tmp_path: Path) -> None:
    import pandas as pd

    from bertdesk.core.ml.project_prediction import predict_project
    from bertdesk.core.project import Project

    texts, labels = tiny_texts(6)
    frame = pd.DataFrame({"text": texts, "label": labels})
    with Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label") as project:
        run = project.add_run(status="finished", model_dir=str(headless), config={}, metrics={"labels": ["neg", "pos"]})
        project.set_active_run(run)
        with pytest.raises(ModelError, match="classifier.weight"):
            predict_project(project, device="cpu", precision="fp32")
        assert project.prediction_count(run) == 0


def test_unexpected_weights_are_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    import torch

    folder = _edit_weights(_copy(tiny_model_dir, tmp_path / "extra"), lambda w: {**w, "extra.head.weight": torch.zeros(3, 3)})
    with pytest.raises(ModelError, match=r"1 weight the model does not have \(extra\.head\.weight\)"):
        load_classifier(resolve_model_source(str(folder)))


def test_a_head_for_other_labels_is_refused_naming_the_shapes(tiny_model_dir: Path, tmp_path: Path) -> None:
    three = {"id2label": {"0": "a", "1": "b", "2": "c"}, "label2id": {"a": 0, "b": 1, "c": 2}}
    folder = _edit_config(_copy(tiny_model_dir, tmp_path / "three"), _updated(**three))
    with pytest.raises(ModelError, match=r"2 weights of another shape .*classifier\.bias: 2 in the file, 3 in config\.json"):
        load_classifier(resolve_model_source(str(folder)))


def test_an_encoder_size_that_does_not_fit_the_weights_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = _edit_config(_copy(tiny_model_dir, tmp_path / "wider"), _updated(intermediate_size=40))
    with pytest.raises(ModelError, match=r"weights of another shape .*intermediate\.dense"):
        load_classifier(resolve_model_source(str(folder)))


def test_more_layers_in_config_than_in_the_weights_are_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = _edit_config(_copy(tiny_model_dir, tmp_path / "deeper"), _updated(num_hidden_layers=3))
    with pytest.raises(ModelError, match=r"lacks \d+ weights .*encoder\.layer\.2\."):
        load_classifier(resolve_model_source(str(folder)))


def test_fewer_layers_in_config_than_in_the_weights_are_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = _edit_config(_copy(tiny_model_dir, tmp_path / "shallower"), _updated(num_hidden_layers=1))
    with pytest.raises(ModelError, match=r"weights? the model does not have .*encoder\.layer\.1\."):
        load_classifier(resolve_model_source(str(folder)))


def test_a_config_far_bigger_than_its_weights_is_refused_before_the_model_is_built(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within every limit, but building it would allocate ~25 billion random parameters."""
    big = dict(num_hidden_layers=128, num_attention_heads=64, hidden_size=4096, intermediate_size=16384)
    folder = _edit_config(_copy(tiny_model_dir, tmp_path / "huge"), _updated(**big))
    _forbid_building(monkeypatch)
    with pytest.raises(ModelError, match=r"config\.json describes a model of [\d.]+ billion parameters.*model\.safetensors holds"):
        load_classifier(resolve_model_source(str(folder)))


def test_a_bare_encoder_missing_a_layer_is_refused_for_attention(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    from bertdesk.core.ml.attention import explain_text

    folder = _edit_weights(_copy(tiny_encoder_dir, tmp_path / "holey"), _without("encoder.layer.1.output."))
    with pytest.raises(ModelError, match=r"lacks 4 weights .*encoder\.layer\.1\.output"):
        explain_text(str(folder), "good great love")


def test_an_encoder_without_a_pooler_still_explains_and_trains(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    """A sentence-transformers checkpoint may have no pooler: attention never uses it, and
    training creates it together with the new head."""
    from bertdesk.core.ml.attention import explain_text

    folder = _edit_weights(_copy(tiny_encoder_dir, tmp_path / "nopooler"), _without("pooler."))
    maps = explain_text(str(folder), "good great love")
    assert maps.attentions.shape[:2] == (2, 2) and maps.probabilities is None
    texts, labels = tiny_texts(24)
    result = fine_tune(TrainingData(texts, labels, list(range(24)), ["neg", "pos"]), FAST.replace(model=str(folder)), tmp_path / "out")
    assert (result.model_dir / "model.safetensors").is_file()


def test_training_from_a_base_model_says_a_new_head_was_created(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    reports: list[Progress] = []
    texts, labels = tiny_texts(24)
    fine_tune(
        TrainingData(texts, labels, list(range(24)), ["neg", "pos"]),
        FAST.replace(model=str(tiny_encoder_dir)),
        tmp_path / "out",
        on_progress=reports.append,
    )
    assert any("new classification head" in r.message and "2 labels" in r.message for r in reports)


def test_training_from_a_base_model_missing_encoder_weights_is_refused(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    folder = _edit_weights(_copy(tiny_encoder_dir, tmp_path / "holey"), _without("encoder.layer.0.attention."))
    texts, labels = tiny_texts(24)
    with pytest.raises(BertdeskError, match=r"lacks \d+ weights .*encoder\.layer\.0\.attention"):
        fine_tune(TrainingData(texts, labels, list(range(24)), ["neg", "pos"]), FAST.replace(model=str(folder)), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_sound_trained_folder_and_a_bare_encoder_still_load(tiny_model_dir: Path, tiny_encoder_dir: Path) -> None:
    assert load_classifier(resolve_model_source(str(tiny_model_dir))).classifier.out_features == 2
    assert type(load_encoder(resolve_model_source(str(tiny_encoder_dir)))).__name__ == "BertModel"


@pytest.mark.slow
def test_the_bundled_model_loads_strictly_for_attention_and_as_a_training_base() -> None:
    source = resolve_model_source("default")
    assert type(load_encoder(source)).__name__ == "BertModel"
    assert load_classifier(source, ["a", "b"]).classifier.out_features == 2


# -- config.json checked before a model is built -----------------------------------------------


def _forbid_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to load real weights fail the test: the check must come first."""
    from transformers import AutoModel, AutoModelForSequenceClassification

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a model was built from a config.json that should have been refused")

    monkeypatch.setattr(AutoModelForSequenceClassification, "from_pretrained", refuse)
    monkeypatch.setattr(AutoModel, "from_pretrained", refuse)


BAD_CONFIGS: list[tuple[str, Callable[[Any], Any], str]] = [
    ("layers-100000", _updated(num_hidden_layers=100000), r"num_hidden_layers is 100000; .* at most 128"),
    ("layers-text", _updated(num_hidden_layers="abc"), r"num_hidden_layers must be a whole number, not 'abc'"),
    ("layers-float", _updated(num_hidden_layers=2.5), r"num_hidden_layers must be a whole number"),
    ("layers-bool", _updated(num_hidden_layers=True), r"num_hidden_layers must be a whole number"),
    ("layers-zero", _updated(num_hidden_layers=0), r"num_hidden_layers is 0; it must be at least 1"),
    ("heads-negative", _updated(num_attention_heads=-2), r"num_attention_heads is -2"),
    ("heads-too-many", _updated(num_attention_heads=129), r"num_attention_heads is 129"),
    ("hidden-huge", _updated(hidden_size=20000), r"hidden_size is 20000"),
    ("hidden-not-divisible", _updated(hidden_size=33), r"hidden_size 33 is not divisible by num_attention_heads 2"),
    ("intermediate-null", _updated(intermediate_size=None), r"intermediate_size must be a whole number, not None"),
    ("vocab-huge", _updated(vocab_size=2_000_000), r"vocab_size is 2000000"),
    ("positions-huge", _updated(max_position_embeddings=100_000), r"max_position_embeddings is 100000"),
    ("id2label-list", _updated(id2label=["neg", "pos"]), r"id2label must be an object"),
    ("id2label-word-keys", _updated(id2label={"a": "neg", "b": "pos"}), r"id2label key 'a' is not a number"),
    ("id2label-gap", _updated(id2label={"0": "neg", "2": "pos"}), r"id2label keys must be 0 to 1"),
    ("id2label-number-values", _updated(id2label={"0": 1, "1": 2}), r"id2label\[0\] must be a text"),
    ("id2label-twice", _updated(id2label={"0": "neg", "1": "neg"}, label2id={"neg": 0}), r"label 'neg' appears twice in id2label"),
    ("label2id-other", _updated(label2id={"neg": 1, "pos": 0}), r"label2id does not match id2label"),
    ("label2id-list", _updated(label2id=["neg", "pos"]), r"label2id must be an object"),
    (
        "labels-too-many",
        _updated(id2label={str(i): f"l{i}" for i in range(10_001)}, label2id={f"l{i}": i for i in range(10_001)}),
        r"10001 labels; at most 10000",
    ),
    ("architectures-text", _updated(architectures="BertForSequenceClassification"), r"architectures must be a list"),
    ("a-list", lambda config: [config], r"config\.json must hold a JSON object, not a list"),
    ("a-number", lambda config: 3, r"config\.json must hold a JSON object, not a number"),
]


@pytest.mark.parametrize(("case", "change", "message"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_a_bad_config_is_refused_before_any_model_is_built(
    case: str, change: Callable[[Any], Any], message: str, tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bertdesk.core.ml.inference import load_predictor

    folder = _edit_config(_copy(tiny_model_dir, tmp_path / case), change)
    _forbid_building(monkeypatch)
    with pytest.raises(ModelError, match=message) as caught:
        load_predictor(str(folder), device="cpu", precision="fp32")
    text = str(caught.value)
    assert "\n" not in text and str(folder / "config.json") in text


def test_bad_json_names_the_file_and_line(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_model_dir, tmp_path / "broken")
    (folder / "config.json").write_text('{\n  "num_hidden_layers": 2,\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(ModelError, match=r"config\.json is not valid JSON: .*line 3"):
        resolve_model_source(str(folder))


@pytest.mark.parametrize("command", ["predict", "evaluate", "attention"])
@pytest.mark.parametrize(
    "change",
    [_updated(num_hidden_layers=100000), _updated(num_hidden_layers="abc"), _updated(id2label=["neg", "pos"]), lambda c: [c]],
    ids=["layers-100000", "layers-text", "id2label-list", "a-list"],
)
def test_the_cli_exits_2_naming_the_field_and_file_for_a_bad_config(
    command: str, change: Callable[[Any], Any], tiny_model_dir: Path, data_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _edit_config(_copy(tiny_model_dir, tmp_path / "bad"), change)
    target = "good great love" if command == "attention" else str(data_csv)
    code, line = _cli(capsys, command, str(folder), target)
    assert code == 2
    assert str(folder / "config.json") in line and "internal error" not in line


def test_training_from_a_bad_config_is_refused_with_the_field(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    folder = _edit_config(_copy(tiny_encoder_dir, tmp_path / "bad"), _updated(num_hidden_layers=100000))
    texts, labels = tiny_texts(24)
    with pytest.raises(ModelError, match="num_hidden_layers is 100000"):
        fine_tune(TrainingData(texts, labels, list(range(24)), ["neg", "pos"]), FAST.replace(model=str(folder)), tmp_path / "out")
