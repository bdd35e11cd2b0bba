from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from monitor.config.model import parse_config
from monitor.document import Statement, Unit
from monitor.pipeline import Monitor
from storage import repo
from storage.db import Database
from storage.models import Blob, Check, Snapshot, Version
from tests.conftest import ROOT

CONFIG = parse_config("sources:\n  - {id: src, url: 'http://example.org/', kind: page}\n")


def statement(*paragraphs: str) -> Statement:
    return Statement("title", None, "ja", tuple(Unit("paragraph", p) for p in paragraphs))


def test_same_text_twice_is_one_version_changed_text_is_version_2(db: Database) -> None:
    monitor = Monitor(CONFIG, db)
    with db.session() as s:
        repo.sync_sources(s, CONFIG.sources)
    src = CONFIG.sources[0]
    first = monitor.ingest("http://example.org/a", src, [statement("閣僚は会談した。")])
    again = monitor.ingest("http://example.org/a", src, [statement("閣僚は会談した。")])
    rewrapped = monitor.ingest("http://example.org/a", src, [statement("閣僚は\n会談した。")])
    changed = monitor.ingest("http://example.org/a", src, [statement("閣僚は再び会談した。")])
    assert [e.reason for e in first] == ["new"]
    assert again == [] and rewrapped == []
    assert [e.reason for e in changed] == ["edited"]
    with db.session() as s:
        versions = s.execute(select(Version.n).order_by(Version.n)).scalars().all()
    assert versions == [1, 2]


def test_snapshots_are_deduplicated_by_hash(db: Database) -> None:
    with db.session() as s:
        for _ in range(3):
            repo.store_snapshot(s, "http://example.org/a", b"<p>same</p>", etag='"1"')
        repo.store_snapshot(s, "http://example.org/b", b"<p>same</p>")
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(Blob)).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(Snapshot)).scalar_one() == 2
        assert repo.validators(s, "http://example.org/a") == ('"1"', None)
        assert repo.blob_bytes(s, s.execute(select(Snapshot.sha256)).scalars().first()) == b"<p>same</p>"


def test_history_lists_documents_and_versions(db: Database) -> None:
    monitor = Monitor(CONFIG, db)
    with db.session() as s:
        repo.sync_sources(s, CONFIG.sources)
    monitor.ingest("http://example.org/a", CONFIG.sources[0], [statement("一。")])
    monitor.ingest("http://example.org/a", CONFIG.sources[0], [statement("二。")])
    with db.session() as s:
        rows = repo.history(s)
    assert rows[0]["url"] == "http://example.org/a"
    assert [v["n"] for v in rows[0]["versions"]] == [1, 2]
    assert rows[0]["versions"][0]["ref"].startswith("version:")


WRITER = """
import sys
from monitor.config.model import parse_config
from monitor.document import Statement, Unit
from monitor.pipeline import Monitor
from storage import repo
from storage.db import Database
config = parse_config("sources:\\n  - {id: src, url: 'http://example.org/', kind: page}\\n")
db = Database(sys.argv[1])
with db.session() as s:
    repo.sync_sources(s, config.sources)
monitor = Monitor(config, db)
i = 0
while True:
    i += 1
    events = monitor.ingest("http://example.org/doc", config.sources[0],
                            [Statement("t", None, "en", (Unit("paragraph", f"Version number {i} of the text."),))])
    print(events[0].version_id, flush=True)
"""


def test_writer_killed_mid_loop_loses_no_committed_version(db_url: str, tmp_path: Path) -> None:
    Database(db_url).close()  # migrate first, so the kill lands inside the write loop
    committed: list[int] = []
    with subprocess.Popen([sys.executable, "-c", WRITER, db_url], stdout=subprocess.PIPE, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}) as proc:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while len(committed) < 40 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.strip():
                committed.append(int(line))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert len(committed) >= 40
    db = Database(db_url)
    try:
        assert db.integrity_ok()
        with db.session() as s:
            stored = set(s.execute(select(Version.id)).scalars())
            numbers = s.execute(select(Version.n).order_by(Version.n)).scalars().all()
        assert set(committed) <= stored
        assert numbers == list(range(1, len(numbers) + 1))  # no gap, no duplicate
    finally:
        db.close()


def test_checks_are_recorded(db: Database) -> None:
    with db.session() as s:
        repo.record_check(s, source_id="src", url="http://example.org/", started=repo.utcnow(),
                          duration_ms=1.0, outcome="error", status=500, error="HTTP 500")
    with db.session() as s:
        check = s.execute(select(Check)).scalar_one()
    assert (check.outcome, check.status) == ("error", 500)


def test_migrations_match_the_models(db: Database) -> None:
    """The schema Alembic builds is the one the models describe (no forgotten migration)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.models import Base

    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
