"""PDF to text with pdfminer.six, bounded in pages and time.

pdfminer.six was chosen over pypdf for Japanese: it maps CID fonts through the Adobe-Japan1
CMaps it ships, so PDFs whose fonts lack a ToUnicode table still give real text, and its
layout analysis yields paragraph breaks as blank lines.
"""

from __future__ import annotations

import io

from monitor._exceptions import ExtractError

MAX_PAGES = 200


def pdf_text(data: bytes, *, ref: str = "PDF", max_pages: int = MAX_PAGES) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        text: str = extract_text(
            io.BytesIO(data), laparams=LAParams(line_margin=0.5), maxpages=max_pages
        )
    except (
        PDFSyntaxError,
        PSException,
        ValueError,
        KeyError,
        TypeError,
        AssertionError,
        IndexError,
    ) as exc:
        raise ExtractError(f"{ref}: unreadable PDF ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # pdfminer raises many private types on truncated files
        raise ExtractError(f"{ref}: unreadable PDF ({exc.__class__.__name__})") from exc
    if not text.strip():
        raise ExtractError(f"{ref}: the PDF holds no extractable text (scanned image?)")
    return text.replace("\x0c", "\n\n")
