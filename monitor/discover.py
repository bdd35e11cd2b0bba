"""Discovery: statement links from listing pages and RSS/Atom feeds (pure functions)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|yclid|mc_cid|mc_eid|_ga|ref|ref_src|cmpid|spm)$", re.IGNORECASE
)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no default port."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port in (None, 80 if parts.scheme == "http" else 443) else f"{host}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)]
    )
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def listing_links(html: str, base_url: str, selector: str, pattern: str) -> list[str]:
    """Absolute, canonical, de-duplicated links matching ``pattern``, in page order."""
    tree = LexborHTMLParser(html)
    rx = re.compile(pattern)
    seen: dict[str, None] = {}
    for node in tree.css(selector):
        href = node.attributes.get("href")
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = canonical_url(urljoin(base_url, href))
        if url.startswith(("http://", "https://")) and rx.search(url):
            seen.setdefault(url, None)
    return list(seen)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def feed_links(data: bytes, base_url: str) -> list[tuple[str, str]]:
    """(link, title) of each RSS item or Atom entry."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return []
    out: list[tuple[str, str]] = []
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        link = title = ""
        for child in item:
            name = _local(child.tag)
            if name == "link":
                link = child.attrib.get("href") or (child.text or "")
                if child.attrib.get("rel", "alternate") != "alternate":
                    link = "" if child.attrib.get("href") else link
            elif name == "title":
                title = (child.text or "").strip()
            elif name == "guid" and not link and (child.text or "").startswith("http"):
                link = child.text or ""
        if link.strip():
            out.append((canonical_url(urljoin(base_url, link.strip())), title))
    return out
