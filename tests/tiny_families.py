"""Tiny random encoders of each BERT family, written to a folder with a tokenizer built offline.

Each is a normal Hugging Face folder (config.json, model.safetensors, tokenizer files) that
``AutoModel``/``AutoTokenizer`` load, like a downloaded model of that family: BERT, DistilBERT
and ELECTRA with a WordPiece vocabulary, RoBERTa with a byte-level BPE, XLM-RoBERTa and
DeBERTa-v2 with a SentencePiece-style Unigram vocabulary. 2 layers, hidden 32, vocab < 200.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.tiny_model import LETTERS, PIECES, SPECIAL, WORDS

FAMILIES = ("bert", "distilbert", "electra", "roberta", "xlm-roberta", "deberta-v2")

# Short Chinese reviews whose characters give their label away; CHINESE_CHARS covers every one.
CHINESE_CUES = {0: "差 慢 坏 退 烂 糟", 1: "好 快 棒 赞 喜 爱"}
CHINESE_FILLER = "这 个 产 品 物 流 质 量 服 务 很 非 常 真 的 了 我 们 买 东 西".split()
CHINESE_CHARS = sorted({c for cue in CHINESE_CUES.values() for c in cue.split()} | set(CHINESE_FILLER) | set("，。！？"))


def tiny_chinese_texts(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """``n`` short Chinese texts (no spaces, as Chinese is written) labelled neg/pos."""
    import random

    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        k = i % 2
        chars = rng.sample(CHINESE_CUES[k].split(), 2) + rng.sample(CHINESE_FILLER, rng.randint(2, 8))
        rng.shuffle(chars)
        texts.append("".join(chars) + ("！" if k == 0 else "。"))
        labels.append(["neg", "pos"][k])
    return texts, labels


def _wordpiece_vocab(words: Sequence[str]) -> dict[str, int]:
    tokens: list[str] = []
    for token in list(SPECIAL) + list(words):
        if token not in tokens:
            tokens.append(token)
    return {token: i for i, token in enumerate(tokens)}


def _wordpiece(words: Sequence[str], max_positions: int) -> tuple[Any, int]:
    from transformers import BertTokenizer

    vocab = _wordpiece_vocab(words)
    return BertTokenizer(vocab=vocab, model_max_length=max_positions), len(vocab)


def _byte_bpe(max_positions: int) -> tuple[Any, int]:
    """A byte-level BPE: the printable ASCII bytes, 'Ġ' (a space) and merges for the common words."""
    from transformers import RobertaTokenizer

    tokens = ["<s>", "<pad>", "</s>", "<unk>", "<mask>", "Ġ"] + [chr(c) for c in range(ord("!"), ord("~") + 1)]
    merges: list[tuple[str, str]] = []
    for word in ("the", "good", "bad"):  # a few merged words, so words span one or several tokens
        piece = "Ġ"
        for ch in word:
            merges.append((piece, ch))
            piece += ch
            if piece not in tokens:
                tokens.append(piece)
    vocab = {token: i for i, token in enumerate(tokens)}
    return RobertaTokenizer(vocab=vocab, merges=merges, model_max_length=max_positions), len(vocab)


def _unigram_pieces(words: Sequence[str]) -> list[tuple[str, float]]:
    pieces = [("▁" + w, -5.0) for w in words if w.isalnum()] + [("▁", -8.0)]
    pieces += [(c, -10.0) for c in LETTERS + list(".,!?'\"-#")]
    return pieces


def _unigram(family: str, max_positions: int) -> tuple[Any, int]:
    if family == "xlm-roberta":
        from transformers import XLMRobertaTokenizer

        # XLM-R's tokenizer fixes <unk> at id 3; its special tokens come first in this order.
        vocab = [(t, 0.0) for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")] + _unigram_pieces(WORDS)
        return XLMRobertaTokenizer(vocab=vocab, model_max_length=max_positions), len(vocab)
    from transformers import DebertaV2Tokenizer

    vocab = [(t, 0.0) for t in SPECIAL] + _unigram_pieces(WORDS)
    return DebertaV2Tokenizer(vocab=vocab, unk_id=1, model_max_length=max_positions), len(vocab)


def _config(family: str, vocab_size: int, tokenizer: Any, layers: int, heads: int, hidden: int, max_positions: int) -> Any:
    from transformers import AutoConfig

    ids = {"pad_token_id": tokenizer.pad_token_id}
    common = {"vocab_size": vocab_size, "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads}
    common |= {"intermediate_size": 37, "max_position_embeddings": max_positions, **ids}
    if family == "distilbert":  # DistilBERT names its sizes differently and has no token types
        return AutoConfig.for_model(
            "distilbert",
            vocab_size=vocab_size,
            dim=hidden,
            n_layers=layers,
            n_heads=heads,
            hidden_dim=37,
            max_position_embeddings=max_positions,
            **ids,
        )
    if family == "electra":
        return AutoConfig.for_model("electra", embedding_size=16, **common)  # ELECTRA projects smaller embeddings up
    if family in ("roberta", "xlm-roberta"):
        # RoBERTa numbers positions from pad_token_id + 1, so it needs two more position slots.
        common |= {"max_position_embeddings": max_positions + 2, "type_vocab_size": 1}
        common |= {"bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id}
        return AutoConfig.for_model(family, **common)
    if family == "deberta-v2":
        relative = {"relative_attention": True, "position_buckets": 16, "pos_att_type": ["p2c", "c2p"], "type_vocab_size": 0}
        return AutoConfig.for_model("deberta-v2", **common, **relative)
    return AutoConfig.for_model("bert", **common)


def make_family_model(
    folder: Path,
    family: str,
    labels: Sequence[str] | None = ("neg", "pos"),
    *,
    words: Sequence[str] | None = None,
    layers: int = 2,
    heads: int = 2,
    hidden: int = 32,
    max_positions: int = 128,
    seed: int = 0,
) -> Path:
    """Write a random ``family`` encoder to ``folder``: a classifier when ``labels`` is given, else a
    bare encoder. ``words`` replaces the WordPiece vocabulary (BERT, DistilBERT, ELECTRA), e.g.
    with single Chinese characters."""
    import torch
    from transformers import AutoModel, AutoModelForSequenceClassification

    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; one of {', '.join(FAMILIES)}")
    torch.manual_seed(seed)
    if family in ("bert", "distilbert", "electra"):
        tokenizer, size = _wordpiece(list(words) if words is not None else WORDS + LETTERS + PIECES, max_positions)
    elif family == "roberta":
        tokenizer, size = _byte_bpe(max_positions)
    else:
        tokenizer, size = _unigram(family, max_positions)
    config = _config(family, size, tokenizer, layers, heads, hidden, max_positions)
    if labels:
        config.num_labels = len(labels)
        config.id2label = dict(enumerate(labels))
        config.label2id = {label: i for i, label in enumerate(labels)}
        model = AutoModelForSequenceClassification.from_config(config)
    else:
        model = AutoModel.from_config(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
