"""The Train panel's progress line in the interface language.

Training reports its progress as English lines (:class:`bertdesk.core.progress.Progress`'s
``message``, shared with the CLI, which prints them). Their numbers are not all in the report's
fields (epochs, loss, time left), so the panel reads the lines it knows back into their parts and
says them again with translatable words: in English, the very same line. A line it does not know
(a model-loading note, a data warning) is shown as it came.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from bertdesk.core.baseline import Baseline
from bertdesk.gui.widgets.train_history import format_duration, scores_line

CONTEXT = "TrainPanel"
_NUMBER = r"-?\d+(?:\.\d+)?"


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def _seconds(duration: str) -> int | None:
    """``42s``, ``3m 07s``, ``1h 05m`` (core's :func:`~bertdesk.core.progress.format_duration`) in seconds."""
    match = re.fullmatch(r"(?:(\d+)h (\d\d)m|(\d+)m (\d\d)s|(\d+)s)", duration)
    if match is None:
        return None
    hours, minutes_h, minutes, seconds_m, seconds = match.groups()
    if hours is not None:
        return int(hours) * 3600 + int(minutes_h) * 60
    if minutes is not None:
        return int(minutes) * 60 + int(seconds_m)
    return int(seconds)


def _epoch_line(match: re.Match[str]) -> str | None:
    """``Epoch 2/4 · step 30/60 · loss 0.512 · 1m 07s left (at most)``."""
    parts = [
        QCoreApplication.translate("TrainPanel", "Epoch {epoch}/{epochs}").format(epoch=match["epoch"], epochs=match["epochs"]),
        QCoreApplication.translate("TrainPanel", "step {step}/{steps}").format(step=match["step"], steps=match["steps"]),
    ]
    if match["loss"] is not None:
        parts.append(QCoreApplication.translate("TrainPanel", "loss {loss}").format(loss=match["loss"]))
    if match["left"] is not None:
        seconds = _seconds(match["left"])
        if seconds is None:
            return None
        left = format_duration(seconds)
        if match["most"]:
            parts.append(QCoreApplication.translate("TrainPanel", "{time} left (at most)").format(time=left))
        else:
            parts.append(QCoreApplication.translate("TrainPanel", "{time} left").format(time=left))
    return " · ".join(parts)


def _validation_line(match: re.Match[str]) -> str:
    """``Validation: accuracy 0.812 (always “positive”: 0.640), macro-F1 0.790 (best so far)``."""
    if match["accuracy"] is None:
        scores = QCoreApplication.translate("RunHistoryWidget", "no validation rows")
    else:
        baseline = Baseline(match["label"], float(match["baseline"]), 0.0) if match["label"] is not None else None
        scores = scores_line(float(match["accuracy"]), float(match["f1"]), baseline)
    if match["best"]:
        return QCoreApplication.translate("TrainPanel", "Validation: {scores} (best so far)").format(scores=scores)
    return QCoreApplication.translate("TrainPanel", "Validation: {scores}").format(scores=scores)


def _batch_line(match: re.Match[str]) -> str:
    """``Effective batch 64 = 16 per process x 4 processes x 1 accumulation step``."""
    values = {key: match[key] for key in ("total", "per", "processes", "steps")}
    if match["steps"] == "1":
        return QCoreApplication.translate(
            "TrainPanel", "Effective batch {total} = {per} per process x {processes} processes x {steps} accumulation step"
        ).format(**values)
    return QCoreApplication.translate(
        "TrainPanel", "Effective batch {total} = {per} per process x {processes} processes x {steps} accumulation steps"
    ).format(**values)


def _simple(template: str) -> Callable[[re.Match[str]], str]:
    return lambda match: _tr(template).format(**match.groupdict())


# Each line core sends, as a pattern, and how to say it again (same words in English).
_LINES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]]] = [
    (
        re.compile(
            r"Epoch (?P<epoch>\d+)/(?P<epochs>\d+) · step (?P<step>\d+)/(?P<steps>\d+)"
            r"(?: · loss (?P<loss>\S+))?(?: · (?P<left>[\dhms ]+?) left(?P<most> \(at most\))?)?"
        ),
        _epoch_line,
    ),
    (
        re.compile(
            rf"Validation: (?:no validation rows|accuracy (?P<accuracy>{_NUMBER})"
            rf"(?: \(always “(?P<label>.*)”: (?P<baseline>{_NUMBER})\))?, macro-F1 (?P<f1>{_NUMBER}))(?P<best> \(best so far\))?",
            re.DOTALL,
        ),
        _validation_line,
    ),
    (
        re.compile(r"Evaluating on (?P<n>\d+) validation rows\.\.\."),
        _simple(QT_TRANSLATE_NOOP("TrainPanel", "Evaluating on {n} validation rows...")),
    ),
    (re.compile(r"Loading the model\.\.\."), _simple(QT_TRANSLATE_NOOP("TrainPanel", "Loading the model..."))),
    (re.compile(r"Tokenising (?P<n>\d+) rows\.\.\."), _simple(QT_TRANSLATE_NOOP("TrainPanel", "Tokenising {n} rows..."))),
    (re.compile(r"Saving the model\.\.\."), _simple(QT_TRANSLATE_NOOP("TrainPanel", "Saving the model..."))),
    (re.compile(r"Saved the model to (?P<path>.+)", re.DOTALL), _simple(QT_TRANSLATE_NOOP("TrainPanel", "Saved the model to {path}"))),
    (
        re.compile(r"Starting (?P<n>\d+) training processes \(torchrun\)\.\.\."),
        _simple(QT_TRANSLATE_NOOP("TrainPanel", "Starting {n} training processes (torchrun)...")),
    ),
    (
        re.compile(r"Training (?P<model>.+) on (?P<device>.+), (?P<precision>\w+)", re.DOTALL),
        _simple(QT_TRANSLATE_NOOP("TrainPanel", "Training {model} on {device}, {precision}")),
    ),
    (
        re.compile(r"(?P<model>.+) reads at most (?P<n>\d+) tokens per text; max length (?P<length>\d+) is cut to (?P=n)\.", re.DOTALL),
        _simple(QT_TRANSLATE_NOOP("TrainPanel", "{model} reads at most {n} tokens per text; max length {length} is cut to {n}.")),
    ),
    (
        re.compile(
            r"Effective batch (?P<total>\d+) = (?P<per>\d+) per process x (?P<processes>\d+) processes x (?P<steps>\d+) accumulation steps?"
        ),
        _batch_line,
    ),
    (
        re.compile(
            r"Out of memory: retrying with batch (?P<batch>\d+) x (?P<steps>\d+) accumulation steps \(same effective batch of (?P<total>\d+)\)\."
        ),
        _simple(
            QT_TRANSLATE_NOOP(
                "TrainPanel", "Out of memory: retrying with batch {batch} x {steps} accumulation steps (same effective batch of {total})."
            )
        ),
    ),
]


def progress_text(message: str) -> str:
    """``message`` (a line training reported) in the interface language; as it is when unknown."""
    for pattern, say in _LINES:
        match = pattern.fullmatch(message)
        if match is not None:
            said = say(match)
            if said is not None:
                return said
    return message
