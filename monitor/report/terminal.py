from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.text import Text

from monitor.report.grouping import by_topic, change_spans, cosmetic, headline

STYLES = {"delete": "bold red strike", "insert": "bold green underline", "equal": ""}
# Without colour, edits are marked the way wdiff does: [-deleted-] {+inserted+}.
MARKS = {"delete": ("[-", "-]"), "insert": ("{+", "+}"), "equal": ("", "")}


def _piece(text: Text, op: str, value: str, color: bool) -> None:
    if color:
        text.append(value, style=STYLES[op])
    else:
        start, end = MARKS[op]
        text.append(f"{start}{value}{end}")


def change_text(change: dict[str, Any], color: bool = True) -> Text:
    kind = change["kind"] + (" (moved)" if change["moved"] and change["kind"] != "moved" else "")
    text = Text(f"  [{kind}] ", style="dim")
    for span in change_spans(change):
        _piece(text, span["op"], span["text"], color)
    return text


def render(result: dict[str, Any], *, color: bool | None = None, width: int = 100) -> str:
    """Coloured terminal redline grouped by topic (red strike = removed, green = added)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=color is False,
        width=width,
        highlight=False,
        emoji=False,
        soft_wrap=True,
    )
    colored = console.is_terminal if color is None else color
    old, new = result["old"], result["new"]
    console.print(Text(f"{new['title'] or new['ref']}", style="bold"))
    console.print(
        Text(
            f"  vs {old['title'] or old['ref']} ({old['date'] or 'undated'} → {new['date'] or 'undated'})",
            style="dim",
        )
    )
    console.print(Text(headline(result), style="bold"))
    for _tid, label, changes in by_topic(result):
        console.print()
        console.print(Text(f"■ {label} ({len(changes)})", style="bold cyan"))
        for change in changes:
            console.print(change_text(change, colored))
    cos = cosmetic(result)
    if cos:
        console.print()
        console.print(
            Text(
                f"■ Cosmetic only ({len(cos)}): width, variant characters, punctuation", style="dim"
            )
        )
        for change in cos:
            console.print(change_text(change, colored))
    return buffer.getvalue()
