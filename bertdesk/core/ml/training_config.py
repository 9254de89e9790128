"""Training settings: the presets a user picks from, and every knob behind them.

The defaults were chosen by experiment on small, imbalanced, real-looking data with the bundled
MiniLM model (``benchmarks/train_throughput.py`` prints the comparison): a small model wants a
higher learning rate than BERT-base's 2e-5..5e-5, several epochs with early stopping on
validation macro-F1, and class weights when one label is rare. ``benchmarks/train_quality.py``
measures the default preset on real labelled data against the seed article's recipe, AutoTrain's
defaults and a small SetFit. Switches measured there: ``later_ties``,
``freeze_word_embeddings`` and ``near_tie_f1`` won or tied on all three tuning datasets and are
on; ``decision_offsets``, ``layer_lr_decay`` and ``truncation="head_tail"`` did not (or could not
be measured) and are off. README, "Better
defaults, by experiment", has the numbers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from bertdesk.core.errors import TrainingError
from bertdesk.core.ml.truncation import TRUNCATION_CHOICES

CLASS_WEIGHT_CHOICES = ("auto", "balanced", "none")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run (stored with the run and in metrics.json).

    Attributes:
        model: ``default`` (the bundled model), a model folder, or a hub id.
        epochs: the most passes over the training rows; early stopping may end sooner.
        batch_size: rows per optimizer step (the effective batch, kept when out-of-memory
            recovery splits it into smaller micro-batches); under torchrun, per process (the
            effective batch is then this times the processes).
        max_length: tokens kept per text; longer texts are cut (the trainer says how many).
        learning_rate: peak learning rate (linear warm-up, then linear decay).
        val_split: share of labelled rows held out for validation (stratified by label).
        seed: fixes the split, the head's initial weights and the batch order.
        device: ``auto``, ``cpu``, ``cuda`` or ``mps``.
        precision: ``auto``, ``fp32``, ``bf16`` or ``fp16``.
        patience: evaluations without a better validation macro-F1 before stopping (0: never).
        class_weights: ``auto`` (balanced when the largest class has over 1.5x the rows of the
            smallest), ``balanced`` or ``none``.
        warmup_ratio: share of steps spent warming the learning rate up.
        weight_decay: AdamW weight decay.
        group_by_length: batch texts of similar length together (less padding, faster).
        evals_per_epoch: validation passes per epoch (more: finer early stopping, slower).
        truncation: where a text longer than ``max_length`` is cut: ``head`` keeps its start,
            ``head_tail`` a quarter of the tokens from its start and the rest from its end (Sun et
            al. 2019); every reader of the model cuts texts the same way (metrics.json records it).
        later_ties: an evaluation that ties the best validation macro-F1 so far replaces it (the
            later, more trained weights are kept); off: the earliest of equals is kept. A few
            dozen validation rows tie often, and the earliest of equals is the least trained.
        decision_offsets: after training, tune one offset per class on the validation rows
            (added to the log-probabilities before the argmax) for the best validation
            macro-F1, and build them into the classifier's output bias, so every reader of the
            model (predict, evaluate, attention, ``transformers.pipeline``) applies them
            (:mod:`~bertdesk.core.ml.decision_offsets`).
        freeze_word_embeddings: keep the word-piece embedding matrix as pretrained (position
            and type embeddings and every layer still learn). It is half of a small model's
            weights: its gradient and optimizer update were a sixth of a CPU training step on
            short texts (17 of 103 ms on TREC), while a few hundred labelled rows touch only a
            few thousand of its rows.
        near_tie_f1: an evaluation within this much of the best validation macro-F1 so far
            replaces the kept weights when its validation loss (cross-entropy) is lower: as
            right, and surer of its answers (on TREC the kept model's median test confidence
            rose from 0.73-0.92 to 0.92-0.93 at the same macro-F1). 0: off.
        layer_lr_decay: each encoder layer below the head learns at this factor of the rate of
            the layer above it (embeddings lowest; :mod:`~bertdesk.core.ml.layer_rates`). 1: off.
        split_cpu_steps: on a CPU with two cores or more (one process), split each step's rows
            in two and run the halves side by side, a core each (:mod:`~bertdesk.core.ml.split_step`):
            the same gradients, 1.34-1.48x the samples/s on 2 cores.
        preset: the preset this config came from, for display.
    """

    model: str = "default"
    epochs: int = 10
    batch_size: int = 16
    max_length: int = 128
    learning_rate: float = 1e-4
    val_split: float = 0.2
    seed: int = 42
    device: str = "auto"
    precision: str = "auto"
    patience: int = 3
    class_weights: str = "auto"
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    group_by_length: bool = True
    evals_per_epoch: int = 1
    truncation: str = "head"
    later_ties: bool = True
    decision_offsets: bool = False
    freeze_word_embeddings: bool = True
    split_cpu_steps: bool = True
    near_tie_f1: float = 0.02
    layer_lr_decay: float = 1.0
    preset: str = "Balanced"

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def validate(self) -> TrainConfig:
        """Raise :class:`TrainingError` naming the first setting out of range."""
        checks = [
            (self.epochs >= 1, f"Epochs must be at least 1 (got {self.epochs})."),
            (self.batch_size >= 1, f"Batch size must be at least 1 (got {self.batch_size})."),
            (8 <= self.max_length <= 8192, f"Max length must be between 8 and 8192 tokens (got {self.max_length})."),
            (0 < self.learning_rate < 1, f"Learning rate must be between 0 and 1 (got {self.learning_rate})."),
            (0 <= self.val_split < 0.9, f"Validation split must be between 0 and 0.9 (got {self.val_split})."),
            (self.patience >= 0, f"Patience must be 0 or more (got {self.patience})."),
            (
                self.class_weights in CLASS_WEIGHT_CHOICES,
                f"Class weights must be one of {', '.join(CLASS_WEIGHT_CHOICES)} (got {self.class_weights!r}).",
            ),
            (0 <= self.warmup_ratio < 1, f"Warm-up ratio must be between 0 and 1 (got {self.warmup_ratio})."),
            (
                self.truncation in TRUNCATION_CHOICES,
                f"Truncation must be one of {', '.join(TRUNCATION_CHOICES)} (got {self.truncation!r}).",
            ),
            (0 < self.layer_lr_decay <= 1, f"Layer learning-rate decay must be above 0 and at most 1 (got {self.layer_lr_decay})."),
            (0 <= self.near_tie_f1 < 1, f"Near-tie tolerance must be between 0 and 1 (got {self.near_tie_f1})."),
            (self.evals_per_epoch >= 1, f"Evaluations per epoch must be at least 1 (got {self.evals_per_epoch})."),
        ]
        for ok, message in checks:
            if not ok:
                raise TrainingError(message)
        return self


PRESETS: dict[str, TrainConfig] = {
    # A first look in a minute or two: fewer epochs, shorter texts.
    "Fast": TrainConfig(epochs=4, max_length=64, learning_rate=1.5e-4, patience=2, preset="Fast"),
    "Balanced": TrainConfig(preset="Balanced"),
    # Longer texts, more epochs, finer early stopping: for the model you will keep.
    "Thorough": TrainConfig(epochs=20, max_length=256, learning_rate=8e-5, patience=4, evals_per_epoch=2, preset="Thorough"),
}
DEFAULT_PRESET = "Balanced"
# The project setting holding the Train panel's last settings (TrainConfig.to_dict() as JSON);
# its model is the project's chosen model, which the label review and similar rows use too.
PROJECT_SETTINGS_KEY = "train.settings"

# What each setting means, in plain words: the GUI's tooltips and the CLI's help share these.
HELP: dict[str, str] = {
    "model": "The model to start from: the bundled all-MiniLM-L6-v2, a model folder, or a Hugging Face hub id (needs internet).",
    "epochs": "How many times training reads every labelled row, at most. Training stops sooner when the validation score stops improving.",
    "batch_size": "How many rows the model learns from at once. Bigger is faster on a GPU but needs more memory.",
    "max_length": "How many tokens (word pieces) of each text the model reads. Longer texts are cut; more is slower.",
    "learning_rate": "How big each learning step is. Too high and training is unstable; too low and it learns slowly.",
    "val_split": "Share of labelled rows kept aside to measure the model. They are chosen at random, in proportion to each label.",
    "seed": "Fixes the random choices (split, start weights, order) so the same settings give the same model.",
    "device": "Where to train: a GPU is many times faster than the CPU. Auto picks the best one found.",
    "precision": "Number format. bf16/fp16 are faster where the hardware supports them, with the same accuracy in practice.",
    "patience": "Stop after this many evaluations without a better validation score (0: never stop early).",
    "class_weights": "Give rare labels more weight so the model does not just learn to predict the common ones.",
}


def preset(name: str) -> TrainConfig:
    try:
        return PRESETS[name]
    except KeyError:
        raise TrainingError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.") from None
