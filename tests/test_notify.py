"""Alerts through a real SMTP server (aiosmtpd) and a local Slack webhook receiver."""

from __future__ import annotations

import asyncio
import email
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from monitor.config.model import Config
from monitor.extract import extract_text
from monitor.pipeline import Monitor
from notifier.outbox import Outbox
from notifier.rules import for_channel
from storage import repo
from storage.db import Database
from storage.models import Alert
from tests.conftest import ROOT, local_config, seed
from tests.httpserver import LocalServer, Route


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp() -> Any:
    sink = Sink()
    with socket.socket() as probe:  # aiosmtpd needs a concrete port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, controller.port
    controller.stop()


def channels_yaml(smtp_port: int | None = None, slack: bool = False, topics: str = "[taiwan]", extra: str = "") -> str:
    out = "channels:\n"
    if smtp_port:
        out += (f"  - {{id: mail, kind: email, to: [analysts@example.org], from: stmon@example.org, topics: {topics},"
                f" smtp: {{host: 127.0.0.1, port: {smtp_port}, starttls: false}}{extra}}}\n")
    if slack:
        out += f"  - {{id: team, kind: slack, webhook_url_env: STMON_TEST_SLACK, topics: {topics}{extra}}}\n"
    return out


def seed_pair(config: Config, db: Database) -> None:
    """Store the Brussels statement, then the New York one in the same series (the real pair)."""
    monitor = Monitor(config, db)
    with db.session() as s:
        repo.sync_sources(s, config.sources)
    src = config.sources[0]
    old, new = extract_text(seed("003"))[0], extract_text(seed("001"))[0]
    monitor.ingest("https://www.mofa.go.jp/mofaj/press/brussels.html", src, [old])
    monitor.ingest("https://j-defense.ikaros.jp/ny.html", src, [new])


SOURCE = ("  - {id: jur, url: 'https://www.mofa.go.jp/mofaj/press/release/index.html', kind: listing,"
          " series: [{match: '日米韓', id: jur-fm}]}\n")


def deliver(config: Config, db: Database) -> int:
    async def go() -> int:
        outbox = Outbox(config, db)
        try:
            return await outbox.deliver_due()
        finally:
            await outbox.aclose()
    return asyncio.run(go())


def test_email_alert_for_taiwan_channel_shows_the_taiwan_redline(smtp: Any, sqlite_db: Database) -> None:
    sink, port = smtp
    config = local_config("http://127.0.0.1", SOURCE, channels_yaml(port))
    seed_pair(config, sqlite_db)
    assert deliver(config, sqlite_db) == 2  # Brussels (new, first of its series) and New York
    [msg] = [m for m in sink.messages if "岩屋" in m["Subject"]]
    assert msg["To"] == "analysts@example.org"
    assert msg["Message-ID"].startswith("<mail.diff.") and msg["Message-ID"].endswith("@statement-monitor>")
    assert "jur-fm" in msg["Subject"] and "Taiwan Strait" in msg["Subject"] and "2025-09-25" in msg["Subject"]
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "[-力又は威圧によるものを含む-]" in text
    assert re.search(r"\{\+[^+]*一層頻繁になっている[^+]*\+\}", text)
    assert "<del" in html and "力又は威圧によるものを含む</del>" in html
    assert "IT労働者" not in text  # the channel watches taiwan only
    attachments = [part.get_filename() for part in msg.iter_attachments()]
    assert attachments == ["report.html"]
    with sqlite_db.session() as s:
        assert s.execute(select(Alert.status)).scalars().all() == ["sent", "sent"]


def test_channel_watching_only_south_china_sea_gets_only_those_changes(topics: Any) -> None:
    from monitor.config.model import Channel
    from monitor.diff import diff_statements

    result = diff_statements(extract_text(seed("003"))[0], extract_text(seed("001"))[0], topics)
    part = for_channel(Channel(id="scs", kind="email", topics=("south-china-sea",)), result,
                       source_id="x", series_id="jur-fm")
    assert part is not None and part["changes"]
    assert all("south-china-sea" in c["topics"] for c in part["changes"])
    assert len(part["changes"]) < len([c for c in result["changes"] if c["kind"] != "cosmetic"])
    nothing = for_channel(Channel(id="n", kind="email", topics=("south-china-sea",)),
                          {**result, "changes": [c for c in result["changes"] if "south-china-sea" not in c["topics"]]},
                          source_id="x", series_id="jur-fm")
    assert nothing is None


def test_cosmetic_only_change_sends_no_alert(topics: Any) -> None:
    from monitor.config.model import Channel
    from monitor.diff import diff_statements
    from monitor.document import Statement, Unit

    a = Statement("t", None, "ja", (Unit("paragraph", "閣僚は、兩岸問題の平和的解決を促した。"),))
    b = Statement("t", None, "ja", (Unit("paragraph", "閣僚は、両岸問題の平和的解決を促した。"),))
    assert for_channel(Channel(id="all", kind="slack"), diff_statements(a, b, topics), source_id=None, series_id=None) is None


class SlackReceiver:
    """Checks each webhook payload like Slack would; answers 429 first when asked to."""

    def __init__(self, server: LocalServer, fail_first: int = 0) -> None:
        self.payloads: list[dict[str, Any]] = []
        self.keys: list[str] = []
        self.fail_first = fail_first
        server.on_post = self.receive

    def receive(self, path: str, body: bytes, headers: dict[str, str]) -> Route:
        if self.fail_first:
            self.fail_first -= 1
            return Route(b"rate_limited", status=429, headers={"Retry-After": "0"})
        payload = json.loads(body)
        problems = validate_block_kit(payload)
        if problems:
            return Route(json.dumps(problems).encode(), status=400)
        self.payloads.append(payload)
        self.keys.append(headers.get("x-stmon-key", ""))
        return Route(b"ok")


def validate_block_kit(payload: dict[str, Any]) -> list[str]:
    problems = []
    if not isinstance(payload.get("text"), str) or not payload["text"]:
        problems.append("text fallback missing")
    blocks = payload.get("blocks", [])
    if not 1 <= len(blocks) <= 50:
        problems.append(f"{len(blocks)} blocks")
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            if block["text"]["type"] != "plain_text" or len(block["text"]["text"]) > 150:
                problems.append("bad header")
        elif kind == "section":
            if block["text"]["type"] != "mrkdwn" or not 0 < len(block["text"]["text"]) <= 3000:
                problems.append("bad section")
        elif kind == "context":
            if not 0 < len(block["elements"]) <= 10:
                problems.append("bad context")
        else:
            problems.append(f"unknown block {kind}")
    if len(json.dumps(payload, ensure_ascii=False)) > 40_000:
        problems.append("payload too large")
    return problems


def test_slack_block_kit_within_limits_and_retried_after_429(server: LocalServer, sqlite_db: Database,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    receiver = SlackReceiver(server, fail_first=1)
    monkeypatch.setenv("STMON_TEST_SLACK", server.url("/hook"))
    config = local_config("http://127.0.0.1", SOURCE, channels_yaml(slack=True, topics="null"))
    seed_pair(config, sqlite_db)
    assert deliver(config, sqlite_db) == 1  # the first POST got 429: kept pending, retried at Retry-After
    with sqlite_db.session() as s:
        alert = s.execute(select(Alert).where(Alert.status == "pending")).scalar_one()
        assert alert.attempts == 1 and "429" in (alert.last_error or "")
    time.sleep(1.1)
    assert deliver(config, sqlite_db) == 1
    [payload] = [p for p in receiver.payloads if "岩屋" in p["text"]]
    texts = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]
    assert any("~力又は威圧によるものを含む~" in t for t in texts)
    more = [e["text"] for b in payload["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert any(t.startswith("+") and t.endswith("more changes") for t in more)  # the whole diff is larger
    assert alert.key in receiver.keys


def test_slack_huge_diff_is_truncated_honestly() -> None:
    from notifier.message import slack_payload

    change = {"kind": "added", "old": [], "new": [{"index": 0, "text": "文" * 5000}], "moved": False, "topics": []}
    diff = {"old": {"title": "", "date": None}, "new": {"title": "", "date": None}, "topics": {},
            "summary": {"added": 80, "removed": 0, "changed": 0, "moved": 0, "cosmetic": 0}, "changes": [change] * 80}
    payload = slack_payload({"reason": "new", "document": {"title": "T", "url": "https://e.org/", "date": None}, "diff": diff})
    assert validate_block_kit(payload) == []
    shown = sum(1 for b in payload["blocks"] if b["type"] == "section" and b["text"]["text"].startswith("• "))
    assert shown >= 1 and f"+{80 - shown} more changes" in json.dumps(payload, ensure_ascii=False)


SENDER = """
import asyncio, sys
from monitor.config.model import parse_config
from notifier.outbox import Outbox
from storage.db import Database
config = parse_config(open(sys.argv[2]).read(), sys.argv[2])
db = Database(sys.argv[1])
async def main():
    outbox = Outbox(config, db)
    while True:
        await outbox.deliver_due()
        await asyncio.sleep(0.05)
asyncio.run(main())
"""


def expire_leases(db: Database) -> None:
    with db.session() as s:
        for alert in s.execute(select(Alert)).scalars():
            alert.lease_expires = None


def run_sender_until(db_url: str, cfg_path: Path, done: Any, timeout: float = 30) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen([sys.executable, "-c", SENDER, db_url, str(cfg_path)], env=env, cwd=ROOT) as proc:
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)  # no chance to commit what it was doing
        proc.wait()


def test_sender_killed_between_send_and_commit_loses_nothing(server: LocalServer, db_url: str,
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The webhook answers slowly; the sender is SIGKILLed right after a delivery reached the
    receiver, before it could mark the row sent. After a restart every alert is delivered, at
    most one twice, and the duplicate carries the same key. Three crashes, three batches."""
    monkeypatch.setenv("STMON_TEST_SLACK", server.url("/hook"))
    received: list[str] = []

    def receive(path: str, body: bytes, headers: dict[str, str]) -> Route:
        received.append(headers["x-stmon-key"])
        return Route(b"ok", delay=0.3)  # the kill lands while the sender waits for this answer

    server.on_post = receive
    cfg_path = tmp_path / "c.yaml"
    cfg_path.write_text("channels:\n  - {id: team, kind: slack, webhook_url_env: STMON_TEST_SLACK}\n", encoding="utf-8")
    db = Database(db_url)
    try:
        for batch in range(3):
            keys = {f"team:test:{batch}:{i}" for i in range(5)}
            with db.session() as s:
                for key in sorted(keys):
                    repo.enqueue_alert(s, key=key, channel_id="team", kind="test",
                                       payload={"reason": "test", "channel": "team"}, diff_id=None, now=repo.utcnow())
            start = len(received)
            run_sender_until(db_url, cfg_path, lambda start=start: len(received) > start)
            expire_leases(db)  # a killed sender's lease runs out (5 min); the test does not wait for it

            def all_sent() -> bool:
                with db.session() as s:
                    return all(a.status == "sent" for a in s.execute(select(Alert)).scalars())

            run_sender_until(db_url, cfg_path, all_sent)
            assert all_sent()
            got = received[start:]
            assert set(got) == keys
            assert len(got) - len(set(got)) <= 1
    finally:
        db.close()


def test_failure_alert_only_after_n_consecutive_failures(smtp: Any, server: LocalServer, sqlite_db: Database) -> None:
    from monitor.schedule.daemon import Daemon

    sink, port = smtp
    server.set("/p.html", "down", status=504)
    config = local_config(server.base, f"  - {{id: p, name: Press, url: '{server.url('/p.html')}', kind: page}}\n",
                          channels_yaml(port, topics="null"), failure_alert_after=3, retries=0)
    for _ in range(2):
        asyncio.run(Daemon(config, sqlite_db, worker="t").run_once())
    assert sink.messages == []  # one or two 504s page nobody
    asyncio.run(Daemon(config, sqlite_db, worker="t").run_once())
    assert len(sink.messages) == 1 and "source failing: Press (3 checks in a row)" in sink.messages[0]["Subject"]
    asyncio.run(Daemon(config, sqlite_db, worker="t").run_once())
    assert len(sink.messages) == 1  # once per outage


def test_digest_batches_within_window(smtp: Any, sqlite_db: Database) -> None:
    sink, port = smtp
    config = local_config("http://127.0.0.1", SOURCE, channels_yaml(port, topics="null", extra=", digest: 1s"))
    seed_pair(config, sqlite_db)
    assert deliver(config, sqlite_db) == 0 and sink.messages == []
    time.sleep(1.1)
    assert deliver(config, sqlite_db) == 2
    assert len(sink.messages) == 1 and "digest: 2 statements" in sink.messages[0]["Subject"]


def test_notify_test_command(smtp: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from monitor.cli import main

    sink, port = smtp
    cfg = tmp_path / "s.yaml"
    cfg.write_text(channels_yaml(port, topics="null"), encoding="utf-8")
    result = CliRunner().invoke(main, ["notify-test", "mail", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert sink.messages[0]["Subject"] == "[stmon] test alert for channel mail"
    missing = CliRunner().invoke(main, ["notify-test", "nope", "--config", str(cfg)])
    assert missing.exit_code == 2 and "no channel 'nope'" in missing.output


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


def test_email_over_starttls_with_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    from aiosmtpd.smtp import AuthResult, LoginPassword

    from monitor.config.model import parse_config
    from notifier.base import Outgoing
    from notifier.email import EmailSender

    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=ok)

    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True,
                            authenticator=authenticator, auth_require_tls=True)
    controller.start()
    try:
        monkeypatch.setenv("STMON_TEST_USER", "alerts")
        monkeypatch.setenv("STMON_TEST_PASS", "s3cret")
        config = parse_config(
            f"channels:\n  - {{id: m, kind: email, to: [a@example.org], smtp: {{host: 127.0.0.1, port: {port},"
            f" starttls: true, username_env: STMON_TEST_USER, password_env: STMON_TEST_PASS, ca_file: '{cert}'}}}}\n")
        asyncio.run(EmailSender(config.channels[0]).send(Outgoing("m:test:1", {"reason": "test", "channel": "m"})))
        assert logins == [(b"alerts", b"s3cret")]
        assert sink.messages[0]["Message-ID"] == "<m.test.1@statement-monitor>"
        # Without the CA the certificate is refused: nothing is sent in the clear.
        plain = parse_config(
            f"channels:\n  - {{id: m, kind: email, to: [a@example.org], smtp: {{host: 127.0.0.1, port: {port},"
            " starttls: true}}\n")
        from monitor._exceptions import NotifyError

        with pytest.raises(NotifyError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            asyncio.run(EmailSender(plain.channels[0]).send(Outgoing("m:test:2", {"reason": "test", "channel": "m"})))
        assert len(sink.messages) == 1
    finally:
        controller.stop()


def test_email_over_implicit_tls(tmp_path: Path) -> None:
    import ssl

    from monitor.config.model import parse_config
    from notifier.base import Outgoing
    from notifier.email import EmailSender

    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port, ssl_context=server_tls)
    controller.start()
    try:
        config = parse_config(
            f"channels:\n  - {{id: m, kind: email, to: [a@example.org], smtp: {{host: 127.0.0.1, port: {port},"
            f" ssl: true, starttls: false, ca_file: '{cert}'}}}}\n")
        asyncio.run(EmailSender(config.channels[0]).send(Outgoing("m:test:3", {"reason": "test", "channel": "m"})))
        assert [m["Subject"] for m in sink.messages] == ["[stmon] test alert for channel m"]
    finally:
        controller.stop()
