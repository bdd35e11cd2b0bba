"""Sentence alignment of two documents, near-linear in their length.

1. Anchor: an LCS over the *folded* sentences (rapidfuzz ``Indel.opcodes`` on hashable
   items, bit-parallel) fixes every sentence that is the same and in place.
2. Moves: an unmatched old sentence whose folded text equals an unmatched new one, anywhere
   in the document, is ``moved`` (a dict lookup, not a search).
3. Gaps: between anchors, an n-gram index proposes sentence pairs that may be alike;
   rapidfuzz scores those and the 1:1, n:1 and 1:n blocks around them, and the best monotone
   chain of blocks wins, so a merge or a split is one change. The cost grows with the number
   of plausible pairs, not with the product of the gap's sizes.
4. Far moves with edits: what is still unpaired is matched across gaps by similarity
   (``changed`` with ``moved: true``).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Indel

from monitor.text.normalise import CJK_RUN
from monitor.text.segment import Sentence

_WORD = re.compile(r"\w+")

PAIR_THRESHOLD = 0.5  # least similarity for two passages to be "the same sentence, changed"
MOVE_THRESHOLD = 0.65  # far moves must be more alike than neighbours
MAX_GROUP = 3  # largest n in an n:1 or 1:n merge/split
SEED_THRESHOLD = 0.35  # a pair this alike may be part of a merge or split; blocks grow from it
MIN_SHARED = 0.15  # share of n-grams two sentences must have in common to be compared at all
COMMON_GRAM = 50  # n-grams in more sentences than this say nothing about likeness
BRUTE_FORCE_PAIRS = 1000  # gaps with fewer sentence pairs than this are scored pair by pair


@dataclass
class Pair:
    """old and new sentence indices; kind is equal, cosmetic, moved, changed, added or removed."""

    kind: str
    old: list[int]
    new: list[int]
    moved: bool = False


def _joined(sents: list[Sentence], idx: list[int]) -> str:
    return "".join(sents[i].folded for i in idx)


def _grams(text: str) -> frozenset[str]:
    """Character trigrams for Japanese, word bigrams for English: cheap evidence of likeness."""
    if CJK_RUN.search(text, 0, 40):
        compact = text.replace(" ", "")
        return frozenset(compact[k : k + 3] for k in range(max(1, len(compact) - 2)))
    words = _WORD.findall(text)
    return frozenset(map(" ".join, itertools.pairwise(words))) or frozenset(words)


def similar_pairs(
    old: list[Sentence],
    new: list[Sentence],
    a: list[int],
    b: list[int],
    cutoff: float,
    grams: dict[str, frozenset[str]],
) -> dict[tuple[int, int], float]:
    """{(i, j): similarity} for sentences of ``a`` and ``b`` at least ``cutoff`` alike.

    An inverted index of n-grams proposes candidates; rapidfuzz scores only those, so the cost
    follows the number of plausible pairs, not len(a) * len(b).
    """
    if len(a) * len(b) <= BRUTE_FORCE_PAIRS:  # small gaps: scoring every pair in C is cheaper
        choices = [new[j].folded for j in b]
        return {
            (i, b[k]): sim
            for i in a
            for _, sim, k in process.extract(
                old[i].folded,
                choices,
                scorer=Indel.normalized_similarity,
                score_cutoff=cutoff,
                limit=None,
            )
        }
    postings: dict[str, list[int]] = defaultdict(list)
    for text in [old[i].folded for i in a] + [new[j].folded for j in b]:
        if text not in grams:
            grams[text] = _grams(text)
    grams_b = {j: grams[new[j].folded] for j in b}
    for j, of_j in grams_b.items():
        for gram in of_j:
            postings[gram].append(j)
    common = max(COMMON_GRAM, len(b) // 4)
    found: dict[tuple[int, int], float] = {}
    for i in a:
        grams_a = grams[old[i].folded]
        shared: dict[int, int] = defaultdict(int)
        for gram in grams_a:
            hits = postings.get(gram)
            if hits is not None and len(hits) <= common:
                for j in hits:
                    shared[j] += 1
        for j, n in shared.items():
            if n < max(2, MIN_SHARED * min(len(grams_a), len(grams_b[j]))):
                continue
            sim = Indel.normalized_similarity(old[i].folded, new[j].folded, score_cutoff=cutoff)
            if sim >= cutoff:
                found[(i, j)] = sim
    return found


@dataclass(frozen=True)
class _Block:
    a0: int  # positions in the gap's lists, end exclusive
    a1: int
    b0: int
    b1: int
    score: float


def _block_scorer(
    old: list[Sentence],
    new: list[Sentence],
    a: list[int],
    b: list[int],
    seeds: dict[tuple[int, int], float],
) -> Callable[[int, int, int, int], float]:
    """Score of the block a[a0:a1] x b[b0:b1]: (similarity - PAIR_THRESHOLD) * its length,
    or 0 below the threshold.

    Most candidate blocks are hopeless, and a bound shows it without comparing them: the LCS
    of joined passages is at most the sum of the LCSs of their sentence pairs, which ``seeds``
    gives exactly for alike pairs and bounds (SEED_THRESHOLD) for the rest.
    """
    len_a = [len(old[i].folded) for i in a]
    len_b = [len(new[j].folded) for j in b]

    def score(a0: int, a1: int, b0: int, b1: int) -> float:
        len_x = sum(len_a[a0:a1])
        len_y = sum(len_b[b0:b1])
        total = len_x + len_y
        if a1 - a0 == 1 and b1 - b0 == 1:
            sim = seeds.get((a[a0], b[b0]), 0.0)
            return (sim - PAIR_THRESHOLD) * total if sim >= PAIR_THRESHOLD else 0.0
        least = PAIR_THRESHOLD * total  # twice the LCS the block needs
        if 2 * min(len_x, len_y) < least:
            return 0.0
        pair_sum = 0.0  # bound on twice the LCS: sum over pairs of similarity * length
        inner = 0.0  # best score of a 1:1 block inside this one
        for p in range(a0, a1):
            for q in range(b0, b1):
                sim = seeds.get((a[p], b[q]), SEED_THRESHOLD)
                pair_sum += sim * (len_a[p] + len_b[q])
                inner = max(inner, (sim - PAIR_THRESHOLD) * (len_a[p] + len_b[q]))
        # Below the threshold, or worse than a 1:1 block inside it (which the best chain would
        # take instead), the block cannot matter.
        if pair_sum < least or min(2 * min(len_x, len_y), pair_sum) - least < inner:
            return 0.0
        sim = Indel.normalized_similarity(
            _joined(old, a[a0:a1]), _joined(new, b[b0:b1]), score_cutoff=PAIR_THRESHOLD
        )
        return (sim - PAIR_THRESHOLD) * total if sim >= PAIR_THRESHOLD else 0.0

    return score


def _pair_gap(
    old: list[Sentence],
    new: list[Sentence],
    a: list[int],
    b: list[int],
    grams: dict[str, frozenset[str]],
) -> list[Pair]:
    """Pair a gap's sentences 1:1, n:1 or 1:n: candidate blocks around similar pairs, then the
    best-scoring monotone chain of non-overlapping blocks."""
    if not a or not b:
        return [Pair("removed", [i], []) for i in a] + [Pair("added", [], [j]) for j in b]
    pos_a = {i: k for k, i in enumerate(a)}
    pos_b = {j: k for k, j in enumerate(b)}
    seeds = similar_pairs(old, new, a, b, SEED_THRESHOLD, grams)
    shapes = {(k, 1) for k in range(1, MAX_GROUP + 1)} | {(1, k) for k in range(1, MAX_GROUP + 1)}
    score = _block_scorer(old, new, a, b, seeds)
    blocks: dict[tuple[int, int, int, int], float] = {}
    for i, j in seeds:
        pa, pb = pos_a[i], pos_b[j]
        for di, dj in shapes:
            for a0 in range(pa - di + 1, pa + 1):
                for b0 in range(pb - dj + 1, pb + 1):
                    key = (a0, a0 + di, b0, b0 + dj)
                    if a0 < 0 or b0 < 0 or key[1] > len(a) or key[3] > len(b) or key in blocks:
                        continue
                    blocks[key] = score(*key)
    chain = _best_chain([_Block(*k, score) for k, score in blocks.items() if score > 0])
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs: list[Pair] = []
    for blk in chain:
        pairs.append(Pair("changed", a[blk.a0 : blk.a1], b[blk.b0 : blk.b1]))
        used_a.update(range(blk.a0, blk.a1))
        used_b.update(range(blk.b0, blk.b1))
    pairs += [Pair("removed", [i], []) for k, i in enumerate(a) if k not in used_a]
    pairs += [Pair("added", [], [j]) for k, j in enumerate(b) if k not in used_b]
    return pairs


def _best_chain(blocks: list[_Block]) -> list[_Block]:
    """Highest-scoring sequence of blocks increasing in both documents: a weighted 2-D chain,
    O(P log P) with a prefix-maximum Fenwick tree over positions in the new document."""
    if not blocks:
        return []
    order = sorted(blocks, key=lambda blk: (blk.a0, blk.b0, blk.a1, blk.b1))
    by_end = sorted(range(len(order)), key=lambda q: order[q].a1)
    size = max(blk.b1 for blk in order) + 1
    tree: list[tuple[float, int]] = [(0.0, -1)] * (size + 1)

    def update(pos: int, item: tuple[float, int]) -> None:
        pos += 1
        while pos <= size:
            if item[0] > tree[pos][0]:
                tree[pos] = item
            pos += pos & -pos

    def query(pos: int) -> tuple[float, int]:  # best over b1 <= pos
        pos += 1
        top = (0.0, -1)
        while pos > 0:
            if tree[pos][0] > top[0]:
                top = tree[pos]
            pos -= pos & -pos
        return top

    best = [0.0] * len(order)
    prev = [-1] * len(order)
    inserted = 0
    for k, blk in enumerate(order):
        while inserted < len(by_end) and order[by_end[inserted]].a1 <= blk.a0:
            q = by_end[inserted]
            update(order[q].b1, (best[q], q))
            inserted += 1
        base, link = query(blk.b0)
        best[k], prev[k] = base + blk.score, link
    k = max(range(len(order)), key=lambda q: (best[q], -q))
    chain = []
    while k >= 0:
        chain.append(order[k])
        k = prev[k]
    chain.reverse()
    return chain


_SWAP = {"added": "removed", "removed": "added"}


def align(old: list[Sentence], new: list[Sentence]) -> list[Pair]:
    """Every sentence of old and new in exactly one Pair (equal pairs included).

    Where several alignments are equally good (an LCS tie, repeated sentences), the choice must
    not depend on which document is called old: the pair is aligned in one canonical direction
    and the result mirrored, so diff(a, b) and diff(b, a) pair exactly the same sentences.
    """
    if [s.folded for s in old] > [s.folded for s in new]:
        return [Pair(_SWAP.get(p.kind, p.kind), p.new, p.old, p.moved) for p in _align(new, old)]
    return _align(old, new)


def _align(old: list[Sentence], new: list[Sentence]) -> list[Pair]:
    fo = [s.folded for s in old]
    fn = [s.folded for s in new]
    pairs: list[Pair] = []
    gaps: list[tuple[list[int], list[int]]] = []
    cur_a: list[int] = []
    cur_b: list[int] = []
    for op in Indel.opcodes(fo, fn):
        if op.tag == "equal":
            if cur_a or cur_b:
                gaps.append((cur_a, cur_b))
                cur_a, cur_b = [], []
            for i, j in zip(
                range(op.src_start, op.src_end), range(op.dest_start, op.dest_end), strict=True
            ):
                kind = "equal" if old[i].text == new[j].text else "cosmetic"
                pairs.append(Pair(kind, [i], [j]))
        else:
            cur_a.extend(range(op.src_start, op.src_end))
            cur_b.extend(range(op.dest_start, op.dest_end))
    if cur_a or cur_b:
        gaps.append((cur_a, cur_b))

    # Exact moves, found by hash lookup across the whole document.
    waiting: dict[str, list[int]] = defaultdict(list)
    for _, b in gaps:
        for j in b:
            waiting[fn[j]].append(j)
    moved_old: set[int] = set()
    moved_new: set[int] = set()
    for a, _ in gaps:
        for i in a:
            if waiting.get(fo[i]):
                j = waiting[fo[i]].pop(0)
                moved_old.add(i)
                moved_new.add(j)
                pairs.append(Pair("moved", [i], [j], moved=True))

    leftovers: list[Pair] = []
    grams: dict[str, frozenset[str]] = {}  # n-grams of each sentence, made once per alignment
    for a, b in gaps:
        ga = [i for i in a if i not in moved_old]
        gb = [j for j in b if j not in moved_new]
        for pair in _pair_gap(old, new, ga, gb, grams):
            (pairs if pair.kind == "changed" else leftovers).append(pair)
    pairs.extend(_pair_far_moves(old, new, leftovers, grams))
    return pairs


def _pair_far_moves(
    old: list[Sentence],
    new: list[Sentence],
    leftovers: list[Pair],
    grams: dict[str, frozenset[str]],
) -> list[Pair]:
    """Pair what is still unpaired across gaps: most similar pairs first (order-independent, so
    diff(a, b) and diff(b, a) pair the same sentences)."""
    removed = [p.old[0] for p in leftovers if p.kind == "removed"]
    added = [p.new[0] for p in leftovers if p.kind == "added"]
    if not removed or not added:
        return leftovers
    found = similar_pairs(old, new, removed, added, MOVE_THRESHOLD, grams)
    candidates = sorted(
        found.items(), key=lambda t: (-t[1], t[0][0] + t[0][1], abs(t[0][0] - t[0][1]))
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    out: list[Pair] = []
    for (i, j), _sim in candidates:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            out.append(Pair("changed", [i], [j], moved=True))
    out += [Pair("removed", [i], []) for i in removed if i not in used_old]
    out += [Pair("added", [], [j]) for j in added if j not in used_new]
    return out
