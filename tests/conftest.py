"""Test set-up: no display, no hub. These must be set before Qt or transformers are imported."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Never touch the user's real settings or recent-files list from a test.
os.environ.setdefault("BERTDESK_SETTINGS_DIR", os.path.join(os.path.dirname(__file__), ".settings-unused"))
