"""Label names: the ordered label set and the rules for cleaning and comparing names.

A label's integer id is its position in the set, which is what a classifier's output layer
needs (``id2label`` / ``label2id``). A :class:`LabelSet` is an immutable snapshot: the project
hands out a new one whenever its labels change, so a training run can hold on to the set it
started with while the user keeps editing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from bertdesk.core.errors import LabelError

__all__ = ["LabelSet", "find_label_clashes", "normalise_label"]

# Characters that are invisible but not ``str.isspace()``: zero-width space/joiners, word
# joiner, BOM, bidi marks. They sneak in from web pages and Excel and make "spam\u200b" look
# exactly like "spam" while being a different label.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e")


def _is_trimmable(char: str) -> bool:
    # Whitespace (incl. NBSP, ideographic space) or any invisible format character (Cf).
    return char.isspace() or char in _INVISIBLE or unicodedata.category(char) == "Cf"


def normalise_label(raw: str) -> str:
    """Trim whitespace, including invisible characters, from both ends of a label name.

    Case and inner characters are kept as they are: "Positive" and "positive" stay two
    different labels (use :func:`find_label_clashes` to show such pairs to the user).

    Args:
        raw: a label as typed or read from a spreadsheet cell.

    Returns:
        The trimmed name; ``""`` means "no label".
    """
    start, end = 0, len(raw)
    while start < end and _is_trimmable(raw[start]):
        start += 1
    while end > start and _is_trimmable(raw[end - 1]):
        end -= 1
    return raw[start:end]


def _clash_key(name: str) -> str:
    # NFKC folds compatibility forms (full-width letters, ligatures) so that more look-alike
    # names are reported; reporting is harmless, the user decides whether to merge.
    return unicodedata.normalize("NFKC", normalise_label(name)).casefold()


def find_label_clashes(names: Iterable[str]) -> list[list[str]]:
    """Group names that are equal after trimming and ignoring case.

    Args:
        names: label names, e.g. the project's label set.

    Returns:
        Groups with two or more distinct names, e.g. ``[["Positive", "positive"]]``; groups
        and the names inside them keep their order of first appearance. Empty names are
        ignored; exact duplicates count once.
    """
    groups: dict[str, list[str]] = {}
    for name in names:
        key = _clash_key(name)
        if not key:
            continue
        group = groups.setdefault(key, [])
        if name not in group:
            group.append(name)
    return [group for group in groups.values() if len(group) > 1]


class LabelSet:
    """Ordered label names <-> integer ids (the id is the position). Immutable.

    Args:
        names: the label names in order; each must be non-empty, already trimmed
            (see :func:`normalise_label`) and unique.

    Raises:
        LabelError: a name is empty, untrimmed or repeated.
    """

    __slots__ = ("_names", "_ids")

    def __init__(self, names: Iterable[str]) -> None:
        ordered = tuple(names)
        ids: dict[str, int] = {}
        for position, name in enumerate(ordered):
            if not isinstance(name, str) or not name or normalise_label(name) != name:
                raise LabelError(f"Invalid label name {name!r}: names must be non-empty and trimmed.")
            if name in ids:
                raise LabelError(f"The label {name!r} appears twice in the label set.")
            ids[name] = position
        self._names = ordered
        self._ids = ids

    @property
    def names(self) -> tuple[str, ...]:
        """The label names in order."""
        return self._names

    def id_of(self, name: str) -> int:
        """Return the integer id (position) of ``name`` (as given, else cleaned by :func:`normalise_label`).

        Raises:
            LabelError: there is no such label.
        """
        found = self._ids.get(name)
        if found is None and isinstance(name, str):
            found = self._ids.get(normalise_label(name))
        if found is None:
            raise LabelError(f"There is no label named {name!r}.")
        return found

    def name_of(self, label_id: int) -> str:
        """Return the name of the label with id ``label_id``.

        Raises:
            LabelError: the id is out of range.
        """
        if not 0 <= label_id < len(self._names):
            raise LabelError(f"There is no label with id {label_id} (the set has {len(self._names)} labels).")
        return self._names[label_id]

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._ids

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LabelSet) and other._names == self._names

    def __hash__(self) -> int:
        return hash(self._names)

    def __repr__(self) -> str:
        return f"LabelSet({list(self._names)!r})"
