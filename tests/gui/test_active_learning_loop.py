"""The loop an analyst wants: the most uncertain rows -> Label panel with the model's suggestion ->
label -> after N new labels "Retrain?" -> the model retrains, predicts, and the queue updates."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from bertdesk.core.project import Project
from bertdesk.gui.main_window import MainWindow
from bertdesk.gui.panels.label_panel import RETRAIN_AFTER

CLASSES = ["neg", "pos"]
N = 80


@pytest.fixture
def opened(qtbot, window: MainWindow, tmp_path: Path, tiny_model_dir: Path) -> MainWindow:
    labels = [("neg" if i % 2 else "pos") if i % 4 < 2 else "" for i in range(N)]
    frame = pd.DataFrame({"text": [f"row {i} {'bad' if i % 2 else 'great'}" for i in range(N)], "label": labels})
    with Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label") as p:
        run = p.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": CLASSES})
        p.set_active_run(run)
        conf = np.linspace(0.5, 0.99, N).astype(np.float32)  # row 2 is the least sure unlabelled row
        probs = np.stack([conf, 1 - conf], axis=1).astype(np.float32)
        p.store_predictions(run, list(range(N)), ["neg"] * N, conf, probs)
    window.open_path(str(tmp_path / "p.bertdesk"))
    qtbot.waitUntil(lambda: window.project is not None, timeout=20_000)
    return window


def test_uncertain_rows_to_labelling_to_retrain_to_a_new_queue(qtbot, opened: MainWindow, monkeypatch, tiny_model_dir: Path) -> None:
    from bertdesk.core.ml.training import TrainResult
    from bertdesk.gui.panels import train_panel as train_module

    project = opened.project
    first_run = project.active_run().id
    predict = opened.predict_panel
    opened.show_panel_widget(predict)
    qtbot.waitUntil(lambda: predict.job is None and predict.uncertain_button.isEnabled(), timeout=20_000)

    # 1. "Label most uncertain first" opens the Label panel on the least sure unlabelled row.
    qtbot.mouseClick(predict.uncertain_button, Qt.MouseButton.LeftButton)
    label = opened.label_panel
    assert opened.current_panel() is label and label.walker.row_filter.kind == "uncertain"
    assert label.current_row == 2 and label.suggestion_label.text().startswith("Model suggests: neg")

    # 2. Labelling with the keys; after RETRAIN_AFTER new labels the panel offers to retrain.
    for _ in range(RETRAIN_AFTER - 1):
        qtbot.keyClick(label, Qt.Key.Key_1)
    assert not label.retrain_bar.isVisible()
    qtbot.keyClick(label, Qt.Key.Key_2)
    assert label.retrain_bar.isVisible() and f"{RETRAIN_AFTER} rows since run {first_run}" in label.retrain_label.text()

    # 3. "Retrain now": trains (here: a stand-in that saves the tiny model), predicts the unlabelled
    #    rows with the new model, and the queue is ranked by those predictions.
    def quick_train(data, config, out_dir, *, on_progress, cancel):
        shutil.copytree(tiny_model_dir, out_dir, dirs_exist_ok=True)
        return TrainResult(Path(out_dir), {"labels": CLASSES})

    monkeypatch.setattr(train_module, "_train", quick_train)
    qtbot.mouseClick(label.retrain_now_button, Qt.MouseButton.LeftButton)
    assert not label.retrain_bar.isVisible() and opened.current_panel() is label  # labelling goes on
    qtbot.waitUntil(lambda: project.active_run().id != first_run, timeout=30_000)
    new_run = project.active_run().id
    unlabelled = project.row_count - project.labelled_count
    qtbot.waitUntil(lambda: project.prediction_count(new_run) == unlabelled, timeout=60_000)
    # The new model's predictions reach the panel (announced from the worker, after the run became active).
    qtbot.waitUntil(
        lambda: label._predictions is not None and label._predictions.run_id == new_run and len(label._predictions) == unlabelled,
        timeout=20_000,
    )
    assert label.walker.row_filter.kind == "uncertain" and project.label_of(label.current_row) is None
    from bertdesk.core.project.uncertainty import most_uncertain_first

    table = project.predictions(new_run)
    order = most_uncertain_first(table.row_ids, table.probabilities, labelled=project.labels())
    assert label.current_row == int(order[0])  # the top of the new queue
