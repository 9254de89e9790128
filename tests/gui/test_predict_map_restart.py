"""Issue 14: the Predict panel's map survives closing and reopening the project (pytest-qt, offscreen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bertdesk.core.project import Project
from bertdesk.gui.panels.predict_panel import PredictPanel
from tests.tiny_model import tiny_texts

N = 16


def _open_panel(qtbot, project: Project) -> PredictPanel:
    panel = PredictPanel()
    qtbot.addWidget(panel)
    panel.resize(1100, 700)
    panel.show()
    panel.set_project(project)
    qtbot.waitUntil(lambda: panel.job is None, timeout=20_000)
    return panel


def _points(panel: PredictPanel) -> tuple[list[int], np.ndarray]:
    data = panel.map.scatter.data
    return [int(r) for r in data["data"]], np.column_stack([data["x"], data["y"]]).astype(np.float64)


def test_the_map_shows_the_same_points_after_a_restart(qtbot, tmp_path: Path, tiny_model_dir: Path) -> None:
    texts, labels = tiny_texts(N, seed=3)
    path = tmp_path / "p.bertdesk"
    project = Project.create(path, pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label")
    run = project.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": ["neg", "pos"]})
    project.set_active_run(run)
    panel = _open_panel(qtbot, project)
    assert panel.job is None and panel.start_prediction("all") is not None
    qtbot.waitUntil(lambda: panel.job is None, timeout=60_000)
    ids, coords = _points(panel)
    assert sorted(ids) == list(range(N)) and coords.shape == (N, 2)
    panel.set_project(None)
    panel.close()
    project.close()

    with Project.open(path) as reopened:
        again = _open_panel(qtbot, reopened)
        qtbot.waitUntil(lambda: again.frame is not None, timeout=20_000)
        assert again.views.map_label.isHidden()  # the points, not the "Predict to see a map" hint
        ids_after, coords_after = _points(again)
        assert ids_after == ids
        np.testing.assert_allclose(coords_after, coords, rtol=1e-5)
        again.set_project(None)


def test_a_damaged_map_is_named_and_the_predictions_still_show(qtbot, tmp_path: Path, tiny_model_dir: Path) -> None:
    import sqlite3

    texts, labels = tiny_texts(N, seed=4)
    path = tmp_path / "p.bertdesk"
    with Project.create(path, pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label") as project:
        run = project.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": ["neg", "pos"]})
        project.set_active_run(run)
        probs = np.full((N, 2), 0.5, dtype=np.float32)
        project.store_predictions(run, list(range(N)), ["neg"] * N, probs[:, 0], probs)
        project.store_map(run, np.arange(N), np.zeros((N, 2)))
    conn = sqlite3.connect(path)
    try:  # coordinates cut short, as a damaged file would have them
        conn.execute("UPDATE prediction_maps SET coords = ? WHERE run_id = ?", (b"\x00" * 12, run))
        conn.commit()
    finally:
        conn.close()
    with Project.open(path) as reopened:
        panel = _open_panel(qtbot, reopened)
        qtbot.waitUntil(lambda: panel.frame is not None, timeout=20_000)
        assert panel.model.rowCount() == N
        assert len(panel.map.scatter.data) == 0
        assert "map of run" in panel.views.map_label.text() and "damaged" in panel.views.map_label.text()
        panel.set_project(None)
