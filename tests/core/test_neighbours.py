"""Nearest rows by cosine similarity over float16 unit rows."""

from __future__ import annotations

import numpy as np
import pytest

from bertdesk.core.errors import BertdeskError
from bertdesk.core.review import neighbours
from bertdesk.core.review.neighbours import nearest, unit_rows

# Five 2-d vectors at known angles from the x axis: 0, 30, 90, 180 degrees, and a zero vector.
VECTORS = np.array([[2.0, 0.0], [3.0, np.sqrt(3.0)], [0.0, 5.0], [-1.0, 0.0], [0.0, 0.0]], dtype=np.float32)


def test_unit_rows_are_float16_of_length_one_and_zero_rows_stay_zero() -> None:
    unit = unit_rows(VECTORS)
    assert unit.dtype == np.float16 and unit.shape == (5, 2)
    np.testing.assert_allclose(unit[:4].astype(np.float32), [[1, 0], [np.sqrt(3) / 2, 0.5], [0, 1], [-1, 0]], atol=1e-3)
    np.testing.assert_array_equal(unit[4], [0, 0])


def test_unit_rows_of_values_too_large_to_square_in_float16() -> None:
    # 300^2 overflows float16 (max 65504); normalising must not turn the row into nan or zeros.
    unit = unit_rows(np.full((2, 4), 300.0, dtype=np.float16))
    np.testing.assert_allclose(unit.astype(np.float32), 0.5, atol=1e-3)


def test_nearest_orders_by_cosine_similarity() -> None:
    unit = unit_rows(VECTORS)
    # Query along 10 degrees: cos(10) = .985 (row 0), cos(20) = .940 (row 1), cos(80) = .174 (row 2),
    # 0 (the zero row 4), cos(170) = -.985 (row 3).
    angle = np.radians(10.0)
    positions, sims = nearest(unit, np.array([np.cos(angle), np.sin(angle)]) * 7.0)
    assert positions.tolist() == [0, 1, 2, 4, 3]
    assert positions.dtype == np.int64 and sims.dtype == np.float32
    np.testing.assert_allclose(sims, np.cos(np.radians([10, 20, 80, 90, 170])), atol=2e-3)


def test_top_and_exclude() -> None:
    unit = unit_rows(VECTORS)
    positions, sims = nearest(unit, unit[0], top=2, exclude=0)
    assert positions.tolist() == [1, 2]  # cos 30, cos 90; row 0 itself left out
    np.testing.assert_allclose(sims, [np.sqrt(3) / 2, 0.0], atol=2e-3)
    assert nearest(unit, unit[0], top=50, exclude=0)[0].tolist() == [1, 2, 4, 3]
    assert nearest(unit, unit[0], top=0)[0].tolist() == []
    assert nearest(unit[:1], unit[0], exclude=0)[0].tolist() == []


def test_equal_similarities_keep_position_order() -> None:
    unit = unit_rows(np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]))
    assert nearest(unit, np.array([1.0, 0.0]), top=2)[0].tolist() == [1, 3]
    assert nearest(unit, np.array([1.0, 0.0]), top=4)[0].tolist() == [1, 3, 4, 0]
    # Many equal rows (where a partition alone returns an arbitrary subset of the ties).
    same = unit_rows(np.ones((500, 3)))
    assert nearest(same, np.ones(3), top=10, exclude=3)[0].tolist() == [0, 1, 2, 4, 5, 6, 7, 8, 9, 10]
    assert nearest(same, np.ones(3), top=400)[0].tolist() == list(range(400))
    # Two groups of equal rows, interleaved at random: each group in position order.
    pattern = np.random.default_rng(2).integers(0, 2, size=300)
    mixed = unit_rows(np.where(pattern[:, None] == 1, [[1.0, 0.0]], [[0.0, 1.0]]))
    expected = np.flatnonzero(pattern == 1).tolist() + np.flatnonzero(pattern == 0).tolist()
    assert nearest(mixed, np.array([1.0, 0.0]), top=300)[0].tolist() == expected


def test_chunks_give_the_same_answer_as_one_product(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(103, 16)).astype(np.float32)
    query = rng.normal(size=16)
    whole = nearest(unit_rows(vectors), query, top=10, exclude=5)
    monkeypatch.setattr(neighbours, "_CHUNK_ROWS", 7)
    unit = unit_rows(vectors)
    chunked = nearest(unit, query, top=10, exclude=5)
    np.testing.assert_array_equal(whole[0], chunked[0])
    # The same as a brute-force float64 cosine similarity.
    brute = vectors @ query / np.linalg.norm(vectors, axis=1) / np.linalg.norm(query)
    brute[5] = -np.inf
    assert chunked[0].tolist() == np.argsort(-brute)[:10].tolist()
    np.testing.assert_allclose(chunked[1], brute[chunked[0]], atol=3e-3)


def test_a_zero_query_is_equally_far_from_everything() -> None:
    positions, sims = nearest(unit_rows(VECTORS), np.zeros(2), top=3)
    assert positions.tolist() == [0, 1, 2]
    np.testing.assert_array_equal(sims, 0.0)


def test_an_empty_table_has_no_neighbours() -> None:
    positions, sims = nearest(unit_rows(np.zeros((0, 3), dtype=np.float32)), np.ones(3))
    assert positions.size == 0 and sims.size == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: unit_rows(np.ones(3)), "table of rows x dimensions, not shape \\(3,\\)"),
        (lambda: unit_rows(np.ones((2, 2), dtype=np.int64)), "floating-point numbers, not int64"),
        (lambda: unit_rows(np.array([[1.0, 0.0], [np.nan, 1.0]])), "embedding at position 1 holds values that are not numbers"),
        (lambda: nearest(unit_rows(VECTORS), np.ones(3)), "query has shape \\(3,\\), but the embeddings have 2 dimensions"),
        (lambda: nearest(unit_rows(VECTORS), np.array([np.inf, 0.0])), "query embedding holds values that are not numbers"),
        (lambda: nearest(unit_rows(VECTORS), np.ones(2), top=-1), "0 or more, not -1"),
        (lambda: nearest(unit_rows(VECTORS), np.ones(2), exclude=5), "Cannot leave out position 5: there are 5 rows"),
        (lambda: nearest(unit_rows(VECTORS), np.ones(2), exclude=-1), "Cannot leave out position -1"),
    ],
)
def test_bad_input_is_one_line(call: object, message: str) -> None:
    with pytest.raises(BertdeskError, match=message) as err:
        call()  # type: ignore[operator]
    assert "\n" not in str(err.value)
