from __future__ import annotations

import json
from typing import Any


def render(result: dict[str, Any]) -> str:
    """The stmon.diff/1 JSON object, as documented in the interface."""
    return json.dumps(result, ensure_ascii=False, indent=2) + "\n"
