"""Standalone HTML report: summary counts, topic navigation, inline and side-by-side views.

Every piece of statement text goes through ``html.escape``; there are no external resources
(styles inline, one small inline script only switches views, and the page works without it).
"""

from __future__ import annotations

from html import escape
from typing import Any

from monitor.report.grouping import by_topic, change_spans, cosmetic, headline

CSS = """
body{font:15px/1.7 system-ui,"Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:0;color:#1d2329;background:#fafafa}
header{background:#1d2f44;color:#fff;padding:16px 28px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;opacity:.85}
main{display:flex;gap:24px;padding:20px 28px}nav{min-width:200px;position:sticky;top:12px;align-self:flex-start}
nav a{display:block;color:#1d4f91;text-decoration:none;padding:3px 0}nav .n{color:#666;font-size:12px}
.counts span{display:inline-block;margin-right:14px}.counts b{font-size:18px}
section{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:12px 18px;margin-bottom:18px}
section h2{font-size:17px;margin:4px 0 10px}
.change{border-top:1px solid #eef1f4;padding:8px 0}.kind{font-size:11px;text-transform:uppercase;color:#fff;
background:#6b7785;border-radius:3px;padding:1px 6px;margin-right:6px}
.k-changed{background:#b26a00}.k-added{background:#2e7d32}.k-removed{background:#c62828}.k-moved{background:#1565c0}
.k-cosmetic{background:#9e9e9e}
del{background:#ffd9d9;color:#8b0000;text-decoration:line-through}ins{background:#d7f5dc;color:#0b5d1e;text-decoration:none}
.side{display:none;grid-template-columns:1fr 1fr;gap:12px}.side div{background:#f6f8fa;padding:6px 10px;border-radius:4px}
body.sbs .side{display:grid}body.sbs .inline{display:none}
.views button{margin-right:6px}
"""

SCRIPT = (
    "document.querySelectorAll('[data-view]').forEach(function(b){b.onclick=function(){"
    "document.body.className=b.dataset.view;};});"
)


def spans_html(
    spans: list[dict[str, str]],
    keep: str | None = None,
    *,
    del_attrs: str = "",
    ins_attrs: str = "",
) -> str:
    """Escaped HTML of a redline; ``keep`` limits the edits to "delete" or "insert" (one side)."""
    out = []
    for span in spans:
        text = escape(span["text"])
        if span["op"] == "equal":
            out.append(text)
        elif keep is None or span["op"] == keep:
            tag, attrs = ("del", del_attrs) if span["op"] == "delete" else ("ins", ins_attrs)
            out.append(f"<{tag}{attrs}>{text}</{tag}>")
    return "".join(out)


def _change(change: dict[str, Any]) -> str:
    kind = change["kind"]
    label = kind + (" · moved" if change["moved"] and kind != "moved" else "")
    spans = change_spans(change)
    inline = spans_html(spans)
    if kind == "moved":  # the same words on both sides
        left = right = inline
    else:
        left, right = spans_html(spans, "delete"), spans_html(spans, "insert")
    topics = " ".join(escape(t) for t in change["topics"])
    return (
        f'<div class="change" data-topics="{topics}"><span class="kind k-{escape(kind)}">{escape(label)}</span>'
        f'<span class="inline">{inline}</span>'
        f'<div class="side"><div>{left}</div><div>{right}</div></div></div>'
    )


def render(result: dict[str, Any]) -> str:
    """Standalone HTML file with side-by-side and inline views, topic navigation and counts."""
    old, new = result["old"], result["new"]
    groups = by_topic(result)
    cos = cosmetic(result)
    nav = "".join(
        f'<a href="#t-{escape(tid)}">{escape(label)} <span class="n">{len(ch)}</span></a>'
        for tid, label, ch in groups
    )
    if cos:
        nav += f'<a href="#t-cosmetic">Cosmetic <span class="n">{len(cos)}</span></a>'
    sections = "".join(
        f'<section id="t-{escape(tid)}"><h2>{escape(label)} ({len(ch)})</h2>{"".join(_change(c) for c in ch)}</section>'
        for tid, label, ch in groups
    )
    if cos:
        sections += (
            f'<section id="t-cosmetic"><h2>Cosmetic only ({len(cos)})</h2>'
            f"{''.join(_change(c) for c in cos)}</section>"
        )
    if not sections:
        sections = "<section><h2>No changes</h2><p>The two texts say the same thing.</p></section>"
    counts = "".join(f"<span><b>{n}</b> {escape(k)}</span>" for k, n in result["summary"].items())
    title = escape(new["title"] or new["ref"] or "statement")
    return f"""<!DOCTYPE html>
<html lang="{escape(new["lang"] or "en")}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{title} — statement-monitor</title><style>{CSS}</style></head>
<body class="inline-view"><header><h1>{title}</h1>
<p>compared with {escape(old["title"] or old["ref"])} ({escape(str(old["date"] or "undated"))} → {escape(str(new["date"] or "undated"))})</p></header>
<main><nav><div class="counts">{counts}</div><p>{escape(headline(result))}</p>
<div class="views"><button data-view="inline-view">Inline</button><button data-view="sbs">Side by side</button></div>
{nav}</nav><div class="body">{sections}</div></main>
<script>{SCRIPT}</script></body></html>
"""
