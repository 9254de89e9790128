"""Fonts that draw Chinese tokens in simplified-Chinese glyph forms.

A widget's font seldom has Chinese glyphs; Qt then draws them with a fallback font that the
platform picks. Which one depends on the system locale: under an English or C locale fontconfig
takes the first CJK family it knows, typically "Noto Sans CJK JP", and English Windows a Japanese
one too. Those draw every character, but many shared ones (个, 真, 直, 骨, the full-width ！ and ？…)
with their Japanese glyphs, not the forms a Chinese reader expects. The attention views exist to show a Chinese model's tokens,
so their fonts name an installed simplified-Chinese family as the first fallback; Latin text
keeps the widget's own family (it comes first in the list).
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo

# Common simplified-Chinese UI fonts, best first: Linux (Noto, Source Han, WenQuanYi), Windows
# (Microsoft YaHei, SimHei, SimSun), macOS (PingFang, Hiragino Sans GB).
PREFERRED = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "SimSun",
)
# Name endings that say a CJK family is the simplified-Chinese cut of its design.
_SIMPLIFIED_MARKS = (" SC", " CN", " GB", " Hans")


def simplified_chinese_family() -> str | None:
    """An installed simplified-Chinese font family, or None (Qt's own fallback is all there is).

    Needs a QGuiApplication (the font database is the platform's).
    """
    available = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    for family in PREFERRED:
        if family in available:
            return family
    return next((family for family in available if family.endswith(_SIMPLIFIED_MARKS)), None)


def with_chinese_fallback(font: QFont) -> QFont:
    """``font`` with a simplified-Chinese family as its first fallback (``font`` itself when none is installed).

    The first family is the one ``font`` resolves to (not an alias such as "Sans Serif": Qt
    skips an alias in a family list, and the Chinese font would then draw the Latin text too).
    """
    family = simplified_chinese_family()
    resolved = QFontInfo(font).family()
    if family is None or resolved == family:
        return QFont(font)
    chosen = QFont(font)
    chosen.setFamilies([resolved, family])
    return chosen


__all__ = ["PREFERRED", "simplified_chinese_family", "with_chinese_fallback"]
