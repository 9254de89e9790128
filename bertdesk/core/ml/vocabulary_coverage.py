"""How much of a text column the model cannot read: the share of [UNK] tokens its tokenizer gives.

A tokenizer turns every word it has no pieces for into one unknown token ([UNK]). The bundled
model's vocabulary holds 488 Chinese characters, so most Chinese text becomes [UNK]s and the model
"trains" and predicts from almost nothing, silently. Measured before training and predicting, the
share tells the user at once, in one line, and how to use a model folder for their language.

Byte-level tokenizers (RoBERTa's BPE) have no unknown token: they read every text, the share is 0.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bertdesk.core.project import Project

TOKEN_LIMIT = 0.05  # warn from this share of unknown tokens over all texts ...
TEXTS_LIMIT = 0.20  # ... or from this share of texts that are mostly unreadable,
TEXT_UNREADABLE = 0.10  # a text being one whose tokens are more than this share unknown
SAMPLE = 2000  # texts measured at most (a seeded sample of a bigger column): fast on any column
SEED = 0
TRAIN_FIX = "Use a model folder for that language (Train panel: Model > Model folder…, or --model DIR)."
PREDICT_FIX = "Use a model trained from a model folder for that language (Train panel: Model > Model folder…, or --model DIR)."


@dataclass(frozen=True)
class Coverage:
    """``unknown`` of ``tokens`` tokens (special tokens left out) were [UNK]; ``unreadable`` of
    ``measured`` texts had more than :data:`TEXT_UNREADABLE` of theirs unknown. ``total`` is the
    number of non-empty texts in the column; ``measured < total`` when a sample was measured."""

    unknown: int = 0
    tokens: int = 0
    unreadable: int = 0
    measured: int = 0
    total: int = 0

    @property
    def share(self) -> float:
        return self.unknown / self.tokens if self.tokens else 0.0

    @property
    def text_share(self) -> float:
        return self.unreadable / self.measured if self.measured else 0.0

    @property
    def sampled(self) -> bool:
        return self.measured < self.total

    @property
    def warns(self) -> bool:
        return self.share >= TOKEN_LIMIT or self.text_share >= TEXTS_LIMIT

    def summary(self) -> str:
        """'12% unknown tokens (sample of 2,000 texts)', for a column summary."""
        where = f" (sample of {self.measured:,} texts)" if self.sampled else ""
        return f"{100 * self.share:.0f}% of tokens unreadable by the model{where}"

    def message(self, column: str | None = None, *, fix: str = TRAIN_FIX) -> str | None:
        """One line for the user when the model cannot read enough of the column, else None."""
        if not self.warns:
            return None
        named = f" ({column})" if column else ""
        where = f"measured on {self.measured:,} of {self.total:,} texts; " if self.sampled else ""
        texts = f"; {100 * self.text_share:.0f}% of the texts are mostly unreadable" if self.text_share >= TEXTS_LIMIT else ""
        return (
            f"The model cannot read {100 * self.share:.0f}% of the words in this column{named}{texts} "
            f"({where}they become [UNK] tokens); it is probably in a language its vocabulary does not cover. {fix}"
        )


def _as_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None and NaN: no text
        return ""
    return str(value)


def _sample(texts: Sequence[Any], sample: int, seed: int) -> tuple[list[str], int]:
    """The non-empty texts, at most ``sample`` of them drawn with ``seed``; and how many there were."""
    present = [t for t in (_as_text(v) for v in texts) if t.strip()]
    if len(present) <= sample:
        return present, len(present)
    return random.Random(seed).sample(present, sample), len(present)


def measure(tokenizer: Any, texts: Sequence[Any], *, sample: int = SAMPLE, seed: int = SEED) -> Coverage:
    """The share of ``texts`` ``tokenizer`` turns into its unknown token (0 when it has none)."""
    chosen, total = _sample(texts, sample, seed)
    unk = getattr(tokenizer, "unk_token_id", None)
    if unk is None or not chosen:
        return Coverage(measured=len(chosen), total=total)
    ids = tokenizer(chosen, add_special_tokens=False, truncation=False, return_attention_mask=False, return_token_type_ids=False)[
        "input_ids"
    ]
    unknown = tokens = unreadable = 0
    for row in ids:
        n_unk = sum(1 for i in row if i == unk)
        unknown += n_unk
        tokens += len(row)
        unreadable += bool(row) and n_unk > TEXT_UNREADABLE * len(row)
    return Coverage(unknown, tokens, unreadable, len(chosen), total)


def unknown_token_share(model: str | None, texts: Sequence[Any], *, sample: int = SAMPLE, seed: int = SEED) -> Coverage:
    """Load ``model``'s tokenizer (``default``/None: the bundled model, a folder, a hub id) and :func:`measure`."""
    from bertdesk.core.ml.models import load_tokenizer, resolve_model_source

    return measure(load_tokenizer(resolve_model_source(model)), texts, sample=sample, seed=seed)


def project_coverage(project: Project, model: str | None, *, sample: int = SAMPLE, seed: int = SEED) -> Coverage:
    """:func:`unknown_token_share` of a project's text column, reading only a seeded sample of its
    rows (a million-row project is not read whole for a hint)."""
    rows = project.row_count
    ids = sorted(random.Random(seed).sample(range(rows), sample)) if rows > sample else None
    coverage = unknown_token_share(model, project.texts(ids), sample=sample, seed=seed)
    return replace(coverage, total=rows) if ids is not None else coverage
