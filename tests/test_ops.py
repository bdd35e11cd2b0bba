"""Operations: the Dockerfile, its entrypoint and healthcheck commands (outside Docker: no
engine runs here), and the HTML report rendered in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.ops import healthcheck
from tests.conftest import IN_CI, ROOT
from tests.httpserver import LocalServer

ARTIFACTS = ROOT / "artifacts"


def test_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    out = subprocess.run([str(hadolint), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_dockerfile_runs_stmon_run_as_non_root_with_a_volume_and_healthcheck() -> None:
    text = dockerfile()
    assert re.search(r"^FROM python:3\.11-slim", text, re.M)
    assert re.search(r"^USER 10001$", text, re.M)
    assert 'VOLUME ["/data"]' in text and "HEALTHCHECK" in text
    assert "--require-hashes" in text
    cmd = re.search(r'^CMD \[(.*)\]$', text, re.M)
    assert cmd is not None and cmd.group(1).startswith('"stmon", "run"')


def test_healthcheck_command_against_a_live_and_a_dead_endpoint(server: LocalServer) -> None:
    server.set("/healthz", "ok\n")
    assert healthcheck.main(["x", server.url("/healthz")]) == 0
    server.set("/healthz", "unhealthy\n", status=503)
    assert healthcheck.main(["x", server.url("/healthz")]) == 1
    assert healthcheck.main(["x", "http://127.0.0.1:9/healthz"]) == 1


def test_entrypoint_command_parses() -> None:
    cmd = re.search(r'^CMD \[(.*)\]$', dockerfile(), re.M)
    assert cmd is not None
    args = [a.strip().strip('"') for a in cmd.group(1).split(",")][1:]
    out = subprocess.run([sys.executable, "-m", "monitor", *args, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if IN_CI:
        pytest.fail("chromium is not installed: scripts/test.sh installs it from Debian's packages")
    pytest.skip("chromium not installed (scripts/test.sh installs it)")


def headless(binary: str, *args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}"]
    return subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=120)


def test_html_report_renders_the_changes_in_chromium(tmp_path: Path) -> None:
    from monitor.demo import run_demo

    binary = chromium()
    run_demo(tmp_path / "demo", color=False)
    report = tmp_path / "demo" / "report.html"
    dom = headless(binary, "--dump-dom", report.as_uri(), profile=tmp_path / "p1").stdout
    assert "<del>力又は威圧によるものを含む</del>" in dom
    assert "一層頻繁になっている" in dom and "<ins>" in dom
    assert 'href="#t-taiwan"' in dom
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    result = headless(binary, f"--screenshot={shot}", "--window-size=1280,1400", report.as_uri(),
                      profile=tmp_path / "p2")
    assert shot.exists() and shot.stat().st_size > 20_000, result.stderr[-500:]
