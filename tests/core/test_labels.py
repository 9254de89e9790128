"""LabelSet, normalise_label and find_label_clashes."""

from __future__ import annotations

import pytest

from bertdesk.core.errors import LabelError
from bertdesk.core.project.label_set import LabelSet, find_label_clashes, normalise_label


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("positive", "positive"),
        ("  positive \t\n", "positive"),
        ("\u00a0positive\u00a0", "positive"),  # no-break space (Excel, web pages)
        ("\u200bpositive\u200b", "positive"),  # zero-width space
        ("\ufeffpositive", "positive"),  # BOM glued to the first cell
        ("\u2060\u200d spam \u200c\u3000", "spam"),  # word joiner, ZWJ/ZWNJ, ideographic space
        ("Very Positive", "Very Positive"),  # inner space and case kept
        ("Positive", "Positive"),
        ("", ""),
        (" \u200b\u00a0 ", ""),
        ("😀 happy", "😀 happy"),
        ("正面", "正面"),
    ],
)
def test_normalise_label(raw: str, expected: str) -> None:
    assert normalise_label(raw) == expected


def test_find_label_clashes_groups_case_and_space_variants() -> None:
    names = ["Positive", "negative", "positive", "Negative ", "neutral", "POSITIVE", "positive"]
    assert find_label_clashes(names) == [["Positive", "positive", "POSITIVE"], ["negative", "Negative "]]


def test_find_label_clashes_none_and_empty() -> None:
    assert find_label_clashes(["a", "b", "c"]) == []
    assert find_label_clashes([]) == []
    assert find_label_clashes(["", " ", "\u200b"]) == []


def test_find_label_clashes_unicode_folding() -> None:
    # casefold handles ß/ss; NFKC folds full-width letters.
    assert find_label_clashes(["Straße", "STRASSE"]) == [["Straße", "STRASSE"]]
    assert find_label_clashes(["ｓｐａｍ", "spam"]) == [["ｓｐａｍ", "spam"]]


def test_label_set_ids_are_positions() -> None:
    labels = LabelSet(["neg", "pos", "neutral"])
    assert labels.names == ("neg", "pos", "neutral")
    assert len(labels) == 3
    assert list(labels) == ["neg", "pos", "neutral"]
    assert labels.id_of("pos") == 1
    assert labels.name_of(2) == "neutral"
    assert "neg" in labels and "Neg" not in labels and 3 not in labels
    assert [labels.name_of(labels.id_of(n)) for n in labels] == list(labels)


def test_label_set_is_immutable_value() -> None:
    names = ["a", "b"]
    labels = LabelSet(names)
    names.append("c")
    assert labels.names == ("a", "b")
    assert labels == LabelSet(("a", "b")) and hash(labels) == hash(LabelSet(["a", "b"]))
    assert labels != LabelSet(["b", "a"])
    with pytest.raises(AttributeError):
        labels.names = ("x",)  # type: ignore[misc]
    assert repr(labels) == "LabelSet(['a', 'b'])"


def test_label_set_case_variants_are_distinct() -> None:
    labels = LabelSet(["Positive", "positive"])
    assert labels.id_of("Positive") == 0 and labels.id_of("positive") == 1


@pytest.mark.parametrize("names", [["a", "a"], ["a", ""], [" a"], ["b\u200b"]])
def test_label_set_rejects_bad_names(names: list[str]) -> None:
    with pytest.raises(LabelError):
        LabelSet(names)


def test_label_set_lookup_errors_are_one_line() -> None:
    labels = LabelSet(["a"])
    with pytest.raises(LabelError) as err:
        labels.id_of("zzz")
    assert "zzz" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(LabelError):
        labels.name_of(1)
    with pytest.raises(LabelError):
        labels.name_of(-1)


def test_empty_label_set() -> None:
    labels = LabelSet([])
    assert len(labels) == 0 and list(labels) == [] and "a" not in labels
