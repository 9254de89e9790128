"""The window: a minimum size that keeps every panel's main buttons in view, and Help's shortcut
sheet and user guide."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QWidget

from bertdesk.core.project import Project
from bertdesk.gui import i18n
from bertdesk.gui.dialogs.help_dialogs import guide_path, shortcut_sheet
from bertdesk.gui.main_window import MINIMUM_SIZE, MainWindow
from bertdesk.gui.panels.label_panel import LABELLING_KEYS


def _in_view(window: MainWindow, widget: QWidget) -> bool:
    """Whether all of ``widget`` is inside the window's central area, unscrolled (visibleRegion)."""
    if not widget.isVisible():
        return False
    visible = widget.visibleRegion().boundingRect()
    top_left = widget.mapTo(window, QPoint(0, 0))
    return visible.size() == widget.size() and window.rect().contains(QRect(top_left, widget.size()))


def test_the_window_cannot_shrink_below_where_buttons_fall_off(qtbot, window: MainWindow, tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": [f"t {i}" for i in range(20)], "label": ["a", "b"] * 10})
    Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label").close()
    window.open_path(str(tmp_path / "p.bertdesk"))
    qtbot.waitUntil(lambda: window.project is not None, timeout=20_000)
    window.resize(800, 500)
    qtbot.waitUntil(lambda: window.width() >= MINIMUM_SIZE.width())
    assert window.width() >= MINIMUM_SIZE.width() and window.height() >= MINIMUM_SIZE.height()
    window.resize(MINIMUM_SIZE)
    for panel, button in ((window.train_panel, "start_button"), (window.predict_panel, "export_button")):
        window.show_panel_widget(panel)
        qtbot.wait(50)
        assert _in_view(window, getattr(panel, button)), f"{type(panel).__name__}.{button} is off-screen at the minimum size"


def test_the_shortcut_sheet_lists_every_shortcut(qtbot, window: MainWindow) -> None:
    sheet = shortcut_sheet(window)
    actions = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty() and a.isVisible()]
    assert len(actions) >= 10
    for action in actions:
        assert action.shortcut().toString() in sheet or action.shortcut().toString().replace("+", "+") in sheet, action.text()
    for keys, _ in LABELLING_KEYS:
        assert keys in sheet.replace("&amp;", "&")


def test_help_keys_open_the_guide_and_the_sheet(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "guide_dialog", None) is not None and window.guide_dialog.isVisible())
    assert "bertdesk user guide" in window.guide_dialog.browser.toPlainText()
    assert "Label most uncertain first" in window.guide_dialog.browser.toPlainText()
    window.guide_dialog.close()
    qtbot.keyClick(window, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "shortcuts_dialog", None) is not None and window.shortcuts_dialog.isVisible())
    assert "Label panel" in window.shortcuts_dialog.browser.toPlainText()
    window.shortcuts_dialog.close()
    assert QApplication.activeModalWidget() is None


def test_leaving_closes_the_project_and_keeps_the_settings_without_interpreter_teardown(tmp_path: Path) -> None:
    # Quitting took 3-4 s after the window had gone (Python freeing torch's modules); the app
    # now ends at once, but only after the project is closed and the settings are written.
    import subprocess
    import sys

    frame = pd.DataFrame({"text": [f"t {i}" for i in range(20)], "label": ["a", "b"] * 10})
    Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label").close()
    script = f"""
import os, sys
from PySide6.QtWidgets import QApplication
from bertdesk import app as app_module
from bertdesk.gui.main_window import MainWindow
qt = QApplication([])
window = MainWindow()
window.show()
window.open_path({str(tmp_path / "p.bertdesk")!r})
while window.project is None:
    qt.processEvents()
window.project.set_label(0, "b")
print("before-exit", flush=True)
app_module._leave_now(window, 7)
print("not reached", flush=True)
"""
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "BERTDESK_SETTINGS_DIR": str(tmp_path / "settings")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 7 and "before-exit" in done.stdout and "not reached" not in done.stdout, done.stderr[-2000:]
    assert not (tmp_path / "p.bertdesk-wal").exists()  # closed cleanly: SQLite folded its log back
    assert str(tmp_path / "p.bertdesk") in (tmp_path / "settings" / "bertdesk.ini").read_text()
    with Project.open(tmp_path / "p.bertdesk") as project:
        assert project.label_of(0) == "b"


def _headings(path: Path) -> list[str]:
    return [line.split(" ", 1)[0] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]


def test_the_chinese_guide_has_every_section_and_key_of_the_english_one() -> None:
    import re

    english, chinese = guide_path("en"), guide_path("zh_CN")
    assert chinese.name == "user-guide.zh_CN.md" and english.name == "user-guide.md"
    assert _headings(chinese) == _headings(english)
    keys = r"Ctrl\+[\w/]+(?:\+\w+)?|`[^`]+`"  # shortcuts and commands: the same in every language
    chinese_text = chinese.read_text(encoding="utf-8")
    for key in set(re.findall(keys, english.read_text(encoding="utf-8"))):
        assert key in chinese_text, key
    assert guide_path("de") == english  # no translation: English


def test_the_guide_follows_the_interface_language(qtbot, qapp, window: MainWindow) -> None:
    try:
        assert i18n.install_translators(qapp, "zh_CN")
        assert i18n.current_language() == "zh_CN"
        window.show_guide()
        qtbot.waitUntil(window.guide_dialog.isVisible)
        text = window.guide_dialog.browser.toPlainText()
        assert "bertdesk 用户指南" in text and "bertdesk user guide" not in text
        window.guide_dialog.close()
    finally:
        i18n.install_translators(qapp, "en")
    assert i18n.current_language() == "en"
    window.show_guide()
    qtbot.waitUntil(window.guide_dialog.isVisible)
    assert "bertdesk user guide" in window.guide_dialog.browser.toPlainText()
    window.guide_dialog.close()


def test_without_bertdesks_translation_the_guide_stays_english(qapp, monkeypatch, tmp_path: Path) -> None:
    # Chinese asked for, but bertdesk's .qm missing: the menus stay English, and so does the guide.
    monkeypatch.setattr(i18n, "translation_file", lambda language: tmp_path / f"bertdesk_{language}.qm")
    try:
        i18n.install_translators(qapp, "zh_CN")
        assert i18n.current_language() == "en"
        assert guide_path() == guide_path("en")
    finally:
        i18n.install_translators(qapp, "en")


def test_the_sheet_names_actions_without_their_accelerators_in_either_style() -> None:
    from bertdesk.gui.dialogs.help_dialogs import _plain

    assert _plain("&Open…") == "Open" and _plain("Save Project &As…") == "Save Project As"
    assert _plain("文件(&F)") == "文件" and _plain("打开(&O)…") == "打开" and _plain("撤销 Label row 3(&U)") == "撤销 Label row 3"
    assert _plain("Label “R&&D”") == "Label “R&D”"  # a label's own "&" stays
