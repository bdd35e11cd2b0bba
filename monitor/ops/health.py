"""A tiny HTTP endpoint for operators: ``/healthz`` and Prometheus ``/metrics``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import func, select

from storage import repo
from storage.db import Database
from storage.models import Alert, Check, SourceRow, Version


def metrics_text(db: Database) -> str:
    """Prometheus text exposition of the monitor's state, read from the database."""
    now = repo.utcnow()
    lines = []
    with db.session() as s:
        lines += [
            "# HELP stmon_checks_total Fetch attempts by outcome.",
            "# TYPE stmon_checks_total counter",
        ]
        for outcome, n in s.execute(select(Check.outcome, func.count()).group_by(Check.outcome)):
            lines.append(f'stmon_checks_total{{outcome="{outcome}"}} {n}')
        failures = s.execute(
            select(func.count()).select_from(Check).where(Check.outcome == "error")
        ).scalar_one()
        lines += [
            "# HELP stmon_check_failures_total Failed fetch attempts.",
            "# TYPE stmon_check_failures_total counter",
            f"stmon_check_failures_total {failures}",
        ]
        versions = s.execute(select(func.count()).select_from(Version)).scalar_one()
        lines += [
            "# HELP stmon_versions_total Stored versions.",
            "# TYPE stmon_versions_total gauge",
            f"stmon_versions_total {versions}",
        ]
        lines += [
            "# HELP stmon_alerts Alerts in the outbox by status.",
            "# TYPE stmon_alerts gauge",
        ]
        counts = dict(s.execute(select(Alert.status, func.count()).group_by(Alert.status)).all())
        for status in ("pending", "sent", "dead"):
            lines.append(f'stmon_alerts{{status="{status}"}} {counts.get(status, 0)}')
        lines += [
            "# HELP stmon_last_success_age_seconds Seconds since the last successful check, per source.",
            "# TYPE stmon_last_success_age_seconds gauge",
        ]
        for sid, last in s.execute(select(SourceRow.id, SourceRow.last_success)):
            age = (now - last).total_seconds() if last else float("inf")
            lines.append(
                f'stmon_last_success_age_seconds{{source="{sid}"}} {age:.0f}'
                if last
                else f'stmon_last_success_age_seconds{{source="{sid}"}} +Inf'
            )
        lines += [
            "# HELP stmon_consecutive_failures Consecutive failed checks, per source.",
            "# TYPE stmon_consecutive_failures gauge",
        ]
        for sid, n in s.execute(select(SourceRow.id, SourceRow.consecutive_failures)):
            lines.append(f'stmon_consecutive_failures{{source="{sid}"}} {n}')
    return "\n".join(lines) + "\n"


def healthy(db: Database) -> bool:
    try:
        with db.session() as s:
            s.execute(select(1))
        return True
    except Exception:
        return False


async def serve(
    db: Database, host: str, port: int, alive: Callable[[], bool] = lambda: True
) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 5)
            while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
                pass
            path = (
                request.split(b" ")[1].decode("ascii", "replace")
                if request.count(b" ") >= 2
                else "/"
            )
            if path == "/healthz":
                ok = alive() and await asyncio.to_thread(healthy, db)
                status, body, ctype = (
                    (200 if ok else 503),
                    ("ok\n" if ok else "unhealthy\n"),
                    "text/plain",
                )
            elif path == "/metrics":
                status, body, ctype = (
                    200,
                    await asyncio.to_thread(metrics_text, db),
                    "text/plain; version=0.0.4",
                )
            else:
                status, body, ctype = 404, "not found\n", "text/plain"
            data = body.encode()
            writer.write(
                f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
                + data
            )
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port)
