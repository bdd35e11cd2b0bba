"""Container HEALTHCHECK: exit 0 if the daemon's /healthz answers 200, else 1.

python -m monitor.ops.healthcheck http://127.0.0.1:9108/healthz
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request


def check(url: str, timeout: float = 5.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else "http://127.0.0.1:9108/healthz"
    ok = check(url)
    print("healthy" if ok else f"unhealthy: {url}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
