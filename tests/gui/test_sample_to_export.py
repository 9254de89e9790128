"""A new user's path through the GUI with the real bundled model and default settings:
sample data -> train -> predict -> export .xlsx -> a prediction row's attention, head 2 clicks away."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QPoint, Qt

from tests.gui.conftest import wait_for_job


@pytest.mark.slow
def test_sample_data_to_exported_predictions_and_attention(qtbot, window, tmp_path: Path) -> None:
    window.open_sample()
    wait_for_job(qtbot, window)
    project = window.project
    assert project is not None and project.labelled_count == 360

    train = window.train_panel
    window.show_panel_widget(train)
    assert train.settings.config().preset == "Balanced"  # the defaults, untouched
    train.start_training()
    qtbot.waitUntil(lambda: not train.is_training(), timeout=600_000)
    run = project.active_run()
    assert run is not None and run.status == "finished"
    assert run.metrics["validation"]["macro_f1"] > 0.8  # four classes: chance is about 0.25
    assert train.plots_title.text().startswith(f"Run {run.id}")

    predict = window.predict_panel
    window.show_panel_widget(predict)
    predict.start_prediction("all")
    qtbot.waitUntil(lambda: predict.job is None and project.predictions() is not None, timeout=120_000)
    assert len(project.predictions()) == project.row_count

    out = tmp_path / "predicted.xlsx"
    predict.export_to(str(out))
    qtbot.waitUntil(lambda: predict.job is None and out.exists(), timeout=60_000)
    exported = pd.read_excel(out, dtype=str, keep_default_na=False, engine="openpyxl")
    assert len(exported) == 400
    assert {"feedback", "category", "predicted_label", "confidence"} <= set(exported.columns)
    assert set(exported["predicted_label"]) <= {"billing", "delivery", "product_quality", "app_bug"}

    # Click 1: double-click a prediction row. Click 2: a cell of the model view's grid.
    table = predict.table
    table.doubleClicked.emit(table.model().index(2, 1))
    attention = window.attention_panel
    qtbot.waitUntil(lambda: attention.maps is not None and not attention.is_busy(), timeout=60_000)
    assert window.panels.currentIndex() == 4
    assert attention.maps.layers == 6 and attention.maps.heads == 12 and attention.maps.is_classifier
    grid = attention.grid
    qtbot.waitUntil(lambda: grid.is_complete, timeout=10_000)
    centre = grid.cell_rect(3, 7).center()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(int(centre.x()), int(centre.y())))
    assert attention.tabs.currentIndex() == 1  # the head view, showing layer 4, head 8
    assert attention.layer_slider.value() == 3
