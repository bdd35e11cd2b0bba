"""Small value parsers shared by the config and the CLI."""

from __future__ import annotations

import re
from typing import Any

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_FACTORS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(raw: Any) -> float:
    """Seconds from ``90``, ``"90s"``, ``"15m"``, ``"1h"``, ``"2d"`` or ``"250ms"``."""
    if isinstance(raw, bool):
        raise ValueError(f"expected a duration such as 15m, got {raw!r}")
    if isinstance(raw, (int, float)):
        if raw < 0:
            raise ValueError("a duration cannot be negative")
        return float(raw)
    match = _DURATION.match(str(raw))
    if not match:
        raise ValueError(f"expected a duration such as 30s, 15m or 1h, got {raw!r}")
    return float(match.group(1)) * _FACTORS[match.group(2) or "s"]
