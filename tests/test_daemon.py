"""The daemon as users run it: a `stmon run` process against a local server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import select

from storage.db import Database
from storage.models import Check, SourceRow, Version
from tests.conftest import ROOT, wait_for
from tests.httpserver import LocalServer

PAGE = "<html><body><div id='maincontents'><h1>声明</h1><p>閣僚は、台湾海峡の平和と安定を維持することの重要性を強調した。</p></div></body></html>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(tmp_path: Path, server: LocalServer, every: str = "2s") -> Path:
    cfg = tmp_path / "sources.yaml"
    cfg.write_text(
        "defaults: {allow_private_addresses: true, per_host_delay: 0s, timeout: 5s, retries: 0}\n"
        "sources:\n"
        f"  - {{id: p, url: '{server.url('/p.html')}', kind: page, schedule: {{every: {every}, jitter: 0s}}}}\n",
        encoding="utf-8")
    return cfg


def start(cfg: Path, db_url: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(cfg), "--db", db_url,
                             "--tick", "0.2", "--spread", "0", *extra], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_health_and_metrics_of_a_running_daemon(server: LocalServer, tmp_path: Path, db_url: str) -> None:
    server.set("/p.html", PAGE, etag='"1"')
    port = free_port()
    proc = start(write_config(tmp_path, server), db_url, "--health-port", str(port), "--json-logs")
    try:
        assert wait_for(lambda: _up(port)), "health endpoint did not come up"
        assert get(f"http://127.0.0.1:{port}/healthz") == (200, "ok\n")
        assert wait_for(lambda: len(server.hits("/p.html")) >= 2, 30)
        status, metrics = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert 'stmon_checks_total{outcome="changed"} 1' in metrics
        assert 'stmon_checks_total{outcome="not_modified"}' in metrics
        assert "stmon_versions_total 1" in metrics
        assert 'stmon_alerts{status="pending"} 0' in metrics
        assert 'stmon_last_success_age_seconds{source="p"}' in metrics
        assert get(f"http://127.0.0.1:{port}/nope")[0] == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert '"msg": "daemon stopped"' in err and '"source": "p"' not in err.split("daemon stopped")[-1]


def _up(port: int) -> bool:
    try:
        return get(f"http://127.0.0.1:{port}/healthz")[0] == 200
    except OSError:
        return False


def test_sigterm_finishes_in_flight_check_commits_and_exits_0(server: LocalServer, tmp_path: Path, db_url: str) -> None:
    server.set("/p.html", PAGE, delay=1.5)
    proc = start(write_config(tmp_path, server), db_url)
    try:
        assert wait_for(lambda: len(server.hits("/p.html")) >= 1, 30)
        proc.send_signal(signal.SIGTERM)  # the check is in flight: the server is still sleeping
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    db = Database(db_url)
    with db.session() as s:
        assert len(s.execute(select(Version)).scalars().all()) == 1
        assert s.execute(select(Check.outcome)).scalars().all() == ["changed"]
        row = s.get(SourceRow, "p")
        assert row is not None and row.lease_owner is None and row.next_due is not None
    db.close()


def test_second_daemon_on_one_sqlite_file_is_refused(server: LocalServer, tmp_path: Path) -> None:
    server.set("/p.html", PAGE)
    cfg = write_config(tmp_path, server, every="1h")
    url = f"sqlite:///{tmp_path / 'one.sqlite3'}"
    first = start(cfg, url)
    try:
        time.sleep(1.5)
        second = start(cfg, url)
        _, err = second.communicate(timeout=20)
        assert second.returncode == 2
        assert "another `stmon run` is using this SQLite database" in err and "PostgreSQL" in err
        assert len(err.strip().splitlines()) == 1
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=20)
    assert first.returncode == 0


def test_run_once(server: LocalServer, tmp_path: Path) -> None:
    server.set("/p.html", PAGE)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "monitor", "run", "--once", "--config",
                          str(write_config(tmp_path, server)), "--db", f"sqlite:///{tmp_path / 'o.sqlite3'}"],
                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("p: ok changed (new ")
