"""The CLI is documented: every command has help with an example, and the README names it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.config.reference import render_reference
from tests.conftest import FIXTURES, ROOT

COMMANDS = sorted(main.commands)


def test_the_interface_commands_exist() -> None:
    assert set(COMMANDS) == {"check", "run", "demo", "extract", "diff", "history", "notify-test"}


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"stmon {name}" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"stmon {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_configuration_reference_is_up_to_date() -> None:
    current = (ROOT / "docs/configuration.md").read_text(encoding="utf-8")
    assert current == render_reference(), "run: python -m monitor.config.reference > docs/configuration.md"


def test_python_dash_m_is_the_same_cli() -> None:
    out = subprocess.run([sys.executable, "-m", "monitor", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and "Commands:" in out.stdout


def test_diff_json_follows_the_interface(tmp_path) -> None:
    old, new = (str(next((FIXTURES / "seeds").glob(f"{n}_*.txt"))) for n in ("003", "001"))
    result = CliRunner().invoke(main, ["diff", old, new, "--format", "json", "--config", str(ROOT / "sources.yaml")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == "stmon.diff/1"
    assert set(data["summary"]) == {"added", "removed", "changed", "moved", "cosmetic"}
    assert data["old"]["ref"] == old and data["new"]["lang"] == "ja"
    change = next(c for c in data["changes"] if c["kind"] == "changed")
    assert set(change) >= {"kind", "old", "new", "moved", "topics", "spans"}
    assert {"index", "text"} == set(change["old"][0])


@pytest.mark.parametrize("fmt,marker", [("html", "<!DOCTYPE html>"), ("md", "# "), ("terminal", "changed")])
def test_diff_formats_write_files(tmp_path, fmt: str, marker: str) -> None:
    old, new = (str(next((FIXTURES / "seeds").glob(f"{n}_*.txt"))) for n in ("003", "001"))
    out = tmp_path / f"r.{fmt}"
    result = CliRunner().invoke(main, ["diff", old, new, "--format", fmt, "--out", str(out),
                                       "--config", str(ROOT / "sources.yaml")])
    assert result.exit_code == 0, result.output
    assert marker in out.read_text(encoding="utf-8")


def test_diff_with_topics_file(tmp_path) -> None:
    topics = tmp_path / "topics.yaml"
    topics.write_text("topics:\n  - {id: arctic, label: Arctic, terms: {ja: [北極], en: [Arctic]}}\n", encoding="utf-8")
    old, new = (str(next((FIXTURES / "seeds").glob(f"{n}_*.txt"))) for n in ("003", "001"))
    result = CliRunner().invoke(main, ["diff", old, new, "--format", "json", "--topics", str(topics)])
    data = json.loads(result.output)
    assert list(data["topics"]) == ["arctic"]


def test_bad_input_is_one_line_exit_2(tmp_path) -> None:
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "missing.html"), str(tmp_path / "b.html")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "missing.html" in result.output
    stored = CliRunner().invoke(main, ["diff", "doc:1", "doc:2"], env={"STMON_DB": ""})
    assert stored.exit_code == 2


def test_extract_jsonl_and_history(tmp_path) -> None:
    seed_path = str(next((FIXTURES / "seeds").glob("003_*.txt")))
    result = CliRunner().invoke(main, ["extract", seed_path, seed_path, "--format", "jsonl"])
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["title"] == "日米韓共同声明"
    db = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    empty = CliRunner().invoke(main, ["history", "--db", db, "--format", "json"])
    assert empty.exit_code == 0 and json.loads(empty.output) == []


def test_diff_help_documents_every_reporter_from_its_docstring() -> None:
    from monitor.report import REPORTERS

    text = " ".join(CliRunner().invoke(main, ["diff", "--help"]).output.split())
    for name, fn in REPORTERS.items():
        first = " ".join((fn.__doc__ or "").split(".")[0].split())
        assert f"{name}: {first}" in text
