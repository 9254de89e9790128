"""Issue 14 item 5: the Predict panel's "Words" tab, what each predicted label is about (pytest-qt, offscreen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from bertdesk.core.project import Project
from bertdesk.core.review.characteristic_words import characteristic_terms
from bertdesk.gui.panels.predict_panel import PredictPanel
from bertdesk.gui.widgets.predict_words import contrast_ratio
from bertdesk.gui.widgets.predict_words_finder import WORD_MIN_ROWS, WORDS_PER_LABEL

CLASSES = ["billing", "other", "tech"]
N = 36


def texts() -> list[str]:
    out = []
    for i in range(N):
        group = i % 3
        if i == 24:  # "refund" inside a longer word: the text filter lists the row, the word count does not
            out.append(f"Two refunds for invoice {i}")
        elif group == 0:
            out.append(
                f"Invoice {i} was charged twice" if i % 4 == 0 else f"Please REFUND invoice {i}" if i == 9 else f"Please refund invoice {i}"
            )
        elif group == 1:
            out.append(f"Login error number {i}, the app crashed")
        else:
            out.append(f"Thanks for the lovely help {i}")
    return out


def predicted_labels() -> list[str]:
    # By group; but row 3 (a refund text) is predicted "tech": a click on "refund" under billing must leave it out.
    return ["tech" if i == 3 else ["billing", "tech", "other"][i % 3] for i in range(N)]


def store(project: Project, run: int, predicted: list[str]) -> None:
    probs = np.array([[0.8 if c == p else 0.1 for c in CLASSES] for p in predicted], dtype=np.float32)
    project.store_predictions(run, list(range(N)), predicted, probs.max(axis=1), probs)


@pytest.fixture
def project(tmp_path: Path):
    labels = [["billing", "tech", "other"][i % 3] if i < 6 else "" for i in range(N)]
    frame = pd.DataFrame({"text": texts(), "label": labels})
    p = Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label")
    run = p.add_run(status="finished", model_dir=str(tmp_path / "model"), config={}, metrics={"labels": CLASSES})
    p.set_active_run(run)
    store(p, run, predicted_labels())
    yield p
    p.close()


def _panel(qtbot, project: Project | None) -> PredictPanel:
    widget = PredictPanel()
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    widget.set_project(project)
    qtbot.waitUntil(lambda: widget.job is None, timeout=20_000)
    return widget


@pytest.fixture
def panel(qtbot, project: Project):
    widget = _panel(qtbot, project)
    yield widget
    widget.set_project(None)


def open_words(qtbot, panel: PredictPanel) -> None:
    panel.views.setCurrentIndex(panel.views.words_tab)
    qtbot.waitUntil(lambda: not panel.jobs.busy("words") and panel.frame is not None, timeout=20_000)
    # Widgets added to a shown window show on the next turn of the event loop.
    qtbot.waitUntil(lambda: all(button.isVisible() for button in panel.words.buttons.values()), timeout=2_000)


def focus(qtbot, widget) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=2_000)


def test_the_words_tab_lists_each_labels_characteristic_terms(qtbot, panel: PredictPanel, project: Project) -> None:
    assert panel.views.tabText(panel.views.words_tab) == "Words"
    open_words(qtbot, panel)
    expected = characteristic_terms(texts(), predicted_labels(), top=WORDS_PER_LABEL, min_rows=WORD_MIN_ROWS)
    assert set(panel.words.buttons) == {(label, term.text) for label, terms in expected.items() for term in terms}
    assert ("billing", "refund") in panel.words.buttons and ("tech", "error") in panel.words.buttons
    assert ("tech", "refund") not in panel.words.buttons  # in one tech row only
    # Beside each term, the rows a click lists: 9 billing rows contain "refund" (one as "refunds").
    assert panel.words.buttons[("billing", "refund")].text() == "refund (9)"
    assert "(1 inside longer words)" in panel.words.buttons[("billing", "refund")].toolTip()
    # One header per label, in the run's class order, named in its own colour (readable on the background).
    assert list(panel.words.headers) == CLASSES
    assert panel.words.headers["tech"].text() == "tech  ·  13 rows predicted"
    background = panel.words.palette().color(panel.words.backgroundRole())
    for name, header in panel.words.headers.items():
        color = header.styleSheet().split("color: ")[1].split(";")[0]
        assert contrast_ratio(QColor(color), background) >= 4.5, name
    assert "Predict first" not in panel.words.note.text()


def test_clicking_a_word_lists_that_labels_rows_containing_it(qtbot, panel: PredictPanel) -> None:
    open_words(qtbot, panel)
    panel.filters.set_cell([0, 1], "Validation: a cell")  # an earlier filter is lifted
    expected = [i for i, (t, p) in enumerate(zip(texts(), predicted_labels())) if p == "billing" and "refund" in t.lower()]
    assert 9 in expected and 24 in expected and 3 not in expected
    assert panel.words.buttons[("billing", "refund")].text() == f"refund ({len(expected)})"  # what the click will list
    with qtbot.waitSignal(panel.status_message) as blocker:
        qtbot.mouseClick(panel.words.buttons[("billing", "refund")], Qt.MouseButton.LeftButton)
    assert sorted(panel.model.visible_row_ids()) == expected
    assert panel.filters.predicted_box.currentData() == "billing" and panel.filters.search.text() == "refund"
    assert panel.filters.cell_label.text() == ""
    assert blocker.args == [
        f"Showing the {len(expected)} rows predicted “billing” whose text contains “refund” (Clear filters shows every row)."
    ]


def test_words_are_reachable_by_keyboard(qtbot, panel: PredictPanel) -> None:
    open_words(qtbot, panel)
    first = panel.words.buttons[("billing", "refund")]
    focus(qtbot, first)
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    second = panel.focusWidget()
    label, term = next(key for key, button in panel.words.buttons.items() if button is second)  # Tab moves to the next word
    qtbot.keyClick(second, Qt.Key.Key_Return)
    assert panel.filters.predicted_box.currentData() == label and panel.filters.search.text() == term
    assert panel.model.rowCount() == sum(1 for t, p in zip(texts(), predicted_labels()) if p == label and term in t.lower())
    panel.filters.clear()
    qtbot.keyClick(first, Qt.Key.Key_Space)
    assert panel.filters.search.text() == "refund"


def test_tab_from_the_tab_bar_reaches_the_first_word(qtbot, panel: PredictPanel) -> None:
    """Seen under Xvfb: the words, made after the rest of the window, came last in the Tab order."""
    open_words(qtbot, panel)
    bar = panel.views.tabBar()
    focus(qtbot, bar)
    qtbot.keyClick(bar, Qt.Key.Key_Tab)
    first = next(iter(panel.words.buttons.values()))
    assert panel.focusWidget() is first


def test_new_predictions_find_the_words_again(qtbot, panel: PredictPanel, project: Project) -> None:
    open_words(qtbot, panel)
    assert ("billing", "refund") in panel.words.buttons
    run = project.active_run()
    assert run is not None
    swapped = [{"billing": "tech", "tech": "billing"}.get(p, p) for p in predicted_labels()]
    store(project, run.id, swapped)  # announced: the panel reloads, then finds the words again
    qtbot.waitUntil(lambda: ("tech", "refund") in panel.words.buttons, timeout=20_000)
    assert ("billing", "refund") not in panel.words.buttons and ("billing", "error") in panel.words.buttons


def test_words_are_found_only_when_their_tab_is_open(qtbot, panel: PredictPanel, project: Project) -> None:
    assert panel.views.currentIndex() != panel.views.words_tab
    assert not panel.jobs.busy("words") and panel.words.buttons == {}
    open_words(qtbot, panel)
    assert panel.words.buttons
    # A relabel keeps the predictions: the words stay as found, no second job.
    project.set_label(10, "billing")
    qtbot.waitUntil(lambda: panel.frame is not None and panel.frame.at[10, "label"] == "billing", timeout=5_000)
    assert not panel.jobs.busy("words") and panel.words.buttons


def test_a_new_label_colour_redraws_the_words(qtbot, panel: PredictPanel, project: Project) -> None:
    open_words(qtbot, panel)
    project.set_label_color("tech", "#000080")
    qtbot.waitUntil(lambda: "color: #000080" in panel.words.headers["tech"].styleSheet(), timeout=5_000)
    assert ("tech", "error") in panel.words.buttons and not panel.jobs.busy("words")  # drawn again, not found again


def test_empty_states_say_what_to_do(qtbot, tmp_path: Path) -> None:
    widget = _panel(qtbot, None)
    widget.views.setCurrentIndex(widget.views.words_tab)
    assert "Predict first" in widget.words.note.text()
    frame = pd.DataFrame({"text": ["refund now", "refund please", "error here", "login error"], "label": ["a", "a", "b", ""]})
    with Project.create(tmp_path / "few.bertdesk", frame, text_column="text", label_column="label") as few:
        run = few.add_run(status="finished", model_dir=str(tmp_path / "m"), config={}, metrics={"labels": ["a", "b"]})
        few.set_active_run(run)
        widget.set_project(few)
        qtbot.waitUntil(lambda: widget.job is None, timeout=20_000)
        assert "Predict first" in widget.words.note.text()  # a run, but nothing predicted yet
        probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.2, 0.8], [0.2, 0.8]], dtype=np.float32)
        few.store_predictions(run, [0, 1, 2, 3], ["a", "a", "b", "b"], probs.max(axis=1), probs)
        qtbot.waitUntil(lambda: not widget.jobs.busy() and "Too few rows per label" in widget.words.note.text(), timeout=20_000)
        assert widget.words.buttons == {}
        few.store_predictions(run, [0, 1, 2, 3], ["a"] * 4, probs[:, 0], np.tile([[0.9, 0.1]], (4, 1)).astype(np.float32))
        qtbot.waitUntil(lambda: not widget.jobs.busy() and "Every row shown is predicted “a”" in widget.words.note.text(), timeout=20_000)
        widget.set_project(None)


def test_a_failure_is_named_in_the_view_and_opening_the_tab_again_retries(qtbot, panel: PredictPanel, monkeypatch) -> None:
    import bertdesk.core.review.label_words as module
    from bertdesk.core.errors import BertdeskError

    real = module.label_words

    def broken(*args: object, **kwargs: object) -> None:
        raise BertdeskError("Out of memory while counting words.")

    monkeypatch.setattr(module, "label_words", broken)
    open_words(qtbot, panel)
    assert panel.words.note.text() == "The words could not be found: Out of memory while counting words."
    assert panel.words.buttons == {} and "Out of memory" in panel.run_label.text()  # shown the one way too
    monkeypatch.setattr(module, "label_words", real)
    panel.views.setCurrentIndex(0)
    open_words(qtbot, panel)
    assert ("billing", "refund") in panel.words.buttons


def test_the_panel_fits_the_window_with_no_scroll_bar(qtbot, window, project: Project) -> None:
    # Seen under Xvfb at 1280x800: the page took its preferred height for its width (word-wrapped
    # labels) and pushed the bottom buttons behind a scroll bar.
    from PySide6.QtWidgets import QScrollArea

    window.resize(1280, 780)
    window.set_project(project)
    panel = window.predict_panel
    window.show_panel_widget(panel)
    qtbot.waitUntil(lambda: panel.job is None and panel.frame is not None, timeout=20_000)
    open_words(qtbot, panel)
    qtbot.wait(200)
    area = panel.parentWidget().parentWidget()
    assert isinstance(area, QScrollArea)
    assert panel.height() <= area.viewport().height()
