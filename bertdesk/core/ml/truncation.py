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
