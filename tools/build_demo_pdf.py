"""Build monitor/demo/assets/camp-david-reference.pdf from seed 000's real text.

Run once (needs reportlab, a test dependency):  python tools/build_demo_pdf.py
The PDF uses the built-in Adobe-Japan1 CID font HeiseiMin-W3, so no font file is needed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.pdfmaker import make_pdf

ROOT = Path(__file__).resolve().parents[1]
seed = (ROOT / "monitor/demo/assets/000_40687e4e43f7c743.txt").read_text(encoding="utf-8")
body = seed[seed.index("[全文]") + len("[全文]"):].strip()
paragraphs = ["日米韓首脳会合 成果文書に関する参考資料", "2023年8月18日", *[p for p in body.split("\n") if p.strip()]]
(ROOT / "monitor/demo/assets/camp-david-reference.pdf").write_bytes(make_pdf(paragraphs))
print("wrote monitor/demo/assets/camp-david-reference.pdf")
