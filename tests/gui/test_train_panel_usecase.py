"""The Train panel trains through the same use case as ``bertdesk train PROJECT``
(tests/core/test_usecases.py checks the CLI side), so the two cannot drift apart again."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd

from bertdesk.core import usecases
from bertdesk.core.errors import TrainingError
from bertdesk.core.project import Project
from bertdesk.core.training_config import TrainConfig
from bertdesk.gui.panels.train_panel import TrainPanel
from tests.tiny_model import tiny_texts


def test_the_train_panel_calls_the_use_case_on_its_worker_thread(qtbot, monkeypatch, tmp_path: Path, tiny_encoder_dir: Path) -> None:
    texts, labels = tiny_texts(40)
    project = Project.create(tmp_path / "p.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label")
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
