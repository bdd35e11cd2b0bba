"""Plain text (and Markdown-ish text, PDF text) to units.

Paragraphs are separated by blank lines; hard-wrapped lines inside a paragraph are joined.
A Markdown hard break (two trailing spaces), a list marker or a numbered line starts a new
unit; a short line on its own without closing punctuation, or ``**bold**`` alone, is a heading.
"""

from __future__ import annotations

import re

from monitor.document import Unit
from monitor.text.normalise import is_cjk, squash

_ITEM = re.compile(r"^\s*(?:[-*•・]\s+|\(?\d{1,3}[.)]\s+|\(?[a-z][.)]\s+)")
_BOLD = re.compile(r"^\s*\*\*(.+?)\*\*\s*$")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_TAG = re.compile(r"</?(?:sup|sub|em|strong|b|i|span|u)[^>]*>", re.IGNORECASE)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
_ENDS = tuple("。．.！？!?」』）):;：；")


def _clean(line: str) -> str:
    line = _TAG.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    return _ESCAPE.sub(r"\1", line).replace("**", "")


def _kind(text: str, lines_in_block: int) -> str:
    if lines_in_block == 1 and len(text) <= 60 and not text.rstrip().endswith(_ENDS):
        return "heading"
    return "paragraph"


def _lines_are_paragraphs(text: str) -> bool:
    """True when each line is a paragraph (captured pages), false for hard-wrapped text."""
    long_lines = [ln.rstrip() for ln in text.split("\n") if len(ln.strip()) > 30]
    if not long_lines:
        return True
    ended = sum(1 for ln in long_lines if ln.endswith(_ENDS))
    return ended / len(long_lines) > 0.5


_LONE_NUMBER = re.compile(r"^\s*(\d{1,2}|[０-９]{1,2})\s*$")


def text_to_units(text: str) -> list[Unit]:
    units: list[Unit] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _lines_are_paragraphs(text):
        lines = text.split("\n")
        for k, line in enumerate(lines[:-1]):  # "1" on its own line numbers the next paragraph
            if _LONE_NUMBER.match(line) and lines[k + 1].strip():
                lines[k + 1] = f"{line.strip()} {lines[k + 1]}"
                lines[k] = ""
        text = "\n\n".join(lines)
    for block in re.split(r"\n[ \t\u3000]*\n", text):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        current: list[str] = []
        current_lines = 0

        def close() -> None:
            nonlocal current, current_lines
            joined = squash("\n".join(current))
            if joined:
                units.append(
                    Unit(
                        "item" if _ITEM.match(current[0]) else _kind(joined, current_lines), joined
                    )
                )
            current, current_lines = [], 0

        for raw in lines:
            bold = _BOLD.match(raw)
            if bold:
                close()
                units.append(Unit("heading", squash(_clean(bold.group(1)))))
                continue
            if _ITEM.match(raw) and current:
                close()
            current.append(_clean(raw))
            current_lines += 1
            if raw.endswith("  "):
                close()
        close()
    return _mend_broken_words(units)


def _mend_broken_words(units: list[Unit]) -> list[Unit]:
    """Join a paragraph cut mid-word by a stray blank line (「…歓迎した。経」 + 「済的威圧…」)."""
    out: list[Unit] = []
    for unit in units:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == "paragraph"
            and len(prev.text) > 60
            and is_cjk(prev.text[-1])
            and not prev.text.endswith(_ENDS)
            and unit.text
            and is_cjk(unit.text[0])
        ):
            out[-1] = Unit("paragraph", prev.text + unit.text)
        else:
            out.append(unit)
    return out
