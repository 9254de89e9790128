"""Arrays derived from :class:`~bertdesk.core.ml.attention.AttentionMaps` for the views.

Computed once per explanation on the worker thread (head mean, rollout, colour-scale maxima,
grid thumbnails, word-merged stacks), so that switching a view on the UI thread only indexes
arrays. Pure numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bertdesk.core.ml.attention_maps import head_maxima, merge_tokens, merge_wordpieces, pooled

if TYPE_CHECKING:
    from bertdesk.core.ml.attention import AttentionMaps

KINDS = ("heads", "mean", "rollout")


@dataclass
class Explained:
    """What the worker hands to the UI thread: the maps plus everything costly derived from them."""

    maps: AttentionMaps
    mean: np.ndarray  # [layers, 1, q, k]
    rollout: np.ndarray  # [layers, 1, q, k]
    maxima: dict[str, np.ndarray]  # kind -> [layers, heads]
    thumbs: np.ndarray  # pooled heads for the grid


def prepare(maps: AttentionMaps, thumb_size: int) -> Explained:
    """Derived arrays, computed on the worker thread so the UI thread only draws."""
    mean = maps.head_mean()[:, None]
    rollout = maps.rollout()[:, None]
    maxima = {"heads": head_maxima(maps.attentions), "mean": head_maxima(mean), "rollout": head_maxima(rollout)}
    return Explained(maps, mean, rollout, maxima, pooled(maps.attentions, thumb_size))


def kind_stack(result: Explained, kind: str) -> np.ndarray:
    """The ``[layers, heads, q, k]`` stack of one kind: every head, the head mean or the rollout."""
    return {"heads": result.maps.attentions, "mean": result.mean, "rollout": result.rollout}[kind]


def merged_stack(result: Explained, kind: str) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(stack, words, maxima) of one kind of map (``heads``, ``mean``, ``rollout``) with word pieces merged."""
    groups = result.maps.word_groups()
    stack = merge_wordpieces(kind_stack(result, kind), groups)
    return stack, merge_tokens(result.maps.tokens, groups), head_maxima(stack)
