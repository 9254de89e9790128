"""Help > Keyboard Shortcuts and Help > User Guide.

The shortcut sheet is built from the window's own actions (every action that has a shortcut,
under the menu that holds it) and the Label panel's :data:`LABELLING_KEYS`, so it cannot drift
from what the keys do. The guide is ``resources/guide/user-guide.md``, shown offline; in the
interface language when there is a translation of it (``user-guide.<language>.md``).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMainWindow, QTextBrowser, QVBoxLayout, QWidget

from bertdesk.core.resources import resource_path
from bertdesk.gui.i18n import ENGLISH, current_language

_CONTEXT = "ShortcutsDialog"
# Keys that belong to a panel rather than to a window action (translated where the sheet is built).
PANEL_KEYS = (
    (
        QT_TRANSLATE_NOOP("ShortcutsDialog", "Data panel"),
        QT_TRANSLATE_NOOP("ShortcutsDialog", "Click a column header"),
        QT_TRANSLATE_NOOP("ShortcutsDialog", "Sort by it; again: descending; a third time: file order"),
    ),
    (
        QT_TRANSLATE_NOOP("ShortcutsDialog", "Data panel"),
        QT_TRANSLATE_NOOP("ShortcutsDialog", "Double-click a row"),
        QT_TRANSLATE_NOOP("ShortcutsDialog", "Explain it in the Attention panel"),
    ),
    (QT_TRANSLATE_NOOP("ShortcutsDialog", "Attention panel"), "Ctrl+Enter", QT_TRANSLATE_NOOP("ShortcutsDialog", "Explain the text")),
)
# The Label panel's LABELLING_KEYS are marked (and translated) in the Label panel's context.
LABEL_PANEL_CONTEXT = "LabelPanel"


def _tr(text: str, context: str = _CONTEXT) -> str:
    return QCoreApplication.translate(context, text)


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
                found.append((_plain(menu_action.text()), _keys(action), _plain(action.text())))
    for action in window.findChildren(QAction):
        if id(action) not in seen and not action.shortcut().isEmpty() and action.parent() is window:
            found.append((QCoreApplication.translate("ShortcutsDialog", "Window"), _keys(action), _plain(action.text())))
    return found


def shortcut_sheet(window: QMainWindow) -> str:
    """The sheet as HTML: window shortcuts, then labelling keys, then panel keys."""
    from bertdesk.gui.panels.label_panel import LABELLING_KEYS

    label_panel = QCoreApplication.translate("ShortcutsDialog", "Label panel")
    rows = [
        *window_shortcuts(window),
        *((label_panel, _tr(keys, LABEL_PANEL_CONTEXT), _tr(what, LABEL_PANEL_CONTEXT)) for keys, what in LABELLING_KEYS),
        *((_tr(where), _tr(keys), _tr(what)) for where, keys, what in PANEL_KEYS),
    ]
    body = "".join(
        f"<tr><td>{html.escape(where)}</td><td><b>{html.escape(keys)}</b></td><td>{html.escape(what)}</td></tr>"
        for where, keys, what in rows
    )
    names = (
        QT_TRANSLATE_NOOP("ShortcutsDialog", "Where"),
        QT_TRANSLATE_NOOP("ShortcutsDialog", "Keys"),
        QT_TRANSLATE_NOOP("ShortcutsDialog", "Does"),
    )
    head = "".join(f"<th align='left'>{html.escape(_tr(name))}</th>" for name in names)
    return f"<table cellspacing='0' cellpadding='4'><tr>{head}</tr>{body}</table>"


def _keys(action: QAction) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


# A translation's accelerator in brackets, as Chinese menus write it: "文件(&F)".
_BRACKETED_ACCELERATOR = re.compile(r"\s*[(（]&[^&\s][)）]")


def _plain(text: str) -> str:
    """An action's or menu's text without its accelerator: "&Open…" -> "Open", "打开(&O)…" -> "打开"."""
    text = _BRACKETED_ACCELERATOR.sub("", text)
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
        super().__init__(self.tr("Keyboard shortcuts"), window)
        self.browser.setHtml(shortcut_sheet(window))


def guide_path(language: str | None = None) -> Path:
    """The user guide in ``language`` (default: the interface's), the English one when it has no translation."""
    language = current_language() if language is None else language
    if language != ENGLISH:
        translated = resource_path("guide", f"user-guide.{language}.md")
        if translated.is_file():
            return translated
    return resource_path("guide", "user-guide.md")


class GuideDialog(_TextDialog):
    """The user guide (resources/guide/user-guide.md, or its translation), readable offline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("bertdesk user guide"), parent)
        path = guide_path()
        self.browser.setSearchPaths([str(path.parent)])
        self.browser.setMarkdown(path.read_text(encoding="utf-8"))
