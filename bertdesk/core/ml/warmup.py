"""Load the ML stack ahead of need, off the GUI thread.

Importing torch and transformers takes 1-2 s, and parts of it run in C while holding the GIL
(loading libtorch alone held it for ~0.6 s here), freezing the GUI thread for that long whenever
it happens. The app calls :func:`warm_up` on a worker thread shortly after its window is shown,
while the user is still looking at their data, so that pressing Train or Predict later does not
pay for it.
"""

from __future__ import annotations

import importlib
import logging
import time

log = logging.getLogger(__name__)

MODULES = ("torch", "transformers", "transformers.models.bert.modeling_bert", "transformers.trainer", "sklearn.metrics")


def warm_up(modules: tuple[str, ...] = MODULES) -> float:
    """Import ``modules``; returns the seconds it took. Failures are logged, never raised."""
    started = time.monotonic()
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a broken optional module must not stop the app
            log.warning("could not pre-load %s", name, exc_info=True)
    return time.monotonic() - started
