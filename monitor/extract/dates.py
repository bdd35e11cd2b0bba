"""Find a publication date in Japanese or English text (era years converted)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9

_M = "(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"(令和|平成|昭和)\s*(\d{1,2}|元)\s*(?:\(\s*\d{4}\s*\))?\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
        ),
        "era",
    ),
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), "ymd"),
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), "ymd"),
    (re.compile(rf"{_M}\.?\s+(\d{{1,2}}),?\s+(\d{{4}})", re.IGNORECASE), "mdy"),
    (re.compile(rf"(\d{{1,2}})\s+{_M}\.?,?\s+(\d{{4}})", re.IGNORECASE), "dmy"),
]


_DIGIT = re.compile(r"\d")


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d) if 1900 < y < 2200 else None
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The earliest-positioned date in ``text``, or None."""
    if _DIGIT.search(text) is None:  # every form has digits (full-width ones too)
        return None
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[int, date]] = []
    for pattern, form in PATTERNS:
        for match in pattern.finditer(text):
            g = match.groups()
            if form == "era":
                year = ERAS[g[0]] + (1 if g[1] == "元" else int(g[1]))
                value = _make(year, int(g[2]), int(g[3]))
            elif form == "ymd":
                value = _make(int(g[0]), int(g[1]), int(g[2]))
            elif form == "mdy":
                value = _make(int(g[2]), MONTHS[g[0].lower()], int(g[1]))
            else:
                value = _make(int(g[2]), MONTHS[g[1].lower()], int(g[0]))
            if value is not None:
                found.append((match.start(), value))
                break
    return min(found)[1] if found else None


DATE_LINE_MAX = 32  # "Tokyo, September 22, 2025" fits; a sentence with a date in it does not


def is_date_line(text: str) -> bool:
    """A line that is only a date, or a place and a date: metadata, not statement text."""
    return len(text) <= DATE_LINE_MAX and find_date(text) is not None


def parse_iso(text: str) -> date | None:
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", text)
    return _make(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None
