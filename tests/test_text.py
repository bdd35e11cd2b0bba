from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.extract.dates import find_date
from monitor.text.normalise import fold, squash
from monitor.text.segment import segment, split_sentences

CASES = Path(__file__).parent / "cases"
SEGMENT = yaml.safe_load((CASES / "segment.yaml").read_text(encoding="utf-8"))
NORMALISE = yaml.safe_load((CASES / "normalise.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", SEGMENT, ids=[c["text"][:30] for c in SEGMENT])
def test_segmentation(case: dict) -> None:
    assert split_sentences(case["text"]) == case["sentences"]


@pytest.mark.parametrize("case", NORMALISE, ids=[c["input"][:20] for c in NORMALISE])
def test_normalisation(case: dict) -> None:
    assert squash(case["input"]) == case["squash"]
    assert fold(case["input"]) == case["fold"]


def test_headings_and_items_are_single_units() -> None:
    sents = segment([("heading", "北朝鮮の脅威への対処"), ("item", "・a. b. c."), ("paragraph", "一。二。")])
    assert [s.text for s in sents] == ["北朝鮮の脅威への対処", "・a. b. c.", "一。", "二。"]
    assert [s.para for s in sents] == [0, 1, 2, 2]


@pytest.mark.parametrize("text,iso", [
    ("令和7年9月22日", "2025-09-22"), ("令和7(2025)年9月22日(月)", "2025-09-22"), ("平成元年1月8日", "1989-01-08"),
    ("2025年9月22日", "2025-09-22"), ("September 22, 2025", "2025-09-22"), ("22 September 2025", "2025-09-22"),
    ("2025-9-25 11:30", "2025-09-25"), ("Sept. 3, 2024", "2024-09-03"), ("令和７年１０月１日", "2025-10-01"),
])
def test_dates(text: str, iso: str) -> None:
    found = find_date(text)
    assert found is not None and found.isoformat() == iso


def test_no_date_in_plain_text() -> None:
    assert find_date("閣僚は会談した。 The ministers met.") is None


TEXT = st.text(alphabet=st.sampled_from(list("閣僚は台湾。！？「」（）The U.S. met. Mr. A! ok? 1.\n ")), max_size=200)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_segmentation_loses_no_text(text: str) -> None:
    """Sentences are pieces of the squashed text, in order, with nothing lost but spaces."""
    pieces = split_sentences(text)
    assert all(p and p == p.strip() for p in pieces)
    joined = "".join(pieces).replace(" ", "")
    assert joined == squash(text).replace(" ", "")


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_fold_is_idempotent_and_squash_is_stable(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert squash(squash(text)) == squash(text)
