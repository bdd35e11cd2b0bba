"""Write requirements.lock (pinned, hashed) from a pip installation report.

    pip install --dry-run --ignore-installed --report r.json '.[postgres]'
    python tools/lock_from_report.py r.json > requirements.lock
"""

from __future__ import annotations

import json
import sys

HEADER = """# Pinned runtime dependencies for the Docker image (CPython 3.11, linux x86_64).
# Regenerate: pip install --dry-run --ignore-installed --report r.json '.[postgres]', then tools/lock_from_report.py"""


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        report = json.load(handle)
    lines = [HEADER]
    for item in sorted(report["install"], key=lambda i: i["metadata"]["name"].lower()):
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        if name == "statement-monitor":
            continue
        sha = item["download_info"]["archive_info"]["hashes"]["sha256"]
        lines.append(f"{name}=={version} \\\n    --hash=sha256:{sha}")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1])
