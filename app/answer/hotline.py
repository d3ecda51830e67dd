"""The hotline answer: short enough to read out on the 12345 line, ending with "依据：" and 文号.

One part per document: its best fragments, the responsible units said as "由…牵头，…配合", a
definition cut at a list boundary. Every document the question is about (of the named scope; all,
when none is named) is read, and each part of a multi-part question with the fragment that states
it, even past `AnswerConfig.hotline_max_chars`: leaving one out would answer for one region or one
part as if it were all (the web answer gives each too). That length bounds the rest: further
fragments, and other documents, read by their best fragment when it fits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.answer.analysis import QuestionProfile
from app.answer.compose import Group, unstated_flag
from app.answer.config import AnswerConfig
from app.answer.kinds import spoken_body
from app.answer.names import document_notes, period_note, region_year, sources_tail, status_note
from app.answer.select import Item, best_stating
from app.answer.validity import ValidityStatement
from app.text.spans import Span, normalise
from policyqa.model import Citation, Document


@dataclass
class _Part:
    """One document's read-aloud part while the answer is being fitted into the time a call allows."""

    group: Group
    head: str  # "另，瑞安市2023年："
    flag: str  # "（已到期）"
    items: tuple[Item, ...]  # the group's clauses, those stating the asked fact first
    spoken: str | None = None  # the first clause worded for reading out (kinds.spoken_body), or None: fragments
    chosen: list[list[Span]] = field(default_factory=list)  # per item, the fragments read

    def read(self) -> list[Item]:
        """The clauses this part reads from, each one citation."""
        if self.spoken is not None:
            return [self.items[0]]
        return [item for item, fragments in zip(self.items, self.chosen, strict=True) if fragments]

    def text(self, first: int, profile: QuestionProfile) -> str:
        """The part as read out, its citation markers numbered from `first`."""
        if self.spoken is not None:
            pieces = [f"{period_note(self.items[0].clause)}{self.spoken}[{first}]"]
        else:
            pieces, note = [], ""
            for item, fragments in zip(self.items, self.chosen, strict=True):
                if not fragments:
                    continue
                # a clause under another year's heading than the one before says so ("（二〇二二年…回顾）")
                this = period_note(item.clause)
                said, note = ("" if this == note else this), this
                body = "，".join(f.text.rstrip("，,。；;") for f in sorted(fragments, key=lambda f: f.start))
                pieces.append(f"{said}{body}[{first + len(pieces)}]")
        return f"{self.head}{'，'.join(pieces)}{unstated_flag(profile, self.group)}{self.flag}"

    def add(self, item: int, fragment: Span) -> None:
        if fragment not in self.chosen[item]:
            self.chosen[item].append(fragment)


def _spoken(parts: list[_Part], profile: QuestionProfile) -> str:
    """The parts read one after the other, citation markers numbered across them."""
    texts, n = [], 1
    for part in parts:
        texts.append(part.text(n, profile))
        n += len(part.read())
    return "；".join(texts)


def _new_part(group: Group, parts: list[_Part], profile: QuestionProfile, today: date,
              config: AnswerConfig) -> _Part:
    """`group`'s part with what it must read: its best fragment (or its clause worded for reading out,
    when that fits), and for a multi-part question each part's stating fragment of its clauses."""
    items = tuple(sorted(group.items, key=lambda i: not i.stated))  # stable: answer order kept within
    head = f"{'另，' if not group.primary and parts else ''}{region_year(group.doc)}："
    part = _Part(group, head, status_note(group.doc, today, short=True), items, chosen=[[] for _ in items])
    room = config.hotline_max_chars - len(_spoken(parts, profile)) - len(head) - len(part.flag)
    part.spoken = spoken_body(profile.kinds, items[0].clause, room)
    if part.spoken is not None and (not parts or len(_spoken([*parts, part], profile)) <= config.hotline_max_chars):
        return part
    part.spoken = None
    part.add(0, items[0].fragments[0])
    if len(profile.parts) > 1:
        pieces = [(i, fragment) for i, item in enumerate(items) for fragment in item.fragments]
        for asked in profile.parts:
            best = best_stating(asked, [normalise(fragment.text) for _, fragment in pieces])
            if best is not None:
                part.add(*pieces[best])
    return part


def _widen(parts: list[_Part], profile: QuestionProfile, config: AnswerConfig) -> None:
    """The room the parts leave goes to their further fragments, part by part, clause by clause."""
    for part in parts:
        if part.spoken is not None:
            continue
        for i, item in enumerate(part.items):
            for fragment in item.fragments:
                if fragment in part.chosen[i]:
                    continue
                part.chosen[i].append(fragment)
                if len(_spoken(parts, profile)) > config.hotline_max_chars:
                    part.chosen[i].pop()


def compose_hotline(profile: QuestionProfile, groups: list[Group], today: date,
                    config: AnswerConfig) -> tuple[str, list[Citation]]:
    """Short enough to read aloud: key fragments, then "依据：" document and measure numbers.

    Each document of the named scope (all, when none is named) is read by its best fragment first,
    and the room left then goes to their further fragments: else one document's second figure can
    take the room another's answer needed ("…指标2000亩，…100亩，…林地…285亩" leaving no room for
    温州's 4000亩). Other documents are read by their best fragment (not a lesser one that fits:
    that is mostly another figure than the one asked) in what room is left after those."""
    parts: list[_Part] = []
    # a document whose quote states the asked fact goes before one whose does not: else a figureless
    # line comes first and the answer read out opens with nothing of what was asked
    ordered = sorted(groups, key=lambda g: (not g.primary, not any(i.stated for i in g.items)))
    for group in (g for g in ordered if g.primary):
        parts.append(_new_part(group, parts, profile, today, config))
    _widen(parts, profile, config)
    for group in (g for g in ordered if not g.primary):
        part = _new_part(group, parts, profile, today, config)
        if not parts or len(_spoken([*parts, part], profile)) <= config.hotline_max_chars:
            parts.append(part)
    _widen(parts, profile, config)
    read = [item for part in parts for item in part.read()]
    citations = [Citation(n=n, clause=item.clause, quote=item.quote) for n, item in enumerate(read, 1)]
    return _spoken(parts, profile) + "。" + sources_tail([item.clause for item in read]), citations


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
