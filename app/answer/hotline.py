"""The hotline answer: short enough to read out on the 12345 line, ending with "依据：" and 文号.

One part per document (its best fragments within `AnswerConfig.hotline_max_chars`), the
responsible units said as "由…牵头，…配合", a definition cut at a list boundary.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.answer.analysis import QuestionProfile
from app.answer.compose import Group, unstated_flag
from app.answer.config import AnswerConfig
from app.answer.kinds import spoken_body
from app.answer.names import document_notes, period_note, region_year, sources_tail, status_note
from app.answer.select import Item
from app.answer.validity import ValidityStatement
from app.text.spans import Span
from policyqa.model import Citation, Document

_MARKS = 4  # characters a part spends besides its fragments: its "[n]" marker and closing mark


@dataclass
class _Part:
    """One document's read-aloud part while the answer is being fitted into the time a call allows."""

    group: Group
    head: str  # "另，瑞安市2023年："
    flag: str  # "（已到期）"
    spoken: str | None  # the clause worded for reading out (kinds.spoken_body), or None: its fragments
    chosen: list[Span] = field(default_factory=list)

    @property
    def item(self) -> Item:
        return self.group.items[0]

    def body(self) -> str:
        if self.spoken is not None:
            return self.head + self.spoken
        return self.head + "，".join(f.text.rstrip("，,。；;") for f in sorted(self.chosen, key=lambda f: f.start))

    def text(self, n: int, profile: QuestionProfile) -> str:
        return f"{self.body()}[{n}]{unstated_flag(profile, self.group)}{self.flag}"

    def room(self, budget: int) -> int:
        """Characters of `budget` left for further fragments of this part."""
        return budget - len(self.head) - len(self.flag) - _MARKS - sum(len(f.text) for f in self.chosen)


def _fitting(fragments: tuple[Span, ...], chosen: list[Span], room: int) -> list[Span]:
    """Of `fragments`, best first, those not yet chosen that fit `room` together."""
    added: list[Span] = []
    for fragment in fragments:
        if fragment not in chosen and sum(len(f.text) for f in added) + len(fragment.text) <= room:
            added.append(fragment)
    return added


def _fill(parts: list[_Part], group: Group, profile: QuestionProfile, today: date, config: AnswerConfig) -> None:
    """Add `group`'s part to `parts` with its best fragment, when it fits in what the parts so far leave
    (not a lesser fragment that fits: that is mostly another figure of the clause than the one asked)."""
    head = f"{'另，' if not group.primary and parts else ''}{region_year(group.doc)}：{period_note(group.items[0].clause)}"
    part = _Part(group, head, status_note(group.doc, today, short=True), None)
    budget = config.hotline_max_chars - sum(len(p.text(n, profile)) for n, p in enumerate(parts, 1))
    part.spoken = spoken_body(profile.kinds, part.item.clause, budget - len(part.head) - len(part.flag))
    if part.spoken is not None:
        fits = not parts or len(part.body()) + len(part.flag) <= budget
    else:
        part.chosen = _fitting(part.item.fragments[:1], [], part.room(budget))
        fits = bool(part.chosen)
    if not fits:
        if parts:
            return  # no room for this document; a later, shorter one may fit
        part.spoken, part.chosen = None, [part.item.fragments[0]]  # the first is read whatever its length
    parts.append(part)


def _widen(parts: list[_Part], profile: QuestionProfile, config: AnswerConfig) -> None:
    """The room the parts leave goes to their further fragments, part by part."""
    for part in parts:
        if part.spoken is None:
            others = sum(len(p.text(n, profile)) for n, p in enumerate(parts, 1) if p is not part)
            part.chosen += _fitting(part.item.fragments, part.chosen, part.room(config.hotline_max_chars - others))


def compose_hotline(profile: QuestionProfile, groups: list[Group], today: date,
                    config: AnswerConfig) -> tuple[str, list[Citation]]:
    """Short enough to read aloud: key fragments, then "依据：" document and measure numbers.

    Each document of the named scope (all, when none is named) gets its best fragment first, and
    the room left then goes to their further fragments: else one document's second figure can
    take the room another's answer needed ("…指标2000亩，…100亩，…林地…285亩" leaving no room for
    温州's 4000亩). Other documents are read the same way in what room is left after those."""
    parts: list[_Part] = []
    # read in the time a call allows, a document whose quote states the asked fact goes before one
    # whose does not (within the named scope's documents, then the others): else a figureless line
    # can take the room and the answer read out says nothing of what was asked
    ordered = sorted(groups, key=lambda g: (not g.primary, not any(i.stated for i in g.items)))
    for primary in (True, False):
        for group in ordered:
            if group.primary == primary:
                _fill(parts, group, profile, today, config)
        _widen(parts, profile, config)
    citations = [Citation(n=n, clause=p.item.clause, quote=p.item.quote) for n, p in enumerate(parts, 1)]
    return ("；".join(p.text(n, profile) for n, p in enumerate(parts, 1)) + "。"
            + sources_tail([p.item.clause for p in parts]), citations)


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
