"""HTML pages to statements: per-source CSS rules first, else the generic extractor
(``body.find_body``); the title and date from the markup."""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from monitor.config.model import ExtractRules
from monitor.document import Unit
from monitor.extract.blocks import flatten
from monitor.extract.body import find_body
from monitor.extract.dates import find_date, parse_iso
from monitor.extract.units import blocks_to_units
from monitor.text.normalise import collapse_spaces

DATE_META = (
    "article:published_time",
    "og:published_time",
    "date",
    "dc.date",
    "dcterms.date",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "citation_date",
)


def parse(html: str) -> Any:
    return LexborHTMLParser(html)


def _meta(tree: Any, names: tuple[str, ...]) -> str | None:
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key in names and attrs.get("content"):
            return str(attrs["content"])
    return None


def find_title(tree: Any, rules: ExtractRules | None) -> str:
    """The title as marked up; its spaces are kept (「日米韓次官協議 北朝鮮…」), only collapsed."""
    if rules and rules.title:
        node = tree.css_first(rules.title)
        if node is not None and node.text(strip=True):
            return collapse_spaces(node.text())
    og = _meta(tree, ("og:title", "twitter:title", "dc.title"))
    for node in tree.css("h1"):
        text = collapse_spaces(node.text())
        if text:
            return text
    if og:
        return collapse_spaces(og)
    title = tree.css_first("title")
    if title is not None:
        return re.split(r"\s+[|｜–—-]\s+|｜|\|", collapse_spaces(title.text()))[0]
    return ""


def find_page_date(tree: Any, rules: ExtractRules | None, nearby: list[str]) -> Any:
    if rules and rules.date:
        node = tree.css_first(rules.date)
        if node is not None:
            found = find_date(node.text()) or parse_iso(node.attributes.get("datetime") or "")
            if found:
                return found
    meta = _meta(tree, DATE_META)
    if meta and (found := parse_iso(meta) or find_date(meta)):
        return found
    for node in tree.css("time"):
        found = parse_iso(node.attributes.get("datetime") or "") or find_date(node.text())
        if found:
            return found
    for text in nearby:
        found = find_date(text)
        if found:
            return found
    return None


def extract_units(tree: Any, rules: ExtractRules | None) -> tuple[list[Unit], list[str]]:
    """Body units and the texts around the body's start (where a date line usually is)."""
    if rules:
        for selector in rules.remove:
            for node in tree.css(selector):
                node.decompose()
    body = tree.body if tree.body is not None else tree.root
    if rules and rules.body:
        nodes = tree.css(rules.body)
        if nodes:
            blocks = [b for node in nodes[:1] for b in flatten(node)]
            units = blocks_to_units(blocks, keep_links=True)
            return units, [b.text for b in blocks[:6]]
    blocks, nearby = find_body(body)
    return blocks_to_units(blocks), nearby
