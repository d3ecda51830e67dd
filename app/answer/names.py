"""How every answer names things: a document (region, year, 文号, status), a measure, a validity
period, the years and documents searched. Both styles, the not-found wording and the validity answer
read these, so a document is named the same way everywhere."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from index.scope import YEAR, years_written
from ingest.markers import find_marker
from policyqa.model import STATUS_DRAFT, Clause, Document
from policyqa.numerals import chinese_year
from policyqa.status import CHECK_LATEST, DRAFT_CAVEAT, STANDING_LABELS, Standing

_NUMERAL_LOCATOR = re.compile(r"^(\d+|[一二三四五六七八九十百零]+)$")
_ENCLOSED = re.compile(r"[（(][^（()）]*[)）]")


def validity_period(doc: Document) -> str:
    """"2023年" (a whole calendar year) or "至2024年6月30日", from valid_until ("" when unknown)."""
    if not doc.valid_until:
        return ""
    end = date.fromisoformat(doc.valid_until)
    whole_year = (end.month, end.day) == (12, 31) and doc.year in (None, end.year)  # not "2099年" for 2024-2099
    return f"{end.year}年" if whole_year else f"至{end.year}年{end.month}月{end.day}日"


def region_year(doc: Document) -> str:
    """"瑞安市2023年": the region and year a document is named by aloud."""
    return f"{doc.region}{doc.year or ''}{'年' if doc.year else ''}"


def status_note(doc: Document, today: date, short: bool = False) -> str:
    """The flag a cited document needs: draft, or a validity that has ended."""
    if doc.status == STATUS_DRAFT:
        return f"（{STANDING_LABELS[Standing.DRAFT]}）" if short else f"（{DRAFT_CAVEAT}）"
    if doc.expired_on(today):
        return "（已到期）" if short else f"（该政策有效期为{validity_period(doc)}，{CHECK_LATEST}）"
    return ""


def document_notes(docs: list[Document], today: date, short: bool = False) -> str:
    """The status flag of each cited document that needs one, named ("瑞安市2025年（该文件为征求
    意见稿……）"): what an answer written by a model carries, as the extractive one does."""
    flagged = [(d, status_note(d, today, short)) for d in dict.fromkeys(docs)]
    return "".join(f"{region_year(d) if d.region else short_name(d)}{note}" for d, note in flagged if note)


# An answer names a clause's period in its text, its hotline wording (re-rendered while it is fitted
# to the time a call allows) and its JSON: read once per distinct (frozen) clause.
@lru_cache(maxsize=4096)
def period_heading(clause: Clause) -> tuple[str, tuple[int, ...]] | None:
    """The heading a clause stands under that names another year than its document's, with those
    years (the 2023 report's "一、2022年主要工作回顾": its figures are that year's results, not the
    document's targets); None when no heading does."""
    for heading in clause.path:
        years = years_written(heading, with_nian=True)
        if years and clause.doc.year not in years:
            return heading, tuple(years)
    return None


@lru_cache(maxsize=4096)
def period_note(clause: Clause) -> str:
    """"（二〇二二年主要工作回顾）": `period_heading` without its number, years in words like the
    answer's own notes; "" when the clause speaks for its document's year."""
    period = period_heading(clause)
    if period is None:
        return ""
    heading = period[0]
    marker = find_marker(heading)
    title = heading[marker.length:] if marker else heading
    return f"（{YEAR.sub(lambda m: f'{chinese_year(int(m.group(1)))}年' if m.group(2) else m.group(0), title)}）"


def doc_header(doc: Document) -> str:
    """"瑞安市（2023年，瑞政发[2023]9号）": region, year and 文号 (or the title when it has none)."""
    details = [f"{doc.year}年"] if doc.year else []
    if doc.doc_number:
        details.append(doc.doc_number)
    elif doc.status == STATUS_DRAFT:
        details.append(STANDING_LABELS[Standing.DRAFT])
    else:
        details.append(f"《{doc.title}》")
    return f"{doc.region or doc.title}（{'，'.join(details)}）"


def short_name(doc: Document) -> str:
    """A document without 文号, named briefly: "瑞安市2025年征求意见稿"."""
    kind = STANDING_LABELS[Standing.DRAFT] if doc.status == STATUS_DRAFT else f"《{doc.title}》"
    return f"{region_year(doc)}{kind}" if doc.region else f"《{doc.title}》"


def measure_label(clause: Clause) -> str:
    """How to name a measure aloud: "第44条", "六、(二)3", or its lead phrase."""
    locator = (clause.locator or clause.number).strip()
    if _ENCLOSED.fullmatch(locator):  # "(3)" is measure 3; "六、(一)" keeps its closing bracket
        locator = locator[1:-1]
    if locator and _NUMERAL_LOCATOR.match(locator):
        return f"第{locator}条"
    return locator or (f"“{clause.title}”" if clause.title else "")


def years_text(years: list[int]) -> str:
    """"二〇二三年、二〇二四年": years as an answer reads them out."""
    return "、".join(f"{chinese_year(y)}年" for y in years)


def searched_note(documents: list[Document]) -> str:
    """"已检索瑞安市、温州市、乐清市的政策文件，二〇二三至二〇二五年"."""
    searched = "、".join(dict.fromkeys(d.region or d.title for d in documents)) or "已收录"
    years = sorted({d.year for d in documents if d.year})
    span = f"，{chinese_year(years[0])}至{chinese_year(years[-1])}年" if len(years) > 1 else ""
    return f"已检索{searched}的政策文件{span}"



def spoken_source(clause: Clause) -> str:
    """"温政办〔2024〕11号第44条", "瑞政发[2023]9号（六、(二)3）": a cited measure as read out after "依据："."""
    label = measure_label(clause)
    number = clause.doc.doc_number or short_name(clause.doc)
    return number + (label if label.startswith("第") else f"（{label}）" if label else "")


def sources_tail(clauses: list[Clause]) -> str:
    """"依据：…；…。": the read-aloud answer's last words, naming each cited measure."""
    return "依据：" + "；".join(spoken_source(c) for c in clauses) + "。"
