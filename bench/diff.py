"""Diff speed beside difflib and diff-match-patch, and predecessor lookup among 10,000 documents.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/diff.py

Goals (issue 5): a 4,000-character Japanese pair in at most 5 ms; the G7 2023 → 2024
communiqués (about 130,000 characters each) in at most 200 ms; predecessor lookup among 10,000
stored documents in at most 50 ms. The statement diff time covers segmentation, alignment,
redlines and topic tagging; difflib and diff-match-patch only compute a character diff.
"""

from __future__ import annotations

import difflib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config.model import load_config  # noqa: E402
from monitor.diff import diff_statements  # noqa: E402
from monitor.document import Statement  # noqa: E402
from monitor.extract import extract_text  # noqa: E402
from monitor.series.sketch import Candidate, K, choose_predecessor, sketch  # noqa: E402

FIX = ROOT / "tests/fixtures"


def timed(fn: Callable[[], object], repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def seed(prefix: str) -> str:
    return next((FIX / "seeds").glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def pair_report(name: str, old: Statement, new: Statement, topics: tuple, repeat: int) -> None:
    a, b = old.text, new.text
    print(f"\n{name}: {len(a):,} → {len(b):,} characters")
    ours = timed(lambda: diff_statements(old, new, topics), repeat)
    print(f"  statement-monitor diff_statements        {ours:9.1f} ms")
    print(f"  difflib SequenceMatcher (characters)     {timed(lambda: difflib.SequenceMatcher(None, a, b).get_opcodes(), max(1, repeat // 10)):9.1f} ms")
    try:
        from diff_match_patch import diff_match_patch

        dmp = diff_match_patch()
        dmp.Diff_Timeout = 1.0  # its default: past one second it returns a coarser diff

        def run_dmp() -> None:
            diffs = dmp.diff_main(a, b)
            dmp.diff_cleanupSemantic(diffs)

        print(f"  diff-match-patch + cleanupSemantic       {timed(run_dmp, max(1, repeat // 10)):9.1f} ms"
              " (1 s time limit)")
    except ImportError:
        print("  diff-match-patch not installed: pip install -e '.[bench]'")


def predecessor_bench(n_docs: int) -> None:
    from rapidfuzz import fuzz, process

    from storage import repo
    from storage.db import Database

    texts = [p.read_text(encoding="utf-8") for p in sorted((FIX / "whitehouse/docs").glob("*.txt"))]
    rng = random.Random(7)
    docs = []
    for k in range(n_docs):  # variants of real statements: sentences dropped, shuffled, numbered
        base = texts[k % len(texts)].split("\n\n")
        kept = [p for p in base if rng.random() > 0.3]
        rng.shuffle(kept)
        docs.append(f"Statement {k}\n\n" + "\n\n".join(kept))
    query = texts[5].split("\n\n")
    query_text = "\n\n".join(p for p in query if rng.random() > 0.2)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.sqlite3")
        started = time.perf_counter()
        with db.session() as s:
            for k, text in enumerate(docs):
                doc = repo.create_document(s, url=f"https://example.org/{k}", part="", source_id=None, lang="en",
                                           title=f"Statement {k}", published=date(2020, 1, 1) + timedelta(days=k % 1500),
                                           series_id=None, now=repo.utcnow())
                repo.save_sketch(s, doc.id, sketch(text))
        print(f"\nPredecessor lookup among {n_docs:,} stored documents (index built in {time.perf_counter() - started:.1f} s)")

        def lookup() -> object:
            hashes = sketch(query_text)
            with db.session() as s:
                rows = repo.sketch_candidates(s, hashes, exclude=None, before=date(2030, 1, 1), lang="en")
            return choose_predecessor([Candidate(*r) for r in rows], "Statement", 0.1, K)

        print(f"  statement-monitor sketch index (SQLite)  {timed(lookup, 20):9.1f} ms")
        db.close()
    started = time.perf_counter()
    process.extractOne(query_text, docs, scorer=fuzz.ratio)
    print(f"  rapidfuzz ratio over every document      {(time.perf_counter() - started) * 1000:9.1f} ms")


def main() -> None:
    topics = load_config(ROOT / "sources.yaml").topics
    brussels = extract_text(seed("003"))[0]
    ny_text = seed("001")
    ny = extract_text(ny_text[ny_text.index("ニューヨーク市における"):ny_text.index("(以上)")])[0]
    pair_report("Japanese pair: Brussels → New York joint statement", brussels, ny, topics, 50)
    vfm = extract_text(seed("004"))[0]
    both = Statement(brussels.title, brussels.date, "ja", brussels.units + vfm.units)
    page = extract_text(ny_text)[0]
    pair_report("Japanese pair of about 4,000 characters: Brussels statement + vice-ministerial overview"
                " → New York page (overview + statement)", both, page, topics, 50)
    g7 = [extract_text(p.read_text(encoding="utf-8"))[0]
          for p in sorted((FIX / "whitehouse/docs").glob("g7-summit-communique__202[34]*.txt"))]
    pair_report("G7 summit communiqué 2023 → 2024", g7[0], g7[1], topics, 5)
    predecessor_bench(10_000)


if __name__ == "__main__":
    main()
