"""HTML pages to statements: per-source CSS rules first, else the generic extractor.

The generic extractor scores text blocks (long, link-poor text scores up; short or link-heavy
text and chrome score down; a Japanese character counts three times, as it carries about a
word) and keeps the best-scoring contiguous run of blocks (maximum subarray). Inside that run
it keeps headings, paragraphs and list items, drops photo credits and link lists, and stops at
an end mark such as 「(以上)」, "End Text" or "###".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from monitor.config.model import ExtractRules
from monitor.document import Unit
from monitor.extract.blocks import HEADINGS, Block, flatten
from monitor.extract.dates import find_date, parse_iso
from monitor.text.normalise import collapse_spaces, squash

END_MARK = re.compile(
    r"^\s*(?:[(（]\s*(?:以上|了)\s*[)）]|end text|###|-\s*end\s*-)\s*$", re.IGNORECASE
)
TRAILING_END = re.compile(r"\s*[(（]\s*(?:以上|了)\s*[)）]\s*$")
CREDIT = re.compile(
    r"^\s*(写真|画像|出典|photo|image|credit|foto|bild|quelle|source)s?\s*[:：©]"
    r"|(getty images|reuters|afp|dpa|imago|shutterstock|istock)\s*\)?\s*$"
    r"|^\s*(advertisement|anzeige|werbung|publicité|sponsored|広告)\s*$",
    re.IGNORECASE,
)
# Labels of the boxes around an article (related links, sharing, comments, tags, newsletters),
# in the languages of the sites watched and of the extraction benchmarks. A line that says only
# this is not statement text.
BOILERPLATE_LINE = re.compile(
    r"^\W*("
    r"related( articles?| stories| posts?| coverage| content| links?| news)?|read more|read next|"
    r"more (on|about) this( topic| story)?|you (may|might) also like|"
    r"recommended( for you| articles?| stories)?|advertisement|sponsored( content)?|"
    r"share( this( article| story| post)?| on \w+)?|tags?|tagged|topics?|categor(y|ies)|"
    r"\d* ?comments?|leave a (comment|reply)|post a comment|subscribe( now)?|sign up|"
    r"follow us( on \w+)?|most (read|popular|viewed)|trending( now)?|newsletter|"
    r"photo credits?|image credits?|print|email|"
    r"mehr zu(m| diesem)? thema|lesen sie auch|lies auch|das könnte (sie|dich) auch interessieren|"
    r"weitere (artikel|informationen|infos|beiträge|themen|nachrichten)|ähnliche (beiträge|artikel)|"
    r"verwandte (artikel|themen)|themen|schlagworte|schlagwörter|(artikel )?teilen|kommentare?|"
    r"kommentar (verfassen|schreiben|hinzufügen)|schreiben? (sie )?einen kommentar|anzeige|werbung|"
    r"weiterlesen|zum weiterlesen|artikel bewerten|empfehlungen|meist ?gelesen|neueste artikel|"
    r"drucken|zur startseite|nach oben|"
    r"(à )?lire aussi|voir aussi|en savoir plus|partager|commentaires?|publicité|sur le même sujet|"
    r"lea también|ver también|noticias relacionadas|compartir|temas|publicidad|"
    r"zobacz także|czytaj (także|też)|leggi anche|potrebbe interessarti|"
    r"関連記事|関連リンク|この記事をシェア|シェアする|広告|ランキング|読まれている記事|おすすめ記事|"
    r"ページトップ|ページの先頭へ"
    r")\W*$",
    re.IGNORECASE,
)
BOILERPLATE_MAX = 60  # longer lines say more than a label
SENTENCE_ENDS = tuple("。．.！？!?」』”“‘’»«…\"':：")
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


def _block_score(block: Block) -> float:
    w = block.weight
    if block.chrome:  # soft: long sentences inside a wrapper with a misleading name still count
        return (
            _plain_score(block, w) * 0.3 - 20
            if block.text.rstrip().endswith(SENTENCE_ENDS)
            else -w - 20
        )
    return _plain_score(block, w)


def _plain_score(block: Block, w: float) -> float:
    if is_link_list(block):
        return -w
    if block.tag in HEADINGS:
        return -2.0  # kept when inside the body; never what starts or ends it
    if block.text.rstrip().endswith(SENTENCE_ENDS):
        return w * (1 - 2 * block.link_density) - SENTENCE_COST
    if w < 200:  # a short line that is not a sentence: a title, caption, label or menu entry
        return -LINE_COST - 0.2 * w
    return w * (1 - 2 * block.link_density) - 60


def best_run(blocks: list[Block]) -> tuple[int, int]:
    """Start and end (exclusive) of the contiguous blocks with the highest total score."""
    best = (0, 0)
    best_sum = float("-inf")
    cur_sum = 0.0
    cur_start = 0
    for i, block in enumerate(blocks):
        score = _block_score(block)
        if cur_sum <= 0:
            cur_sum, cur_start = score, i
        else:
            cur_sum += score
        if cur_sum > best_sum:
            best_sum, best = cur_sum, (cur_start, i + 1)
    return best


def body_span(blocks: list[Block]) -> tuple[int, int]:
    """Start and end (exclusive) of the body: from the first to the last run of blocks that
    scores at least RUN_SHARE of the best run. An article that a product box or a gallery splits
    keeps all its parts; the chrome and link lists between them are dropped block by block."""
    segments: list[tuple[float, int, int]] = []  # (sum, start, end) of each maximal run
    best: tuple[float, int, int] | None = None
    cur_sum, cur_start = 0.0, 0
    for i, block in enumerate(blocks):
        score = _block_score(block)
        if cur_sum <= 0:
            if best is not None:
                segments.append(best)
            best = None
            cur_sum, cur_start = score, i
        else:
            cur_sum += score
        if cur_sum > 0 and (best is None or cur_sum > best[0]):
            best = (cur_sum, cur_start, i + 1)
    if best is not None:
        segments.append(best)
    if not segments:
        return best_run(blocks)
    top = max(seg[0] for seg in segments)
    kept = [(start, end) for total, start, end in segments if total >= RUN_SHARE * top]
    return kept[0][0], kept[-1][1]


RUN_SHARE = 0.02
SENTENCE_COST = 5.0  # a sentence must outweigh this to count as body text
LINE_COST = 10.0  # a short line that is not a sentence counts against the body
MIN_BODY_WEIGHT = 300  # below this, retry without judging chrome by class names
LINK_LIMIT = 0.5  # a block with more of its text in links than this is navigation
# ... unless it is a long sentence whose names and terms are links (prose that links, not a
# list of links): then up to this share.
PROSE_LINK_LIMIT = 0.75
PROSE_MIN = 80


def is_link_list(block: Block) -> bool:
    """Navigation, a link list or a related-links box, by the share of its text in links."""
    if block.link_density <= LINK_LIMIT:
        return False
    return not (
        block.link_density <= PROSE_LINK_LIMIT
        and len(block.text) >= PROSE_MIN
        and block.text.rstrip().endswith(SENTENCE_ENDS)
    )


CONTAINER_PENALTY = 0.3  # weight of a container's boilerplate against its text


MARKED_BONUS = 2.0  # a container named as the article body (entry-content...) counts this much more


def best_container(blocks: list[Block], marked: Collection[int] = ()) -> tuple[int, list[Block]]:
    """The blocks of the element whose text most outweighs its boilerplate (readability's idea:
    an article's paragraphs share a parent; a related-links box inside it does not split it),
    with its good siblings, and the container's path number (-1 if none). An element marked as
    the article body (``marked``) counts double."""
    good: dict[int, float] = defaultdict(float)
    bad: dict[int, float] = defaultdict(float)
    scores = [_block_score(b) for b in blocks]
    for block, score in zip(blocks, scores, strict=True):
        if block.chrome:
            score = min(score, 0.0)  # dropped from the output anyway: it cannot make a container
        for ancestor in block.path[:-1]:  # proper ancestors: a container holds blocks
            if score > 0:
                good[ancestor] += score
            else:
                bad[ancestor] -= score
    if not good:
        return -1, blocks
    top = max(
        good,
        key=lambda a: (
            (good[a] - CONTAINER_PENALTY * bad[a]) * (MARKED_BONUS if a in marked else 1.0),
            -a,
        ),
    )
    return top, _with_siblings(blocks, scores, top, good[top] - CONTAINER_PENALTY * bad[top])


SIBLING_SHARE = 0.2  # a sibling joins when its net score is this share of the container's


def _with_siblings(
    blocks: list[Block], scores: list[float], top: int, top_net: float
) -> list[Block]:
    """The container's blocks, with those of its siblings whose own text outweighs their
    boilerplate by a share of the container's (readability's sibling rule: an article split
    into several sections, or a lead paragraph kept apart)."""
    first = next(b for b in blocks if top in b.path)
    depth = first.path.index(top)
    if depth == 0:
        return [b for b in blocks if top in b.path]
    parent = first.path[depth - 1]
    groups: dict[int, list[int]] = defaultdict(list)
    for k, b in enumerate(blocks):
        if len(b.path) > depth and b.path[depth - 1] == parent:
            groups[b.path[depth]].append(k)
    keep: list[int] = []
    for child, members in groups.items():
        net = sum(scores[k] if scores[k] > 0 else CONTAINER_PENALTY * scores[k] for k in members)
        if child == top or (net > 0 and net >= SIBLING_SHARE * top_net):
            keep += members
    return [blocks[k] for k in sorted(keep)]


CLOSING_LINES = 2  # a sign-off or source line may follow the body's last sentence


def _with_closing_lines(blocks: list[Block], end: int) -> int:
    """End of the body extended over the plain lines that close it ("Euer Hans", "Additional
    reporting by ..."): paragraphs or items without links, at most CLOSING_LINES of them."""
    limit = min(len(blocks), end + CLOSING_LINES)
    while (
        end < limit
        and blocks[end].tag in ("p", "li")
        and not blocks[end].chrome
        and blocks[end].link_chars == 0
    ):
        end += 1
    return end


def _unit_kind(block: Block) -> str:
    if block.tag in HEADINGS:
        return "heading"
    if block.tag in ("li", "dt", "dd"):
        return "item"
    return "paragraph"


REPEAT_MIN = 30  # a block this long seen twice is a repeated caption or teaser, not new text


def blocks_to_units(blocks: list[Block], *, keep_links: bool = False) -> list[Unit]:
    kept: list[tuple[Block, str]] = []
    seen: set[str] = set()
    for block in blocks:
        text = squash(block.text)
        if not text:
            continue
        if len(text) >= REPEAT_MIN and not keep_links:
            if text in seen:
                continue
            seen.add(text)
        if END_MARK.match(text):
            break
        if CREDIT.match(text):
            continue
        if not keep_links and len(text) <= BOILERPLATE_MAX and BOILERPLATE_LINE.match(text):
            continue
        if not keep_links and (block.chrome or (is_link_list(block) and block.tag not in HEADINGS)):
            continue
        stripped = TRAILING_END.sub("", text)
        if stripped:
            kept.append((block, stripped))
        if stripped != text:
            break
    if not keep_links:
        kept = _without_empty_sections(kept)
    return [Unit(_unit_kind(block), text) for block, text in kept]


HEADING_MAX = 100  # a "heading" this long is a paragraph set in a heading's style


def _without_empty_sections(kept: list[tuple[Block, str]]) -> list[tuple[Block, str]]:
    """Drop the headings of sections that have nothing left: what stood under "Mehr zum Thema"
    or "Related Coverage" was a link list and has gone, so the next unit is a heading of the
    same or a higher rank, or there is none. A heading that is itself a link (a related
    story's title) goes too when no text of its own follows it."""
    out: list[tuple[Block, str]] = []
    for i, (block, text) in enumerate(kept):
        if block.tag in HEADINGS and len(text) < HEADING_MAX:
            after = kept[i + 1][0] if i + 1 < len(kept) else None
            if after is None or (after.tag in HEADINGS and after.tag <= block.tag):
                continue
            own_text = after.tag not in HEADINGS and after.pos == block.pos + 1
            if i and block.link_density > LINK_LIMIT and not own_text:
                continue
        out.append((block, text))
    return out


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


LEAD_BLOCKS = 4  # how far above the body a title or lead paragraph is looked for


def _lead_blocks(everything: list[Block], first: int) -> list[Block]:
    """The title and lead paragraph just above the body (``first``), which a site may keep
    outside the element that holds the text. A byline, caption, share bar or short line between
    them is passed over, not taken; navigation ends the search. A heading counts only while
    nothing has been passed over: further up it is another story's."""
    above: list[Block] = []
    k = first - 1
    while k >= 0 and first - k <= LEAD_BLOCKS:
        block = everything[k]
        contiguous = len(above) == first - k - 1
        if not block.chrome and (
            (block.tag in HEADINGS and contiguous)
            or (_block_score(block) > 0 and block.link_density < 0.2)
        ):
            above.insert(0, block)
        elif is_link_list(block) and not block.chrome:
            break
        k -= 1
    return above


def _text_weight(blocks: list[Block]) -> float:
    """Weight of the text that would be kept: no chrome, no link lists."""
    return sum(b.weight for b in blocks if not b.chrome and not is_link_list(b))


def _largest_marked(blocks: list[Block], marked: Collection[int]) -> list[Block]:
    """The blocks of the body-named element (article, entry-content...) with the most text."""
    inside: dict[int, list[Block]] = defaultdict(list)
    for block in blocks:
        for serial in block.path:
            if serial in marked:
                inside[serial].append(block)
    if not inside:
        return []
    return max(inside.values(), key=_text_weight)


@dataclass
class _Body:
    everything: list[Block]  # all blocks of the page
    blocks: list[Block]  # the container's
    start: int  # the body within the container's blocks
    end: int
    weight: float  # of the body's text


def _find_body(body: Any, class_chrome: bool, tag_chrome: bool) -> _Body:
    marked: dict[int, bool] = {}
    everything = flatten(body, class_chrome=class_chrome, tag_chrome=tag_chrome, marked=marked)
    top, blocks = best_container(everything, marked)
    start, end = body_span(blocks) if blocks else (0, 0)
    if marked.get(top):
        start = 0  # the site names this element as the article body: it starts where it does
    end = _with_closing_lines(blocks, end)
    found = _text_weight(blocks[start:end])
    if found < MIN_BODY_WEIGHT and marked:
        # Little prose found, while the element the site names as its article body holds much
        # more text (a page that is mostly a table, say): trust that element, whole.
        fallback = _largest_marked(everything, marked)
        fallback_weight = _text_weight(fallback)
        if fallback_weight >= max(MIN_BODY_WEIGHT, 3 * found):
            return _Body(everything, fallback, 0, len(fallback), fallback_weight)
    return _Body(everything, blocks, start, end, found)


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
    # Chrome judged by class names and tags; if that leaves too little text, the names misled
    # us, so by tags only; if still too little, the text may sit in a header or aside (an
    # unclosed tag), so no chrome at all. The pass that finds the most text wins.
    best: _Body | None = None
    for class_chrome, tag_chrome in ((True, True), (False, True), (False, False)):
        found = _find_body(body, class_chrome, tag_chrome)
        if best is None or found.weight > best.weight:
            best = found
        if found.weight >= MIN_BODY_WEIGHT:
            break
    assert best is not None
    everything, blocks, start, end = best.everything, best.blocks, best.start, best.end
    first = blocks[start].pos if blocks else 0
    above = _lead_blocks(everything, first)
    lead = above[0].pos if above else first
    nearby = [b.text for b in everything[max(0, lead - 8) : first + 6]]
    return blocks_to_units(above + blocks[start:end]), nearby
