"""Predicting files bigger than memory: peak memory and rows/s as rows grow, and Ray's overhead.

Each measurement is a fresh ``bertdesk predict`` subprocess (as a user runs it), on a generated
CSV of short rows (an id and a 4-10 word text), with a tiny-but-real model (a random 2-layer
BERT, hidden size 32, from tests/tiny_model.py: the model is small on purpose, so what grows
with the rows - reading, buffering, writing - is what is measured, not the model's compute).
Peak memory is the subprocess's RSS high-water mark (``getrusage(RUSAGE_CHILDREN)`` of a
helper process that runs only that one command).

1. Streaming (``--chunk-rows``, output Parquet written as row groups) at each row count: peak
   memory should stay flat; rows/s should stay level.
2. The in-memory path (the whole table read, predicted and written at once) on the smaller
   sizes, beside it: its memory grows with the rows.
3. ``--engine ray`` (a local Ray, one actor per spare core) against the local engine on the
   same rows: the engine's overhead on one machine.

    python benchmarks/predict_scale.py                         # 100k, 1M, 10M rows
    python benchmarks/predict_scale.py --rows 100000 1000000   # sizes of your choice
    python benchmarks/predict_scale.py --quick                 # 20k and 60k rows, to see it works
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = "good bad great terrible love hate fast slow late broken works refund charge invoice parcel order app crash login update".split()
FILLER = "the my it was is this not no and to".split()


def write_rows(path: Path, rows: int, seed: int = 0) -> None:
    """``rows`` short rows: ``id,text`` (4-10 words), written in blocks so generation stays fast."""
    rng = random.Random(seed)
    vocab = WORDS + FILLER
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("id,text\n")
        block: list[str] = []
        for i in range(rows):
            block.append(f"{i},{' '.join(rng.choices(vocab, k=rng.randint(4, 10)))}\n")
            if len(block) == 100_000:
                handle.write("".join(block))
                block = []
        handle.write("".join(block))


def measure(command: list[str]) -> tuple[float, int, str]:
    """Run ``command`` in a helper process: (seconds, peak RSS in MB of the command, its stderr tail)."""
    helper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "s = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(p.returncode, s, peak)\n"
        "sys.stderr.write(p.stderr[-2000:])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run([sys.executable, "-c", helper, *command], capture_output=True, text=True, env=env)
    code, seconds, peak_kb = done.stdout.split()
    if code != "0":
        raise SystemExit(f"failed ({code}): {' '.join(command)}\n{done.stderr}")
    return float(seconds), int(peak_kb) // 1024, done.stderr


def predict_command(model: Path, data: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "bertdesk", "predict", str(model), str(data), "--text-col", "text", "--out", str(out), "--quiet", *extra]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--in-memory-up-to", type=int, default=1_000_000, help="also run the in-memory path up to this many rows")
    parser.add_argument("--ray-rows", type=int, default=100_000, help="rows for Ray-local vs local (0: skip)")
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.in_memory_up_to, args.ray_rows = [20_000, 60_000], 60_000, 20_000

    from tests.tiny_model import make_tiny_model

    with tempfile.TemporaryDirectory(prefix="bertdesk-scale-") as tmp:
        work = Path(tmp)
        model = make_tiny_model(work / "model")
        print(f"model: random BERT, 2 layers, hidden 32 (tests/tiny_model.py); CPU cores: {os.cpu_count()}; chunk {args.chunk_rows:,} rows")
        tiny = work / "rows-100.csv"
        write_rows(tiny, 100)
        startup, startup_peak, _ = measure(predict_command(model, tiny, work / "tiny.parquet", "--chunk-rows", str(args.chunk_rows)))
        print(f"start-up (python, torch, the model; 100 rows): {startup:.1f} s, {startup_peak:,} MB; 'net rows/s' leaves it out")
        print(f"{'rows':>12} {'engine':<22} {'seconds':>9} {'rows/s':>9} {'net rows/s':>10} {'peak MB':>8}")

        def line(rows: int, engine: str, seconds: float, peak: int, note: str = "") -> None:
            net = rows / max(seconds - startup, 1e-3)
            print(f"{rows:>12,} {engine:<22} {seconds:>9.1f} {rows / seconds:>9,.0f} {net:>10,.0f} {peak:>8,}{note}", flush=True)

        stream_peaks: list[tuple[int, int]] = []
        for rows in args.rows:
            data = work / f"rows-{rows}.csv"
            write_rows(data, rows)
            size_mb = data.stat().st_size / (1 << 20)
            out = work / "out.parquet"
            seconds, peak, _ = measure(predict_command(model, data, out, "--chunk-rows", str(args.chunk_rows)))
            stream_peaks.append((rows, peak))
            line(rows, "local, chunks", seconds, peak, f"   (input {size_mb:,.0f} MB CSV)")
            out.unlink()
            if rows <= args.in_memory_up_to:
                seconds, peak, _ = measure(predict_command(model, data, out, "--chunk-rows", str(rows + 1)))
                line(rows, "local, whole table", seconds, peak)
                out.unlink()
            if rows != args.ray_rows:
                data.unlink()
        first, last = stream_peaks[0], stream_peaks[-1]
        print(
            f"streaming peak memory: {first[1]:,} MB at {first[0]:,} rows -> {last[1]:,} MB at {last[0]:,} rows "
            f"(x{last[1] / max(first[1], 1):.2f} for x{last[0] / first[0]:,.0f} the rows)"
        )
        if args.ray_rows:
            data = work / f"rows-{args.ray_rows}.csv"
            if not data.exists():
                write_rows(data, args.ray_rows)
            try:
                import ray  # noqa: F401
            except ImportError:
                print("Ray is not installed (pip install 'bertdesk[cluster]'): Ray-local vs local skipped")
                return
            out = work / "out.parquet"
            local_s, local_peak, _ = measure(predict_command(model, data, out, "--chunk-rows", str(args.chunk_rows)))
            out.unlink()
            actors = max(1, (os.cpu_count() or 2) - 1)
            ray_s, ray_peak, _ = measure(
                predict_command(model, data, out, "--engine", "ray", "--actors", str(actors), "--chunk-rows", "8192")
            )
            n = args.ray_rows
            line(n, "local, chunks", local_s, local_peak)
            line(n, f"ray local, {actors} actor(s)", ray_s, ray_peak, "   (peak: the driver only)")
            print(
                f"Ray-local / local rows/s: {local_s / ray_s:.2f} end to end, "
                f"{(local_s - startup) / max(ray_s - startup, 1e-3):.2f} net of bertdesk's start-up (Ray's own start-up stays in)"
            )


if __name__ == "__main__":
    main()
