"""How long the process lives after Quit, against Python's own interpreter tear-down, in the same run.

    python benchmarks/quit_time.py PROJECT.bertdesk [--runs 2] [--idle 10]

Starts the app offscreen on a copy of PROJECT, waits ``--idle`` seconds (torch and transformers
are warmed up by then, as after any real session), closes the window, and times from the
close to the process being gone:

* bertdesk: as shipped (``app._leave_now``: project closed, settings synced, then ``os._exit``);
* peer: the same app with ``_leave_now`` replaced by a plain return, so Python tears the
  interpreter down as it would by default.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from bertdesk import app as app_module
from bertdesk.gui import main_window

if sys.argv[3] == "peer":
    app_module._leave_now = lambda window, code: None  # the default: Python's tear-down
shown = main_window.MainWindow.show

def show(self):
    shown(self)
    QTimer.singleShot(int(float(sys.argv[2]) * 1000), close_window)

def close_window():
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, main_window.MainWindow))
    print(f"closing {time.time():.6f}", flush=True)
    window.close()

main_window.MainWindow.show = show
sys.exit(app_module.main([sys.argv[1]]))
"""


def one_run(project: Path, idle: float, mode: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / project.name
        shutil.copy(project, copy)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BERTDESK_SETTINGS_DIR": str(Path(tmp) / "settings")}
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(copy), str(idle), mode], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
        )
        out, _ = child.communicate(timeout=idle + 120)
        gone = time.time()
    closing = float(next(line for line in out.splitlines() if line.startswith("closing ")).split()[1])
    return gone - closing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--idle", type=float, default=10.0)
    args = parser.parse_args()
    best = {mode: min(one_run(args.project, args.idle, mode) for _ in range(args.runs)) for mode in ("bertdesk", "peer")}
    print(f"Quit -> process gone, best of {args.runs}, after {args.idle:.0f} s idle")
    print(f"  bertdesk (closes the project, syncs settings, exits)   {best['bertdesk']:.2f} s")
    print(f"  peer (Python's interpreter tear-down)                  {best['peer']:.2f} s")
    print(f"  ratio {best['bertdesk'] / best['peer']:.2f}x  (target: well under 1 s)")


if __name__ == "__main__":
    main()
