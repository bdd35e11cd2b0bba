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

from monitor.text.normalise import CJK_CLASS, fold_char

Span = dict[str, str]
# One Japanese character, or a run of other word characters, or spaces, or one other symbol.
_TOKEN = re.compile(f"[{CJK_CLASS}]|[^\\W{CJK_CLASS}]+|\\s+|[^\\w\\s]")


def tokenize(text: str) -> list[str]:
    """Words, spaces and punctuation for English; single characters for Japanese runs."""
    return _TOKEN.findall(text)


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
            if a[op.src_start : op.src_end] == b[op.dest_start : op.dest_end]:
                _push(spans, "equal", "".join(a[op.src_start : op.src_end]))
                continue
            run = op.src_start  # start of the current run of tokens equal as written
            for i, j in zip(
                range(op.src_start, op.src_end), range(op.dest_start, op.dest_end), strict=True
            ):
                if a[i] != b[j]:  # cosmetic difference inside an equal run: show both forms
                    _push(spans, "equal", "".join(a[run:i]))
                    _push(spans, "delete", a[i])
                    _push(spans, "insert", b[j])
                    run = i + 1
            _push(spans, "equal", "".join(a[run : op.src_end]))
        elif op.tag == "delete":
            _push(spans, "delete", "".join(a[op.src_start : op.src_end]))
        elif op.tag == "insert":
            _push(spans, "insert", "".join(b[op.dest_start : op.dest_end]))
        else:
            _push(spans, "delete", "".join(a[op.src_start : op.src_end]))
            _push(spans, "insert", "".join(b[op.dest_start : op.dest_end]))
    return spans


def semantic_cleanup(spans: list[Span]) -> list[Span]:
    """Absorb equalities no longer than the edits on both sides (diff-match-patch's rule), and
    put each run of edits as all its deleted text, then all its inserted text.

    One pass with a stack: absorbing only makes edits longer, so an equality that qualifies
    stays qualified, and checking the top of the stack whenever an edit grows reaches the same
    fixed point as rescanning from the start after every merge.
    """
    stack: list[list[str]] = []  # ["equal", text] or ["edit", deleted, inserted]
    for span in spans:
        op, text = span["op"], span["text"]
        if op == "equal":
            if stack and stack[-1][0] == "equal":
                stack[-1][1] += text
            else:
                stack.append(["equal", text])
            continue
        if not stack or stack[-1][0] == "equal":
            stack.append(["edit", "", ""])
        stack[-1][1 if op == "delete" else 2] += text
        while len(stack) >= 3 and stack[-2][0] == "equal" and stack[-3][0] == "edit":
            before, equal, after = stack[-3], stack[-2][1], stack[-1]
            size = len(equal.strip())
            if size > max(len(before[1]), len(before[2])) or size > max(
                len(after[1]), len(after[2])
            ):
                break
            stack[-3:] = [["edit", before[1] + equal + after[1], before[2] + equal + after[2]]]
    out: list[Span] = []
    for item in stack:
        if item[0] == "equal":
            out.append({"op": "equal", "text": item[1]})
            continue
        if item[1]:
            out.append({"op": "delete", "text": item[1]})
        if item[2]:
            out.append({"op": "insert", "text": item[2]})
    return out


def redline(old: str, new: str) -> list[Span]:
    """Spans that turn ``old`` into ``new``; see the module docstring for the shape."""
    return semantic_cleanup(raw_spans(old, new))
