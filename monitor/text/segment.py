"""Sentence segmentation for Japanese and English statements.

A heading or a list item is one unit; a paragraph is split into sentences. Japanese ends a
sentence at 。！？ outside brackets (a closing bracket right after stays with its sentence);
English at . ! ? followed by a capital, except after abbreviations and paragraph numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.text.normalise import count_cjk, fold_squashed, squash

JA_ENDS = "。！？!?"
OPENERS = "「『（(【〔［[｛{〈《"
CLOSERS = "」』）)】〕］]｝}〉》"
QUOTE_PARTICLES = "とっ"
ABBREVIATIONS = {
    "u.s",
    "u.k",
    "u.n",
    "d.c",
    "e.g",
    "i.e",
    "no",
    "nos",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "jr",
    "sr",
    "gen",
    "lt",
    "col",
    "sen",
    "rep",
    "gov",
    "amb",
    "prof",
    "vs",
    "etc",
    "inc",
    "co",
    "corp",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "art",
    "para",
    "vol",
    "p.m",
    "a.m",
    "op",
    "cf",
    "fig",
    "approx",
    "dept",
    "est",
    "h.e",
    "r.o.k",
}
_EN_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


@dataclass(slots=True)
class Sentence:
    """One comparison unit. ``text`` is as it stands in the document (squashed). Read-only by
    convention: not frozen, because a frozen dataclass costs several times as much to build
    and documents have thousands of sentences."""

    index: int
    text: str
    para: int
    kind: str = "paragraph"
    folded: str = ""  # fold(text), computed once by segment()


_JA_MARK = re.compile("[" + re.escape(OPENERS + CLOSERS + JA_ENDS) + "]")


def _split_ja(text: str) -> list[str]:
    # Only brackets and sentence ends matter, so the scan visits those, not every character.
    out: list[str] = []
    depth = 0
    start = 0
    skip_to = 0  # marks before this were read as the tail of a sentence end
    n = len(text)
    for match in _JA_MARK.finditer(text):
        i = match.start()
        if i < skip_to:
            continue
        ch = text[i]
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
        elif depth == 0:
            j = i + 1
            while j < n and (text[j] in JA_ENDS or text[j] in CLOSERS):
                j += 1
            skip_to = j
            if j > i + 1 and text[j - 1] in CLOSERS and j < n and text[j] in QUOTE_PARTICLES:
                continue  # 「…した。」と述べた: the quotation continues the sentence
            out.append(text[start:j])
            start = j
    if start < n:
        out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def _split_en(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _EN_BOUNDARY.finditer(text):
        end = match.start() + 1
        before = text[start : end - 1]
        word = re.split(r"[\s(\[\"“]", before)[-1].lower() if before else ""
        if word in ABBREVIATIONS or re.fullmatch(r"[a-z]", word):
            continue  # "U.S. Government", "J. Biden"
        if re.fullmatch(r"\(?[0-9ivx]+", word) and not text[start : end - 1 - len(word)].strip():
            continue  # a paragraph number such as "1. We, the Leaders"
        out.append(text[start : match.end()].strip())
        start = match.end()
    if start < len(text):
        out.append(text[start:].strip())
    return [s for s in out if s]


def is_japanese(text: str) -> bool:
    sample = text[:400]
    cjk = count_cjk(sample)
    return cjk >= 1 and cjk > len(sample) * 0.2


def split_sentences(text: str) -> list[str]:
    """Split one paragraph into sentences, choosing the rules by its script."""
    text = squash(text)
    if not text:
        return []
    if is_japanese(text):
        return [
            piece
            for part in _split_ja(text)
            # a part ending in 。 is Japanese without counting its characters
            for piece in ([part] if part[-1] in "。．" or is_japanese(part) else _split_en(part))
        ]
    return _split_en(text)


def segment(units: list[tuple[str, str]]) -> list[Sentence]:
    """Sentences of a document given as (kind, text) units; headings and items stay whole."""
    sentences: list[Sentence] = []
    for para, (kind, text) in enumerate(units):
        pieces = [squash(text)] if kind in ("heading", "item") else split_sentences(text)
        for piece in pieces:
            if piece:
                sentences.append(Sentence(len(sentences), piece, para, kind, fold_squashed(piece)))
    return sentences
