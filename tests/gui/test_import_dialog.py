from __future__ import annotations

from pathlib import Path

from bertdesk.gui.dialogs.import_dialog import NO_LABEL, ImportDialog
from tests.core.data_files import write_csv, write_xlsx

ROWS = [["id", "comment", "topic"]] + [[str(i), f"comment number {i}, quite a long text here", ["a", "b"][i % 2]] for i in range(30)]


def test_dialog_shows_detection_and_suggestions(qtbot, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "survey.csv", ROWS, delimiter=";", encoding="cp1252")
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    assert "CSV" in dialog.detected_label.text() and "semicolon" in dialog.detected_label.text()
    assert dialog.preview_model.rowCount() == 30 and dialog.preview_model.columnCount() == 3
    assert dialog.text_combo.currentText() == "comment"
    assert dialog.label_combo.currentText() == "topic"
    assert dialog.project_edit.text().endswith("survey.bertdesk")
    assert dialog.import_button.isEnabled()
    options = dialog.options()
    assert options.text_column == "comment" and options.label_column == "topic"
    assert options.delimiter == ";" and options.project_path.name == "survey.bertdesk"


def test_changing_the_delimiter_rereads(qtbot, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "survey.csv", ROWS, delimiter=";")
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    dialog.delimiter_combo.setCurrentIndex(dialog.delimiter_combo.findData("|"))
    assert dialog.preview_model.columnCount() == 1  # the user's choice wins over detection
    dialog.delimiter_combo.setCurrentIndex(dialog.delimiter_combo.findData(";"))
    assert dialog.preview_model.columnCount() == 3


def test_header_row_and_label_none(qtbot, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Exported by tool", "", ""]] + ROWS)
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    dialog.header_spin.setValue(2)
    dialog.reload_preview()
    assert [dialog.preview_model.headerData(i, 1) for i in range(3)] == ["id", "comment", "topic"]
    dialog.label_combo.setCurrentIndex(dialog.label_combo.findText(NO_LABEL))
    assert dialog.options().label_column is None and dialog.options().header_row == 1


def test_same_text_and_label_column_is_refused(qtbot, tmp_path: Path) -> None:
    dialog = ImportDialog(write_csv(tmp_path / "s.csv", ROWS))
    qtbot.addWidget(dialog)
    dialog.label_combo.setCurrentIndex(dialog.label_combo.findText("comment"))
    assert not dialog.import_button.isEnabled()
    assert "different" in dialog.validation_problem()


def test_existing_project_file_is_never_overwritten(qtbot, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", ROWS)
    (tmp_path / "s.bertdesk").write_bytes(b"precious")
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    assert dialog.project_edit.text().endswith("s (2).bertdesk")  # a free name is proposed
    dialog.project_edit.setText(str(tmp_path / "s.bertdesk"))
    assert not dialog.import_button.isEnabled()
    assert (tmp_path / "s.bertdesk").read_bytes() == b"precious"


def test_unreadable_file_shows_one_line_and_disables_import(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    assert not dialog.error_label.isHidden()
    assert "empty.csv" in dialog.error_label.text() and "\n" not in dialog.error_label.text()
    assert not dialog.import_button.isEnabled()


def test_sheet_choice(qtbot, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", {"Notes": [["x"], ["y"]], "Data": ROWS})
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    assert [dialog.sheet_combo.itemText(i) for i in range(dialog.sheet_combo.count())] == ["Notes", "Data"]
    assert not dialog.encoding_combo.isEnabled()
    dialog.sheet_combo.setCurrentIndex(1)
    assert dialog.preview_model.columnCount() == 3
    assert dialog.options().sheet == "Data"


def test_dialog_grab_smoke(qtbot, tmp_path: Path) -> None:
    dialog = ImportDialog(write_csv(tmp_path / "s.csv", ROWS))
    qtbot.addWidget(dialog)
    dialog.show()
    image = dialog.grab().toImage()
    assert image.width() > 300 and image.height() > 200


def test_header_row_is_detected_until_the_user_sets_it(qtbot, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [["Customer survey 2024", "", ""]] + ROWS)
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    assert dialog.header_spin.value() == 2  # the title line is skipped
    assert [dialog.preview_model.headerData(i, 1) for i in range(3)] == ["id", "comment", "topic"]
    assert dialog.options().header_row == 1
    dialog.header_spin.setValue(1)  # the user's choice wins over detection
    dialog.reload_preview()
    assert dialog.preview_model.headerData(0, 1) == "Customer survey 2024"
    assert dialog.options().header_row == 0


def test_a_legacy_byte_past_the_preview_is_imported_in_its_encoding(qtbot, tmp_path: Path) -> None:
    """The preview sees only ASCII and says utf-8; the import must not pin that and store '�'."""
    from bertdesk.core.importing import import_spreadsheet

    rows = "".join(f"{i},plain ascii text number {i} with some padding to make the file long\n" for i in range(40_000))
    source = tmp_path / "late.csv"
    source.write_bytes(("id,text\n" + rows + "99,café crème\n").encode("cp1252"))
    dialog = ImportDialog(source)
    qtbot.addWidget(dialog)
    assert dialog.text_combo.currentText() == "text"
    with import_spreadsheet(dialog.options()) as project:
        assert project.texts()[-1] == "café crème"


def test_enter_imports_and_never_opens_save_as(qtbot, tmp_path: Path, monkeypatch) -> None:
    # A user's report: Enter opened "Save project as…" (Browse) instead of importing.
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog

    browsed: list[bool] = []
    monkeypatch.setattr(ImportDialog, "_on_browse_clicked", lambda self: browsed.append(True))
    for focus in ("initial", "project_edit", "text_combo", "header_spin", "preview_view"):
        dialog = ImportDialog(write_csv(tmp_path / f"s-{focus}.csv", ROWS))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        if focus != "initial":
            getattr(dialog, focus).setFocus()
        target = dialog.focusWidget() or dialog
        qtbot.keyClick(target, Qt.Key.Key_Return)
        assert not browsed, f"Enter with focus on {focus} opened Browse"
        assert dialog.result() == QDialog.DialogCode.Accepted, f"Enter with focus on {focus} did not import"
