"""Bottom-k shingle sketches: a small, indexable summary of a document's wording.

Two documents in one series share much of their wording, so their sketches share many
hashes. The k smallest hashes of the document's shingles (character 5-grams for Japanese,
word 3-grams for English, over folded text) are stored in an indexed table; finding the
nearest earlier document is then one indexed lookup of k hashes, not a fuzzy scan of the
archive.
"""

from __future__ import annotations

import heapq
import re
import zlib
from dataclasses import dataclass
from datetime import date

from monitor.text.normalise import fold
from monitor.text.segment import is_japanese

K = 256
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[str]:
    folded = fold(text)
    if is_japanese(folded):
        compact = re.sub(r"\s+", "", folded)
        return {compact[i : i + 5] for i in range(max(1, len(compact) - 4))}
    words = _WORD.findall(folded)
    return {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def _hash63(data: bytes) -> int:
    """A stable 63-bit hash (two CRC-32s): fast, and the same in every process and version."""
    return ((zlib.crc32(data) << 31) ^ zlib.crc32(data, 0x9E3779B9)) & 0x7FFF_FFFF_FFFF_FFFF


def sketch(text: str, k: int = K) -> list[int]:
    """The k smallest 63-bit shingle hashes (fits a signed BIGINT)."""
    hashes = (_hash63(s.encode()) for s in shingles(text))
    return heapq.nsmallest(k, hashes)


@dataclass(frozen=True)
class Candidate:
    document_id: int
    published: date | None
    shared: int  # sketch hashes in common with the query
    title: str = ""


TITLE_WEIGHT = 0.2  # tuned on the White House series corpus (tests/test_series.py)
CLOSE = 0.9


def _title_words(title: str) -> set[str]:
    return set(_WORD.findall(fold(title)))


def similarity(candidate: Candidate, title: str, k: int = K) -> float:
    """Shared sketch fraction plus a small weight for title words in common."""
    a, b = _title_words(title), _title_words(candidate.title)
    title_sim = len(a & b) / len(a | b) if a | b else 0.0
    return candidate.shared / max(1, k) + TITLE_WEIGHT * title_sim


def choose_predecessor(
    candidates: list[Candidate], title: str, threshold: float, k: int = K
) -> Candidate | None:
    """The most recent of the earlier documents nearly as similar as the best one.

    An older statement can share slightly more with the new one than the immediate
    predecessor does; among those within 90 % of the best similarity, the latest wins.
    """
    scored = [(similarity(c, title, k), c) for c in candidates]
    scored = [(s, c) for s, c in scored if s >= threshold]
    if not scored:
        return None
    best = max(s for s, _ in scored)
    close = [c for s, c in scored if s >= CLOSE * best]
    return max(close, key=lambda c: (c.published or date.min, c.shared, c.document_id))
