"""What each predicted label is about, with the count a click on a term will list (core)."""

from __future__ import annotations

import pytest

from bertdesk.core.errors import BertdeskError
from bertdesk.core.project.text_search import TextQuery
from bertdesk.core.review.characteristic_words import characteristic_terms
from bertdesk.core.review.label_words import label_words

TEXTS = [
    "the film was long",
    "a film to love",
    "this film works",
    "the filmmakers tried",  # "film" inside a longer word: the text filter lists it, the term count does not
    "Film night again",
    "refund my card",
    "refund please",
    "a refund now",
    "card declined",
    "card refund",
]
PREDICTED = ["movie"] * 5 + ["billing"] * 5


def test_terms_come_with_the_rows_the_text_filter_lists() -> None:
    words = label_words(TEXTS, PREDICTED, top=5, min_rows=3)
    assert list(words) == ["movie", "billing"]
    assert words["movie"].rows == 5 and words["billing"].rows == 5
    expected = characteristic_terms(TEXTS, PREDICTED, top=5, min_rows=3)
    for label, found in words.items():
        assert [t.term for t in found.terms] == expected[label]
        for t in found.terms:  # the count is exactly what the filter bar's "Text contains…" shows among the label's rows
            rows = [text for text, p in zip(TEXTS, PREDICTED) if p == label]
            assert t.containing == int(TextQuery(t.term.text).mask(rows).sum())
    film = next(t for t in words["movie"].terms if t.term.text == "film")
    assert (film.term.rows, film.containing) == (4, 5)


def test_a_label_without_terms_is_still_listed_with_its_rows() -> None:
    words = label_words(["a b", "c d", "e f"], ["x", "y", "y"], top=3, min_rows=3)
    assert {label: (w.rows, w.terms) for label, w in words.items()} == {"x": (1, ()), "y": (2, ())}


def test_mismatched_lengths_are_refused_in_one_line() -> None:
    with pytest.raises(BertdeskError, match="3 texts but 2 predicted labels"):
        label_words(["a", "b", "c"], ["x", "y"])
