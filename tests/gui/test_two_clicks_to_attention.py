"""From the sample data to a prediction row's attention: the wiring between the panels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bertdesk.core.project import Project
from tests.gui.conftest import wait_for_job


def test_sidebar_has_every_panel_with_its_shortcut(window) -> None:
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert titles == ["Data", "Label", "Train", "Predict", "Attention"]
    assert window.sidebar.item(4).toolTip() == "Attention (Ctrl+5)"


def test_double_click_in_the_data_table_explains_the_row(qtbot, window, tmp_path: Path) -> None:
    path = tmp_path / "p.bertdesk"
    Project.create(path, pd.DataFrame({"text": ["first row", "the parcel never came"]}), text_column="text").close()
    window.open_path(path)
    wait_for_job(qtbot, window)
    explained: list[str] = []
    window.attention_panel.explain = explained.append  # the panel itself is tested on its own
    table = window.data_panel.table
    index = table.model().index(1, 0)
    table.doubleClicked.emit(index)
    assert explained == ["the parcel never came"]
    assert window.panels.currentIndex() == 4


def test_accepting_predictions_is_one_undo_step_in_the_main_window(qtbot, window, tmp_path: Path) -> None:
    path = tmp_path / "p.bertdesk"
    frame = pd.DataFrame({"text": ["a", "b", "c"], "label": ["x", "y", ""]})
    Project.create(path, frame, text_column="text", label_column="label").close()
    window.open_path(path)
    wait_for_job(qtbot, window)
    project = window.project
    run = project.add_run(status="finished", model_dir="", config={}, metrics={"labels": ["x", "y"]})
    project.set_active_run(run)
    project.store_predictions(run, [2], ["y"], [0.9], np.array([[0.1, 0.9]], dtype=np.float32))
    assert project.accept_predictions({2: "y"})  # announced by the project: no one has to tell the window
    assert window.undo_action.isEnabled() and window.undo_action.text() == "&Undo Accept predictions for row 3"
    window.undo_action.trigger()
    assert project.label_of(2) is None


def test_enter_on_a_predict_row_opens_its_attention(qtbot, window, tmp_path: Path) -> None:
    """The keyboard route: Ctrl+4, pick a row with the arrow keys, Enter."""
    from PySide6.QtCore import Qt

    path = tmp_path / "p.bertdesk"
    Project.create(path, pd.DataFrame({"text": ["first row", "the parcel never came", "third"]}), text_column="text").close()
    window.open_path(path)
    wait_for_job(qtbot, window)
    project = window.project
    run = project.add_run(status="finished", model_dir="", config={}, metrics={"labels": ["x", "y"]})
    project.set_active_run(run)
    project.store_predictions(
        run, [0, 1, 2], ["x", "y", "x"], [0.9, 0.8, 0.7], np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]], dtype=np.float32)
    )
    explained: list[str] = []
    window.attention_panel.explain = explained.append  # the panel itself is tested on its own
    panel = window.predict_panel
    window.show_panel_widget(panel)
    qtbot.waitUntil(lambda: panel.job is None and panel.model.rowCount() == 3, timeout=20_000)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)  # the first row
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    assert panel.model.row_id(panel.table.currentIndex().row()) == 1
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert explained == ["the parcel never came"]
    assert window.panels.currentIndex() == 4
