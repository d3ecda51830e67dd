"""Cutting a document's lines into front matter (cover page, notice), title, body and back matter.

The body is what becomes clauses. Front matter feeds the metadata; back matter (`抄送` and the
printing line) is dropped.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.markers import find_marker
from ingest.repair import clean_line, is_page_furniture, normalize_whitespace

_PUBLIC_NOTE = re.compile(r"^[（(]\s*此件(?:公开发布|主动公开|不公开)\s*[)）]$")
_ORIGINAL_FOLLOWS = re.compile(r"^原文如下[:：]?$")
_BACK_MATTER = re.compile(r"^抄\s*送\s*[:：]?")
_TITLE_ENDINGS = ("通知", "方案", "政策", "报告", "意见", "办法", "规定", "细则", "规划", "纲要",
                  "决定", "公告", "措施", "条例", "稿）", "稿)", "版）", "版)")
_RUNNING_HEADER_MIN_REPEATS = 3
# A notice's parts: its 文号 line, its signature (an organisation on a line of its own) and date
DOC_NUMBER = re.compile(r"^([\u4e00-\u9fff]{1,10}[〔\[（(【]\d{4}[〕\]）)】]\d{1,5}号)$")
ORG_LINE = re.compile(r"^(.{2,30}?(?:人民政府|办公室|办公厅|委员会|厅|局|委))$")
_DATE_LINE = re.compile(r"^[（(]?\d{4}年\d{1,2}月\d{1,2}日[)）]?$")
_NOTICE_SEARCH_LINES = 15  # a notice's signature comes within its first lines


@dataclass
class DocumentParts:
    """The lines of one document, cut into its parts (all lines cleaned, none empty)."""

    front: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    back: list[str] = field(default_factory=list)


def clean_lines(text: str) -> list[str]:
    """Non-empty cleaned lines without page numbers, printing lines or running headers."""
    lines = [clean_line(line) for line in normalize_whitespace(text).split("\n")]
    lines = [line for line in lines if line and not is_page_furniture(line)]
    return _drop_running_headers(lines)


def _drop_running_headers(lines: list[str]) -> list[str]:
    """Short lines repeated on many pages (a PDF's running header) are not content."""
    counts = Counter(line for line in lines
                     if len(line) <= 30 and not find_marker(line) and "责任单位" not in line
                     and not line.endswith(("。", "）", ")", "；", "：")))
    repeated = {line for line, n in counts.items() if n >= _RUNNING_HEADER_MIN_REPEATS}
    if not repeated:
        return lines
    first_seen: set[str] = set()
    kept = []
    for line in lines:
        if line in repeated:
            if line in first_seen:
                continue
            first_seen.add(line)  # keep the first: it may be the document's own title
        kept.append(line)
    return kept


def _body_start(lines: list[str]) -> int:
    """Index of the first body line: after `（此件公开发布）` or a news page's `原文如下：`."""
    for pattern in (_PUBLIC_NOTE, _ORIGINAL_FOLLOWS):
        hits = [i for i, line in enumerate(lines) if pattern.match(line.replace(" ", ""))]
        if hits:
            return hits[-1] + 1 if pattern is _PUBLIC_NOTE else hits[0] + 1
    return 0


def _back_start(lines: list[str], start: int) -> int:
    for i in range(start, len(lines)):
        if _BACK_MATTER.match(lines[i]):
            return i
    return len(lines)


def _is_title_line(line: str) -> bool:
    compact = line.replace(" ", "")
    return (len(compact) <= 60 and not find_marker(compact)
            and not compact.endswith(("。", "；", ";", "：", ":")))


def _title_lines(body: list[str]) -> int:
    """How many leading body lines are the document's title block (title, author, date line)."""
    count = 0
    while count < len(body) and count < 6 and _is_title_line(body[count]):
        count += 1
    if count == len(body):  # a document that is only short lines has no separate title
        return min(count, 1)
    return count


def join_title(lines: list[str]) -> str:
    """The title from its block: lines joined while a line does not end like a title (a 文号 or
    date line below the title is not part of it)."""
    parts: list[str] = []
    for line in lines:
        compact = re.sub(r"\s+", "", line) if re.search(r"[\u4e00-\u9fff]", line) else line
        if parts and (DOC_NUMBER.match(compact) or _DATE_LINE.match(compact)):
            break
        parts.append(compact)
        if compact.endswith(_TITLE_ENDINGS):
            break
    return "".join(parts)


def _notice_end(body: list[str]) -> int:
    """In a notice that carries its policy (通知标题 / 文号 / 主送 / 正文 / 落款 / 日期 / 政策标题 / …),
    the index of the line after the notice's date; 0 when the body is not laid out so."""
    for i in range(1, min(len(body) - 1, _NOTICE_SEARCH_LINES)):
        signed = ORG_LINE.match(body[i - 1].replace(" ", "")) and _DATE_LINE.match(body[i].replace(" ", ""))
        if signed and _is_title_line(body[i + 1]) and not find_marker(body[i + 1]):
            return i + 1
    return 0


def split_parts(text: str) -> DocumentParts:
    """Cut a document's text into front matter, title block, body and back matter. A notice that
    carries its policy is front matter up to its signature and date; the policy's title follows."""
    lines = clean_lines(text)
    start = _body_start(lines)
    end = _back_start(lines, start)
    start += _notice_end(lines[start:end])
    body = lines[start:end]
    n_title = _title_lines(body)
    return DocumentParts(front=lines[:start], title=body[:n_title], body=body[n_title:], back=lines[end:])
