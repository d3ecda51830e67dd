"""Document metadata from a document's own words: title, 文号, issuer, region, date, year, status, validity."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingest.names import readable_name
from ingest.repair import repair_text
from ingest.sections import DOC_NUMBER, ORG_LINE, DocumentParts, join_title
from policyqa.model import STATUS_DRAFT, STATUS_ISSUED, Document

_ISSUER_HEADER = re.compile(r"^(.{2,30}?(?:人民政府|办公室|办公厅|委员会|政府|厅|局|委))文件$")
_DATED_LINE = re.compile(r"^(.{0,30}?)(\d{4})年(\d{1,2})月(\d{1,2})日$")
# a line ending in a date is the date of issue, unless it says from or until when the policy holds
_NOT_ISSUE_DATE = re.compile(r"有效|施行|实施|执行|生效|至|到|起|截止")
_REGIONS = (re.compile(r"^(.{1,6}?(?:自治州|自治县|新区|省|市|县|区))"), re.compile(r"^(.{1,6}?(?:州|盟|旗))"))
_NOTICE_TITLE = re.compile(r"关于印发[《“\"]?(.+?)[》”\"]?的通知$")
_DRAFT = re.compile(r"征求意见稿|草案|讨论稿|送审稿")
_WHOLE_YEAR = re.compile(r"(\d{4})年全年(?:实施)?有效")
_VALID_UNTIL = re.compile(r"有效期(?:至|到)(\d{4})年(\d{1,2})月(\d{1,2})日")
_VALID_UNTIL_YEAR_END = re.compile(r"有效期(?:至|到)(\d{4})年(?:底|末|12月31日)")
# The words that state a validity; the statement is the sentence piece around them. Found by the
# anchor first and widened to the nearest ，。； after, so the time is linear in the text (a pattern
# with an unbounded "[^，。；]*" before the anchor is quadratic on text without those marks).
_VALIDITY_ANCHOR = re.compile(r"实施有效|施行有效|有效期(?:至|到|为|自)|自\d{4}年\d{1,2}月\d{1,2}日起(?:施行|实施)")
_PHRASE_BREAKS = "，。；\n"
_SENTENCE_BREAKS = "。；\n"
_DATE_AT = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}年(?:底|末)")
_TITLE_YEAR = re.compile(r"(\d{4})年")
_EFFECTIVE_FROM = re.compile(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起(?:施行|实施|执行|生效)")


@dataclass(frozen=True)
class _Facts:
    doc_number: str = ""
    issuer: str = ""
    date: str = ""


def doc_id_for(path: Path) -> str:
    """A stable slug from the file name: lower-case letters, digits, Chinese, joined by `-`."""
    stem = readable_name(path.stem)
    slug = re.sub(r"[^\w]+", "-", stem.lower(), flags=re.UNICODE).strip("-_")
    return slug or "doc-" + hashlib.sha1(os.fsencode(path.name)).hexdigest()[:8]


def _iso(year: str, month: str, day: str) -> str:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return ""


def _front_facts(lines: list[str]) -> _Facts:
    """文号, issuer and date of issue from the cover page and the notice."""
    doc_number = issuer = issued = ""
    for i, line in enumerate(lines):
        compact = re.sub(r"\s+", "", line)
        if not doc_number and (match := DOC_NUMBER.match(compact)):
            doc_number = match.group(1)
        elif not issuer and (match := _ISSUER_HEADER.match(compact)):
            issuer = match.group(1)
        elif not issued and (match := _DATED_LINE.match(compact)) and not _NOT_ISSUE_DATE.search(match.group(1)):
            issued = _iso(*match.group(2, 3, 4))
            org = match.group(1) or (re.sub(r"\s+", "", lines[i - 1]) if i > 0 else "")
            if not issuer and ORG_LINE.match(org):
                issuer = org
    return _Facts(doc_number=doc_number, issuer=issuer, date=issued)


def _next_break(text: str, at: int, marks: str) -> int:
    ends = [i for i in (text.find(mark, at) for mark in marks) if i >= 0]
    return min(ends) if ends else len(text)


def _validity_phrase(text: str) -> str:
    """The piece of sentence (between ，。； or line ends) holding the first validity statement,
    widened over a second statement of the same sentence ("自2024年6月1日起施行，有效期至…"), or ""."""
    anchor = _VALIDITY_ANCHOR.search(text)
    if anchor is None:
        return ""
    start = max(text.rfind(mark, 0, anchor.start()) for mark in _PHRASE_BREAKS) + 1
    end = _next_break(text, anchor.end(), _PHRASE_BREAKS)
    sentence_end = _next_break(text, anchor.end(), _SENTENCE_BREAKS)
    last = anchor
    if (second := _VALIDITY_ANCHOR.search(text, end, sentence_end)) is not None:
        end, last = _next_break(text, second.end(), _PHRASE_BREAKS), second
    # "有效期至2099年12月31日" ends with its date, whatever follows (a line glued on by repair)
    if (until := _DATE_AT.match(text, last.end(), end)) is not None:
        end = until.end()
    return text[start:end].strip()


def _validity(body_text: str) -> tuple[str, str]:
    """The validity statement as written (`均为2023年全年实施有效`) and the ISO date it ends."""
    phrase = _validity_phrase(body_text)
    if match := _VALID_UNTIL.search(body_text):
        return phrase, _iso(*match.groups())
    if match := _VALID_UNTIL_YEAR_END.search(body_text):
        return phrase, f"{match.group(1)}-12-31"
    if match := _WHOLE_YEAR.search(body_text):
        return phrase, f"{match.group(1)}-12-31"
    return phrase, ""


def _title(parts: DocumentParts, path: Path) -> str:
    if parts.title:
        return repair_text(join_title(parts.title))
    for line in parts.front:
        if match := _NOTICE_TITLE.search(re.sub(r"\s+", "", line)):
            return repair_text(match.group(1))
    return readable_name(path.stem)


def _region(issuer: str, title: str) -> str:
    for source in (issuer, title):
        for pattern in _REGIONS:  # `温州市` before `温州`
            if match := pattern.match(source):
                return match.group(1)
    return ""


def _year(issued: str, doc_number: str, valid_until: str, title: str, body_text: str = "") -> int | None:
    """The year the document is of: its date of issue, else its 文号 or title, else the date it
    takes effect ("自2024年6月1日起施行"); the end of its validity only when nothing else says (a
    policy valid to 2099 is not of 2099)."""
    if issued:
        return int(issued[:4])
    if match := re.search(r"[〔\[（(【](\d{4})", doc_number):
        return int(match.group(1))
    if match := _TITLE_YEAR.search(title):
        return int(match.group(1))
    if match := _EFFECTIVE_FROM.search(body_text):
        return int(match.group(1))
    return int(valid_until[:4]) if valid_until else None


def build_document(path: Path, raw: bytes, parts: DocumentParts, body_text: str) -> Document:
    """The Document record for one file, from its parts and its repaired body text."""
    facts = _front_facts(parts.front + parts.title + parts.body[:5])
    title = _title(parts, path)
    heading_text = " ".join(parts.front[:8] + parts.title)
    status = STATUS_DRAFT if _DRAFT.search(heading_text) else STATUS_ISSUED
    validity, valid_until = _validity(body_text)
    return Document(
        doc_id=doc_id_for(path),
        title=title,
        doc_number=facts.doc_number,
        issuer=facts.issuer,
        region=_region(facts.issuer, title),
        year=_year(facts.date, facts.doc_number, valid_until, title, body_text),
        date=facts.date,
        status=status,
        validity=validity,
        valid_until=valid_until,
        source_path=str(path),
        content_hash=hashlib.sha256(raw).hexdigest(),
    )
