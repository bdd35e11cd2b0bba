"""Polling benchmark: statement-monitor beside urlwatch 2.29 on the same 500 local pages.

    .venv/bin/python bench/poll.py [--pages 500] [--skip-urlwatch]

Serves realistic statement pages on 127.0.0.1 (nginx if installed, else bench/pageserver.py),
then times three cycles for each tool at the same concurrency (10, urlwatch's thread count):
a first cycle, an unchanged cycle, and a cycle with 10 % of the pages changed. Prints wall
time, CPU per page and peak RSS, and the ratios. A last run adds 100 ms of server latency to
show the unchanged cycle is bounded by concurrency (pages x latency / 10), not by CPU.
urlwatch is installed by this script into its own venv (.bench-venv-urlwatch).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests/fixtures/golden"
CONCURRENCY = 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_pages(site: Path, n: int) -> None:
    templates = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(GOLDEN.glob("*.html"))
                 if "sjis" not in p.name]
    site.mkdir(parents=True)
    for i in range(n):
        page = templates[i % len(templates)].replace("</h1>", f" ({i})</h1>", 1)
        (site / f"p{i}.html").write_text(page, encoding="utf-8")


def change_pages(site: Path, n: int, share: float, seed: int) -> None:
    rng = random.Random(seed)
    for i in rng.sample(range(n), int(n * share)):
        path = site / f"p{i}.html"
        path.write_text(path.read_text(encoding="utf-8").replace("</h1>", f"</h1><p>追記 {seed}。An added sentence {seed}.</p>", 1),
                        encoding="utf-8")


def start_server(site: Path, latency: float, tmp: Path) -> tuple[subprocess.Popen[bytes], int, str]:
    port = free_port()
    nginx = shutil.which("nginx")
    if nginx and not latency:
        conf = tmp / f"nginx-{port}.conf"
        conf.write_text(f"""daemon off; worker_processes 1; pid {tmp}/nginx-{port}.pid; error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp};
        uwsgi_temp_path {tmp}; scgi_temp_path {tmp}; default_type text/html; etag on;
        server {{ listen 127.0.0.1:{port}; root {site}; }} }}
""")
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp)])
        kind = "nginx"
    else:
        proc = subprocess.Popen([sys.executable, str(ROOT / "bench/pageserver.py"), str(site), str(port), str(latency)])
        kind = "python threaded server" + (f", +{latency * 1000:.0f} ms latency" if latency else "")
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, port, kind


def ours(site: Path, n: int, port: int, tmp: Path, cycles: list[str], change: bool) -> list[dict]:
    cfg = tmp / f"stmon-{port}.yaml"
    lines = [f"defaults: {{allow_private_addresses: true, per_host_delay: 0s, per_host_concurrency: {CONCURRENCY},"
             f" concurrency: {CONCURRENCY}, retries: 0, timeout: 30s}}", "sources:"]
    lines += [f"  - {{id: p{i}, url: 'http://127.0.0.1:{port}/p{i}.html', kind: page}}" for i in range(n)]
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = f"sqlite:///{tmp}/stmon-{port}.sqlite3"
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench/poll_worker.py"), str(cfg), db],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    results = []
    for k, label in enumerate(cycles):
        if change and label == "10% changed":
            change_pages(site, n, 0.10, seed=k)
        proc.stdin.write(label + "\n")
        proc.stdin.flush()
        results.append(json.loads(proc.stdout.readline()))
    proc.stdin.close()
    proc.wait()
    return results


def urlwatch_bin() -> Path:
    venv = ROOT / ".bench-venv-urlwatch"
    binary = venv / "bin/urlwatch"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin/pip"), "install", "-q", "urlwatch==2.29"], check=True)
    return binary


def run_child(args: list[str]) -> tuple[float, float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def urlwatch_command(tmp: Path, name: str, jobs: str) -> list[str]:
    """The urlwatch command line for a job list, with its own config and cache files."""
    urls = tmp / f"urls-{name}.yaml"
    urls.write_text(jobs)
    config = tmp / f"urlwatch-{name}.yaml"
    config.write_text("report:\n  stdout: {enabled: false}\n  text: {details: true}\n")
    hooks = tmp / "hooks.py"
    hooks.write_text("")
    return [str(urlwatch_bin()), "--urls", str(urls), "--config", str(config), "--hooks", str(hooks),
            "--cache", str(tmp / f"cache-{name}.db")]


def urlwatch(site: Path, n: int, port: int, tmp: Path, cycles: list[str]) -> list[dict]:
    command = urlwatch_command(
        tmp, str(port), "\n---\n".join(f"name: p{i}\nurl: http://127.0.0.1:{port}/p{i}.html" for i in range(n)) + "\n")
    results = []
    for k, label in enumerate(cycles):
        if label == "10% changed":
            change_pages(site, n, 0.10, seed=100 + k)
        wall, cpu, rss = run_child(command)
        results.append({"cycle": label, "wall": wall, "cpu": cpu, "rss_mib": rss})
    return results


def urlwatch_startup(tmp: Path) -> float:
    """Median wall time of urlwatch with an empty job list: its per-process overhead."""
    command = urlwatch_command(tmp, "empty", "")
    return sorted(run_child(command)[0] for _ in range(3))[1]


def show(title: str, rows: list[dict], n: int) -> None:
    print(f"  {title}")
    for r in rows:
        print(f"    {r['cycle']:<14} wall {r['wall']:6.2f} s   CPU {r['cpu'] / n * 1000:6.2f} ms/page"
              f"   peak RSS {r['rss_mib']:6.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--skip-urlwatch", action="store_true")
    args = parser.parse_args()
    n = args.pages
    cycles = ["first", "unchanged", "10% changed"]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        site = tmp / "site"
        make_pages(site, n)
        server, port, kind = start_server(site, 0.0, tmp)
        try:
            print(f"{n} pages served by {kind}; concurrency {CONCURRENCY} for both tools\n")
            mine = ours(site, n, port, tmp, cycles, change=True)
            show("statement-monitor (stmon run --once per cycle, SQLite)", mine, n)
            theirs = [] if args.skip_urlwatch else urlwatch(site, n, port, tmp, cycles)
            if theirs:
                show("urlwatch 2.29 (10 threads)", theirs, n)
                # urlwatch runs as one process per cycle, so its wall time includes starting
                # Python and its imports; ours is timed inside a running process. Both ratios:
                startup = urlwatch_startup(tmp)
                print(f"\n  urlwatch start-up alone (no URLs): {startup:.2f} s")
                print("  ratios (statement-monitor / urlwatch, wall time; and against urlwatch"
                      " minus its start-up):")
                for a, b in zip(mine, theirs, strict=True):
                    print(f"    {a['cycle']:<14} {a['wall'] / b['wall']:5.2f}"
                          f"   {a['wall'] / max(1e-9, b['wall'] - startup):5.2f}")
        finally:
            server.terminate()
            server.wait()
        server, port, kind = start_server(site, 0.1, tmp)
        try:
            rows = ours(site, n, port, tmp, ["first", "unchanged"], change=False)
            bound = n * 0.1 / CONCURRENCY
            print(f"\n  with 100 ms latency ({kind}): unchanged cycle {rows[1]['wall']:.2f} s, "
                  f"concurrency bound {bound:.2f} s, CPU {rows[1]['cpu']:.2f} s")
        finally:
            server.terminate()
            server.wait()
    print(f"\n(this process's own peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
