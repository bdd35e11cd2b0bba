"""Realistic page templates filled with real statement texts, and a replay server for them.

The templates copy how the sites build their pages (MOFA: header navigation, breadcrumbs,
``#maincontents``, a right-aligned date and （以上）; J Defense News: WordPress-style header,
``.entry-content``, photo captions, a ranking list and a page-top link), so extraction meets
the same chrome it meets on the real sites.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from monitor.document import Unit
from monitor.extract.plain import text_to_units

ASSETS = resources.files("monitor.demo") / "assets"


def asset_text(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def asset_bytes(name: str) -> bytes:
    return (ASSETS / name).read_bytes()


def between(text: str, start: str, end: str | None) -> str:
    body = text[text.index(start) :]
    return body[: body.index(end)] if end else body


def units_html(units: list[Unit]) -> str:
    out = []
    for unit in units:
        tag = {"heading": "h2", "item": "li", "paragraph": "p"}[unit.kind]
        out.append(f"<{tag}>{escape(unit.text)}</{tag}>")
    return "\n".join(out)


def mofa_page(title: str, date_ja: str, units: list[Unit]) -> str:
    return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="UTF-8"><title>{escape(title)}｜外務省</title>
<meta name="viewport" content="width=device-width"></head>
<body>
<div id="header"><a class="logo" href="/">外務省 Ministry of Foreign Affairs of Japan</a>
<ul class="gnav"><li><a href="/demo/">会見・発表・広報</a></li><li><a href="/demo/">外交政策</a></li>
<li><a href="/demo/">国・地域</a></li><li><a href="/demo/">海外渡航・滞在</a></li></ul>
<form class="search"><input type="text" name="q"><button>検索</button></form></div>
<div class="breadcrumbs"><a href="/">トップページ</a> &gt; <a href="/demo/press/index.html">報道発表</a> &gt; {escape(title)}</div>
<div id="maincontents">
<h1>{escape(title)}</h1>
<p class="rightalign">{escape(date_ja)}</p>
{units_html(units)}
<p class="rightalign">（以上）</p>
</div>
<div class="social-btn"><a href="#">X（旧Twitter）でポスト</a> <a href="#">Facebookでシェア</a></div>
<div id="pagetop"><a href="#header">このページのトップへ戻る</a></div>
<div id="footer"><ul><li><a href="/demo/">法的事項</a></li><li><a href="/demo/">アクセシビリティについて</a></li>
<li><a href="/demo/">プライバシーポリシー</a></li></ul><p>Copyright © Ministry of Foreign Affairs of Japan</p></div>
</body></html>
"""


RANKING = [
    "人事発令 12月9日付け、1佐職人事(陸自9名)",
    "自衛官・防衛省職員らの給与アップ改正案を閣議決定、国会に提出(12月8日)",
    "レールガンの進捗状況を発表 極超音速兵器の撃墜めざす:防衛装備庁シンポジウム レポート③",
    "英空軍航空・宇宙軍団司令官が訪日、門間航空幕僚長と懇談(12月3日・4日)",
]


def jdefense_article(title: str, stamp: str, iso: str, units: list[Unit]) -> str:
    body = (
        units_html(units[:1])
        + """
<figure class="wp-block-image"><img src="/demo/photo.jpg" alt=""><figcaption>写真:外務省</figcaption></figure>
"""
        + units_html(units[1:])
    )
    ranking = "".join(
        f'<li><a href="/demo/r{i}.html">{escape(t)}</a></li>' for i, t in enumerate(RANKING)
    )
    return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="UTF-8"><title>{escape(title)} | Jディフェンスニュース</title>
<meta property="og:title" content="{escape(title, quote=True)}"></head>
<body class="single">
<header class="site-header"><p class="tagline">日本の防衛と安全保障の今を伝える</p>
<a class="logo" href="/">[Jディフェンスニュース]</a>
<div class="header-search">site search <form><input name="s"></form></div>
<nav class="gnav"><span>menu</span><ul><li><a href="/demo/">日本の防衛</a></li><li><a href="/demo/">世界の防衛</a></li></ul></nav>
</header>
<main id="main"><article class="post">
<h1 class="entry-title">{escape(title)}</h1>
<ul class="post-categories"><li><a href="/demo/cat">日本の防衛</a></li></ul>
<time class="entry-date" datetime="{escape(iso, quote=True)}">{escape(stamp)}</time>
<div class="entry-content">
{body}
<p>(以上)</p>
</div></article></main>
<aside class="ranking"><h2>Ranking読まれている記事</h2><ul class="tabs"><li>24時間</li><li>1週間</li><li>1ヶ月</li></ul>
<ol>{ranking}</ol></aside>
<div class="bnr"><a href="/demo/bnr1">bnrname</a><a href="/demo/bnr2">bnrname</a></div>
<div id="pagetop"><a href="#">pagetop</a></div>
<footer class="site-footer"><p>© IKAROS Publications</p></footer>
</body></html>
"""


def listing_page(items: list[tuple[str, str, str]]) -> str:
    rows = "".join(
        f'<li><span class="date">{escape(d)}</span><a href="{escape(href, quote=True)}">{escape(t)}</a></li>'
        for d, t, href in items
    )
    return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="UTF-8"><title>報道発表｜外務省</title></head>
<body><div id="header"><a class="logo" href="/">外務省</a><ul class="gnav"><li><a href="/demo/">会見・発表・広報</a></li></ul></div>
<div id="maincontents"><h1>報道発表</h1><ul class="list-news">{rows}</ul></div>
<div id="footer"><a href="/demo/">サイトマップ</a></div></body></html>
"""


@dataclass
class Page:
    body: bytes
    content_type: str

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass
class ReplaySite:
    """Pages served by the replay server; swap ``pages`` to move to the next round."""

    pages: dict[str, Page] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0


def serve(site: ReplaySite) -> tuple[ThreadingHTTPServer, str]:
    """Start a replay server on 127.0.0.1 on a free port; returns (server, base URL)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            site.hits[path] = site.hits.get(path, 0) + 1
            if path == "/robots.txt":
                page: Page | None = Page(b"User-agent: *\nDisallow: /private/\n", "text/plain")
            else:
                page = site.pages.get(path)
            if page is None:
                self.send_error(404)
                return
            if self.headers.get("If-None-Match") == page.etag:
                site.not_modified += 1
                self.send_response(304)
                self.send_header("ETag", page.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            self.send_header("ETag", page.etag)
            self.end_headers()
            self.wfile.write(page.body)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def html(text: str) -> Page:
    return Page(text.encode("utf-8"), "text/html; charset=UTF-8")


def rounds() -> tuple[dict[str, Page], dict[str, Page]]:
    """The site as it stands at the first poll, and at the second."""
    brussels = text_to_units(asset_text("003_2daad77d3c406492.txt"))[1:]
    ny_seed = asset_text("001_1fb19a90185d4a1f.txt")
    ny_units = text_to_units(between(ny_seed, "外務省は令和7", "(以上)"))
    vfm_seed = asset_text("004_52a291f9428d830f.txt")
    vfm_units = text_to_units(between(vfm_seed, "外務省は令和7", "(以上)"))
    edited = [
        Unit(
            u.kind,
            u.text.replace(
                "台湾海峡の平和と安定の重要性を改めて確認しました。",
                "台湾海峡の平和と安定の重要性を改めて確認し、両岸問題の平和的解決を促しました。",
            ),
        )
        for u in vfm_units
    ]
    pages1 = {
        "/demo/press/brussels.html": html(mofa_page("日米韓共同声明", "令和7年4月3日", brussels)),
        "/demo/press/vfm.html": html(
            jdefense_article(
                "日米韓次官協議 北朝鮮・中国・経済安保で戦略的連携を再確認",
                "2025-7-23 10:05",
                "2025-07-23T10:05:00+09:00",
                vfm_units,
            )
        ),
        "/demo/press/camp-david.pdf": Page(
            asset_bytes("camp-david-reference.pdf"), "application/pdf"
        ),
    }
    items = [
        ("令和7年7月18日", "日米韓次官協議", "/demo/press/vfm.html"),
        ("令和7年4月3日", "日米韓外相会合 共同声明", "/demo/press/brussels.html"),
        (
            "令和5年8月18日",
            "日米韓首脳会合 成果文書に関する参考資料（PDF）",
            "/demo/press/camp-david.pdf",
        ),
    ]
    pages1["/demo/press/index.html"] = html(listing_page(items))
    pages2 = dict(pages1)
    pages2["/demo/press/ny.html"] = html(
        jdefense_article(
            "岩屋外務大臣が日米韓外相会合に出席、共同声明を発表(9月22日)",
            "2025-9-25 11:30",
            "2025-09-25T11:30:00+09:00",
            ny_units,
        )
    )
    pages2["/demo/press/vfm.html"] = html(
        jdefense_article(
            "日米韓次官協議 北朝鮮・中国・経済安保で戦略的連携を再確認",
            "2025-7-23 10:05",
            "2025-07-23T10:05:00+09:00",
            edited,
        )
    )
    pages2["/demo/press/index.html"] = html(
        listing_page(
            [
                ("令和7年9月22日", "日米韓外相会合（ニューヨーク）共同声明", "/demo/press/ny.html"),
                *items,
            ]
        )
    )
    return pages1, pages2
