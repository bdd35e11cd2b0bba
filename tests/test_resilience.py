"""Scale-out and crash safety with real processes: several `stmon run` daemons on one
PostgreSQL, SIGKILL mid-cycle, and a crash loop of 20 kills."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from storage.db import Database
from storage.models import Alert, Check, DiffRow, SourceRow, Version
from tests.conftest import ROOT, wait_for
from tests.httpserver import LocalServer, Route

TOPIC_WORDS = ["台湾海峡の平和と安定", "北朝鮮の核・ミサイル計画", "南シナ海における航行の自由", "重要鉱物のサプライチェーン",
               "北朝鮮のサイバー活動", "ロシアと北朝鮮の軍事協力", "経済的威圧への対処", "インド太平洋の安全保障"]


def statement_page(i: int, edition: int = 0) -> str:
    rng = random.Random(i * 1000 + edition)
    sentences = [f"閣僚は、{rng.choice(TOPIC_WORDS)}について第{i}号文書で{edition}回目の議論を行い、"
                 f"{rng.choice(TOPIC_WORDS)}の重要性を確認した。" for _ in range(4)]
    body = "".join(f"<p>{s}</p>" for s in sentences)
    return f"<html><body><div id='maincontents'><h1>声明 第{i}号</h1><p>令和7年9月22日</p>{body}</div></body></html>"


def write_config(path: Path, server: LocalServer, n: int, every: str) -> None:
    lines = ["defaults: {allow_private_addresses: true, per_host_delay: 0s, per_host_concurrency: 6, timeout: 5s,",
             "           retries: 0, concurrency: 12}", "sources:"]
    lines += [f"  - {{id: s{i}, url: '{server.url(f'/s/{i}.html')}', kind: page,"
              f" schedule: {{every: {every}, jitter: 0s}}}}" for i in range(n)]
    lines += ["channels:", "  - {id: hook, kind: slack, webhook_url_env: STMON_TEST_SLACK}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def daemon(cfg: Path, db_url: str, worker: str, hook: str, lease: str = "3") -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STMON_TEST_SLACK": hook}
    return subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(cfg), "--db", db_url,
                             "--worker-id", worker, "--lease", lease, "--tick", "0.2", "--spread", "0"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def count(db: Database, query) -> int:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return int(s.execute(query).scalar_one())


def test_three_daemons_share_200_sources_and_survive_a_kill(server: LocalServer, tmp_path: Path, pg_url: str) -> None:
    db_url = pg_url
    n = 200
    for i in range(n):
        server.set(f"/s/{i}.html", statement_page(i), delay=0.05)
    delivered: list[str] = []
    server.on_post = lambda path, body, headers: (delivered.append(headers["x-stmon-key"]), Route(b"ok"))[1]
    cfg = tmp_path / "sources.yaml"
    write_config(cfg, server, n, "1h")
    db = Database(db_url)
    started = time.time()
    procs = [daemon(cfg, db_url, f"w{k}", server.url("/hook")) for k in range(3)]
    try:
        run_and_check(db, procs, n, started, delivered)
    finally:
        db.close()


def run_and_check(db: Database, procs: list[subprocess.Popen[bytes]], n: int, started: float,
                  delivered: list[str]) -> None:
    try:
        assert wait_for(lambda: count(db, select(func.count()).select_from(Check)) >= 50, 60, every=0.2)
        procs[0].send_signal(signal.SIGKILL)  # mid-cycle: it holds leases on sources in flight
        procs[0].wait()
        assert wait_for(lambda: count(db, select(func.count()).select_from(Check)) >= n, 90, every=0.2), "not every source checked"
        assert wait_for(lambda: count(db, select(func.count()).select_from(Alert).where(Alert.status == "sent")) >= n, 60, every=0.2)
    finally:
        for proc in procs[1:]:
            proc.send_signal(signal.SIGTERM)
        for proc in procs[1:]:
            assert proc.wait(timeout=30) == 0
    with db.session() as s:
        per_source = Counter(s.execute(select(Check.source_id)).scalars())
        assert len(per_source) == n and set(per_source.values()) == {1}, "each due check must run exactly once"
        workers = Counter(s.execute(select(Check.worker)).scalars())
        assert set(workers) <= {"w0", "w1", "w2"} and len(workers) >= 2  # the work was shared
        assert s.execute(select(func.count()).select_from(Version)).scalar_one() == n
        alerts = s.execute(select(Alert.key, Alert.status)).all()
        assert len(alerts) == n and {st for _, st in alerts} == {"sent"}
        rows = s.execute(select(SourceRow.next_due, SourceRow.lease_owner)).all()
        assert all(owner is None for _, owner in rows)
        assert all(due.timestamp() > started + 3000 for due, _ in rows)  # next due in about an hour
    keys = {k for k, _ in alerts}
    assert set(delivered) == keys
    assert len(delivered) - len(set(delivered)) <= 1  # at most one re-sent after the kill


def test_crash_loop_20_kills_lose_nothing(server: LocalServer, tmp_path: Path) -> None:
    """SQLite, the default: the daemon is SIGKILLed at a random point 20 times while pages keep
    changing. Every committed version survives, every diff has its alert, and the database
    passes its integrity check."""
    n = 25
    db_url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    cfg = tmp_path / "sources.yaml"
    write_config(cfg, server, n, "1s")
    server.on_post = lambda path, body, headers: Route(b"ok")
    rng = random.Random(20)
    db = Database(db_url)
    try:
        crash_loop(db, db_url, cfg, server, n, rng)
    finally:
        db.close()


def crash_loop(db: Database, db_url: str, cfg: Path, server: LocalServer, n: int, rng: random.Random) -> None:
    seen: set[int] = set()
    for edition in range(20):
        for i in range(n):
            server.set(f"/s/{i}.html", statement_page(i, edition), delay=0.01)
        proc = daemon(cfg, db_url, "crash", server.url("/hook"), lease="1")
        time.sleep(rng.uniform(1.0, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with db.session() as s:
            now_ids = set(s.execute(select(Version.id)).scalars())
        assert seen <= now_ids, "a committed version disappeared"
        seen = now_ids
    assert len(seen) > n  # pages changed between runs, so edits were stored
    assert db.integrity_ok()
    with db.session() as s:
        diffs = set(s.execute(select(DiffRow.id)).scalars())
        alerted = set(s.execute(select(Alert.diff_id)).scalars())
        assert diffs == alerted, "every diff has its alert (same transaction)"
        numbers = s.execute(select(Version.document_id, Version.n)).all()
    by_doc: dict[int, list[int]] = {}
    for doc, number in numbers:
        by_doc.setdefault(doc, []).append(number)
    assert all(sorted(ns) == list(range(1, len(ns) + 1)) for ns in by_doc.values())
    proc = daemon(cfg, db_url, "final", server.url("/hook"), lease="1")
    try:
        done = wait_for(lambda: count(db, select(func.count()).select_from(Alert).where(Alert.status != "sent")) == 0, 60, every=0.2)
        with db.session() as s:
            left = s.execute(select(Alert.status, Alert.attempts, Alert.next_attempt_at, Alert.last_error)
                             .where(Alert.status != "sent")).all()
        assert done, left[:5]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
