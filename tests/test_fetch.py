"""Fetching and polling against a real HTTP server on 127.0.0.1 that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from monitor._exceptions import Blocked, FetchError, FetchTimeout, TooLarge
from monitor.config.model import Defaults
from monitor.fetch.client import Fetcher
from monitor.pipeline import Monitor
from storage import repo
from storage.db import Database
from storage.models import Check, Document, Version
from tests.conftest import local_config
from tests.httpserver import LocalServer, Route, gzip_bomb
from tests.pdfmaker import make_pdf

PAGE = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title></head><body>
<nav class="gnav"><a href="/">トップ</a><a href="/a">外交政策</a></nav>
<div id="maincontents"><h1>{title}</h1><p>令和7年9月22日</p>{body}<p>（以上）</p></div>
<footer>Copyright</footer></body></html>"""


def page(title: str, *paras: str) -> str:
    return PAGE.format(title=title, body="".join(f"<p>{p}</p>" for p in paras))


def fetch(server_defaults: Defaults, url: str, **kw: Any) -> Any:
    async def go() -> Any:
        async with Fetcher(server_defaults, sleep=0.01) as f:
            return await f.get(url, **kw)
    return asyncio.run(go())


def defaults(**kw: Any) -> Defaults:
    base = {"allow_private_addresses": True, "per_host_delay": 0.0, "timeout": 2.0, "retries": 2,
            "respect_robots": True}
    return Defaults(**{**base, **kw})


def page_source(server: LocalServer, path: str = "/p.html") -> str:
    return f"  - {{id: p, url: '{server.url(path)}', kind: page}}\n"


def run_check(db: Database, config: Any) -> Any:
    async def go() -> Any:
        async with Fetcher(config.defaults, sleep=0.01) as f:
            monitor = Monitor(config, db, f)
            with db.session() as s:
                repo.sync_sources(s, config.sources)
            return await monitor.check_source(config.sources[0])
    return asyncio.run(go())


def count(db: Database, model: Any) -> int:
    with db.session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_200_then_304_stores_one_version(server: LocalServer, sqlite_db: Database) -> None:
    server.set("/p.html", page("日米韓共同声明", "閣僚は会談した。"), etag='"v1"')
    config = local_config(server.base, page_source(server))
    first, second = run_check(sqlite_db, config), run_check(sqlite_db, config)
    assert (first.outcome, second.outcome) == ("changed", "not_modified")
    assert server.hits("/p.html")[-1]["if-none-match"] == '"v1"'
    assert count(sqlite_db, Version) == 1


def test_etag_only_and_last_modified_only_servers_get_conditional_requests(server: LocalServer) -> None:
    server.set("/etag", "<p>x</p>", etag='"abc"')
    server.set("/lm", "<p>y</p>", last_modified="Mon, 22 Sep 2025 09:00:00 GMT")
    d = defaults()
    r1 = fetch(d, server.url("/etag"))
    assert fetch(d, server.url("/etag"), etag=r1.etag).not_modified
    r2 = fetch(d, server.url("/lm"))
    assert r2.etag is None and r2.last_modified
    assert fetch(d, server.url("/lm"), last_modified=r2.last_modified).not_modified
    assert server.hits("/lm")[-1]["if-modified-since"] == "Mon, 22 Sep 2025 09:00:00 GMT"
    assert "if-none-match" not in server.hits("/lm")[-1]


def test_500_is_retried_then_reported_and_loses_nothing(server: LocalServer, sqlite_db: Database) -> None:
    server.set("/p.html", page("声明", "最初の文。"))
    config = local_config(server.base, page_source(server))
    assert run_check(sqlite_db, config).ok
    server.set("/p.html", "oops", status=500)
    report = run_check(sqlite_db, config)
    assert not report.ok and "HTTP 500" in (report.error or "") and server.url("/p.html") in (report.error or "")
    assert len(server.hits("/p.html")) == 1 + 2  # one try and one retry (retries: 1)
    assert count(sqlite_db, Version) == 1
    with sqlite_db.session() as s:
        assert s.execute(select(Check.outcome).order_by(Check.id.desc())).scalars().first() == "error"


def test_500_then_200_recovers_within_one_check(server: LocalServer) -> None:
    server.routes["/flaky"] = Route(script=[Route(b"", status=503), Route(b"<p>fine</p>")])
    assert fetch(defaults(), server.url("/flaky")).content == b"<p>fine</p>"


def test_429_honours_retry_after(server: LocalServer) -> None:
    server.routes["/busy"] = Route(script=[Route(b"", status=429, headers={"Retry-After": "1"}), Route(b"<p>ok</p>")])
    started = time.monotonic()
    assert fetch(defaults(), server.url("/busy")).status == 200
    assert time.monotonic() - started >= 0.9


def test_slow_response_times_out(server: LocalServer) -> None:
    server.set("/slow", "<p>late</p>", delay=1.5)
    started = time.monotonic()
    with pytest.raises(FetchTimeout) as info:
        fetch(defaults(timeout=0.3, retries=0), server.url("/slow"))
    assert time.monotonic() - started < 1.4
    assert server.url("/slow") in str(info.value)


def test_connection_reset_is_an_error_not_a_crash(server: LocalServer) -> None:
    server.set("/reset", behaviour="reset")
    with pytest.raises(FetchError) as info:
        fetch(defaults(retries=1), server.url("/reset"))
    assert server.url("/reset") in str(info.value)
    assert not isinstance(info.value, FetchTimeout)


def test_truncated_body_keeps_the_stored_version(server: LocalServer, sqlite_db: Database) -> None:
    server.set("/p.html", page("声明", "完全な文。"))
    config = local_config(server.base, page_source(server))
    assert run_check(sqlite_db, config).ok
    server.set("/p.html", page("声明", "途中で切れた文。") , behaviour="truncate")
    report = run_check(sqlite_db, config)
    assert not report.ok
    with sqlite_db.session() as s:
        assert s.execute(select(Version.text)).scalars().all() == ["完全な文。"]


def test_redirect_loop_is_bounded(server: LocalServer) -> None:
    server.set("/a", status=302, headers={"Location": "/b"})
    server.set("/b", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match=r"more than 3 redirects"):
        fetch(defaults(max_redirects=3), server.url("/a"))
    assert len(server.hits("/a")) + len(server.hits("/b")) == 4


def test_wrong_charset_label_still_gives_right_japanese(server: LocalServer) -> None:
    html = page("日米韓外相共同声明", "閣僚は、台湾海峡の平和と安定を維持することの重要性を強調した。").replace(
        '<meta charset="utf-8">', "")
    server.set("/sjis", html.encode("cp932"), headers={"Content-Type": "text/html; charset=utf-8"})
    from monitor.extract import extract

    resp = fetch(defaults(), server.url("/sjis"))
    statement = extract(resp.content, content_type=resp.content_type, url=resp.url, charset=resp.charset)[0]
    assert statement.title == "日米韓外相共同声明"
    assert "台湾海峡の平和と安定" in statement.text


def test_50_mb_body_is_refused(server: LocalServer) -> None:
    server.set("/huge", behaviour="stream", stream_size=50_000_000)
    with pytest.raises(TooLarge, match="larger than 5000000"):
        fetch(defaults(max_bytes=5_000_000, retries=0), server.url("/huge"))


def test_declared_50_mb_body_is_refused_before_reading(server: LocalServer) -> None:
    server.set("/declared", b"x", headers={"Content-Length": "50000000"})
    with pytest.raises(TooLarge, match="Content-Length 50000000"):
        fetch(defaults(max_bytes=5_000_000, retries=0), server.url("/declared"))


def test_gzip_bomb_is_refused(server: LocalServer) -> None:
    bomb = gzip_bomb(100_000_000)
    assert len(bomb) < 200_000
    server.set("/bomb", bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"})
    with pytest.raises(TooLarge, match="decompresses to more than"):
        fetch(defaults(max_bytes=5_000_000, retries=0), server.url("/bomb"))


def test_robots_disallow_is_honoured(server: LocalServer) -> None:
    server.set("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    server.set("/private/p.html", "<p>secret</p>")
    with pytest.raises(Blocked, match=r"robots\.txt"):
        fetch(defaults(), server.url("/private/p.html"))
    assert server.hits("/private/p.html") == []
    assert len(server.hits("/robots.txt")) == 1


def test_private_addresses_refused_unless_allowed(server: LocalServer) -> None:
    server.set("/p", "<p>x</p>")
    with pytest.raises(Blocked, match="private or local address"):
        fetch(defaults(allow_private_addresses=False), server.url("/p"))
    assert server.hits("/p") == []


def listing(*links: str) -> str:
    items = "".join(f'<li><a href="{href}?utm_source=x#top">{href}</a></li>' for href in links)
    return f'<html><body><nav><a href="/about">about</a></nav><ul class="news">{items}</ul></body></html>'


def test_listing_gaining_two_links_discovers_exactly_two(server: LocalServer, sqlite_db: Database) -> None:
    for i in range(1, 5):
        server.set(f"/press/{i}.html", page(f"声明{i}", f"第{i}の声明の本文である。"))
    server.set("/press/index.html", listing("/press/1.html", "/press/2.html"))
    source = (f"  - {{id: l, url: '{server.url('/press/index.html')}', kind: listing,"
              " discover: {links: 'ul.news a', pattern: '/press/[0-9]+\\.html$'}}\n")
    config = local_config(server.base, source)
    first = run_check(sqlite_db, config)
    assert sorted(e.url for e in first.events) == [server.url("/press/1.html"), server.url("/press/2.html")]
    server.set("/press/index.html", listing("/press/4.html", "/press/3.html", "/press/1.html", "/press/2.html"))
    second = run_check(sqlite_db, config)
    assert sorted(e.url for e in second.events) == [server.url("/press/3.html"), server.url("/press/4.html")]
    assert all(e.reason == "new" for e in second.events)
    assert count(sqlite_db, Document) == 4


def test_silent_edit_of_a_discovered_page_arrives_as_edited(server: LocalServer, sqlite_db: Database) -> None:
    server.set("/press/1.html", page("声明", "閣僚は会談した。"))
    server.set("/press/index.html", listing("/press/1.html"))
    source = (f"  - {{id: l, url: '{server.url('/press/index.html')}', kind: listing,"
              " discover: {links: 'ul.news a', pattern: '/press/'}}\n")
    config = local_config(server.base, source)
    run_check(sqlite_db, config)
    server.set("/press/1.html", page("声明", "閣僚は再び会談した。"))
    report = run_check(sqlite_db, config)
    assert [(e.reason, e.url) for e in report.events] == [("edited", server.url("/press/1.html"))]


FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>News</title>
<item><title>Joint Statement</title><link>{base}/news/1.html</link></item>
<item><title>Readout</title><link>{base}/news/2.html?utm_medium=rss</link></item></channel></rss>"""


def test_feed_items_are_fetched(server: LocalServer, sqlite_db: Database) -> None:
    server.set("/feed.xml", FEED.format(base=server.base), headers={"Content-Type": "text/plain"})
    server.set("/news/1.html", page("Joint Statement", "The Leaders met in Washington on Monday to discuss security."))
    server.set("/news/2.html", page("Readout", "The Secretary spoke with the Foreign Minister about the region today."))
    config = local_config(server.base, f"  - {{id: f, url: '{server.url('/feed.xml')}', kind: feed}}\n")
    report = run_check(sqlite_db, config)
    assert sorted(e.title for e in report.events) == ["Joint Statement", "Readout"]


def test_pdf_statement_is_extracted(server: LocalServer, sqlite_db: Database) -> None:
    pdf = make_pdf(["日米韓首脳会合 成果文書", "三か国の政府が相互に迅速な形で協議することにコミットする。"])
    server.set("/doc.pdf", pdf, headers={"Content-Type": "application/octet-stream"})
    config = local_config(server.base, f"  - {{id: d, url: '{server.url('/doc.pdf')}', kind: pdf}}\n")
    report = run_check(sqlite_db, config)
    assert report.ok and report.events
    with sqlite_db.session() as s:
        assert "迅速な形で協議する" in s.execute(select(Version.text)).scalar_one()


def test_truncated_pdf_is_a_one_line_error(server: LocalServer, sqlite_db: Database) -> None:
    pdf = make_pdf(["三か国の政府が相互に迅速な形で協議することにコミットする。"])
    server.set("/doc.pdf", pdf[: len(pdf) // 3], headers={"Content-Type": "application/pdf"})
    config = local_config(server.base, f"  - {{id: d, url: '{server.url('/doc.pdf')}', kind: pdf}}\n")
    report = run_check(sqlite_db, config)
    assert not report.ok and server.url("/doc.pdf") in (report.error or "") and "\n" not in (report.error or "")
    assert count(sqlite_db, Version) == 0


def test_mock_transport_unit() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        assert request.headers["user-agent"].startswith("statement-monitor")
        return httpx.Response(200, content=b"<p>hi</p>", headers={"ETag": '"1"'})

    async def go() -> Any:
        async with Fetcher(defaults(), transport=httpx.MockTransport(handler)) as f:
            return await f.get("http://127.0.0.1/x")

    assert asyncio.run(go()).etag == '"1"'


def test_per_host_concurrency_is_bounded(server: LocalServer) -> None:
    server.set("/slowish", "<p>x</p>", delay=0.3)

    async def go() -> float:
        async with Fetcher(defaults(per_host_concurrency=2, concurrency=10), sleep=0.01) as f:
            started = time.monotonic()
            await asyncio.gather(*(f.get(server.url("/slowish")) for _ in range(4)))
            return time.monotonic() - started

    assert asyncio.run(go()) >= 0.55  # 4 requests, 2 at a time, 0.3 s each


def test_unchanged_pages_are_recorded_together_with_each_sources_finish(server: LocalServer, db_url: str) -> None:
    # 304s are written in one transaction after the checks (Monitor.flush): each still gets its
    # check row, its snapshot's fetch time and its finish (lease released, next due time set).
    from monitor.schedule.daemon import Daemon
    from storage.models import Snapshot, SourceRow

    sources = "".join(f"  - {{id: p{k}, url: '{server.url(f'/p{k}.html')}', kind: page}}\n" for k in range(5))
    for k in range(5):
        server.set(f"/p{k}.html", page(f"声明{k}", "閣僚は会談した。"), etag=f'"{k}"')
    config = local_config(server.base, sources)
    db = Database(db_url)
    try:
        first = asyncio.run(Daemon(config, db, worker="w").run_once())
        second = asyncio.run(Daemon(config, db, worker="w").run_once())
        assert [r.outcome for r in first] == ["changed"] * 5
        assert [r.outcome for r in second] == ["not_modified"] * 5
        with db.session() as s:
            checks = s.execute(select(Check).where(Check.outcome == "not_modified")).scalars().all()
            assert sorted(c.source_id or "" for c in checks) == [f"p{k}" for k in range(5)]
            assert all(c.status == 304 and c.worker == "w" for c in checks)
            for c in checks:
                snap = s.execute(select(Snapshot).where(Snapshot.url == c.url)).scalar_one()
                assert snap.last_fetched == c.started_at
            rows = s.execute(select(SourceRow)).scalars().all()
            assert all(r.lease_owner is None and r.next_due is not None and r.consecutive_failures == 0
                       for r in rows)
    finally:
        db.close()
