"""What an alert says: subject, plain text, HTML and Slack blocks, from its outbox payload.

Pure functions. Payload shapes (written by ``monitor.pipeline``)::

    change:  {"reason": "new"|"edited", "document": {...}, "diff": <stmon.diff/1, filtered>}
    failure: {"reason": "failure", "source": {"id", "name", "url"}, "failures": n, "error": "..."}
    test:    {"reason": "test", "channel": "id"}
"""

from __future__ import annotations

from html import escape
from typing import Any

from monitor.report.grouping import by_topic, change_spans, headline
from monitor.report.html import spans_html

SLACK_MAX_BLOCKS = 50
SLACK_MAX_SECTION = 3000
SLACK_MAX_CHANGES = 12
SLACK_TEXT_BUDGET = 12_000  # characters of change text per message, well inside Slack's limits

DEL_STYLE = ' style="background:#ffd9d9;color:#8b0000;text-decoration:line-through"'
INS_STYLE = ' style="background:#d7f5dc;color:#0b5d1e;text-decoration:none"'


def subject(payload: dict[str, Any]) -> str:
    reason = payload["reason"]
    if reason == "failure":
        src = payload["source"]
        return f"[stmon] source failing: {src['name'] or src['id']} ({payload['failures']} checks in a row)"
    if reason == "test":
        return f"[stmon] test alert for channel {payload['channel']}"
    if reason == "digest":
        return f"[stmon] digest: {len(payload['items'])} statements changed"
    doc, diff = payload["document"], payload["diff"]
    what = "new statement" if reason == "new" else "edited"
    series = doc.get("series") or doc.get("source") or "statement"
    topics = (
        ", ".join(info["label"] for info in diff.get("topics", {}).values()) or "no watched topic"
    )
    return (
        f"[stmon] {series} {what}: {doc['title'][:80]} ({doc.get('date') or 'undated'}) — {topics}"
    )


_WDIFF = {"delete": ("[-", "-]"), "insert": ("{+", "+}"), "equal": ("", "")}


def _change_line(change: dict[str, Any]) -> str:
    body = "".join(
        _WDIFF[s["op"]][0] + s["text"] + _WDIFF[s["op"]][1] for s in change_spans(change)
    )
    return f"  * {change['kind']}: {body}"


def text_body(payload: dict[str, Any], report_link: str | None = None) -> str:
    reason = payload["reason"]
    if reason == "failure":
        src = payload["source"]
        return f"Source {src['id']} ({src['url']}) failed {payload['failures']} checks in a row.\nLast error: {payload['error']}\n"
    if reason == "test":
        return f"This is a test alert from statement-monitor for channel {payload['channel']}.\n"
    if reason == "digest":
        return "\n\n".join(text_body(item, None) for item in payload["items"])
    doc, diff = payload["document"], payload["diff"]
    lines = [
        doc["title"],
        doc["url"],
        f"{'New statement' if reason == 'new' else 'Edited'}: {headline(diff)}",
        f"Compared with: {diff['old']['title'] or 'nothing earlier'} ({diff['old']['date'] or 'undated'})",
        "",
    ]
    for _tid, label, changes in by_topic(diff):
        lines.append(f"== {label} ({len(changes)})")
        lines += [_change_line(c) for c in changes]
        lines.append("")
    lines.append("Legend: [-deleted-] {+inserted+}")
    if report_link:
        lines.append(f"Full report: {report_link}")
    return "\n".join(lines) + "\n"


def html_body(payload: dict[str, Any], report_link: str | None = None) -> str:
    reason = payload["reason"]
    if reason == "digest":
        return "<hr>".join(html_body(item, None) for item in payload["items"])
    if "diff" not in payload:
        return f"<pre>{escape(text_body(payload))}</pre>"
    doc, diff = payload["document"], payload["diff"]
    parts = [
        f'<h2 style="margin:0 0 4px">{escape(doc["title"])}</h2>',
        f'<p><a href="{escape(doc["url"], quote=True)}">{escape(doc["url"])}</a><br>'
        f"{'New statement' if reason == 'new' else 'Edited'}: <b>{escape(headline(diff))}</b></p>",
    ]
    for _tid, label, changes in by_topic(diff):
        parts.append(f'<h3 style="margin:14px 0 4px">{escape(label)} ({len(changes)})</h3><ul>')
        for change in changes:
            body = spans_html(change_spans(change), del_attrs=DEL_STYLE, ins_attrs=INS_STYLE)
            parts.append(f"<li><small>{escape(change['kind'])}</small> {body}</li>")
        parts.append("</ul>")
    if report_link:
        parts.append(f'<p><a href="{escape(report_link, quote=True)}">Full report</a></p>')
    return (
        '<!DOCTYPE html><html><body style="font-family:sans-serif">'
        + "".join(parts)
        + "</body></html>"
    )


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_change(change: dict[str, Any]) -> str:
    out = []
    for span in change_spans(change):
        text = _slack_escape(span["text"])
        mark = {"delete": "~", "insert": "*"}.get(span["op"], "") if text.strip() else ""
        out.append(f"{mark}{text.strip()}{mark}" if mark else text)
    body = "".join(out)
    line = f"• _{change['kind']}_ {body}"
    return line if len(line) <= SLACK_MAX_SECTION else line[: SLACK_MAX_SECTION - 2] + "…"


def slack_payload(payload: dict[str, Any], report_link: str | None = None) -> dict[str, Any]:
    """An incoming-webhook message: Block Kit blocks within Slack's limits, plus fallback text."""
    title = subject(payload)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}}
    ]
    if "diff" not in payload:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": _slack_escape(text_body(payload))[:SLACK_MAX_SECTION],
                },
            }
        )
        return {"text": _slack_escape(title), "blocks": blocks}
    doc, diff = payload["document"], payload["diff"]
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": _slack_escape(
                        f"{headline(diff)} · vs {diff['old']['title'] or 'nothing earlier'} ({diff['old']['date'] or 'undated'})"
                    )[:2000],
                }
            ],
        }
    )
    shown = used = 0
    total = sum(len(ch) for _, _, ch in by_topic(diff))

    def full() -> bool:
        return (
            len(blocks) >= SLACK_MAX_BLOCKS - 3
            or shown >= SLACK_MAX_CHANGES
            or used >= SLACK_TEXT_BUDGET
        )

    for _tid, label, changes in by_topic(diff):
        if full():
            break
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{_slack_escape(label)}* ({len(changes)})"},
            }
        )
        for change in changes:
            if full():
                break
            line = _slack_change(change)
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": line}})
            shown += 1
            used += len(line)
    if total > shown:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"+{total - shown} more changes"}],
            }
        )
    link = _slack_escape(report_link or doc["url"]).replace("|", "%7C")
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{link}|Full report>"}]}
    )
    return {"text": _slack_escape(title), "blocks": blocks}
