"""Extraction: any fetched page, PDF or text to one or more ``Statement`` objects.

``extract(data, ...)`` is pure: bytes in, statements out. A page holding two languages (a
Japanese overview, then an English joint statement between "Begin Text" and "End Text")
yields two statements: the main one (``part=""``) and the second-language one
(``part="en"``).
"""

from __future__ import annotations

import re
from typing import Any

from monitor._exceptions import ExtractError
from monitor.config.model import ExtractRules
from monitor.document import Statement, Unit
from monitor.extract.blocks import Block
from monitor.extract.dates import find_date, is_date_line
from monitor.extract.decode import decode
from monitor.extract.html import extract_units, find_page_date, find_title, parse
from monitor.extract.pdf import pdf_text
from monitor.extract.plain import text_to_units
from monitor.extract.scoring import best_run
from monitor.extract.sniff import sniff
from monitor.extract.units import blocks_to_units
from monitor.text.normalise import squash
from monitor.text.segment import is_japanese

BEGIN_TEXT = re.compile(r"^\s*begin text\s*:?\s*$", re.IGNORECASE)
END_TEXT = re.compile(r"^\s*end text\s*$", re.IGNORECASE)


def detect_lang(units: list[Unit] | tuple[Unit, ...]) -> str:
    sample = " ".join(u.text for u in units[:20])
    return "ja" if is_japanese(sample) else "en"


def split_parts(units: list[Unit]) -> tuple[list[Unit], list[Unit]]:
    """Main units, and the units between "Begin Text" and "End Text" (if any)."""
    for i, unit in enumerate(units):
        if BEGIN_TEXT.match(unit.text):
            rest = units[i + 1 :]
            for k, inner in enumerate(rest):
                if END_TEXT.match(inner.text):
                    return units[:i] + rest[k + 1 :], rest[:k]
            return units[:i], rest
    return units, []


def _statements(title: str, when: Any, units: list[Unit], lang_hint: str | None) -> list[Statement]:
    main, second = split_parts(units)
    if not main and not second:
        raise ExtractError("no statement text found")
    lang = lang_hint or detect_lang(main or second)
    second_lang = detect_lang(second) if second else lang
    if second and (not main or second_lang == lang):
        # "Begin Text" … "End Text" in a page of the same language marks the statement itself
        # (the State Department's way); what stands around it is preamble.
        return [Statement(title, when, second_lang, tuple(second))]
    out = [Statement(title, when, lang, tuple(main))]
    if second:
        # The other language's own heading usually stands just above "Begin Text".
        head = ""
        while main and main[-1].kind == "heading" and detect_lang([main[-1]]) == second_lang:
            head = main.pop().text
        out[0] = Statement(title, when, lang, tuple(main))
        head = (
            head
            or next((u.text for u in second if u.kind == "heading"), None)
            or second[0].text[:120]
        )
        out.append(
            Statement(
                head,
                find_date(" ".join(u.text for u in second[:3])) or when,
                second_lang,
                tuple(second),
                part=second_lang,
            )
        )
    return out


def _title_above(units: list[Unit]) -> str | None:
    """The nearest heading above the body that is a real title, not a date or a site label."""
    for unit in reversed(units):
        if (
            unit.kind != "item"
            and 6 <= len(unit.text) <= 100
            and not unit.text.endswith(("。", "."))
            and find_date(unit.text) is None
        ):
            return unit.text
    return None


def extract_html(
    html: str, rules: ExtractRules | None = None, lang: str | None = None
) -> list[Statement]:
    tree = parse(html)
    title = find_title(tree, rules)
    units, nearby = extract_units(tree, rules)
    # A leading copy of the title, or the date line, is not part of the body.
    while units and (units[0].text == squash(title) or is_date_line(units[0].text)):
        units = units[1:]
    when = find_page_date(tree, rules, nearby)
    return _statements(title, when, units, lang)


_PSEUDO_TAG = {"heading": "h2", "item": "li", "paragraph": "p"}


def extract_text(text: str, lang: str | None = None, title: str | None = None) -> list[Statement]:
    """Plain or captured text: the same block scoring as HTML drops the site chrome around it."""
    all_units = text_to_units(text)
    blocks = [Block(_PSEUDO_TAG[u.kind], u.text, 0, False, i) for i, u in enumerate(all_units)]
    start, end = best_run(blocks)
    before = all_units[max(0, start - 8) : start]
    units = blocks_to_units(blocks[start:end])
    if title is None:
        title = _title_above(before)
    if title is None and units and units[0].kind == "heading":
        title, units = units[0].text, units[1:]
    when = find_date(" ".join(u.text for u in [*before, *units[:6]]))
    return _statements(title or "", when, units, lang)


def extract(
    data: bytes,
    *,
    content_type: str = "",
    url: str = "",
    rules: ExtractRules | None = None,
    lang: str | None = None,
    charset: str | None = None,
) -> list[Statement]:
    """Extract the statement(s) in ``data``; raises ExtractError naming ``url`` if none."""
    kind = sniff(data, content_type, url)
    try:
        if kind == "pdf":
            return extract_text(pdf_text(data, ref=url or "PDF"), lang)
        text, _ = decode(data, charset)
        if kind == "html":
            return extract_html(text, rules, lang)
        return extract_text(text, lang)
    except ExtractError as exc:
        if url and not str(exc).startswith(url):
            raise ExtractError(f"{url}: {exc}") from exc
        raise


__all__ = ["detect_lang", "extract", "extract_html", "extract_text", "sniff"]
