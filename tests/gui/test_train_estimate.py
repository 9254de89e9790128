"""The Train panel tells the truth about time and quality: an estimate before Start, a
comparison with the earlier runs after (issue 13, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtWidgets import QLabel

from bertdesk.core.ml.speed_calibration import CACHE_KEY
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.project import Project
from bertdesk.gui.panels.train_panel import TrainPanel
from bertdesk.gui.workers import running_jobs
from tests.tiny_model import tiny_texts

QUICK = TrainConfig(epochs=1, batch_size=16, max_length=32, patience=0, val_split=0.2, precision="fp32", device="cpu")


@pytest.fixture
def project(tmp_path: Path):
    texts, labels = tiny_texts(40)
    proj = Project.create(tmp_path / "p.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label")
    yield proj
    if not proj.closed:
        proj.close()


@pytest.fixture
def panel(qtbot, project: Project, tiny_encoder_dir: Path):
    widget = TrainPanel()
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.set_project(project)
    widget.settings.set_model_source(str(tiny_encoder_dir))
    widget.settings.apply_config(QUICK.replace(model=str(tiny_encoder_dir)))
    yield widget
    for job in running_jobs():
        job.cancel()
        job.wait()


def _said(label: QLabel) -> list[str]:
    """Every text ``label`` shows from now on (a QLabel has no signal for it)."""
    texts: list[str] = []

    def set_text(text: str) -> None:
        texts.append(text)
        QLabel.setText(label, text)

    label.setText = set_text  # type: ignore[method-assign]
    return texts


def _train(qtbot, panel: TrainPanel) -> None:
    with qtbot.waitSignal(panel.training_changed, timeout=60_000, check_params_cb=lambda running: not running):
        panel.start_training()


def test_the_estimate_appears_before_start_measured_once(qtbot, panel: TrainPanel, project: Project) -> None:
    said = _said(panel.estimate_label)
    panel.show()
    qtbot.waitUntil(lambda: panel.estimate_label.estimate is not None, timeout=60_000)
    text = panel.estimate_label.text()
    assert text.startswith("Estimated time: about ") and text.endswith("tokens/s in a short calibration)")
    assert "on this CPU" in text
    assert "Estimated time: measuring speed…" in said  # said while calibrating
    assert len(json.loads(project.get_setting(CACHE_KEY))) == 1  # measured once, kept in the project

    # Early stopping on: "at most".
    panel.settings.patience_spin.setValue(2)
    qtbot.waitUntil(lambda: panel.estimate_label.text().startswith("Estimated time: at most about "), timeout=60_000)
    # No usable labels: no estimate.
    panel.set_project(None)
    assert panel.estimate_label.text() == "" and panel.estimate_label.estimate is None


def test_after_two_runs_the_panel_compares_them_and_the_time_is_checked(qtbot, panel: TrainPanel, project: Project) -> None:
    panel.show()
    qtbot.waitUntil(lambda: panel.estimate_label.estimate is not None, timeout=60_000)
    assert panel.comparison_label.isHidden()
    _train(qtbot, panel)
    first = project.runs()[-1]
    assert first.status == "finished"
    record = first.metrics["time_estimate"]  # the estimate shown before Start, beside the time taken
    assert record["speed"]["source"] == "calibration" and record["actual_seconds"] > 0 and record["ratio"] > 0
    assert not panel.comparison_label.isHidden()
    lines = panel.comparison_label.text().split("\n")
    assert lines[0].startswith(f"Run {first.id}: macro-F1 ") and "(first finished run)" in lines[0]
    assert "weakest label: " in lines[0]
    assert lines[1].startswith("Took ") and "(estimated: about " in lines[1]

    # The finished run measured this machine: the next estimate comes from it.
    qtbot.waitUntil(lambda: f"tokens/s in run {first.id})" in panel.estimate_label.text(), timeout=60_000)
    _train(qtbot, panel)
    second = project.runs()[-1]
    assert second.metrics["time_estimate"]["speed"] == {**second.metrics["time_estimate"]["speed"], "source": "run", "run_id": first.id}
    line = panel.comparison_label.text().split("\n")[0]
    assert line.startswith(f"Run {second.id}: macro-F1 ")
    assert f" vs run {first.id}" in line and "weakest label: " in line
    # The same seed and settings: the same scores, so no better than run 1 (a tie is not).
    assert f"best: {first.metrics['validation']['macro_f1']:.2f} in run {first.id}" in line
    assert "(+0.00)" in line  # the weakest label's change since run 1
