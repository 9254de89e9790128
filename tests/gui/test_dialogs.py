from __future__ import annotations

from PySide6.QtCore import Qt

from bertdesk.core.errors import TableReadError
from bertdesk.gui.dialogs.clash_dialog import LabelClashDialog
from bertdesk.gui.dialogs.errors import build_error_box, error_message


def test_clash_dialog_defaults_to_the_most_used_spelling_and_respects_unticked(qtbot) -> None:
    dialog = LabelClashDialog([["positive", "Positive"], ["spam", "SPAM"]], {"Positive": 120, "positive": 3, "spam": 9, "SPAM": 2})
    qtbot.addWidget(dialog)
    assert dialog.merges() == [("Positive", ["positive"]), ("spam", ["SPAM"])]
    check, target, _ = dialog._rows[1]
    check.setChecked(False)
    target_first, _, _ = dialog._rows[0]
    dialog._rows[0][1].setCurrentIndex(1)  # the user picks the other spelling
    assert dialog.merges() == [("positive", ["Positive"])]
    assert target_first.isChecked()


def test_error_box_is_one_plain_line_with_details(qtbot) -> None:
    err = TableReadError("<b>r.csv</b>: line 3 has 4 fields", detail="the rest")
    box = build_error_box(None, "Import", err)
    qtbot.addWidget(box)
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text() == "<b>r.csv</b>: line 3 has 4 fields"
    assert box.detailedText() == "the rest"


def test_unexpected_error_message_keeps_the_traceback_in_details() -> None:
    try:
        raise ValueError("bad\nthing")
    except ValueError as err:
        message, detail = error_message(err)
    assert message == "Something went wrong: bad thing"
    assert "Traceback" in detail and "ValueError" in detail
