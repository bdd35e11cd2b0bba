"""One statement-monitor process for bench/poll.py: runs a polling cycle each time it reads a
line on stdin and prints wall time, CPU time and peak RSS of the cycle as JSON."""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.config.model import load_config
from monitor.schedule.daemon import Daemon
from storage.db import Database


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    config = load_config(sys.argv[1])
    db = Database(sys.argv[2])
    for line in sys.stdin:
        label = line.strip()
        started, cpu0 = time.perf_counter(), cpu()
        reports = asyncio.run(Daemon(config, db, worker="bench").run_once())
        result = {"cycle": label, "wall": time.perf_counter() - started, "cpu": cpu() - cpu0,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "ok": sum(r.ok for r in reports), "changed": sum(len(r.events) for r in reports)}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
