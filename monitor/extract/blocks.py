"""Flatten an HTML tree into text blocks, the input of the generic and rule extractors.

A block is the text of one block-level element, not counting nested blocks, with the share of
it that sits inside links. Scripts, forms and <rt> ruby readings are skipped (ruby reads as its
base text); elements whose class or id says navigation, sharing, ranking and the like are
marked as chrome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "tbody",
        "thead",
        "tr",
        "td",
        "th",
        "blockquote",
        "pre",
        "dd",
        "dt",
        "dl",
        "header",
        "footer",
        "nav",
        "aside",
        "figure",
        "figcaption",
        "form",
        "hr",
        "center",
        "address",
        "body",
        "caption",
        "details",
        "summary",
        "fieldset",
        "legend",
        "menu",
        "dialog",
    }
)
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
        "canvas",
        "button",
        "select",
        "textarea",
        "rt",
        "rp",
        "head",
        "input",
        "video",
        "audio",
        "object",
        "map",
        "math",
        "title",
    }
)
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "menu", "dialog"})
CHROME_WORDS = re.compile(
    r"(^|[-_\s])(nav|navi|navigation|menu|breadcrumbs?|share|sns|social|footer|header|sidebar|"
    r"side|ranking|related|recommend|banner|bnr|pagetop|page-top|comments?|widget|pager|"
    r"pagination|cookie|ad|ads|advert|promo|popular|subscribe|newsletter|tags?|utility|"
    r"skip|topicpath|search|gnav|lnav|snav|modal|print)($|[-_\s\d])",
    re.IGNORECASE,
)
CONTENT_WORDS = re.compile(
    r"(^|[-_\s])(article|content|main|body|entry|post|text|story|maincontents?)($|[-_\s])",
    re.IGNORECASE,
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass
class Block:
    tag: str
    text: str
    link_chars: int
    chrome: bool
    pos: int

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


def _is_chrome(node: Any) -> bool:
    attrs = node.attributes
    label = f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('role') or ''}"
    if not label.strip():
        return False
    return CHROME_WORDS.search(label) is not None and CONTENT_WORDS.search(label) is None


def flatten(root: Any) -> list[Block]:
    """Blocks of ``root`` (a selectolax node) in document order."""
    blocks: list[Block] = []
    parts: list[str] = []
    link = 0
    state: dict[str, Any] = {"tag": "body", "chrome": False}

    def flush() -> None:
        nonlocal parts, link
        text = "".join(parts).strip()
        if text:
            blocks.append(Block(str(state["tag"]), text, link, bool(state["chrome"]), len(blocks)))
        parts = []
        link = 0

    # Iterative walk: (node, in_link, in_chrome, block_tag) with exit markers for blocks.
    stack: list[tuple[Any, bool, bool, str] | tuple[None, bool, bool, str]] = [
        (root, False, False, "body")
    ]
    while stack:
        node, in_link, in_chrome, block_tag = stack.pop()
        if node is None:  # leaving a block element: close its text, resume the parent block
            flush()
            state["tag"], state["chrome"] = block_tag, in_chrome
            continue
        tag = node.tag
        if tag == "-text":
            value = node.text_content
            if value:
                parts.append(value)
                if in_link:
                    link += len(value.strip())
            continue
        if tag in SKIP_TAGS or tag == "_comment" or tag == "!--":
            continue
        if tag == "br":
            parts.append("\n")
            continue
        chrome = in_chrome or tag in CHROME_TAGS or _is_chrome(node)
        children = list(node.iter(include_text=True))
        if tag in BLOCK_TAGS:
            flush()
            stack.append((None, in_link, in_chrome, block_tag))  # restore parent's block on exit
            state["tag"], state["chrome"] = tag, chrome
            inner_block = tag
        else:
            inner_block = block_tag
        now_link = in_link or tag == "a"
        for child in reversed(children):
            stack.append((child, now_link, chrome, inner_block))
    flush()
    return blocks
