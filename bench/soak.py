"""Soak benchmark: one `stmon run` daemon polling 5,000 local sources for 30 minutes.

    .venv/bin/python bench/soak.py [--sources 5000] [--minutes 30] [--every 60]

Samples the daemon's resident memory (VmRSS) and open file descriptors every 10 s from /proc
and prints them with their first/last/max, so a leak shows as growth. Goal: RSS at most
150 MiB and flat, descriptors flat.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=5000)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--every", type=int, default=60, help="seconds between checks of one source")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        site = tmp / "site"
        site.mkdir()
        for i in range(args.sources):
            (site / f"p{i}.html").write_text(
                f"<html><body><div id='maincontents'><h1>声明 {i}</h1><p>閣僚は、第{i}号の議題について会談し、"
                f"台湾海峡の平和と安定の重要性を確認した。</p></div></body></html>", encoding="utf-8")
        port = free_port()
        server = subprocess.Popen([sys.executable, str(ROOT / "bench/pageserver.py"), str(site), str(port)])
        cfg = tmp / "sources.yaml"
        lines = ["defaults: {allow_private_addresses: true, per_host_delay: 0s, per_host_concurrency: 16,"
                 " concurrency: 16, retries: 0}", "sources:"]
        lines += [f"  - {{id: p{i}, url: 'http://127.0.0.1:{port}/p{i}.html', kind: page,"
                  f" schedule: {{every: {args.every}s, jitter: 5s}}}}" for i in range(args.sources)]
        cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
        db = tmp / "soak.sqlite3"
        daemon = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(cfg), "--db", f"sqlite:///{db}",
                                   "--spread", str(args.every)], cwd=ROOT, stderr=subprocess.DEVNULL,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
        samples = []
        started = time.monotonic()
        try:
            print(f"{args.sources} sources, each every {args.every} s, for {args.minutes:g} min")
            print(f"{'min':>6} {'RSS MiB':>8} {'fds':>5} {'checks':>8}")
            while time.monotonic() - started < args.minutes * 60:
                time.sleep(10)
                checks = sqlite3.connect(db).execute("SELECT count(*) FROM checks").fetchone()[0]
                sample = (time.monotonic() - started, rss_mib(daemon.pid), fds(daemon.pid), checks)
                samples.append(sample)
                print(f"{sample[0] / 60:6.1f} {sample[1]:8.1f} {sample[2]:5d} {sample[3]:8d}", flush=True)
        finally:
            daemon.send_signal(signal.SIGTERM)
            code = daemon.wait(timeout=120)
            server.terminate()
            server.wait()
        steady = samples[len(samples) // 4:] or samples
        print(f"\nRSS MiB: first {samples[0][1]:.1f}, last {samples[-1][1]:.1f}, max {max(s[1] for s in samples):.1f}"
              f" (after warm-up: min {min(s[1] for s in steady):.1f}, max {max(s[1] for s in steady):.1f})")
        print(f"file descriptors: first {samples[0][2]}, last {samples[-1][2]}, max {max(s[2] for s in samples)}")
        print(f"checks: {samples[-1][3]} ({samples[-1][3] / samples[-1][0]:.0f}/s); daemon exit code on SIGTERM: {code}")


if __name__ == "__main__":
    main()
