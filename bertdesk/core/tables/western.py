"""Does a cp1252 reading of some bytes look like Western-European text?

Short Western files hold too few accented bytes for a statistical detector: charset-normalizer
read one in five 5-20 line French or Portuguese cp1252 files as cp1250, cp1257 or even GB18030
("Déjà vu" -> "Déją vu"). The bytes of other scripts, read as cp1252, give shapes that Western
words never have, and those are easy to see: words made only of accented letters (Cyrillic
"Привет" -> "Ïðèâåò", Chinese, Greek, Hebrew), or symbols wedged between letters (Polish
"zażółć" in cp1250 -> "za¿ó³æ", Shift-JIS -> "‚±‚Ì"). :func:`western_evidence` counts both.
"""

from __future__ import annotations

import re

_NON_ASCII = re.compile("[^\x00-\x7f]")

# Letters of the Western European languages cp1252 was made for (Latin-1's letters plus the
# five cp1252 adds), upper and lower case.
_LETTERS = frozenset("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿŠšŒœŽžŸªºµ")
# Signs that sit next to letters in Western text: apostrophes ("l’été") and the Catalan middle dot.
_JOINERS = frozenset("’‘·")


def western_evidence(text: str) -> tuple[int, int]:
    """(plausible, implausible) counts of the non-ASCII characters of ``text`` read as cp1252.

    A Western accented letter is plausible inside a word that also has ASCII letters and no
    run of three accented letters ("Größe", "ação"), or alone between ASCII characters ("à",
    "ó"). Any other non-ASCII sign is plausible next to ASCII and not between two letters
    ("20 €", "« oui »", "¿qué?"). Everything else counts against.
    """
    good = bad = 0
    n = len(text)
    i = 0
    while True:
        found = _NON_ASCII.search(text, i)
        if found is None:
            break
        i = found.start()
        ch = text[i]
        if ch.isalpha():
            # The whole word around this letter: letters only, ASCII or not.
            start = i
            while start > 0 and text[start - 1].isalpha():
                start -= 1
            end = i
            while end < n and text[end].isalpha():
                end += 1
            word = text[start:end]
            accented = [c for c in word if not c.isascii()]
            if all(c in _LETTERS for c in accented) and _word_is_western(word, text, start, end):
                good += len(accented)
            else:
                bad += len(accented)
            i = end
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < n else " "
        between_letters = before.isalpha() and after.isalpha()
        if ch in _JOINERS or ((before.isascii() or after.isascii()) and not between_letters):
            good += 1
        else:
            bad += 1
        i += 1
    return good, bad


def _word_is_western(word: str, text: str, start: int, end: int) -> bool:
    if any(c.isascii() for c in word):
        run = longest = 0
        for c in word:
            run = 0 if c.isascii() else run + 1
            longest = max(longest, run)
        return longest < 3
    if len(word) != 1:
        return False  # "Ïðèâåò": no Western word is made only of accented letters
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return (before.isascii() or before in "¿¡«“„‘’") and (after.isascii() or after in "»”“’…")
