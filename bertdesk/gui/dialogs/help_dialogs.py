"""Help > Keyboard Shortcuts and Help > User Guide.

The shortcut sheet is built from the window's own actions (every action that has a shortcut,
under the menu that holds it) and the Label panel's :data:`LABELLING_KEYS`, so it cannot drift
from what the keys do. The guide is ``resources/guide/user-guide.md``, shown offline.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMainWindow, QTextBrowser, QVBoxLayout, QWidget

from bertdesk.core.resources import resource_path

# Keys that belong to a panel rather than to a window action.
PANEL_KEYS = (
    ("Data panel", "Click a column header", "Sort by it; again: descending; a third time: file order"),
    ("Data panel", "Double-click a row", "Explain it in the Attention panel"),
    ("Attention panel", "Ctrl+Enter", "Explain the text"),
)


def window_shortcuts(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(menu, shortcut, action) for every action of ``window`` that has a shortcut."""
    found: list[tuple[str, str, str]] = []
    seen: set[int] = set()
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        for action in menu.actions():
            if not action.shortcut().isEmpty():
                seen.add(id(action))
                found.append((menu_action.text().replace("&", ""), _keys(action), _plain(action.text())))
    for action in window.findChildren(QAction):
        if id(action) not in seen and not action.shortcut().isEmpty() and action.parent() is window:
            found.append(("Window", _keys(action), _plain(action.text())))
    return found


def shortcut_sheet(window: QMainWindow) -> str:
    """The sheet as HTML: window shortcuts, then labelling keys, then panel keys."""
    from bertdesk.gui.panels.label_panel import LABELLING_KEYS

    rows = [*window_shortcuts(window), *(("Label panel", keys, what) for keys, what in LABELLING_KEYS), *PANEL_KEYS]
    body = "".join(
        f"<tr><td>{html.escape(where)}</td><td><b>{html.escape(keys)}</b></td><td>{html.escape(what)}</td></tr>"
        for where, keys, what in rows
    )
    return f"<table cellspacing='0' cellpadding='4'><tr><th align='left'>Where</th><th align='left'>Keys</th><th align='left'>Does</th></tr>{body}</table>"


def _keys(action: QAction) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


class _TextDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 640)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)


class ShortcutsDialog(_TextDialog):
    """Every keyboard shortcut of the app, on one page."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__("Keyboard shortcuts", window)
        self.browser.setHtml(shortcut_sheet(window))


class GuideDialog(_TextDialog):
    """The user guide (resources/guide/user-guide.md), readable offline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("bertdesk user guide", parent)
        path = resource_path("guide", "user-guide.md")
        self.browser.setSearchPaths([str(path.parent)])
        self.browser.setMarkdown(path.read_text(encoding="utf-8"))
