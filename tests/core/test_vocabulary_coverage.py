"""The share of a text column a model's tokenizer cannot read ([UNK] tokens), and the warning."""

from __future__ import annotations

from typing import Any

import pytest

from bertdesk.core.ml.vocabulary_coverage import SAMPLE, TRAIN_FIX, Coverage, measure, unknown_token_share

# Real rows of zh_product_reviews (book reviews) and zh_news_sentiment, cut to their first words.
CHINESE = [
    "本人是一名大一学生，大一的生活一直处于浑浑噩噩的状态，直到我看到了这本书。它对于我的意义远远大于一本书。",
    "当时是因为要写读书报告 所以上网到处抄 就发现这本书感觉以前自己没看过中文版的骆驼祥子就看过电影",
    "《水知道答案》这本书我一口气买了5本，是因为这本书太好了，因为人体的70%都是水，对着水说爱的语言",
    "忍不住再说几句，这本书大多内容是参考其他书籍的，例如P37，内容是参考《金属切削机床》的",
    "阿加莎之外的另一位犯罪推理小说的大师级女作家！女作家和男作家的区别，在于擅长在逻辑严密和气氛紧张的犯罪推理之外",
    "三伏天已到，比天气更热的是红星美凯龙的第三届鲁班文化节。这个周末，想避暑的，想找童趣的，想听摇滚的，想买家具的",
]
ENGLISH = [
    "The film is a charming, funny and surprisingly moving story about growing up.",
    "A tedious two hours; the plot goes nowhere and the actors look bored.",
    "Call me back when you get this message, the meeting moved to 3pm.",
]


@pytest.fixture(scope="module")
def bundled_tokenizer() -> Any:
    from bertdesk.core.ml.models import load_tokenizer, resolve_model_source

    return load_tokenizer(resolve_model_source("default"))  # the tokenizer only: fast


def test_chinese_text_is_mostly_unreadable_by_the_bundled_model(bundled_tokenizer: Any) -> None:
    coverage = measure(bundled_tokenizer, CHINESE)
    assert coverage.share > 0.4
    assert coverage.text_share == 1.0
    assert coverage.warns
    message = coverage.message("review")
    assert message is not None
    assert message.startswith(f"The model cannot read {100 * coverage.share:.0f}% of the words in this column (review)")
    assert "language its vocabulary does not cover" in message and message.endswith(TRAIN_FIX)
    assert "\n" not in message


def test_english_text_gets_no_warning(bundled_tokenizer: Any) -> None:
    coverage = measure(bundled_tokenizer, ENGLISH)
    assert coverage.tokens > 30 and coverage.unknown == 0
    assert not coverage.warns and coverage.message("text") is None


def test_by_model_name_loads_that_tokenizer() -> None:
    assert unknown_token_share("default", CHINESE[:2]).warns
    assert not unknown_token_share(None, ENGLISH).warns


class _ByteLevel:
    """A tokenizer with no unknown token (RoBERTa's byte-level BPE reads every byte)."""

    unk_token_id = None

    def __call__(self, texts: list[str], **_: Any) -> dict[str, list[list[int]]]:
        return {"input_ids": [list(t.encode()) for t in texts]}


def test_a_tokenizer_without_an_unknown_token_reads_everything() -> None:
    coverage = measure(_ByteLevel(), CHINESE)
    assert coverage.share == 0.0 and not coverage.warns and coverage.message() is None


def test_empty_and_missing_texts_are_left_out(bundled_tokenizer: Any) -> None:
    assert measure(bundled_tokenizer, []) == Coverage()
    assert measure(bundled_tokenizer, [None, "", "   ", float("nan")]) == Coverage()
    coverage = measure(bundled_tokenizer, [None, "", *CHINESE[:1], float("nan")])
    assert coverage.measured == coverage.total == 1 and coverage.warns


def test_a_big_column_is_measured_on_a_seeded_sample_and_says_so(bundled_tokenizer: Any) -> None:
    texts = (CHINESE + ENGLISH) * 400  # 3,600 texts
    first = measure(bundled_tokenizer, texts)
    assert first.measured == SAMPLE and first.total == len(texts) and first.sampled
    assert measure(bundled_tokenizer, texts) == first  # seeded: the same answer every time
    message = first.message("text")
    assert message is not None and f"measured on {SAMPLE:,} of {len(texts):,} texts" in message


def test_a_few_unreadable_texts_warn_when_they_are_many_texts() -> None:
    # 3% of the tokens unknown overall, but a quarter of the texts mostly unreadable: warn.
    assert Coverage(unknown=3, tokens=100, unreadable=25, measured=100, total=100).warns
    assert not Coverage(unknown=3, tokens=100, unreadable=5, measured=100, total=100).warns


def test_a_project_is_measured_on_a_sample_of_its_rows(tmp_path: Any, tiny_model_dir: Any) -> None:
    import pandas as pd

    from bertdesk.core.ml.vocabulary_coverage import project_coverage
    from bertdesk.core.project import Project

    project = Project.create(tmp_path / "p.bertdesk", pd.DataFrame({"text": (CHINESE + ENGLISH) * 10}), text_column="text")
    try:
        coverage = project_coverage(project, str(tiny_model_dir), sample=50)
        assert coverage.measured == 50 and coverage.total == 90 and coverage.warns
        message = coverage.message("text")
        assert message is not None and "measured on 50 of 90 texts" in message
        whole = project_coverage(project, str(tiny_model_dir))
        assert whole.measured == whole.total == 90 and not whole.sampled
    finally:
        project.close()
