"""Writing the offline answer: quoted sentences grouped by document, with [n] markers and flags."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import groupby, pairwise

from app.answer.analysis import QuestionProfile
from app.answer.config import AnswerConfig
from app.answer.kinds import Kind, missing_note, names_a_kind
from app.answer.select import Item
from app.text.spans import Span, is_responsibility, normalise
from index.scope import YEAR
from policyqa.model import STATUS_DRAFT, Citation, Clause, Document
from policyqa.numerals import chinese_year
from policyqa.status import CHECK_LATEST, DRAFT_CAVEAT, STANDING_LABELS, Standing

_NUMERAL_LOCATOR = re.compile(r"^(\d+|[一二三四五六七八九十百零]+)$")
_ENCLOSED = re.compile(r"[（(][^（()）]*[)）]")


@dataclass(frozen=True)
class Group:
    """The cited clauses of one document, in answer order."""

    doc: Document
    items: tuple[Item, ...]
    primary: bool  # matches the region/year the question names (or no scope was named)


def group_by_document(items: list[Item], profile: QuestionProfile, config: AnswerConfig) -> list[Group]:
    """Documents in answer order: those matching the named scope first, then by probability."""
    regions, years = profile.regions, profile.years
    by_doc: dict[str, list[Item]] = {}
    for item in items:
        by_doc.setdefault(item.clause.doc.doc_id, []).append(item)

    def match(doc: Document) -> int:
        return int(bool(regions) and doc.region in regions) + int(bool(years) and doc.year in years)

    best_match = max((match(g[0].clause.doc) for g in by_doc.values()), default=0)
    groups = [
        Group(doc=g[0].clause.doc, items=tuple(g), primary=match(g[0].clause.doc) == best_match)
        for g in by_doc.values()
    ]
    groups.sort(key=lambda g: (not g.primary, -max(i.probability for i in g.items)))
    if regions or years:  # the named place comes first; others are only mentioned
        primary = [g for g in groups if g.primary]
        groups = primary + [g for g in groups if not g.primary][:config.max_other_documents]
    return groups


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


def _join_spans(spans: tuple[Span, ...]) -> str:
    """Verbatim spans in order; a gap between them is shown as "……"."""
    parts = [spans[0].text]
    for before, span in pairwise(spans):
        parts.append(span.text if span.start <= before.end + 1 else "……" + span.text)
    return "".join(parts)


def _units_text(item: Item) -> str:
    """"“加大外贸支持力度”（六、(二)3）(责任单位:…)": the measure and its units, verbatim."""
    clause = item.clause
    unit_spans = [s for s in item.spans if is_responsibility(s.text)]
    units = unit_spans[0].text if unit_spans else (
        f"责任单位：{'、'.join(clause.responsible_units)}" if clause.responsible_units else _join_spans(item.spans))
    label = measure_label(clause)
    name = f"“{clause.title}”" if clause.title else ""
    return f"{name}{'（' + label + '）' if label and name else label}{units}"


def _units_note(clause: Clause) -> str:
    notes = []
    if clause.lead_unit:
        notes.append(f"牵头单位：{clause.lead_unit}")
    if clause.lead_department:
        notes.append(f"所属领域由{clause.lead_department}牵头实施")
    return f"（{'；'.join(notes)}）" if notes else ""


def unstated_note(profile: QuestionProfile) -> str:
    """Says plainly which asked fact the quoted clause does not give (never a figure)."""
    what = missing_note(profile.kinds)
    if what == "专门解释":
        return "文件未对此作专门解释，以上为文件中的相关表述"
    return f"文件未写明{what}"


def unstated_flag(profile: QuestionProfile, group: Group) -> str:
    """"（文件未写明具体比例）" when none of the group's quotes carries the asked fact, nor any figure
    at all (a note beside a quoted "4个工作日" would contradict the quote)."""
    quoted = "".join(span.text for item in group.items for span in item.spans)
    if profile.kinds and all(not item.stated for item in group.items) and not re.search(r"\d", quoted):
        return f"（{unstated_note(profile)}）"
    return ""


def not_stated_sentence(profile: QuestionProfile) -> str:
    """The one plain sentence of a not-stated answer: the topic is there, the asked figure is not."""
    return f"现有政策文件提到了相关内容，但{unstated_note(profile)}，以下为相关条款原文，仅供参考。"


def compose_default(profile: QuestionProfile, groups: list[Group], today: date,
                    config: AnswerConfig) -> tuple[str, list[Citation]]:
    """One line per document: header, quoted sentences with [n], then its status flag."""
    citations: list[Citation] = []
    lines: list[str] = []
    for group in groups:
        bodies = []
        for item in group.items:
            citations.append(Citation(n=len(citations) + 1, clause=item.clause, quote=item.quote))
            if Kind.RESPONSIBLE in profile.kinds:
                body = f"{_units_text(item)}[{len(citations)}]{_units_note(item.clause)}"
            else:
                body = f"{_join_spans(item.spans)}[{len(citations)}]"
            bodies.append(body)
        prefix = "另：" if not group.primary and lines and groups[0].primary else ""
        lines.append(f"{prefix}{doc_header(group.doc)}：{'；'.join(bodies)}{unstated_flag(profile, group)}"
                     f"{status_note(group.doc, today)}")
    return "\n".join(lines), citations


def topic_words(profile: QuestionProfile, count: int) -> str:
    """The nouns of the asking clauses, rarest first, named back as the user wrote them: each as the
    whole word of the question it is part of ("小城" of "小城镇"), neighbours joined into one phrase
    ("高新技术" + "企业"), in the user's order: "产假", "国家高新技术企业、奖励"."""
    return "、".join(topic_phrases(profile, count))


def topic_phrases(profile: QuestionProfile, count: int) -> list[str]:
    """The phrases `topic_words` names, one by one."""
    from app.answer.corpus import is_noun

    words = [t for t in (*profile.focus_terms, *profile.focus_foreign) if not re.search(r"\d", t.word)]
    # a question form is no topic, nor a piece of one ("百分" of "百分之几")
    forms = [t.word for t in words if names_a_kind(t.word)]
    words = [t for t in words if not any(t.word in form for form in forms)] or words
    words = [t for t in words if is_noun(t.word)] or words
    chosen = sorted(words, key=lambda t: -t.rarity)[:count]
    return phrases_of(profile.question, [t.word for t in chosen])


def phrases_of(question: str, words: list[str]) -> list[str]:
    """The stretches of `question` that hold `words`, widened to whole words of jieba's cut and
    joined where they touch, in the question's order; then, as they are, words the question does
    not hold (an alias's policy wording)."""
    lowered = _lowered(question)
    bounds = _cut_bounds(question)
    spans, elsewhere = [], []
    for word in words:
        at = lowered.find(word.lower())
        if at < 0:
            elsewhere.append(word)
            continue
        end = at + len(word)
        # widen to the cut's words the term overlaps, but never over figures ("nan2023"): a
        # not-found answer names no number
        start = min([s for s, e in bounds if s < end and e > at] or [at])
        stop = max([e for s, e in bounds if s < end and e > at] or [end])
        spans.append((start, stop) if not re.search(r"\d", question[start:stop]) else (at, end))
    merged: list[list[int]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    return [question[start:stop] for start, stop in merged] + elsewhere


def _lowered(text: str) -> str:
    """`text` lower-cased as jieba's cut is ("aed" of "AED"), where that keeps every offset."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


def _cut_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) in `text` of each word of jieba's plain cut, in order."""
    from index.tokenize import segment

    lowered = _lowered(text)
    bounds, position = [], 0
    for token in segment(text):
        start = lowered.find(token, position)
        if start >= 0:
            bounds.append((start, start + len(token)))
            position = start + len(token)
    return bounds


def _years_text(years: list[int]) -> str:
    return "、".join(f"{chinese_year(y)}年" for y in years)


def searched_note(documents: list[Document]) -> str:
    """"已检索瑞安市、温州市、乐清市的政策文件，二〇二三至二〇二五年"."""
    searched = "、".join(dict.fromkeys(d.region or d.title for d in documents)) or "已收录"
    years = sorted({d.year for d in documents if d.year})
    span = f"，{chinese_year(years[0])}至{chinese_year(years[-1])}年" if len(years) > 1 else ""
    return f"已检索{searched}的政策文件{span}"


def compose_unknown_place(places: tuple[str, ...], documents: list[Document]) -> str:
    """The question is about a place no indexed document covers: say which places are covered."""
    covered = "、".join(dict.fromkeys(d.region for d in documents if d.region)) or "已收录地区"
    return (f"现有政策文件只收录了{covered}的政策，没有{'、'.join(places)}的政策文件，无法回答。"
            "请咨询当地政府或相关主管部门。")


def compose_missing_scope(regions: tuple[str, ...], years: tuple[int, ...], documents: list[Document]) -> str:
    """The named region/year has no document: say what exists for it."""
    named = "".join(regions) + _years_text(list(years))
    pool = [d for d in documents if not regions or d.region in regions]
    have = sorted({d.year for d in pool if d.year})
    where = "、".join(regions) or "已收录地区"
    regions_known = "、".join(dict.fromkeys(d.region for d in documents if d.region))
    exists = f"{where}现有{_years_text(have)}的文件" if have else f"现有文件覆盖{regions_known or '的地区未注明'}"
    return f"现有政策文件中没有{named}的政策文件（{exists}），无法回答。"


def mentioned_and_absent(phrases: list[str], mentioned: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """(what the documents mention, what they do not) of the phrases a not-found answer names: a
    phrase they hold is mentioned; one they do not hold but whose words they do ("国外参展" with
    "参展") is split into those words and the stretches between them that name something (a word of
    two characters or more), so no word the documents hold is called absent."""
    present: list[str] = []
    absent: list[str] = []
    for phrase in phrases:
        if mentioned(normalise(phrase)):
            present.append(phrase)
            continue
        words = [phrase[start:end] for start, end in _cut_bounds(phrase)] or [phrase]
        held = [len(w) >= 2 and mentioned(normalise(w)) for w in words]
        if not any(held):
            absent.append(phrase)
            continue
        for is_held, group in groupby(zip(words, held, strict=True), key=lambda pair: pair[1]):
            stretch = [word for word, _ in group]
            if is_held:
                present += stretch
            elif any(len(w) >= 2 for w in stretch):
                absent.append("".join(stretch))
    return list(dict.fromkeys(present)), list(dict.fromkeys(absent))


def compose_not_found(profile: QuestionProfile, documents: list[Document], config: AnswerConfig,
                      scope: str = "", elsewhere: str = "", topic: str = "",
                      mentioned: Callable[[str], bool] | None = None) -> str:
    """A plain "not found" naming what was asked for (`topic`, else the question's words) and what was
    searched. A phrase the documents do contain (`mentioned`) is never said to be absent: the
    answer says they mention it but nothing found answers the question."""
    phrases = [] if profile.quantities_only else [topic] if topic else topic_phrases(profile, config.not_found_topic_words)
    present, absent = mentioned_and_absent(phrases, mentioned) if mentioned is not None else ([], phrases)
    if present and not scope:
        also = f"，也没有关于“{'、'.join(absent)}”的内容" if absent else ""
        return (f"现有政策文件提到了“{'、'.join(present)}”，但没有找到能回答这个问题的规定{also}"
                f"（{searched_note(documents)}）。建议换一种说法再问，或咨询相关主管部门。")
    topic = "、".join(phrases)
    if not topic:
        return ("未能从问题中识别出具体的政策事项。请用中文写明想了解的政策内容，"
                "例如“外贸企业出口信用保险补助比例是多少”。")
    if scope:
        scope_words = YEAR.sub(lambda m: chinese_year(int(m.group(1))) + "年" if m.group(2) else m.group(0), scope)
        hint = f"{elsewhere}的文件中有相关条款，可去掉地区或年份限定后再问。" if elsewhere else ""
        return f"现有{scope_words}的政策文件中未找到关于“{topic}”的相关规定。{hint}"
    return (f"现有政策文件中未找到关于“{topic}”的相关规定（{searched_note(documents)}）。"
            "建议换一种说法再问，或咨询相关主管部门。")
