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


def _mounted_tmpfs(point, options: str, why: str):
    """Mount a real tmpfs with ``options`` at ``point`` for one test; skipped where mount is not allowed."""
    import shutil
    import subprocess

    point.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)]
    if shutil.which("mount") is None or subprocess.run(mount, capture_output=True).returncode:
        pytest.skip(f"cannot mount {why} here")
    yield point
    subprocess.run(["umount", str(point)], check=False)


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 64 KiB filesystem (tmpfs): a disk that fills up."""
    yield from _mounted_tmpfs(tmp_path / "tiny", "size=64k", "a tmpfs")


@pytest.fixture
def ro_mount(tmp_path):
    """A real read-only filesystem (tmpfs mounted ro)."""
    yield from _mounted_tmpfs(tmp_path / "ro", "ro,size=1m", "a read-only tmpfs")
