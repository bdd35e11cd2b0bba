"""The daemon: an APScheduler AsyncIOScheduler whose jobs lease due sources and deliver alerts.

Each tick claims due sources from the database under a lease (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so each due check runs once even with several daemons; a killed daemon's leases
expire and its work is taken over. SIGTERM stops new work, lets in-flight checks finish and
commit, and exits 0. An SQLite database is locked to one daemon.
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import logging
import os
import signal
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.orm import Session

from monitor._exceptions import StorageError
from monitor.config.model import Config, Source
from monitor.fetch.client import Fetcher
from monitor.ops.health import serve
from monitor.pipeline import CheckReport, Monitor
from monitor.schedule.triggers import SPREAD, next_due, spread_start
from notifier.outbox import Outbox
from storage import repo
from storage.db import Database
from storage.models import SourceRow

log = logging.getLogger("stmon.daemon")


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class SqliteLock:
    """One daemon per SQLite file: a second one is told so and refused."""

    def __init__(self, db: Database) -> None:
        path = db.url.split("///", 1)[-1]
        self.path = Path(f"{path}.daemon.lock")
        self.handle: IO[str] | None = None

    def acquire(self) -> None:
        self.handle = self.path.open("w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StorageError(
                f"{self.path.with_suffix('')}: another `stmon run` is using this SQLite database; "
                "SQLite supports one daemon; use PostgreSQL (--db postgresql+psycopg://…) for several"
            ) from exc

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


class Daemon:
    def __init__(
        self,
        config: Config,
        db: Database,
        *,
        worker: str | None = None,
        tick: float = 1.0,
        lease: float = 600.0,
        fetcher: Fetcher | None = None,
        outbox: Outbox | None = None,
        health: tuple[str, int] | None = None,
        spread: float = SPREAD,
    ) -> None:
        self.health = health
        self.spread = spread
        self.config = config
        self.db = db
        self.worker = worker or default_worker_id()
        self.tick = tick
        self.lease = timedelta(seconds=lease)
        self.fetcher = fetcher or Fetcher(config.defaults)
        self.monitor = Monitor(config, db, self.fetcher, worker=self.worker)
        self.outbox = outbox or Outbox(config, db, worker=self.worker, lease=self.lease)
        self.sources = {s.id: s for s in config.sources if s.enabled}
        self.inflight: dict[str, asyncio.Task[None]] = {}
        self.stopping = asyncio.Event()

    def prepare(self) -> None:
        """Register sources and spread overdue ones, so a restart is not a thundering herd."""
        now = repo.utcnow()
        with self.db.session() as s:
            repo.sync_sources(s, self.config.sources)
            for src in self.sources.values():
                row = s.get(SourceRow, src.id)
                if row is not None and (row.next_due is None or row.next_due < now):
                    row.next_due = spread_start(src.schedule, now, self.spread)

    async def dispatch(self) -> None:
        self.monitor.flush()  # 304s gathered since the last tick: record them, free their leases
        if self.stopping.is_set():
            return
        free = self.config.defaults.concurrency - len(self.inflight)
        if free <= 0:
            return
        with self.db.session() as s:
            ids = repo.claim_due_sources(
                s, self.worker, repo.utcnow(), self.lease, free, only=list(self.sources)
            )
        if ids:
            self.monitor.preload([self.sources[sid] for sid in ids])
        for source_id in ids:
            task = asyncio.create_task(self._check(self.sources[source_id]))
            self.inflight[source_id] = task
            task.add_done_callback(functools.partial(self._done, source_id))

    def _done(self, source_id: str, _task: asyncio.Task[None]) -> None:
        self.inflight.pop(source_id, None)

    async def _check(self, source: Source) -> None:
        await self.monitor.check_source(source, self._finisher(source))

    def _finisher(self, source: Source) -> Callable[[Session, bool, str | None], None]:
        """Release the lease and set the next due time in the transaction that ends the check."""

        def finish(s: Session, ok: bool, error: str | None) -> None:
            now = repo.utcnow()
            failures = repo.finish_source(
                s, source.id, self.worker, next_due=next_due(source.schedule, now), ok=ok, now=now
            )
            if not ok:
                self.monitor.enqueue_failure(s, source, failures, error or "", now)

        return finish

    async def deliver(self) -> None:
        await self.outbox.deliver_due()

    async def run_forever(self, *, install_signals: bool = True) -> None:
        lock = SqliteLock(self.db) if self.db.is_sqlite else None
        if lock:
            lock.acquire()
        try:
            self.prepare()
            loop = asyncio.get_running_loop()
            if install_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    loop.add_signal_handler(sig, self.stopping.set)
            scheduler = AsyncIOScheduler(timezone="UTC")
            scheduler.add_job(
                self.dispatch,
                "interval",
                seconds=self.tick,
                max_instances=1,
                coalesce=True,
                id="dispatch",
                misfire_grace_time=None,
            )
            scheduler.add_job(
                self.deliver,
                "interval",
                seconds=max(self.tick, 2.0),
                max_instances=1,
                coalesce=True,
                id="deliver",
                misfire_grace_time=None,
            )
            server = (
                await serve(self.db, *self.health, alive=lambda: not self.stopping.is_set())
                if self.health
                else None
            )
            scheduler.start()
            log.info("daemon started", extra={"worker": self.worker, "sources": len(self.sources)})
            await self.stopping.wait()
            scheduler.shutdown(wait=False)
            if self.inflight:
                log.info("finishing in-flight checks", extra={"count": len(self.inflight)})
                await asyncio.gather(*list(self.inflight.values()), return_exceptions=True)
            self.monitor.flush()
            await self.outbox.deliver_due()
            if server is not None:
                server.close()
        finally:
            await self.fetcher.aclose()
            await self.outbox.aclose()
            if lock:
                lock.release()
        log.info("daemon stopped", extra={"worker": self.worker})

    async def run_once(self) -> list[CheckReport]:
        """Check every enabled source once, now, then deliver alerts."""
        with self.db.session() as s:
            repo.sync_sources(s, self.config.sources)
        self.monitor.preload(list(self.sources.values()))
        try:
            reports = await asyncio.gather(
                *(
                    self.monitor.check_source(src, self._finisher(src))
                    for src in self.sources.values()
                )
            )
            await self.outbox.deliver_due()
            return list(reports)
        finally:
            await self.fetcher.aclose()
            await self.outbox.aclose()


def run(config: Config, db: Database, **kwargs: Any) -> None:
    asyncio.run(Daemon(config, db, **kwargs).run_forever())
