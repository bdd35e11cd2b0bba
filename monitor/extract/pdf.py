"""PDF to text with pdfminer.six, in a child process bounded in pages, time and memory.

pdfminer.six was chosen over pypdf for Japanese: it maps CID fonts through the Adobe-Japan1
CMaps it ships, so PDFs whose fonts lack a ToUnicode table still give real text, and its
layout analysis yields paragraph breaks as blank lines. A hostile or broken PDF can make any
parser spin; a child process can be stopped, a thread cannot.

    python -m monitor.extract.pdf --max-pages N < file.pdf   # the child's entry point
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys

from monitor._exceptions import ExtractError

MAX_PAGES = 200
TIME_LIMIT = 60.0  # seconds per PDF
MEMORY_LIMIT = 1 << 30  # bytes of address space for the child


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def pdf_text(
    data: bytes, *, ref: str = "PDF", max_pages: int = MAX_PAGES, timeout: float = TIME_LIMIT
) -> str:
    """The text of a PDF; ExtractError (one line naming ``ref``) if it cannot be read in time."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "monitor.extract.pdf", "--max-pages", str(max_pages)],
            input=data,
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractError(f"{ref}: PDF not read within {timeout:g} s") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractError(
            f"{ref}: {reason[-1] if reason else f'PDF reader failed ({done.returncode})'}"
        )
    text = done.stdout.decode("utf-8")
    if not text.strip():
        raise ExtractError(f"{ref}: the PDF holds no extractable text (scanned image?)")
    return text.replace("\x0c", "\n\n")


def _extract_in_child(max_pages: int) -> int:
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams

    data = sys.stdin.buffer.read()
    try:
        text = extract_text(
            io.BytesIO(data), laparams=LAParams(line_margin=0.5), maxpages=max_pages
        )
    except MemoryError:
        print("PDF needs more memory than allowed", file=sys.stderr)
        return 3
    except Exception as exc:  # pdfminer raises many private types on broken files
        print(f"unreadable PDF ({exc.__class__.__name__})", file=sys.stderr)
        return 3
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(_extract_in_child(int(sys.argv[sys.argv.index("--max-pages") + 1])))
