"""Open a database by URL (SQLite by default, PostgreSQL by URL) and migrate it to head."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor._exceptions import StorageError

MIGRATIONS = Path(__file__).with_name("migrations")


def default_home() -> Path:
    return Path(os.environ.get("STMON_HOME") or Path.home() / ".local/share/statement-monitor")


def default_url() -> str:
    return os.environ.get("STMON_DB") or f"sqlite:///{default_home() / 'stmon.sqlite3'}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses no commit
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class Database:
    """An engine plus a session factory, migrated to the newest schema on open."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or default_url()
        if self.url.startswith("postgresql://"):
            self.url = "postgresql+psycopg://" + self.url[len("postgresql://") :]
        self.is_sqlite = self.url.startswith("sqlite")
        try:
            if self.is_sqlite:
                path = self.url.split("///", 1)[-1]
                if path and path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                self.engine: Engine = create_engine(self.url)
                event.listen(self.engine, "connect", _sqlite_pragmas)
            else:
                self.engine = create_engine(
                    self.url, pool_pre_ping=True, pool_size=5, max_overflow=5
                )
            self.sessions = sessionmaker(self.engine, expire_on_commit=False)
            if migrate:
                self.migrate()
        except SQLAlchemyError as exc:
            raise StorageError(
                f"{self.safe_url}: {exc.__class__.__name__}: {exc.args[0] if exc.args else exc}"
            ) from exc

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for logs and errors."""
        return (
            self.engine.url.render_as_string(hide_password=True)
            if hasattr(self, "engine")
            else self.url
        )

    def migrate(self) -> None:
        from alembic import command
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            if not self.is_sqlite:
                # Several daemons may start at once: one migrates, the others wait.
                conn.execute(text("SELECT pg_advisory_xact_lock(7265431)"))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def integrity_ok(self) -> bool:
        with self.engine.connect() as conn:
            if self.is_sqlite:
                return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            conn.execute(text("SELECT count(*) FROM versions"))
            return True

    def close(self) -> None:
        self.engine.dispose()
