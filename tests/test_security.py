"""Hostile input: statement text is escaped everywhere it is rendered; secrets stay secret;
arbitrary config text gives errors, never crashes."""

from __future__ import annotations

import logging
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor._exceptions import ConfigError
from monitor.config.model import parse_config
from monitor.diff import diff_statements
from monitor.document import Statement, Unit
from monitor.extract import extract
from monitor.report.html import render as render_html
from monitor.report.markdown import render as render_md
from notifier.base import Outgoing
from notifier.email import EmailSender
from notifier.message import html_body, slack_payload

EVIL = 'The ministers met. <script>alert("x")</script> See <a href="javascript:alert(1)">here</a> & <img src=x onerror=alert(2)>.'


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [f"{k}={v}" for k, v in attrs]


def hostile_diff() -> dict:
    old = Statement("Old <b>title</b>", None, "en", (Unit("paragraph", "The ministers met."),))
    new = Statement('New <script>alert("t")</script>', None, "en", (Unit("paragraph", EVIL),))
    return diff_statements(old, new)


def parsed(markup: str) -> Elements:
    parser = Elements()
    parser.feed(markup)
    return parser


def test_html_report_escapes_statement_text() -> None:
    page = render_html(hostile_diff())
    elements = parsed(page)
    assert elements.tags.count("script") == 1  # only the report's own view switcher
    assert "img" not in elements.tags and not any("javascript:" in a for a in elements.attrs)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Content-Security-Policy" in page and "http" not in page.split("<body", 1)[1].replace("http-equiv", "")


def test_email_html_and_slack_escape_statement_text() -> None:
    payload = {"reason": "new", "document": {"title": "T <script>", "url": "https://e.org/?a=<b>", "date": None},
               "diff": hostile_diff()}
    elements = parsed(html_body(payload))
    assert "script" not in elements.tags and "img" not in elements.tags
    assert not any("javascript:" in a for a in elements.attrs)
    slack = slack_payload(payload)
    marked_up = [slack["text"]] + [
        part["text"] for block in slack["blocks"] for part in ([block["text"]] if "text" in block else block["elements"])
        if part["type"] == "mrkdwn"
    ]
    assert all("<script>" not in text and "<b>" not in text for text in marked_up)
    assert any("&lt;script&gt;" in text for text in marked_up)


def test_markdown_escapes_markup() -> None:
    assert "<script>" not in render_md(hostile_diff())


def test_extracted_text_keeps_script_content_out() -> None:
    page = b"<html><body><article><p>The ministers met in Tokyo today to discuss the region.</p><script>steal()</script></article></body></html>"
    [statement] = extract(page, content_type="text/html")
    assert "steal" not in statement.text


def test_secrets_never_appear_in_messages_or_logs(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("STMON_TEST_USER", "alice")
    monkeypatch.setenv("STMON_TEST_PASS", "hunter2-secret")
    config = parse_config(
        "channels:\n  - {id: m, kind: email, to: [a@example.org], smtp: {host: 127.0.0.1, port: 9, starttls: false,"
        " username_env: STMON_TEST_USER, password_env: STMON_TEST_PASS, timeout: 1s}}\n")
    sender = EmailSender(config.channels[0])
    message = sender.build(Outgoing("m:test:1", {"reason": "test", "channel": "m"}))
    assert "hunter2" not in message.as_string()
    import asyncio

    from monitor._exceptions import NotifyError

    caplog.set_level(logging.DEBUG)
    with pytest.raises(NotifyError) as info:
        asyncio.run(sender.send(Outgoing("m:test:1", {"reason": "test", "channel": "m"})))
    assert "hunter2" not in str(info.value) and "hunter2" not in caplog.text


def test_database_url_password_is_hidden() -> None:
    from storage.db import Database

    db = Database("postgresql+psycopg://stmon:s3cret-pw@127.0.0.1:9/nope", migrate=False)
    assert "s3cret-pw" not in db.safe_url


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_config_text_is_valid_or_a_config_error(text: str) -> None:
    try:
        parse_config(text, "fuzz.yaml")
    except ConfigError as exc:
        assert all(str(p).startswith("fuzz.yaml:") for p in exc.problems)


KEYS = st.sampled_from(["id", "url", "kind", "schedule", "every", "cron", "sources", "topics", "terms", "ja", "en",
                        "channels", "defaults", "timeout", "bogus"])
VALUES = st.one_of(st.text(max_size=10), st.integers(), st.booleans(), st.none())
YAMLISH = st.recursive(VALUES, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, YAMLISH, max_size=4))
def test_structured_garbage_config_is_valid_or_a_config_error(data: dict) -> None:
    import yaml

    try:
        parse_config(yaml.safe_dump(data, allow_unicode=True), "fuzz.yaml")
    except ConfigError as exc:
        assert exc.problems and all(str(p).startswith("fuzz.yaml:") for p in exc.problems)
