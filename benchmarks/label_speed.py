"""Keyboard labelling speed: from a key press on the Label panel to the next row shown.

A generated project of ``--rows`` rows (default 1,000,000; about 60 % pre-labelled in random
runs, so "unlabelled" has gaps to skip) is opened in a ``LabelPanel`` on the offscreen
platform. Each press is ``QTest.keyClick`` on the panel followed by processing pending events;
the time covers the label's commit to disk (fsync), the look-up of the next row, and the
text, counts and chart updates. Target: 50 ms per press (the peer: the budget a typist feels
as instant).

    python benchmarks/label_speed.py [--rows 1000000] [--presses 200]
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


def make_project(path: Path, rows: int):
    import numpy as np
    import pandas as pd

    from bertdesk.core.project import Project

    rng = np.random.default_rng(0)
    words = np.array("refund parcel late broken app crash login thanks great slow price invoice order screen".split())
    picks = rng.integers(0, len(words), size=(rows, 8))
    texts = [" ".join(row) for row in words[picks]]
    # Labelled in runs of random length, so "unlabelled" has real gaps to jump.
    run_labelled = rng.random(rows // 8 + 1) < 0.6
    labels = np.where(np.repeat(run_labelled, 8)[:rows], np.array(["billing", "bug", "praise", "delivery"])[rng.integers(0, 4, rows)], "")
    frame = pd.DataFrame({"id": np.arange(rows).astype(str), "text": texts, "label": labels})
    return Project.create(path, frame, text_column="text", label_column="label")


def time_presses(app, panel, key, presses: int) -> list[float]:
    from PySide6.QtTest import QTest

    times = []
    for _ in range(presses):
        before = panel.current_row
        start = time.perf_counter()
        QTest.keyClick(panel, key)
        app.processEvents()
        times.append((time.perf_counter() - start) * 1000)
        if panel.current_row == before:
            raise RuntimeError("a key press did not move to another row")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--presses", type=int, default=200)
    args = parser.parse_args()

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from bertdesk.gui.panels.label_panel import LabelPanel

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        project = make_project(Path(folder) / "big.bertdesk", args.rows)
        print(f"generated a {project.row_count:,}-row project ({project.labelled_count:,} labelled) in {time.perf_counter() - start:.1f} s")
        panel = LabelPanel()
        panel.resize(1100, 680)
        panel.show()
        panel.set_project(project)
        panel.setFocus()
        app.processEvents()
        results = []
        for name, kind, key in [
            ("all: Space (skip)", "all", Qt.Key.Key_Space),
            ("all: 1 (label + advance)", "all", Qt.Key.Key_1),
            ("unlabelled: Space (skip)", "unlabelled", Qt.Key.Key_Space),
            ("unlabelled: 1 (label + advance)", "unlabelled", Qt.Key.Key_1),
        ]:
            index = panel.filter_index(kind)
            panel.filter_combo.setCurrentIndex(index)
            panel.filter_combo.activated.emit(index)
            panel.setFocus()
            times = time_presses(app, panel, key, args.presses)
            times.sort()
            results.append((name, statistics.median(times), times[int(0.95 * (len(times) - 1))]))
        panel.set_project(None)
        project.close()

    print(f"{'filter: key':34s} {'median ms':>10s} {'p95 ms':>8s}   target")
    for name, median, p95 in results:
        verdict = "meets" if p95 < TARGET_MS else "MISSES"
        print(f"{name:34s} {median:10.2f} {p95:8.2f}   {TARGET_MS:.0f} ms ({verdict})")


if __name__ == "__main__":
    main()
