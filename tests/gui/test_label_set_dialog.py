"""The label-set dialog: add/rename/merge/delete/reorder/colour, hygiene fixes, undo via the window."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QInputDialog, QLabel

from bertdesk.core.errors import BertdeskError
from bertdesk.core.project import Project
from bertdesk.gui.dialogs import label_set_dialog as lsd
from bertdesk.gui.dialogs.label_set_dialog import LabelSetDialog, delete_confirmation_text

from .conftest import wait_for_job

# 10 billing, 9 bug, 2 Bug (a near-duplicate with too few rows), 8 <b>praise</b>, 3 unlabelled.
LABELS = ["billing"] * 10 + ["bug"] * 9 + ["Bug"] * 2 + ["<b>praise</b>"] * 8 + [""] * 3


def make_project(path: Path) -> Project:
    frame = pd.DataFrame({"text": [f"text {i}" for i in range(len(LABELS))], "label": LABELS})
    return Project.create(path, frame, text_column="text", label_column="label")


@pytest.fixture
def project(tmp_path: Path):
    proj = make_project(tmp_path / "p.bertdesk")
    yield proj
    proj.close()


@pytest.fixture
def errors(monkeypatch) -> list[tuple[str, BaseException]]:
    shown: list[tuple[str, BaseException]] = []
    monkeypatch.setattr(lsd, "show_error", lambda parent, title, err: shown.append((title, err)))
    return shown


@pytest.fixture
def dialog(qtbot, project: Project) -> LabelSetDialog:
    dlg = LabelSetDialog(project)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def rows_labelled(project: Project, name: str) -> list[int]:
    return [row for row, label in project.labels().items() if label == name]


def test_lists_labels_with_counts_and_colour_swatches(dialog: LabelSetDialog, project: Project) -> None:
    assert dialog.names() == ["billing", "bug", "Bug", "<b>praise</b>"]
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert texts[0] == "1. billing    (10 rows)"
    assert texts[3] == "4. <b>praise</b>    (8 rows)"
    assert not dialog.list.item(0).icon().isNull()
    assert dialog.summary_label.text() == "4 labels; 29 of 32 rows labelled."


def test_add_label_emits_only_when_something_changed(qtbot, dialog: LabelSetDialog, project: Project) -> None:
    with qtbot.waitSignal(dialog.label_set_changed):
        assert dialog.add_label("  refund ")
    assert project.label_set.names[-1] == "refund"
    assert dialog.names()[-1] == "refund" and dialog.selected_names() == ["refund"]
    with qtbot.assertNotEmitted(dialog.label_set_changed):
        assert not dialog.add_label("refund")  # exists already: a no-op, nothing to undo


def test_rename_moves_every_row_and_errors_are_shown_not_raised(qtbot, dialog: LabelSetDialog, project: Project, errors) -> None:
    billing_rows = rows_labelled(project, "billing")
    with qtbot.waitSignal(dialog.label_set_changed):
        assert dialog.rename("billing", "money")
    assert rows_labelled(project, "money") == billing_rows and "billing" not in project.label_set
    assert dialog.names()[0] == "money" and dialog.selected_names() == ["money"]
    with qtbot.assertNotEmitted(dialog.label_set_changed):
        assert not dialog.rename("money", "bug")
    assert len(errors) == 1 and isinstance(errors[0][1], BertdeskError)
    assert "exists already" in str(errors[0][1])
    assert project.label_set.names == ("money", "bug", "Bug", "<b>praise</b>")


def test_merge_relabels_the_others(qtbot, dialog: LabelSetDialog, project: Project) -> None:
    expected = sorted(rows_labelled(project, "bug") + rows_labelled(project, "Bug") + rows_labelled(project, "billing"))
    with qtbot.waitSignal(dialog.label_set_changed):
        assert dialog.merge("bug", ["Bug", "billing", "bug"])  # the target among others is ignored
    assert rows_labelled(project, "bug") == expected
    assert project.label_counts() == {"bug": 21, "<b>praise</b>": 8}
    assert not dialog.merge("bug", ["bug"])


def test_delete_unlabels_its_rows_and_asks_first(qtbot, dialog: LabelSetDialog, project: Project, monkeypatch) -> None:
    monkeypatch.setattr(dialog, "confirm_delete", lambda name: False)
    assert not dialog.delete("billing", confirm=True)
    assert "billing" in project.label_set
    billing_rows = rows_labelled(project, "billing")
    with qtbot.waitSignal(dialog.label_set_changed):
        assert dialog.delete("billing")
    assert "billing" not in project.label_set and "billing" not in dialog.names()
    assert all(project.label_of(row) is None for row in billing_rows)
    assert project.labelled_count == 19


def test_delete_confirmation_text_says_how_many_rows() -> None:
    assert delete_confirmation_text("spam", 120) == "Delete “spam”? 120 rows lose this label."
    assert delete_confirmation_text("spam", 1) == "Delete “spam”? 1 row loses this label."
    assert delete_confirmation_text("spam", 12_345) == "Delete “spam”? 12,345 rows lose this label."
    assert delete_confirmation_text("spam", 0) == "Delete “spam”? No rows carry this label."


def test_delete_button_asks_with_the_row_count(dialog: LabelSetDialog, project: Project, monkeypatch) -> None:
    asked: list[str] = []

    def fake_exec(box) -> int:
        asked.append(box.text())
        assert box.textFormat() == Qt.TextFormat.PlainText
        return lsd.QMessageBox.StandardButton.Yes

    monkeypatch.setattr(lsd.QMessageBox, "exec", fake_exec)
    dialog.select(["billing"])
    dialog.delete_button.click()
    assert asked == ["Delete “billing”? 10 rows lose this label."]
    assert "billing" not in project.label_set


def test_move_reorders_and_keeps_rows(qtbot, dialog: LabelSetDialog, project: Project) -> None:
    praise_rows = rows_labelled(project, "<b>praise</b>")
    with qtbot.waitSignal(dialog.label_set_changed):
        assert dialog.move("<b>praise</b>", -3)
    assert project.label_set.names == ("<b>praise</b>", "billing", "bug", "Bug")
    assert rows_labelled(project, "<b>praise</b>") == praise_rows
    assert not dialog.move("<b>praise</b>", -1)  # already first
    assert not dialog.up_button.isEnabled() and dialog.down_button.isEnabled()
    dialog.down_button.click()
    assert project.label_set.names == ("billing", "<b>praise</b>", "bug", "Bug")
    assert dialog.selected_names() == ["<b>praise</b>"]


def test_set_color(qtbot, dialog: LabelSetDialog, project: Project, monkeypatch) -> None:
    with qtbot.waitSignal(dialog.label_set_changed):
        assert dialog.set_color("bug", QColor("#ff0000"))
    assert project.label_colors() == {"bug": "#ff0000"}
    image = dialog.list.item(1).icon().pixmap(14, 14).toImage()
    assert QColor(image.pixel(7, 7)).name() == "#ff0000"
    monkeypatch.setattr(QColorDialog, "getColor", staticmethod(lambda *args, **kw: QColor("#00aa00")))
    dialog.select(["billing"])
    dialog.color_button.click()
    assert project.label_colors() == {"billing": "#00aa00", "bug": "#ff0000"}
    assert dialog.set_color("bug", None)
    assert project.label_colors() == {"billing": "#00aa00"}


def test_buttons_ask_then_edit(dialog: LabelSetDialog, project: Project, monkeypatch) -> None:
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kw: ("refund", True)))
    dialog.add_button.click()
    assert "refund" in project.label_set
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kw: ("payments", True)))
    dialog.select(["billing"])
    dialog.rename_button.click()
    assert project.label_set.names[0] == "payments"
    offered: list[list[str]] = []

    def get_item(parent, title, label, items, current, editable):
        offered.append(list(items))
        return items[0], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    dialog.select(["bug", "Bug"])
    assert dialog.merge_button.isEnabled() and not dialog.rename_button.isEnabled()
    dialog.merge_button.click()
    assert offered == [["bug", "Bug"]]  # the most used first
    assert project.label_counts()["bug"] == 11 and "Bug" not in project.label_set


def test_hygiene_lists_near_duplicates_and_merges_in_one_click(qtbot, dialog: LabelSetDialog, project: Project) -> None:
    kinds = [(issue.kind, issue.labels) for issue in dialog.hygiene_issues]
    assert kinds == [("near_duplicate", ("bug", "Bug")), ("too_few", ("Bug",))]
    texts = [w.text() for w in dialog.hygiene_labels]
    assert texts[1].startswith("• Only 2 rows are labelled “Bug”")
    assert any("“bug” (9 rows), “Bug” (2 rows) look the same" in t for t in texts)
    assert all(w.textFormat() == Qt.TextFormat.PlainText for w in dialog.hygiene_box.findChildren(QLabel))
    assert len(dialog.hygiene_merge_buttons) == 1
    with qtbot.waitSignal(dialog.label_set_changed):
        dialog.hygiene_merge_buttons[0].click()
    assert project.label_counts() == {"billing": 10, "bug": 11, "<b>praise</b>": 8}
    assert dialog.hygiene_issues == [] and dialog.hygiene_merge_buttons == []
    assert [w.text()[:17] for w in dialog.hygiene_labels] == ["No problems found"]


def test_edit_label_set_from_the_window_and_undo_a_rename(qtbot, window, tmp_path: Path) -> None:
    path = tmp_path / "w.bertdesk"
    make_project(path).close()
    assert not window.label_set_action.isEnabled()
    window.open_path(path)
    wait_for_job(qtbot, window)
    assert window.project is not None and window.label_set_action.isEnabled()
    assert window.label_set_action.shortcut().toString() == "Ctrl+L"
    window.label_set_action.trigger()
    dialog = window.label_set_dialog
    assert dialog.isVisible() and dialog.project is window.project

    billing_rows = rows_labelled(window.project, "billing")
    assert dialog.rename("billing", "money")
    assert window.undo_action.isEnabled()
    assert "money" in window.data_panel.summary_label.text()
    assert [b.text() for b in window.label_panel.label_buttons][0].endswith("money")

    window.undo_action.trigger()
    assert window.project.label_set.names[0] == "billing"
    assert rows_labelled(window.project, "billing") == billing_rows
    assert dialog.names()[0] == "billing"  # the open dialog follows
    assert "money" not in window.data_panel.summary_label.text()

    window.redo_action.trigger()
    assert window.project.label_set.names[0] == "money" and dialog.names()[0] == "money"

    # A no-op edit records nothing: one undo still reverts the rename.
    assert not dialog.add_label("money")
    window.undo()
    assert window.project.label_set.names[0] == "billing"

    window.close_project()
    assert not dialog.isVisible() and not window.label_set_action.isEnabled()


def test_grab_smoke(dialog: LabelSetDialog, project: Project) -> None:
    dialog.set_color("billing", "#e45756")
    dialog.set_color("<b>praise</b>", "#54a24b")
    dialog.resize(640, 540)
    dialog.select(["bug"])
    pixmap = dialog.grab()
    assert not pixmap.isNull() and pixmap.width() >= 600
    pixmap.save("/tmp/label_set_dialog.png")


def test_unknown_labels_show_an_error(dialog: LabelSetDialog, errors) -> None:
    assert not dialog.move("nope", 1)
    assert not dialog.delete("nope")
    assert not dialog.set_color("nope", "#123456")
    assert [title for title, _ in errors] == ["Cannot move the label", "Cannot delete the label", "Cannot set the colour"]
    assert all(isinstance(err, BertdeskError) for _, err in errors)
