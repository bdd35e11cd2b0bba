"""Recognise what a body is from its bytes, whatever the Content-Type says."""

from __future__ import annotations

import re

_FEED = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_HTML = re.compile(rb"<(!doctype html|html|head|body|div|p|article|h1|table)[\s>]", re.IGNORECASE)


def sniff(data: bytes, content_type: str = "", url: str = "") -> str:
    """One of "pdf", "feed", "html" or "text"."""
    head = data[:2048].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if _FEED.search(head) and not _HTML.search(head[:512]):
        return "feed"
    if _HTML.search(data[:8192]):
        return "html"
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/pdf" or url.lower().endswith(".pdf"):
        return "pdf"
    if ctype in ("application/rss+xml", "application/atom+xml"):
        return "feed"
    if ctype in ("text/html", "application/xhtml+xml"):
        return "html"
    return "text"
