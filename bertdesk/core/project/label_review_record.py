"""A label review as the project keeps it: the suspects found and the estimated label noise.

The review itself is computed in :mod:`bertdesk.core.review`; this module only says what is
stored (as JSON, so an older or newer bertdesk can still read what it understands) and reads it
back with every value checked, so a tampered file fails in one line instead of deep in a panel.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Set
from dataclasses import asdict, dataclass, field
from typing import Any

from bertdesk.core.errors import ProjectError

__all__ = ["LabelReview", "Suspect", "open_suspects"]


@dataclass(frozen=True)
class Suspect:
    """One row whose label is probably wrong.

    Attributes:
        row_id: 0-based row id (the app shows ``row_id + 1``).
        label: the label the row has.
        suggested: the label the out-of-sample model gives it most probability.
        score: label quality in [0, 1]; lower is more suspicious.
        given_probability: the out-of-sample probability of ``label``.
        suggested_probability: the out-of-sample probability of ``suggested``.
    """

    row_id: int
    label: str
    suggested: str
    score: float
    given_probability: float
    suggested_probability: float


@dataclass(frozen=True)
class LabelReview:
    """The result of one label review, most suspicious first.

    Attributes:
        mode: "fast" (embeddings + logistic regression) or "thorough" (k short fine-tunes).
        model_key: which model's embeddings or fine-tunes produced it.
        created_at: seconds since the epoch.
        labelled_rows: how many labelled rows were reviewed.
        estimated_noise: the estimated share of wrong labels among them.
        noise_by_label: per given label, the estimated share of its rows whose label is wrong.
        suspects: rows flagged as probably wrong, most suspicious first.
    """

    mode: str
    model_key: str
    created_at: float
    labelled_rows: int
    estimated_noise: float
    noise_by_label: dict[str, float] = field(default_factory=dict)
    suspects: tuple[Suspect, ...] = ()

    def to_json(self) -> str:
        """The review as one JSON object (what the project file stores)."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, where: str) -> LabelReview:
        """Read a stored review; ``where`` names the file in the one-line error.

        Raises:
            ProjectError: not JSON, or a value of the wrong type.
        """
        try:
            data = json.loads(text)
            return cls(
                mode=_text(data["mode"]),
                model_key=_text(data["model_key"]),
                created_at=_number(data["created_at"]),
                labelled_rows=int(_number(data["labelled_rows"])),
                estimated_noise=_number(data["estimated_noise"]),
                noise_by_label={_text(k): _number(v) for k, v in dict(data["noise_by_label"]).items()},
                suspects=tuple(_suspect(item) for item in data["suspects"]),
            )
        except (ValueError, KeyError, TypeError) as err:
            raise ProjectError(f"{where}: the stored label review is damaged ({err}); run the review again.") from err


def _suspect(item: dict[str, Any]) -> Suspect:
    row_id = item["row_id"]
    if not isinstance(row_id, int) or row_id < 0:
        raise ValueError(f"row id {row_id!r}")
    return Suspect(
        row_id=row_id,
        label=_text(item["label"]),
        suggested=_text(item["suggested"]),
        score=_number(item["score"]),
        given_probability=_number(item["given_probability"]),
        suggested_probability=_number(item["suggested_probability"]),
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {value!r}")
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"expected a number, found {value!r}")
    return float(value)


def open_suspects(review: LabelReview, labels: Mapping[int, str], reviewed: Set[int]) -> list[Suspect]:
    """The suspects still to look at, most suspicious first: a row relabelled since the review
    (its label is no longer the one suspected) or kept by a person (``reviewed``) is done."""
    return [s for s in review.suspects if s.row_id not in reviewed and labels.get(s.row_id) == s.label]
