"""Find Similar Rows: the dialog lists the nearest rows, labels the ticked ones in one undo step,
and is reached from the Data panel's context menu, the Label panel's button and the window's shortcut."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from bertdesk.core.ml.training_config import PROJECT_SETTINGS_KEY
from bertdesk.core.project import Project
from bertdesk.gui.dialogs.similar_rows_dialog import SimilarRowsDialog
from tests.core.test_label_review import topic_rows


@pytest.fixture
def project(tmp_path: Path, tiny_encoder_dir: Path):
    texts, _labels = topic_rows(30)
    frame = pd.DataFrame({"text": texts})
    with Project.create(tmp_path / "p.bertdesk", frame, text_column="text") as proj:
        # The project's chosen model (as the Train panel stores it): the tiny encoder, so no real model loads.
        proj.set_setting(PROJECT_SETTINGS_KEY, json.dumps({"model": str(tiny_encoder_dir)}))
        yield proj


def _open(qtbot, project: Project, row: int, top: int = 6) -> SimilarRowsDialog:
    dialog = SimilarRowsDialog(project, row, top=top)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: len(dialog.row_ids) == top, timeout=30_000)
    return dialog


def test_the_nearest_rows_are_listed_best_first_and_share_the_rows_topic(qtbot, project: Project) -> None:
    dialog = _open(qtbot, project, row=0)  # an even row: the "billing" vocabulary
    assert 0 not in dialog.row_ids
    shares = [float(dialog.table.item(i, 1).text().rstrip("%")) for i in range(dialog.table.rowCount())]
    assert shares == sorted(shares, reverse=True)
    assert sum(r % 2 == 0 for r in dialog.row_ids) >= 5  # the tiny model still tells the two vocabularies apart
    assert dialog.table.item(0, 2).text() == f"{dialog.row_ids[0] + 1:,}"  # rows as the app numbers them


def test_ticked_rows_get_the_label_in_one_undo_step(qtbot, project: Project) -> None:
    project.set_label(0, "billing")
    dialog = _open(qtbot, project, row=0)
    assert dialog.checked_rows() == [] and not dialog.apply_button.isEnabled()  # nothing is labelled by accident
    assert dialog.label_combo.currentText() == "billing"  # the row's own label first
    dialog.table.item(1, 0).setCheckState(Qt.CheckState.Checked)
    dialog.table.setFocus()
    dialog.table.selectRow(2)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)  # Space ticks the selected row
    dialog.table.selectRow(4)
    dialog.toggle_selected()
    dialog.toggle_selected()  # and unticks it
    chosen = [dialog.row_ids[1], dialog.row_ids[2]]
    assert dialog.checked_rows() == chosen
    assert dialog.caption.text() == "Label these 2 as"
    dialog.apply_button.click()
    assert project.labels() == {0: "billing", **dict.fromkeys(chosen, "billing")}
    steps = project.undo_steps
    project.undo()
    assert project.labels() == {0: "billing"} and project.undo_steps == steps - 1


def test_embeddings_are_computed_once_then_the_list_is_immediate(qtbot, project: Project, monkeypatch) -> None:
    heard: list[str] = []
    shown = SimilarRowsDialog._on_progress
    monkeypatch.setattr(SimilarRowsDialog, "_on_progress", lambda self, p: (heard.append(p.message), shown(self, p)))
    _open(qtbot, project, row=0)
    assert any(m.startswith("Embedded") or "Embedded" in m for m in heard)  # the first time: every row
    (key,) = project.embedding_keys()
    ids, _vectors = project.embeddings(key)  # type: ignore[misc]
    assert len(ids) == project.row_count  # every row embedded and stored
    heard.clear()
    _open(qtbot, project, row=1)
    assert not any("Embedded" in m for m in heard)  # the second time: from the project


def test_the_window_opens_it_from_each_panel(qtbot, window, project: Project) -> None:
    window.set_project(project)
    window.similar_action.trigger()  # Data panel, no current row yet: the status says what to do
    assert "Choose a row first" in window.statusBar().currentMessage()
    window.data_panel.table.setCurrentIndex(window.data_panel.model.index(3, 0))
    menu = window.data_panel.build_context_menu()
    (similar,) = [a for a in menu.actions() if a.text().startswith("Find Rows Like Row 4")]
    similar.trigger()
    assert window.similar_dialog.row_id == 3
    first = window.similar_dialog
    first.close()  # while it still embeds: Esc/Close stops the job and keeps the dialog
    qtbot.waitUntil(lambda: not first.jobs.busy("similar"), timeout=30_000)
    window.show_panel_widget(window.label_panel)
    window.label_panel.similar_button.click()
    assert window.similar_dialog.row_id == window.label_panel.current_row
    qtbot.waitUntil(lambda: not window.similar_dialog.jobs.busy("similar"), timeout=30_000)


def test_the_predict_tables_context_menu_asks_for_rows_like_the_current_one(qtbot, project: Project, tmp_path: Path) -> None:
    import numpy as np

    from bertdesk.gui.panels.predict_panel import PredictPanel

    run = project.add_run(status="finished", model_dir=str(tmp_path / "model"), config={}, metrics={"labels": ["a", "b"]})
    project.set_active_run(run)
    probs = np.tile(np.array([[0.7, 0.3]], dtype=np.float32), (project.row_count, 1))
    project.store_predictions(run, list(range(project.row_count)), ["a"] * project.row_count, probs[:, 0], probs)
    panel = PredictPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_project(project)
    qtbot.waitUntil(lambda: panel.job is None and panel.frame is not None, timeout=20_000)
    assert panel.similar_source_row() is None
    panel.table.setCurrentIndex(panel.model.index(4, 0))
    menu = panel.build_context_menu()
    (similar,) = [a for a in menu.actions() if a.text().startswith("Find Rows Like Row")]
    with qtbot.waitSignal(panel.similar_requested) as asked:
        similar.trigger()
    assert asked.args == [panel.model.row_id(4)]
    panel.set_project(None)


def test_space_ticks_the_selected_row_even_while_another_window_is_active(qtbot, project: Project) -> None:
    # test_ticked_rows_... once saw row 0 ticked too in a loaded run (not reproduced offscreen).
    # Space was a QShortcut, which fires only in the active window, and the table's delegate
    # toggles the current row on Space: now one event filter answers Space, active or not.
    dialog = _open(qtbot, project, row=0)
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is not dialog, timeout=5_000)
    dialog.table.setCurrentCell(0, 0)
    dialog.table.selectRow(2)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert dialog.checked_rows() == [dialog.row_ids[2]]
