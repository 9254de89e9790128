"""Attention maps: shapes, softmax rows, rollout, word merge, saliency, truncation, export."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np
import pytest

from bertdesk.core.errors import ModelError
from bertdesk.core.ml.attention import AttentionError, AttentionExplainer, explain_text, save_json, save_npy
from bertdesk.core.ml.attention_maps import (
    attention_rollout,
    cls_attention,
    colour_levels,
    drop_indices,
    head_maxima,
    head_mean,
    merge_token_scores,
    merge_tokens,
    merge_wordpieces,
    pooled,
    top_attended,
    word_groups,
)
from bertdesk.core.ml.attention_png import encode_png, to_rgb, write_heatmap_png
from bertdesk.core.progress import Cancelled, CancelToken

TEXT = "the parcel was late and the app crashes"


@pytest.fixture(scope="module")
def explainer() -> AttentionExplainer:
    return AttentionExplainer()


def test_shapes_and_rows_sum_to_one(explainer: AttentionExplainer, tiny_model_dir: Path) -> None:
    maps = explainer.explain(tiny_model_dir, TEXT)
    n = len(maps.tokens)
    assert maps.tokens[0] == "[CLS]" and maps.tokens[-1] == "[SEP]"
    assert maps.attentions.dtype == np.float32
    assert maps.attentions.shape == (2, 2, n, n)
    np.testing.assert_allclose(maps.attentions.sum(axis=-1), 1.0, atol=1e-5)
    assert len(maps.offsets) == len(maps.word_ids) == n
    assert maps.special == [0, n - 1]
    assert maps.head_mean().shape == (2, n, n)
    rollout = maps.rollout()
    assert rollout.shape == (2, n, n)
    np.testing.assert_allclose(rollout.sum(axis=-1), 1.0, atol=1e-5)
    assert cls_attention(maps.attentions).shape == (2, 2, n)
    assert maps.truncation is None


def test_classifier_gives_prediction_and_one_saliency_per_token(explainer: AttentionExplainer, tiny_model_dir: Path) -> None:
    maps = explainer.explain(tiny_model_dir, TEXT)
    assert maps.labels == ["neg", "pos"]
    assert maps.probabilities is not None and maps.probabilities.shape == (2,)
    assert maps.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert maps.predicted_label in ("neg", "pos")
    assert maps.saliency is not None
    assert maps.saliency.shape == (len(maps.tokens),)
    assert (maps.saliency >= 0).all() and maps.saliency.sum() == pytest.approx(1.0, abs=1e-5)
    # The frozen model grew no gradient buffers while computing the saliency.
    loaded = next(iter(explainer._cache.values()))
    assert all(p.grad is None and not p.requires_grad for p in loaded.model.parameters())
    assert not loaded.model.training


def test_model_is_loaded_once_per_folder(explainer: AttentionExplainer, tiny_model_dir: Path, monkeypatch) -> None:
    import bertdesk.core.ml.attention as attention

    explainer.explain(tiny_model_dir, TEXT)
    calls = []
    monkeypatch.setattr(attention, "load_for_attention", lambda source: calls.append(source))
    explainer.explain(tiny_model_dir, "hello world")
    assert calls == [] and explainer.loaded(tiny_model_dir)


def test_headless_model_has_attention_but_no_prediction(tiny_encoder_dir: Path) -> None:
    maps = explain_text(tiny_encoder_dir, TEXT)
    assert maps.attentions.shape[:2] == (2, 2)
    assert maps.probabilities is None and maps.predicted_label is None and maps.saliency is None
    data = maps.to_json()
    assert data["predicted_label"] is None and data["probabilities"] is None and data["saliency"] is None


def test_rollout_matches_hand_computed_two_layers() -> None:
    a1 = np.array([[0.5, 0.5], [0.2, 0.8]])
    a2 = np.array([[1.0, 0.0], [0.6, 0.4]])
    # Two heads per layer whose mean is a1 / a2.
    layer1 = np.stack([a1 + [[0.1, -0.1], [0.0, 0.0]], a1 - [[0.1, -0.1], [0.0, 0.0]]])
    layer2 = np.stack([a2, a2])
    attentions = np.stack([layer1, layer2]).astype(np.float32)
    # A' = 0.5 A + 0.5 I (rows already sum to 1), then R = A2' @ A1'.
    r1 = np.array([[0.75, 0.25], [0.1, 0.9]])
    r2 = np.array([[1.0, 0.0], [0.3, 0.7]])
    expected = r2 @ r1  # [[0.75, 0.25], [0.295, 0.705]]
    rollout = attention_rollout(attentions)
    np.testing.assert_allclose(rollout[0], r1, atol=1e-6)
    np.testing.assert_allclose(rollout[1], expected, atol=1e-6)
    np.testing.assert_allclose(rollout[1], [[0.75, 0.25], [0.295, 0.705]], atol=1e-6)


def test_head_mean_and_levels() -> None:
    rng = np.random.default_rng(0)
    att = rng.random((3, 4, 5, 5)).astype(np.float32)
    att /= att.sum(-1, keepdims=True)
    np.testing.assert_allclose(head_mean(att), att.mean(axis=1), atol=1e-6)
    maxima = head_maxima(att)
    assert colour_levels(maxima, 1, 2, "head") == (0.0, pytest.approx(float(att[1, 2].max())))
    assert colour_levels(maxima, 1, 2, "layer") == (0.0, pytest.approx(float(att[1].max())))
    assert colour_levels(maxima, 1, 2, "global") == (0.0, pytest.approx(float(att.max())))


def test_wordpiece_merge() -> None:
    tokens = ["[CLS]", "un", "##bel", "##ie", "late", "[SEP]"]
    groups = word_groups(tokens)
    assert groups == [[0], [1, 2, 3], [4], [5]]
    assert word_groups(tokens, [None, 0, 0, 0, 1, None]) == groups
    assert merge_tokens(tokens, groups) == ["[CLS]", "unbelie", "late", "[SEP]"]
    rng = np.random.default_rng(1)
    matrix = rng.random((2, 6, 6))
    matrix /= matrix.sum(-1, keepdims=True)
    merged = merge_wordpieces(matrix, groups)
    assert merged.shape == (2, 4, 4)
    np.testing.assert_allclose(merged.sum(-1), 1.0, atol=1e-6)
    # Keys summed over pieces, queries averaged over pieces.
    expected = matrix[:, 1:4, 1:4].sum(-1).mean(-1)
    np.testing.assert_allclose(merged[:, 1, 1], expected, atol=1e-6)
    np.testing.assert_allclose(merged[:, 0, 1], matrix[:, 0, 1:4].sum(-1), atol=1e-6)
    np.testing.assert_allclose(merged[:, 2, 0], matrix[:, 4, 0], atol=1e-6)
    # The general (non-contiguous) path agrees with the fast one.
    shuffled = [[0], [1, 3, 2], [4], [5]]
    np.testing.assert_allclose(merge_wordpieces(matrix, shuffled), merged, atol=1e-6)
    np.testing.assert_allclose(merge_token_scores(np.arange(6.0), groups), [0, 6, 4, 5])


def test_word_groups_on_real_tokenizer_output(explainer: AttentionExplainer, tiny_model_dir: Path) -> None:
    maps = explainer.explain(tiny_model_dir, "the refunds")  # "refund" + "##s" in the tiny vocab
    assert "##s" in maps.tokens
    assert "refunds" in maps.words()


def test_drop_pool_top() -> None:
    matrix = np.arange(16, dtype=np.float32).reshape(4, 4)
    np.testing.assert_array_equal(drop_indices(matrix, [0, 3]), [[5, 6], [9, 10]])
    assert pooled(np.ones((1, 1, 200, 200)), 96).shape == (1, 1, 67, 67)
    block = np.arange(36.0).reshape(1, 1, 6, 6)
    np.testing.assert_array_equal(pooled(block, 3), block.reshape(1, 1, 3, 2, 3, 2).max(axis=(3, 5)))
    assert top_attended(np.array([0.1, 0.7, 0.2]), ["a", "b", "c"], 2) == [("b", pytest.approx(0.7)), ("c", pytest.approx(0.2))]


def test_truncation_says_what_was_cut(tiny_model_dir: Path) -> None:
    words = ["good"] * 200 + ["refund", "invoice"]
    maps = explain_text(tiny_model_dir, " ".join(words))
    assert len(maps.tokens) == 128  # the tiny model's max_position_embeddings
    assert maps.truncation is not None
    message = maps.truncation.message
    assert "204 tokens" in message and "at most 128" in message and "refund invoice" in message
    assert maps.text[maps.truncation.cut_at :].strip().endswith("refund invoice")
    assert maps.to_json()["truncated"] is True


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_is_a_one_line_error(tiny_model_dir: Path, text: str) -> None:
    with pytest.raises(AttentionError, match="no text to explain"):
        explain_text(tiny_model_dir, text)


def test_bad_model_folders(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="No model folder"):
        explain_text(tmp_path / "missing", TEXT)
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "config.json").write_text("{}")
    (pickled / "pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(ModelError, match="pickle"):
        explain_text(pickled, TEXT)


def test_cancel_before_work(tiny_model_dir: Path) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        AttentionExplainer().explain(tiny_model_dir, TEXT, cancel=token)


def test_json_and_npy_export(explainer: AttentionExplainer, tiny_model_dir: Path, tmp_path: Path) -> None:
    maps = explainer.explain(tiny_model_dir, TEXT)
    save_json(maps, tmp_path / "maps.json")
    save_npy(maps.attentions, tmp_path / "maps.npy")
    data = json.loads((tmp_path / "maps.json").read_text(encoding="utf-8"))
    np.testing.assert_allclose(np.array(data["attentions"]), maps.attentions, atol=1e-7)
    np.testing.assert_allclose(np.array(data["rollout"]), maps.rollout()[-1], atol=1e-7)
    np.testing.assert_array_equal(np.load(tmp_path / "maps.npy"), maps.attentions)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maps.json", "maps.npy"]  # no temporary files left


def test_png_encoder_round_trip(tmp_path: Path) -> None:
    matrix = np.array([[0.0, 1.0], [0.5, 0.25]], dtype=np.float32)
    rgb = to_rgb(matrix, (0.0, 1.0))
    assert rgb.shape == (2, 2, 3) and rgb.dtype == np.uint8
    png = encode_png(rgb)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    # Decode the single IDAT chunk by hand: filter byte 0 then RGB per row.
    idat_at = png.index(b"IDAT")
    length = int.from_bytes(png[idat_at - 4 : idat_at], "big")
    raw = zlib.decompress(png[idat_at + 4 : idat_at + 4 + length])
    rows = np.frombuffer(raw, np.uint8).reshape(2, 1 + 2 * 3)
    assert (rows[:, 0] == 0).all()
    np.testing.assert_array_equal(rows[:, 1:].reshape(2, 2, 3), rgb)
    path = write_heatmap_png(matrix, tmp_path / "h.png", cell=3)
    assert path.read_bytes()[16:24] == (6).to_bytes(4, "big") * 2  # width, height in IHDR


@pytest.mark.slow
def test_bundled_model_attention_cjk_and_rtl() -> None:
    maps = explain_text("default", "The parcel 包裹 arrived late שלום")
    assert maps.attentions.shape[:2] == (6, 12)
    np.testing.assert_allclose(maps.attentions.sum(-1), 1.0, atol=1e-4)
    assert maps.probabilities is None and maps.saliency is None


def test_saliency_later_equals_saliency_at_once(explainer: AttentionExplainer, tiny_model_dir: Path, tiny_encoder_dir: Path) -> None:
    quick = explainer.explain(tiny_model_dir, TEXT, saliency=False)
    assert quick.saliency is None and quick.probabilities is not None
    later = explainer.saliency(tiny_model_dir, quick)
    at_once = explainer.explain(tiny_model_dir, TEXT)
    np.testing.assert_allclose(later.saliency, at_once.saliency, atol=1e-6)
    np.testing.assert_array_equal(later.attentions, quick.attentions)
    headless = explain_text(tiny_encoder_dir, TEXT)
    assert explainer.saliency(tiny_encoder_dir, headless) is headless


def test_model_retrained_into_same_folder_is_reloaded(tmp_path: Path) -> None:
    from tests.tiny_model import make_tiny_model

    folder = make_tiny_model(tmp_path / "model", seed=1)
    explainer = AttentionExplainer()
    first = explainer.explain(folder, TEXT)
    make_tiny_model(folder, seed=2)  # what a training run saving into the same folder does
    second = explainer.explain(folder, TEXT)
    assert not np.allclose(first.attentions, second.attentions)
    assert len(explainer._cache) == 1


def test_derived_arrays_for_the_views(explainer: AttentionExplainer, tiny_model_dir: Path) -> None:
    from bertdesk.core.ml.attention_derived import KINDS, merged_stack, prepare

    maps = explainer.explain(tiny_model_dir, "the refunds were late", saliency=False)
    n = len(maps.tokens)
    derived = prepare(maps, thumb_size=4)
    assert derived.mean.shape == derived.rollout.shape == (2, 1, n, n)
    assert derived.thumbs.shape[-1] <= 4
    np.testing.assert_allclose(derived.maxima["heads"], maps.attentions.max(axis=(-1, -2)))
    for kind in KINDS:
        stack, words, maxima = merged_stack(derived, kind)
        assert words == maps.words() == ["[CLS]", "the", "refunds", "were", "late", "[SEP]"]
        assert stack.shape[-1] == len(words) < n
        np.testing.assert_allclose(stack.sum(-1), 1.0, atol=1e-5)
        assert maxima.shape == stack.shape[:2]
