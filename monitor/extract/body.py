"""Finding the body among a page's blocks: the generic extractor's core.

It picks the element whose text most outweighs its boilerplate (with its good siblings), then
the body within it: from the first to the last good run of blocks (maximum subarray), widened
over a lead paragraph above and closing lines below. Pure functions over ``Block`` lists,
except ``find_body``, which flattens a parsed tree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from monitor.extract.blocks import HEADINGS, Block, flatten
from monitor.extract.scoring import best_run, block_score, is_link_list

RUN_SHARE = 0.02  # a run of blocks this share of the best one's score is body too
MIN_BODY_WEIGHT = 300  # below this, try again judging less as chrome


def body_span(blocks: list[Block]) -> tuple[int, int]:
    """Start and end (exclusive) of the body: from the first to the last run of blocks that
    scores at least RUN_SHARE of the best run. An article that a product box or a gallery splits
    keeps all its parts; the chrome and link lists between them are dropped block by block."""
    segments: list[tuple[float, int, int]] = []  # (sum, start, end) of each maximal run
    best: tuple[float, int, int] | None = None
    cur_sum, cur_start = 0.0, 0
    for i, block in enumerate(blocks):
        score = block_score(block)
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


CONTAINER_PENALTY = 0.3  # weight of a container's boilerplate against its text


MARKED_BONUS = 2.0  # a container named as the article body (entry-content...) counts this much more


def best_container(blocks: list[Block], marked: Collection[int] = ()) -> tuple[int, list[Block]]:
    """The blocks of the element whose text most outweighs its boilerplate (readability's idea:
    an article's paragraphs share a parent; a related-links box inside it does not split it),
    with its good siblings, and the container's path number (-1 if none). An element marked as
    the article body (``marked``) counts double."""
    good: dict[int, float] = defaultdict(float)
    bad: dict[int, float] = defaultdict(float)
    scores = [block_score(b) for b in blocks]
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
            or (block_score(block) > 0 and block.link_density < 0.2)
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


def _body_in_pass(body: Any, class_chrome: bool, tag_chrome: bool) -> _Body:
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


def find_body(body: Any) -> tuple[list[Block], list[str]]:
    """The body's blocks (lead paragraph included) and the texts around its start (where a
    date line usually is)."""
    # Chrome judged by class names and tags; if that leaves too little text, the names misled
    # us, so by tags only; if still too little, the text may sit in a header or aside (an
    # unclosed tag), so no chrome at all. The pass that finds the most text wins.
    best: _Body | None = None
    for class_chrome, tag_chrome in ((True, True), (False, True), (False, False)):
        found = _body_in_pass(body, class_chrome, tag_chrome)
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
    return above + blocks[start:end], nearby
