"""Reporters: render a ``stmon.diff/1`` result. A small named registry, as in urlwatch.

Each reporter is a function ``(result) -> str``; its docstring is its documentation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from monitor.report import html, jsonfmt, markdown, terminal

Reporter = Callable[[dict[str, Any]], str]

REPORTERS: dict[str, Reporter] = {
    "terminal": terminal.render,
    "html": html.render,
    "md": markdown.render,
    "json": jsonfmt.render,
}


def render(result: dict[str, Any], fmt: str) -> str:
    return REPORTERS[fmt](result)


def describe() -> dict[str, str]:
    """Reporter name → first line of its docstring (used by --help)."""
    return {name: (fn.__doc__ or "").strip().splitlines()[0] for name, fn in REPORTERS.items()}
