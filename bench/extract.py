"""Main-text extraction benchmark: the generic extractor beside trafilatura and resiliparse.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/extract.py [--limit N]

Datasets (shared/bench/extraction, each scored with its own standard metric):
- scrapinghub AEB: 4-token shingle precision/recall, macro over pages (upstream evaluate.py);
- trafilatura eval: snippet precision/recall, micro over snippets (upstream eval_common.py).
Input is a pre-decoded str; each extractor gets 3 warm-up calls; only the call is timed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.extract import extract_html
from monitor.extract.decode import decode

DATA = Path(__file__).resolve().parents[2] / "shared/bench/extraction"


def ours(html: str) -> str:
    try:
        return "\n".join(st.text for st in extract_html(html))
    except Exception:
        return ""


def peers() -> dict[str, Callable[[str], str]]:
    out: dict[str, Callable[[str], str]] = {"statement-monitor": ours}
    try:
        import trafilatura

        out["trafilatura"] = lambda h: trafilatura.extract(h, include_comments=False) or ""
    except ImportError:
        print("trafilatura not installed: pip install -e '.[bench]'", file=sys.stderr)
    try:
        from resiliparse.extract.html2text import extract_plain_text

        out["resiliparse"] = lambda h: extract_plain_text(h, main_content=True)
    except ImportError:
        print("resiliparse not installed: pip install -e '.[bench]'", file=sys.stderr)
    return out


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text)
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)))


def aeb_pages(limit: int | None) -> list[tuple[str, str]]:
    root = DATA / "scrapinghub-article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        with gzip.open(root / "html" / f"{key}.html.gz", "rt", encoding="utf8") as fh:
            pages.append((fh.read(), truth[key]["articleBody"]))
    return pages


def score_aeb(outputs: list[str], pages: list[tuple[str, str]]) -> tuple[float, float, float]:
    precisions, recalls = [], []
    for out, (_, gold) in zip(outputs, pages, strict=True):
        pred, true = shingles(out), shingles(gold)
        tp = sum((pred & true).values())
        fp = sum((pred - true).values())
        fn = sum((true - pred).values())
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
    p, r = statistics.mean(precisions), statistics.mean(recalls)
    return p, r, 2 * p * r / (p + r)


def traf_pages(limit: int | None) -> list[tuple[str, dict]]:
    root = DATA / "trafilatura-eval"
    data = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for _key, entry in sorted(data.items())[:limit]:
        raw = gzip.decompress((root / "html" / f"{entry['file']}.gz").read_bytes())
        pages.append((decode(raw)[0], entry))
    return pages


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def score_traf(outputs: list[str], pages: list[tuple[str, dict]]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for out, (_, entry) in zip(outputs, pages, strict=True):
        text = norm(out)
        for snippet in entry.get("with", []):
            if norm(snippet) in text:
                tp += 1
            else:
                fn += 1
        for snippet in entry.get("without", []):
            if norm(snippet) in text:
                fp += 1
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, 2 * tp / (2 * tp + fp + fn)


def run(name: str, fn: Callable[[str], str], htmls: list[str]) -> tuple[list[str], float, float]:
    for html in htmls[:3]:
        fn(html)
    outputs, times = [], []
    for html in htmls:
        started = time.perf_counter()
        try:
            outputs.append(fn(html) or "")
        except Exception:
            outputs.append("")
        times.append((time.perf_counter() - started) * 1000)
    return outputs, statistics.mean(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="pages per dataset (default: all)")
    args = parser.parse_args()
    extractors = peers()
    for title, pages, scorer in (("scrapinghub AEB (4-gram shingles, macro)", aeb_pages(args.limit), score_aeb),
                                 ("trafilatura eval (snippets, micro)", traf_pages(args.limit), score_traf)):
        print(f"\n{title}: {len(pages)} pages")
        print(f"{'extractor':<20} {'P':>6} {'R':>6} {'F1':>7} {'ms/page mean (median)':>23}")
        htmls = [p[0] for p in pages]
        for name, fn in extractors.items():
            outputs, mean_ms, median_ms = run(name, fn, htmls)
            p, r, f1 = scorer(outputs, pages)  # type: ignore[arg-type]
            print(f"{name:<20} {p:6.3f} {r:6.3f} {f1:7.4f} {mean_ms:13.1f} ({median_ms:.1f})")


if __name__ == "__main__":
    main()
