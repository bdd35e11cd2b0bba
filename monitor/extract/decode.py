"""Bytes to text: HTTP charset, then BOM, then <meta>, then charset-normalizer.

Japanese sites still serve Shift_JIS, CP932 and EUC-JP, sometimes mislabelled. A declared
charset is trusted only if the bytes decode cleanly with it.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
# Shift_JIS pages almost always use CP932 extensions (①, ㈱, NEC/IBM kanji): decode as CP932.
_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms_kanji": "cp932",
    "euc-jp": "euc_jis_2004",
    "x-euc-jp": "euc_jis_2004",
}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = _ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _try(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; returns (text, codec used)."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    for candidate in (_codec(declared), _meta_charset(data)):
        text = _try(data, candidate)
        if text is not None and candidate is not None:
            return text, candidate
    as_utf8 = _try(data, "utf-8")
    if as_utf8 is not None:
        return as_utf8, "utf-8"
    best = from_bytes(data[:200_000]).best()
    guessed = _codec(best.encoding) if best is not None else None
    if guessed:
        return data.decode(guessed, errors="replace"), guessed
    return data.decode("utf-8", errors="replace"), "utf-8"


def _meta_charset(data: bytes) -> str | None:
    match = _META.search(data[:4096])
    return _codec(match.group(1).decode("ascii", "ignore")) if match else None
