"""Scoring text blocks: how much a block looks like body text.

Long, link-poor text scores up; short lines, link lists and chrome score down; a Japanese
character counts three times, as it carries about a word (``Block.weight``). Pure functions
over ``Block`` lists.
"""

from __future__ import annotations

from monitor.extract.blocks import HEADINGS, Block

SENTENCE_ENDS = tuple("。．.！？!?」』”“‘’»«…\"':：")

SENTENCE_COST = 5.0  # a sentence must outweigh this to count as body text
LINE_COST = 10.0  # a short line that is not a sentence counts against the body
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


def block_score(block: Block) -> float:
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
        score = block_score(block)
        if cur_sum <= 0:
            cur_sum, cur_start = score, i
        else:
            cur_sum += score
        if cur_sum > best_sum:
            best_sum, best = cur_sum, (cur_start, i + 1)
    return best
