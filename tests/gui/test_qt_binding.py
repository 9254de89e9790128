"""Guard against Qt bindings that corrupt Python's reference counts.

PySide6 6.12.0 dropped a reference to ``None`` on every call of a method returning void, so a
long labelling session crashed with ``Fatal Python error: none_dealloc``. pyproject.toml
excludes that release; this test fails on any installed binding with the same fault.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_do_not_leak_references_to_none(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    label.setText("warm up")
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("x")
    # Allow for unrelated small drift; the bug loses exactly one reference per call.
    assert abs(before - sys.getrefcount(None)) < 50
