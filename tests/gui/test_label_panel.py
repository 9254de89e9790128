"""The labelling panel: keys, filters, counts and chart, undo/redo, plain text, main-window wiring."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from bertdesk.core.project import Project
from bertdesk.gui.panels.label_panel import LabelPanel

TEXTS = ["Refund my order", "<b>x</b> & <i>y</i>", "The app crashes", "where is my parcel", "Thanks, great!", "中文 عربى text"]
LABELS = ["billing", "", "bug", "", "praise", ""]
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def project(tmp_path: Path):
    frame = pd.DataFrame({"text": TEXTS, "label": LABELS, "customer": [f"C{i}" for i in range(len(TEXTS))]})
    proj = Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label")
    yield proj
    proj.close()


@pytest.fixture
def panel(qtbot, project: Project) -> LabelPanel:
    widget = LabelPanel()
    qtbot.addWidget(widget)
    widget.resize(1000, 650)
    widget.show()
    widget.set_project(project)
    widget.setFocus()
    return widget


def heights(panel: LabelPanel) -> list[int]:
    return [int(h) for h in panel.chart.bars.opts["height"]]


def choose(panel: LabelPanel, kind: str, name: str | None = None) -> None:
    index = panel.filter_index(kind, name)
    assert index >= 0
    panel.filter_combo.setCurrentIndex(index)
    panel.filter_combo.activated.emit(index)


def test_shows_first_row_with_context_buttons_and_counts(panel: LabelPanel) -> None:
    assert panel.current_row == 0
    assert panel.text_view.toPlainText() == "Refund my order"
    assert panel.context_values["customer"].text() == "C0" and "label" not in panel.context_values
    assert [b.text() for b in panel.label_buttons] == ["1  billing", "2  bug", "3  praise"]
    assert panel.label_buttons[0].isChecked()
    assert panel.progress_label.text() == "3 of 6 labelled"
    assert heights(panel) == [1, 1, 1]
    assert panel.position_label.text() == "1 of 6"
    ticks = panel.chart.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert [text for _, text in ticks] == ["billing", "bug", "praise"]  # names under the bars, not 1/2/3


def test_digit_keys_label_and_advance(qtbot, panel: LabelPanel, project: Project) -> None:
    with qtbot.waitSignal(panel.events.labels_changed) as signal:
        qtbot.keyClick(panel, Qt.Key.Key_2)  # row 0: billing -> bug
    assert list(signal.args[0].rows) == [0]
    assert project.label_of(0) == "bug" and panel.current_row == 1
    assert heights(panel) == [0, 2, 1] and "Saved ✓" in panel.saved_label.text()
    for key, expected in [(Qt.Key.Key_1, "billing"), (Qt.Key.Key_3, "praise")]:
        row = panel.current_row
        qtbot.keyClick(panel, key)
        assert project.label_of(row) == expected and panel.current_row == row + 1
    assert heights(panel) == [1, 1, 2] and panel.progress_label.text() == "4 of 6 labelled"
    qtbot.keyClick(panel, Qt.Key.Key_9)  # no ninth label: nothing happens
    assert panel.current_row == 3 and project.label_of(3) is None


def test_zero_and_backspace_clear(qtbot, panel: LabelPanel, project: Project) -> None:
    qtbot.keyClick(panel, Qt.Key.Key_0)
    assert project.label_of(0) is None and panel.current_row == 0  # stays to see the result
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert panel.current_row == 2
    qtbot.keyClick(panel, Qt.Key.Key_Backspace)
    assert project.label_of(2) is None and heights(panel) == [0, 0, 1]
    qtbot.keyClick(panel, Qt.Key.Key_0)  # already clear: no new undo step
    assert project.undo_steps == 2


def test_skip_and_back_keys(qtbot, panel: LabelPanel) -> None:
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert panel.current_row == 1
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    assert panel.current_row == 2
    qtbot.keyClick(panel, Qt.Key.Key_Left)
    assert panel.current_row == 1
    qtbot.keyClick(panel, Qt.Key.Key_Left)
    qtbot.keyClick(panel, Qt.Key.Key_Left)  # already first: stays, says so
    assert panel.current_row == 0 and "first row" in panel.message_label.text()


def test_undo_and_redo_keys(qtbot, panel: LabelPanel, project: Project) -> None:
    qtbot.keyClick(panel, Qt.Key.Key_3)
    qtbot.keyClick(panel, Qt.Key.Key_3)
    assert project.label_of(0) == "praise" and project.label_of(1) == "praise" and panel.current_row == 2
    qtbot.keyClick(panel, Qt.Key.Key_Z, CTRL)
    assert project.label_of(1) is None and panel.current_row == 1  # back on the row that changed
    assert panel.saved_label.text() == 'Undone: Label row 2 "praise"  ·  saved ✓'  # not as if it were set
    assert heights(panel) == [0, 1, 2]
    qtbot.keyClick(panel, Qt.Key.Key_Z, CTRL)
    assert project.label_of(0) == "billing" and heights(panel) == [1, 1, 1]
    qtbot.keyClick(panel, Qt.Key.Key_Z, CTRL | SHIFT)
    assert project.label_of(0) == "praise" and panel.saved_label.text().startswith("Redone: ")
    qtbot.keyClick(panel, Qt.Key.Key_Z, CTRL | SHIFT)
    assert project.label_of(1) == "praise" and heights(panel) == [0, 1, 3]
    assert not project.can_redo and project.undo_steps == 2


def test_ctrl_f_focuses_search_and_typing_there_does_not_label(qtbot, panel: LabelPanel, project: Project) -> None:
    qtbot.keyClick(panel, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is panel.search_edit
    before = project.labels()
    qtbot.keyClicks(panel.search_edit, "12 0")
    for key in (Qt.Key.Key_Backspace, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Space):
        qtbot.keyClick(panel.search_edit, key)
    assert project.labels() == before and panel.current_row == 0 and project.undo_steps == 0
    panel.search_edit.setText("PARCEL")
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)  # search, then keys go back to labelling
    assert panel.current_row == 3 and panel.filter_choice() == ("search", None)
    assert QApplication.focusWidget() is panel
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert panel.current_row == 3 and "last row" in panel.message_label.text()
    qtbot.keyClick(panel, Qt.Key.Key_F, CTRL)
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Escape)  # Esc hands the keys back
    assert QApplication.focusWidget() is panel


def test_regex_search_and_bad_regex(qtbot, panel: LabelPanel) -> None:
    panel.regex_check.setChecked(True)
    panel.search_edit.setText("crash|thank")
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    assert panel.current_row == 2
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    assert panel.current_row == 4
    panel.search_edit.setText("([bad")
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    assert "regular expression" in panel.message_label.text() and panel.current_row == 4


def test_filters(qtbot, panel: LabelPanel, project: Project) -> None:
    choose(panel, "unlabelled")
    assert panel.current_row == 1 and panel.position_label.text() == "3 in this view"
    qtbot.keyClick(panel, Qt.Key.Key_1)  # labelled rows drop out of this view as we go
    assert panel.current_row == 3
    # ← goes back to the row just labelled (a user could not: "This is the first row in this view").
    qtbot.keyClick(panel, Qt.Key.Key_Left)
    assert panel.current_row == 1 and panel.row_label.text() == "Row 2  ·  billing"
    qtbot.keyClick(panel, Qt.Key.Key_Left)  # nothing visited before it, and no unlabelled row before 1
    assert panel.current_row == 1 and "first row" in panel.message_label.text()
    qtbot.keyClick(panel, Qt.Key.Key_Right)  # → walks the view again: the next unlabelled row
    assert panel.current_row == 3
    choose(panel, "label", "billing")
    assert panel.current_row == 0
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert panel.current_row == 1
    choose(panel, "labelled")
    rows = [panel.current_row]
    for _ in range(5):
        qtbot.keyClick(panel, Qt.Key.Key_Space)
        rows.append(panel.current_row)
    assert rows == [0, 1, 2, 4, 4, 4]
    choose(panel, "random")
    assert panel.sample_spin.isVisible() and panel.position_label.text() == "1 of 6"
    seen = {panel.current_row}
    for _ in range(5):
        qtbot.keyClick(panel, Qt.Key.Key_Space)
        seen.add(panel.current_row)
    assert seen == set(range(6))
    choose(panel, "all")
    assert panel.current_row == 0 and not panel.sample_spin.isVisible()


def test_plain_text_only(panel: LabelPanel, qtbot) -> None:
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert panel.text_view.toPlainText() == "<b>x</b> & <i>y</i>"  # literal tags, not bold
    qtbot.keyClick(panel, Qt.Key.Key_End)  # an unknown key does nothing
    for _ in range(4):
        qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert panel.text_view.toPlainText() == "中文 عربى text"


def test_labels_reach_the_file(qtbot, panel: LabelPanel, project: Project) -> None:
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    qtbot.keyClick(panel, Qt.Key.Key_2)
    path = project.path
    panel.set_project(None)
    project.close()
    with Project.open(path) as reopened:
        assert reopened.label_of(1) == "bug" and reopened.labelled_count == 4
    assert not project.can_undo and panel.text_view.toPlainText().startswith("Open a project")


def test_grab_smoke(panel: LabelPanel, tmp_path: Path) -> None:
    image = panel.grab()
    assert image.width() >= 900 and image.height() >= 600
    assert image.save(str(tmp_path / "label_panel.png"))


def test_main_window_shares_one_undo_path(qtbot, window, project: Project) -> None:
    window.set_project(project)
    assert window.sidebar.item(1).text() == "Label"
    panel = window.label_panel
    window.sidebar.setCurrentRow(1)
    assert window.panels.currentWidget() is panel and QApplication.focusWidget() is panel
    assert panel.project is project and not window.undo_action.isEnabled()
    refreshed: list[tuple[int, int]] = []
    window.data_panel.model.refresh_labels = lambda first=0, last=None: refreshed.append((first, last))
    qtbot.keyClick(panel, Qt.Key.Key_3)
    assert refreshed == [(0, 0)] and window.undo_action.isEnabled()
    assert "praise 2" in window.data_panel.summary_label.text()
    assert window.undo_action.text() == '&Undo Label row 1 "praise"'  # the text comes from the project's history
    window.undo_action.trigger()  # Edit > Undo steps the project's one history
    assert project.label_of(0) == "billing" and project.undo_steps == 0
    assert refreshed[-1] == (0, 0) and window.redo_action.isEnabled() and not window.undo_action.isEnabled()
    window.redo_action.trigger()
    assert project.label_of(0) == "praise" and heights(panel) == [0, 1, 2]
    window.set_project(None)
    assert panel.project is None and not project.can_undo and not window.undo_action.isEnabled()


def _predict(project: Project, probabilities: list[list[float]]) -> None:
    """Store predictions for every row from an active run, classes in label-set order."""
    import numpy as np

    names = list(project.label_set.names)
    run = project.add_run(status="finished", model_dir="", config={}, metrics={"labels": names})
    project.set_active_run(run)
    probs = np.array(probabilities, dtype=np.float32)
    best = probs.argmax(axis=1)
    project.store_predictions(run, list(range(len(probs))), [names[i] for i in best], probs.max(axis=1).tolist(), probs)


# billing, bug, praise (label-set order); unlabelled rows are 1, 3 and 5.
PROBS = [[0.9, 0.05, 0.05], [0.4, 0.35, 0.25], [0.1, 0.8, 0.1], [0.34, 0.33, 0.33], [0.1, 0.1, 0.8], [0.05, 0.9, 0.05]]


def test_most_uncertain_rows_first(qtbot, panel: LabelPanel, project: Project) -> None:
    choose(panel, "uncertain", "least_confidence")
    assert "No predictions yet" in panel.message_label.text()
    _predict(project, PROBS)
    panel.refresh_predictions()
    choose(panel, "uncertain", "least_confidence")
    seen = [panel.current_row]
    for _ in range(2):
        qtbot.keyClick(panel, Qt.Key.Key_Space)
        seen.append(panel.current_row)
    assert seen == [3, 1, 5]  # unlabelled rows only, least confident first
    assert panel.position_label.text() == "3 of 3"


def test_the_model_suggestion_is_shown_and_enter_accepts_it(qtbot, panel: LabelPanel, project: Project) -> None:
    _predict(project, PROBS)
    panel.refresh_predictions()
    panel._show_row(5)
    assert panel.suggestion_label.text() == "Model suggests: bug (90%)  ·  Enter accepts"
    qtbot.keyClick(panel, Qt.Key.Key_Return)
    assert project.label_of(5) == "bug"
    qtbot.keyClick(panel, Qt.Key.Key_Z, CTRL)
    assert project.label_of(5) is None
    panel._show_row(0)  # labelled billing, and the model agrees: nothing to accept
    assert panel.suggestion_label.text() == "Model suggests: billing (90%)"


def test_label_buttons_carry_each_labels_colour(qtbot, panel: LabelPanel, project: Project) -> None:
    colors = project.display_colors()

    def swatch(button) -> str:
        return button.icon().pixmap(12, 12).toImage().pixelColor(6, 6).name().lower()

    assert [swatch(b) for b in panel.label_buttons] == [colors[n].lower() for n in ("billing", "bug", "praise")]
    project.set_label_color("bug", "#123456")  # a recolour, announced: the button follows
    assert swatch(panel.label_buttons[1]) == "#123456"
