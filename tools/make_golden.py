"""Build the golden extraction pages: real statement texts in templates written the way each
site builds its pages. Expected JSON files are written only with --write-expected, to be
reviewed by a person before they are committed.

    python tools/make_golden.py [--write-expected]
"""

from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.demo.site import between, jdefense_article, mofa_page, units_html  # noqa: E402
from monitor.document import Unit  # noqa: E402
from monitor.extract.plain import text_to_units  # noqa: E402

FIX = ROOT / "tests/fixtures"
OUT = FIX / "golden"


def seed(prefix: str) -> str:
    return next((FIX / "seeds").glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def paras(text: str) -> list[Unit]:
    return text_to_units(text)


def mofa_en(title: str, date: str, units: list[Unit]) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><title>{escape(title)} | Ministry of Foreign Affairs of Japan</title></head>
<body><div id="header"><a href="/index.html" class="logo">Ministry of Foreign Affairs of Japan</a>
<ul class="utility"><li><a href="/mofaj/">Japanese</a></li><li><a href="/sitemap.html">Site Map</a></li></ul>
<ul class="gnav"><li><a href="/policy/">Foreign Policy</a></li><li><a href="/region/">Countries &amp; Regions</a></li>
<li><a href="/press/">Press Releases</a></li></ul></div>
<div class="breadcrumbs"><a href="/index.html">Home</a> &gt; <a href="/press/release/index.html">Press Releases</a> &gt; {escape(title)}</div>
<div id="maincontents"><h1>{escape(title)}</h1><p class="rightalign">{escape(date)}</p>
{units_html(units)}
</div>
<div class="social-btn"><a href="#">Post</a> <a href="#">Share</a></div>
<div id="footer"><ul><li><a href="/legal.html">Legal Matters</a></li><li><a href="/accessibility.html">Accessibility</a></li>
<li><a href="/privacy.html">Privacy Policy</a></li></ul><p>Ministry of Foreign Affairs of Japan 2-2-1 Kasumigaseki, Chiyoda-ku, Tokyo 100-8919</p></div>
</body></html>
"""


def state_dept(title: str, date: str, units: list[Unit]) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8"><title>{escape(title)} - United States Department of State</title>
<meta property="article:published_time" content="2024-10-16T09:00:00+00:00"></head>
<body class="post-template-default single">
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><div class="site-header__logo">U.S. Department of State</div>
<nav class="primary-nav"><ul><li><a href="/issues">Policy Issues</a></li><li><a href="/countries">Countries &amp; Areas</a></li>
<li><a href="/bureaus">Bureaus &amp; Offices</a></li><li><a href="/about">About</a></li></ul></nav></header>
<main id="main"><article>
<div class="featured-content__headline stars-above"><h1>{escape(title)}</h1></div>
<p class="article-meta__publisher">Office of the Spokesperson</p>
<p class="article-meta__publish-date">{escape(date)}</p>
<div class="entry-content">
<p>The following is the joint statement released by the Vice Foreign Ministers of the Republic of Korea and Japan and the Deputy Secretary of State of the United States.</p>
<p>Begin Text:</p>
{units_html(units)}
<p>End Text</p>
</div>
<div class="related-tags"><h3>Tags</h3><a href="/t/japan">Japan</a> <a href="/t/korea">Republic of Korea</a>
<a href="/t/deputy-secretary">Deputy Secretary of State</a></div>
</article></main>
<aside class="related-articles"><h2>Related Articles</h2><ul>
<li><a href="/r1">Deputy Secretary Campbell’s Travel to the Republic of Korea and Japan</a></li>
<li><a href="/r2">Secretary Blinken’s Meeting with Japanese Foreign Minister</a></li></ul></aside>
<footer class="site-footer"><a href="/privacy">Privacy Policy</a> <a href="/accessibility">Accessibility Statement</a>
<p>White House | USA.gov | Office of the Inspector General | Archives | Contact Us</p></footer>
</body></html>
"""


def whitehouse(title: str, date: str, units: list[Unit]) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8"><title>{escape(title)} | The White House</title>
<meta property="og:title" content="{escape(title, quote=True)}"></head>
<body class="single-post">
<header id="header" class="header"><a class="header__logo" href="/">The White House</a>
<nav class="header__nav"><ul><li><a href="/administration/">Administration</a></li><li><a href="/briefing-room/">Briefing Room</a></li>
<li><a href="/issues/">Issues</a></li><li><a href="/get-involved/">Get Involved</a></li></ul></nav>
<button class="header__search">Search</button></header>
<main id="main-content"><article class="post">
<section class="body-overflow"><div class="page-header">
<p class="page-header__category"><a href="/briefing-room/statements-releases/">Statements and Releases</a></p>
<h1 class="page-title topper__title">{escape(title)}</h1>
<div class="posted-on"><time class="posted-on entry-date published updated" datetime="2024-11-15">{escape(date)}</time></div>
</div></section>
<section class="body-content"><div class="container">
{units_html(units)}
<p>###</p>
</div></section>
<div class="share-actions"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Copy URL</a></div>
</article></main>
<section class="newsletter-signup"><h2>Stay Connected</h2><p>Sign up to receive updates from the White House.</p></section>
<footer class="footer"><ul><li><a href="/privacy/">Privacy Policy</a></li><li><a href="/copyright/">Copyright Policy</a></li>
<li><a href="/accessibility/">Accessibility Statement</a></li></ul><p>The White House 1600 Pennsylvania Ave NW Washington, DC 20500</p></footer>
</body></html>
"""


def sekai_to_nihon(title: str, units: list[Unit]) -> str:
    rows = "".join(f"<p>{escape(u.text)}</p>\n" for u in units)
    return f"""<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">
<title>{escape(title)}</title></head>
<body bgcolor="#ffffff">
<table width="100%"><tr><td><a href="../index.html">データベース『世界と日本』(代表:田中明彦)</a><br>
日本政治・国際関係データベース<br>政策研究大学院大学・東京大学東洋文化研究所</td></tr></table>
<hr>
<p>[文書名] {escape(title)}</p>
<p>[場所] </p>
<p>[年月日] 2023年8月18日</p>
<p>[出典] 外務省</p>
<p>[備考] 仮訳</p>
<p>[全文] </p>
{rows}
<hr>
<p><a href="../index.html">「世界と日本」目次</a> | <a href="../documents/indices/JPUS/index.html">日米関係資料集</a></p>
</body></html>
"""


def pages() -> dict[str, tuple[bytes, list[str]]]:
    """name -> (page bytes, strings of site chrome that must not appear in the extraction)."""
    s002, s004, s000 = seed("002"), seed("004"), seed("000")
    english = paras(between(s002, "The 1st Vice Foreign Minister", "End Text"))
    wh = (FIX / "whitehouse/docs/jur-leaders__2024-11-15__en.txt").read_text(encoding="utf-8")
    cd_body = [Unit("item", line.strip()) for line in between(s000, "[全文]", None).splitlines()[1:] if line.strip()]
    vfm = paras(between(s004, "外務省は令和7", "(以上)"))
    bilingual_ja = paras(between(s002, "10月16日、韓国・ソウルにおいて", "Joint Statement on the"))
    bilingual = vfm[:0] + bilingual_ja + [Unit("heading", "Joint Statement on the Republic of Korea-U.S.-Japan "
                                                          "Trilateral Vice Foreign Ministerial Meeting"),
                                          Unit("paragraph", "Begin Text"), *english, Unit("paragraph", "End Text")]
    return {
        "mofa-ja": (mofa_page("日米韓共同声明", "令和7年4月3日", paras(seed("003"))[1:]).encode(),
                    ["このページのトップへ戻る", "法的事項", "報道発表", "Facebookでシェア"]),
        "mofa-en": (mofa_en("Joint Statement on the Japan-U.S.-ROK Trilateral Vice Foreign Ministerial Meeting",
                            "October 16, 2024", english).encode(),
                    ["Site Map", "Legal Matters", "Press Releases", "Kasumigaseki"]),
        "jdefense": (jdefense_article("日米韓次官協議 北朝鮮・中国・経済安保で戦略的連携を再確認", "2025-7-23 10:05",
                                      "2025-07-23T10:05:00+09:00", vfm).encode(),
                     ["Ranking", "写真:外務省", "pagetop", "bnrname", "人事発令", "site search"]),
        "jdefense-bilingual": (jdefense_article("日米韓次官協議(概要)", "2024-10-22 19:30", "2024-10-22T19:30:00+09:00",
                                                bilingual).encode(),
                               ["Ranking", "写真:外務省", "pagetop", "Begin Text", "End Text"]),
        "sekai-to-nihon-sjis": (sekai_to_nihon("日米韓首脳会合 成果文書に関する参考資料", cd_body).encode("cp932"),
                                ["田中明彦", "[出典]", "目次", "政策研究大学院大学"]),
        "state-dept": (state_dept("Joint Statement on the Republic of Korea-U.S.-Japan Trilateral Vice Foreign "
                                  "Ministerial Meeting", "October 16, 2024", english).encode(),
                       ["Office of the Spokesperson", "Related Articles", "Policy Issues", "Tags", "Begin Text",
                        "End Text", "Privacy Policy"]),
        "whitehouse": (whitehouse("Joint Statement of Japan, the Republic of Korea, and the United States",
                                  "November 15, 2024", paras(wh)).encode(),
                       ["Briefing Room", "Share on", "Stay Connected", "Privacy Policy", "###"]),
    }


def main(write_expected: bool) -> None:
    from monitor.extract import extract

    OUT.mkdir(parents=True, exist_ok=True)
    for name, (body, absent) in pages().items():
        suffix = ".html"
        (OUT / f"{name}{suffix}").write_bytes(body)
        if write_expected:
            parts = extract(body, content_type="text/html", url=name + suffix)
            expected = {"absent": absent,
                        "parts": [{k: v for k, v in p.to_json(name).items() if k in ("title", "date", "lang", "part",
                                                                                      "paragraphs")} for p in parts]}
            (OUT / f"{name}.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print("wrote", name)


if __name__ == "__main__":
    main("--write-expected" in sys.argv)
