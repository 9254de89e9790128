"""What each predicted label is about, as the Predict panel lists it: characteristic terms with the rows a click will show.

:func:`~bertdesk.core.review.characteristic_words.characteristic_terms` counts the rows holding
a term as a word of its own ("film" in "the film", not in "filmmakers"); a click on the term
filters the table with the one text matcher (:class:`~bertdesk.core.project.text_search.TextQuery`,
a case-insensitive substring), which also finds it inside longer words. So each term also
carries how many of the label's rows that filter will list, and the count shown beside the
term is the one the table then shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bertdesk.core.errors import BertdeskError
from bertdesk.core.project.text_search import TextQuery
from bertdesk.core.review.characteristic_words import CharacteristicTerm, characteristic_terms


@dataclass(frozen=True)
class LabelTerm:
    """A characteristic term of a label and the label's rows whose text contains it."""

    term: CharacteristicTerm
    containing: int  # rows predicted as the label whose text contains ``term.text`` (the text filter's count)


@dataclass(frozen=True)
class LabelWords:
    """One predicted label: how many rows it has and its terms, most characteristic first."""

    label: str
    rows: int
    terms: tuple[LabelTerm, ...]


def label_words(texts: Sequence[str], predicted: Sequence[str], *, top: int = 12, min_rows: int = 3) -> dict[str, LabelWords]:
    """Per predicted label (in order of first appearance), its ``top`` characteristic terms.

    Raises:
        BertdeskError: ``texts`` and ``predicted`` differ in length, or ``top``/``min_rows`` are out of range.
    """
    if len(texts) != len(predicted):
        raise BertdeskError(f"{len(texts)} texts but {len(predicted)} predicted labels; each text needs its label.")
    found = characteristic_terms(texts, list(predicted), top=top, min_rows=min_rows)
    by_label: dict[str, list[str]] = {}
    for text, label in zip(texts, predicted):
        by_label.setdefault(label, []).append(text if isinstance(text, str) else "" if text is None else str(text))
    result: dict[str, LabelWords] = {}
    for label, rows in by_label.items():
        terms = tuple(LabelTerm(term, int(TextQuery(term.text).mask(rows).sum())) for term in found.get(label, []))
        result[label] = LabelWords(label, len(rows), terms)
    return result
