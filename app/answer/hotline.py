"""The hotline answer: short enough to read out on the 12345 line, ending with "依据：" and 文号.

One part per document (its best fragments within `AnswerConfig.hotline_max_chars`), the
responsible units said as "由…牵头，…配合", a definition cut at a list boundary.
"""
from __future__ import annotations

from datetime import date

from app.answer.analysis import QuestionProfile
from app.answer.compose import Group, unstated_flag
from app.answer.config import AnswerConfig
from app.answer.kinds import spoken_body
from app.answer.names import document_notes, region_year, sources_tail, status_note
from app.answer.select import Item
from app.answer.validity import ValidityStatement
from app.text.spans import Span
from policyqa.model import Citation, Clause, Document

_MARKS = 4  # characters a part spends besides its fragments: its "[n]" marker and closing mark


def _hotline_part(item: Item, head: str, flag: str, budget: int) -> str:
    """One document's read-aloud part: its best fragments that fit `budget`, in text order."""
    chosen: list[Span] = []
    room = budget - len(head) - len(flag) - _MARKS
    for fragment in item.fragments:
        if sum(len(f.text) for f in chosen) + len(fragment.text) <= room:
            chosen.append(fragment)
    if not chosen:
        return ""
    chosen.sort(key=lambda f: f.start)
    return head + "，".join(f.text.rstrip("，,。；;") for f in chosen)


def compose_hotline(profile: QuestionProfile, groups: list[Group], today: date,
                    config: AnswerConfig) -> tuple[str, list[Citation]]:
    """Short enough to read aloud: key fragments, then "依据：" document and measure numbers."""
    citations: list[Citation] = []
    parts: list[str] = []
    sources: list[Clause] = []
    used = 0
    # read in the time a call allows, a document whose quote states the asked fact goes before one
    # whose does not (within the named scope's documents, then the others): else a figureless line
    # can take the room and the answer read out says nothing of what was asked
    for group in sorted(groups, key=lambda g: (not g.primary, not any(i.stated for i in g.items))):
        item, doc = group.items[0], group.doc
        head = f"{'另，' if not group.primary and parts else ''}{region_year(doc)}："
        flag = status_note(doc, today, short=True)
        budget = config.hotline_max_chars - used
        spoken = spoken_body(profile.kinds, item.clause, budget - len(head) - len(flag))
        body = head + spoken if spoken is not None else _hotline_part(item, head, flag, budget)
        if not body or (parts and len(body) + len(flag) > budget):
            if parts:
                continue  # no room for this document; a later, shorter one may fit
            body = head + item.fragments[0].text.rstrip("，,。；;")
        citations.append(Citation(n=len(citations) + 1, clause=item.clause, quote=item.quote))
        part = f"{body}[{len(citations)}]{unstated_flag(profile, group)}{flag}"
        parts.append(part)
        used += len(part)
        sources.append(item.clause)
    return "；".join(parts) + "。" + sources_tail(sources), citations


class HotlineStyle:
    """For reading out on the 12345 line: one short part per document, named by region and year,
    then "依据：" and each cited measure."""

    def answer(self, profile: QuestionProfile, groups: list[Group], today: date,
               config: AnswerConfig) -> tuple[str, list[Citation]]:
        return compose_hotline(profile, groups, today, config)

    def validity(self, statements: list[ValidityStatement]) -> str:
        return ("".join(s.line(region_year(s.doc)) for s in statements)
                + sources_tail([s.citation.clause for s in statements]))

    def notes(self, docs: list[Document], today: date) -> str:
        return document_notes(docs, today, short=True)
