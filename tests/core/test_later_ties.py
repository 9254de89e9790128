"""Early stopping on a few dozen validation rows: equal scores are common; which weights are kept."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from bertdesk.core.ml.devices import cpu_device
from bertdesk.core.ml.training import _callback_class, _Rows
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.progress import CancelToken


def _make_monitor(config: TrainConfig, true: list[int]) -> object:
    rows = _Rows({"input_ids": [[1, 2 + i] for i in range(len(true))]}, true)
    return _callback_class()(
        tokenizer=None,
        val_rows=rows,
        labels=["a", "b"],
        config=config,
        device=cpu_device(),
        precision="fp32",
        eval_every=1,
        on_progress=lambda progress: None,
        cancel=CancelToken(),
    )


def _monitor(config: TrainConfig) -> object:
    monitor = _make_monitor(config, [0, 1, 0, 1])
    # the same answers, so the same score and loss, at every evaluation
    monitor._validation_logits = lambda model: np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    return monitor


@pytest.mark.parametrize(("later_ties", "kept_step"), [(False, 1), (True, 3)])
def test_which_of_equal_evaluations_is_kept(later_ties: bool, kept_step: int) -> None:
    import torch

    monitor = _monitor(TrainConfig(patience=5, later_ties=later_ties))
    model = torch.nn.Linear(2, 2)
    for step in (1, 2, 3):
        with torch.no_grad():
            model.weight.fill_(float(step))
        monitor._evaluate(
            model, SimpleNamespace(global_step=step, max_steps=10, epoch=float(step)), SimpleNamespace(should_training_stop=False)
        )
    assert monitor.best["step"] == kept_step
    assert monitor.best_state["weight"][0, 0].item() == float(kept_step)  # the kept weights are that evaluation's
    assert monitor.bad_evals == (0 if later_ties else 2)  # a tie does not count against patience when kept


def _rows_monitor(config: TrainConfig, logits_by_step: dict[int, np.ndarray], true: list[int]) -> object:
    monitor = _make_monitor(config, true)
    monitor.step = 0
    monitor._validation_logits = lambda model: logits_by_step[monitor.step]
    return monitor


def _logits(true: list[int], wrong: int, margin: float) -> np.ndarray:
    """Logits that get the first ``wrong`` rows wrong, every answer ``margin`` apart."""
    out = np.zeros((len(true), 2), dtype=np.float32)
    for i, label in enumerate(true):
        answer = 1 - label if i < wrong else label
        out[i, answer] = margin
    return out


@pytest.mark.parametrize(("near_tie_f1", "kept_step"), [(0.0, 1), (0.01, 1), (0.06, 2)])
def test_a_near_tie_with_a_lower_loss_is_kept_within_the_tolerance(near_tie_f1: float, kept_step: int) -> None:
    import torch

    true = [0, 1] * 10
    steps = {
        1: _logits(true, wrong=1, margin=0.1),  # macro-F1 0.95, unsure of every answer (loss 0.64)
        2: _logits(true, wrong=2, margin=3.0),  # macro-F1 0.90, sure of its answers (loss 0.35)
        3: _logits(true, wrong=6, margin=9.0),  # macro-F1 0.70: too far below the best, however sure
    }
    monitor = _rows_monitor(TrainConfig(patience=5, near_tie_f1=near_tie_f1), steps, true)
    model = torch.nn.Linear(2, 2)
    for step in (1, 2, 3):
        monitor.step = step
        with torch.no_grad():
            model.weight.fill_(float(step))
        monitor._evaluate(
            model, SimpleNamespace(global_step=step, max_steps=10, epoch=float(step)), SimpleNamespace(should_training_stop=False)
        )
    assert monitor.best["step"] == kept_step
    assert monitor.best_state["weight"][0, 0].item() == float(kept_step)
    assert monitor.top_macro_f1 == pytest.approx(0.95, abs=0.001)  # the best score seen, kept or not
