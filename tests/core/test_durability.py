"""kill -9 in the middle of labelling loses nothing reported as saved and leaves a sound file.

A helper process (durability_worker.py) sets labels and undoes edits in a loop, printing each
promise after the call returns. The test kills it with SIGKILL after a random number of
promises, replays the printed log into an expected state, reopens the project and compares.
The one edit that was in flight when the process died may or may not have landed, so the
file must equal either the state before it or the state after it, and nothing else.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.core.project import Project

WORKER = Path(__file__).with_name("durability_worker.py")
REPO = Path(__file__).resolve().parents[2]
ROWS = 300

State = dict[int, tuple[str, str]]  # row id -> (label, source)


class Model:
    """What the project must hold, replayed from the worker's log (mirrors Project's undo rules)."""

    def __init__(self, labels: State) -> None:
        self.labels = labels
        self.undo: list[dict[int, tuple[str, str] | None]] = []  # per undo step: the rows before it

    def set(self, rows: list[int], label: str | None) -> None:
        new = None if label is None else (label, "human")
        if all(self.labels.get(r) == new for r in rows):
            return  # Project records no undo step for an edit that changes nothing
        self.undo.append({r: self.labels.get(r) for r in rows})
        self._put({r: new for r in rows})

    def undo_last(self) -> None:
        self._put(self.undo.pop())

    def _put(self, states: dict[int, tuple[str, str] | None]) -> None:
        for r, state in states.items():
            if state is None:
                self.labels.pop(r, None)
            else:
                self.labels[r] = state

    def copy(self) -> Model:
        twin = Model(dict(self.labels))
        twin.undo = [dict(step) for step in self.undo]
        return twin


def parse(line: str) -> tuple[str, list[int], str | None]:
    verb, _, rest = line.partition(" ")
    if not rest:
        return verb, [], None
    rows, label = rest.split(" ")
    return verb, [int(r) for r in rows.split(",")], None if label == "-" else label


def apply(model: Model, verb: str, rows: list[int], label: str | None) -> None:
    if verb in ("setting", "saved"):
        model.set(rows, label)
    elif verb in ("undoing", "undone") and model.undo:
        model.undo_last()


def run_and_kill(path: Path, seed: int, kill_after: int) -> tuple[list[str], int]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, str(WORKER), str(path), str(seed)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    lines: list[str] = []
    promises = 0
    deadline = time.monotonic() + 30
    try:
        while promises < kill_after:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"worker stopped early: {proc.stderr.read() if proc.stderr else ''}")
            lines.append(line.rstrip("\n"))
            promises += line.startswith(("saved", "undone"))
            assert time.monotonic() < deadline, "worker too slow"
        time.sleep(random.Random(seed).random() * 0.003)  # vary the phase of the kill
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        # Read through proc.stdout, not communicate(): communicate() reads the raw pipe and
        # would drop lines that readline() has already buffered.
        lines.extend(proc.stdout.read().splitlines())
        proc.wait(timeout=30)
        proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
    return lines, proc.returncode


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("round_", range(3))
def test_kill_9_loses_nothing_saved(tmp_path: Path, round_: int) -> None:
    seed = random.SystemRandom().randrange(1_000_000)
    kill_after = random.Random(seed).randint(50, 300)
    path = tmp_path / "kill.bertdesk"
    frame = pd.DataFrame({"text": [f"review {i}" for i in range(ROWS)], "label": ["pos" if i % 7 == 0 else "" for i in range(ROWS)]})
    Project.create(path, frame, text_column="text", label_column="label").close()

    lines, returncode = run_and_kill(path, seed, kill_after)
    assert returncode == -signal.SIGKILL, f"seed={seed}: worker was not killed ({returncode})"
    assert lines[0] == "ready"

    # Replay every completed promise; keep the last announced-but-unconfirmed edit aside.
    model = Model({i: ("pos", "imported") for i in range(0, ROWS, 7)})  # imported: not undoable
    pending: tuple[str, list[int], str | None] | None = None
    saved = 0
    for line in lines[1:]:
        verb, rows, label = parse(line)
        if verb in ("setting", "undoing"):
            pending = (verb, rows, label)
        elif verb in ("saved", "undone"):
            apply(model, verb, rows, label)
            pending = None
            saved += 1
        elif verb == "nothing-to-undo":
            pending = None
    assert saved >= kill_after
    candidates = [model.labels]
    if pending is not None:
        after = model.copy()
        apply(after, *pending)
        candidates.append(after.labels)

    with Project.open(path) as project:
        labels, sources = project.labels(), project.label_sources()
        found = {r: (name, sources[r]) for r, name in labels.items()}
    assert found in candidates, f"seed={seed}, kill after {kill_after}: labels differ from every possible state"

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
