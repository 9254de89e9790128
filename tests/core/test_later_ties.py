"""Early stopping on a few dozen validation rows: equal scores are common; which weights are kept."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bertdesk.core.ml.devices import cpu_device
from bertdesk.core.ml.training import _callback_class, _Rows
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.progress import CancelToken


def _monitor(config: TrainConfig) -> object:
    rows = _Rows({"input_ids": [[1, 2], [1, 3], [1, 4], [1, 5]]}, [0, 1, 0, 1])
    monitor = _callback_class()(
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
    monitor._predict_validation = lambda model: [0, 1, 1, 1]  # the same score at every evaluation
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
