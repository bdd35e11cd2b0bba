"""Building a Monitor for one-shot commands (extract, diff) without a daemon."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from monitor.config.model import Config, load_config
from monitor.fetch.client import Fetcher
from monitor.pipeline import Monitor


class _NoDatabase:
    """Stands in for the database where a command needs none; any use is a clear error."""

    def session(self) -> None:
        from monitor._exceptions import InputError

        raise InputError("stored refs need a database: pass --db or set STMON_DB")


@contextmanager
def offline_monitor(config_path: str | None, db_url: str | None = None) -> Iterator[Monitor]:
    from storage.db import Database

    config = load_config(config_path) if config_path else Config(path="")
    db = Database(db_url) if db_url else _NoDatabase()
    monitor = Monitor(config, db, Fetcher(config.defaults))  # type: ignore[arg-type]
    try:
        yield monitor
    finally:
        if not isinstance(db, _NoDatabase):
            db.close()
