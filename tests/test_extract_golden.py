"""Golden extraction: real statements in site templates (tools/make_golden.py), page in,
reviewed JSON out. A change in any title, date, language or paragraph fails the test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor._exceptions import ExtractError
from monitor.extract import extract
from tests.conftest import FIXTURES, seed
from tests.pdfmaker import make_pdf

GOLDEN = FIXTURES / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.html"))


def test_every_template_has_a_case() -> None:
    assert set(CASES) == {"mofa-ja", "mofa-en", "jdefense", "jdefense-bilingual", "sekai-to-nihon-sjis",
                          "state-dept", "whitehouse"}


@pytest.mark.parametrize("name", CASES)
def test_golden_page(name: str) -> None:
    expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    parts = extract((GOLDEN / f"{name}.html").read_bytes(), content_type="text/html", url=f"{name}.html")
    got = [{k: v for k, v in p.to_json(name).items() if k in ("title", "date", "lang", "part", "paragraphs")}
           for p in parts]
    assert got == expected["parts"]
    text = json.dumps(got, ensure_ascii=False)
    for chrome in expected["absent"]:
        assert chrome not in text, f"site chrome {chrome!r} leaked into the extraction"


def test_shift_jis_page_is_really_shift_jis() -> None:
    raw = (GOLDEN / "sekai-to-nihon-sjis.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "秘密軍事情報" in extract(raw, content_type="text/html")[0].text


def test_pdf_made_from_real_statement_text() -> None:
    body = seed("000")
    lines = [line.strip() for line in body[body.index("[全文]") + 4 :].splitlines() if line.strip()]
    assert lines[-1] == "(了)"  # the end mark
    items = lines[:-1]
    pdf = make_pdf(["日米韓首脳会合 成果文書に関する参考資料", "2023年8月18日", *lines])
    [statement] = extract(pdf, url="camp-david.pdf")
    assert statement.title == "日米韓首脳会合成果文書に関する参考資料"
    assert statement.date is not None and statement.date.isoformat() == "2023-08-18"
    assert statement.lang == "ja"
    text = statement.text
    assert "秘密軍事情報保護協定" in text  # the PDF's line-break space inside the word is gone
    assert "北朝鮮によるサイバー空間を悪用した不法な収入獲得" in text
    assert len(statement.paragraphs) == len(items) and "(了)" not in text


def test_truncated_pdf_is_a_clear_error() -> None:
    pdf = make_pdf(["三か国の政府が相互に迅速な形で協議することにコミットする。"])
    with pytest.raises(ExtractError, match=r"^x\.pdf: unreadable PDF"):
        extract(pdf[: len(pdf) // 2], url="x.pdf")


def test_ruby_reads_as_base_text() -> None:
    html = "<html><body><article><p>日米韓の<ruby>外相<rt>がいしょう</rt></ruby>は、<ruby>会談<rp>(</rp><rt>かいだん</rt><rp>)</rp></ruby>した。閣僚は台湾海峡の平和と安定の重要性を強調した。</p></article></body></html>"
    [statement] = extract(html.encode(), content_type="text/html")
    assert statement.paragraphs == ["日米韓の外相は、会談した。閣僚は台湾海峡の平和と安定の重要性を強調した。"]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdefghijpquldivspan台湾。.\n")), max_size=400))
def test_extraction_of_arbitrary_markup_never_crashes(markup: str) -> None:
    try:
        parts = extract(markup.encode("utf-8"), content_type="text/html")
    except ExtractError:
        return
    assert all(isinstance(p.text, str) for p in parts)


def test_page_that_is_mostly_a_table_keeps_the_table() -> None:
    # A list of treaties or a standings table is short lines only, which the prose scorer ranks
    # below any chrome sentence; the element named as the article body is then taken whole.
    rows = "".join(f"<tr><td>{k}</td><td>条約第{k}号</td><td>{2000 + k}年</td></tr>" for k in range(1, 40))
    html = (f"<html><body><nav><ul>{'<li><a href=/>メニュー</a></li>' * 5}</ul></nav>"
            "<aside><p>外務省の最新情報をお届けします。ぜひご覧ください。</p></aside>"
            f"<div class='entry-content'><h1>締結条約一覧</h1><table>{rows}</table></div>"
            "<footer>Copyright</footer></body></html>")
    [statement] = extract(html.encode(), content_type="text/html")
    assert statement.title == "締結条約一覧"
    assert "条約第1号" in statement.paragraphs and "条約第39号" in statement.paragraphs
    assert not any("最新情報" in p or "メニュー" in p for p in statement.paragraphs)


def test_same_page_twice_gives_the_same_statement() -> None:
    raw = (GOLDEN / "mofa-ja.html").read_bytes()
    assert extract(raw) == extract(raw)


def test_golden_files_are_current() -> None:
    """tools/make_golden.py writes exactly the committed pages."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_golden", Path(__file__).parents[1] / "tools/make_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, (body, _absent) in module.pages().items():
        assert (GOLDEN / f"{name}.html").read_bytes() == body, name


def test_pdf_that_takes_too_long_is_stopped() -> None:
    from monitor.extract.pdf import pdf_text

    pages = [f"第{i}段落。三か国の政府が相互に迅速な形で協議することにコミットする。" * 20 for i in range(400)]
    with pytest.raises(ExtractError, match=r"^slow\.pdf: PDF not read within 0\.2 s$"):
        pdf_text(make_pdf(pages), ref="slow.pdf", timeout=0.2)


GENERIC_CASES = yaml.safe_load((Path(__file__).parent / "cases/extract_generic.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", GENERIC_CASES, ids=[c["name"] for c in GENERIC_CASES])
def test_generic_extractor_case(case: dict[str, Any]) -> None:
    [statement] = extract(f"<html><body>{case['html']}</body></html>".encode(), content_type="text/html")
    body = "\n".join(statement.paragraphs)
    for text in case["keeps"]:
        assert text in body, f"{text!r} was dropped"
    for text in case["drops"]:
        assert text not in body, f"{text!r} was kept"
