from __future__ import annotations

from typing import Any

from monitor.report.grouping import by_topic, change_spans, cosmetic, headline


def _md_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_{}[]<>#|~" else ch for ch in text)


def spans_md(spans: list[dict[str, str]]) -> str:
    out = []
    for span in spans:
        text = _md_escape(span["text"])
        if not text.strip():
            out.append(text)
        elif span["op"] == "delete":
            out.append(f"~~{text}~~")
        elif span["op"] == "insert":
            out.append(f"**{text}**")
        else:
            out.append(text)
    return "".join(out)


def change_md(change: dict[str, Any]) -> str:
    kind = change["kind"] + (" (moved)" if change["moved"] and change["kind"] != "moved" else "")
    return f"- *{kind}*: {spans_md(change_spans(change))}"


def render(result: dict[str, Any]) -> str:
    """Markdown: deletions as ~~strike~~, insertions as **bold**, grouped by topic."""
    old, new = result["old"], result["new"]
    lines = [
        f"# {_md_escape(new['title'] or new['ref'])}",
        "",
        f"Compared with *{_md_escape(old['title'] or old['ref'])}* ({old['date'] or 'undated'} → {new['date'] or 'undated'}).",
        "",
        f"**{headline(result)}**",
        "",
    ]
    for _tid, label, changes in by_topic(result):
        lines += [f"## {_md_escape(label)} ({len(changes)})", ""]
        lines += [change_md(c) for c in changes]
        lines.append("")
    cos = cosmetic(result)
    if cos:
        lines += [f"## Cosmetic ({len(cos)})", ""] + [change_md(c) for c in cos] + [""]
    return "\n".join(lines)
