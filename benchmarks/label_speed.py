"""Keyboard labelling speed: from a key press on the Label panel to the next row shown.

A generated project of ``--rows`` rows (default 1,000,000; about 60 % pre-labelled in random
runs, so "unlabelled" has gaps to skip) is opened in a ``LabelPanel`` on the offscreen
platform. Each press is ``QTest.keyClick`` on the panel followed by processing pending events;
the time covers the label's commit to disk (fsync), the look-up of the next row, and the
text, counts and chart updates. Target: 50 ms per press (the peer: the budget a typist feels
as instant).

Search views are timed too: Space through a plain and a regex search whose matches are near
(about half the rows contain "refund"), and Enter → shown for a text only the last row has (a
scan of every row; a long scan goes on on a worker thread, so this waits for the row to appear).

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
    texts[-1] = "a needle in the haystack"  # the one row a rare search finds
    # Labelled in runs of random length, so "unlabelled" has real gaps to jump.
    run_labelled = rng.random(rows // 8 + 1) < 0.6
    labels = np.where(np.repeat(run_labelled, 8)[:rows], np.array(["billing", "bug", "praise", "delivery"])[rng.integers(0, 4, rows)], "")
    frame = pd.DataFrame({"id": np.arange(rows).astype(str), "text": texts, "label": labels})
    return Project.create(path, frame, text_column="text", label_column="label")


def wait_moved(app, panel, before, limit_s: float = 120.0) -> None:
    """Process events until the panel shows another row (a long search answers from a worker)."""
    deadline = time.perf_counter() + limit_s
    app.processEvents()
    while panel.current_row == before:
        if time.perf_counter() > deadline or panel.message_label.text():
            raise RuntimeError(f"the panel did not move to another row: {panel.message_label.text()!r}")
        time.sleep(0.0005)
        app.processEvents()


def time_presses(app, panel, key, presses: int) -> list[float]:
    from PySide6.QtTest import QTest

    times = []
    for _ in range(presses):
        before = panel.current_row
        start = time.perf_counter()
        QTest.keyClick(panel, key)
        wait_moved(app, panel, before)
        times.append((time.perf_counter() - start) * 1000)
    return times


def start_search(app, panel, text: str, *, regex: bool) -> float:
    """Type ``text`` in the search field and press Enter; ms until the first match is shown."""
    panel.regex_check.setChecked(regex)
    panel.search_edit.setText(text)
    before = panel.current_row
    start = time.perf_counter()
    panel.search_edit.returnPressed.emit()
    wait_moved(app, panel, before)
    elapsed = (time.perf_counter() - start) * 1000
    panel.setFocus()
    return elapsed


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
        for name, text, regex in [
            ("search 'refund': Space (skip)", "refund", False),
            ("search /ref[u]nd/ regex: Space (skip)", "ref[u]nd", True),
        ]:
            start_search(app, panel, text, regex=regex)
            times = sorted(time_presses(app, panel, Qt.Key.Key_Space, args.presses))
            results.append((name, statistics.median(times), times[int(0.95 * (len(times) - 1))]))
        for name, text, regex in [
            ("rare plain search: Enter → shown", "NEEDLE", False),
            ("rare regex search: Enter → shown", "need+le", True),
        ]:
            panel.filter_combo.setCurrentIndex(panel.filter_index("all"))  # start from row 1
            panel.filter_combo.activated.emit(panel.filter_index("all"))
            elapsed = start_search(app, panel, text, regex=regex)
            results.append((name, elapsed, elapsed))
        panel.set_project(None)
        project.close()

    print(f"{'filter: key':38s} {'median ms':>10s} {'p95 ms':>8s}   target")
    for name, median, p95 in results:
        if name.startswith("rare"):
            print(f"{name:38s} {median:10.2f} {'':>8s}   (a scan of every row: no target)")
            continue
        verdict = "meets" if p95 < TARGET_MS else "MISSES"
        print(f"{name:38s} {median:10.2f} {p95:8.2f}   {TARGET_MS:.0f} ms ({verdict})")


if __name__ == "__main__":
    main()
