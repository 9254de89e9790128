"""The start-up warm-up imports the ML stack and never raises."""

from __future__ import annotations

import logging
import sys

import pytest

from bertdesk.core.ml.warmup import MODULES, warm_up


def test_warm_up_imports_what_training_needs() -> None:
    assert "torch" in MODULES and "transformers.trainer" in MODULES
    assert warm_up(("json", "numpy")) >= 0
    assert "numpy" in sys.modules


def test_a_broken_module_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        warm_up(("bertdesk_no_such_module",))
    assert "could not pre-load bertdesk_no_such_module" in caplog.text
