"""PDF loader: the text layer, read with pypdf; wrapped lines rejoined by their width on the page."""
from __future__ import annotations

import io
import logging
import re
from collections import Counter

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from ingest.markers import find_marker
from ingest.repair import clean_line, is_page_furniture
from policyqa.errors import BadFileError

_FULL_LINE_SLACK = 1.5  # em: a line this close to the usual full width was wrapped by the layout
_EOF_WINDOW = 2048


def _width(line: str) -> float:
    """Visual width in em: Chinese characters count 1, Latin letters and digits about half."""
    return sum(0.5 if ch.isascii() else 1.0 for ch in line)


def _full_width(lines: list[str]) -> float:
    """The usual width of a full line: the most common width among the long lines."""
    widths = [round(_width(line)) for line in lines if line.strip()]
    if not widths:
        return 0.0
    long_lines = [w for w in widths if w >= 0.6 * max(widths)]
    return float(Counter(long_lines).most_common(1)[0][0])


def unwrap_lines(lines: list[str]) -> str:
    """Join lines that the page layout wrapped (full-width lines), keep the others as line breaks."""
    full = _full_width(lines) - _FULL_LINE_SLACK
    out: list[str] = []
    previous_width = 0.0
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if out and previous_width >= full and not find_marker(clean_line(line)):
            out[-1] = out[-1] + line
        else:
            out.append(line)
        previous_width = _width(line)
    return "\n".join(out)


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.replace(" ", ""))


def strip_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop running headers/footers (the same line at the top or bottom of most pages) and page numbers."""
    edges = Counter(_edge_key(line) for page in pages for line in set(page[:2] + page[-2:]) if line.strip())
    needed = max(2, len(pages) // 2)
    repeated = {key for key, count in edges.items() if count >= needed}
    cleaned = []
    for page in pages:
        top, middle, bottom = page[:2], page[2:-2], page[-2:] if len(page) > 4 else []
        if len(page) <= 4:
            top, middle = page, []

        def keep(line: str) -> bool:
            return bool(line.strip()) and _edge_key(line) not in repeated and not is_page_furniture(line.strip())

        cleaned.append([line for line in top if keep(line)] + middle + [line for line in bottom if keep(line)])
    return cleaned


def load_pdf(raw: bytes, name: str) -> str:
    """Text of a .pdf file, or BadFileError when it is damaged, encrypted or has no text layer."""
    if not raw.lstrip().startswith(b"%PDF"):
        raise BadFileError(f"{name}：不是有效的 PDF 文件（not a PDF file）")
    if b"%%EOF" not in raw[-_EOF_WINDOW:]:
        raise BadFileError(f"{name}：PDF 文件不完整，可能在下载或复制时被截断（truncated PDF）")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise BadFileError(f"{name}：PDF 已加密，无法读取文字（encrypted PDF）")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as error:
        raise BadFileError(f"{name}：PDF 文件已损坏，无法读取（damaged PDF: {error}）") from error
    lines = [line for page in strip_page_furniture([page.split("\n") for page in pages]) for line in page]
    if not any(line.strip() for line in lines):
        raise BadFileError(f"{name}：PDF 中没有可提取的文字，可能是扫描件，需要先做文字识别（no text layer）")
    return unwrap_lines(lines)
