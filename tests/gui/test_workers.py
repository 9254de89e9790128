from __future__ import annotations

import threading
import time

import pytest

from bertdesk.core.errors import BertdeskError
from bertdesk.core.progress import CancelToken, Progress
from bertdesk.gui.workers import Job, running_jobs


def test_job_runs_off_the_gui_thread_and_reports(qtbot) -> None:
    seen_threads: list[int] = []
    progress: list[Progress] = []

    def work(on_progress, cancel: CancelToken) -> int:
        seen_threads.append(threading.get_ident())
        for i in range(5):
            on_progress(Progress(i + 1, 5, f"step {i}"))
        return 42

    job = Job(work, name="test", interval=0.0)
    job.progressed.connect(progress.append)
    with qtbot.waitSignal(job.succeeded, timeout=5000) as blocker:
        with qtbot.waitSignal(job.finished, timeout=5000):
            job.start()
    assert blocker.args == [42]
    assert seen_threads and seen_threads[0] != threading.get_ident()
    assert [p.done for p in progress] == [1, 2, 3, 4, 5]
    assert job not in running_jobs()


def test_job_failure_carries_the_error(qtbot) -> None:
    def work(on_progress, cancel):
        raise BertdeskError("reviews.csv: line 3 has 4 fields, the header has 3.")

    job = Job(work)
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        job.start()
    assert str(blocker.args[0]) == "reviews.csv: line 3 has 4 fields, the header has 3."
    job.wait()


def test_cancel_is_answered(qtbot) -> None:
    started = threading.Event()

    def work(on_progress, cancel: CancelToken):
        started.set()
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.01)

    job = Job(work)
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        job.start()
        assert started.wait(5)
        job.cancel()
    assert job.wait(5000)


@pytest.mark.parametrize("interval", [0.05])
def test_progress_is_throttled(qtbot, interval: float) -> None:
    received: list[Progress] = []

    def work(on_progress, cancel):
        for i in range(10_000):
            on_progress(Progress(i + 1, 10_000))
        return None

    job = Job(work, interval=interval)
    job.progressed.connect(received.append)
    with qtbot.waitSignal(job.finished, timeout=5000):
        job.start()
    qtbot.wait(50)
    assert 1 <= len(received) < 200
    assert received[-1].done == 10_000  # the last report always gets through
