# SPDX-License-Identifier: AGPL-3.0-or-later
"""Text of a PDF CV with pypdf, in a separate Python process that is killed when it runs too long.

A PDF is a program of sorts: a hostile or broken one can make a parser loop or swallow memory.
So the parsing runs in a child interpreter (this file, run as a script: it imports only the
standard library and pypdf) with a wall-clock timeout, a CPU and a memory limit, and reads at
most MAX_PDF_PAGES pages. Encrypted, broken or too slow PDFs are still accepted as CVs: they
just have no (or partial) text, and the reason is logged.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

MAX_PDF_PAGES = 50
PDF_TEXT_TIMEOUT_SECONDS = 15
PDF_TEXT_MEMORY_BYTES = 1024 * 1024 * 1024
DEFAULT_MAX_CHARS = 100_000

# Why a PDF gave no or only part of its text (logged; an empty text is shown to staff with a note).
COMPLETE = ""
ENCRYPTED = "encrypted"
UNREADABLE = "unreadable"
TOO_SLOW = "timeout"
TRUNCATED = "truncated"


@dataclass(frozen=True)
class PdfText:
    """The text found in a PDF, and why it is empty or partial (COMPLETE when it is neither)."""

    text: str
    problem: str = COMPLETE


def extract_pdf_text(data: bytes, *, max_chars: int = DEFAULT_MAX_CHARS) -> PdfText:
    """The text of a PDF's first MAX_PDF_PAGES pages, parsed in a child process with a timeout."""
    command = [sys.executable, "-I", str(Path(__file__)), str(MAX_PDF_PAGES), str(max_chars)]
    try:
        result = subprocess.run(  # noqa: S603 - our own interpreter running this very file
            command, input=data, capture_output=True, timeout=PDF_TEXT_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        logger.warning(
            "Reading a PDF CV took longer than %s seconds; it is kept without text", PDF_TEXT_TIMEOUT_SECONDS
        )
        return PdfText("", TOO_SLOW)
    except OSError:
        logger.exception("Could not start the PDF reader; the CV is kept without text")
        return PdfText("", UNREADABLE)
    try:
        found = json.loads(result.stdout)
        text, problem = str(found["text"])[:max_chars], str(found["problem"])
    except (ValueError, KeyError, TypeError):
        # Killed by its memory or CPU limit, or crashed: the CV stays, without text.
        logger.warning(
            "The PDF reader failed (exit %s): %s",
            result.returncode,
            result.stderr.decode(errors="replace")[-500:],
        )
        return PdfText("", UNREADABLE)
    if problem:
        logger.info("PDF CV text: %s", problem)
    return PdfText(text, problem)


def _limit_resources() -> None:
    """In the child: no more memory or CPU time than a CV deserves."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (PDF_TEXT_MEMORY_BYTES, PDF_TEXT_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (PDF_TEXT_TIMEOUT_SECONDS, PDF_TEXT_TIMEOUT_SECONDS + 1))


def read_pdf(data: bytes, max_pages: int, max_chars: int) -> PdfText:
    """In the child: the text of up to ``max_pages`` pages, page by page, at most ``max_chars``."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.disable(logging.WARNING)  # pypdf's complaints about sloppy PDFs are not ours to print
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                # Many "protected" PDFs only forbid printing: they open with an empty password.
                if not reader.decrypt(""):
                    return PdfText("", ENCRYPTED)
            except (PyPdfError, NotImplementedError, ValueError):
                return PdfText("", ENCRYPTED)
        pages, problem = [], COMPLETE
        total = 0
        for number, page in enumerate(reader.pages):
            if number >= max_pages:
                problem = TRUNCATED
                break
            text = page.extract_text() or ""
            pages.append(text)
            total += len(text)
            if total >= max_chars:
                problem = TRUNCATED
                break
        return PdfText("\n".join(pages)[:max_chars], problem)
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, OSError):
        return PdfText("", UNREADABLE)


def main() -> None:
    """Child process: PDF bytes on standard input, {"text", "problem"} as JSON on standard output."""
    _limit_resources()
    max_pages, max_chars = int(sys.argv[1]), int(sys.argv[2])
    found = read_pdf(sys.stdin.buffer.read(), max_pages, max_chars)
    sys.stdout.write(json.dumps({"text": found.text, "problem": found.problem}))


if __name__ == "__main__":
    main()
