"""A tiny random BERT written to a folder, for tests that need a model but not a good one.

It is a normal Hugging Face folder (config.json, model.safetensors, tokenizer.json), so every
code path that loads a real model loads this one too, in milliseconds.
"""

from __future__ import annotations

import re
from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = (
    "the a an i my is was it to of and in on for not no yes this that me you we they with at by from "
    "good bad great terrible love hate fast slow late early broken works refund charge charged invoice "
    "price bill billing parcel package delivery courier tracking order app crash crashes login update "
    "screen error quality product broke cracked shrank stitching zip card money week day still never "
    "please thanks hi hello help fix . , ! ? ' \" - #"
).split()
PIECES = ["##s", "##ed", "##ing", "##ly", "##er", "##es"] + [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
LETTERS = list("abcdefghijklmnopqrstuvwxyz0123456789")


def tiny_vocab() -> dict[str, int]:
    tokens: list[str] = []
    for token in SPECIAL + WORDS + LETTERS + PIECES:
        if token not in tokens:
            tokens.append(token)
    return {token: i for i, token in enumerate(tokens)}


def make_tiny_model(
    folder: Path,
    labels: list[str] | None = ("neg", "pos"),  # type: ignore[assignment]
    *,
    layers: int = 2,
    heads: int = 2,
    hidden: int = 32,
    max_positions: int = 128,
    seed: int = 0,
) -> Path:
    """Write a random BERT to ``folder``: a classifier when ``labels`` is given, else a bare encoder."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertModel, BertTokenizer

    torch.manual_seed(seed)
    vocab = tiny_vocab()
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=37,
        max_position_embeddings=max_positions,
    )
    if labels:
        config.num_labels = len(labels)
        config.id2label = dict(enumerate(labels))
        config.label2id = {label: i for i, label in enumerate(labels)}
        model = BertForSequenceClassification(config)
    else:
        model = BertModel(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer = BertTokenizer(vocab=vocab, model_max_length=max_positions)
    tokenizer.save_pretrained(folder)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    return folder


def tiny_texts(n: int, labels: list[str] | None = None, seed: int = 0) -> tuple[list[str], list[str]]:
    """``n`` short texts whose words give their label away, so even a tiny model can learn them."""
    import random

    labels = labels or ["neg", "pos"]
    cues = {0: "bad terrible broken hate slow late", 1: "good great love fast works thanks"}
    rng = random.Random(seed)
    texts, out_labels = [], []
    filler = "the my it was is this order app parcel product".split()
    for i in range(n):
        k = i % len(labels)
        words = rng.sample(cues[k % 2].split(), 2) + rng.sample(filler, rng.randint(1, 8))
        rng.shuffle(words)
        texts.append(" ".join(words) + ("." if k % 2 else "!"))
        out_labels.append(labels[k])
    return texts, out_labels


def words_in(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text.lower())
