from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from bertdesk.core.importing import ImportOptions
from bertdesk.core.project import Project
from bertdesk.gui.main_window import MainWindow
from tests.core.data_files import write_csv
from tests.gui.conftest import wait_for_job

ROWS = [["id", "text", "label"]] + [[str(i), f"some text number {i}", ["Positive", "positive ", "neg"][i % 3]] for i in range(60)]


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr("bertdesk.gui.main_window.show_error", lambda parent, title, err: shown.append(str(err)))
    return shown


def test_sample_data_in_one_click(qtbot, window: MainWindow) -> None:
    qtbot.mouseClick(window.data_panel.welcome.sample_button, Qt.MouseButton.LeftButton)
    wait_for_job(qtbot, window)
    project = window.project
    assert project is not None and project.row_count >= 300
    assert project.text_column == "feedback"
    assert len(project.label_set) == 4 and 0 < project.labelled_count < project.row_count
    assert window.data_panel.stack.currentIndex() == 1
    assert window.data_panel.model.rowCount() == project.row_count
    assert "customer_feedback.bertdesk" in window.windowTitle()
    window.grab().save(str(Path(window.data_dir) / "smoke.png"))


def test_import_with_case_variants_offers_merge(qtbot, window: MainWindow, tmp_path: Path, monkeypatch, errors) -> None:
    source = write_csv(tmp_path / "reviews.csv", ROWS)
    offered: list[list[list[str]]] = []

    class FakeClashDialog:
        def __init__(self, groups, counts, parent):
            offered.append(groups)

        def exec(self):
            return True

        def merges(self):
            return [("Positive", ["positive"])]

    monkeypatch.setattr("bertdesk.gui.dialogs.clash_dialog.LabelClashDialog", FakeClashDialog)
    target = tmp_path / "out" / "reviews.bertdesk"
    monkeypatch.setattr(
        window, "ask_import_options", lambda path: ImportOptions(source=path, project_path=target, text_column="text", label_column="label")
    )
    window.open_path(source)
    wait_for_job(qtbot, window)
    assert errors == []
    assert offered == [[["Positive", "positive"]]]  # trimmed, shown, not merged by itself
    assert window.project.label_counts() == {"Positive": 40, "neg": 20}
    assert target.exists()
    # The merge is one undoable step.
    window.undo()
    assert window.project.label_counts() == {"Positive": 20, "positive": 20, "neg": 20}


def test_cancelled_import_leaves_no_project(qtbot, window: MainWindow, tmp_path: Path, monkeypatch, errors) -> None:
    source = write_csv(tmp_path / "big.csv", [["id", "text"]] + [[str(i), "x" * 80] for i in range(200_000)])
    target = tmp_path / "big.bertdesk"
    monkeypatch.setattr(window, "ask_import_options", lambda path: ImportOptions(source=path, project_path=target, text_column="text"))
    window.open_path(source)
    assert window.current_job is not None and window.cancel_button.isVisible()
    window.cancel_job()
    wait_for_job(qtbot, window)
    assert window.project is None and not target.exists()
    assert not list(tmp_path.glob("big.bertdesk*")) and errors == []


def test_unreadable_file_shows_one_line_error(qtbot, window: MainWindow, tmp_path: Path, errors) -> None:
    bad = tmp_path / "broken.bertdesk"
    bad.write_bytes(b"this is not a database at all" * 100)
    window.open_path(bad)
    wait_for_job(qtbot, window)
    assert len(errors) == 1 and "broken.bertdesk" in errors[0] and "\n" not in errors[0]
    window.open_path(tmp_path / "gone.csv")
    assert "does not exist" in errors[1]
    assert window.project is None


def test_recent_files_and_geometry_persist(qtbot, app_settings, tmp_path: Path) -> None:
    frame = __import__("pandas").DataFrame({"text": ["a b c", "d e f"]})
    Project.create(tmp_path / "p.bertdesk", frame, text_column="text").close()
    first = MainWindow(settings=app_settings, data_dir=tmp_path)
    qtbot.addWidget(first)
    first.show()
    first.open_path(tmp_path / "p.bertdesk")
    wait_for_job(qtbot, first)
    first.resize(1000, 700)  # at least the window's minimum (1000x640), within the offscreen screen
    first.close()
    second = MainWindow(settings=app_settings, data_dir=tmp_path)
    qtbot.addWidget(second)
    assert second.settings.recent_files()[0].endswith("p.bertdesk")
    assert second.data_panel.welcome.recent_list.count() == 1
    assert [a.text() for a in second.recent_menu.actions()][0] == "p.bertdesk"
    assert second.size().width() == 1000 and second.size().height() == 700


def test_drop_a_project_file_opens_it(qtbot, window: MainWindow, tmp_path: Path) -> None:
    frame = __import__("pandas").DataFrame({"text": ["hello", "world"]})
    Project.create(tmp_path / "dropped.bertdesk", frame, text_column="text").close()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "dropped.bertdesk"))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    wait_for_job(qtbot, window)
    assert window.project is not None and window.project.path.name == "dropped.bertdesk"


def test_save_as_switches_to_the_copy(qtbot, window: MainWindow, tmp_path: Path) -> None:
    frame = __import__("pandas").DataFrame({"text": ["hello", "world"]})
    Project.create(tmp_path / "a.bertdesk", frame, text_column="text").close()
    window.open_path(tmp_path / "a.bertdesk")
    wait_for_job(qtbot, window)
    window.project.set_label(0, "greeting")
    window.save_project_to(tmp_path / "b")
    wait_for_job(qtbot, window)
    assert window.project.path.name == "b.bertdesk"
    assert window.project.label_of(0) == "greeting"


def test_opening_the_open_project_again_just_shows_it(qtbot, window: MainWindow, tmp_path: Path, errors) -> None:
    frame = __import__("pandas").DataFrame({"text": ["hello", "world"]})
    Project.create(tmp_path / "a.bertdesk", frame, text_column="text").close()
    window.open_path(tmp_path / "a.bertdesk")
    wait_for_job(qtbot, window)
    first = window.project
    window.open_path(tmp_path / "a.bertdesk")
    wait_for_job(qtbot, window)
    assert window.project is first and errors == []


def test_status_bar_says_saved_after_a_label(qtbot, window: MainWindow, tmp_path: Path) -> None:
    frame = __import__("pandas").DataFrame({"text": ["hello", "world"], "label": ["a", "b"]})
    Project.create(tmp_path / "s.bertdesk", frame, text_column="text", label_column="label").close()
    window.open_path(tmp_path / "s.bertdesk")
    wait_for_job(qtbot, window)
    assert window.saved_label.text() == "Saved ✓"
    window.saved_label.setText("")
    window.sidebar.setCurrentRow(1)
    window.label_panel.setFocus()
    qtbot.keyClick(window.label_panel, Qt.Key.Key_2)
    assert window.saved_label.text().startswith("Saved ✓ ")
    assert window.project.label_of(0) == "b"


def test_keyboard_alone_from_sample_to_a_label(qtbot, window: MainWindow) -> None:
    window.open_sample()
    wait_for_job(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.panels.currentWidget() is window.label_panel
    row = window.label_panel.current_row
    qtbot.keyClick(window.label_panel, Qt.Key.Key_4)
    assert window.project.label_of(row) == window.project.label_set.names[3]
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.panels.currentWidget() is window.data_panel
