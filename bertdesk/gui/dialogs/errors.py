"""Show an error as its one-line message, with the details a click away."""

from __future__ import annotations

import traceback

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from bertdesk.core.errors import BertdeskError


def error_message(err: BaseException) -> tuple[str, str]:
    """(one-line message, detail) for any exception."""
    if isinstance(err, BertdeskError):
        return str(err), err.detail
    detail = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    first = " ".join(str(err).split()) or type(err).__name__
    return QCoreApplication.translate("ErrorDialog", "Something went wrong: {error}").format(error=first), detail


def build_error_box(parent: QWidget | None, title: str, err: BaseException) -> QMessageBox:
    message, detail = error_message(err)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(message)
    if detail:
        box.setDetailedText(detail)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def show_error(parent: QWidget | None, title: str, err: BaseException) -> None:
    build_error_box(parent, title, err).exec()
