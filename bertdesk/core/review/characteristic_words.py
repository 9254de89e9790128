"""What each label is about: the words and two-word phrases most characteristic of its rows.

Each label's rows are compared with the rows of every other label by the weighted log-odds
ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words",
Political Analysis 16(4), section 3.5). For term w, label i and the rest j:

    delta_w = log((y_wi + a_w) / (n_i + a_0 - y_wi - a_w)) - log((y_wj + a_w) / (n_j + a_0 - y_wj - a_w))
    var_w  ~= 1 / (y_wi + a_w) + 1 / (y_wj + a_w)
    z_w     = delta_w / sqrt(var_w)

y counts the rows holding the term (a term repeated in one row counts once, so one long row
cannot make a term characteristic), n sums y over all terms, and the prior a_w is the term's
count over all labelled rows scaled to a tenth (a_0 the same over all terms): common words ("the", "and") are shrunk
towards no difference, and a term seen in a few rows cannot outrank one seen in many.

Terms are unicode words (``\\w+``, lower-cased) and pairs of adjacent words within a clause;
text in Chinese or Japanese script, written without spaces, gives single characters and pairs
of adjacent characters instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from bertdesk.core.errors import BertdeskError

# The prior's weight, as a share of the labelled rows' own counts.
PRIOR_SHARE = 0.1
# Terms less than half a standard error more frequent in the label than elsewhere are chance, not
# character ("the" scores about 0 in most labels). A term in 3 rows of a label and in no other
# row scores about 1 to 1.3, so min_rows, not this floor, decides for rare terms.
MIN_SCORE = 0.5

# Anything neither a word character nor a space ends a clause: no phrase spans "refund. please".
# An apostrophe between letters stays in its word: "don't" is one term, not "don" and "t".
_PUNCTUATION = re.compile(r"(?:(?!(?<=\w)['\u2019](?=\w))[^\w\s])+")
# Scripts written without spaces between words: Han (CJK ideographs, extension A, compatibility),
# Hiragana, Katakana. Hangul is written with spaces and is split into words like Latin.
_SPACELESS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACELESS_RUN = re.compile(f"([{_SPACELESS}]+)")
_HAS_SPACELESS = re.compile(f"[{_SPACELESS}]")


@dataclass(frozen=True)
class CharacteristicTerm:
    """A word or phrase that sets a label's rows apart from the other labels' rows."""

    text: str
    score: float  # log-odds z-score against the other labels (higher = more characteristic)
    rows: int  # rows of that label containing it


def characteristic_terms(
    texts: Sequence[str], labels: Sequence[str | None], *, top: int = 12, min_rows: int = 3
) -> dict[str, list[CharacteristicTerm]]:
    """For each label, up to ``top`` terms most characteristic of its rows, best first.

    Rows whose label is None are left out. A term must appear in at least ``min_rows`` rows of
    the label to be listed, and be more frequent there than elsewhere by half a standard error or
    more (z >= ``MIN_SCORE``).
    """
    if len(texts) != len(labels):
        raise BertdeskError(f"{len(texts)} texts but {len(labels)} labels; each text needs its label (or None).")
    if top < 0:
        raise BertdeskError(f"The number of terms per label must be 0 or more, not {top}.")
    if min_rows < 1:
        raise BertdeskError(f"A term must appear in at least 1 row, not {min_rows}.")
    # Each label's row terms in one list, counted once at the end (Counter's loop runs in C).
    collected: dict[str, list[str]] = {}
    for text, label in zip(texts, labels):
        if label is not None:
            collected.setdefault(label, []).extend(row_terms(text))
    per_label = {label: Counter(terms) for label, terms in collected.items()}
    names = sorted(per_label)
    if not names:
        return {}
    # Only a term in min_rows rows of some label can be listed; the others count only in n_i,
    # the number of terms of each label's rows (rare ones included, so cutting the vocabulary
    # to save work changes nobody's odds).
    vocabulary = sorted({term for counts in per_label.values() for term, count in counts.items() if count >= min_rows})
    y = np.array([np.fromiter(map(per_label[name].get, vocabulary, repeat(0)), dtype=np.float64) for name in names])
    y = y.reshape(len(names), len(vocabulary))
    n = np.array([len(collected[name]) for name in names], dtype=np.float64)
    z = _log_odds_z(y, n, PRIOR_SHARE * float(n.sum()))
    result: dict[str, list[CharacteristicTerm]] = {}
    for row, name in enumerate(names):
        eligible = np.flatnonzero((z[row] >= MIN_SCORE) & (y[row] >= min_rows))
        # Best z first; equal scores in alphabetical order, so the answer does not depend on row order.
        best = sorted(eligible.tolist(), key=lambda column: (-z[row, column], vocabulary[column]))[:top]
        result[name] = [CharacteristicTerm(text=vocabulary[c], score=float(z[row, c]), rows=int(y[row, c])) for c in best]
    return result


def row_terms(value: object) -> set[str]:
    """The distinct terms of one text: words and word pairs, or characters and character pairs.

    A missing cell (None) has none; any other non-text value is read as its text.
    """
    text = (value if isinstance(value, str) else "" if value is None else str(value)).lower()
    terms: set[str] = set()
    spaceless = _HAS_SPACELESS.search(text) is not None
    # A clause holds only word characters and spaces, so str.split() gives its \w+ words (fast).
    for clause in _PUNCTUATION.split(text):
        words = clause.split()
        if spaceless:
            words = _split_spaceless(words, terms)
        # A one-letter word ("a", "s", "2") says nothing about a label and, as a text filter,
        # matches nearly every row; Chinese/Japanese characters were added above, one by one.
        words = [w if len(w) > 1 else "" for w in words]
        terms.update(words)
        terms.update(f"{a} {b}" for a, b in zip(words, words[1:]) if a and b)
    terms.discard("")
    return terms


def _split_spaceless(words: list[str], terms: set[str]) -> list[str]:
    """Adds the characters and character pairs of Chinese/Japanese runs to ``terms``.

    Gives back the clause's other words, with "" where a run stood, so no phrase spans it.
    """
    out: list[str] = []
    for word in words:
        for piece in _SPACELESS_RUN.split(word):
            if not piece:
                continue
            if _HAS_SPACELESS.match(piece):
                terms.update(piece)
                terms.update(piece[i : i + 2] for i in range(len(piece) - 1))
                out.append("")
            else:
                out.append(piece)
    return out


def _log_odds_z(y: np.ndarray, n: np.ndarray, alpha_0: float) -> np.ndarray:
    """z[i, w]: each label i against all other labels together (float [labels, terms]).

    ``y`` holds the counts of the listed terms, ``n`` each label's count of all its terms, and
    ``alpha_0`` the prior's total over all terms.
    """
    overall = y.sum(axis=0)  # y_w over all labels
    alpha = PRIOR_SHARE * overall  # a_w
    n_own = n[:, None]
    n_rest = n.sum() - n_own
    rest = overall - y  # y_wj, j = every other label
    with np.errstate(divide="ignore", invalid="ignore"):
        # Odds of 1 (a label whose rows hold one term only) make a log of 0: no comparison, z = 0.
        own_odds = np.log(y + alpha) - np.log(n_own + alpha_0 - y - alpha)
        rest_odds = np.log(rest + alpha) - np.log(n_rest + alpha_0 - rest - alpha)
        variance = 1.0 / (y + alpha) + 1.0 / (rest + alpha)
        z: np.ndarray = (own_odds - rest_odds) / np.sqrt(variance)
    z[~np.isfinite(z)] = 0.0
    return z
