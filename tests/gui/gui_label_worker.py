"""Helper process for test_gui_durability.py: labels rows by pressing keys in the Label panel.

Usage: python gui_label_worker.py PROJECT SEED

After each key press it prints "saved ROW LABEL" once the panel shows the next row (the moment
the user sees the label as done), then goes on until the test kills it with SIGKILL.
"""

from __future__ import annotations

import os
import random
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bertdesk.core.project import Project  # noqa: E402
from bertdesk.gui.panels.label_panel import LabelPanel  # noqa: E402

KEYS = [(Qt.Key.Key_1, 0), (Qt.Key.Key_2, 1), (Qt.Key.Key_3, 2), (Qt.Key.Key_0, None)]


def main() -> None:
    path, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    app = QApplication([])
    project = Project.open(path)
    panel = LabelPanel()
    panel.set_project(project)
    panel.show()
    names = list(project.label_set.names)
    print("ready", flush=True)
    while True:
        row = panel.current_row
        if row is None:
            QTest.keyClick(panel, Qt.Key.Key_Left)
            continue
        key, index = rng.choice(KEYS)
        QTest.keyClick(panel, key)
        app.processEvents()
        print(f"saved {row} {names[index] if index is not None else '-'}", flush=True)


if __name__ == "__main__":
    main()
