"""The words and phrases that set each label's rows apart (log-odds with an informative prior)."""

from __future__ import annotations

import math

import pytest

from bertdesk.core.errors import BertdeskError
from bertdesk.core.review.characteristic_words import CharacteristicTerm, characteristic_terms, row_terms

BILLING = [
    "I want a refund for the double charge",
    "please refund my money, the invoice is wrong",
    "the refund has not arrived",
    "where is my refund? the invoice says paid",
    "refund the charge on my card",
    "my invoice shows a charge twice, refund please",
]
DELIVERY = [
    "the parcel is late again",
    "my parcel never arrived",
    "the courier left the parcel outside",
    "parcel tracking link is broken",
    "the courier was rude and the parcel was late",
    "late parcel, no word from the courier",
]


def test_each_label_gets_its_own_words_first() -> None:
    terms = characteristic_terms(BILLING + DELIVERY, ["billing"] * 6 + ["delivery"] * 6)
    assert list(terms) == ["billing", "delivery"]
    assert terms["billing"][0] == CharacteristicTerm("refund", terms["billing"][0].score, 6)
    assert terms["delivery"][0].text == "parcel" and terms["delivery"][0].rows == 6
    billing = [t.text for t in terms["billing"]]
    delivery = [t.text for t in terms["delivery"]]
    assert {"invoice", "charge"} <= set(billing)
    assert {"courier", "late"} <= set(delivery)
    # "the" is in 5 billing and 4 delivery rows (z about 0): characteristic of neither.
    assert "the" not in set(billing) | set(delivery)
    assert all(t.score >= 0.5 for t in terms["billing"] + terms["delivery"])
    scores = [t.score for t in terms["billing"]]
    assert scores == sorted(scores, reverse=True)


def test_the_score_is_the_log_odds_z_with_the_informative_prior() -> None:
    # Label a: "x" in 3 rows, "y" in 1; label b: "y" in 3 rows. min_rows=1 keeps every term.
    # (Spelled "xx" and "yy": one-letter words are no terms.)
    terms = characteristic_terms(["xx", "xx", "xx", "yy", "yy", "yy", "yy"], ["a", "a", "a", "a", "b", "b", "b"], min_rows=1)
    # Counts: y_x,a = 3, y_y,a = 1, n_a = 4; y_x,b = 0, y_y,b = 3, n_b = 3.
    # Prior a tenth of the overall counts: alpha_x = .3, alpha_y = .4, alpha_0 = .7.
    # x for a: log((3 + .3) / (4 + .7 - 3 - .3)) - log((0 + .3) / (3 + .7 - 0 - .3)), variance 1/3.3 + 1/.3
    delta = math.log(3.3 / 1.4) - math.log(0.3 / 3.4)
    assert terms["a"] == [CharacteristicTerm("xx", pytest.approx(delta / math.sqrt(1 / 3.3 + 1 / 0.3)), 3)]  # type: ignore[arg-type]
    # y for b: log((3 + .4) / (3 + .7 - 3 - .4)) - log((1 + .4) / (4 + .7 - 1 - .4)), variance 1/3.4 + 1/1.4
    delta = math.log(3.4 / 0.3) - math.log(1.4 / 3.3)
    assert terms["b"][0].score == pytest.approx(delta / math.sqrt(1 / 3.4 + 1 / 1.4))


def test_two_word_phrases_within_a_clause() -> None:
    assert row_terms("Wrong size, send back") == {"wrong", "size", "send", "back", "wrong size", "send back"}
    texts = ["wrong size again", "it is the wrong size", "wrong size, too small", "fits well", "great fit", "love it"]
    terms = characteristic_terms(texts, ["size"] * 3 + ["other"] * 3)
    assert {"wrong", "size", "wrong size"} <= {t.text for t in terms["size"]}
    assert "size too" not in row_terms("wrong size, too small")


def test_chinese_by_characters_and_character_pairs() -> None:
    assert row_terms("退款慢") == {"退", "款", "慢", "退款", "款慢"}
    # A latin word inside Chinese text stays a word.
    assert row_terms("我的iPhone坏了") == {"我", "的", "我的", "iphone", "坏", "了", "坏了"}
    refunds = ["我要退款", "退款还没到账", "请尽快退款", "退款太慢了"]
    shipping = ["快递太慢了", "快递还没到", "快递丢了", "物流很慢,快递员态度差"]
    terms = characteristic_terms(refunds + shipping, ["退款"] * 4 + ["物流"] * 4)
    assert terms["退款"][0].text in {"退", "款", "退款"} and terms["退款"][0].rows == 4
    assert {"快", "递", "快递"} <= {t.text for t in terms["物流"]}
    assert "慢" not in {t.text for t in terms["物流"] + terms["退款"]}  # in both labels' rows


def test_rows_without_a_label_are_ignored() -> None:
    texts = BILLING + DELIVERY + ["parcel parcel parcel refund"] * 20
    labels: list[str | None] = ["billing"] * 6 + ["delivery"] * 6 + [None] * 20
    with_none = characteristic_terms(texts, labels)
    assert with_none == characteristic_terms(BILLING + DELIVERY, ["billing"] * 6 + ["delivery"] * 6)
    assert "parcel" not in {t.text for t in with_none["billing"]}


def test_min_rows_and_top() -> None:
    texts = BILLING + DELIVERY + ["voucher code", "voucher please"]
    labels = ["billing"] * 6 + ["delivery"] * 6 + ["billing"] * 2
    assert "voucher" not in {t.text for t in characteristic_terms(texts, labels)["billing"]}  # 2 rows < 3
    assert "voucher" in {t.text for t in characteristic_terms(texts, labels, min_rows=2, top=50)["billing"]}
    assert len(characteristic_terms(texts, labels, top=2)["billing"]) == 2
    assert characteristic_terms(texts, labels, top=0) == {"billing": [], "delivery": []}
    assert all(t.rows >= 5 for t in characteristic_terms(texts, labels, min_rows=5)["billing"])


def test_a_term_repeated_in_one_row_counts_once() -> None:
    texts = ["spam spam spam spam spam", "hello there", "hello again", "good morning", "morning all", "good day"]
    terms = characteristic_terms(texts, ["a", "a", "a", "b", "b", "b"], min_rows=1)
    assert next(t for t in terms["a"] if t.text == "spam").rows == 1
    assert terms["a"][0].text == "hello"  # two rows beat one row with five copies


def test_empty_input_one_label_and_one_term() -> None:
    assert characteristic_terms([], []) == {}
    assert characteristic_terms(["a b"], [None]) == {}
    assert characteristic_terms(["refund now"] * 5, ["billing"] * 5) == {"billing": []}  # nothing to compare with
    assert characteristic_terms(["", "", ""], ["a", "b", "b"]) == {"a": [], "b": []}
    # A vocabulary of one word: nothing sets the labels apart, and no nan or infinity escapes.
    assert characteristic_terms(["ok"] * 6, ["a"] * 3 + ["b"] * 3) == {"a": [], "b": []}


def test_missing_texts_count_as_empty() -> None:
    texts: list[str] = [None, "refund", "refund", "refund", "parcel", "parcel", "parcel"]  # type: ignore[list-item]
    terms = characteristic_terms(texts, ["a"] * 4 + ["b"] * 3)
    assert [t.text for t in terms["a"]] == ["refund"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"texts": ["a", "b"], "labels": ["x"]}, "2 texts but 1 labels"),
        ({"texts": ["a"], "labels": ["x"], "top": -1}, "0 or more, not -1"),
        ({"texts": ["a"], "labels": ["x"], "min_rows": 0}, "at least 1 row, not 0"),
    ],
)
def test_bad_input_is_one_line(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(BertdeskError, match=message) as err:
        characteristic_terms(**kwargs)  # type: ignore[arg-type]
    assert "\n" not in str(err.value)


def test_apostrophes_stay_in_their_words_and_one_letter_words_are_no_terms() -> None:
    # Seen in the Predict panel: "don't" gave the term "t", which as a text filter matched nearly every row.
    from bertdesk.core.review.characteristic_words import row_terms

    assert row_terms("I don't like it. It’s a 2 star film") == {
        "don't", "don't like", "like", "it", "like it", "it’s", "star", "film", "star film"
    }  # fmt: skip
    texts = ["don't buy it", "don't bother", "I can't recommend it", "great, buy it", "a great buy", "great value"]
    labels = ["neg", "neg", "neg", "pos", "pos", "pos"]
    terms = {t.text for found in characteristic_terms(texts, labels, min_rows=2).values() for t in found}
    assert "t" not in terms and "don't" in terms
