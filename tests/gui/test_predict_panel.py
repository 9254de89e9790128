"""Predict panel: table model, filters, charts, accepting predictions, jobs (offscreen, pytest-qt)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from bertdesk.core.errors import BertdeskError
from bertdesk.core.project import Project
from bertdesk.core.project.prediction_analysis import prediction_frame
from bertdesk.gui.models.prediction_model import ROW_ID_ROLE, PredictionTableModel
from bertdesk.gui.panels.predict_panel import PredictPanel

ROOT = Path(__file__).resolve().parents[2]
CLASSES = ["neg", "pos"]
N = 40


def texts() -> list[str]:
    return [f"<b>row {i}</b> good" if i % 5 == 0 else f"row {i} {'bad' if i % 2 else 'great'}\nmore" for i in range(N)]


@pytest.fixture
def project(tmp_path: Path, tiny_model_dir: Path):
    labels = ["neg" if i % 2 else "pos" for i in range(N)]
    labels = [label if i % 4 < 2 else "" for i, label in enumerate(labels)]  # rows 0,1,4,5,8,9... labelled
    frame = pd.DataFrame({"text": texts(), "label": labels})
    p = Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label")
    validation = [0, 1, 4, 5, 8, 9]
    run = p.add_run(
        status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": CLASSES, "validation_row_ids": validation}
    )
    p.set_active_run(run)
    # Hand-made predictions: confidence rises with the row; every third row predicted "neg".
    conf = np.linspace(0.5, 0.99, N).astype(np.float32)
    predicted = ["neg" if i % 3 == 0 else "pos" for i in range(N)]
    probs = np.array([[c, 1 - c] if name == "neg" else [1 - c, c] for c, name in zip(conf, predicted)], dtype=np.float32)
    p.store_predictions(run, list(range(N)), predicted, conf, probs)
    yield p
    p.close()


@pytest.fixture
def panel(qtbot, project: Project) -> PredictPanel:
    widget = PredictPanel()
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    widget.set_project(project)
    qtbot.waitUntil(lambda: widget.job is None, timeout=20_000)  # stored predictions load as a job
    yield widget
    if widget.job is not None:
        widget.job.cancel()
        widget.job.wait()


def test_model_passes_qtmodeltester(qtmodeltester, project: Project) -> None:
    table = project.predictions()
    assert table is not None
    model = PredictionTableModel()
    model.set_frame(prediction_frame(project.texts(table.row_ids.tolist()), project.labels(), table))
    qtmodeltester.check(model, force_py=True)
    assert model.columnCount() == 5 + len(CLASSES)
    assert model.headerData(5, Qt.Orientation.Horizontal) == "P(neg)"
    # Plain text: markup is shown as typed, newlines as a symbol.
    assert model.data(model.index(0, 1)) == "<b>row 0</b> good"
    assert "⏎" in model.data(model.index(1, 1))
    assert model.data(model.index(0, 4)) == "50.0%"
    model.sort(4, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, 0)) == str(N) and model.data(model.index(0, 0), ROW_ID_ROLE) == N - 1
    model.sort(3, Qt.SortOrder.AscendingOrder)  # by predicted label: "neg" rows first, ties in row order
    assert [model.row_id(r) for r in range(3)] == [0, 3, 6]
    model.set_visible(np.arange(N) % 2 == 0)  # the tester (still attached) checks the reset
    assert model.rowCount() == N // 2
    model.set_frame(None)
    assert model.rowCount() == 0 and model.columnCount() == 0


def test_shows_the_runs_predictions(panel: PredictPanel) -> None:
    assert panel.model.rowCount() == N
    assert "40 of 40 rows predicted" in panel.run_label.text()
    assert int(panel.histogram.bars.opts["height"].sum()) == N
    # Validation rows 0,1,4,5,8,9: true pos,neg,pos,neg,pos,neg; predicted neg,pos,pos,pos,pos,neg.
    matrix = panel.confusion.matrix
    assert matrix.tolist() == [[1, 2], [1, 2]]
    image = panel.confusion.image.image
    np.testing.assert_allclose(image, matrix / matrix.sum(axis=1, keepdims=True))
    assert panel.confusion.image.axisOrder == "row-major"
    assert panel.views.scores.rowCount() == 2 and panel.views.scores.item(1, 3).text() == "3"
    # Half right where always answering "neg" is also half right: the baseline beside it, and said plainly.
    text = panel.views.validation_label.text()
    assert "accuracy 50.0% (always “neg”: 50.0%)" in text and "⚠ This model does not beat always answering “neg”" in text


def test_filters_and_confusion_click(panel: PredictPanel) -> None:
    panel.filters.predicted_box.setCurrentIndex(panel.filters.predicted_box.findData("neg"))
    assert panel.model.rowCount() == len(range(0, N, 3))
    panel.filters.agreement_box.setCurrentIndex(panel.filters.agreement_box.findData("disagree"))
    assert all(panel.frame.at[r, "label"] == "pos" for r in panel.model.visible_row_ids())
    panel.filters.clear()
    assert panel.model.rowCount() == N
    panel.filters.min_spin.setValue(90)
    assert all(panel.frame.at[r, "confidence"] >= 0.9 - 1e-6 for r in panel.model.visible_row_ids())
    panel.filters.clear()
    # Clicking the (true neg, predicted pos) cell lists rows 1 and 5.
    panel.confusion._on_image_clicked_at(1.5, 0.4)
    assert panel.model.visible_row_ids() == [1, 5]
    assert "neg → pos" in panel.filters.cell_label.text()


def test_accept_selected_and_above_threshold_are_undoable(panel: PredictPanel, project: Project, qtbot) -> None:
    before = project.labels()
    row = panel.model.row_of(2)  # unlabelled, predicted pos
    panel.table.selectRow(row)
    with qtbot.waitSignal(panel.events.labels_changed):
        assert panel.accept_selected() == 1
    # The labels are announced from the accept job's thread; the job itself ends a moment later
    # (under load, after the announcement reached the panel), and a second accept waits for it.
    qtbot.waitUntil(lambda: panel.job is None)
    assert project.label_of(2) == "pos" and project.label_sources()[2] == "model"
    assert panel.frame.at[2, "label"] == "pos"
    panel.threshold.setValue(80)
    assert panel.accept_above_button.text() == "Accept all above 80%"
    expected = {r for r in range(N) if r not in project.labels() and panel.frame.at[r, "confidence"] >= 0.8 - 1e-6}
    with qtbot.waitSignal(panel.events.labels_changed):
        assert panel.accept_above_threshold() == len(expected)
    assert all(project.label_of(r) == panel.frame.at[r, "predicted"] for r in expected)
    assert {r: project.labels()[r] for r in before} == before  # people's labels kept
    assert project.undo() and project.undo()
    assert project.labels() == before


def test_most_uncertain_first(panel: PredictPanel, project: Project) -> None:
    panel.show_most_uncertain()
    shown = panel.model.visible_row_ids()
    assert set(shown) == {r for r in range(N) if r not in project.labels()}
    confidences = [panel.frame.at[r, "confidence"] for r in shown]
    assert confidences == sorted(confidences)


def test_double_click_asks_for_an_explanation(panel: PredictPanel, qtbot) -> None:
    index = panel.model.index(panel.model.row_of(5), 1)
    with qtbot.waitSignal(panel.explain_requested) as blocker:
        panel.table.doubleClicked.emit(index)
    assert blocker.args == [texts()[5]]


def test_predict_job_fills_the_map_and_export(panel: PredictPanel, project: Project, qtbot, tmp_path: Path) -> None:
    with qtbot.waitSignal(panel.status_message, timeout=5_000):
        job = panel.start_prediction("unlabelled")
    assert job is not None
    qtbot.waitUntil(lambda: panel.job is None, timeout=60_000)
    run = project.active_run()
    assert run is not None and project.map(run.id) is not None  # kept with the run (issue 14)
    unlabelled = [r for r in range(N) if r not in project.labels()]
    assert sorted(panel.map.row_ids.tolist()) == unlabelled
    assert len(panel.map.scatter.data) == len(unlabelled)
    # Clicking a point selects its row; hovering shows its text as plain text.
    panel._on_map_point_clicked(unlabelled[3])
    assert panel.selected_row_ids() == [unlabelled[3]]
    panel._on_map_point_hovered(unlabelled[0])
    assert texts()[unlabelled[0]][:10] in panel.views.hover_label.text()
    # Export every row with the stored predictions and the labels as they are now.
    project.set_label(2, "neg")  # row 2's original label cell is blank
    out = tmp_path / "export.csv"
    job = panel.export_to(str(out))
    assert job is not None
    qtbot.waitUntil(lambda: panel.job is None, timeout=30_000)
    back = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(back) == N and list(back.columns) == [
        "text",
        "label",
        "label (bertdesk)",
        "label source (bertdesk)",
        "predicted_label",
        "confidence",
        "p_neg",
        "p_pos",
    ]
    assert back.loc[2, ["label", "label (bertdesk)", "label source (bertdesk)"]].tolist() == ["", "neg", "human"]
    assert back.loc[0, ["label (bertdesk)", "label source (bertdesk)"]].tolist() == ["pos", "imported"]


def test_cancel(panel: PredictPanel, qtbot) -> None:
    job = panel.start_prediction("all")
    assert job is not None and panel.cancel_button.isEnabled() and not panel.predict_all_button.isEnabled()
    panel._on_cancel_clicked()
    qtbot.waitUntil(lambda: panel.job is None, timeout=60_000)
    assert panel.predict_all_button.isEnabled()


def test_no_project_and_no_run(qtbot, tmp_path: Path) -> None:
    widget = PredictPanel()
    qtbot.addWidget(widget)
    widget.set_project(None)
    assert widget.model.rowCount() == 0 and not widget.predict_all_button.isEnabled()
    with Project.create(tmp_path / "q.bertdesk", pd.DataFrame({"text": ["a", "b"]}), text_column="text") as p:
        widget.set_project(p)
        assert "No trained model" in widget.run_label.text()
        widget.set_project(None)


def test_grab_smoke(panel: PredictPanel, tmp_path: Path) -> None:
    image = panel.grab()
    assert image.width() >= 1000 and image.height() >= 700
    assert image.save(str(tmp_path / "predict.png"))


def test_importing_the_panel_loads_no_torch() -> None:
    code = "import sys, json\nimport bertdesk.gui.panels.predict_panel\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    loaded = set(json.loads(out.splitlines()[-1]))
    assert not {m for m in loaded if m.split(".")[0] in ("torch", "transformers", "sklearn")}


def test_big_runs_load_in_the_background(panel: PredictPanel, project: Project, qtbot, monkeypatch) -> None:
    panel.refresh()
    assert panel.frame is None and "Loading 40 predictions" in panel.run_label.text()
    qtbot.waitUntil(lambda: panel.job is None and panel.frame is not None, timeout=20_000)
    assert panel.model.rowCount() == N and "40 of 40 rows predicted" in panel.run_label.text()


def test_accepting_many_rows_runs_in_the_background(panel: PredictPanel, project: Project, qtbot, monkeypatch) -> None:
    before = project.labels()
    panel.threshold.setValue(0)
    with qtbot.waitSignal(panel.events.labels_changed, timeout=10_000):
        accepted = panel.accept_above_threshold()
    assert accepted == N - len(before)
    qtbot.waitUntil(lambda: panel.job is None, timeout=10_000)
    assert all(project.label_of(r) == panel.frame.at[r, "predicted"] for r in range(N) if r not in before)
    assert panel.frame.at[next(r for r in range(N) if r not in before), "label"] != ""
    assert project.undo() and project.labels() == before


def test_a_long_failure_line_wraps_instead_of_widening_the_panel(panel: PredictPanel) -> None:
    """Seen under Xvfb: a refused model's one-line reason pushed the charts off the window."""
    before = panel.sizeHint().width()
    panel.jobs.show_failure("Predict", BertdeskError("fast does not fit its weights: " + "classifier.weight, " * 30))
    assert panel.run_label.minimumSizeHint().width() < 400
    assert panel.sizeHint().width() <= before + 20
    assert "classifier.weight" in panel.run_label.text()


# -- issue 12, item 11: the panel as laid out at 1280x800 -----------------------------------------
def test_progress_text_fits_on_one_line(panel: PredictPanel) -> None:
    """Seen under Xvfb: "61% Pre… 369 of 600", the message wrapped inside a squeezed bar."""
    from PySide6.QtGui import QFontMetrics

    from bertdesk.core.progress import Progress

    panel.resize(1148, 760)  # a 1280-wide window less the sidebar
    panel._update_enabled = lambda: None  # type: ignore[method-assign] # keep the progress shown without a job
    panel.progress.show()
    panel.progress_label.show()
    panel._on_job_progressed(Progress(369, 600, "Predicted 369 of 600 rows"))
    panel.layout().activate()
    for widget, margin in ((panel.progress, 8), (panel.progress_label, 0)):  # a bar's text has a frame around it
        metrics = QFontMetrics(widget.font())
        assert metrics.horizontalAdvance(widget.text()) <= widget.contentsRect().width() - margin, widget.text()
    assert panel.progress.text() == "61%"
    assert panel.progress_label.text() == "Predicted 369 of 600 rows"


def test_rows_show_the_moment_the_prediction_is_stored(panel: PredictPanel, project: Project, qtbot, tiny_model_dir: Path) -> None:
    """Seen under Xvfb: after 100% the table stayed empty ("no predictions yet") for seconds."""
    fresh = project.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": CLASSES})
    project.set_active_run(fresh)  # a new run: nothing predicted yet
    qtbot.waitUntil(lambda: panel.job is None and "no predictions yet" in panel.run_label.text(), timeout=20_000)
    assert panel.model.rowCount() == 0
    qtbot.mouseClick(panel.predict_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.jobs.busy("predict"), timeout=60_000)
    # No second read of the stored rows: they are in the table as the job ends.
    assert not panel.jobs.busy("load")
    assert panel.model.rowCount() == N and "40 of 40 rows predicted" in panel.run_label.text()


def test_side_panel_keeps_its_width_with_most_uncertain_first(panel: PredictPanel, qtbot) -> None:
    """Seen under Xvfb: after "Most uncertain first" the charts shrank to a sliver hiding the Confidence tab."""
    panel.resize(1000, 700)
    assert panel.width() == 1000
    panel.layout().activate()
    qtbot.wait(10)
    before = panel.views.width()
    assert before >= panel.views.tabBar().sizeHint().width()
    panel.show_most_uncertain()  # the table's own list (the button now opens the Label panel on it)
    assert "most uncertain first" in panel.count_label.text()
    assert panel.histogram.counts.sum() == panel.model.rowCount()  # the histogram follows the list
    panel.layout().activate()
    qtbot.wait(10)
    assert panel.views.width() >= before - 2  # the charts keep their room (may gain some as the table gives way)
    # Every tab reads whole: no scroll arrows on the tab bar.
    assert panel.views.tabBar().width() >= panel.views.tabBar().sizeHint().width()
    panel.filters.clear()
    panel.layout().activate()
    assert panel.views.width() >= before - 2  # the charts keep their room (may gain some as the table gives way)


def test_empty_histogram_counts_rows_in_whole_numbers(qtbot) -> None:
    """Seen under Xvfb: the empty panel's histogram had a row axis running 0.1-1.0."""
    widget = PredictPanel()
    qtbot.addWidget(widget)
    widget.resize(1148, 760)
    widget.show()
    widget.set_project(None)
    histogram = widget.histogram
    axis = histogram.getPlotItem().getAxis("left")
    low, high = histogram.getPlotItem().vb.viewRange()[1]
    values = [v for _spacing, ticks in axis.tickValues(low, high, axis.height() or 300) for v in ticks]
    assert values and all(float(v).is_integer() for v in values), values
    assert histogram.empty_text.isVisible()


def test_enter_on_a_row_asks_for_its_explanation(panel: PredictPanel, qtbot) -> None:
    """The keyboard route to a row's attention: select it, press Enter."""
    panel.table.setFocus()
    row = panel.model.row_of(7)
    panel.table.setCurrentIndex(panel.model.index(row, 0))
    with qtbot.waitSignal(panel.explain_requested, timeout=2_000) as blocker:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert blocker.args == [texts()[7]]
    with qtbot.waitSignal(panel.explain_requested, timeout=2_000) as blocker:
        qtbot.keyClick(panel.table, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert blocker.args == [texts()[7]]


def test_confusion_matrix_shows_each_labels_colour(panel: PredictPanel, project: Project) -> None:
    colors = project.display_colors()
    spots = panel.confusion.swatches.points()
    assert len(spots) == 2 * len(CLASSES)  # one per row (true label), one per column (predicted)
    expected = [colors[name].lower() for name in CLASSES] * 2
    assert [spot.brush().color().name().lower() for spot in spots] == expected
