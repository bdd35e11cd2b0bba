"""Make small real PDFs with Japanese text for tests (reportlab, CID font: no font files)."""

from __future__ import annotations

import io
import textwrap

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "HeiseiMin-W3"


def make_pdf(paragraphs: list[str], *, chars_per_line: int = 38) -> bytes:
    """A PDF whose paragraphs are hard-wrapped like a printed statement, blank line between."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    _, height = A4
    y = height - 60
    for para in paragraphs:
        for line in textwrap.wrap(para, chars_per_line) or [""]:
            if y < 60:
                pdf.showPage()
                y = height - 60
            pdf.setFont(FONT, 11)
            pdf.drawString(50, y, line)
            y -= 16
        y -= 14
    pdf.save()
    return buffer.getvalue()
