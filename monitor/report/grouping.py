"""Group changes by topic for reports and alerts."""

from __future__ import annotations

from typing import Any

OTHER = "_other"


def by_topic(
    result: dict[str, Any], *, only: set[str] | None = None
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """[(topic id, label, changes)] for substantive changes, each under its first topic, in
    topic order; untagged ones last under "Other changes". ``only`` keeps just those topics."""
    labels = {tid: info["label"] for tid, info in result.get("topics", {}).items()}
    groups: dict[str, list[dict[str, Any]]] = {}
    for change in result["changes"]:
        if change["kind"] == "cosmetic":
            continue
        topics = [t for t in change["topics"] if only is None or t in only]
        if only is not None and not topics:
            continue
        key = topics[0] if topics else OTHER
        groups.setdefault(key, []).append(change)
    order = [t for t in labels if t in groups] + ([OTHER] if OTHER in groups else [])
    return [(t, labels.get(t, "Other changes"), groups[t]) for t in order]


def cosmetic(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in result["changes"] if c["kind"] == "cosmetic"]


def sentence_text(change: dict[str, Any], side: str) -> str:
    sep = "" if result_lang(change) == "ja" else " "
    return sep.join(s["text"] for s in change[side])


def change_spans(change: dict[str, Any]) -> list[dict[str, str]]:
    """What every renderer shows for a change, as spans: the redline of a changed or cosmetic
    change, all-insert for an added sentence, all-delete for a removed one, plain for a move."""
    if change.get("spans"):
        return list(change["spans"])
    if change["kind"] == "added":
        return [{"op": "insert", "text": sentence_text(change, "new")}]
    if change["kind"] == "removed":
        return [{"op": "delete", "text": sentence_text(change, "old")}]
    return [{"op": "equal", "text": sentence_text(change, "new")}]


def result_lang(change: dict[str, Any]) -> str:
    texts = "".join(s["text"] for s in change["old"] + change["new"])[:50]
    return "ja" if any("\u3040" <= ch <= "\u9fff" for ch in texts) else "en"


def headline(result: dict[str, Any]) -> str:
    s = result["summary"]
    return (
        f"{s['changed']} changed, {s['added']} added, {s['removed']} removed, "
        f"{s['moved']} moved, {s['cosmetic']} cosmetic"
    )
