"""What a user does to find wrong labels and alike rows, end to end, for the GUI and the CLI.

* :func:`review_labels`: every labelled row of a project gets out-of-sample probabilities
  (:mod:`~bertdesk.core.review.out_of_sample`), confident learning ranks the labels that are
  probably wrong (:mod:`~bertdesk.core.review.confident_learning`), and the review is stored in
  the project; :func:`review_data` is the same on rows read from a spreadsheet (nothing stored).
* :func:`similar_rows`: the rows nearest a row or a text by cosine similarity of sentence
  embeddings (:mod:`~bertdesk.core.review.neighbours`); :func:`similar_texts` on a spreadsheet.
* :func:`ensure_embeddings`: a project's embeddings, computed once per model and text column
  and stored (float16); a later call computes only the rows still missing, so a cancelled run
  keeps what it finished.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bertdesk.core.errors import BertdeskError
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, format_duration, no_progress
from bertdesk.core.project.label_review_record import LabelReview, Suspect, open_suspects
from bertdesk.core.review.out_of_sample import DEFAULT_FOLDS, REVIEW_MODES, ReviewMode, fast_out_of_sample, thorough_out_of_sample

if TYPE_CHECKING:
    from bertdesk.core.ml.inference import Predictor
    from bertdesk.core.ml.training_data import TrainingData
    from bertdesk.core.project import Project

# Rows embedded between two writes to the project: what a cancel or a crash can lose at most.
STORE_EVERY_ROWS = 2048
DEFAULT_TOP = 20

# Each open project's unit-length embeddings (key, row ids, float16 vectors), for similar rows:
# reading and normalising 100k x 384 stored vectors takes ~1 s; the search itself ~0.1 s. The
# vectors stored under a key never change while a project is open (the key names the model's
# weights and the text column; rows are only added), so an entry lives as long as the project
# object. One key per project, so the memory held is one model's vectors (77 MB for 100k rows).
_unit_vectors: weakref.WeakKeyDictionary[Project, tuple[str, np.ndarray, np.ndarray]] = weakref.WeakKeyDictionary()
_unit_lock = threading.Lock()


@dataclass(frozen=True)
class SimilarRow:
    """A row like the one asked about.

    Attributes:
        row_id: 0-based row id (the app shows ``row_id + 1``).
        similarity: cosine similarity of the two embeddings, -1..1.
        text: the row's text.
        label: its label, or None when it has none.
    """

    row_id: int
    similarity: float
    text: str
    label: str | None


def chosen_model(project: Project) -> Path:
    """The project's chosen model: the one last set in its Train panel, else the bundled default
    (what ``bertdesk train`` starts from).

    Raises:
        ModelError: that model cannot be found.
    """
    from bertdesk.core.ml.models import resolve_model_source
    from bertdesk.core.ml.training_config import PROJECT_SETTINGS_KEY

    spec = "default"
    try:
        stored = json.loads(project.get_setting(PROJECT_SETTINGS_KEY) or "{}")
        if isinstance(stored, dict) and isinstance(stored.get("model"), str) and stored["model"].strip():
            spec = stored["model"]
    except ValueError:  # damaged settings: the Train panel falls back to the defaults too
        pass
    return resolve_model_source(spec).path


def project_embedding_key(project: Project, model_dir: Path) -> str:
    """The key of ``project``'s stored embeddings by ``model_dir``: the model's identity and the
    text column (choosing another text column gives other vectors)."""
    from bertdesk.core.ml.embeddings import embedding_key

    return f"{embedding_key(model_dir)}|text:{project.text_column}"


def ensure_embeddings(
    project: Project,
    model_dir: Path,
    *,
    rows: Sequence[int] | np.ndarray | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The embeddings by ``model_dir`` of ``rows`` (None: every row): ``(row ids ascending, float16 [m, hidden])``.

    Rows already stored for this model and text column are read, the rest computed and stored
    every :data:`STORE_EVERY_ROWS` rows, so a cancel keeps what was done. A label review asks
    for its labelled rows only: a million-row table with 600 labels embeds 600 rows, not a million.

    Raises:
        Cancelled: ``cancel`` was set (the rows finished before are stored).
        ModelError: the model cannot be loaded.
    """
    key = project_embedding_key(project, model_dir)
    n = project.row_count
    wanted = np.arange(n, dtype=np.int64) if rows is None else np.unique(np.asarray(rows, dtype=np.int64))
    stored = project.embeddings(key)
    have = np.zeros(n, dtype=bool)
    if stored is not None:
        have[stored[0]] = True
    missing = wanted[~have[wanted]]
    if missing.size:
        _embed_missing(project, model_dir, key, missing, on_progress, cancel)
        stored = project.embeddings(key)
    if stored is None or not len(wanted):  # no rows asked for, or a project with no rows
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0 if stored is None else stored[1].shape[1]), dtype=np.float16)
    ids, vectors = stored
    if rows is None and len(ids) == n:
        return ids, vectors
    at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    gaps = int(np.count_nonzero(ids[at] != wanted))
    if gaps:  # another process is writing the same key meanwhile; never a silent gap
        raise BertdeskError(f"{project.path.name}: {gaps:,} rows still have no embedding; run it again.")
    return wanted, vectors[at]


def _embed_missing(
    project: Project, model_dir: Path, key: str, missing: np.ndarray, on_progress: ProgressCallback, cancel: CancelToken | None
) -> None:
    from bertdesk.core.ml.embeddings import load_embedder, sentence_embeddings

    on_progress(Progress(0, len(missing), f"Loading the model to embed {len(missing):,} rows..."))
    embedder = load_embedder(model_dir)
    texts = project.texts(missing.tolist())
    started = time.monotonic()
    for start in range(0, len(missing), STORE_EVERY_ROWS):
        part = slice(start, start + STORE_EVERY_ROWS)

        def report(progress: Progress, offset: int = start) -> None:
            done = offset + progress.done
            left = (time.monotonic() - started) / done * (len(missing) - done) if done else None
            tail = f", {format_duration(left)} left" if left is not None and done < len(missing) else ""
            on_progress(Progress(done, len(missing), f"Embedded {done:,} of {len(missing):,} rows{tail}"))

        vectors = sentence_embeddings(embedder, texts[part], on_progress=report, cancel=cancel)
        project.store_embeddings(key, missing[part], vectors)


def review_labels(
    project: Project,
    *,
    mode: ReviewMode = "fast",
    model_dir: Path | None = None,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> LabelReview:
    """Find the labelled rows of ``project`` whose label is probably wrong; store and return the review.

    Args:
        mode: ``fast`` (embeddings, stored for reuse, + logistic regression) or ``thorough``
            (``folds`` short fine-tunes).
        model_dir: the model; None: the project's chosen model (:func:`chosen_model`).
        folds, seed: the cross-validation.

    Raises:
        TrainingError: fewer than two labels have rows (nothing to compare).
        BertdeskError: a label has a single row (named), an unknown mode.
        Cancelled: ``cancel`` was set; the review stored before stays.
    """
    from bertdesk.core.ml.training_data import data_from_project

    _check_mode(mode)
    model = Path(model_dir) if model_dir is not None else chosen_model(project)
    data = data_from_project(project)
    features = None
    if mode == "fast":
        labelled = np.asarray(data.row_ids, dtype=np.int64)
        ids, vectors = ensure_embeddings(project, model, rows=labelled, on_progress=_step(on_progress, 1, 2), cancel=cancel)
        features = vectors[np.searchsorted(ids, labelled)]
    review = review_data(
        data, mode=mode, model_dir=model, folds=folds, seed=seed, features=features, on_progress=on_progress, cancel=cancel
    )
    review = LabelReview(
        review.mode,
        project_embedding_key(project, model),
        review.created_at,
        review.labelled_rows,
        review.estimated_noise,
        review.noise_by_label,
        review.suspects,
    )
    project.store_label_review(review)
    return review


def review_data(
    data: TrainingData,
    *,
    mode: ReviewMode = "fast",
    model_dir: Path,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    features: np.ndarray | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> LabelReview:
    """The label review of ``data`` (rows of a project or a spreadsheet); nothing is stored.

    ``features``: the rows' embeddings when the caller has them (fast mode); computed in memory
    otherwise. Suspects' ``row_id`` are ``data.row_ids``.
    """
    from bertdesk.core.ml.embeddings import embedding_key, sentence_embeddings
    from bertdesk.core.review.confident_learning import find_label_issues

    _check_mode(mode)
    names = list(data.label_order)
    labels = np.array([names.index(label) for label in data.labels], dtype=np.int64)
    if mode == "fast":
        if features is None:
            features = sentence_embeddings(model_dir, data.texts, on_progress=_step(on_progress, 1, 2), cancel=cancel)
        probs = fast_out_of_sample(
            features, labels, folds=folds, seed=seed, label_names=names, on_progress=_step(on_progress, 2, 2), cancel=cancel
        )
    else:
        probs = thorough_out_of_sample(data.texts, labels, names, model_dir, folds=folds, seed=seed, on_progress=on_progress, cancel=cancel)
    issues = find_label_issues(labels, probs)
    suspects = []
    for i in issues.ranked.tolist():
        given, suggested = int(labels[i]), int(issues.suggested[i])
        suspects.append(
            Suspect(
                row_id=int(data.row_ids[i]),
                label=names[given],
                suggested=names[suggested],
                score=float(issues.scores[i]),
                given_probability=float(probs[i, given]),
                suggested_probability=float(probs[i, suggested]),
            )
        )
    return LabelReview(
        mode=mode,
        model_key=embedding_key(model_dir),
        created_at=time.time(),
        labelled_rows=len(data),
        estimated_noise=float(issues.noise.overall),
        noise_by_label={name: float(rate) for name, rate in zip(names, issues.noise.noise_rate.tolist())},
        suspects=tuple(suspects),
    )


def suspects_to_show(project: Project, review: LabelReview) -> list[Suspect]:
    """``review``'s suspects minus the rows relabelled or kept (reviewed) since, most suspicious first."""
    return open_suspects(review, project.labels(), project.reviewed_rows())


def similar_rows(
    project: Project,
    *,
    row_id: int | None = None,
    text: str | None = None,
    top: int = DEFAULT_TOP,
    model_dir: Path | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> list[SimilarRow]:
    """The ``top`` rows of ``project`` most like row ``row_id`` (itself left out) or like ``text``,
    most similar first. Embeds the rows first when the project has no embeddings by the model.

    Raises:
        BertdeskError: neither or both of ``row_id`` and ``text``, or a row that does not exist.
        Cancelled: ``cancel`` was set while embedding (the rows finished are stored).
    """
    from bertdesk.core.review.neighbours import nearest

    _check_query(row_id, text)
    if row_id is not None and not 0 <= row_id < project.row_count:
        raise BertdeskError(f"There is no row {row_id + 1} in {project.path.name}: it has {project.row_count:,} rows.")
    model = Path(model_dir) if model_dir is not None else chosen_model(project)
    ids, unit = _project_unit_vectors(project, model, on_progress, cancel)
    query = unit[row_id] if row_id is not None else _embed_query(model, str(text), cancel)
    positions, similarity = nearest(unit, query, top=top, exclude=row_id)
    found = [int(ids[p]) for p in positions.tolist()]
    labels = project.labels()
    texts = project.texts(found)
    return [SimilarRow(r, float(s), t, labels.get(r)) for r, s, t in zip(found, similarity.tolist(), texts)]


def _project_unit_vectors(
    project: Project, model: Path, on_progress: ProgressCallback, cancel: CancelToken | None
) -> tuple[np.ndarray, np.ndarray]:
    """Every row's unit-length embedding by ``model`` (row ids, float16), from memory when this
    open project was asked before."""
    from bertdesk.core.review.neighbours import unit_rows

    key = project_embedding_key(project, model)
    with _unit_lock:
        cached = _unit_vectors.get(project)
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    ids, vectors = ensure_embeddings(project, model, on_progress=on_progress, cancel=cancel)
    unit = unit_rows(vectors)
    with _unit_lock:
        _unit_vectors[project] = (key, ids, unit)
    return ids, unit


def similar_texts(
    texts: Sequence[str],
    labels: Sequence[str | None],
    text: str,
    *,
    top: int = DEFAULT_TOP,
    model_dir: Path,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> list[SimilarRow]:
    """:func:`similar_rows` for rows read from a spreadsheet: embedded in memory, nothing stored;
    ``row_id`` is the row's position in ``texts``."""
    from bertdesk.core.ml.embeddings import sentence_embeddings
    from bertdesk.core.review.neighbours import nearest, unit_rows

    if len(texts) != len(labels):
        raise BertdeskError(f"{len(texts)} texts but {len(labels)} labels.")
    vectors = sentence_embeddings(model_dir, texts, on_progress=on_progress, cancel=cancel)
    positions, similarity = nearest(unit_rows(vectors), _embed_query(model_dir, text, cancel), top=top)
    return [SimilarRow(p, float(s), str(texts[p]), labels[p]) for p, s in zip(positions.tolist(), similarity.tolist())]


def _embed_query(model_dir: Path | Predictor, text: str, cancel: CancelToken | None) -> np.ndarray:
    from bertdesk.core.ml.embeddings import sentence_embeddings

    if not text.strip():
        raise BertdeskError("The text to find similar rows for is empty.")
    return sentence_embeddings(model_dir, [text], cancel=cancel).reshape(-1)


def _check_query(row_id: int | None, text: str | None) -> None:
    if (row_id is None) == (text is None):
        raise BertdeskError("Find rows similar to either a row or a text, not both or neither.")


def _check_mode(mode: str) -> None:
    if mode not in REVIEW_MODES:
        raise BertdeskError(f"Unknown review mode {mode!r}; choose one of {', '.join(REVIEW_MODES)}.")


def _step(on_progress: ProgressCallback, step: int, steps: int) -> ProgressCallback:
    """Reports of one step of a job, saying which step it is."""

    def report(progress: Progress) -> None:
        on_progress(Progress(progress.done, progress.total, f"Step {step} of {steps}: {progress.message}", progress.metrics))

    return report
