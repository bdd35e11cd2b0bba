"""SQLAlchemy 2 models. Naive datetimes are UTC everywhere.

sources ─┬─ documents ─── versions ──┬── diffs ── alerts (outbox)
         │      └── doc_sketch       └── snapshots ── blobs (raw bytes, by sha256)
         └─ checks
series ── documents
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class SourceRow(Base):
    """A configured source, plus its scheduling state (due time and lease) for the daemons."""

    __tablename__ = "sources"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str | None] = mapped_column(String(8))
    next_due: Mapped[datetime | None] = mapped_column(DateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires: Mapped[datetime | None] = mapped_column(DateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_check: Mapped[datetime | None] = mapped_column(DateTime)
    last_success: Mapped[datetime | None] = mapped_column(DateTime)


class SeriesRow(Base):
    __tablename__ = "series"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    label: Mapped[str] = mapped_column(Text, default="")


class Document(Base):
    """One statement at one canonical URL. A page holding two languages gives two documents,
    told apart by ``part`` ("" for the main part, else the language of the extra part)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("url", "part", name="uq_documents_url_part"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    part: Mapped[str] = mapped_column(String(8), default="")
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"))
    series_id: Mapped[str | None] = mapped_column(ForeignKey("series.id"), index=True)
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    lang: Mapped[str | None] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[date | None] = mapped_column(Date, index=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime)


class Blob(Base):
    """Raw fetched bytes, zlib-compressed, stored once per content hash."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class Snapshot(Base):
    """A distinct body seen at a URL, with the server's validators for conditional GETs."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("url", "sha256", name="uq_snapshots_url_sha"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    content_type: Mapped[str] = mapped_column(String(200), default="")
    encoding: Mapped[str | None] = mapped_column(String(40))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    first_fetched: Mapped[datetime] = mapped_column(DateTime)
    last_fetched: Mapped[datetime] = mapped_column(DateTime)


class Version(Base):
    """The extracted statement as it stood; written only when the normalised text changes."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("document_id", "n", name="uq_versions_doc_n"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    n: Mapped[int] = mapped_column(Integer)
    text_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str | None] = mapped_column(String(8))
    published: Mapped[date | None] = mapped_column(Date)
    units: Mapped[list[Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)


class DocSketch(Base):
    """Bottom-k shingle hashes of a document: the index behind predecessor lookup."""

    __tablename__ = "doc_sketch"
    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id"), primary_key=True, index=True
    )


class SketchHash(Base):
    """How many documents hold a sketch hash; very common ones are skipped in lookups."""

    __tablename__ = "sketch_hashes"
    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    df: Mapped[int] = mapped_column(Integer)


class Check(Base):
    """One fetch attempt of one URL, with its outcome."""

    __tablename__ = "checks"
    __table_args__ = (Index("ix_checks_source_started", "source_id", "started_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(20))
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(100))


class DiffRow(Base):
    """A computed diff (``stmon.diff/1`` JSON) between two versions."""

    __tablename__ = "diffs"
    __table_args__ = (UniqueConstraint("old_version_id", "new_version_id", name="uq_diffs_pair"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    old_version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    new_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    reason: Mapped[str] = mapped_column(String(20))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Alert(Base):
    """The outbox. Written in the transaction that wrote its cause; ``key`` is the idempotency
    key (and email Message-ID), so a resend after a crash is recognisable."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_pending", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    diff_id: Mapped[int | None] = mapped_column(ForeignKey("diffs.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
