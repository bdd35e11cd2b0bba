"""Shared fixtures: real databases (SQLite and PostgreSQL) and a real local HTTP server."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor.config.model import Config, load_config, parse_config
from storage.db import Database
from tests.httpserver import LocalServer

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).with_name("fixtures")
PG_URL = os.environ.get("STMON_TEST_PG_URL")
IN_CI = os.environ.get("CI") == "true"


def _need_postgres() -> str:
    if PG_URL:
        return PG_URL
    if IN_CI:
        pytest.fail("STMON_TEST_PG_URL is not set: .ci/run must start PostgreSQL before the tests")
    pytest.skip("PostgreSQL not configured (run the suite through .ci/run, which starts one)")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'stmon.sqlite3'}"
        return
    yield from _fresh_postgres()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (for what only PostgreSQL does: several daemons)."""
    yield from _fresh_postgres()


def _fresh_postgres() -> Iterator[str]:
    base = _need_postgres()
    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.close()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'stmon.sqlite3'}")
    yield database
    database.close()


@pytest.fixture(scope="session")
def shipped_config() -> Config:
    return load_config(ROOT / "sources.yaml")


@pytest.fixture(scope="session")
def topics(shipped_config: Config) -> tuple:
    return shipped_config.topics


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    yield srv
    srv.close()


def seed(name: str) -> str:
    for path in (FIXTURES / "seeds").glob(f"{name}_*.txt"):
        return path.read_text(encoding="utf-8")
    raise FileNotFoundError(name)


def local_config(base: str, extra_sources: str = "", channels: str = "", **defaults: object) -> Config:
    """A config for tests against the local server (loopback explicitly allowed)."""
    opts = {"allow_private_addresses": "true", "per_host_delay": "0s", "timeout": "2s", "retries": 1,
            "respect_robots": "true", **{k: str(v).lower() if isinstance(v, bool) else v for k, v in defaults.items()}}
    text_ = "defaults:\n" + "".join(f"  {k}: {v}\n" for k, v in opts.items())
    text_ += "sources:\n" + extra_sources
    text_ += (ROOT / "sources.yaml").read_text(encoding="utf-8").split("topics:", 1)[1].split("# Alerts.", 1)[0].join(
        ["topics:", ""])
    text_ += channels
    return parse_config(text_, "test-sources.yaml")


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0, every: float = 0.05) -> bool:
    """Poll ``predicate`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False
