"""Data-parallel training: ``bertdesk train`` in 1 process against 2 processes under torchrun.

The same labelled rows (the bundled sample data, 360 rows), the same model (the bundled
all-MiniLM-L6-v2), the same preset and seed, trained by the ``bertdesk train`` command:

* 1 process: ``python -m bertdesk train DATA ...`` with every core;
* 2 processes, same effective batch: ``torchrun --standalone --nproc_per_node=2 -m bertdesk
  train DATA ... --batch-size B/2`` (gloo between two CPU processes, each with half the cores):
  every optimiser step averages over the same number of rows as the single process, so the
  scores should match closely (correctness);
* 2 processes, batch B each (the usual torchrun scaling: effective batch 2B, half the steps).

Printed for each: training samples/s (rows processed per second of training, evaluation
excluded, all processes together, from ``metrics.json``), the wall time of the whole command
(start-up and model loading included), and the final validation macro-F1; then the ratio of
each 2-process figure to the 1-process one. On a machine with two CPU cores, two processes are
not faster than one using both cores: the point here is that the run is correct and what the
cost of the processes is; the speed-up comes with one process per GPU.

Run: ``python benchmarks/ddp_train.py`` (about 3 minutes on 2 CPU cores); ``--epochs 1`` to shorten.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bertdesk.core.resources import resource_path  # noqa: E402


def run(label: str, cmd: list[str], out: Path, threads: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": str(threads)}
    started = time.monotonic()
    done = subprocess.run([*cmd, "--out", str(out), "--json", "--quiet"], capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"{label} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    metrics = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "samples_per_second": float(metrics["samples_per_second"]),
        "wall_seconds": wall,
        "macro_f1": float(metrics["validation"]["macro_f1"]),
        "accuracy": float(metrics["validation"]["accuracy"]),
        "world_size": float(metrics["world_size"]),
        "effective_batch": float(metrics["effective_batch_size"]),
        "steps": float(metrics["steps"]),
        "train_rows": float(metrics["train_rows"]),
        "val_rows": float(metrics["val_rows"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=64)
    args = parser.parse_args()
    cores = os.cpu_count() or 2
    data = str(resource_path("sample", "customer_feedback.csv"))
    common = ["train", data, "--preset", "Fast", "--epochs", str(args.epochs), "--max-length", str(args.max_length), "--patience", "0"]
    single = [sys.executable, "-m", "bertdesk", *common]
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "bertdesk", *common]
    half = max(1, args.batch_size // 2)
    with tempfile.TemporaryDirectory(prefix="bertdesk-ddp-bench-") as folder:
        rows = [
            ("1 process", run("1 process", [*single, "--batch-size", str(args.batch_size)], Path(folder) / "one", cores)),
            (
                f"2 processes x {half}",
                run("2 processes", [*torchrun, "--batch-size", str(half)], Path(folder) / "two-same", max(1, cores // 2)),
            ),
            (
                f"2 processes x {args.batch_size}",
                run("2 processes", [*torchrun, "--batch-size", str(args.batch_size)], Path(folder) / "two", max(1, cores // 2)),
            ),
        ]
    first = rows[0][1]
    print(
        f"bertdesk train, the sample data ({first['train_rows']:.0f} training / {first['val_rows']:.0f} validation rows), "
        f"bundled MiniLM, preset Fast, {args.epochs} epochs, max length {args.max_length}"
    )
    print(f"machine: {cores} CPU cores; torch gloo between the processes\n")
    print(f"{'run':<22}{'eff. batch':>11}{'steps':>7}{'samples/s':>11}{'wall s':>9}{'macro-F1':>10}{'accuracy':>10}")
    for label, r in rows:
        print(
            f"{label:<22}{r['effective_batch']:>11.0f}{r['steps']:>7.0f}{r['samples_per_second']:>11.1f}"
            f"{r['wall_seconds']:>9.1f}{r['macro_f1']:>10.3f}{r['accuracy']:>10.3f}"
        )
    base = rows[0][1]
    print()
    for label, r in rows[1:]:
        print(
            f"{label} / 1 process: samples/s {r['samples_per_second'] / base['samples_per_second']:.2f}x, "
            f"wall {r['wall_seconds'] / base['wall_seconds']:.2f}x, macro-F1 {r['macro_f1'] - base['macro_f1']:+.3f}"
        )


if __name__ == "__main__":
    main()
