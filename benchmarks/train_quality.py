"""Model quality on real labelled data: bertdesk's default run against what an analyst would
otherwise get, on training sets of the size and imbalance an analyst has.

For each dataset (CSV files under ``--data``, columns ``text`` and ``label``) and each seed:

* train: ``--train-rows`` rows (default 400); the dataset's minority class (see DATASETS) makes
  up ``--minority-share`` of them (default 10%), the other classes keep their natural
  proportions (a random sample of their rows); every class keeps at least 10 rows;
* test: up to ``--test-rows`` (default 1,000) of the remaining rows, with the same class mix as
  the training rows (the rest of the analyst's data looks like what they labelled);

then every method trains on the training rows and predicts the test rows:

* ``bertdesk``: ``fine_tune`` with the default preset, exactly what ``bertdesk train`` does
  (it splits its own validation rows off the training rows), test rows predicted through
  ``bertdesk.core.ml.inference.predict`` from the saved folder, as ``bertdesk predict`` does;
* ``bertdesk+offsets`` (experiment, no extra training): the same model with per-class decision
  offsets tuned on its validation rows (:mod:`bertdesk.core.ml.decision_offsets`);
* ``bertdesk+refit`` (experiment): a second run on all training rows (no validation) for the
  epoch count early stopping picked in the first run;
* ``seed``: the seed article's recipe: a plain ``transformers.Trainer``, 3 epochs, lr 5e-5,
  default ``TrainingArguments`` otherwise (batch 8, no warm-up, no weight decay), max length
  128, head truncation, trained on all training rows;
* ``autotrain``: AutoTrain Advanced's text-classification defaults (``TextClassificationParams``:
  lr 5e-5, 3 epochs, batch 8, max_seq_length 128, warmup_ratio 0.1, linear schedule, weight decay
  0, max_grad_norm 1, adamw_torch; no validation split by default, hence no early stopping),
  implemented with the Trainer;
* ``setfit``: a small SetFit (Tunstall et al. 2022), written here because the ``setfit`` package
  is not installed: contrastive fine-tuning of the mean-pooled body on sentence pairs (same label:
  cosine 1, different: 0; CosineSimilarityLoss, lr 2e-5, 1 epoch, batch 16), then a logistic
  regression head on the embeddings. SetFit's default draws 20 pair iterations per row; on 2 CPU
  cores we draw ``--setfit-iterations`` (default 1: 800 pairs for 400 rows, about the compute of
  four epochs of classifier fine-tuning).

Every method uses the bundled all-MiniLM-L6-v2. Printed per dataset: macro-F1 mean ± sd over
seeds, the minority class's F1 (mean), wall time (train + predict the test rows, mean) and
bertdesk's macro-F1 over each peer's. ``--out FILE`` writes every run as JSON.

Run: ``OMP_NUM_THREADS=2 python benchmarks/train_quality.py --datasets trec_questions sms_spam
rotten_tomatoes --seeds 1 2 3 --out quality.json``; ``--quick`` for a smoke run (80 rows, 1 seed,
short runs: not a measurement). bertdesk-config experiments: ``--override key=value`` (a
TrainConfig field) applies to every bertdesk method of the run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bertdesk.core.ml.decision_offsets import apply_offsets, tune_offsets  # noqa: E402
from bertdesk.core.ml.training_config import PRESETS, TrainConfig  # noqa: E402
from bertdesk.core.ml.training_data import TrainingData, stratified_split  # noqa: E402
from bertdesk.core.ml.training_metrics import score_sheet  # noqa: E402

# The class cut to the minority share in the training rows (None: natural proportions, with
# the smallest class reported as the minority).
DATASETS: dict[str, str | None] = {"trec_questions": "ABBR", "sms_spam": "spam", "rotten_tomatoes": "rotten", "reuters_r8": None}
MIN_CLASS_ROWS = 10
ALL_METHODS = ("bertdesk", "bertdesk+offsets", "bertdesk+refit", "seed", "autotrain", "setfit")
PEERS = ("seed", "autotrain", "setfit")


@dataclass
class Split:
    train: TrainingData
    test_texts: list[str]
    test_labels: list[str]
    minority: str


@dataclass
class Run:
    dataset: str
    method: str
    seed: int
    macro_f1: float
    minority_f1: float
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def make_split(frame: pd.DataFrame, minority: str | None, seed: int, train_rows: int, test_rows: int, share: float) -> Split:
    """Training rows the size and imbalance an analyst has, and test rows with the same class mix."""
    rng = np.random.default_rng(seed)
    frame = frame.dropna(subset=["text", "label"]).reset_index(drop=True)
    frame["label"] = frame["label"].astype(str)
    by_label = {label: rng.permutation(np.flatnonzero(frame["label"].to_numpy() == label)) for label in sorted(frame["label"].unique())}
    total = len(frame)
    wanted: dict[str, int] = {}
    others = total - (len(by_label[minority]) if minority else 0)
    for label, rows in by_label.items():
        if label == minority:
            wanted[label] = int(round(share * train_rows))
        else:
            natural = len(rows) / others
            wanted[label] = int(round(natural * (train_rows - (int(round(share * train_rows)) if minority else 0))))
        wanted[label] = min(len(rows) // 2, max(MIN_CLASS_ROWS, wanted[label]))
    train_pos = np.concatenate([rows[: wanted[label]] for label, rows in by_label.items()])
    rest = {label: rows[wanted[label] :] for label, rows in by_label.items()}
    mix = {label: n / sum(wanted.values()) for label, n in wanted.items()}
    size = min([test_rows] + [int(len(rest[label]) / mix[label]) for label in mix])
    test_pos = np.concatenate([rest[label][: max(1, int(round(mix[label] * size)))] for label in mix])
    train_pos, test_pos = rng.permutation(train_pos), rng.permutation(test_pos)
    texts, labels = frame["text"].astype(str).tolist(), frame["label"].tolist()
    order = sorted(by_label)
    train = TrainingData([texts[i] for i in train_pos], [labels[i] for i in train_pos], [int(i) for i in train_pos], order)
    smallest = minority or min(wanted, key=wanted.__getitem__)
    return Split(train, [texts[i] for i in test_pos], [labels[i] for i in test_pos], smallest)


def scores(split: Split, predicted: list[str]) -> tuple[float, float, dict[str, Any]]:
    labels = split.train.label_order
    index = {label: i for i, label in enumerate(labels)}
    sheet = score_sheet([index[x] for x in split.test_labels], [index[x] for x in predicted], labels)
    assert sheet.macro_f1 is not None
    return sheet.macro_f1, sheet.per_class[split.minority]["f1"], {"per_class_f1": {k: v["f1"] for k, v in sheet.per_class.items()}}


# --------------------------------------------------------------------------------------------
# bertdesk


def bertdesk_methods(split: Split, config: TrainConfig, wanted: set[str]) -> list[tuple[str, list[str], float, dict[str, Any]]]:
    """``bertdesk`` (and, from the same model, ``bertdesk+offsets``), then ``bertdesk+refit``."""
    from bertdesk.core.ml.inference import load_predictor, predict
    from bertdesk.core.ml.training import fine_tune

    out: list[tuple[str, list[str], float, dict[str, Any]]] = []
    scratch = Path(tempfile.mkdtemp(prefix="bertdesk-quality-"))
    try:
        started = time.perf_counter()
        metrics = fine_tune(split.train, config, scratch / "model").metrics
        predictor = load_predictor(scratch / "model", device="cpu")
        test = predict(predictor, split.test_texts)
        seconds = time.perf_counter() - started
        labels = test.labels
        info = {"best_epoch": metrics["best_epoch"], "steps": metrics["steps"], "precision": metrics["precision"]}
        info["truncated_texts"] = metrics["truncated_texts"]
        info["val_macro_f1_history"] = [round(p["macro_f1"], 3) for p in metrics["history"]["validation"]]
        # How sure the kept model is, and how well its confidences fit: an early epoch can be as
        # right as a later one while its confidences sit near chance.
        probabilities = np.asarray(test.probabilities, dtype=np.float64)
        truth = np.asarray([labels.index(x) for x in split.test_labels])
        info["test_log_loss"] = round(float(-np.log(np.clip(probabilities[np.arange(len(truth)), truth], 1e-12, 1)).mean()), 4)
        info["median_confidence"] = round(float(np.median(probabilities.max(axis=1))), 4)
        out.append(("bertdesk", [labels[i] for i in test.predicted.tolist()], seconds, info))
        if "bertdesk+offsets" in wanted and not config.decision_offsets:  # on: the saved model has them already
            started = time.perf_counter()
            _, val = stratified_split(split.train, config.val_split, config.seed)  # the rows fine_tune validated on
            assert list(val.row_ids) == list(metrics["validation_row_ids"])
            val_probs = predict(predictor, val.texts).probabilities
            offsets = tune_offsets(val_probs, [labels.index(x) for x in val.labels])
            predicted = apply_offsets(test.probabilities, offsets)
            extra = time.perf_counter() - started
            out.append(("bertdesk+offsets", [labels[i] for i in predicted.tolist()], seconds + extra, {"offsets": offsets}))
        del predictor
        if "bertdesk+refit" in wanted:
            epochs = max(1, int(math.ceil(metrics["best_epoch"] or config.epochs)))
            started = time.perf_counter()
            refit = config.replace(val_split=0.0, epochs=epochs, patience=0)
            fine_tune(split.train, refit, scratch / "refit")
            test = predict(load_predictor(scratch / "refit", device="cpu"), split.test_texts)
            # The refit needs the first run to pick its epochs: its wall time includes that run.
            total = seconds + time.perf_counter() - started
            out.append(("bertdesk+refit", [labels[i] for i in test.predicted.tolist()], total, {"epochs": epochs}))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out


# --------------------------------------------------------------------------------------------
# Peers: the plain Trainer (seed recipe, AutoTrain's defaults) and SetFit.


def trainer_peer(split: Split, seed: int, *, warmup_ratio: float, epochs: int = 3, lr: float = 5e-5, batch: int = 8) -> list[str]:
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        PrinterCallback,
        Trainer,
        TrainingArguments,
        set_seed,
    )
    from transformers.utils import logging as hf_logging

    from bertdesk.core.ml.models import bundled_model_path

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    labels = split.train.label_order
    index = {label: i for i, label in enumerate(labels)}
    folder = str(bundled_model_path())
    tokenizer = AutoTokenizer.from_pretrained(folder)
    set_seed(seed)
    model = AutoModelForSequenceClassification.from_pretrained(
        folder, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=index
    )

    class Rows:
        def __init__(self, texts: list[str], targets: list[int]) -> None:
            self.enc = tokenizer(texts, truncation=True, max_length=128)
            self.targets = targets

        def __len__(self) -> int:
            return len(self.targets)

        def __getitem__(self, i: int) -> dict[str, Any]:
            return {**{k: v[i] for k, v in self.enc.items()}, "labels": self.targets[i]}

    scratch = tempfile.mkdtemp(prefix="bertdesk-quality-peer-")
    try:
        args = TrainingArguments(
            output_dir=scratch,
            num_train_epochs=epochs,
            learning_rate=lr,
            per_device_train_batch_size=batch,
            warmup_steps=warmup_ratio,  # transformers 5: a float below 1 is a share of the steps
            seed=seed,
            report_to="none",
            save_strategy="no",
            disable_tqdm=True,
            use_cpu=True,
        )
        train = Rows(split.train.texts, [index[x] for x in split.train.labels])
        trainer = Trainer(model=model, args=args, train_dataset=train, data_collator=DataCollatorWithPadding(tokenizer))
        trainer.remove_callback(PrinterCallback)
        trainer.train()
        test = Rows(split.test_texts, [index[x] for x in split.test_labels])
        logits = trainer.predict(test).predictions
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [labels[i] for i in np.asarray(logits).argmax(axis=1).tolist()]


def setfit_peer(split: Split, seed: int, iterations: int) -> list[str]:
    import torch
    from sklearn.linear_model import LogisticRegression
    from transformers import AutoModel, AutoTokenizer

    from bertdesk.core.ml.inference import mean_pool
    from bertdesk.core.ml.models import bundled_model_path

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    folder = str(bundled_model_path())
    tokenizer = AutoTokenizer.from_pretrained(folder)
    body = AutoModel.from_pretrained(folder)
    texts, labels = split.train.texts, split.train.labels
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    # SetFit's pair sampling: per iteration, each row gets one positive (same label) and one
    # negative (another label) partner.
    pairs: list[tuple[int, int, float]] = []
    for _ in range(iterations):
        for i, label in enumerate(labels):
            same = by_label[label]
            pairs.append((i, int(rng.choice(same)), 1.0))
            other = [j for j in range(len(labels)) if labels[j] != label]
            pairs.append((i, int(other[rng.integers(len(other))]), 0.0))
    order = rng.permutation(len(pairs))

    def embed(batch: list[str]) -> torch.Tensor:
        enc = tokenizer(batch, truncation=True, max_length=128, padding=True, return_tensors="pt")
        return mean_pool(body(**enc).last_hidden_state, enc["attention_mask"])

    optimizer = torch.optim.AdamW(body.parameters(), lr=2e-5)
    steps = math.ceil(len(pairs) / 16)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / max(1, 0.1 * steps)) * max(0.0, 1 - s / steps))
    body.train()
    for start in range(0, len(pairs), 16):
        chunk = [pairs[k] for k in order[start : start + 16]]
        a = embed([texts[i] for i, _, _ in chunk])
        b = embed([texts[j] for _, j, _ in chunk])
        target = torch.tensor([y for _, _, y in chunk])
        loss = torch.nn.functional.mse_loss(torch.nn.functional.cosine_similarity(a, b), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    body.eval()

    def encode_all(items: list[str]) -> np.ndarray:
        with torch.inference_mode():
            return np.concatenate([embed(items[k : k + 64]).numpy() for k in range(0, len(items), 64)])

    head = LogisticRegression(max_iter=1000)
    head.fit(encode_all(texts), labels)
    return [str(x) for x in head.predict(encode_all(split.test_texts))]


# --------------------------------------------------------------------------------------------
# The run and the tables.


def run_dataset(name: str, frame: pd.DataFrame, args: argparse.Namespace, config: TrainConfig, emit: Callable[[Run], None]) -> None:
    for seed in args.seeds:
        split = make_split(frame, DATASETS.get(name), seed, args.train_rows, args.test_rows, args.minority_share)
        counts = split.train.counts()
        print(f"[{name} seed {seed}] train {len(split.train)} rows {counts}; test {len(split.test_texts)} rows", flush=True)
        wanted = set(args.methods)
        if wanted & {"bertdesk", "bertdesk+offsets", "bertdesk+refit"}:
            for method, predicted, seconds, extra in bertdesk_methods(split, config.replace(seed=seed), wanted):
                if method in wanted:
                    f1, minority, more = scores(split, predicted)
                    emit(Run(name, method, seed, f1, minority, seconds, {**extra, **more}))
        for method in [m for m in args.methods if m in PEERS]:
            started = time.perf_counter()
            if method == "seed":
                predicted = trainer_peer(split, seed, warmup_ratio=0.0, epochs=args.peer_epochs)
            elif method == "autotrain":
                predicted = trainer_peer(split, seed, warmup_ratio=0.1, epochs=args.peer_epochs)
            else:
                predicted = setfit_peer(split, seed, args.setfit_iterations)
            f1, minority, more = scores(split, predicted)
            emit(Run(name, method, seed, f1, minority, time.perf_counter() - started, more))


def table(runs: list[Run], dataset: str, methods: list[str]) -> str:
    mine = [r for r in runs if r.dataset == dataset]
    lines = [f"\n{dataset}", f"{'method':<18} {'macro-F1 mean ± sd':>20} {'minority F1':>12} {'wall s':>8} {'bertdesk/method':>16}"]
    base = [r.macro_f1 for r in mine if r.method == "bertdesk"]
    for method in methods:
        rows = [r for r in mine if r.method == method]
        if not rows:
            continue
        f1 = [r.macro_f1 for r in rows]
        sd = statistics.stdev(f1) if len(f1) > 1 else 0.0
        ratio = f"{statistics.mean(base) / statistics.mean(f1):.2f}x" if base and statistics.mean(f1) > 0 else "-"
        lines.append(
            f"{method:<18} {statistics.mean(f1):13.3f} ± {sd:.3f} {statistics.mean(r.minority_f1 for r in rows):12.3f} "
            f"{statistics.mean(r.seconds for r in rows):8.1f} {ratio:>16}"
        )
    return "\n".join(lines)


def summarize(files: list[Path]) -> None:
    """The tables of earlier runs (several files: their runs together, e.g. one per process)."""
    runs = [Run(**r) for f in files for r in json.loads(f.read_text())["runs"]]
    for name in dict.fromkeys(r.dataset for r in runs):
        seeds = sorted({r.seed for r in runs if r.dataset == name})
        print(table(runs, name, list(ALL_METHODS)) + f"\n(seeds {seeds})")


def parse_override(text: str) -> tuple[str, Any]:
    key, _, value = text.partition("=")
    fields = TrainConfig.__dataclass_fields__
    if key not in fields:
        raise SystemExit(f"--override {text}: {key!r} is not a TrainConfig field")
    default = getattr(TrainConfig(), key)
    if isinstance(default, bool):
        return key, value.lower() in ("1", "true", "yes")
    return key, type(default)(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/work/data", help="folder with the dataset CSV files")
    parser.add_argument("--datasets", nargs="+", default=["trec_questions", "sms_spam", "rotten_tomatoes"], choices=sorted(DATASETS))
    parser.add_argument("--methods", nargs="+", default=list(ALL_METHODS), choices=ALL_METHODS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--train-rows", type=int, default=400)
    parser.add_argument("--test-rows", type=int, default=1000)
    parser.add_argument("--minority-share", type=float, default=0.10)
    parser.add_argument("--peer-epochs", type=int, default=3)
    parser.add_argument("--setfit-iterations", type=int, default=1)
    parser.add_argument("--preset", default="Balanced", choices=sorted(PRESETS))
    parser.add_argument("--override", action="append", default=[], help="key=value: a TrainConfig field for every bertdesk method")
    parser.add_argument("--quick", action="store_true", help="80 training rows, 100 test rows, 1 seed, 1-2 epochs: a smoke run")
    parser.add_argument("--out", help="write every run as JSON to this file")
    parser.add_argument("--summarize", nargs="+", metavar="JSON", help="print the tables of earlier --out files (no training)")
    args = parser.parse_args()
    if args.summarize:
        summarize([Path(p) for p in args.summarize])
        return

    config = PRESETS[args.preset].replace(device="cpu", **dict(parse_override(o) for o in args.override))
    if args.quick:
        args.train_rows, args.test_rows, args.seeds, args.peer_epochs, args.setfit_iterations = 80, 100, args.seeds[:1], 1, 1
        config = config.replace(epochs=2)
    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; bertdesk config: {config.to_dict()}", flush=True)
    runs: list[Run] = []

    def emit(run: Run) -> None:
        runs.append(run)
        print(
            f"  {run.method:<18} seed {run.seed}: macro-F1 {run.macro_f1:.3f}, minority F1 {run.minority_f1:.3f}, {run.seconds:.1f} s",
            flush=True,
        )
        if args.out:
            payload = {"config": config.to_dict(), "args": {k: v for k, v in vars(args).items()}, "runs": [r.__dict__ for r in runs]}
            Path(args.out).write_text(json.dumps(payload, indent=1))

    for name in args.datasets:
        frame = pd.read_csv(Path(args.data) / f"{name}.csv")
        run_dataset(name, frame, args, config, emit)
        print(table(runs, name, args.methods), flush=True)
    print("\n=== summary ===")
    for name in args.datasets:
        print(table(runs, name, args.methods))


if __name__ == "__main__":
    main()
