"""CPU training with each step's rows split across the cores, against the same run unsplit.

``fine_tune`` on the bundled sample data (bundled model, defaults, ``--epochs`` epochs, no early
stopping) with ``split_cpu_steps`` on and off, alternated ``--repeat`` times, first on a quiet
machine, then beside one busy process (a Python loop, as another program would be): the case
where spinning OpenMP threads collapsed (33 and 7.5 samples/s against 92 sleeping; README,
"Better defaults"). bertdesk is imported first, so OpenMP runs as shipped (PASSIVE).

Run: ``python benchmarks/split_steps.py`` (about 3 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bertdesk  # noqa: E402, F401  - first: its OpenMP setting must come before torch loads
from bertdesk.core.ml.training import fine_tune  # noqa: E402
from bertdesk.core.ml.training_config import TrainConfig  # noqa: E402
from bertdesk.core.ml.training_data import TrainingData, data_from_frame  # noqa: E402
from bertdesk.core.resources import resource_path  # noqa: E402
from bertdesk.core.tables.reading import read_table  # noqa: E402


def sample_data() -> TrainingData:
    frame = read_table(resource_path("sample", "customer_feedback.csv")).frame
    return data_from_frame(frame, "feedback", "category", where="the sample data")


def one_run(data: TrainingData, epochs: int, split: bool, busy: bool) -> tuple[float, float]:
    """(training samples/s, validation macro-F1) of one fine-tune."""
    neighbour = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    scratch = Path(tempfile.mkdtemp(prefix="bertdesk-split-bench-"))
    try:
        if neighbour is not None:
            time.sleep(0.5)  # let it start spinning
        config = TrainConfig(epochs=epochs, patience=0, split_cpu_steps=split)
        metrics = fine_tune(data, config, scratch / "model").metrics
    finally:
        if neighbour is not None:
            neighbour.kill()
            neighbour.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    return float(metrics["samples_per_second"]), float(metrics["validation"]["macro_f1"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    import torch

    data = sample_data()
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; {len(data)} sample rows, {args.epochs} epochs"
    )
    for busy in (False, True):
        speeds: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.repeat):
            for split in (True, False):
                speed, f1 = one_run(data, args.epochs, split, busy)
                speeds[split].append(speed)
                print(
                    f"  {'busy' if busy else 'quiet'}, {'split' if split else 'whole'}: {speed:.1f} samples/s, macro-F1 {f1:.3f}",
                    flush=True,
                )
        split_speed, whole_speed = statistics.median(speeds[True]), statistics.median(speeds[False])
        print(
            f"{'beside a busy process' if busy else 'quiet machine'}: split {split_speed:.1f} vs whole {whole_speed:.1f} samples/s "
            f"(medians): {split_speed / whole_speed:.2f}x"
        )


if __name__ == "__main__":
    main()
