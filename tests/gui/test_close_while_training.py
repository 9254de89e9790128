"""Closing the window while a model trains asks first, then cancels cleanly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from PySide6.QtWidgets import QMessageBox

from bertdesk.core.project import Project
from tests.tiny_model import tiny_texts


def test_close_while_training_asks_then_cancels_and_records_it(qtbot, window, tmp_path: Path, tiny_encoder_dir: Path, monkeypatch) -> None:
    texts, labels = tiny_texts(40)
    path = tmp_path / "t.bertdesk"
    Project.create(path, pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label").close()
    window.open_path(path)
    qtbot.waitUntil(lambda: window.project is not None, timeout=10_000)
    panel = window.train_panel
    panel.settings.set_model_source(str(tiny_encoder_dir))
    panel.settings.epochs_spin.setValue(200)
    panel.start_training()
    qtbot.waitUntil(lambda: "Epoch" in panel.progress_label.text(), timeout=60_000)

    answers: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: answers.append(args[2]) or QMessageBox.StandardButton.No)
    window.close()
    assert answers and "still running" in answers[0]
    assert window.isVisible() and panel.is_training()  # "No" keeps the window and the training

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    window.close()
    qtbot.waitUntil(lambda: not panel.is_training(), timeout=30_000)
    assert not window.isVisible()
    project = Project.open(path)
    try:
        (run,) = project.runs()
        assert run.status == "cancelled"
    finally:
        project.close()
    assert not [p for p in (tmp_path / "t.models").glob(".*partial*")]
