"""The lines about text the model cannot read ([UNK] tokens), in the interface's language.

Core's :class:`~bertdesk.core.ml.vocabulary_coverage.Coverage` writes them in English for the
CLI; the Data, Train and Predict panels build the same sentences here from its numbers, so they
translate. In English they are core's words exactly (tests/gui/test_*_unreadable.py and
test_train_texts.py compare). QCoreApplication.translate is thread-safe: the Predict panel
calls this on its job's thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from bertdesk.core.ml.vocabulary_coverage import Coverage

# Each string is written out in a QCoreApplication.translate("UnreadableText", ...) call: lupdate
# finds only those (a helper that wraps translate would hide the strings from it).


def train_fix() -> str:
    """What to do, said before training (core's TRAIN_FIX)."""
    return QCoreApplication.translate(
        "UnreadableText", "Use a model folder for that language (Train panel: Model > Model folder…, or --model DIR)."
    )


def predict_fix() -> str:
    """What to do, said before predicting (core's PREDICT_FIX)."""
    return QCoreApplication.translate(
        "UnreadableText", "Use a model trained from a model folder for that language (Train panel: Model > Model folder…, or --model DIR)."
    )


def coverage_summary(coverage: Coverage) -> str:
    """:meth:`Coverage.summary`: '12% of tokens unreadable by the model (sample of 2,000 texts)'."""
    share = 100 * coverage.share
    if coverage.sampled:
        return QCoreApplication.translate(
            "UnreadableText", "{share:.0f}% of tokens unreadable by the model (sample of {count:,} texts)"
        ).format(share=share, count=coverage.measured)
    return QCoreApplication.translate("UnreadableText", "{share:.0f}% of tokens unreadable by the model").format(share=share)


def unreadable_message(coverage: Coverage, column: str | None, fix: str) -> str | None:
    """:meth:`Coverage.message`: the warning when the model cannot read enough of ``column``, else None."""
    from bertdesk.core.ml.vocabulary_coverage import TEXTS_LIMIT

    if not coverage.warns:
        return None
    named = QCoreApplication.translate("UnreadableText", " ({column})").format(column=column) if column else ""
    where = (
        QCoreApplication.translate("UnreadableText", "measured on {measured:,} of {total:,} texts; ").format(
            measured=coverage.measured, total=coverage.total
        )
        if coverage.sampled
        else ""
    )
    texts = QCoreApplication.translate("UnreadableText", "; {share:.0f}% of the texts are mostly unreadable").format(
        share=100 * coverage.text_share
    )
    return QCoreApplication.translate(
        "UnreadableText",
        "The model cannot read {share:.0f}% of the words in this column{column}{texts} ({where}they become [UNK] tokens); "
        "it is probably in a language its vocabulary does not cover. {fix}",
    ).format(share=100 * coverage.share, column=named, texts=texts if coverage.text_share >= TEXTS_LIMIT else "", where=where, fix=fix)


def train_warning(coverage: Coverage, column: str | None) -> str | None:
    """:meth:`Coverage.message` with core's TRAIN_FIX (the Data and Train panels' line), or None."""
    return unreadable_message(coverage, column, train_fix())
