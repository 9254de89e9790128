"""Arithmetic on attention maps: head mean, rollout, WordPiece merge, colour scales.

Pure numpy, no torch: the GUI and the CLI call these on arrays the model already produced, so
switching a view (layer, head, rollout, words) never runs the model again.

Shapes: ``attentions`` is float32 ``[layers, heads, query, key]``; every row (a query) sums
to 1 because it is a softmax over keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

Normalisation = Literal["head", "layer", "global"]
NORMALISATIONS: tuple[Normalisation, ...] = ("head", "layer", "global")


def head_mean(attentions: np.ndarray) -> np.ndarray:
    """Mean over heads: ``[layers, heads, q, k]`` -> ``[layers, q, k]`` (rows still sum to 1)."""
    mean: np.ndarray = attentions.mean(axis=1, dtype=np.float64).astype(np.float32)
    return mean


def attention_rollout(attentions: np.ndarray, residual: float = 0.5) -> np.ndarray:
    """Attention rollout (Abnar & Zuidema 2020), cumulative: entry ``l`` covers layers 0..l.

    Each layer's head mean gets the residual connection added as an identity
    (``A' = (1 - residual) * A + residual * I``), rows are normalised again, and the layers are
    multiplied bottom-up: ``R_0 = A'_0`` and ``R_l = A'_l @ R_(l-1)``. Row ``i`` of ``R_l`` says
    how much of the input token ``j`` flows into position ``i`` after layer ``l``.

    Args:
        attentions: ``[layers, heads, q, k]``.
        residual: weight of the identity; 0.5 is the paper's choice.

    Returns:
        float32 ``[layers, q, k]``; ``[-1]`` is the rollout over the whole model.
    """
    mean = head_mean(attentions).astype(np.float64)
    tokens = mean.shape[-1]
    eye = np.eye(tokens)
    out = np.empty_like(mean)
    joint = eye
    for layer in range(mean.shape[0]):
        mixed = (1.0 - residual) * mean[layer] + residual * eye
        mixed /= mixed.sum(axis=-1, keepdims=True)
        joint = mixed @ joint
        out[layer] = joint
    return out.astype(np.float32)


def cls_attention(attentions: np.ndarray, cls_index: int = 0) -> np.ndarray:
    """How much [CLS] (the query at ``cls_index``) attends to every token: ``[layers, heads, k]``."""
    return np.ascontiguousarray(attentions[..., cls_index, :])


def word_groups(tokens: Sequence[str], word_ids: Sequence[int | None] | None = None) -> list[list[int]]:
    """Token indices grouped into words.

    With ``word_ids`` (from a fast tokenizer) tokens sharing an id form one word; without,
    a WordPiece continuation (``##xx``) joins the token before it. Special tokens (word id
    ``None``) always stay alone.
    """
    groups: list[list[int]] = []
    previous: int | None = None
    for index, token in enumerate(tokens):
        if word_ids is not None:
            word = word_ids[index]
            joins = word is not None and word == previous and bool(groups)
            previous = word
        else:
            joins = token.startswith("##") and bool(groups) and not _is_special(tokens[groups[-1][-1]])
        if joins:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def _is_special(token: str) -> bool:
    return token.startswith("[") and token.endswith("]") and len(token) > 2


def merge_tokens(tokens: Sequence[str], groups: Sequence[Sequence[int]]) -> list[str]:
    """The word of each group: its pieces joined with the ``##`` markers removed."""
    return ["".join(tokens[i][2:] if n and tokens[i].startswith("##") else tokens[i] for n, i in enumerate(group)) for group in groups]


def merge_wordpieces(matrix: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Merge the last two axes (query, key) of ``matrix`` from tokens into words.

    Keys are summed (the attention a word receives is what its pieces receive together) and
    queries averaged (a word looks where its pieces look, on average), so rows that summed to
    1 still sum to 1. Works on ``[..., q, k]`` of any leading shape.
    """
    flat = [i for group in groups for i in group]
    if flat == list(range(matrix.shape[-1])):
        # Words are runs of consecutive tokens (always so for one tokenizer pass): two
        # reduceat calls, O(tokens^2), fast enough for all 72 maps of a 512-token text.
        starts = np.array([group[0] for group in groups], dtype=np.intp)
        counts = np.array([len(group) for group in groups], dtype=np.float64)
        summed = np.add.reduceat(matrix.astype(np.float32, copy=False), starts, axis=-1)
        merged = np.add.reduceat(summed, starts, axis=-2) / counts[:, None].astype(np.float32)
        return merged.astype(np.float32, copy=False)
    assign = np.zeros((matrix.shape[-1], len(groups)), dtype=np.float64)
    for word, group in enumerate(groups):
        assign[list(group), word] = 1.0
    mean_rows = assign / assign.sum(axis=0, keepdims=True)
    merged = np.einsum("...qk,kw->...qw", matrix.astype(np.float64), assign)
    words: np.ndarray = np.einsum("qv,...qw->...vw", mean_rows, merged).astype(np.float32)
    return words


def merge_token_scores(scores: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Per-token scores (saliency) summed into per-word scores."""
    return np.array([float(scores[list(group)].sum()) for group in groups], dtype=np.float32)


def head_maxima(stack: np.ndarray) -> np.ndarray:
    """The largest weight of each map: ``[layers, heads, q, k]`` -> ``[layers, heads]``."""
    if not stack.size:
        return np.ones(stack.shape[:2], np.float32)
    peaks: np.ndarray = stack.max(axis=(-1, -2))
    return peaks


def colour_levels(maxima: np.ndarray, layer: int, head: int, mode: Normalisation) -> tuple[float, float]:
    """The (low, high) of the colour scale for one map, from :func:`head_maxima`.

    ``head``: the map's own maximum (contrast within a head); ``layer``: the maximum over that
    layer's heads (compare the heads of a layer); ``global``: over the whole model. Low is
    always 0, the smallest possible weight, so one colour means one weight on a scale.
    """
    if mode == "head":
        high = float(maxima[layer, head])
    elif mode == "layer":
        high = float(maxima[layer].max())
    else:
        high = float(maxima.max())
    return 0.0, high if high > 0 else 1.0


def pooled(matrix: np.ndarray, size: int) -> np.ndarray:
    """Max-pool the last two axes down to at most ``size`` (for thumbnails: strong links stay visible)."""
    n = matrix.shape[-1]
    if n <= size:
        return matrix
    factor = -(-n // size)
    m = -(-n // factor)
    pad = m * factor - n
    padded = np.pad(matrix, [(0, 0)] * (matrix.ndim - 2) + [(0, pad), (0, pad)]) if pad else matrix
    # A running maximum over the factor x factor strided views: several times faster than a
    # reshape and max over two axes, which matters for 72 maps of 512 x 512.
    out = padded[..., 0::factor, 0::factor].copy()
    for i in range(factor):
        for j in range(factor):
            if i or j:
                np.maximum(out, padded[..., i::factor, j::factor], out=out)
    return out


def drop_indices(matrix: np.ndarray, drop: Sequence[int]) -> np.ndarray:
    """``matrix[..., q, k]`` without the rows and columns in ``drop`` (not renormalised)."""
    if not drop:
        return matrix
    keep = np.setdiff1d(np.arange(matrix.shape[-1]), np.asarray(list(drop), dtype=int))
    return matrix[..., keep[:, None], keep[None, :]]


def top_attended(row: np.ndarray, tokens: Sequence[str], k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` tokens a query row attends to most, heaviest first."""
    order = np.argsort(-row, kind="stable")[:k]
    return [(tokens[i], float(row[i])) for i in order]
