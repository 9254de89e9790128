"""Labels set with the keyboard in the Label panel survive the app being killed (SIGKILL)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.core.project import Project

WORKER = Path(__file__).with_name("gui_label_worker.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX-only")
@pytest.mark.parametrize("seed", [1, 2])
def test_labels_made_in_the_gui_survive_kill_9(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "gui.bertdesk"
    frame = pd.DataFrame({"text": [f"message number {i}" for i in range(400)], "label": ["a", "b", "c", ""] * 100})
    Project.create(path, frame, text_column="text", label_column="label").close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, str(WORKER), str(path), str(seed)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    kill_after = random.Random(seed).randint(30, 120)
    expected: dict[int, str | None] = {}
    for _ in range(kill_after):
        line = proc.stdout.readline()
        assert line.startswith("saved "), line
        _, row, label = line.split()
        expected[int(row)] = None if label == "-" else label
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    with Project.open(path) as project:
        for row, label in expected.items():
            assert project.label_of(row) == label, f"row {row}"
    assert expected  # the worker really labelled something
