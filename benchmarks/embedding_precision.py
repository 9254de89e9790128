"""Sentence embeddings in bf16 vs fp32: same directions? faster? The bundled model, same process.

``sentence_embeddings`` computes in bf16 (autocast) when ``choose_precision`` says the hardware
has it (AVX512-BF16 / AMX CPUs, recent GPUs), else in fp32. This measures, on this machine,
what that choice buys: rows/s of each (best of ``--repeats`` interleaved runs) and the cosine
similarity between each row's bf16 and fp32 vector (the target: >= 0.99 for every row, since
similar rows and label review only compare directions).

    python benchmarks/embedding_precision.py            # 1,000 short + 200 long texts
    python benchmarks/embedding_precision.py --quick    # 200 + 40, to see it runs
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_COSINE = 0.99


def main() -> int:
    import numpy as np
    from predict_throughput import long_text, short_text

    from bertdesk.core.ml.devices import choose_device
    from bertdesk.core.ml.embeddings import sentence_embeddings
    from bertdesk.core.ml.models import bundled_model_path, load_tokenizer, resolve_model_source

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", type=int, default=1000)
    parser.add_argument("--long", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.short, args.long, args.repeats = 200, 40, 1
    folder = bundled_model_path()
    tokenizer = load_tokenizer(resolve_model_source(folder))
    rng = random.Random(0)
    workloads = {
        "short": [short_text(rng) for _ in range(args.short)],
        "long": [long_text(rng, tokenizer, target=128) for _ in range(args.long)],
    }
    device = choose_device("auto")
    print(f"device: {device.describe()} (bf16 instructions: {'yes' if device.bf16 else 'no'})")
    ok = True
    for name, texts in workloads.items():
        best = {"fp32": float("inf"), "bf16": float("inf")}
        vectors = {}
        for _ in range(args.repeats):
            for precision in ("fp32", "bf16"):  # interleaved: both see the same machine load
                started = time.perf_counter()
                vectors[precision] = sentence_embeddings(folder, texts, precision=precision)
                best[precision] = min(best[precision], time.perf_counter() - started)
        a, b = (vectors[p].astype(np.float32) for p in ("fp32", "bf16"))
        cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        speed = {p: len(texts) / s for p, s in best.items()}
        print(
            f"{name:5s} {len(texts):5d} texts: fp32 {speed['fp32']:7.1f} rows/s, bf16 {speed['bf16']:7.1f} rows/s "
            f"(x{speed['bf16'] / speed['fp32']:.2f}); cosine bf16 vs fp32 min {cos.min():.4f}, mean {cos.mean():.4f}"
        )
        ok = ok and bool(cos.min() >= TARGET_COSINE)
    print("cosine target (>= 0.99 every row):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
