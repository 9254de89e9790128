"""Test set-up: no display, no hub. These must be set before Qt or transformers are imported."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Never touch the user's real settings or recent-files list from a test.
os.environ.setdefault("BERTDESK_SETTINGS_DIR", os.path.join(os.path.dirname(__file__), ".settings-unused"))

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory):
    """A tiny random BERT classifier (labels neg/pos) in a Hugging Face folder; read-only for tests."""
    from tests.tiny_model import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny-model") / "model")


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory):
    """A tiny random BERT with no classification head (like the bundled default)."""
    from tests.tiny_model import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny-encoder") / "model", labels=None)
