"""Generate the configuration reference (docs/configuration.md) from the schema.

    python -m monitor.config.reference > docs/configuration.md

A test fails when the committed file differs from what this prints.
"""

from __future__ import annotations

import json

from monitor.config.schema import ROOT, Key, Schema


def _default(key: Key) -> str:
    if key.required:
        return "required"
    if key.default is None or key.type == "map":
        return ""
    return f"`{json.dumps(key.default, ensure_ascii=False)}`"


def _type(key: Key) -> str:
    label = {"list[map]": "list", "map": "mapping", "env": "env var name"}.get(key.type, key.type)
    if key.choices:
        label += ": " + " \\| ".join(f"`{c}`" for c in key.choices)
    return label


def _section(schema: Schema, path: str, out: list[str], seen: set[str]) -> None:
    if path in seen:
        return
    seen.add(path)
    out += [
        f"## `{path}`",
        "",
        schema.help,
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for key in schema.keys:
        out.append(f"| `{key.name}` | {_type(key)} | {_default(key)} | {key.help} |")
    out.append("")
    for key in schema.keys:
        if key.schema is not None:
            suffix = "[]" if key.type == "list[map]" else ""
            _section(
                key.schema,
                f"{path}.{key.name}{suffix}" if path != "sources.yaml" else f"{key.name}{suffix}",
                out,
                seen,
            )


def render_reference() -> str:
    out = [
        "# Configuration reference",
        "",
        "Generated from `monitor/config/schema.py` by `python -m monitor.config.reference`; do not edit.",
        "Durations are numbers of seconds or strings such as `90s`, `15m`, `1h`, `2d`. Secrets are never",
        "written in the file: keys ending in `_env` name the environment variable that holds them.",
        "",
    ]
    _section(ROOT, "sources.yaml", out, set())
    return "\n".join(out)


if __name__ == "__main__":
    print(render_reference(), end="")
