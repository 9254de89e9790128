"""A project announces what changed (labels, label set, history, runs, predictions), whoever made
the change; and a background edit's undo step is recorded atomically with its write."""

from __future__ import annotations

import gc
import logging
import threading
from array import array
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bertdesk.core.project import Project
from bertdesk.core.project.events import ActiveRunChanged, HistoryChanged, LabelsChanged, LabelSetChanged, PredictionsChanged, RunsChanged
from bertdesk.core.project.undo import UndoHistory

TEXTS = [f"text {i}" for i in range(10)]
LABELS = ["a", "b", "", "a", "", "", "b", "", "", ""]


@pytest.fixture
def project(tmp_path: Path):
    frame = pd.DataFrame({"text": TEXTS, "label": LABELS})
    proj = Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label")
    yield proj
    proj.close()


def record(project: Project) -> list[Any]:
    heard: list[Any] = []
    project.events.subscribe(heard.append)
    return heard


def test_labelling_announces_the_rows_and_the_history(project: Project) -> None:
    heard = record(project)
    project.set_label(4, "b")
    assert heard == [LabelsChanged(array("q", [4]), 'Label row 5 "b"', "edit"), HistoryChanged()]
    heard.clear()
    project.set_labels([7, 2, 9], "a")
    assert [type(m) for m in heard] == [LabelsChanged, HistoryChanged]
    assert list(heard[0].rows) == [2, 7, 9] and (heard[0].first, heard[0].last) == (2, 9)
    heard.clear()
    project.set_label(4, "b")  # no change, no step: nothing to announce
    assert heard == []


def test_undo_and_redo_announce_like_an_edit(project: Project) -> None:
    project.set_label(4, "b")
    heard = record(project)
    assert project.undo()
    assert heard == [LabelsChanged(array("q", [4]), 'Label row 5 "b"', "undo"), HistoryChanged()]
    heard.clear()
    assert project.redo()
    assert heard == [LabelsChanged(array("q", [4]), 'Label row 5 "b"', "redo"), HistoryChanged()]
    heard.clear()
    project.undo()
    project.undo()
    project.undo()  # nothing left: no message
    assert [m.cause for m in heard if isinstance(m, LabelsChanged)] == ["undo"]


def test_label_set_edits_announce_the_set_and_the_rows_they_touch(project: Project) -> None:
    heard = record(project)
    project.add_label("c")
    assert [type(m) for m in heard] == [LabelSetChanged, HistoryChanged]
    heard.clear()
    project.merge_labels("a", ["b"])  # rows 1 and 6 become "a"
    assert [type(m) for m in heard] == [LabelSetChanged, LabelsChanged, HistoryChanged]
    assert list(heard[1].rows) == [1, 6]
    heard.clear()
    project.undo()
    assert [(type(m), getattr(m, "cause", None)) for m in heard] == [
        (LabelSetChanged, "undo"),
        (LabelsChanged, "undo"),
        (HistoryChanged, None),
    ]


def test_runs_active_run_and_predictions_are_announced(project: Project) -> None:
    heard = record(project)
    run = project.add_run(status="finished", model_dir="", config={}, metrics={"labels": ["a", "b"]})
    project.update_run(run, status="failed")
    project.set_active_run(run)
    probs = np.array([[0.9, 0.1], [0.2, 0.8]], dtype=np.float32)
    project.store_predictions(run, [0, 1], ["a", "b"], [0.9, 0.8], probs)
    project.clear_predictions(run)
    assert heard == [RunsChanged(run), RunsChanged(run), ActiveRunChanged(run), PredictionsChanged(run), PredictionsChanged(run)]
    heard.clear()
    project.delete_run(run)  # the active one: its predictions and the active run go with it
    assert heard == [RunsChanged(run), PredictionsChanged(run), ActiveRunChanged(None)]


def test_a_subscription_to_one_kind_hears_only_that_kind(project: Project) -> None:
    rows: list[LabelsChanged] = []
    stop = project.events.subscribe(rows.append, LabelsChanged)
    project.add_label("c")
    project.set_label(2, "c")
    assert [list(m.rows) for m in rows] == [[2]]
    stop()
    project.set_label(3, "c")
    assert len(rows) == 1


def test_a_background_edit_is_heard_on_its_thread_with_the_project_unlocked(project: Project) -> None:
    seen: list[tuple[str, int]] = []

    def listener(message: LabelsChanged) -> None:
        # Another thread can read the project now: the listener does not run under its lock.
        reader = threading.Thread(target=lambda: seen.append(("reader", project.labelled_count)))
        reader.start()
        reader.join(30)
        assert not reader.is_alive()
        seen.append((threading.current_thread().name, len(message.rows)))

    project.events.subscribe(listener, LabelsChanged)
    worker = threading.Thread(target=lambda: project.set_labels(range(10), "a"), name="job")
    worker.start()
    worker.join(30)
    assert seen == [("reader", 10), ("job", 10)]


def test_a_failing_listener_is_logged_and_the_others_still_hear(project: Project, caplog: pytest.LogCaptureFixture) -> None:
    def broken(message: Any) -> None:
        raise RuntimeError("listener bug")

    project.events.subscribe(broken, LabelsChanged)
    heard = record(project)
    with caplog.at_level(logging.ERROR):
        assert project.set_label(2, "a")  # the edit happened and says so
    assert project.label_of(2) == "a" and len(heard) == 2
    assert "LabelsChanged" in caplog.text


def test_a_listener_that_went_away_is_dropped(project: Project) -> None:
    class Panel:
        def __init__(self) -> None:
            self.heard = 0

        def on_change(self, message: Any) -> None:
            self.heard += 1

    panel = Panel()
    project.events.subscribe(panel.on_change)
    project.set_label(2, "a")
    assert panel.heard == 2
    del panel
    gc.collect()
    project.set_label(2, "b")  # no error, nobody left to tell
    assert project.label_of(2) == "b"


def test_a_background_edit_and_its_undo_step_are_one_atomic_record(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job's edit (here a merge) paused between its commit and its history push; meanwhile a key
    press labels a row on another thread. The key press must wait, so the history lists the two
    steps in the order they reached the disk, and Undo undoes the key press first."""
    in_push, release = threading.Event(), threading.Event()
    original_push = UndoHistory.push

    def slow_push(self: UndoHistory, change: Any) -> None:
        if threading.current_thread().name == "job":
            in_push.set()
            release.wait(30)
        original_push(self, change)

    monkeypatch.setattr(UndoHistory, "push", slow_push)
    job = threading.Thread(target=lambda: project.merge_labels("a", ["b"]), name="job")
    job.start()
    assert in_push.wait(30)
    key_press = threading.Thread(target=lambda: project.set_label(4, "a"), name="key")
    key_press.start()
    key_press.join(1.0)  # a bug would let it finish now, between the job's write and its step
    release.set()
    job.join(30)
    key_press.join(30)
    assert project.undo_text == 'Label row 5 "a"'
    assert project.undo() and project.label_of(4) is None
    assert project.undo_text.startswith("Merge")
    assert project.undo() and project.label_set.names == ("a", "b") and project.label_of(1) == "b"
    assert not project.can_undo
