"""Small bulk edits as jobs: does a bulk label / accept of a few rows still feel instant?

Since the GUI's job runner (bertdesk/gui/jobs.py) has one path per action, a bulk label of
3 rows and an accept of 3 predictions run on a worker thread like a million-row one. This
times, on a generated project of ``--rows`` rows (offscreen platform):

* the peer: the same edit and the same follow-up (undo step, views refreshed) made directly
  on the GUI thread: the old "small input" path;
* the job: from the request (``MainWindow.label_rows`` / ``PredictPanel._accept``) to its
  result handled on the GUI thread (label committed, undo step recorded, views refreshed).

Target: 50 ms (what a user feels as instant; the same budget as label_speed.py).

    python benchmarks/small_job_latency.py [--rows 10000] [--repeats 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MS = 50.0


def _wait(app, done) -> None:
    while not done():
        app.processEvents()
        time.sleep(0.0005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    import numpy as np
    import pandas as pd
    from PySide6.QtWidgets import QApplication

    from bertdesk.core.project import Project
    from bertdesk.gui.main_window import MainWindow
    from bertdesk.gui.settings import AppSettings

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.bertdesk"
        frame = pd.DataFrame({"text": [f"row {i}" for i in range(args.rows)], "label": ["x" if i % 2 else "" for i in range(args.rows)]})
        Project.create(path, frame, text_column="text", label_column="label").close()
        from PySide6.QtCore import QSettings

        window = MainWindow(
            settings=AppSettings(QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)), data_dir=Path(tmp) / "app"
        )
        window.open_path(path)
        _wait(app, lambda: window.current_job is None)
        project = window.project
        rows = [0, 2, 4]

        direct, job = [], []
        for i in range(args.repeats):
            label = "x" if i % 2 else "y"
            start = time.perf_counter()
            project.set_labels(rows, label)  # the peer: inline; the project's announcement refreshes the views
            direct.append((time.perf_counter() - start) * 1000)
            label = "y" if i % 2 else "x"
            start = time.perf_counter()
            window.label_rows(rows, label)
            _wait(app, lambda: window.current_job is None)
            job.append((time.perf_counter() - start) * 1000)

        run = project.add_run(status="finished", model_dir="", config={}, metrics={"labels": ["x", "y"]})
        project.set_active_run(run)
        ids = list(range(0, args.rows, 2))
        probs = np.tile(np.array([[0.2, 0.8]], dtype=np.float32), (len(ids), 1))
        project.store_predictions(run, ids, ["y"] * len(ids), [0.8] * len(ids), probs)
        panel = window.predict_panel
        panel.refresh()
        _wait(app, lambda: panel.job is None and panel.frame is not None)
        accept_direct, accept_job = [], []
        for _ in range(args.repeats):
            project.set_labels(rows, None)
            start = time.perf_counter()
            changed = project.accept_predictions({r: "y" for r in rows})
            panel._after_accept(changed, len(rows), "selected", project)
            accept_direct.append((time.perf_counter() - start) * 1000)
            project.set_labels(rows, None)
            start = time.perf_counter()
            panel._accept({r: "y" for r in rows}, "selected")
            _wait(app, lambda: panel.job is None)
            accept_job.append((time.perf_counter() - start) * 1000)

        window.set_project(None)
        window.close()

    def line(name: str, values: list[float]) -> str:
        return f"{name:<34} median {statistics.median(values):7.2f} ms   max {max(values):7.2f} ms"

    print(f"{args.rows:,} rows, {len(rows)} rows per edit, {args.repeats} repeats (target {TARGET_MS:.0f} ms)")
    print(line("bulk label, direct (peer)", direct))
    print(line("bulk label, as a job", job))
    print(line("accept 3 predictions, direct (peer)", accept_direct))
    print(line("accept 3 predictions, as a job", accept_job))


if __name__ == "__main__":
    main()
