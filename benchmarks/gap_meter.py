"""How long the GUI thread was unavailable: the gaps between ticks of a 10 ms QTimer.

Shared by ``ui_stall.py`` (training) and ``attention_latency.py`` (explaining a long text).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer


class GapMeter:
    """Ticks every ``interval`` ms on the GUI thread and keeps the gaps between ticks (ms).

    ``long`` records each gap over ``note_over`` ms with ``context()``, what was going on then.
    """

    def __init__(self, interval: int = 10, note_over: float = 60.0) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval)
        self.timer.timeout.connect(self._tick)
        self.note_over = note_over
        self.gaps: list[float] = []
        self.long: list[tuple[float, float, str]] = []  # (start ms, gap ms, context)
        self.context: Callable[[], str] = lambda: ""
        self._start = self._last = 0.0

    def start(self) -> None:
        self.gaps.clear()
        self.long.clear()
        self._start = self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        """Stop (counting the gap up to now); returns the longest gap in ms."""
        self._tick()
        self.timer.stop()
        return self.longest

    @property
    def longest(self) -> float:
        return max(self.gaps, default=0.0)

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last) * 1000
        self.gaps.append(gap)
        if gap > self.note_over:
            self.long.append(((self._last - self._start) * 1000, gap, self.context()))
        self._last = now

    def summary(self) -> str:
        gaps = sorted(self.gaps)
        p99 = gaps[int(0.99 * (len(gaps) - 1))] if gaps else 0
        return f"{len(gaps)} ticks, longest gap {self.longest:.0f} ms, p99 {p99:.0f} ms"
