"""Which changes a channel receives. Pure functions over the diff result."""

from __future__ import annotations

import copy
from typing import Any

from monitor.config.model import Channel

SUBSTANTIVE = ("added", "removed", "changed", "moved")


def for_channel(
    channel: Channel, result: dict[str, Any], *, source_id: str | None, series_id: str | None
) -> dict[str, Any] | None:
    """The part of ``result`` this channel should be told about, or None for no alert.

    A channel with ``topics`` gets only the changes touching those topics (never the whole
    diff); cosmetic changes never trigger an alert; ``min_changes`` counts what is left.
    """
    if channel.sources is not None and source_id not in channel.sources:
        return None
    if channel.series is not None and series_id not in channel.series:
        return None
    wanted = set(channel.topics) if channel.topics is not None else None
    kept = [
        c
        for c in result["changes"]
        if c["kind"] in SUBSTANTIVE and (wanted is None or wanted & set(c["topics"]))
    ]
    if len(kept) < max(1, channel.min_changes):
        return None
    out = copy.deepcopy({k: v for k, v in result.items() if k != "changes"})
    out["changes"] = copy.deepcopy(kept)
    out["summary"] = {k: sum(1 for c in kept if c["kind"] == k) for k in (*SUBSTANTIVE, "cosmetic")}
    if wanted is not None:
        out["topics"] = {t: info for t, info in out.get("topics", {}).items() if t in wanted}
    return out
