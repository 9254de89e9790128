"""Text search within a time budget: plain or regex, one row at a time, cancellable, never a hang.

Each risky call runs under :func:`tests.hang_guard.no_hang`, so a regression (a runaway regular
expression) fails the test instead of stalling the run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bertdesk.core.errors import BertdeskError, Cancelled
from bertdesk.core.progress import CancelToken
from bertdesk.core.project import Project
from bertdesk.core.project.navigation import RowFilter, RowWalker
from bertdesk.core.project.text_search import SearchBudget, SearchTooSlow, TextQuery, scan_rows
from tests.core.test_navigation import walk
from tests.hang_guard import no_hang

CATASTROPHIC = "(a|aa)+$"  # exponential backtracking in every backtracking engine, `regex` included
CATASTROPHIC_TEXT = "a" * 60 + "!"
SENTENCES = [
    "The parcel arrived late, and the box was broken.",
    "I want a refund for order 1234!",
    "Thanks for the quick help",  # no punctuation: a whole-line run of words
    "Why does the app crash when I log in?",
    "Great service, will order again.",
]


def make_project(path: Path, texts: list[str]) -> Project:
    return Project.create(path, pd.DataFrame({"text": texts}), text_column="text")


def test_a_catastrophic_regex_gives_a_typed_error_naming_the_row(tmp_path: Path) -> None:
    texts = ["fine", "also fine", CATASTROPHIC_TEXT, "aaa"]
    with make_project(tmp_path / "p.bertdesk", texts) as project, no_hang(20):
        walker = RowWalker(project, RowFilter("search", text=CATASTROPHIC, regex=True))
        with pytest.raises(SearchTooSlow) as err:
            walker.first_row()
    assert err.value.row == 2
    message = str(err.value)
    assert "row 3" in message and "simplify" in message and "\n" not in message


def test_nested_plus_on_27_as_and_a_bang_answers_without_hanging(tmp_path: Path) -> None:
    # 15 s with Python's `re` inside SQLite; the budgeted matcher answers at once (the `regex`
    # engine sees through this one: no match) or, on another engine, with the typed error.
    with make_project(tmp_path / "p.bertdesk", ["x", "a" * 27 + "!"]) as project, no_hang(10):
        walker = RowWalker(project, RowFilter("search", text="(a+)+$", regex=True))
        try:
            assert walker.first_row() is None
        except SearchTooSlow as err:
            assert err.row == 1


def test_word_run_pattern_over_thousands_of_sentences_returns_or_errors(tmp_path: Path) -> None:
    texts = [SENTENCES[i % len(SENTENCES)] + (f" {i}" if i % 7 == 0 else "") for i in range(3000)]
    expected = [i for i, text in enumerate(texts) if text.startswith("Thanks")]
    with make_project(tmp_path / "p.bertdesk", texts) as project, no_hang(60):
        walker = RowWalker(project, RowFilter("search", text=r"^(\w+\s?)+$", regex=True))
        try:
            assert walk(walker) == expected
        except SearchTooSlow as err:
            assert err.row is not None and "simplify" in str(err)


def test_matches_raises_the_typed_error_for_one_slow_text() -> None:
    query = TextQuery(CATASTROPHIC, regex=True)
    with no_hang(20), pytest.raises(SearchTooSlow) as err:
        query.matches(CATASTROPHIC_TEXT)
    assert err.value.row is None and "simplify" in str(err.value)
    assert query.matches("AAAA") and not query.matches("aab")


def test_plain_text_is_literal_and_ignores_case() -> None:
    query = TextQuery("a.B")
    assert query.matches("xxA.bxx") and not query.matches("axb")
    assert TextQuery("refund").matches("REFUND now") and TextQuery("中文").matches("中文 refund")
    assert TextQuery("crash(es)? on", regex=True).matches("Crash on login")


def test_bad_queries_give_one_line_messages() -> None:
    with pytest.raises(BertdeskError) as err:
        TextQuery("([unclosed", regex=True)
    assert "regular expression" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(BertdeskError):
        TextQuery("")


def test_the_overall_budget_stops_a_long_scan_with_a_message() -> None:
    texts = ["no match here"] * 5000
    with pytest.raises(SearchTooSlow) as err:
        scan_rows(lambda a, b: texts[a:b], TextQuery("zzz", regex=True), start=-1, row_count=len(texts), budget=SearchBudget(total=0.0))
    assert err.value.row is not None and "stopped" in str(err.value) and "\n" not in str(err.value)


def test_a_scan_stops_when_cancelled() -> None:
    texts = ["no match here"] * 100
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        scan_rows(lambda a, b: texts[a:b], TextQuery("zzz"), start=-1, row_count=len(texts), cancel=token)


@pytest.mark.parametrize("regex", [False, True])
def test_scan_finds_the_nearest_match_both_ways_across_chunks(regex: bool) -> None:
    texts = ["x"] * 70_000
    for i in (3, 40_000, 69_999):
        texts[i] = "a needle here"

    def scan(start: int, backward: bool) -> int | None:
        return scan_rows(lambda a, b: texts[a:b], TextQuery("NEEDLE", regex=regex), start=start, row_count=len(texts), backward=backward)

    assert [scan(-1, False), scan(3, False), scan(40_000, False), scan(69_999, False)] == [3, 40_000, 69_999, None]
    assert [scan(70_000, True), scan(69_999, True), scan(40_000, True), scan(3, True)] == [69_999, 40_000, 3, None]


def test_mask_marks_the_matching_texts_and_keeps_the_budget() -> None:
    texts = ["Refund please", "app crash", "", "REFUND"]
    assert TextQuery("refund").mask(texts).tolist() == [True, False, False, True]
    assert TextQuery("^(app|refund)$", regex=True).mask(texts).tolist() == [False, False, False, True]
    with no_hang(20), pytest.raises(SearchTooSlow) as err:
        TextQuery(CATASTROPHIC, regex=True).mask(np.array(["a", CATASTROPHIC_TEXT], dtype=object))
    assert err.value.row == 1


def test_the_predict_filter_and_the_label_search_agree(tmp_path: Path) -> None:
    # One matcher everywhere: the same query picks the same texts in both places.
    from bertdesk.core.project.prediction_analysis import RowFilter as PredictFilter
    from bertdesk.core.project.prediction_analysis import filter_mask, prediction_frame
    from bertdesk.core.project.predictions import PredictionTable

    texts = ["Straße 5", "STRASSE", "refund", "ΣΊΣΥΦΟΣ", "σίσυφος", "", "a.b", "axb"]
    n = len(texts)
    table = PredictionTable(1, ["x"], np.arange(n), np.array(["x"] * n, dtype=object), np.ones(n, np.float32), np.ones((n, 1), np.float32))
    frame = prediction_frame(texts, {}, table)
    with make_project(tmp_path / "p.bertdesk", texts) as project:
        for query in ("straße", "σίσυφος", "a.b", "REFUND"):
            shown = np.flatnonzero(filter_mask(frame, PredictFilter(text=query))).tolist()
            assert shown == walk(RowWalker(project, RowFilter("search", text=query))), query
