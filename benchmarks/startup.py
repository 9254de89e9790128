"""How long from launching ``bertdesk`` to the main window on screen (offscreen platform).

Peer: ``python -c "import torch, transformers"`` -- what the window would wait for if it
imported the ML stack up front. Each figure is the median of several cold-ish runs.

    python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def time_window(env: dict[str, str]) -> float:
    start = time.time()
    out = subprocess.run([sys.executable, "-m", "bertdesk"], env=env, capture_output=True, text=True, timeout=120, check=True).stdout
    for line in out.splitlines():
        if line.startswith("window-shown "):
            return float(line.split()[1]) - start
    raise RuntimeError(f"the window never reported being shown:\n{out}")


def time_import(code: str, env: dict[str, str]) -> float:
    start = time.time()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300)
    return time.time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BERTDESK_STARTUP_PROBE="1", HF_HUB_OFFLINE="1")
    env["BERTDESK_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="bertdesk-startup-")
    time_window(env)  # warm the OS file cache once, for both sides alike
    time_import("import torch, transformers", env)
    window = statistics.median(time_window(env) for _ in range(args.runs))
    ml = statistics.median(time_import("import torch, transformers", env) for _ in range(args.runs))
    bare = statistics.median(time_import("pass", env) for _ in range(args.runs))
    print(f"{'measure':44s} {'seconds':>8s}")
    print(f"{'bertdesk: launch -> main window shown':44s} {window:8.3f}   (target < 1.5 s)")
    peer = 'peer: python -c "import torch, transformers"'
    print(f"{peer:44s} {ml:8.3f}")
    print(f"{'python -c pass (interpreter start)':44s} {bare:8.3f}")
    print(
        f"ratio window / torch+transformers import: {window / ml:.2f}x  (window {'meets' if window < 1.5 else 'MISSES'} the 1.5 s target)"
    )


if __name__ == "__main__":
    main()
