"""What the first bytes of a file say: binary or text, which text encoding, which delimiter.

Helpers for :mod:`bertdesk.core.tables.reading`. Everything here works on an in-memory sample (the
first megabyte or so), so it is fast on any file size; the reader checks the rest as it goes.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from typing import Any

#: Encodings offered in the import dialog (Python codec names), most common first.
ENCODING_CHOICES: list[str] = [
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "cp1252",
    "latin-1",
    "iso8859-15",
    "cp1250",
    "cp1251",
    "gb18030",
    "big5",
    "shift_jis",
    "cp932",
    "euc_jp",
    "cp949",
    "koi8_r",
    "mac_roman",
]

#: Delimiters the detector considers, with the names the import dialog shows.
DELIMITER_CHOICES: dict[str, str] = {",": "Comma", ";": "Semicolon", "\t": "Tab", "|": "Pipe"}

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Only signatures long or odd enough never to start a real text file; anything else binary is
# caught by its share of NUL and control bytes (see _binary_bytes).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"ARROW1\x00\x00", "an Arrow/Feather file"),
    (b"\x00asm", "a WebAssembly program"),
)

_CJK = {
    "gb18030",
    "gbk",
    "gb2312",
    "hz",
    "big5",
    "big5hkscs",
    "cp950",
    "shift_jis",
    "cp932",
    "shift_jis_2004",
    "shift_jisx0213",
    "euc_jp",
    "euc_jis_2004",
    "euc_jisx0213",
    "cp949",
    "euc_kr",
    "johab",
    "iso2022_jp",
    "iso2022_kr",
}
# Supersets that decode everything their namesakes do, the same way (GBK/GB2312 -> GB18030).
_SUPERSET = {"gbk": "gb18030", "gb2312": "gb18030", "euc_kr": "cp949", "cp950": "big5"}
_CJK_CANDIDATES = ("gb18030", "shift_jis", "cp932", "big5", "cp949", "euc_jp")
# Frequent Chinese characters (simplified and traditional). A wrong double-byte decoding gives
# random ideographs; the right one hits these often.
_COMMON_HAN = frozenset(
    "的一是不了人我在有他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之"
    "年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理"
    "心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高"
    "间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老"
    "给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女"
    "变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形"
    "社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程"
    "北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每"
    "济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质"
    "团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称"
    "企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅"
    "考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章"
    "們這個來國說時會對過發後裡為與長機實開從關點業將間問麼沒當現經學動還進著麼廣東車電們"
    "吃喝好很菜貴贵服务務餐厅廳味道便宜质質量评評价價"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"[-+]?(\d[\d,.\s]*|\.\d+)([eE][-+]?\d+)?%?")


def bom_encoding(head: bytes) -> tuple[str | None, int]:
    """The encoding named by a byte-order mark at the start of ``head``, and the mark's length."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    return None, 0


def describe_binary(head: bytes) -> str | None:
    """Say why a binary file is not a table ("a PNG image, not a table"), or None when
    ``head`` looks like text.

    Args:
        head: the first bytes of the file (a few kilobytes is plenty).
    """
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"{what}, not a table"
    if bom_encoding(head)[0] is not None or _utf16_without_bom(head) is not None:
        return None  # UTF-16/32 is full of NUL bytes, in a pattern
    if head.startswith(b"BZh") and head[4:10] == b"1AY&SY":
        return "a bzip2 archive, not a table"
    count = _binary_bytes(head)
    if count > 3 and count > BINARY_SHARE * len(head[:65536]):
        return "a binary file, not a table"
    return None


#: Above this share of NUL and other control bytes a file is binary. Real text exports do
#: carry a few (a NUL inside a cell, ESC colour codes from a terminal log) and are read;
#: random or compressed bytes have ~10 %, structured binaries far more.
BINARY_SHARE = 0.05
# C0 controls except tab, LF, VT, FF, CR and ESC (which text legitimately holds), and DEL.
_BINARY_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])


def _binary_bytes(head: bytes) -> int:
    """NUL and other control bytes in (the first 64 KiB of) ``head``."""
    sample = head[:65536]
    return len(sample) - len(sample.translate(None, _BINARY_BYTES))


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when mostly-ASCII UTF-16 has no BOM (NUL in every other byte)."""
    sample = head[: 4096 - (len(head[:4096]) % 2)]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if nul_odd > 0.3 and nul_even < 0.05:
        return "utf-16-le"
    if nul_even > 0.3 and nul_odd < 0.05:
        return "utf-16-be"
    return None


def canonical_codec(name: str) -> str:
    """Python's canonical name for a codec ('latin_1' -> 'latin-1', 'UTF8' -> 'utf-8').

    Raises:
        LookupError: when Python has no such codec.
    """
    canon = codecs.lookup(name).name
    return {"iso8859-1": "latin-1"}.get(canon, canon)


def decode_sample(sample: bytes, codec: str, *, complete: bool, errors: str = "replace") -> str:
    """Decode ``sample`` with ``codec``; when it is not the whole file, a character cut in two
    at the end is dropped rather than turned into a replacement character."""
    decoder = codecs.getincrementaldecoder(codec)(errors=errors)
    return decoder.decode(sample, final=complete)


def detect_encoding(sample: bytes, *, complete: bool) -> tuple[str, list[str]]:
    """Guess the encoding of a text sample.

    Order: a BOM; BOM-less UTF-16; strict UTF-8 (cut at a character boundary); UTF-8 with a
    few damaged bytes; then charset-normalizer, corrected for its known confusions
    (Shift-JIS read as GB18030, cp1252 reported as cp1250).

    Args:
        sample: the first bytes of the file.
        complete: True when ``sample`` is the whole file.

    Returns:
        The codec name and any warnings (one line each) about a doubtful guess.
    """
    name, _ = bom_encoding(sample)
    if name:
        return name, []
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return utf16, []
    try:
        decode_sample(sample, "utf-8", complete=complete, errors="strict")
        return "utf-8", []
    except UnicodeDecodeError:
        pass
    text = decode_sample(sample, "utf-8", complete=complete)
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad  # decoded non-ASCII characters
    if good >= max(1, bad):
        # Real multi-byte UTF-8 sequences almost never happen by chance in legacy encodings,
        # so this is UTF-8 with some damage; the reader warns about the replaced bytes.
        return "utf-8", []
    return detect_legacy(sample)


def detect_legacy(sample: bytes) -> tuple[str, list[str]]:
    """Guess a non-Unicode encoding (cp1252, GB18030, Shift-JIS, ...) for ``sample``.

    cp1252 (what Windows and Excel write in Western Europe) wins whenever its reading looks
    like Western text (:func:`bertdesk.core.tables.western.western_evidence`), unless a long sample
    reads clearly cleaner in another single-byte code page: on short files charset-normalizer
    guesses among look-alike code pages by chance. A decision made on few accented
    characters is reported as a guess, in the warnings.
    """
    from charset_normalizer import from_bytes  # ~100 ms to import; only needed for legacy files

    # Feed charset-normalizer only the lines that hold non-ASCII bytes: in a big, mostly ASCII
    # sample they are the only evidence, and a smaller input is faster.
    lines, size = [], 0
    for line in sample.splitlines():
        if not line.isascii():
            lines.append(line)
            size += len(line) + 1
            if size > 65536:  # whole lines only, so no character is cut in two
                break
    evidence = b"\n".join(lines) or sample[:65536]
    matches = [m for m in from_bytes(evidence) if not m.encoding.startswith("utf")]
    western = _western_reading(evidence)
    if western is not None:
        good, text = western
        other = _clearly_cleaner(evidence, text, matches) if good >= _LONG_EVIDENCE else None
        if other:
            return other, []
        return "cp1252", [] if good >= _GUESS_BELOW else [_guess_note("cp1252", good)]
    best = canonical_codec(matches[0].encoding) if matches else None
    best = _SUPERSET.get(best, best) if best else None
    if best is None or best in _CJK:
        cjk = _best_cjk(evidence)
        if cjk:
            return cjk, _thin(evidence, cjk)
    if best is not None and best not in _CJK:
        # Western text often decodes equally well under several code pages (charset-normalizer
        # then ranks them by chance); among the near-ties prefer what Windows and Excel write.
        floor = min(m.chaos for m in matches)
        ties = {canonical_codec(m.encoding) for m in matches if m.chaos <= floor + 0.01} | {best}
        for preferred in ("cp1252", "latin-1", "iso8859-15"):
            if preferred in ties or any(_decodes_same(evidence, t, preferred) for t in ties):
                return preferred, _thin(evidence, preferred)
        return best, _thin(evidence, best)
    for fallback in ("cp1252", "latin-1"):
        if _decodes_same(evidence, fallback, fallback):
            return fallback, [f"the encoding could not be detected reliably; assumed {fallback}"]
    return "latin-1", ["the encoding could not be detected reliably; assumed latin-1"]


# Fewer accented characters than this and the code page is a guess (warned about); from this
# many on, a code page that reads clearly cleaner than cp1252 may overrule it.
_GUESS_BELOW = 8
_LONG_EVIDENCE = 30
_JUDGED_CHARS = 16384  # plenty of evidence; the judges are pure Python
_CLEANER_BY = 0.1  # charset-normalizer's "mess ratio": 0 clean text, ~1 gibberish


def _western_reading(evidence: bytes) -> tuple[int, str] | None:
    """(plausible accented characters, text) when cp1252 reads ``evidence`` as Western text."""
    from bertdesk.core.tables.western import western_evidence

    try:
        text = evidence.decode("cp1252")
    except UnicodeDecodeError:
        return None  # bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)
    good, bad = western_evidence(text[:_JUDGED_CHARS])
    return (good, text) if good and bad * 20 <= good else None


def _clearly_cleaner(evidence: bytes, text: str, matches: list[Any]) -> str | None:
    """A single-byte code page that reads ``evidence`` differently and clearly cleaner than
    cp1252 does (Hungarian "őrző" is "õrzõ" in cp1252: Western letters, wrong text)."""
    from charset_normalizer.md import mess_ratio

    mess = mess_ratio(text[:_JUDGED_CHARS], 1.0)
    for m in matches[:3]:
        codec = _SUPERSET.get(canonical_codec(m.encoding), canonical_codec(m.encoding))
        if codec in _CJK or codec in ("cp1252", "latin-1", "iso8859-15"):
            continue
        try:
            other = evidence.decode(codec)
        except UnicodeDecodeError:
            continue
        if other != text and mess - mess_ratio(other[:_JUDGED_CHARS], 1.0) >= _CLEANER_BY:
            return codec
    return None


def _thin(evidence: bytes, codec: str) -> list[str]:
    """A guess warning when ``evidence`` holds only a few non-ASCII characters."""
    try:
        text = evidence.decode(codec)
    except UnicodeDecodeError:
        return []
    count = sum(1 for ch in text if not ch.isascii())
    return [_guess_note(codec, count)] if count < _GUESS_BELOW else []


def _guess_note(codec: str, count: int) -> str:
    return (
        f"the encoding {codec} is a guess from only {count} non-ASCII character(s); if accented letters look wrong, pick another encoding"
    )


def _decodes_same(data: bytes, a: str, b: str) -> bool:
    try:
        return data.decode(a) == data.decode(b)
    except UnicodeDecodeError:
        return False


def _best_cjk(data: bytes) -> str | None:
    """Pick the CJK codec whose decoding of ``data`` reads most like real text."""
    scored: list[tuple[float, int, str]] = []
    for rank, codec in enumerate(_CJK_CANDIDATES):
        try:
            text = decode_sample(data, codec, complete=False, errors="strict")
        except UnicodeDecodeError:
            continue
        scored.append((_cjk_score(text), -rank, codec))
    if not scored:
        return None
    score, _, codec = max(scored)
    if codec == "cp932" and _decodes_same(data, "shift_jis", "cp932"):
        codec = "shift_jis"  # report the plain name when the Windows extensions are not used
    return codec if score > 0 else None


def _cjk_score(text: str) -> float:
    score = 0.0
    for ch in text:
        o = ord(ch)
        if o < 128:
            continue
        if 0x3041 <= o <= 0x309F:  # hiragana: the backbone of Japanese text
            score += 2
        elif 0x30A0 <= o <= 0x30FF:  # katakana
            score += 1
        elif ch in _COMMON_HAN:
            score += 2
        elif 0x4E00 <= o <= 0x9FFF:
            score += 0.5
        elif 0xAC00 <= o <= 0xD7AF:  # hangul syllables
            score += 1
        elif 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E:  # CJK / full-width punctuation
            score += 1
        elif 0xFF61 <= o <= 0xFF9F:  # half-width katakana: what GB bytes look like as Shift-JIS
            score -= 1
        elif 0xE000 <= o <= 0xF8FF or o == 0xFFFD:  # private use, replacement
            score -= 3
        else:
            score -= 0.5
    return score


def suspicious_characters(text: str) -> tuple[int, int]:
    """Count replacement characters (U+FFFD) and control characters other than tab/CR/LF
    in (the first 256K characters of) a decoded sample."""
    text = text[:262144]
    return text.count("\ufffd"), len(_CONTROL.findall(text))


def detect_delimiter(text: str, *, complete: bool, skip_records: int = 0) -> str | None:
    """Find the delimiter that splits the sample's records into a consistent number of fields.

    Each candidate is tried with a real CSV parser (so delimiters inside quotes do not count);
    the winner is the one whose field count is the same on most records, then the one giving
    more fields, then the order of :data:`DELIMITER_CHOICES`.

    Args:
        text: decoded start of the file.
        complete: True when ``text`` is the whole file (else its last record may be cut).
        skip_records: non-blank records above the header, ignored (titles, notes).

    Returns:
        The delimiter, or None when no candidate splits the records (a one-column file).
    """
    best: tuple[float, int, int] | None = None
    choice: str | None = None
    for rank, delim in enumerate(DELIMITER_CHOICES):
        counts = _field_counts(text, delim, complete=complete, skip=skip_records)
        if not counts:
            continue
        mode, _ = max(Counter(counts).items(), key=lambda kv: (kv[1], kv[0]))
        if mode < 2:
            continue
        consistency = sum(1 for c in counts if c == mode) / len(counts)
        key = (round(consistency, 1), mode, -rank)
        if best is None or key > best:
            best, choice = key, delim
    return choice


def _field_counts(text: str, delim: str, *, complete: bool, skip: int, limit: int = 200) -> list[int]:
    reader = csv.reader(io.StringIO(text[:262144], newline=""), delimiter=delim, quotechar='"')
    counts: list[int] = []
    seen = 0
    try:
        for record in reader:
            if not record:
                continue
            seen += 1
            if seen > skip:
                counts.append(len(record))
            if len(counts) > limit:
                break
    except csv.Error:
        pass  # a sample cut inside a quoted field; the counts so far still say enough
    if not complete or len(text) > 262144:
        counts = counts[:-1] or counts  # the last record may be cut short by the sample's end
    return counts


def looks_numeric(value: str) -> bool:
    """True for text that is a number ("12", "-3.5", "1,200", "4e3", "15%")."""
    value = value.strip()
    # Cheap first-character test: most text starts with a letter and never reaches the regex.
    return bool(value) and value[0] in "0123456789+-." and _NUMBER.fullmatch(value) is not None
