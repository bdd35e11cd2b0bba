"""Flatten an HTML tree into text blocks, the input of the generic and rule extractors.

A block is the text of one block-level element, not counting nested blocks, with the share of
it that sits inside links. Scripts, forms and <rt> ruby readings are skipped (ruby reads as its
base text); elements whose class or id says navigation, sharing, ranking and the like are
marked as chrome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from monitor.text.normalise import count_cjk

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
# Not noscript: the fetcher runs no scripts, so what a page puts there is what it shows us.
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
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
# Not form: ASP.NET wraps whole pages in one. A figure's caption describes a photo, it is not
# the statement.
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "menu", "dialog", "figcaption"})
# Matched at the start of a word of a class or id: "sharebar" and "navbar" are chrome too.
CHROME_WORDS = re.compile(
    r"(^|[-_\s])(nav|menu|breadcrumb|shar(e|ing)|sns|social|footer|header|sidebar|ranking|related|"
    r"recommend|banner|bnr|pagetop|page-top|comment|widget|pager|pagination|cookie|advert|"
    r"sponsored|promo|popular|subscribe|newsletter|skip|topicpath|gnav|lnav|snav|modal|toolbar|"
    r"caption|author|byline|disclaimer|copyright|legal|teaser|overlay|slide|carousel)",
)
# Words of wrappers and content holders, in the languages of the sites watched and of the
# benchmarks: an element named with one of these is never chrome ("banners-contenido-nota").
CONTENT_WORDS = re.compile(
    r"(^|[-_\s])(article|content|main|body|entry|post|text|story|maincontents?|container|wrap|wrapper|"
    r"inner|outer|column|col|page|site|layout|single|canvas|pusher|boxed|blog|"
    r"contenido|cuerpo|nota|inhalt|artikel|beitrag|contenu|texte|corps|testo|articolo|honbun|kiji)"
    r"($|[-_\s])",
)
NEVER_CHROME = frozenset({"body", "html", "main", "article"})
ARTICLE_TAGS = frozenset({"main", "article"})
# Markers of the element that holds an article's body, as CMSs and schema.org name it.
BODY_MARKERS = re.compile(
    r"articlebody|article[-_]?(body|content|text)|entry[-_]?content|post[-_]?(body|content|text)|"
    r"story[-_]?(body|content)|main[-_]?content|maincontents?|the[-_]?content|text[-_]?content|"
    r"blog[-_]?post[-_]?(body|content)|single[-_]?content|news[-_]?(body|text)|content[-_]?body",
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass
class Block:
    tag: str
    text: str
    link_chars: int
    chrome: bool
    pos: int
    path: tuple[int, ...] = ()  # serials of the enclosing block elements, outermost first
    # Information weight of the text: a Japanese character counts three (it carries about a
    # word). Computed once here: every scoring step reads it.
    weight: float = field(init=False)
    link_density: float = field(init=False)  # share of the text inside links

    def __post_init__(self) -> None:
        size = len(self.text)
        cjk = count_cjk(self.text)
        self.weight = size + 2 * cjk
        self.link_density = self.link_chars / (size or 1)


def _label(attrs: dict[str, str | None]) -> str:
    """class, id, role and itemprop of an element: what its markup says it is."""
    get = attrs.get
    label = f"{get('class') or ''} {get('id') or ''} {get('role') or ''} {get('itemprop') or ''}"
    return label.lower()  # the word patterns are lower case: cheaper than IGNORECASE


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")


def _is_hidden(attrs: dict[str, str | None]) -> bool:
    """The element is hidden from view: the hidden attribute, aria-hidden or display:none."""
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    return style is not None and _HIDDEN_STYLE.search(style) is not None


def _is_chrome(tag: str, label: str) -> bool:
    if tag in NEVER_CHROME or not label.strip():
        return False
    return CHROME_WORDS.search(label) is not None and CONTENT_WORDS.search(label) is None


def _body_mark(tag: str, label: str) -> bool | None:
    """None if the element is not marked as an article body; else whether its class, id or
    itemprop names it so (entry-content...), not only its tag (article, main)."""
    # a substring test first: the regex is the slow part of a tree walk
    hinted = "body" in label or "content" in label or "text" in label or "article" in label
    named = hinted and BODY_MARKERS.search(label) is not None  # every marker has one of those
    return True if named else (False if tag in ARTICLE_TAGS else None)


def flatten(
    root: Any,
    *,
    class_chrome: bool = True,
    tag_chrome: bool = True,
    marked: dict[int, bool] | None = None,
) -> list[Block]:
    """Blocks of ``root`` (a selectolax node) in document order. ``class_chrome=False`` judges
    chrome by tag only (nav, footer, ...), for pages whose class names mislead;
    ``tag_chrome=False`` does not judge by tag either, for pages whose whole text sits in a
    header or aside (an unclosed tag, a theme's odd markup). ``marked``
    receives the path number of each element marked as an article body, by tag (article,
    main) or by name (entry-content...), mapped to whether its name says so."""
    blocks: list[Block] = []
    parts: list[str] = []
    link = 0
    serial = 0
    # The walk's context: inside a link, inside chrome, inside an article; the innermost block
    # element's tag and path. The block state (what a flushed block is) is the innermost block's
    # tag, chrome and path.
    in_link = in_chrome = in_article = False
    path: tuple[int, ...] = ()
    state_path: tuple[int, ...] = ()
    block_tag, state_tag, state_chrome = "body", "body", False

    def emit() -> None:
        nonlocal parts, link
        text = "".join(parts).strip()
        if text:
            blocks.append(Block(state_tag, text, link, state_chrome, len(blocks), state_path))
        parts = []
        link = 0

    # One frame per open element: its parent's children iterator and the context to restore.
    Frame = tuple[Any, bool, bool, bool, str, tuple[int, ...], bool]
    frames: list[Frame] = []
    children: Any = iter((root,))
    while True:
        node = next(children, None)
        if node is None:
            if not frames:
                break
            children, in_link, in_chrome, in_article, block_tag, path, was_block = frames.pop()
            if was_block:
                if parts:
                    emit()
                state_tag, state_chrome, state_path = block_tag, in_chrome, path
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
        is_block = tag in BLOCK_TAGS
        # An article's own <header> holds its title and lead, not the site's banner.
        chrome = in_chrome or (
            tag_chrome and tag in CHROME_TAGS and not (in_article and tag == "header")
        )
        label = ""
        attrs = None if chrome else node.attributes
        if attrs:
            if tag not in ("body", "html") and _is_hidden(attrs):
                continue  # not what a reader sees: a closed dialog, a screen-reader duplicate
            if class_chrome or (is_block and marked is not None):
                label = _label(attrs)
                chrome = class_chrome and _is_chrome(tag, label)
        frames.append((children, in_link, in_chrome, in_article, block_tag, path, is_block))
        if is_block:
            if parts:
                emit()
            serial += 1
            path = (*path, serial)
            if tag in ARTICLE_TAGS:
                in_article = True
            mark = _body_mark(tag, label) if label and not chrome else None
            if mark is not None:
                in_article = True
                if marked is not None:
                    marked[serial] = mark
            state_tag, state_chrome, state_path = tag, chrome, path
            block_tag = tag
        if tag == "a":
            in_link = True
        in_chrome = chrome
        children = node.iter(include_text=True)
    if parts:
        emit()
    return blocks
