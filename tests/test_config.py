from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from monitor._exceptions import ConfigError
from monitor.cli import main
from monitor.config.model import parse_config
from tests.conftest import ROOT

CASES = yaml.safe_load((Path(__file__).parent / "cases/config_errors.yaml").read_text(encoding="utf-8"))


def test_shipped_sources_yaml_passes_check() -> None:
    result = CliRunner().invoke(main, ["check", "--config", str(ROOT / "sources.yaml")])
    assert result.exit_code == 0, result.output
    assert "ok (6 sources, 6 topics" in result.output


def test_shipped_topics_cover_both_languages(shipped_config) -> None:
    ids = {t.id for t in shipped_config.topics}
    assert {"taiwan", "dprk-nuclear-missiles", "dprk-cyber", "south-china-sea", "russia-dprk",
            "economic-security"} <= ids
    for topic in shipped_config.topics:
        groups = [topic.terms, *topic.all_of]
        assert any(g.ja for g in groups) and any(g.en for g in groups), topic.id


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_broken_config_reports_every_error_with_file_and_line(case: dict, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(case["yaml"], encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--config", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for expected in case["errors"]:
        prefix = f"{path}:{expected['line']}: "
        assert any(line.startswith(prefix) and expected["text"] in line for line in lines), (expected, result.output)


def test_config_error_lists_all_problems_not_just_first() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config("defaults: {timout: 1, retrys: 2}\nsources: []\n", "x.yaml")
    assert len(info.value.problems) == 2


def test_defaults_are_typed() -> None:
    config = parse_config("sources:\n  - {id: a, url: 'http://e.org/', kind: page}\n")
    assert config.sources[0].schedule.jitter == 30.0
    assert config.defaults.timeout == 30.0


def test_secrets_are_read_from_environment_not_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STMON_TEST_HOOK", "https://hooks.example/secret-token")
    config = parse_config("channels:\n  - {id: s, kind: slack, webhook_url_env: STMON_TEST_HOOK}\n")
    channel = config.channels[0]
    assert "secret-token" not in repr(channel)
    assert channel.secret(channel.webhook_url_env) == "https://hooks.example/secret-token"
