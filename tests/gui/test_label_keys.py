"""Letter keys for labels 10 and up."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from PySide6.QtCore import Qt

from bertdesk.core.project import Project
from bertdesk.gui.panels.label_panel import LabelPanel
from bertdesk.gui.widgets.label_keys import key_for_position, legend, position_for_key

NAMES = [f"label{i}" for i in range(1, 12)]  # 11 labels


def test_key_mapping() -> None:
    assert [key_for_position(i) for i in (0, 8, 9, 10, 34, 35)] == ["1", "9", "a", "b", "z", None]
    assert position_for_key(int(Qt.Key.Key_1)) == 0 and position_for_key(int(Qt.Key.Key_9)) == 8
    assert position_for_key(int(Qt.Key.Key_A)) == 9 and position_for_key(int(Qt.Key.Key_Z)) == 34
    assert position_for_key(int(Qt.Key.Key_0)) is None and position_for_key(int(Qt.Key.Key_Space)) is None
    assert legend(NAMES) == "a  label10 · b  label11" and legend(NAMES[:9]) == ""


def test_letter_keys_label_beyond_nine(qtbot, tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": [f"t{i}" for i in range(15)], "label": NAMES + [""] * 4})
    project = Project.create(tmp_path / "k.bertdesk", frame, text_column="text", label_column="label")
    try:
        panel = LabelPanel()
        qtbot.addWidget(panel)
        panel.show()
        panel.set_project(project)
        panel.setFocus()
        texts = [b.text() for b in panel.label_buttons]
        assert texts[0] == "1  label1" and texts[9] == "a  label10" and texts[10] == "b  label11"
        assert panel.keys_legend.text() == "a  label10 · b  label11" and not panel.keys_legend.isHidden()
        assert "a  label10: 1" in panel.counts_label.text()
        qtbot.keyClick(panel, Qt.Key.Key_A)
        assert project.label_of(0) == "label10" and panel.current_row == 1
        qtbot.keyClick(panel, Qt.Key.Key_B)
        assert project.label_of(1) == "label11"
        qtbot.keyClick(panel, Qt.Key.Key_C)  # no twelfth label: nothing happens
        assert project.label_of(2) == "label3" and panel.current_row == 2
        qtbot.keyClick(panel, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)  # modified: not a label key
        assert project.label_of(2) == "label3"
        qtbot.keyClick(panel, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Z still undoes
        assert project.label_of(1) == "label2"
    finally:
        project.close()
