"""Label-set hygiene: near-duplicate names and classes with too few examples."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bertdesk.core.project import Project
from bertdesk.core.project.label_hygiene import MIN_EXAMPLES, HygieneIssue, check_labels


def test_all_well_gives_no_issues() -> None:
    assert check_labels({"billing": 8, "bug": 20}) == []
    assert check_labels({}) == []


def test_case_variants_are_a_near_duplicate_with_the_most_used_first() -> None:
    issues = check_labels({"positive": 3, "Positive": 120, "negative": 50})
    assert [i.kind for i in issues] == ["near_duplicate", "too_few"]
    dup = issues[0]
    assert dup.labels == ("Positive", "positive")
    assert dup.merge_into == "Positive" and dup.merge_others == ("positive",)
    assert "“Positive” (120 rows)" in dup.message and "“positive” (3 rows)" in dup.message
    assert "\n" not in dup.message
    assert dup.fix == "Merge “positive” into “Positive”."


def test_invisible_and_compatibility_characters_are_near_duplicates() -> None:
    issues = check_labels({"spam": 10, "spam\u200bx": 9, "ｓｐａｍ": 9, "SPAM": 9})
    dups = [i for i in issues if i.kind == "near_duplicate"]
    assert len(dups) == 1
    assert dups[0].labels == ("spam", "ｓｐａｍ", "SPAM")
    # An inner invisible character is a different name (not trimmed), but it is shown escaped.
    assert check_labels({"a\u200bb": 9, "ab": 9}) == []


def test_ties_keep_label_set_order() -> None:
    (dup,) = check_labels({"Bug": 10, "bug": 10})
    assert dup.merge_into == "Bug"


def test_too_few_examples() -> None:
    issues = check_labels({"a": MIN_EXAMPLES - 1, "b": 0, "c": 1, "d": MIN_EXAMPLES})
    assert [(i.kind, i.labels) for i in issues] == [("too_few", ("a",)), ("too_few", ("b",)), ("too_few", ("c",))]
    assert issues[0].message == "Only 7 rows are labelled “a”; a class needs at least 8 examples to learn from."
    assert issues[1].message.startswith("No rows are labelled “b”")
    assert issues[2].message.startswith("Only 1 row is labelled “c”")
    assert issues[0].fix == "Label 1 more row “a”, or merge it into another label."
    assert issues[0].merge_into is None and issues[0].merge_others == ()


def test_min_examples_can_be_changed() -> None:
    assert check_labels({"a": 3}, min_examples=3) == []
    assert len(check_labels({"a": 3}, min_examples=4)) == 1


def test_invisible_characters_in_messages_are_escaped() -> None:
    (issue,) = check_labels({"a\u200bb": 1}, min_examples=2)
    assert "“a\\u200bb”" in issue.message


def test_reads_a_project(tmp_path: Path) -> None:
    labels = ["Positive"] * 9 + ["positive"] * 2 + ["neg"] * 9
    frame = pd.DataFrame({"text": [f"t{i}" for i in range(len(labels))], "label": labels})
    project = Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label")
    try:
        issues = check_labels(project)
        assert issues[0] == HygieneIssue(
            kind="near_duplicate",
            message="“Positive” (9 rows), “positive” (2 rows) look the same: they differ only in case or spaces.",
            labels=("Positive", "positive"),
            fix="Merge “positive” into “Positive”.",
        )
        assert [i.labels for i in issues[1:]] == [("positive",)]
    finally:
        project.close()
