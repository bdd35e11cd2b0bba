"""``diff_statements``: the ``stmon.diff/1`` result for two statements.

Result shape (the contract of ``stmon diff --format json``)::

    {"schema": "stmon.diff/1",
     "old": {"title", "date", "lang", "ref"}, "new": {...},
     "summary": {"added", "removed", "changed", "moved", "cosmetic"},
     "topics": {"taiwan": {"label": "Taiwan Strait", "changes": 2}, ...},
     "changes": [{"kind", "old": [{"index", "text"}], "new": [...], "moved", "topics",
                  "spans": [{"op", "text"}]   # changed and cosmetic only
                 }, ...]}

Every sentence of either side is in at most one change; unchanged in-place sentences in none.
Changes are ordered by their position in the new document (removals where they stood).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from monitor.config.model import Topic
from monitor.diff.align import Pair, align
from monitor.diff.redline import redline
from monitor.diff.topics import Hit, TopicIndex, topic_index
from monitor.document import Statement
from monitor.text.segment import Sentence, segment

SCHEMA = "stmon.diff/1"
KINDS = ("added", "removed", "changed", "moved", "cosmetic")
SUBSTANTIVE = ("added", "removed", "changed", "moved")


def _hits_in_context(
    index: TopicIndex, sents: list[Sentence], n_units: int
) -> tuple[list[frozenset[Hit]], list[frozenset[Hit]]]:
    """Topic hits of each sentence, and of each unit with the heading above it (the context
    topics look at). A unit's hits are the union of its sentences' hits: terms never span a
    sentence end, and folding each sentence once is cheaper than folding whole paragraphs."""
    own = [index.hits(s.folded) for s in sents]
    units: list[set[Hit]] = [set() for _ in range(n_units)]
    headings = [False] * n_units
    for s, hits in zip(sents, own, strict=True):
        units[s.para].update(hits)
        headings[s.para] = s.kind == "heading"
    context: list[frozenset[Hit]] = []
    heading: frozenset[Hit] = frozenset()
    for para, unit_hits in enumerate(units):
        if headings[para]:
            heading = frozenset(unit_hits)
            context.append(heading)
        else:
            context.append(heading | unit_hits)
    return own, context


def _join(parts: Iterable[str], lang: str) -> str:
    """Sentences joined into a passage: no space between Japanese sentences."""
    return ("" if lang == "ja" else " ").join(parts)


def _order_key(pair: Pair, matched_old: list[int], matched_new: list[int]) -> float:
    if pair.new:
        return float(pair.new[0])
    k = bisect.bisect_left(matched_old, pair.old[0])
    return (matched_new[k - 1] if k else -1) + 0.5


def _meta(statement: Statement, ref: str) -> dict[str, Any]:
    return {
        "title": statement.title,
        "date": statement.date.isoformat() if statement.date else None,
        "lang": statement.lang,
        "ref": ref,
    }


def diff_statements(
    old: Statement,
    new: Statement,
    topics: tuple[Topic, ...] | list[Topic] = (),
    *,
    old_ref: str = "",
    new_ref: str = "",
) -> dict[str, Any]:
    """Compare two statements sentence by sentence. Pure: no I/O."""
    old_s = segment([(u.kind, u.text) for u in old.units])
    new_s = segment([(u.kind, u.text) for u in new.units])
    topics = tuple(topics)
    index = topic_index(topics)
    old_hits, old_ctx = _hits_in_context(index, old_s, len(old.units))
    new_hits, new_ctx = _hits_in_context(index, new_s, len(new.units))
    labels = {t.id: t.label or t.id for t in topics}

    pairs = [p for p in align(old_s, new_s) if p.kind != "equal"]
    both = sorted((p.old[0], p.new[0]) for p in align_pairs_with_both(old_s, new_s, pairs))
    matched_old = [a for a, _ in both]
    matched_new = [b for _, b in both]
    pairs.sort(key=lambda p: (_order_key(p, matched_old, matched_new), p.old[0] if p.old else -1))

    changes: list[dict[str, Any]] = []
    summary = dict.fromkeys(KINDS, 0)
    topic_counts: dict[str, int] = {}
    for pair in pairs:
        olds = [old_s[i] for i in pair.old]
        news = [new_s[j] for j in pair.new]
        kind = pair.kind
        change: dict[str, Any] = {
            "kind": kind,
            "old": [{"index": s.index, "text": s.text} for s in olds],
            "new": [{"index": s.index, "text": s.text} for s in news],
            "moved": pair.moved,
        }
        if kind in ("changed", "cosmetic"):
            old_text = _join((s.text for s in olds), old.lang)
            new_text = _join((s.text for s in news), new.lang)
            # fold of each passage, from its sentences' folded forms (folded once already)
            old_folded = _join((s.folded for s in olds), old.lang)
            new_folded = _join((s.folded for s in news), new.lang)
            if kind == "changed" and old_folded == new_folded:
                kind = change["kind"] = "cosmetic"
            change["spans"] = redline(old_text, new_text)
        ids: list[str] = []
        if topics:
            for s in olds:
                ids += index.tag(old_hits[s.index], old_ctx[s.para])
            for s in news:
                ids += index.tag(new_hits[s.index], new_ctx[s.para])
        change["topics"] = [t.id for t in topics if t.id in ids]
        summary[kind] += 1
        if kind != "cosmetic":
            for tid in change["topics"]:
                topic_counts[tid] = topic_counts.get(tid, 0) + 1
        changes.append(change)
    return {
        "schema": SCHEMA,
        "old": _meta(old, old_ref),
        "new": _meta(new, new_ref),
        "summary": summary,
        "topics": {
            t.id: {"label": labels[t.id], "changes": topic_counts[t.id]}
            for t in topics
            if t.id in topic_counts
        },
        "changes": changes,
    }


def align_pairs_with_both(
    old_s: list[Sentence], new_s: list[Sentence], changed: list[Pair]
) -> list[Pair]:
    """Pairs with a sentence on both sides (the equal ones are recomputed cheaply from indices)."""
    used_old = {i for p in changed for i in p.old}
    used_new = {j for p in changed for j in p.new}
    free_old = [i for i in range(len(old_s)) if i not in used_old]
    free_new = [j for j in range(len(new_s)) if j not in used_new]
    # Unchanged in-place sentences are the remaining ones, in order, one to one.
    return [Pair("equal", [i], [j]) for i, j in zip(free_old, free_new, strict=False)] + [
        p for p in changed if p.old and p.new
    ]


def substantive_count(result: dict[str, Any]) -> int:
    return sum(result["summary"][k] for k in SUBSTANTIVE)
