"""The Label panel's search never freezes the window: long scans run on a worker, cancellable.

Each test runs under :func:`tests.hang_guard.no_hang`: before the fix a runaway regex ran on the
GUI thread inside SQLite and these tests would hang, not fail.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt, QTimer

from bertdesk.core.project import Project
from bertdesk.core.project.text_search import SearchBudget
from bertdesk.gui.panels.label_panel import LabelPanel
from bertdesk.gui.workers import running_jobs
from tests.hang_guard import no_hang

CATASTROPHIC = "(a|aa)+$"


def open_panel(qtbot, path: Path, texts: list[str]) -> tuple[LabelPanel, Project]:
    labels = [""] * (len(texts) - 1) + ["bug"]  # one label, so the number keys have work to do
    project = Project.create(path, pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label")
    panel = LabelPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_project(project)
    panel.setFocus()
    return panel, project


def close(qtbot, panel: LabelPanel, project: Project) -> None:
    # Every search worker stops (a cancelled one at its next row) before the project closes.
    qtbot.waitUntil(lambda: not panel.search_running() and not any(job.name == "search" for job in running_jobs()), timeout=20_000)
    panel.set_project(None)
    project.close()


def search(qtbot, panel: LabelPanel, text: str, *, regex: bool) -> None:
    panel.regex_check.setChecked(regex)
    panel.search_edit.setFocus()
    panel.search_edit.setText(text)
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)


def test_a_pathological_pattern_leaves_the_window_responsive_and_says_so(qtbot, tmp_path: Path) -> None:
    texts = ["fine", "also fine", "still fine", "a" * 60 + "!", "aaaa"]
    with no_hang(60):
        panel, project = open_panel(qtbot, tmp_path / "p.bertdesk", texts)
        panel.search_budget = SearchBudget(per_row=0.5)  # long enough to watch the event loop run
        ticks: list[int] = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(5)
        search(qtbot, panel, CATASTROPHIC, regex=True)
        assert panel.search_running() and "Searching" in panel.search_status.text()
        qtbot.waitUntil(lambda: "too long" in panel.message_label.text(), timeout=30_000)
        timer.stop()
        assert ticks, "the GUI event loop did not run while the search did"
        message = panel.message_label.text()
        assert "row 4" in message and "simplify" in message
        assert not panel.search_running() and panel.search_status.text() == ""
        assert panel.current_row == 0  # still on the row it showed
        close(qtbot, panel, project)


def slow_project(qtbot, tmp_path: Path) -> tuple[LabelPanel, Project]:
    # Every row costs the regex a few ms (no row is over the budget): a long scan to cancel.
    texts = ["start"] + ["a" * 22 + "!"] * 3000 + ["the needle"]
    panel, project = open_panel(qtbot, tmp_path / "p.bertdesk", texts)
    panel.search_budget = SearchBudget(per_row=5.0, total=600.0)
    return panel, project


def test_esc_cancels_a_running_search(qtbot, tmp_path: Path) -> None:
    with no_hang(60):
        panel, project = slow_project(qtbot, tmp_path)
        search(qtbot, panel, CATASTROPHIC, regex=True)
        assert panel.search_running()
        qtbot.keyClick(panel, Qt.Key.Key_Escape)
        assert not panel.search_running() and panel.search_status.text() == ""
        assert "cancelled" in panel.message_label.text().lower() and panel.current_row == 0
        close(qtbot, panel, project)  # the worker stops at its next row


def test_labelling_keys_wait_while_a_search_runs(qtbot, tmp_path: Path) -> None:
    with no_hang(60):
        panel, project = slow_project(qtbot, tmp_path)
        search(qtbot, panel, CATASTROPHIC, regex=True)
        qtbot.keyClick(panel, Qt.Key.Key_1)  # would label the row on screen, not the one sought
        assert project.label_of(0) is None and not project.can_undo
        assert panel.search_running() and "Searching" in panel.search_status.text()
        qtbot.keyClick(panel, Qt.Key.Key_Escape)
        close(qtbot, panel, project)


def test_a_new_search_supersedes_the_running_one(qtbot, tmp_path: Path) -> None:
    with no_hang(60):
        panel, project = slow_project(qtbot, tmp_path)
        search(qtbot, panel, CATASTROPHIC, regex=True)
        assert panel.search_running()
        search(qtbot, panel, "NEEDLE", regex=False)  # newest request wins
        qtbot.waitUntil(lambda: panel.current_row == 3001 and not panel.search_running(), timeout=20_000)
        assert panel.text_view.toPlainText() == "the needle" and panel.message_label.text() == ""
        qtbot.wait(50)
        assert panel.current_row == 3001  # the superseded search changed nothing when it ended
        close(qtbot, panel, project)


@pytest.mark.parametrize("regex", [False, True])
def test_a_quick_search_still_answers_at_once(qtbot, tmp_path: Path, regex: bool) -> None:
    panel, project = open_panel(qtbot, tmp_path / "p.bertdesk", ["x", "y", "Refund please", "z", "refund"])
    search(qtbot, panel, "refund", regex=regex)
    assert panel.current_row == 2 and not panel.search_running()  # no worker for a short scan
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert panel.current_row == 4
    close(qtbot, panel, project)


def test_esc_cancels_the_search_inside_the_main_window(qtbot, window, tmp_path: Path) -> None:
    # The window's own Esc shortcut (Cancel Job) must not swallow the key while a search runs.
    texts = ["start"] + ["a" * 22 + "!"] * 3000
    project = Project.create(tmp_path / "p.bertdesk", pd.DataFrame({"text": texts}), text_column="text")
    with no_hang(60):
        window.set_project(project)
        panel = window.label_panel
        window.show_panel_widget(panel)
        panel.search_budget = SearchBudget(per_row=5.0, total=600.0)
        search(qtbot, panel, CATASTROPHIC, regex=True)
        assert panel.search_running()
        qtbot.keyClick(panel, Qt.Key.Key_Escape)
        assert not panel.search_running() and "cancelled" in panel.message_label.text().lower()
        search(qtbot, panel, CATASTROPHIC, regex=True)
        qtbot.keyClick(panel.search_edit, Qt.Key.Key_Escape)  # from the search field too
        assert not panel.search_running()
        qtbot.waitUntil(lambda: not any(job.name == "search" for job in running_jobs()), timeout=20_000)


def test_undo_during_a_search_stays_on_the_restored_row(qtbot, tmp_path: Path) -> None:
    with no_hang(60):
        panel, project = slow_project(qtbot, tmp_path)
        qtbot.keyClick(panel, Qt.Key.Key_1)  # label row 0, move to row 1
        assert project.label_of(0) == "bug" and panel.current_row == 1
        search(qtbot, panel, CATASTROPHIC, regex=True)
        assert panel.search_running()
        qtbot.keyClick(panel, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert project.label_of(0) is None and panel.current_row == 0 and not panel.search_running()
        qtbot.wait(100)
        assert panel.current_row == 0
        close(qtbot, panel, project)


def test_typing_in_the_search_field_cancels_the_stale_search(qtbot, tmp_path: Path) -> None:
    with no_hang(60):
        panel, project = slow_project(qtbot, tmp_path)
        search(qtbot, panel, CATASTROPHIC, regex=True)
        assert panel.search_running()
        panel.search_edit.setFocus()
        qtbot.keyClicks(panel.search_edit, "x")  # the running search is for text no longer there
        assert not panel.search_running() and panel.search_status.text() == ""
        assert panel.current_row == 0
        close(qtbot, panel, project)
