"""The bridge from a project's change messages (plain callbacks, any thread) to Qt signals on the GUI thread.

Core announces every change on ``Project.events`` (:mod:`bertdesk.core.project.events`) on the
thread that made it. A :class:`ProjectEvents` turns each message into one typed signal of the
GUI thread: a message from a worker (a bulk label, accepted predictions, a training recording
its run) crosses with a queued signal; one from the GUI thread itself (a key press, Edit >
Undo) is handed on at once, so a panel shows the edit before the key press returns. A message
from a project that is no longer the one shown (it arrived after the user opened another) is
dropped.

Each panel owns one and points it at its project; it then connects to the signals it needs
and refreshes (or, while hidden, marks itself stale and refreshes when shown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from bertdesk.core.project.events import (
    ActiveRunChanged,
    HistoryChanged,
    LabelReviewChanged,
    LabelsChanged,
    LabelSetChanged,
    Message,
    PredictionsChanged,
    RunsChanged,
)

if TYPE_CHECKING:
    from bertdesk.core.project import Project


class _Relay:
    """What the project's hub holds (weakly, through the bridge): forwards a message and its project."""

    def __init__(self, bridge: ProjectEvents, project: Project) -> None:
        self.bridge, self.project = bridge, project

    def deliver(self, message: Message) -> None:
        try:
            self.bridge.arrived.emit(self.project, message)
        except RuntimeError:  # the bridge's Qt object is gone (its panel was deleted)
            pass


class ProjectEvents(QObject):
    """The change messages of one project as signals of the GUI thread (see the module doc)."""

    labels_changed = Signal(object)  # LabelsChanged: .rows, .first, .last, .cause, .step
    label_set_changed = Signal(object)  # LabelSetChanged
    history_changed = Signal()  # ask the project for can_undo / undo_text
    runs_changed = Signal(object)  # RunsChanged
    active_run_changed = Signal(object)  # ActiveRunChanged: .run_id
    predictions_changed = Signal(object)  # PredictionsChanged: .run_id
    label_review_changed = Signal()  # ask the project for label_review()
    # Emitted on the changing thread; the default (auto) connection queues it to this object's
    # thread when that is another one.
    arrived = Signal(object, object)  # project, message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._relay: _Relay | None = None
        self._unsubscribe: Any = None
        self.arrived.connect(self._on_arrived)

    @property
    def project(self) -> Project | None:
        return self._project

    def set_project(self, project: Project | None) -> None:
        """Listen to ``project`` (None: to nothing) instead of the previous one."""
        if project is self._project:
            return
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._project, self._relay, self._unsubscribe = project, None, None
        if project is not None:
            self._relay = _Relay(self, project)
            self._unsubscribe = project.events.subscribe(self._relay.deliver)

    def _on_arrived(self, project: Project, message: Message) -> None:
        if project is not self._project or project.closed:
            return  # a late message of a project no longer shown
        if isinstance(message, LabelsChanged):
            self.labels_changed.emit(message)
        elif isinstance(message, LabelSetChanged):
            self.label_set_changed.emit(message)
        elif isinstance(message, HistoryChanged):
            self.history_changed.emit()
        elif isinstance(message, RunsChanged):
            self.runs_changed.emit(message)
        elif isinstance(message, ActiveRunChanged):
            self.active_run_changed.emit(message)
        elif isinstance(message, PredictionsChanged):
            self.predictions_changed.emit(message)
        elif isinstance(message, LabelReviewChanged):
            self.label_review_changed.emit()


class StaleWhileHidden:
    """Refreshes of a panel that run now when it is visible, else once when it is next shown.

    A panel calls :meth:`run` from its change handlers and :meth:`flush` from ``showEvent``;
    the same ``key`` queued twice while hidden runs once.
    """

    def __init__(self, widget: Any) -> None:
        self._widget = widget
        self._pending: dict[str, Any] = {}

    def run(self, key: str, refresh: Any) -> None:
        if self._widget.isVisible():
            refresh()
        else:
            self._pending[key] = refresh

    @property
    def stale(self) -> bool:
        """True while some refresh waits for the panel to be shown."""
        return bool(self._pending)

    def forget(self) -> None:
        """Drop the waiting refreshes (the panel is being shown afresh anyway)."""
        self._pending.clear()

    def flush(self) -> None:
        pending, self._pending = self._pending, {}
        for refresh in pending.values():
            refresh()
