"""Label-set hygiene: problems in the label set that hurt training, each with a suggested fix.

Two checks, both cheap (they read only the label counts):

* ``near_duplicate``: names that differ only in upper/lower case, surrounding or invisible
  whitespace or compatibility forms (see :func:`~bertdesk.core.project.label_set.find_label_clashes`).
  Usually one class split in two by a typo; the fix is to merge them.
* ``too_few``: classes with fewer than :data:`MIN_EXAMPLES` labelled rows, too few for a
  classifier to learn from.

Nothing here changes the project: the GUI shows the issues and the user decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from bertdesk.core.project.label_set import find_label_clashes

__all__ = ["MIN_EXAMPLES", "HygieneIssue", "IssueKind", "check_labels"]

MIN_EXAMPLES = 8
"""A class with fewer labelled rows than this is reported as ``too_few``."""

IssueKind = Literal["near_duplicate", "too_few"]


@runtime_checkable
class _HasLabelCounts(Protocol):
    def label_counts(self) -> dict[str, int]: ...


@dataclass(frozen=True)
class HygieneIssue:
    """One problem with the label set.

    Attributes:
        kind: "near_duplicate" or "too_few".
        message: one line for a person.
        labels: the labels concerned. For "near_duplicate" the first one is the suggested
            merge target (the most used spelling) and the rest are to be merged into it.
        fix: a one-line description of the suggested fix, or None.
    """

    kind: IssueKind
    message: str
    labels: tuple[str, ...]
    fix: str | None = None

    @property
    def merge_into(self) -> str | None:
        """For a near-duplicate: the label to merge the others into; else None."""
        return self.labels[0] if self.kind == "near_duplicate" and self.labels else None

    @property
    def merge_others(self) -> tuple[str, ...]:
        """For a near-duplicate: the labels to merge into :attr:`merge_into`; else ()."""
        return self.labels[1:] if self.kind == "near_duplicate" else ()


def _rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


def _quote(name: str) -> str:
    # repr-like escaping of characters a person cannot see, so "spam\u200b" reads differently.
    shown = "".join(c if c.isprintable() and not c.isspace() or c == " " else f"\\u{ord(c):04x}" for c in name)
    return f"“{shown}”"


def check_labels(source: _HasLabelCounts | Mapping[str, int], *, min_examples: int = MIN_EXAMPLES) -> list[HygieneIssue]:
    """Find near-duplicate label names and classes with too few examples.

    Args:
        source: a :class:`~bertdesk.core.project.Project` (anything with ``label_counts()``)
            or a mapping label name -> labelled rows, in label-set order.
        min_examples: classes with fewer rows than this are reported.

    Returns:
        Near-duplicates first (in label-set order of their first name), then classes with too
        few examples (in label-set order). Empty when all is well.
    """
    counts: Mapping[str, int] = source.label_counts() if isinstance(source, _HasLabelCounts) else source
    order = {name: i for i, name in enumerate(counts)}
    issues: list[HygieneIssue] = []
    for group in find_label_clashes(counts):
        ranked = tuple(sorted(group, key=lambda n: (-counts.get(n, 0), order.get(n, 0))))
        into, others = ranked[0], ranked[1:]
        listed = ", ".join(f"{_quote(n)} ({_rows(counts.get(n, 0))})" for n in ranked)
        issues.append(
            HygieneIssue(
                kind="near_duplicate",
                message=f"{listed} look the same: they differ only in case or spaces.",
                labels=ranked,
                fix=f"Merge {', '.join(_quote(n) for n in others)} into {_quote(into)}.",
            )
        )
    for name, n in counts.items():
        if n >= min_examples:
            continue
        have = "No rows are" if n == 0 else f"Only {_rows(n)} {'is' if n == 1 else 'are'}"
        issues.append(
            HygieneIssue(
                kind="too_few",
                message=f"{have} labelled {_quote(name)}; a class needs at least {min_examples} examples to learn from.",
                labels=(name,),
                fix=f"Label {min_examples - n} more {'row' if min_examples - n == 1 else 'rows'} {_quote(name)}, or merge it into another label.",
            )
        )
    return issues
