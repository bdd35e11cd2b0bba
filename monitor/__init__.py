"""statement-monitor: watch official statements and redline each against its predecessor.

The package is laid out as the pipeline runs::

    config → schedule → fetch → discover → extract → text (normalise, segment)
           → [storage] → series → diff → report → [notifier]

``monitor.pipeline`` is the one module that crosses layers; the CLI and daemon are thin
shells over it. ``extract``, ``text``, ``diff`` and ``series`` are pure functions over plain
data.
"""

from monitor._exceptions import (
    Blocked,
    ConfigError,
    ConfigProblem,
    ExtractError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InputError,
    NotifyError,
    StatementMonitorError,
    StorageError,
    TooLarge,
)

__version__ = "0.1.0"

__all__ = [
    "Blocked",
    "ConfigError",
    "ConfigProblem",
    "ExtractError",
    "FetchError",
    "FetchTimeout",
    "HTTPStatusError",
    "InputError",
    "NotifyError",
    "StatementMonitorError",
    "StorageError",
    "TooLarge",
]
