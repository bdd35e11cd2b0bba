from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.diff import diff_statements
from monitor.document import Statement, Unit
from monitor.extract import extract_text
from tests.conftest import seed


@pytest.fixture(scope="module")
def seed_diff(topics) -> dict:
    old = extract_text(seed("003"))[0]
    new = extract_text(seed("001"))[0]
    return diff_statements(old, new, topics)


def spans_of(change: dict, op: str) -> list[str]:
    return [s["text"] for s in change.get("spans", []) if s["op"] == op]


def test_taiwan_merge_is_one_changed_change(seed_diff: dict) -> None:
    taiwan = [c for c in seed_diff["changes"] if "taiwan" in c["topics"]]
    assert taiwan and all(c["kind"] == "changed" for c in taiwan)
    merged = [c for c in taiwan if len(c["old"]) == 2 and len(c["new"]) == 1]
    assert len(merged) == 1
    merge = merged[0]
    assert "国際社会の安全と繁栄に不可欠な要素である" in merge["old"][0]["text"]
    assert "挑発的な活動" in merge["old"][1]["text"]
    assert any("国際社会の安全と繁栄に不可欠な要素である" in t for t in spans_of(merge, "delete"))
    assert any("一層頻繁になっている" in t for t in spans_of(merge, "insert"))
    coercion = [c for c in taiwan if any("力又は威圧によるものを含む" in t for t in spans_of(c, "delete"))]
    assert len(coercion) == 1 and "taiwan" in coercion[0]["topics"]


def test_dprk_cyber_changes(seed_diff: dict) -> None:
    cyber = [c for c in seed_diff["changes"] if "dprk-cyber" in c["topics"]]
    theft = [c for c in cyber if any("約15億米ドル" in t for t in spans_of(c, "delete"))
             or (c["kind"] == "removed" and "約15億米ドル" in c["old"][0]["text"])]
    workers = [c for c in cyber if any("IT労働者" in t for t in spans_of(c, "insert"))
               or (c["kind"] == "added" and "IT労働者" in c["new"][0]["text"])]
    assert theft and workers


def test_every_sentence_in_at_most_one_change(seed_diff: dict) -> None:
    for side in ("old", "new"):
        indices = [s["index"] for c in seed_diff["changes"] for s in c[side]]
        assert len(indices) == len(set(indices))


def paragraphs(*texts: str, lang: str = "ja") -> Statement:
    return Statement("t", None, lang, tuple(Unit("paragraph", t) for t in texts))


def test_variant_character_alone_is_cosmetic_not_changed(topics) -> None:
    old = paragraphs("閣僚は、兩岸問題の平和的解決を促した。", "閣僚は会談した。")
    new = paragraphs("閣僚は、両岸問題の平和的解決を促した。", "閣僚は会談した。")
    result = diff_statements(old, new, topics)
    assert [c["kind"] for c in result["changes"]] == ["cosmetic"]
    assert result["summary"]["changed"] == 0


def pdfish(text: str) -> str:
    """Width-fold to full width, add PDF spaces inside Japanese, and hard-wrap every 17 chars."""
    wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" and ch.isalnum() else ch for ch in text)
    spaced = re.sub(r"(?<=[\u3040-\u9fff])(?=[\u3040-\u9fff])", lambda m: " " if m.start() % 11 == 0 else "", wide)
    return "\n".join(spaced[i:i + 17] for i in range(0, len(spaced), 17))


def test_rewrapped_widthfolded_pdf_spaced_copy_has_only_cosmetic_changes(topics) -> None:
    original = extract_text(seed("003"))[0]
    copy = Statement(original.title, original.date, "ja",
                     tuple(Unit(u.kind, pdfish(u.text)) for u in original.units))
    assert copy.units != original.units
    result = diff_statements(original, copy, topics)
    assert {c["kind"] for c in result["changes"]} <= {"cosmetic"}
    assert result["summary"]["changed"] == result["summary"]["added"] == result["summary"]["removed"] == 0


def test_moved_sentence_is_moved_not_delete_plus_insert() -> None:
    a = paragraphs("一つ目の文である。", "二つ目の文である。", "三つ目の文である。", "四つ目の長い文である。")
    b = paragraphs("四つ目の長い文である。", "一つ目の文である。", "二つ目の文である。", "三つ目の文である。")
    result = diff_statements(a, b)
    assert [c["kind"] for c in result["changes"]] == ["moved"]
    assert result["summary"]["added"] == result["summary"]["removed"] == 0


def test_english_redline_is_word_level() -> None:
    a = paragraphs("We strongly oppose any unilateral attempts to change the status quo by force or coercion.", lang="en")
    b = paragraphs("We strongly oppose any unilateral attempts to change the status quo.", lang="en")
    change = diff_statements(a, b)["changes"][0]
    assert change["kind"] == "changed"
    assert spans_of(change, "delete") == [" by force or coercion"]


def test_split_is_one_change() -> None:
    a = paragraphs("Leaders met in Tokyo and agreed to deepen cooperation on critical minerals and supply chains.", lang="en")
    b = paragraphs("Leaders met in Tokyo. They agreed to deepen cooperation on critical minerals and supply chains.",
                   lang="en")
    result = diff_statements(a, b)
    assert len(result["changes"]) == 1
    assert (len(result["changes"][0]["old"]), len(result["changes"][0]["new"])) == (1, 2)


WORDS = ["閣僚は", "台湾海峡の", "平和と安定を", "強調した", "北朝鮮の", "サイバー活動に", "懸念を表明した",
         "We", "reaffirm", "our", "commitment", "to", "peace", "in the", "Indo-Pacific", "兩岸", "両岸", "ＡＢＣ"]
sentences = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(lambda ws: "".join(ws) + "。")
documents = st.lists(sentences, min_size=0, max_size=8).map(lambda ss: paragraphs(*ss))


def rebuild(change: dict, ops: tuple[str, str]) -> str:
    return "".join(s["text"] for s in change["spans"] if s["op"] in ops)


@settings(max_examples=150, deadline=None)
@given(documents, documents)
def test_spans_rebuild_both_texts(a: Statement, b: Statement) -> None:
    for change in diff_statements(a, b)["changes"]:
        if "spans" in change:
            assert rebuild(change, ("equal", "delete")) == "".join(s["text"] for s in change["old"])
            assert rebuild(change, ("equal", "insert")) == "".join(s["text"] for s in change["new"])


@settings(max_examples=100, deadline=None)
@given(documents)
def test_diff_of_a_document_with_itself_is_empty(a: Statement) -> None:
    assert diff_statements(a, a)["changes"] == []


@settings(max_examples=300, deadline=None)
@given(documents, documents)
def test_diff_mirrors(a: Statement, b: Statement) -> None:
    forward, backward = diff_statements(a, b)["summary"], diff_statements(b, a)["summary"]
    assert forward["added"] == backward["removed"] and forward["removed"] == backward["added"]
    assert forward["changed"] == backward["changed"]
    assert forward["moved"] == backward["moved"] and forward["cosmetic"] == backward["cosmetic"]
