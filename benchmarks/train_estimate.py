"""How good is the Train panel's time estimate? Estimate, then train for real, and compare.

The bundled sample data (400 labelled rows) and the bundled model (all-MiniLM-L6-v2), trained
in a fresh project with the same use case the Train panel and ``bertdesk train PROJECT`` run:

1. run 1 is estimated from a short calibration (no earlier run to learn from), then trained;
2. run 2 (same settings) is estimated from run 1's measured speed, then trained;
3. run 3 changes max length (64 -> 128), still "similar": estimated from run 1/2 scaled by tokens.

Each line prints the estimate, the wall time the use case measured (load, tokenise, train,
validate, save) and their ratio (actual / estimated: 1.0 is perfect, above 1 the estimate was
short). Early stopping is off (patience 0) so the run does all the work estimated.

Run: ``python benchmarks/train_estimate.py`` (about 4-5 minutes on 2 shared CPU cores);
``--rows N --epochs E`` to change the size.

Measured 2026-12-01 on 2 CPU cores shared with other jobs (load average 7-10), default threads:
run 1 (calibration, 211 tokens/s) estimated 99.5 s, took 80.2 s (ratio 0.81); run 2 (from run 1,
243 tokens/s) estimated 79.7 s, took 67.9 s (0.85); run 3 (max length 128, from run 2) estimated
70.0 s, took 88.5 s (1.26). The spread is mostly the machine's load changing between runs: the
same run measured 166 to 288 tokens/s as other work came and went.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bertdesk.core import usecases  # noqa: E402
from bertdesk.core.ml.speed_calibration import estimate_training_time  # noqa: E402
from bertdesk.core.ml.training_config import PRESETS  # noqa: E402
from bertdesk.core.progress import CancelToken, no_progress  # noqa: E402
from bertdesk.core.project import Project  # noqa: E402
from bertdesk.core.resources import resource_path  # noqa: E402
from bertdesk.core.tables.reading import read_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400, help="labelled rows of the sample data to use")
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    frame = read_table(resource_path("sample", "customer_feedback.csv")).frame.head(args.rows)
    base = PRESETS["Fast"].replace(epochs=args.epochs, patience=0)
    print(f"{len(frame)} rows, Fast preset with {args.epochs} epochs, patience 0, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        with Project.create(Path(folder) / "bench.bertdesk", frame, text_column="feedback", label_column="category") as project:
            for name, config in (("run 1", base), ("run 2", base), ("run 3 (max length 128)", base.replace(max_length=128))):
                started = time.monotonic()
                texts = None

                def estimate(data, config=config):
                    nonlocal texts
                    texts = data.texts
                    return estimate_training_time(config, data.texts, project=project)

                outcome = usecases.train_in_project(project, config, on_progress=no_progress, cancel=CancelToken(), estimate=estimate)
                record = outcome.result.metrics["time_estimate"]
                speed = record["speed"]
                print(
                    f"{name}: estimated {record['estimated_seconds']:.1f} s ({speed['source']}"
                    f"{' ' + str(speed['run_id']) if speed['run_id'] else ''}, {speed['tokens_per_second']:.0f} tokens/s), "
                    f"actual {record['actual_seconds']:.1f} s, ratio {record['ratio']:.2f}; "
                    f"measured in training: {outcome.result.metrics['tokens_per_second']:.0f} tokens/s; "
                    f"estimate took {time.monotonic() - started - outcome.result.metrics['wall_seconds']:.1f} s"
                )


if __name__ == "__main__":
    main()
