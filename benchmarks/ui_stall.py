"""Does the window stay responsive while a model trains? The longest gap between GUI-thread ticks.

A QTimer fires every 10 ms on the GUI thread. We record the longest gap between ticks:

* idle: nothing else running (the event loop's own floor on this machine);
* training: bertdesk's ``fine_tune`` on the bundled model, run by the Train panel's machinery
  (``bertdesk.gui.workers.Job`` on a QThread), with live progress reports reaching the GUI.

Target: under 100 ms while training. Run: ``python benchmarks/ui_stall.py`` (about 2 minutes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gap_meter import GapMeter  # noqa: E402  (benchmarks/ is on sys.path when run as a script)
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel  # noqa: E402


def run_for(app: QApplication, seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200, help="labelled sample rows to train on")
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    from bertdesk.core.ml.training_config import PRESETS
    from bertdesk.core.ml.training_data import data_from_frame
    from bertdesk.core.resources import resource_path
    from bertdesk.core.tables.reading import read_table
    from bertdesk.gui.workers import Job

    app = QApplication.instance() or QApplication(sys.argv)
    label = QLabel("progress")
    label.show()
    meter = GapMeter()

    meter.start()
    run_for(app, 3.0)
    meter.stop()
    idle = meter.longest
    print(f"idle:     {meter.summary()}")

    # The app pre-loads the ML stack on a worker thread after start-up (bertdesk.core.ml.warmup);
    # measured here on its own, then the fine-tune as a user starts it later.
    from bertdesk.core.ml.warmup import warm_up

    job = Job(lambda on_progress, cancel: warm_up(), name="warm-up")
    loop = QEventLoop()
    job.finished.connect(loop.quit)
    meter.start()
    job.start()
    loop.exec()
    meter.stop()
    warm = meter.longest
    print(f"warm-up:  {meter.summary()} (importing torch and transformers, once after start-up)")

    frame = read_table(resource_path("sample", "customer_feedback.csv")).frame
    data = data_from_frame(frame, "feedback", "category")
    data = data.subset(list(range(min(args.rows, len(data)))))
    config = PRESETS["Balanced"].replace(epochs=args.epochs, patience=0)
    folder = Path(tempfile.mkdtemp()) / "model"

    def train(on_progress, cancel):  # type: ignore[no-untyped-def]
        from bertdesk.core.ml.training import fine_tune

        return fine_tune(data, config, folder, on_progress=on_progress, cancel=cancel)

    reports = []
    job = Job(train, name="train")
    job.progressed.connect(lambda p: (reports.append(p), label.setText(p.message)))
    meter.context = lambda: reports[-1].message if reports else "starting"
    loop = QEventLoop()
    job.finished.connect(loop.quit)
    job.failed.connect(lambda err: print("failed:", err))
    started = time.monotonic()
    meter.start()
    job.start()
    loop.exec()
    meter.stop()
    shutil.rmtree(folder.parent, ignore_errors=True)
    training = meter.longest
    for at, gap, context in meter.long:
        print(f"  gap of {gap:.0f} ms at {at / 1000:.1f} s, after: {context}")
    print(f"training: {meter.summary()} over {time.monotonic() - started:.0f} s, {len(reports)} progress reports")
    print(
        f"longest GUI-thread gap while training: {training:.0f} ms vs {idle:.0f} ms idle ({training / max(idle, 1):.1f}x); target < 100 ms"
    )
    print(f"longest gap during the start-up warm-up: {warm:.0f} ms")


if __name__ == "__main__":
    main()
