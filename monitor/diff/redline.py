"""Redline of one changed passage: spans of equal, delete and insert text.

English is compared word by word, Japanese character by character; equality is judged on
folded tokens (so 兩/両 inside a changed sentence is not highlighted as a rewrite), and a
semantic clean-up then absorbs short coincidental equalities between edits, so highlights
cover whole phrases (「力又は威圧によるものを含む」) rather than scattered characters.

Result shape: ``[{"op": "equal"|"delete"|"insert", "text": str}, ...]``; the old text is
the concatenation of equal+delete spans, the new text of equal+insert spans.
"""

from __future__ import annotations

import functools
import re

from rapidfuzz.distance import Indel

from monitor.text.normalise import fold_char, is_cjk

Span = dict[str, str]
_WORD = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Words, spaces and punctuation for English; single characters for Japanese runs."""
    out: list[str] = []
    for tok in _WORD.findall(text):
        if any(is_cjk(ch) for ch in tok):
            out.extend(tok)
        else:
            out.append(tok)
    return out


@functools.lru_cache(maxsize=65_536)
def _fold_token(tok: str) -> str:
    folded = "".join(fold_char(ch) for ch in tok)
    return " " if folded.isspace() or (not folded and tok.isspace()) else folded


def _push(spans: list[Span], op: str, text: str) -> None:
    if not text:
        return
    if spans and spans[-1]["op"] == op:
        spans[-1]["text"] += text
    else:
        spans.append({"op": op, "text": text})


def raw_spans(old: str, new: str) -> list[Span]:
    a, b = tokenize(old), tokenize(new)
    fa, fb = [_fold_token(t) for t in a], [_fold_token(t) for t in b]
    spans: list[Span] = []
    for op in Indel.opcodes(fa, fb):
        if op.tag == "equal":
            for i, j in zip(
                range(op.src_start, op.src_end), range(op.dest_start, op.dest_end), strict=True
            ):
                if a[i] == b[j]:
                    _push(spans, "equal", a[i])
                else:  # cosmetic difference inside an equal run: show both forms
                    _push(spans, "delete", a[i])
                    _push(spans, "insert", b[j])
        elif op.tag == "delete":
            _push(spans, "delete", "".join(a[op.src_start : op.src_end]))
        elif op.tag == "insert":
            _push(spans, "insert", "".join(b[op.dest_start : op.dest_end]))
        else:
            _push(spans, "delete", "".join(a[op.src_start : op.src_end]))
            _push(spans, "insert", "".join(b[op.dest_start : op.dest_end]))
    return spans


def _regroup(spans: list[Span]) -> list[Span]:
    """Within each run of edits, put all deleted text first and all inserted text after."""
    out: list[Span] = []
    dele: list[str] = []
    ins: list[str] = []
    for span in spans:
        if span["op"] == "equal":
            _push(out, "delete", "".join(dele))
            _push(out, "insert", "".join(ins))
            dele, ins = [], []
            _push(out, "equal", span["text"])
        elif span["op"] == "delete":
            dele.append(span["text"])
        else:
            ins.append(span["text"])
    _push(out, "delete", "".join(dele))
    _push(out, "insert", "".join(ins))
    return out


def semantic_cleanup(spans: list[Span]) -> list[Span]:
    """Absorb equalities no longer than the edits on both sides (diff-match-patch's rule)."""
    spans = _regroup(spans)
    changed = True
    while changed:
        changed = False
        for k, span in enumerate(spans):
            if span["op"] != "equal" or k == 0 or k == len(spans) - 1:
                continue
            before = _edit_sizes(spans, k, -1)
            after = _edit_sizes(spans, k, 1)
            size = len(span["text"].strip()) or 0
            if before and after and size <= max(before) and size <= max(after):
                spans = _regroup(
                    [
                        *spans[:k],
                        {"op": "delete", "text": span["text"]},
                        {"op": "insert", "text": span["text"]},
                        *spans[k + 1 :],
                    ]
                )
                changed = True
                break
    return spans


def _edit_sizes(spans: list[Span], k: int, step: int) -> tuple[int, int] | None:
    dele = ins = 0
    i = k + step
    while 0 <= i < len(spans) and spans[i]["op"] != "equal":
        if spans[i]["op"] == "delete":
            dele += len(spans[i]["text"])
        else:
            ins += len(spans[i]["text"])
        i += step
    return (dele, ins) if dele or ins else None


def redline(old: str, new: str) -> list[Span]:
    """Spans that turn ``old`` into ``new``; see the module docstring for the shape."""
    return semantic_cleanup(raw_spans(old, new))
