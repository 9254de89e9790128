"""Panels follow what the project announces: no panel is told by hand, hidden panels catch up when
shown, background edits and undo reach every view, Edit > Undo is the project's one history,
and the panels other than Data are built when first opened."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThread

from bertdesk.core.project import Project
from bertdesk.gui.project_events import ProjectEvents
from tests.gui.conftest import wait_for_job

ROOT = Path(__file__).resolve().parents[2]
N = 12
# billing on even rows below 6; rows 6.. unlabelled.
LABELS = ["billing", "", "billing", "", "billing", "bug"] + [""] * (N - 6)


def _with_predictions(project: Project) -> int:
    names = list(project.label_set.names)  # billing, bug
    run = project.add_run(status="finished", model_dir="", config={}, metrics={"labels": names})
    project.set_active_run(run)
    confidence = np.linspace(0.55, 0.95, N).astype(np.float32)
    probs = np.stack([confidence, 1 - confidence], axis=1).astype(np.float32)
    project.store_predictions(run, list(range(N)), ["billing"] * N, confidence, probs)
    return run


@pytest.fixture
def opened(qtbot, window, tmp_path: Path):
    path = tmp_path / "events.bertdesk"
    frame = pd.DataFrame({"text": [f"message {i}" for i in range(N)], "label": LABELS})
    project = Project.create(path, frame, text_column="text", label_column="label")
    _with_predictions(project)
    project.close()
    window.open_path(path)
    wait_for_job(qtbot, window)
    assert window.project is not None
    return window


def _unlabelled(project: Project) -> int:
    return N - project.labelled_count


def test_a_row_labelled_in_the_label_panel_shows_in_the_predict_table(qtbot, opened) -> None:
    """A user's report: the row stayed blank in the Predict table and "N unlabelled rows" stayed N."""
    window, project = opened, opened.project
    predict = window.predict_panel
    window.show_panel_widget(predict)
    qtbot.waitUntil(lambda: predict.job is None and predict.frame is not None, timeout=20_000)
    predict.show_most_uncertain()
    before = _unlabelled(project)
    assert predict.count_label.text() == f"{before} unlabelled rows, most uncertain first"

    label = window.label_panel
    window.show_panel_widget(label)
    label._show_row(7)  # unlabelled
    qtbot.keyClick(label, Qt.Key.Key_2)  # "bug"
    assert project.label_of(7) == "bug"
    assert predict.frame.at[7, "label"] == ""  # hidden: not rebuilt on each key press

    window.show_panel_widget(predict)
    assert predict.frame.at[7, "label"] == "bug"
    assert predict.count_label.text() == f"{before - 1} unlabelled rows, most uncertain first"
    assert 7 not in predict.model.visible_row_ids()
    predict.filters.clear()
    row = predict.model.row_of(7)
    assert predict.model.data(predict.model.index(row, 2)) == "bug"  # the label column of the table


def test_hidden_train_summary_is_rebuilt_only_when_shown(qtbot, opened) -> None:
    window, project = opened, opened.project
    train = window.train_panel
    rebuilt: list[object] = []
    original = train.summary.show_project
    train.summary.show_project = lambda shown: (rebuilt.append(shown), original(shown))  # type: ignore[method-assign]
    label = window.label_panel
    window.show_panel_widget(label)
    label._show_row(6)
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_1):
        qtbot.keyClick(label, key)
    assert project.labelled_count == 7 and rebuilt == []
    window.show_panel_widget(train)
    assert rebuilt == [project]  # once, for the three key presses
    assert sum(train.summary.counts.values()) == 7


def test_a_key_press_during_a_bulk_label_job_keeps_undo_in_order(qtbot, opened) -> None:
    """The job's write and its undo step are one record: a key press that lands while the job's
    result is still on its way is the newer step, and Edit > Undo says so."""
    window, project = opened, opened.project
    label = window.label_panel
    window.show_panel_widget(label)
    label._show_row(11)
    window.label_rows([8, 9, 10], "bug")
    job = window.current_job
    assert job is not None and job.wait(30_000)  # written on the worker; its result not yet delivered
    qtbot.keyClick(label, Qt.Key.Key_1)  # row 12 -> billing, before the job's result arrives
    wait_for_job(qtbot, window)
    assert window.undo_action.text() == '&Undo Label row 12 "billing"'
    window.undo_action.trigger()
    assert project.label_of(11) is None and project.label_of(8) == "bug"
    assert window.undo_action.text() == '&Undo Label 3 rows "bug"'
    window.undo_action.trigger()
    assert [project.label_of(r) for r in (8, 9, 10)] == [None, None, None]
    assert window.redo_action.text() == '&Redo Label 3 rows "bug"'


def test_background_edits_and_undo_reach_every_built_panel(qtbot, opened) -> None:
    window, project = opened, opened.project
    label, predict = window.label_panel, window.predict_panel
    window.show_panel_widget(predict)
    qtbot.waitUntil(lambda: predict.job is None and predict.frame is not None, timeout=20_000)
    predict.threshold.setValue(50)
    with qtbot.waitSignal(window.events.labels_changed, timeout=20_000):
        predict.accept_above_threshold()  # a job: the edit is made on a worker thread
    qtbot.waitUntil(lambda: predict.job is None, timeout=20_000)
    assert project.labelled_count == N
    assert "12 labelled" in window.data_panel.summary_label.text()
    assert window.undo_action.text().startswith("&Undo Accept predictions")
    window.show_panel_widget(label)
    assert label.progress_label.text() == f"{N} of {N} labelled"
    qtbot.keyClick(label, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the label panel's Ctrl+Z: the same history
    assert project.labelled_count == 4 and label.progress_label.text() == f"4 of {N} labelled"
    assert "4 labelled" in window.data_panel.summary_label.text()
    window.show_panel_widget(predict)
    assert predict.frame.at[6, "label"] == ""


def test_a_new_active_run_reaches_the_label_panel_suggestions_and_the_attention_model(qtbot, opened, tiny_model_dir: Path) -> None:
    window, project = opened, opened.project
    label, attention = window.label_panel, window.attention_panel
    window.show_panel_widget(label)
    label._show_row(6)
    assert label.suggestion_label.text().startswith("Model suggests: billing")
    run = project.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": ["billing", "bug"]})
    project.set_active_run(run)  # no predictions from this run yet
    assert label.suggestion_label.text() == ""
    assert attention.model_dir == str(tiny_model_dir)
    probs = np.array([[0.2, 0.8]], dtype=np.float32)
    thread = threading.Thread(target=lambda: project.store_predictions(run, [6], ["bug"], [0.8], probs))
    thread.start()
    thread.join(30)
    qtbot.waitUntil(lambda: label.suggestion_label.text().startswith("Model suggests: bug"), timeout=10_000)


def test_the_bridge_delivers_on_the_gui_thread_and_drops_an_old_projects_messages(qtbot, tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["a", "b", "c"], "label": ["x", "", ""]})
    first = Project.create(tmp_path / "1.bertdesk", frame, text_column="text", label_column="label")
    second = Project.create(tmp_path / "2.bertdesk", frame, text_column="text", label_column="label")
    try:
        bridge = ProjectEvents()
        heard: list[tuple[list[int], bool]] = []
        bridge.labels_changed.connect(
            lambda m: heard.append((list(m.rows), QThread.currentThread() is QCoreApplication.instance().thread()))
        )
        bridge.set_project(first)
        worker = threading.Thread(target=lambda: first.set_labels([1, 2], "x"))
        worker.start()
        worker.join(30)
        assert heard == []  # queued: it arrives through the GUI thread's event loop
        qtbot.waitUntil(lambda: heard == [([1, 2], True)], timeout=5_000)
        worker = threading.Thread(target=lambda: first.set_labels([0], None))
        worker.start()
        worker.join(30)
        bridge.set_project(second)  # the user opened another project before the message arrived
        QCoreApplication.processEvents()
        second.set_label(1, "x")  # from the GUI thread: handed on at once
        assert heard == [([1, 2], True), ([1], True)]
    finally:
        first.close()
        second.close()


def test_only_the_data_panel_is_built_with_the_window(qtbot, window) -> None:
    assert window.built_panels() == [window.data_panel]
    assert [window.sidebar.item(i).text() for i in range(5)] == ["Data", "Label", "Train", "Predict", "Attention"]
    window.show_panel(2)  # what Ctrl+3 does
    train = window.train_panel
    assert window.built_panels() == [window.data_panel, train]
    assert window.panels.currentWidget().widget() is train  # in its scroll area, at its sidebar row
    assert window.panels.count() == 5 and window.panels.indexOf(window.panels.currentWidget()) == 2
    predict = window.predict_panel  # asked for: built without being shown
    assert window.panels.currentWidget().widget() is train and window.panels.widget(3).widget() is predict
    window.sidebar.setCurrentRow(1)
    assert window.panels.currentWidget() is window.label_panel


def test_a_panel_built_after_opening_gets_the_project(qtbot, opened) -> None:
    assert opened.built_panels() == [opened.data_panel]
    label = opened.label_panel
    assert label.project is opened.project and label.progress_label.text() == f"4 of {N} labelled"


def test_the_window_opens_without_loading_the_panels_plotting_modules() -> None:
    code = (
        "import sys, json\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from bertdesk.gui.main_window import MainWindow\n"
        "w = MainWindow(data_dir=sys.argv[1]); w.show(); app.processEvents()\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BERTDESK_SETTINGS_DIR=tmp)
        out = subprocess.run([sys.executable, "-c", code, tmp], capture_output=True, text=True, check=True, cwd=ROOT, env=env).stdout
    loaded = set(json.loads(out.splitlines()[-1]))
    assert "bertdesk.gui.main_window" in loaded
    assert not {m for m in loaded if m.split(".")[0] == "pyqtgraph" or m.startswith("bertdesk.gui.panels.train")}
