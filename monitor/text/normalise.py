"""Normalisation for comparison. Display text is never replaced by these forms.

Two levels, used by storage and the diff:

- ``squash``: what a reader cannot see. Line wrapping, runs of spaces, soft hyphens, words
  hyphenated across a line break, and the spaces a PDF leaves between Japanese characters.
  Texts equal after ``squash`` are *the same*; a version is written only when it changes.
- ``fold``: ``squash`` plus what a reader sees but that does not change meaning: Unicode width
  (NFKC), variant kanji (兩→両), quote, dash and punctuation forms. Sentences equal after
  ``fold`` but not after ``squash`` are *cosmetic* changes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Old or variant forms that official Japanese texts use interchangeably with the standard form.
VARIANTS: dict[str, str] = {
    "兩": "両",
    "臺": "台",
    "灣": "湾",
    "國": "国",
    "會": "会",
    "對": "対",
    "經": "経",
    "關": "関",
    "實": "実",
    "與": "与",
    "變": "変",
    "應": "応",
    "圍": "囲",
    "權": "権",
    "樣": "様",
    "戰": "戦",
    "爭": "争",
    "發": "発",
    "爲": "為",
    "區": "区",
    "當": "当",
    "總": "総",
    "歐": "欧",
    "獨": "独",
    "濱": "浜",
    "邊": "辺",
    "邉": "辺",
    "髙": "高",
    "﨑": "崎",
    "德": "徳",
    "澤": "沢",
    "齋": "斉",
    "齊": "斉",
    "廣": "広",
    "縣": "県",
    "黨": "党",
    "體": "体",
    "榮": "栄",
    "檢": "検",
    "條": "条",
    "險": "険",
    "傳": "伝",
    "鐵": "鉄",
    "淺": "浅",
    "驛": "駅",
    "聯": "連",
    "戶": "戸",
    "敎": "教",
    "姬": "姫",
}

_PUNCT = {
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u00b4": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u30fb": "・",
    "\uff65": "・",
    "『": "「",
    "』": "」",
    "〈": "<",
    "〉": ">",
    "、": ",",
    "。": ".",
    "\u301c": "~",
}
_FOLD_TABLE = str.maketrans({**VARIANTS, **_PUNCT})
# str.translate looks every non-ASCII character up in a dict. Nearly every Japanese sentence
# holds 、 and 。, and almost none the other characters, so those two go through str.replace
# and the table is applied only when a regex scan finds something for it.
_EVERYWHERE = (("、", ","), ("。", "."))
_RARE_FOLD = re.compile(
    "[" + re.escape("".join(k for k in {**VARIANTS, **_PUNCT} if k not in "、。")) + "]"
)

SOFT_HYPHEN = "\u00ad"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


# Kanji, kana, CJK punctuation and full-width forms: scripts written without spaces. CJK
# punctuation, hiragana and katakana; extension A; unified ideographs; compatibility
# ideographs; full-width and half-width forms.
CJK_CLASS = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
_CJK_CHAR = re.compile(f"[{CJK_CLASS}]")


def is_cjk(ch: str) -> bool:
    """Kanji, kana, CJK punctuation and full-width forms: scripts written without spaces."""
    return _CJK_CHAR.match(ch) is not None


def count_cjk(text: str) -> int:
    if text.isascii() or max(text) < "\u3000":  # no character in the CJK ranges (both in C)
        return 0
    # Runs, not characters: Japanese text has few runs, so this makes few Python objects.
    return sum(map(len, CJK_RUN.findall(text)))


_SPACE_CLASS = " \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000"
_SPACES = re.compile(f"[{_SPACE_CLASS}]+")
# A space between two Japanese characters is layout (a PDF line break, a wrapped line), not text.
_CJK_GAP = re.compile(f"(?<=[{CJK_CLASS}])[{_SPACE_CLASS}]+(?=[{CJK_CLASS}])")
_HYPHEN_BREAK = re.compile(r"([A-Za-z])-\n([a-z])")
_INVISIBLE = re.compile(f"[{SOFT_HYPHEN}{ZERO_WIDTH}]")


# CJK compatibility ideographs: NFC would replace them with their unified forms, but a page
# that uses one (in a name, say) means that glyph; the variant table decides when they compare.
_CJK_COMPAT = re.compile("([\uf900-\ufaff]+)")


def _nfc(text: str) -> str:
    """Canonically equivalent forms in one form (a letter with a combining mark, or composed):
    they look the same. Compatibility ideographs are kept as written."""
    if unicodedata.is_normalized("NFC", text):
        return text
    if _CJK_COMPAT.search(text) is None:
        return unicodedata.normalize("NFC", text)
    return "".join(
        part if k % 2 else unicodedata.normalize("NFC", part)
        for k, part in enumerate(_CJK_COMPAT.split(text))
    )


def squash(text: str) -> str:
    """Whitespace-level normalisation: the form two texts that look the same share."""
    # Each step runs only where it can apply: most texts are plain ASCII (checked in C).
    if not text.isascii():
        text = _nfc(_INVISIBLE.sub("", text))
        if max(text, default=" ") >= "\u3000":
            text = _CJK_GAP.sub("", text)
    if "-\n" in text:
        text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return _SPACES.sub(" ", text).strip()


def collapse_spaces(text: str) -> str:
    """Runs of white space to one space: for marked-up text such as titles, where a space
    between Japanese words is meant, not left by a PDF."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def fold(text: str) -> str:
    """Cosmetic-level normalisation: width, variants, quotes, dashes and punctuation forms."""
    # Squash before and after: layout spaces between full-width characters must go before
    # NFKC turns those characters into ASCII ones that keep their spaces.
    return fold_squashed(squash(text))


def fold_squashed(text: str) -> str:
    """``fold`` of text that is already squashed (saves the first pass)."""
    text = unicodedata.normalize("NFKC", text)
    for char, replacement in _EVERYWHERE:
        text = text.replace(char, replacement)
    if _RARE_FOLD.search(text):
        text = text.translate(_FOLD_TABLE)
    if _SPACES.search(text):  # NFKC can make spaces (full-width space, compatibility forms)
        text = squash(text)
    return text.casefold()


def fold_char(ch: str) -> str:
    """``fold`` of one character, for aligning redlines on folded text (may be empty or longer)."""
    if ch in ZERO_WIDTH or ch == SOFT_HYPHEN:
        return ""
    return unicodedata.normalize("NFKC", ch).translate(_FOLD_TABLE).casefold()


def text_hash(text: str) -> str:
    """Hash of the squashed text: equal for texts that differ only in layout."""
    return hashlib.sha256(squash(text).encode("utf-8")).hexdigest()
