"""Opening a tampered project in the app shows the one-line error; nothing crashes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.core.errors import BertdeskError
from bertdesk.core.project import Project
from bertdesk.gui.main_window import MainWindow
from tests.gui.conftest import wait_for_job


@pytest.mark.parametrize(
    ("key", "value"), [("columns", "'5'"), ("row_count", "'\"x\"'"), ("text_column", "'\"nope\"'"), ("schema_version", "'99'")]
)
def test_open_job_shows_one_line_error(qtbot, window: MainWindow, tmp_path: Path, monkeypatch, key: str, value: str) -> None:
    shown: list[BaseException] = []
    monkeypatch.setattr("bertdesk.gui.main_window.show_error", lambda parent, title, err: shown.append(err))
    path = tmp_path / "tampered.bertdesk"
    Project.create(path, pd.DataFrame({"text": ["a", "b"], "label": ["x", "y"]}), text_column="text", label_column="label").close()
    conn = sqlite3.connect(path)
    conn.execute(f"UPDATE meta SET value = {value} WHERE key = ?", (key,))
    conn.commit()
    conn.close()
    window.open_path(path)
    wait_for_job(qtbot, window)
    assert window.project is None
    assert len(shown) == 1 and isinstance(shown[0], BertdeskError)
    message = str(shown[0])
    assert "\n" not in message and message.startswith("tampered.bertdesk")
