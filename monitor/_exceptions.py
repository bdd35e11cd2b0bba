"""The one exception tree of statement-monitor.

Foreign errors (httpx, yaml, sqlalchemy, pdfminer) are wrapped where they enter with
``raise X from exc``, so callers only ever catch these classes::

    StatementMonitorError
    ├── ConfigError            sources.yaml or a topics file is invalid (holds every problem)
    ├── InputError             a file, URL or stored ref given by the user cannot be used
    ├── FetchError             one URL could not be fetched (carries the URL)
    │   ├── FetchTimeout
    │   ├── TooLarge           body or decompressed body over the configured cap
    │   ├── Blocked            robots.txt disallow or the private-address guard
    │   └── HTTPStatusError    final status >= 400 after retries
    ├── ExtractError           a page or PDF yields no statement text
    ├── StorageError           the database refused or is in an unusable state
    └── NotifyError            a channel could not deliver (retried by the outbox)
"""

from __future__ import annotations

from dataclasses import dataclass


class StatementMonitorError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a configuration file, located by file and line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ConfigError(StatementMonitorError):
    """The configuration is invalid; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InputError(StatementMonitorError):
    """A path, URL or reference given on the command line cannot be used."""


class FetchError(StatementMonitorError):
    """A URL could not be fetched. ``str()`` is one line naming the URL."""

    def __init__(self, url: str, message: str, *, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(f"{url}: {message}")


class FetchTimeout(FetchError):
    """The server did not answer within the configured timeout."""


class TooLarge(FetchError):
    """The body, or what it decompresses to, is larger than the configured cap."""


class Blocked(FetchError):
    """robots.txt disallows the URL, or it resolves to a private address that is not allowed."""


class HTTPStatusError(FetchError):
    """The final answer (after retries) had a status of 400 or more."""


class ExtractError(StatementMonitorError):
    """No statement text could be extracted from a page or PDF."""


class StorageError(StatementMonitorError):
    """The database refused an operation or is in an unusable state."""


class NotifyError(StatementMonitorError):
    """A notification channel could not deliver a message."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)
