"""The default answer: quoted sentences grouped by document, with [n] markers and flags (and the
grouping and "not stated" notes both styles use)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.answer.analysis import QuestionProfile
from app.answer.config import AnswerConfig
from app.answer.kind_wording import join_spans
from app.answer.kinds import missing_note, written_body
from app.answer.names import doc_header, document_notes, period_note, status_note
from app.answer.select import Item
from app.answer.validity import ValidityStatement
from policyqa.model import Citation, Document


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
        return int(bool(regions) and doc.region in regions) + int(bool(years) and doc.year in profile.years_of(doc.region))

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
            marker = f"[{len(citations)}]"
            written = written_body(profile.kinds, item.clause, item.spans, marker)
            bodies.append(period_note(item.clause)
                          + (written if written is not None else join_spans(item.spans) + marker))
        prefix = "另：" if not group.primary and lines and groups[0].primary else ""
        lines.append(f"{prefix}{doc_header(group.doc)}：{'；'.join(bodies)}{unstated_flag(profile, group)}"
                     f"{status_note(group.doc, today)}")
    return "\n".join(lines), citations


class DefaultStyle:
    """For reading: one line per document, headed by its region, year and 文号, flags after."""

    def answer(self, profile: QuestionProfile, groups: list[Group], today: date,
               config: AnswerConfig) -> tuple[str, list[Citation]]:
        return compose_default(profile, groups, today, config)

    def validity(self, statements: list[ValidityStatement]) -> str:
        return "\n".join(s.line(doc_header(s.doc)) for s in statements)

    def notes(self, docs: list[Document], today: date) -> str:
        flags = document_notes(docs, today)
        return "\n" + flags if flags else ""
