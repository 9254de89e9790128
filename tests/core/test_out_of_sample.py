"""core.review.out_of_sample: every row's probabilities come from a model that did not see it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from bertdesk.core.errors import BertdeskError, Cancelled
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.progress import CancelToken, Progress
from bertdesk.core.review.out_of_sample import fast_out_of_sample, fold_count, thorough_out_of_sample
from tests.tiny_model import make_tiny_model, tiny_texts


def clusters(n_per_class: int, k: int = 3, d: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``k`` well separated blobs of ``n_per_class`` rows each (class j around 5 * e_j)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(k), n_per_class)
    centres = np.eye(k, d) * 5.0
    return (centres[labels] + rng.normal(size=(len(labels), d))).astype(np.float16), labels


def test_separable_rows_are_predicted_well_and_flipped_ones_are_not_their_label() -> None:
    features, labels = clusters(40)
    noisy = labels.copy()
    flipped = [3, 50, 100]
    noisy[flipped] = (labels[flipped] + 1) % 3
    probs = fast_out_of_sample(features, noisy)
    assert probs.shape == (120, 3) and probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    # Out of sample: a flipped row's own (wrong) label is not learnt from that row itself.
    assert (probs.argmax(axis=1) == labels).mean() >= 0.97
    for row in flipped:
        assert probs[row, noisy[row]] < 0.5 < probs[row, labels[row]]


def test_each_row_is_predicted_by_a_model_that_did_not_see_it() -> None:
    """A row alone at a point far from its class: in-sample it would be fitted, out of sample not."""
    features, labels = clusters(20, k=2)
    features[0] = features[25]  # row 0 (class 0) sits on a class-1 row
    probs = fast_out_of_sample(features, labels)
    assert probs[0, 0] < 0.5


def test_same_seed_same_answer_other_seed_other_folds() -> None:
    features, labels = clusters(15)
    a = fast_out_of_sample(features, labels, seed=1)
    np.testing.assert_array_equal(a, fast_out_of_sample(features, labels, seed=1))
    assert not np.array_equal(a, fast_out_of_sample(features, labels, seed=2))


def test_folds_shrink_to_the_smallest_label() -> None:
    assert fold_count(np.array([0] * 10 + [1] * 3), 5) == 3
    assert fold_count(np.array([0] * 10 + [1] * 2), 5) == 2
    assert fold_count(np.array([0] * 10 + [1] * 10), 5) == 5
    features, labels = clusters(10, k=2)
    reports: list[Progress] = []
    probs = fast_out_of_sample(features[:12], labels[:12], on_progress=reports.append)  # 10 + 2 rows
    assert probs.shape == (12, 2)
    assert reports[-1].done == reports[-1].total == 2  # two folds


def test_a_label_with_one_row_is_refused_by_name() -> None:
    features, labels = clusters(5, k=3)
    labels = np.concatenate([labels, [3]])
    features = np.vstack([features, features[:1]])
    with pytest.raises(BertdeskError) as caught:
        fast_out_of_sample(features, labels, label_names=["billing", "delivery", "app", "praise"])
    message = str(caught.value)
    assert "'praise'" in message and "1 row" in message and "\n" not in message


@pytest.mark.parametrize(
    ("features", "labels", "words"),
    [
        (np.zeros((5, 3)), np.array([0, 0, 1, 1]), "5 rows of features but 4 labels"),
        (np.zeros(4), np.array([0, 0, 1, 1]), "rows x numbers"),
        (np.full((4, 2), np.nan), np.array([0, 0, 1, 1]), "not a number"),
        (np.zeros((4, 2)), np.array([0, 0, 0, 0]), "two labels"),
        (np.zeros((0, 2)), np.zeros(0, dtype=int), "No labelled rows"),
        (np.zeros((4, 2)), np.array([0, 0, -1, 1]), "class numbers"),
    ],
)
def test_bad_input_is_one_line(features: np.ndarray, labels: np.ndarray, words: str) -> None:
    with pytest.raises(BertdeskError) as caught:
        fast_out_of_sample(features, labels)
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_a_class_number_with_no_rows_is_refused() -> None:
    features, labels = clusters(5, k=3)
    labels[labels == 1] = 2
    with pytest.raises(BertdeskError, match="'b' has no rows"):
        fast_out_of_sample(features, labels, label_names=["a", "b", "c"])


def test_progress_per_fold_and_cancel_between_folds() -> None:
    features, labels = clusters(20)
    reports: list[Progress] = []
    fast_out_of_sample(features, labels, folds=4, on_progress=reports.append)
    assert [r.done for r in reports] == [0, 1, 2, 3, 4] and {r.total for r in reports} == {4}

    token = CancelToken()

    def cancel_after_two(progress: Progress) -> None:
        if progress.done == 2:
            token.cancel()

    seen: list[Progress] = []
    with pytest.raises(Cancelled):
        fast_out_of_sample(features, labels, folds=4, cancel=token, on_progress=lambda p: (seen.append(p), cancel_after_two(p)))
    assert max(p.done for p in seen) == 2


# -- thorough: k short fine-tunes ---------------------------------------------------------------


# The tiny random model needs a far higher learning rate than a pretrained one to learn in a few steps.
# A tiny random model has no pretrained word embeddings to keep: they learn here.
QUICK = TrainConfig(batch_size=8, learning_rate=3e-3, max_length=32, device="cpu", precision="fp32", freeze_word_embeddings=False)


@pytest.fixture(scope="module")
def cue_data() -> tuple[list[str], np.ndarray]:
    texts, names = tiny_texts(48, seed=2)
    return texts, np.array([["neg", "pos"].index(x) for x in names])


@pytest.fixture
def own_temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temp dir, for this test alone (other processes write to the shared one meanwhile)."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def bertdesk_files(folder: Path) -> list[str]:
    """What bertdesk left in ``folder`` (torch keeps a compile cache of its own there)."""
    return [p.name for p in folder.iterdir() if p.name.startswith("bertdesk")]


def test_thorough_trains_one_model_per_fold_and_leaves_nothing(
    tmp_path: Path, own_temp_dir: Path, cue_data: tuple[list[str], np.ndarray]
) -> None:
    texts, labels = cue_data
    model = make_tiny_model(tmp_path / "base", labels=None)
    files_before = sorted(p.name for p in model.iterdir())
    reports: list[Progress] = []
    probs = thorough_out_of_sample(texts, labels, ["neg", "pos"], model, folds=3, epochs=6, config=QUICK, on_progress=reports.append)
    assert probs.shape == (48, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    # The cue words give the label away: even the tiny model learns them from two folds.
    assert (probs.argmax(axis=1) == labels).mean() >= 0.8
    fold_messages = [r.message for r in reports if r.message.startswith("Fold ")]
    assert {m.split(":")[0] for m in fold_messages} == {"Fold 1 of 3", "Fold 2 of 3", "Fold 3 of 3"}
    assert [r.done for r in reports] == sorted(r.done for r in reports)
    assert reports[-1].done == reports[-1].total
    assert bertdesk_files(own_temp_dir) == []  # the fold models are gone
    assert sorted(p.name for p in model.iterdir()) == files_before  # nothing written beside the base model


def test_thorough_label_names_must_match(tmp_path: Path, cue_data: tuple[list[str], np.ndarray]) -> None:
    texts, labels = cue_data
    with pytest.raises(BertdeskError, match="one per label name"):
        thorough_out_of_sample(texts, labels, ["neg"], tmp_path, folds=2)
    with pytest.raises(BertdeskError, match="48 labels but 47 texts"):
        thorough_out_of_sample(texts[:-1], labels, ["neg", "pos"], tmp_path, folds=2)


def test_thorough_cancel_stops_and_cleans_up(tmp_path: Path, own_temp_dir: Path, cue_data: tuple[list[str], np.ndarray]) -> None:
    texts, labels = cue_data
    model = make_tiny_model(tmp_path / "base", labels=None)
    token = CancelToken()
    seen: list[str] = []

    def cancel_in_second_fold(progress: Progress) -> None:
        seen.append(progress.message)
        if progress.message.startswith("Fold 2 of 3"):
            token.cancel()

    with pytest.raises(Cancelled):
        thorough_out_of_sample(
            texts, labels, ["neg", "pos"], model, folds=3, epochs=2, config=QUICK, cancel=token, on_progress=cancel_in_second_fold
        )
    assert not any(m.startswith("Fold 3 of 3") for m in seen)
    assert bertdesk_files(own_temp_dir) == []
