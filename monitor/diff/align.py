"""Sentence alignment of two documents, near-linear in their length.

1. Anchor: an LCS over the *folded* sentences (rapidfuzz ``Indel.opcodes`` on hashable
   items, bit-parallel) fixes every sentence that is the same and in place.
2. Moves: an unmatched old sentence whose folded text equals an unmatched new one, anywhere
   in the document, is ``moved`` (a dict lookup, not a search).
3. Gaps: between anchors, a small dynamic programme pairs the rest 1:1, n:1 or 1:n by
   rapidfuzz similarity, so a merge or a split is one change. Only gap-local pairs are
   scored, so the cost grows with the size of the edits, not of the archive.
4. Far moves with edits: what is still unpaired is matched across gaps by similarity
   (``changed`` with ``moved: true``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Indel

from monitor.text.segment import Sentence

PAIR_THRESHOLD = 0.5  # least similarity for two passages to be "the same sentence, changed"
MOVE_THRESHOLD = 0.65  # far moves must be more alike than neighbours
MAX_GROUP = 3  # largest n in an n:1 or 1:n merge/split
DP_CELLS = 40_000  # above this, a gap is paired greedily instead
FAR_MOVE_CELLS = 250_000  # above this many removed x added pairs, far moves are not searched


@dataclass
class Pair:
    """old and new sentence indices; kind is equal, cosmetic, moved, changed, added or removed."""

    kind: str
    old: list[int]
    new: list[int]
    moved: bool = False


def _joined(sents: list[Sentence], idx: list[int]) -> str:
    return "".join(sents[i].folded for i in idx)


def _score(old: list[Sentence], new: list[Sentence], oi: list[int], ni: list[int]) -> float:
    a, b = _joined(old, oi), _joined(new, ni)
    sim = Indel.normalized_similarity(a, b)
    if sim < PAIR_THRESHOLD:
        return 0.0
    return (sim - PAIR_THRESHOLD) * (len(a) + len(b))


def _pair_gap(old: list[Sentence], new: list[Sentence], a: list[int], b: list[int]) -> list[Pair]:
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return [Pair("removed", [i], []) for i in a] + [Pair("added", [], [j]) for j in b]
    if n * m > DP_CELLS:
        return _pair_greedy(old, new, a, b)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            options: list[tuple[float, tuple[int, int]]] = []
            if i:
                options.append((best[i - 1][j], (1, 0)))
            if j:
                options.append((best[i][j - 1], (0, 1)))
            for di, dj in (
                [(1, 1)]
                + [(k, 1) for k in range(2, MAX_GROUP + 1)]
                + [(1, k) for k in range(2, MAX_GROUP + 1)]
            ):
                if di <= i and dj <= j:
                    s = _score(old, new, a[i - di : i], b[j - dj : j])
                    if s > 0:
                        options.append((best[i - di][j - dj] + s, (di, dj)))
            score, step = max(options, key=lambda o: o[0])
            best[i][j] = score
            back[i][j] = step
    pairs: list[Pair] = []
    i, j = n, m
    while i or j:
        taken = back[i][j]
        assert taken is not None
        di, dj = taken
        if di and dj:
            pairs.append(Pair("changed", a[i - di : i], b[j - dj : j]))
        elif di:
            pairs.append(Pair("removed", [a[i - 1]], []))
        else:
            pairs.append(Pair("added", [], [b[j - 1]]))
        i, j = i - di, j - dj
    pairs.reverse()
    return pairs


def _pair_greedy(
    old: list[Sentence], new: list[Sentence], a: list[int], b: list[int]
) -> list[Pair]:
    choices = [new[j].folded for j in b]
    used: set[int] = set()
    pairs: list[Pair] = []
    for i in a:
        hit = process.extractOne(
            old[i].folded, choices, scorer=Indel.normalized_similarity, score_cutoff=PAIR_THRESHOLD
        )
        if hit is not None and hit[2] not in used:
            used.add(hit[2])
            pairs.append(Pair("changed", [i], [b[hit[2]]]))
        else:
            pairs.append(Pair("removed", [i], []))
    pairs += [Pair("added", [], [b[k]]) for k in range(len(b)) if k not in used]
    return pairs


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
    for a, b in gaps:
        ga = [i for i in a if i not in moved_old]
        gb = [j for j in b if j not in moved_new]
        for pair in _pair_gap(old, new, ga, gb):
            (pairs if pair.kind == "changed" else leftovers).append(pair)
    pairs.extend(_pair_far_moves(old, new, leftovers))
    return pairs


def _pair_far_moves(old: list[Sentence], new: list[Sentence], leftovers: list[Pair]) -> list[Pair]:
    """Pair what is still unpaired across gaps: most similar pairs first (order-independent, so
    diff(a, b) and diff(b, a) pair the same sentences)."""
    removed = [p.old[0] for p in leftovers if p.kind == "removed"]
    added = [p.new[0] for p in leftovers if p.kind == "added"]
    if not removed or not added or len(removed) * len(added) > FAR_MOVE_CELLS:
        return leftovers
    choices = [new[j].folded for j in added]
    found = [
        (float(score), i, added[a])
        for i in removed
        for _choice, score, a in process.extract(
            old[i].folded,
            choices,
            scorer=Indel.normalized_similarity,
            score_cutoff=MOVE_THRESHOLD,
            limit=None,
        )
    ]
    candidates = sorted(found, key=lambda t: (-t[0], t[1] + t[2], abs(t[1] - t[2])))
    used_old: set[int] = set()
    used_new: set[int] = set()
    out: list[Pair] = []
    for _score, i, j in candidates:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            out.append(Pair("changed", [i], [j], moved=True))
    out += [Pair("removed", [i], []) for i in removed if i not in used_old]
    out += [Pair("added", [], [j]) for j in added if j not in used_new]
    return out
