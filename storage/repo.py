"""Repository functions: every read and write the pipeline makes, one session at a time.

Callers own the transaction (``Database.session()``), so a version, its diff and the alerts
it causes are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import (
    Alert,
    Blob,
    Check,
    DiffRow,
    DocSketch,
    Document,
    SeriesRow,
    SketchHash,
    Snapshot,
    SourceRow,
    Version,
)


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def _insert(session: Session, table: Any) -> Any:
    """An INSERT … ON CONFLICT DO NOTHING for the session's dialect."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


# ---- sources -------------------------------------------------------------------------------


def sync_sources(session: Session, sources: Iterable[Any]) -> None:
    """Insert or update the configured sources; scheduling state is kept. Safe when several
    daemons start at once (INSERT … ON CONFLICT DO UPDATE). One statement for all sources."""
    rows = [
        {
            "id": src.id,
            "name": src.name,
            "url": src.url,
            "kind": src.kind,
            "lang": src.lang,
            "consecutive_failures": 0,
        }
        for src in sources
    ]
    if not rows:
        return
    stmt = _insert(session, SourceRow)
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={col: stmt.excluded[col] for col in ("name", "url", "kind", "lang")},
    )
    session.connection().execute(stmt, rows)


def ensure_series(session: Session, series_id: str, label: str | None = None) -> None:
    session.execute(
        _insert(session, SeriesRow)
        .values(id=series_id, label=label or series_id)
        .on_conflict_do_nothing()
    )


# ---- snapshots -----------------------------------------------------------------------------


def validators(session: Session, url: str) -> tuple[str | None, str | None]:
    """The server's ETag and Last-Modified from the latest snapshot of ``url``."""
    row = session.execute(
        select(Snapshot.etag, Snapshot.last_modified)
        .where(Snapshot.url == url)
        .order_by(Snapshot.last_fetched.desc(), Snapshot.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def store_snapshot(
    session: Session,
    url: str,
    body: bytes,
    *,
    content_type: str = "",
    encoding: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    now: datetime | None = None,
) -> Snapshot:
    """Store raw bytes once per hash; a snapshot row per distinct (url, hash)."""
    now = now or utcnow()
    sha = hashlib.sha256(body).hexdigest()
    session.execute(
        _insert(session, Blob)
        .values(sha256=sha, size=len(body), body=zlib.compress(body, 6))
        .on_conflict_do_nothing()
    )
    snap = session.execute(
        select(Snapshot).where(Snapshot.url == url, Snapshot.sha256 == sha)
    ).scalar_one_or_none()
    if snap is None:
        snap = Snapshot(
            url=url,
            sha256=sha,
            content_type=content_type,
            encoding=encoding,
            etag=etag,
            last_modified=last_modified,
            first_fetched=now,
            last_fetched=now,
        )
        session.add(snap)
        session.flush()
    else:
        snap.etag, snap.last_modified, snap.last_fetched = etag, last_modified, now
    return snap


_TOUCH_LATEST = (
    update(Snapshot)
    .where(
        Snapshot.id
        == select(Snapshot.id)
        .where(Snapshot.url == bindparam("b_url"))
        .order_by(Snapshot.last_fetched.desc(), Snapshot.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    .values(last_fetched=bindparam("b_now"))
)


def touch_snapshots(session: Session, fetched: Sequence[tuple[str, datetime]]) -> None:
    """304s: each URL's latest snapshot is still current as of the time given. One statement
    run for many rows, built once and sent through Core (no ORM bookkeeping per row)."""
    if fetched:
        session.connection().execute(
            _TOUCH_LATEST, [{"b_url": url, "b_now": now} for url, now in fetched]
        )


def validators_many(
    session: Session, urls: Sequence[str]
) -> dict[str, tuple[str | None, str | None]]:
    """The latest ETag and Last-Modified of many URLs, in one query."""
    if not urls:
        return {}
    rows = session.execute(
        select(
            Snapshot.url, Snapshot.etag, Snapshot.last_modified, Snapshot.last_fetched, Snapshot.id
        ).where(Snapshot.url.in_(list(urls)))
    ).all()
    latest: dict[str, tuple[Any, ...]] = {}
    for url, etag, modified, fetched, sid in rows:
        if url not in latest or (fetched, sid) > latest[url][2:]:
            latest[url] = (etag, modified, fetched, sid)
    return {url: (v[0], v[1]) for url, v in latest.items()}


def latest_sha(session: Session, url: str) -> str | None:
    """Content hash of the latest snapshot of ``url``."""
    return session.execute(
        select(Snapshot.sha256)
        .where(Snapshot.url == url)
        .order_by(Snapshot.last_fetched.desc(), Snapshot.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def resolve_version(session: Session, kind: str, ident: int, n: int | None) -> Version | None:
    """``version:ID``, ``doc:ID`` (latest version) or ``doc:ID@N``."""
    if kind == "version":
        return session.get(Version, ident)
    query = select(Version).where(Version.document_id == ident)
    query = query.where(Version.n == n) if n else query.order_by(Version.n.desc()).limit(1)
    return session.execute(query).scalars().first()


def blob_bytes(session: Session, sha: str) -> bytes:
    blob = session.get(Blob, sha)
    return zlib.decompress(blob.body) if blob else b""


# ---- documents and versions ----------------------------------------------------------------


def find_document(session: Session, url: str, part: str = "") -> Document | None:
    return session.execute(
        select(Document).where(Document.url == url, Document.part == part)
    ).scalar_one_or_none()


def known_urls(session: Session, urls: Sequence[str]) -> set[str]:
    if not urls:
        return set()
    rows = session.execute(select(Document.url).where(Document.url.in_(list(urls)))).scalars()
    return set(rows)


def create_document(
    session: Session,
    *,
    url: str,
    part: str,
    source_id: str | None,
    lang: str | None,
    title: str,
    published: date | None,
    series_id: str | None,
    now: datetime,
) -> Document:
    doc = Document(
        url=url,
        part=part,
        source_id=source_id,
        lang=lang,
        title=title,
        published=published,
        series_id=series_id,
        first_seen=now,
    )
    session.add(doc)
    session.flush()
    return doc


def latest_version(session: Session, document_id: int) -> Version | None:
    return session.execute(
        select(Version)
        .where(Version.document_id == document_id)
        .order_by(Version.n.desc())
        .limit(1)
    ).scalar_one_or_none()


def add_version(
    session: Session,
    doc: Document,
    *,
    text_hash: str,
    title: str,
    lang: str | None,
    published: date | None,
    units: list[Any],
    text: str,
    snapshot_id: int | None,
    now: datetime,
) -> tuple[Version | None, Version | None]:
    """(new version, previous version). No new version when the text hash is unchanged."""
    previous = latest_version(session, doc.id)
    if previous is not None and previous.text_hash == text_hash:
        previous.last_seen = now
        return None, previous
    version = Version(
        document_id=doc.id,
        n=(previous.n + 1) if previous else 1,
        text_hash=text_hash,
        title=title,
        lang=lang,
        published=published,
        units=units,
        text=text,
        snapshot_id=snapshot_id,
        first_seen=now,
        last_seen=now,
    )
    session.add(version)
    session.flush()
    return version, previous


def recent_documents(
    session: Session, source_id: str, since: datetime, limit: int
) -> list[Document]:
    return list(
        session.execute(
            select(Document)
            .where(
                Document.source_id == source_id, Document.part == "", Document.first_seen >= since
            )
            .order_by(Document.first_seen.desc())
            .limit(limit)
        ).scalars()
    )


def series_predecessor(session: Session, doc: Document) -> Document | None:
    """The latest earlier document of the same series."""
    if doc.series_id is None:
        return None
    query = select(Document).where(
        Document.series_id == doc.series_id, Document.id != doc.id, Document.lang == doc.lang
    )
    if doc.published is not None:
        query = query.where(or_(Document.published <= doc.published, Document.published.is_(None)))
    query = query.order_by(Document.published.desc().nulls_last(), Document.id.desc()).limit(1)
    return session.execute(query).scalar_one_or_none()


# ---- predecessor index ---------------------------------------------------------------------


MAX_POSTINGS = 200  # per hash, only the most recent documents are kept: bounded lookups
PRUNE_SLACK = 50  # prune a hash's postings in batches, not on every insert


def save_sketch(session: Session, document_id: int, hashes: Sequence[int]) -> None:
    """Index a document's sketch (once per document).

    Each hash keeps postings for its MAX_POSTINGS most recent documents only: template text
    shared by a whole site would otherwise make every lookup read the whole archive, and a
    predecessor is a recent document anyway.
    """
    old = list(
        session.execute(
            select(DocSketch.hash).where(DocSketch.document_id == document_id)
        ).scalars()
    )
    if old:
        session.execute(delete(DocSketch).where(DocSketch.document_id == document_id))
        session.execute(
            update(SketchHash).where(SketchHash.hash.in_(old)).values(df=SketchHash.df - 1)
        )
    if not hashes:
        return
    unique = sorted(set(hashes))
    session.execute(
        _insert(session, DocSketch).values(
            [{"hash": h, "document_id": document_id} for h in unique]
        )
    )
    stmt = _insert(session, SketchHash).values([{"hash": h, "df": 1} for h in unique])
    session.execute(
        stmt.on_conflict_do_update(index_elements=["hash"], set_={"df": SketchHash.df + 1})
    )
    full = list(
        session.execute(
            select(SketchHash.hash).where(
                SketchHash.hash.in_(unique), SketchHash.df > MAX_POSTINGS + PRUNE_SLACK
            )
        ).scalars()
    )
    if full:
        rank = (
            func.row_number()
            .over(partition_by=DocSketch.hash, order_by=DocSketch.document_id.desc())
            .label("rank")
        )
        ranked = (
            select(DocSketch.hash, DocSketch.document_id, rank)
            .where(DocSketch.hash.in_(full))
            .subquery()
        )
        stale = select(ranked.c.hash, ranked.c.document_id).where(ranked.c.rank > MAX_POSTINGS)
        session.execute(
            delete(DocSketch).where(tuple_(DocSketch.hash, DocSketch.document_id).in_(stale))
        )
        session.execute(update(SketchHash).where(SketchHash.hash.in_(full)).values(df=MAX_POSTINGS))


def sketch_candidates(
    session: Session,
    hashes: Sequence[int],
    *,
    exclude: int | None,
    before: date | None,
    lang: str | None,
    limit: int = 20,
) -> list[tuple[int, date | None, int, str]]:
    """(document id, published, shared hashes, title) of the documents sharing most hashes.

    Each hash has at most MAX_POSTINGS + PRUNE_SLACK postings, so a lookup reads a bounded
    number of rows, whatever the size of the archive.
    """
    if not hashes:
        return []
    shared = func.count(DocSketch.hash).label("shared")
    query = (
        select(Document.id, Document.published, shared, Document.title)
        .join(DocSketch, DocSketch.document_id == Document.id)
        .where(DocSketch.hash.in_(list(hashes)))
    )
    if exclude is not None:
        query = query.where(Document.id != exclude)
    if before is not None:  # strictly earlier: same-day statements are siblings, not predecessors
        query = query.where(or_(Document.published < before, Document.published.is_(None)))
    if lang is not None:
        query = query.where(Document.lang == lang)
    query = (
        query.group_by(Document.id, Document.published, Document.title)
        .order_by(shared.desc())
        .limit(limit)
    )
    return [(r[0], r[1], int(r[2]), r[3]) for r in session.execute(query)]


# ---- checks, diffs, history ------------------------------------------------------------------


def record_check(
    session: Session,
    *,
    source_id: str | None,
    url: str,
    started: datetime,
    duration_ms: float,
    outcome: str,
    status: int | None = None,
    error: str | None = None,
    worker: str | None = None,
) -> None:
    session.add(
        Check(
            source_id=source_id,
            url=url,
            started_at=started,
            duration_ms=duration_ms,
            outcome=outcome,
            status=status,
            error=error,
            worker=worker,
        )
    )


def record_checks(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Many checks at once (the keys of ``record_check``), as one multi-row INSERT."""
    if rows:
        session.connection().execute(insert(Check), [{"source_id": None, **row} for row in rows])


def save_diff(
    session: Session,
    old_version_id: int | None,
    new_version_id: int,
    reason: str,
    result: dict[str, Any],
    now: datetime,
) -> DiffRow:
    row = DiffRow(
        old_version_id=old_version_id,
        new_version_id=new_version_id,
        reason=reason,
        result=result,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def history(session: Session, document_id: int | None = None) -> list[dict[str, Any]]:
    query = select(Document).order_by(Document.id)
    if document_id is not None:
        query = query.where(Document.id == document_id)
    docs = list(session.execute(query).scalars())
    versions: dict[int, list[Version]] = {}
    if docs:
        for v in session.execute(
            select(Version)
            .where(Version.document_id.in_([d.id for d in docs]))
            .order_by(Version.document_id, Version.n)
        ).scalars():
            versions.setdefault(v.document_id, []).append(v)
    return [
        {
            "id": d.id,
            "url": d.url,
            "part": d.part,
            "source": d.source_id,
            "series": d.series_id,
            "title": d.title,
            "lang": d.lang,
            "date": d.published.isoformat() if d.published else None,
            "predecessor": d.predecessor_id,
            "versions": [
                {
                    "n": v.n,
                    "ref": f"version:{v.id}",
                    "first_seen": v.first_seen.isoformat() + "Z",
                    "last_seen": v.last_seen.isoformat() + "Z",
                    "text_hash": v.text_hash,
                }
                for v in versions.get(d.id, [])
            ],
        }
        for d in docs
    ]


# ---- scheduling leases -----------------------------------------------------------------------


def claim_due_sources(
    session: Session,
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    only: Sequence[str] | None = None,
) -> list[str]:
    """Lease up to ``limit`` due sources to ``owner`` (FOR UPDATE SKIP LOCKED on PostgreSQL)."""
    query = (
        select(SourceRow.id)
        .where(or_(SourceRow.next_due.is_(None), SourceRow.next_due <= now))
        .where(or_(SourceRow.lease_expires.is_(None), SourceRow.lease_expires < now))
        .order_by(SourceRow.next_due.asc().nulls_first())
        .limit(limit)
    )
    if only is not None:
        query = query.where(SourceRow.id.in_(list(only)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.execute(query).scalars())
    if ids:
        session.execute(
            update(SourceRow)
            .where(SourceRow.id.in_(ids))
            .values(lease_owner=owner, lease_expires=now + lease)
        )
    return ids


_FINISH_VALUES: dict[str, Any] = {
    "next_due": bindparam("b_next_due"),
    "last_check": bindparam("b_now"),
}
_FINISH_OK = (
    update(SourceRow)
    .where(SourceRow.id == bindparam("b_id"))
    .values(**_FINISH_VALUES, consecutive_failures=0, last_success=bindparam("b_now"))
    .returning(SourceRow.consecutive_failures)
)
_FINISH_FAILED = (
    update(SourceRow)
    .where(SourceRow.id == bindparam("b_id"))
    .values(**_FINISH_VALUES, consecutive_failures=SourceRow.consecutive_failures + 1)
    .returning(SourceRow.consecutive_failures)
)
_RELEASE_LEASE = (
    update(SourceRow)
    .where(SourceRow.id == bindparam("b_id"), SourceRow.lease_owner == bindparam("b_owner"))
    .values(lease_owner=None, lease_expires=None)
)


def finish_source(
    session: Session, source_id: str, owner: str, *, next_due: datetime, ok: bool, now: datetime
) -> int:
    """Release the lease, set the next due time; returns the consecutive failure count.
    One UPDATE … RETURNING: the row lock it takes serialises concurrent finishes. The
    statements are built once and run through Core: this runs once per check."""
    conn = session.connection()
    failures = conn.execute(
        _FINISH_OK if ok else _FINISH_FAILED,
        {"b_id": source_id, "b_next_due": next_due, "b_now": now},
    ).scalar_one_or_none()
    conn.execute(_RELEASE_LEASE, {"b_id": source_id, "b_owner": owner})
    return int(failures or 0)


def enqueue_alert(
    session: Session,
    *,
    key: str,
    channel_id: str,
    kind: str,
    payload: dict[str, Any],
    diff_id: int | None,
    now: datetime,
) -> None:
    session.execute(
        _insert(session, Alert)
        .values(
            key=key,
            channel_id=channel_id,
            kind=kind,
            payload=payload,
            diff_id=diff_id,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )


def claim_alerts(
    session: Session, owner: str, now: datetime, lease: timedelta, limit: int = 50
) -> list[Alert]:
    query = (
        select(Alert)
        .where(Alert.status == "pending", Alert.next_attempt_at <= now)
        .where(or_(Alert.lease_expires.is_(None), Alert.lease_expires < now))
        .order_by(Alert.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    alerts = list(session.execute(query).scalars())
    for alert in alerts:
        alert.lease_owner, alert.lease_expires = owner, now + lease
    return alerts
