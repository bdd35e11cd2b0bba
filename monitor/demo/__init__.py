"""``stmon demo``: the whole product, offline, in a few seconds.

A replay server on 127.0.0.1 serves real statements in realistic page templates (a MOFA
Japanese page, J Defense News articles, a MOFA-style listing and a PDF). The demo polls the
listing twice; before the second poll the New York statement appears on the listing and the
vice-ministerial page is silently edited. It prints the redline, writes report.html, and shows
the alert a channel watching Taiwan and DPRK cyber would receive.
"""

from __future__ import annotations

import asyncio
import copy
import time
from pathlib import Path
from typing import Any

import click

from monitor.config.model import Channel, parse_config
from monitor.demo.site import ReplaySite, asset_text, rounds, serve
from monitor.pipeline import CheckReport, Event
from monitor.report.html import render as render_html
from monitor.report.terminal import render as render_terminal
from monitor.schedule.daemon import Daemon
from notifier.message import subject, text_body
from notifier.rules import for_channel
from storage.db import Database
from storage.models import DiffRow

WATCHED = ("taiwan", "dprk-cyber")


def _poll(config: Any, db: Database) -> CheckReport:
    return asyncio.run(Daemon(config, db, worker="demo").run_once())[0]


def _show_events(events: list[Event]) -> None:
    for e in events:
        s = e.summary
        click.echo(
            f"  {e.reason:6} {e.title[:46]}  ({s['changed']} changed, {s['added']} added, "
            f"{s['removed']} removed, {s['cosmetic']} cosmetic)"
        )


def _watched_only(result: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(result)
    out["changes"] = [c for c in result["changes"] if set(c["topics"]) & set(WATCHED)]
    out["topics"] = {t: v for t, v in result["topics"].items() if t in WATCHED}
    return out


def run_demo(out_dir: Path, *, color: bool | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = out_dir / "demo.sqlite3"
    for stale in out_dir.glob("demo.sqlite3*"):
        stale.unlink()
    site = ReplaySite()
    first, second = rounds()
    site.pages = first
    server, base = serve(site)
    try:
        config = parse_config(
            asset_text("demo-sources.yaml").format(base=base), "demo-sources.yaml"
        )
        db = Database(f"sqlite:///{db_path}")
        click.echo(f"Replay server on {base}; database {db_path}\n")
        click.echo(
            "Poll 1: the listing holds three statements (a MOFA page, a J Defense News article, a PDF)"
        )
        report1 = _poll(config, db)
        _show_events(report1.events)
        site.pages = second
        before_304 = site.not_modified
        click.echo(
            "\nPoll 2: the New York statement appears on the listing; the vice-ministerial page is silently edited"
        )
        report2 = _poll(config, db)
        _show_events(report2.events)
        click.echo(f"  unchanged pages answered 304 Not Modified: {site.not_modified - before_304}")
    finally:
        server.shutdown()
        server.server_close()
    new = next(e for e in report2.events if e.reason == "new")
    edit = next(e for e in report2.events if e.reason == "edited")
    with db.session() as s:
        new_diff = s.get(DiffRow, new.diff_id).result  # type: ignore[union-attr]
        edit_diff = s.get(DiffRow, edit.diff_id).result  # type: ignore[union-attr]
    (out_dir / "report.html").write_text(render_html(new_diff), encoding="utf-8")
    (out_dir / "edit-report.html").write_text(render_html(edit_diff), encoding="utf-8")

    click.echo("\n" + "─" * 78)
    click.echo(
        "New statement against its predecessor in series jur-fm (Taiwan and DPRK cyber shown;"
    )
    click.echo(f"all {sum(new_diff['summary'].values())} changes are in report.html):\n")
    click.echo(render_terminal(_watched_only(new_diff), color=color), nl=False)
    click.echo("\n" + "─" * 78)
    click.echo("Silent edit of the vice-ministerial page:\n")
    click.echo(render_terminal(edit_diff, color=color), nl=False)

    channel = Channel(id="analysts", kind="email", to=("analysts@example.org",), topics=WATCHED)
    part = for_channel(channel, new_diff, source_id="demo-mofa-press", series_id="jur-fm")
    payload = {
        "reason": "new",
        "document": {
            "title": new.title,
            "url": new.url,
            "date": new_diff["new"]["date"],
            "series": "jur-fm",
            "source": "demo-mofa-press",
        },
        "diff": part,
    }
    click.echo("\n" + "─" * 78)
    click.echo(
        "The alert a channel watching taiwan and dprk-cyber would receive (the demo sends none):\n"
    )
    click.echo(f"Subject: {subject(payload)}\n")
    click.echo(text_body(payload, "report.html"))
    click.echo(
        f"Wrote {out_dir / 'report.html'} and {out_dir / 'edit-report.html'} "
        f"in {time.perf_counter() - started:.1f} s."
    )
    db.close()
    return {"new": new_diff, "edit": edit_diff, "not_modified": site.not_modified}
