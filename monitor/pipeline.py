"""The orchestrator: the one module that crosses layers.

fetch → extract → normalise → store → match series → diff → enqueue alerts. Everything one
fetched page causes (snapshot, versions, diffs, alert rows, the check row) is written in one
transaction, so a crash leaves either all of it or none of it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from monitor._exceptions import ExtractError, FetchError, InputError, StatementMonitorError
from monitor.config.model import Config, Source, Topic
from monitor.diff.engine import diff_statements, substantive_count
from monitor.discover import feed_links, listing_links
from monitor.document import Statement
from monitor.extract import extract
from monitor.fetch.client import Fetcher, Response
from monitor.series.sketch import Candidate, K, choose_predecessor, sketch
from monitor.text.normalise import text_hash
from notifier.rules import for_channel
from storage import repo
from storage.db import Database
from storage.models import Document, Version

log = logging.getLogger("stmon.pipeline")
RECHECK_WINDOW = timedelta(days=30)  # discovered pages re-polled for silent edits this long
RECHECK_LIMIT = 20


@dataclass
class Event:
    """A new statement or a silent edit, as it reaches the diff/alert stage."""

    reason: str  # "new" or "edited"
    document_id: int
    version_id: int
    diff_id: int
    url: str
    title: str
    summary: dict[str, int]
    alerts: int


Finish = Callable[[Session, bool, "str | None"], None]


class _Once:
    """The caller's end-of-check step, run once, inside the transaction that ends the check."""

    def __init__(self, finish: Finish | None) -> None:
        self.finish = finish
        self.done = False
        self.deferred = False  # a 304 waiting for Monitor.flush, which runs it

    def __call__(self, session: Session, ok: bool, error: str | None) -> None:
        if not self.done and self.finish is not None:
            self.finish(session, ok, error)
        self.done = True


@dataclass
class CheckReport:
    source_id: str
    ok: bool
    outcome: str
    events: list[Event] = field(default_factory=list)
    error: str | None = None


@dataclass
class _NotModified:
    """A 304 whose check is not written yet (see ``Monitor.flush``)."""

    source_id: str
    url: str
    started: datetime
    duration_ms: float
    end: _Once


class Monitor:
    NOT_MODIFIED_BATCH = 200  # 304s written per transaction at most

    def __init__(
        self, config: Config, db: Database, fetcher: Fetcher | None = None, *, worker: str = "local"
    ) -> None:
        self.config = config
        self.db = db
        self.fetcher = fetcher
        self.worker = worker
        # ETag and Last-Modified read ahead for a batch of checks (preload), used once each.
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self._not_modified: list[_NotModified] = []
        self._active = 0  # checks in progress; the 304s are written when none is left

    def flush(self) -> None:
        """Write the 304s gathered so far in one transaction: their checks, their snapshots'
        fetch times and each source's finish (lease release, next due time).

        An unchanged page is most of what a daemon sees, and one transaction per 304 was most
        of its cost. A 304 carries nothing to store, so if the process dies before this runs,
        nothing is lost: the leases expire and those sources are checked again.
        """
        pending, self._not_modified = self._not_modified, []
        if not pending:
            return
        try:
            with self.db.session() as s:
                repo.touch_snapshots(s, [(q.url, q.started) for q in pending])
                repo.record_checks(
                    s,
                    [
                        {
                            "source_id": q.source_id,
                            "url": q.url,
                            "started_at": q.started,
                            "duration_ms": q.duration_ms,
                            "outcome": "not_modified",
                            "status": 304,
                            "worker": self.worker,
                        }
                        for q in pending
                    ],
                )
                for q in pending:
                    q.end(s, True, None)
        except SQLAlchemyError as exc:
            log.error(
                "could not record %d unchanged checks; their sources are checked again when"
                " their leases expire: %s",
                len(pending),
                exc,
            )

    def preload(self, sources: list[Source]) -> None:
        """Read the validators of many sources in one query before checking them."""
        with self.db.session() as s:
            self.validators.update(repo.validators_many(s, [src.url for src in sources]))

    # ---- checking sources ------------------------------------------------------------------

    async def check_source(self, source: Source, finish: Finish | None = None) -> CheckReport:
        """Check one source now; never raises for a fetch or extraction problem.

        ``finish(session, ok, error)`` runs exactly once, inside the transaction that records
        the check's end (for a page, the one that stores its version), so a daemon killed
        mid-check leaves either the whole check or none of it.
        """
        end = _Once(finish)
        self._active += 1
        try:
            return await self._check_source(source, end)
        finally:
            self._active -= 1
            if self._active == 0 or len(self._not_modified) >= self.NOT_MODIFIED_BATCH:
                self.flush()

    async def _check_source(self, source: Source, end: _Once) -> CheckReport:
        try:
            if source.kind in ("page", "pdf"):
                events, outcome = await self._check_document(source, source.url, end)
            else:
                events, outcome = await self._check_index(source, end)
            report = CheckReport(source.id, True, outcome, events)
        except StatementMonitorError as exc:
            log.warning(
                "check failed", extra={"source": source.id, "url": source.url, "error": str(exc)}
            )
            report = CheckReport(source.id, False, "error", error=str(exc))
        if not end.done and not end.deferred:
            with self.db.session() as s:
                end(s, report.ok, report.error)
        return report

    async def _get(
        self, source: Source, url: str, end: _Once, *, final: bool = True
    ) -> tuple[Response | None, str]:
        """Fetch with the server's validators; (None, outcome) for a 304 or identical bytes."""
        assert self.fetcher is not None, "a Monitor that checks sources needs a Fetcher"
        if url in self.validators:
            etag, last_modified = self.validators.pop(url)
        else:
            with self.db.session() as s:
                etag, last_modified = repo.validators(s, url)
        started, t0 = repo.utcnow(), time.perf_counter()
        try:
            resp = await self.fetcher.get(url, etag=etag, last_modified=last_modified)
        except FetchError as exc:
            with self.db.session() as s:
                repo.record_check(
                    s,
                    source_id=source.id,
                    url=url,
                    started=started,
                    worker=self.worker,
                    duration_ms=(time.perf_counter() - t0) * 1000,
                    outcome="error",
                    status=exc.status,
                    error=str(exc),
                )
                end(s, False, str(exc))
            raise
        if resp.not_modified:
            # Recorded by flush(). For the final fetch of a check, flush also finishes it; a
            # listing's 304 is not the end of its check, which goes on to its pages.
            self._not_modified.append(
                _NotModified(
                    source.id, url, started, resp.elapsed_ms, end if final else _Once(None)
                )
            )
            end.deferred = end.deferred or final
            return None, "not_modified"
        return resp, "fetched"

    async def _check_document(
        self, source: Source, url: str, end: _Once
    ) -> tuple[list[Event], str]:
        resp, outcome = await self._get(source, url, end)
        if resp is None:
            return [], outcome
        now = repo.utcnow()
        statements: list[Statement] = []
        error: ExtractError | None = None
        with self.db.session() as s:
            latest_sha = repo.latest_sha(s, url)
        if latest_sha != resp.sha256:  # identical bytes need no extraction: nothing can differ
            try:
                statements = extract(
                    resp.content,
                    content_type=resp.content_type,
                    url=resp.url,
                    rules=source.extract,
                    lang=source.lang,
                    charset=resp.charset,
                )
            except ExtractError as exc:
                error = exc
        with self.db.session() as s:
            snap = repo.store_snapshot(
                s,
                url,
                resp.content,
                content_type=resp.content_type,
                encoding=resp.charset,
                etag=resp.etag,
                last_modified=resp.last_modified,
                now=now,
            )
            events = [] if error else self._ingest(s, url, source, statements, snap.id, now)
            outcome = "error" if error else ("changed" if events else "unchanged")
            repo.record_check(
                s,
                source_id=source.id,
                url=url,
                started=now,
                worker=self.worker,
                duration_ms=resp.elapsed_ms,
                outcome=outcome,
                status=resp.status,
                error=str(error) if error else None,
            )
            end(s, error is None, str(error) if error else None)
        if error:
            raise error
        return events, outcome

    async def _check_index(self, source: Source, end: _Once) -> tuple[list[Event], str]:
        resp, outcome = await self._get(source, source.url, end, final=False)
        events: list[Event] = []
        new_links: list[str] = []
        if resp is not None:
            now = repo.utcnow()
            if source.kind == "feed":
                links = [link for link, _title in feed_links(resp.content, resp.url)]
            else:
                assert source.discover is not None
                links = listing_links(
                    resp.text(), resp.url, source.discover.links, source.discover.pattern
                )
            with self.db.session() as s:
                repo.store_snapshot(
                    s,
                    source.url,
                    resp.content,
                    content_type=resp.content_type,
                    etag=resp.etag,
                    last_modified=resp.last_modified,
                    now=now,
                )
                known = repo.known_urls(s, links)
                repo.record_check(
                    s,
                    source_id=source.id,
                    url=source.url,
                    started=now,
                    worker=self.worker,
                    duration_ms=resp.elapsed_ms,
                    outcome="listed",
                    status=resp.status,
                )
            limit = source.discover.max_new if source.discover else 20
            new_links = [u for u in links if u not in known][:limit]
        with self.db.session() as s:
            recheck = [
                d.url
                for d in repo.recent_documents(
                    s, source.id, repo.utcnow() - RECHECK_WINDOW, RECHECK_LIMIT
                )
            ]
        targets = new_links + [u for u in recheck if u not in new_links]
        results = await asyncio.gather(
            *(self._check_document(source, u, _Once(None)) for u in targets), return_exceptions=True
        )
        for url, result in zip(targets, results, strict=True):
            if isinstance(result, BaseException):
                if not isinstance(result, StatementMonitorError):
                    raise result
                log.warning(
                    "document check failed",
                    extra={"source": source.id, "url": url, "error": str(result)},
                )
                continue
            events.extend(result[0])
        return events, "changed" if events else outcome

    # ---- storing and diffing ---------------------------------------------------------------

    def ingest(
        self,
        url: str,
        source: Source | None,
        statements: list[Statement],
        *,
        content: bytes | None = None,
    ) -> list[Event]:
        """Store statements for ``url`` (as if just fetched) and diff them; used by tests and tools."""
        now = repo.utcnow()
        with self.db.session() as s:
            snap_id = (
                repo.store_snapshot(s, url, content, now=now).id if content is not None else None
            )
            return self._ingest(s, url, source, statements, snap_id, now)

    def _ingest(
        self,
        s: Session,
        url: str,
        source: Source | None,
        statements: list[Statement],
        snapshot_id: int | None,
        now: datetime,
    ) -> list[Event]:
        events = []
        for st in statements:
            doc = repo.find_document(s, url, st.part)
            if doc is None:
                series_id = self._series_for(s, source, st, url)
                doc = repo.create_document(
                    s,
                    url=url,
                    part=st.part,
                    source_id=source.id if source else None,
                    lang=st.lang,
                    title=st.title,
                    published=st.date,
                    series_id=series_id,
                    now=now,
                )
            version, previous = repo.add_version(
                s,
                doc,
                text_hash=text_hash(st.text),
                title=st.title,
                lang=st.lang,
                published=st.date,
                units=st.units_json(),
                text=st.text,
                snapshot_id=snapshot_id,
                now=now,
            )
            if version is None:
                continue
            old_version: Version | None
            if previous is not None:
                reason, old_version = "edited", previous
            else:
                reason, old_version = "new", self._predecessor_version(s, doc, st)
            old = statement_of(old_version) if old_version else Statement("", None, st.lang, ())
            result = diff_statements(
                old,
                st,
                self.config.topics,
                old_ref=f"version:{old_version.id}" if old_version else "",
                new_ref=f"version:{version.id}",
            )
            diff_row = repo.save_diff(
                s, old_version.id if old_version else None, version.id, reason, result, now
            )
            alerts = self._enqueue(s, doc, reason, result, diff_row.id, now)
            events.append(
                Event(
                    reason,
                    doc.id,
                    version.id,
                    diff_row.id,
                    url,
                    st.title,
                    result["summary"],
                    alerts,
                )
            )
            log.info(
                "%s statement",
                reason,
                extra={
                    "source": source.id if source else None,
                    "url": url,
                    "version": version.id,
                    "changes": substantive_count(result),
                },
            )
        return events

    def _series_for(self, s: Session, source: Source | None, st: Statement, url: str) -> str | None:
        for rule in source.series if source else ():
            if rule.matches(st.title, url):
                repo.ensure_series(s, rule.id, rule.label)
                return rule.id
        return None

    def _predecessor_version(self, s: Session, doc: Document, st: Statement) -> Version | None:
        hashes = sketch(st.text)
        repo.save_sketch(s, doc.id, hashes)
        pred = repo.series_predecessor(s, doc)
        if pred is None:
            rows = repo.sketch_candidates(s, hashes, exclude=doc.id, before=st.date, lang=st.lang)
            choice = choose_predecessor(
                [Candidate(r[0], r[1], r[2], r[3]) for r in rows],
                st.title,
                self.config.defaults.similarity_threshold,
                K,
            )
            pred = s.get(Document, choice.document_id) if choice else None
        if pred is None:
            return None
        doc.predecessor_id = pred.id
        return repo.latest_version(s, pred.id)

    def _enqueue(
        self,
        s: Session,
        doc: Document,
        reason: str,
        result: dict[str, Any],
        diff_id: int,
        now: datetime,
    ) -> int:
        count = 0
        for channel in self.config.channels:
            part = for_channel(channel, result, source_id=doc.source_id, series_id=doc.series_id)
            if part is None:
                continue
            payload = {"reason": reason, "document": _doc_info(doc), "diff": part}
            repo.enqueue_alert(
                s,
                key=f"{channel.id}:diff:{diff_id}",
                channel_id=channel.id,
                kind="change",
                payload=payload,
                diff_id=diff_id,
                now=now,
            )
            count += 1
        return count

    def enqueue_failure(
        self, s: Session, source: Source, failures: int, error: str, now: datetime
    ) -> None:
        """A source-failure alert, once per outage, when failures reach the configured count."""
        if failures != self.config.defaults.failure_alert_after:
            return
        for channel in self.config.channels:
            if not channel.failures or (
                channel.sources is not None and source.id not in channel.sources
            ):
                continue
            payload = {
                "reason": "failure",
                "source": {"id": source.id, "name": source.name, "url": source.url},
                "failures": failures,
                "error": error,
            }
            repo.enqueue_alert(
                s,
                key=f"{channel.id}:failure:{source.id}:{now.isoformat()}",
                channel_id=channel.id,
                kind="failure",
                payload=payload,
                diff_id=None,
                now=now,
            )

    # ---- ad-hoc comparison -----------------------------------------------------------------

    async def load(self, ref: str, source: Source | None = None) -> Statement:
        """A statement from a path, a URL, or a stored ref (version:ID, doc:ID, doc:ID@N)."""
        stored = re.fullmatch(r"(version|doc):(\d+)(?:@(\d+))?", ref)
        if stored:
            with self.db.session() as s:
                kind, ident, n = stored.group(1), int(stored.group(2)), stored.group(3)
                version = repo.resolve_version(s, kind, ident, int(n) if n else None)
                if version is None:
                    raise InputError(f"{ref}: no such stored version")
                return statement_of(version)
        if re.match(r"https?://", ref):
            if self.fetcher is None:
                raise InputError(f"{ref}: fetching URLs needs network access")
            resp = await self.fetcher.get(ref)
            return extract(
                resp.content,
                content_type=resp.content_type,
                url=resp.url,
                rules=source.extract if source else None,
                charset=resp.charset,
            )[0]
        path = Path(ref)
        if not path.is_file():
            raise InputError(
                f"{ref}: no such file, URL or stored ref (version:ID, doc:ID, doc:ID@N)"
            )
        return extract(path.read_bytes(), url=str(path), rules=source.extract if source else None)[
            0
        ]

    def compare(
        self,
        old: Statement,
        new: Statement,
        topics: tuple[Topic, ...] | None = None,
        *,
        old_ref: str = "",
        new_ref: str = "",
    ) -> dict[str, Any]:
        return diff_statements(
            old,
            new,
            self.config.topics if topics is None else topics,
            old_ref=old_ref,
            new_ref=new_ref,
        )


def statement_of(version: Version) -> Statement:
    return Statement.from_units_json(
        version.title, version.published, version.lang or "en", version.units
    )


def _doc_info(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "url": doc.url,
        "title": doc.title,
        "source": doc.source_id,
        "series": doc.series_id,
        "lang": doc.lang,
        "date": doc.published.isoformat() if doc.published else None,
    }
