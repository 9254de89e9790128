"""How many texts a max length cuts, and the max length that would keep most of them whole.

A model reads at most ``max_length`` tokens of each text; the rest is dropped. Cutting a few long
texts is harmless, cutting most of them is not (a Fast run cut 79% of a set of reviews at 64
tokens and scored below always answering the commonest label), so the Train panel says so
loudly and offers :attr:`Truncation.suggested` in one click.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

MOST = 0.5  # from this share of texts cut, the warning cannot be missed
KEEP_WHOLE = 0.95  # the suggested max length keeps this share of texts whole ...
STEP = 32  # ... rounded up to a multiple of this ...
NO_LIMIT = 512  # ... and capped at the model's limit (this, when its tokenizer names none)


@dataclass(frozen=True)
class Truncation:
    """``truncated`` of ``total`` texts are longer than ``max_length`` tokens; ``suggested`` (or
    None) is a larger max length that keeps most of them whole, within the model's limit."""

    truncated: int
    total: int
    max_length: int
    suggested: int | None = None

    @property
    def share(self) -> float:
        return self.truncated / self.total if self.total else 0.0

    @property
    def most_cut(self) -> bool:
        """True when at least half the texts are cut: the warning must be impossible to miss."""
        return self.share >= MOST

    def describe(self) -> str | None:
        """One line for the user, or None when nothing is cut."""
        return describe_truncation(self.truncated, self.total, self.max_length, self.suggested)


def describe_truncation(truncated: int, total: int, max_length: int, suggested: int | None = None) -> str | None:
    if not truncated:
        return None
    share = 100.0 * truncated / max(total, 1)
    fix = f"use {suggested} tokens to keep most whole" if suggested else "raise Max length to keep more"
    return f"{truncated} of {total} texts ({share:.0f}%) are longer than {max_length} tokens and will be cut; {fix}."


def token_lengths(tokenizer: Any, texts: list[str]) -> list[int]:
    """Each text's length in tokens, special tokens included."""
    encoded = tokenizer(texts, truncation=False, add_special_tokens=True, return_attention_mask=False, return_token_type_ids=False)
    return [len(ids) for ids in encoded["input_ids"]]


def count_truncated(tokenizer: Any, texts: list[str], max_length: int) -> int:
    """How many ``texts`` are longer than ``max_length`` tokens (special tokens included)."""
    return sum(1 for n in token_lengths(tokenizer, texts) if n > max_length)


def model_limit(tokenizer: Any) -> int:
    """The longest input the model takes: the tokenizer's ``model_max_length`` when it names a real
    one (transformers uses a huge sentinel for "unknown"), else :data:`NO_LIMIT`."""
    limit = getattr(tokenizer, "model_max_length", None)
    return int(limit) if isinstance(limit, int) and 0 < limit <= 100_000 else NO_LIMIT


def check_truncation(tokenizer: Any, texts: list[str], max_length: int) -> Truncation:
    """Count the texts ``max_length`` cuts and suggest a length that keeps :data:`KEEP_WHOLE` of them whole."""
    lengths = sorted(token_lengths(tokenizer, texts))
    truncated = sum(1 for n in lengths if n > max_length)
    suggested = None
    if truncated and lengths:
        wanted = lengths[min(len(lengths) - 1, math.ceil(KEEP_WHOLE * len(lengths)) - 1)]
        rounded = min(model_limit(tokenizer), STEP * math.ceil(wanted / STEP))
        suggested = rounded if rounded > max_length else None
    return Truncation(truncated, len(lengths), max_length, suggested)


# --------------------------------------------------------------------------------------------
# Where a long text is cut: its head only, or its head and its tail (Sun et al. 2019, "How to
# Fine-Tune BERT for Text Classification": keeping the first 128 and the last 382 of 510 tokens
# beat the head alone on long reviews and news; the end of a text often says what it is about).

TRUNCATION_CHOICES = ("head", "head_tail")
HEAD_SHARE = 0.25  # head_tail: this share of the token budget from the start, the rest from the end


def kept_positions(length: int, max_length: int, strategy: str, front: int = 1, back: int = 1) -> list[int] | None:
    """The token positions a ``length``-token input (``front`` + ``back`` special tokens included)
    keeps within ``max_length``; None when it fits whole. ``head`` keeps the first tokens,
    ``head_tail`` the first :data:`HEAD_SHARE` of the budget and the last tokens; the special
    tokens at both ends are always kept."""
    if length <= max_length:
        return None
    budget = max(0, max_length - front - back)
    head = budget if strategy != "head_tail" else int(round(budget * HEAD_SHARE))
    tail = budget - head
    end = length - back
    return list(range(front + head)) + list(range(end - tail, length))


def special_ends(tokenizer: Any) -> tuple[int, int]:
    """How many special tokens a single text gets at its start and at its end ([CLS] ... [SEP]: 1, 1)."""
    ids = tokenizer("", add_special_tokens=True)["input_ids"]
    total = len(ids)
    if not total:
        return 0, 0
    front = 1 if total >= 2 or getattr(tokenizer, "cls_token_id", None) in ids[:1] else 0
    return front, total - front


def encode_cut(tokenizer: Any, texts: list[str], max_length: int, strategy: str = "head", **kwargs: Any) -> Any:
    """Tokenise ``texts`` and cut each to ``max_length`` tokens the way ``strategy`` says: the one
    place training, validation, prediction and attention cut texts, so a model trained with head
    and tail reads every text the same way on every panel. ``kwargs`` go to the tokenizer
    (e.g. ``return_offsets_mapping``); every per-token list is cut alike."""
    if strategy != "head_tail":
        return tokenizer(texts, truncation=True, max_length=max_length, **kwargs)
    encoded = tokenizer(texts, truncation=False, verbose=False, **kwargs)
    front, back = special_ends(tokenizer)
    ids = encoded["input_ids"]
    for i, row in enumerate(ids):
        keep = kept_positions(len(row), max_length, strategy, front, back)
        if keep is None:
            continue
        for key in list(encoded.keys()):
            column = encoded[key]
            if isinstance(column, list) and len(column) == len(ids) and isinstance(column[i], list) and len(column[i]) == len(row):
                column[i] = [column[i][j] for j in keep]
    return encoded
