"""The Train panel trains through the same use case as ``bertdesk train PROJECT``
(tests/core/test_usecases.py checks the CLI side), so the two cannot drift apart again."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd

from bertdesk.core import usecases
from bertdesk.core.errors import TrainingError
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.project import Project
from bertdesk.gui.panels.train_panel import TrainPanel
from tests.tiny_model import tiny_texts


def test_the_train_panel_calls_the_use_case_on_its_worker_thread(qtbot, monkeypatch, tmp_path: Path, tiny_encoder_dir: Path) -> None:
    texts, labels = tiny_texts(40)
    project = Project.create(
        tmp_path / "p.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label"
    )
    calls: list[dict] = []

    def recording(target, config, out_dir=None, **kwargs):
        calls.append({"project": target, "config": config, "run": kwargs.get("run"), "thread": threading.current_thread()})
        raise TrainingError("stopped by the test")

    monkeypatch.setattr(usecases, "train_in_project", recording)
    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.settings.set_model_source(str(tiny_encoder_dir))
    panel.settings.apply_config(TrainConfig(epochs=1, batch_size=16, max_length=32))
    try:
        with qtbot.waitSignal(panel.training_changed, timeout=10_000, check_params_cb=lambda busy: not busy):
            panel.start_training()
        (call,) = calls
        (run,) = project.runs()
        assert call["project"] is project and call["run"] == (run.id, Path(run.model_dir))
        assert call["config"].model == str(tiny_encoder_dir)
        assert call["thread"] is not threading.main_thread()  # the rows are read off the GUI thread
        assert "stopped by the test" in panel.progress_label.text()
        panel._error_box.close()
    finally:
        project.close()


def test_the_predict_panel_exports_through_the_use_case(qtbot, monkeypatch, tmp_path: Path, tiny_model_dir: Path) -> None:
    import numpy as np

    from bertdesk.gui.panels.predict_panel import PredictPanel

    texts, _ = tiny_texts(6)
    project = Project.create(tmp_path / "p.bertdesk", pd.DataFrame({"text": texts}), text_column="text")
    run_id = project.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": ["neg", "pos"]})
    project.set_active_run(run_id)
    project.store_predictions(run_id, list(range(6)), ["pos"] * 6, np.full(6, 0.9), np.tile([0.1, 0.9], (6, 1)))
    calls: list[tuple[int, Path]] = []
    real = usecases.export_project_predictions

    def recording(target, predictions, out, **kwargs):
        calls.append((predictions.run_id, Path(out)))
        return real(target, predictions, out, **kwargs)

    monkeypatch.setattr(usecases, "export_project_predictions", recording)
    panel = PredictPanel()
    qtbot.addWidget(panel)
    try:
        panel.set_project(project)
        qtbot.waitUntil(lambda: panel.run is not None and panel.job is None, timeout=10_000)
        out = tmp_path / "out.csv"
        assert panel.export_to(str(out)) is not None
        qtbot.waitUntil(lambda: panel.job is None, timeout=30_000)
        assert calls == [(run_id, out)] and len(pd.read_csv(out)) == 6
    finally:
        project.close()
