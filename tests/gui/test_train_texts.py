"""The Train panel's translatable texts say, in English, exactly what core says.

Core's lines (truncation, unreadable text, scores and verdict, devices, label-set issues, training
progress) are shared with the CLI and stay English; the panel builds its own, translatable, from
the same fields. These tests keep the two in step: a change in core's wording fails here.
"""

from __future__ import annotations

import pytest

from bertdesk.core.ml import training
from bertdesk.core.ml.devices import GIB, DeviceInfo
from bertdesk.core.ml.distributed import CPU_PROCESSES_ENV, parallel_choice
from bertdesk.core.ml.training_config import HELP
from bertdesk.core.ml.training_metrics import ValidationScores
from bertdesk.core.ml.truncation import Truncation
from bertdesk.core.ml.vocabulary_coverage import Coverage
from bertdesk.core.progress import format_duration as core_duration
from bertdesk.core.project.label_hygiene import check_labels
from bertdesk.gui.widgets.train_history import format_duration, scores_text, status_text, verdict_text
from bertdesk.gui.widgets.train_progress import progress_text
from bertdesk.gui.widgets.train_settings import HELP_TEXT, device_text, help_text, parallel_text
from bertdesk.gui.widgets.train_summary import issue_text
from bertdesk.gui.widgets.train_truncation import truncation_text
from bertdesk.gui.widgets.unreadable_text import train_warning as coverage_text


@pytest.mark.parametrize(
    "result",
    [
        Truncation(12, 360, 128, None),
        Truncation(12, 360, 128, 160),
        Truncation(300, 360, 64, 256),
        Truncation(1, 1, 8, None),
        Truncation(0, 360, 128, None),
    ],
)
def test_the_truncation_line_is_cores(qapp, result: Truncation) -> None:
    assert truncation_text(result) == result.describe()


@pytest.mark.parametrize(
    "coverage",
    [
        Coverage(unknown=50, tokens=100, unreadable=9, measured=10, total=10),  # most texts unreadable
        Coverage(unknown=6, tokens=100, unreadable=1, measured=10, total=10),  # tokens only
        Coverage(unknown=60, tokens=100, unreadable=1500, measured=2000, total=12345),  # a sample
        Coverage(unknown=1, tokens=100, unreadable=0, measured=10, total=10),  # no warning
    ],
)
@pytest.mark.parametrize("column", ["评论", None])
def test_the_unreadable_text_warning_is_cores(qapp, coverage: Coverage, column: str | None) -> None:
    assert coverage_text(coverage, column) == coverage.message(column)


def _scores(matrix: list[list[int]]) -> ValidationScores:
    total = sum(map(sum, matrix))
    correct = sum(matrix[i][i] for i in range(len(matrix)))
    return ValidationScores.from_dict(
        {"accuracy": correct / total, "macro_f1": 0.5, "confusion_matrix": matrix, "labels": ["pos", "neg"], "support": total}
    )


@pytest.mark.parametrize(
    "scores",
    [
        _scores([[8, 0], [0, 2]]),  # beats the baseline
        _scores([[6, 2], [2, 0]]),  # does not
        ValidationScores.from_dict({"accuracy": 0.62, "macro_f1": 0.61, "confusion_matrix": [[6, 0], [4, 0]], "labels": ["a", "b"]}),
        ValidationScores.from_dict({"accuracy": 0.5, "macro_f1": 0.4, "confusion_matrix": [[3, 3], [2, 2]], "labels": ["a", "b"]}),
        ValidationScores.from_dict({"accuracy": 0.9, "macro_f1": 0.8}),  # no confusion matrix: no baseline
        ValidationScores.from_dict(None),  # no validation rows
    ],
)
def test_scores_and_verdict_are_cores(qapp, scores: ValidationScores) -> None:
    assert scores_text(scores) == scores.summary()
    assert verdict_text(scores) == scores.verdict()


def test_the_rarer_labels_verdict_is_cores(qapp) -> None:
    # Accuracy a little under the baseline's, macro-F1 well above it: core's second sentence.
    scores = ValidationScores.from_dict({"accuracy": 0.58, "macro_f1": 0.55, "confusion_matrix": [[6, 0], [4, 0]], "labels": ["a", "b"]})
    assert "rarer labels" in (scores.verdict() or "")
    assert verdict_text(scores) == scores.verdict()


@pytest.mark.parametrize(
    "device",
    [
        DeviceInfo("cuda", "cuda:1", "NVIDIA H200", bf16=True, fp16=True, free_bytes=int(138.2 * GIB), total_bytes=int(139.8 * GIB)),
        DeviceInfo("cuda", "cuda:0", "Tesla T4", bf16=False, fp16=True),
        DeviceInfo("mps", "mps", "Apple M2"),
        DeviceInfo("cpu", "cpu", "test, 2 cores", bf16=True),
        DeviceInfo("cpu", "cpu", "test, 2 cores"),
    ],
)
def test_devices_are_named_as_core_names_them(qapp, device: DeviceInfo) -> None:
    assert device_text(device) == device.describe()


def test_all_gpus_and_cpu_processes_are_named_as_core_names_them(qapp, monkeypatch) -> None:
    gpus = [DeviceInfo("cuda", f"cuda:{i}", name) for i, name in enumerate(["B200", "H200", "H200"])]
    choice = parallel_choice(gpus)
    assert choice is not None and parallel_text(choice, gpus) == choice.label == "All 3 GPUs (B200, H200; torchrun)"
    monkeypatch.setenv(CPU_PROCESSES_ENV, "2")
    choice = parallel_choice([DeviceInfo("cpu", "cpu", "test")])
    assert choice is not None and parallel_text(choice, []) == choice.label


def test_every_setting_tooltip_is_cores(qapp) -> None:
    assert set(HELP) <= set(HELP_TEXT)
    for key, text in HELP.items():
        assert help_text(key) == text


@pytest.mark.parametrize(
    "counts",
    [
        {"positive": 40, "Positive": 3, "negative": 30},
        {"a": 1, "b": 30},
        {"a": 7, "b": 30},
        {"a": 5, "b": 30, "A ": 2, "c\u200b": 2000, "c": 1},
    ],
)
def test_label_set_issues_read_as_cores(qapp, counts: dict[str, int]) -> None:
    issues = check_labels(counts)
    assert issues
    for issue in issues:
        assert issue_text(issue, counts) == issue.message + (f" {issue.fix}" if issue.fix else "")


@pytest.mark.parametrize("seconds", [0, 1, 42.4, 59.6, 60, 187, 3599, 3600, 3900, 90_000])
def test_durations_are_cores(qapp, seconds: float) -> None:
    assert format_duration(seconds) == core_duration(seconds)
    assert format_duration(None) == core_duration(None) == ""


@pytest.mark.parametrize(
    "message",
    [
        "Epoch 1/4 · step 3/60",
        "Epoch 2/4 · step 30/60 · loss 0.512",
        "Epoch 2/4 · step 30/60 · loss 0.512 · 1m 07s left (at most)",
        "Epoch 4/4 · step 59/60 · loss nan · 3s left",
        "Epoch 10/10 · step 1/9000 · 2h 05m left",
        "Evaluating on 8 validation rows...",
        "Validation: accuracy 0.812 (always “positive”: 0.640), macro-F1 0.790 (best so far)",
        "Validation: accuracy 0.500 (always “a: “b”, c”: 0.600), macro-F1 0.333",
        "Validation: accuracy 0.900, macro-F1 0.800",
        "Validation: no validation rows",
        "Loading the model...",
        "Training tiny-bert on CPU: test, 2 cores (bf16), bf16",
        "Training all-MiniLM-L6-v2 on GPU cuda:0: NVIDIA H200 (138.2 GiB free of 139.8 GiB), fp16",
        "tiny-bert reads at most 128 tokens per text; max length 256 is cut to 128.",
        "Tokenising 40 rows...",
        "Out of memory: retrying with batch 8 x 2 accumulation steps (same effective batch of 16).",
        "Saving the model...",
        "Saved the model to /tmp/run 3/model",
        "Starting 2 training processes (torchrun)...",
        training.describe_batch(16, 1, 2),
        training.describe_batch(16, 2, 4),
        "Something core says that the panel does not know.",
        "Epoch 1/4 · step 3/60 · soon left",  # a time it cannot read: as it came
    ],
)
def test_progress_lines_read_as_core_wrote_them(qapp, message: str) -> None:
    assert progress_text(message) == message


def test_run_statuses_read_as_stored(qapp) -> None:
    for status in ("running", "finished", "cancelled", "failed", "interrupted", "from a newer version"):
        assert status_text(status) == status
