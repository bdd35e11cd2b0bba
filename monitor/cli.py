"""The ``stmon`` command line: a thin shell over ``monitor.pipeline`` and the daemon.

Exit codes: 0 ok; 1 the command ran and found a problem it reports; 2 bad usage or input.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from monitor import __version__
from monitor._exceptions import ConfigError, StatementMonitorError
from monitor.config.model import Config, load_config, load_topics

F = TypeVar("F", bound=Callable[..., Any])


# ---- shared options --------------------------------------------------------------------------


def config_option(f: F) -> F:
    return click.option(
        "--config",
        "config_path",
        envvar="STMON_CONFIG",
        default="sources.yaml",
        show_default=True,
        type=click.Path(dir_okay=False),
        help="sources.yaml to use (env STMON_CONFIG).",
    )(f)


def db_option(f: F) -> F:
    return click.option(
        "--db",
        "db_url",
        envvar="STMON_DB",
        default=None,
        help="Database URL (env STMON_DB); default an SQLite file in STMON_HOME.",
    )(f)


def format_option(*choices: str, default: str, help: str = "Output format.") -> Callable[[F], F]:
    def decorate(f: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(choices),
            default=default,
            show_default=True,
            help=help,
        )(f)

    return decorate


def _reporter_help() -> str:
    from monitor.report import describe

    return "Output format: " + "; ".join(f"{name}: {doc}" for name, doc in describe().items())


_REPORTER_HELP = _reporter_help()


def fail(message: str, code: int = 2) -> None:
    for line in message.splitlines():
        click.echo(f"stmon: {line}", err=True)
    sys.exit(code)


def _load(config_path: str) -> Config:
    try:
        return load_config(config_path)
    except ConfigError as exc:
        fail(str(exc))
        raise  # unreachable; keeps type checkers content


def _open_db(db_url: str | None) -> Any:
    from storage.db import Database

    try:
        return Database(db_url)
    except StatementMonitorError as exc:
        fail(str(exc))


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StatementMonitorError as exc:
            fail(str(exc))


@click.group(
    cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="stmon")
def main() -> None:
    """statement-monitor: watch official statements and redline each against its predecessor.

    \b
    Example:
        stmon demo               # see it work, offline
        stmon check              # validate sources.yaml
        stmon run                # poll the sources on their schedules
    """


@main.command()
@config_option
def check(config_path: str) -> None:
    """Validate the configuration; print every error as FILE:LINE: message.

    \b
    Example:
        stmon check --config sources.yaml
    """
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) in {config_path}", err=True)
        sys.exit(1)
    click.echo(
        f"{config_path}: ok ({len(config.sources)} sources, {len(config.topics)} topics, "
        f"{len(config.channels)} channels)"
    )


@main.command()
@config_option
@db_option
@click.option("--once", is_flag=True, help="Check every source once, deliver alerts, and exit.")
@click.option(
    "--health-port", type=int, default=None, help="Serve /healthz and /metrics on this port."
)
@click.option(
    "--health-host", default="127.0.0.1", show_default=True, help="Address for --health-port."
)
@click.option("--json-logs", is_flag=True, help="Log one JSON object per line.")
@click.option(
    "--worker-id", default=None, help="Name of this daemon in leases and logs (default host:pid)."
)
@click.option(
    "--lease",
    type=float,
    default=600.0,
    show_default=True,
    help="Seconds a claimed source stays leased; a dead daemon's work is taken over after it.",
)
@click.option(
    "--tick",
    type=float,
    default=1.0,
    show_default=True,
    help="Seconds between looks for due sources.",
)
@click.option(
    "--spread",
    type=float,
    default=60.0,
    show_default=True,
    help="Overdue sources at start-up begin within this many seconds, not all at once.",
)
def run(
    config_path: str,
    db_url: str | None,
    once: bool,
    health_port: int | None,
    health_host: str,
    json_logs: bool,
    worker_id: str | None,
    lease: float,
    tick: float,
    spread: float,
) -> None:
    """Poll the configured sources on their schedules (the daemon).

    SIGTERM finishes in-flight checks, commits, and exits 0.

    \b
    Example:
        stmon run --health-port 9108 --json-logs
        stmon run --once
    """
    from monitor.ops.logs import setup
    from monitor.schedule.daemon import Daemon

    setup(json_logs=json_logs)
    config = _load(config_path)
    db = _open_db(db_url)
    daemon = Daemon(
        config,
        db,
        worker=worker_id,
        lease=lease,
        tick=tick,
        spread=spread,
        health=(health_host, health_port) if health_port else None,
    )
    if once:
        reports = asyncio.run(daemon.run_once())
        for report in reports:
            events = ", ".join(f"{e.reason} {e.url}" for e in report.events)
            status = "ok" if report.ok else "FAILED"
            click.echo(
                f"{report.source_id}: {status} {report.outcome}"
                + (f" ({events})" if events else "")
                + (f": {report.error}" if report.error else "")
            )
        return
    asyncio.run(daemon.run_forever())


@main.command()
@click.option(
    "--out",
    "out_dir",
    default="stmon-demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for report.html and the demo database.",
)
def demo(out_dir: str) -> None:
    """Offline demo: serve real statement pages on 127.0.0.1, poll twice, show the redline.

    The second poll finds a new statement on the listing and a silently edited page. No
    network is needed.

    \b
    Example:
        stmon demo --out /tmp/demo && open /tmp/demo/report.html
    """
    from monitor.demo import run_demo

    run_demo(Path(out_dir))


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@format_option("text", "json", "jsonl", default="text")
@click.option("--source", "source_id", default=None, help="Apply this source's extraction rules.")
@config_option
def extract(inputs: tuple[str, ...], fmt: str, source_id: str | None, config_path: str) -> None:
    """Extract title, date, language and body from HTML, PDF or text files or URLs.

    \b
    Example:
        stmon extract page.html --format json
        stmon extract https://www.mofa.go.jp/mofaj/press/release/pressit_000001_02014.html
    """
    from monitor.pipeline import Monitor
    from monitor.session import offline_monitor

    source = _load(config_path).source(source_id) if source_id else None
    monitor: Monitor
    with offline_monitor(config_path if source_id else None) as monitor:
        for ref in inputs:
            statement = asyncio.run(_load_one(monitor, ref, source))
            data = statement.to_json(ref)
            if fmt == "json":
                click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            elif fmt == "jsonl":
                click.echo(json.dumps(data, ensure_ascii=False))
            else:
                click.echo(
                    f"# {data['title']}\n# {data['date'] or 'undated'} · {data['lang']}\n\n{data['text']}\n"
                )


async def _load_one(monitor: Any, ref: str, source: Any) -> Any:
    try:
        return await monitor.load(ref, source)
    finally:
        if monitor.fetcher is not None:
            await monitor.fetcher.aclose()
            monitor.fetcher = None


@main.command()
@click.argument("old")
@click.argument("new")
@format_option("terminal", "html", "md", "json", default="terminal", help=_REPORTER_HELP)
@click.option(
    "--topics",
    "topics_file",
    default=None,
    type=click.Path(dir_okay=False),
    help="YAML file with a topics: list (default: the topics of --config, if it exists).",
)
@click.option(
    "--out", "out_file", default=None, type=click.Path(dir_okay=False), help="Write to this file."
)
@click.option("--source", "source_id", default=None, help="Apply this source's extraction rules.")
@config_option
@db_option
def diff(
    old: str,
    new: str,
    fmt: str,
    topics_file: str | None,
    out_file: str | None,
    source_id: str | None,
    config_path: str,
    db_url: str | None,
) -> None:
    """Compare two documents sentence by sentence and show the redline.

    OLD and NEW are file paths (.html, .pdf, .txt), URLs, or stored refs (version:ID, doc:ID,
    doc:ID@N).

    \b
    Example:
        stmon diff brussels.txt newyork.html --format html --out report.html
        stmon diff doc:12@1 doc:12@2 --format json
    """
    from monitor.report import render
    from monitor.session import offline_monitor

    topics = load_topics(topics_file) if topics_file else None
    stored = any(ref.startswith(("version:", "doc:")) for ref in (old, new))
    with offline_monitor(
        config_path if Path(config_path).exists() else None, db_url if stored else None
    ) as monitor:
        source = monitor.config.source(source_id) if source_id else None
        old_st = asyncio.run(_load_one(monitor, old, source))
        new_st = asyncio.run(_load_one(monitor, new, source))
        result = monitor.compare(old_st, new_st, topics, old_ref=old, new_ref=new)
    output = render(result, fmt) if fmt != "terminal" else _terminal(result, out_file)
    if out_file:
        Path(out_file).write_text(output, encoding="utf-8")
        click.echo(f"wrote {out_file}", err=True)
    else:
        click.echo(output, nl=False)


def _terminal(result: dict[str, Any], out_file: str | None) -> str:
    from monitor.report.terminal import render as render_terminal

    color = None if out_file is None and sys.stdout.isatty() else False
    return render_terminal(result, color=color)


@main.command()
@click.argument("doc", required=False, type=int)
@format_option("table", "json", default="table")
@db_option
def history(doc: int | None, fmt: str, db_url: str | None) -> None:
    """List stored documents, their versions and series.

    \b
    Example:
        stmon history
        stmon history 7 --format json
    """
    from storage import repo

    db = _open_db(db_url)
    with db.session() as s:
        rows = repo.history(s, doc)
    if doc is not None and not rows:
        fail(f"doc:{doc}: no such document", 1)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(
            f"doc:{row['id']:<5} {row['date'] or '----------'} {row['lang'] or '--'} "
            f"{(row['series'] or '-'):<16} {row['title'][:60]}"
        )
        click.echo(f"           {row['url']}{' #' + row['part'] if row['part'] else ''}")
        for v in row["versions"]:
            click.echo(
                f"           v{v['n']} {v['ref']:<14} first seen {v['first_seen']}  {v['text_hash'][:12]}"
            )


@main.command("notify-test")
@click.argument("channel_id")
@config_option
def notify_test(channel_id: str, config_path: str) -> None:
    """Send a test alert through one configured channel, now.

    \b
    Example:
        STMON_SLACK_WEBHOOK=https://hooks.slack.com/... stmon notify-test team-slack
    """
    from notifier.base import Outgoing
    from notifier.outbox import make_sender

    config = _load(config_path)
    try:
        channel = config.channel(channel_id)
    except KeyError:
        fail(
            f"{config_path}: no channel '{channel_id}' (have: {', '.join(c.id for c in config.channels) or 'none'})"
        )
        return
    sender = make_sender(channel)

    async def go() -> None:
        try:
            await sender.send(
                Outgoing(
                    f"{channel.id}:test:{os.getpid()}", {"reason": "test", "channel": channel.id}
                )
            )
        finally:
            await sender.aclose()

    try:
        asyncio.run(go())
    except StatementMonitorError as exc:
        fail(str(exc), 1)
    click.echo(f"sent a test alert through {channel.kind} channel {channel.id}")
