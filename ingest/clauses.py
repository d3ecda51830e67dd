"""Paragraphs -> Clause records: text, heading path, number, lead phrase, units, locator and stable id."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from ingest.markers import find_marker
from ingest.repair import repair_text
from ingest.responsibility import LEAD_NOTE, lead_department_of, responsible_units
from ingest.structure import Paragraph
from policyqa.model import Clause, Document

_SENTENCE_END = re.compile(r"[。；！？]")
_GLOSSARY_TERM = re.compile(r"^(.+?)(?:[（(]P\d+[)）])?[：:]")
MAX_TITLE = 50
MAX_PROSE_TITLE = 30


@dataclass(frozen=True)
class _Draft:
    """A clause before its locator is made unique."""

    paragraph: Paragraph
    text: str
    kind: str
    path: tuple[str, ...]
    tokens: tuple[str, ...]  # locator tokens of the headings above
    own_token: str


def heading_label(paragraph: Paragraph) -> str:
    """How a heading shows in a path: its marker and first sentence, without `（由…牵头实施）`."""
    if paragraph.inferred or (paragraph.glossary and paragraph.marker is None and not paragraph.ancestors):
        return paragraph.text
    text = LEAD_NOTE.sub("", repair_text(paragraph.text))
    first = _SENTENCE_END.split(text, maxsplit=1)[0].strip()
    return first[:60]


def lead_phrase(text: str, marker_length: int) -> str:
    """The measure's lead phrase: its first sentence after the marker, or its first clause if long."""
    rest = text[marker_length:].lstrip()
    first = _SENTENCE_END.split(rest, maxsplit=1)[0].strip()
    if len(first) > MAX_TITLE:
        first = re.split(r"[，,：:]", first, maxsplit=1)[0]
    return first[:MAX_TITLE]


def lead_department(paragraphs: list[Paragraph]) -> str:
    """`市商务局` from the nearest heading that says `（由市商务局牵头实施）`."""
    for paragraph in reversed(paragraphs):
        if lead := lead_department_of(paragraph.text):
            return repair_text(lead).strip()
    return ""


def _prose_title(text: str, ancestors: list[Paragraph], fallback: str, report: bool) -> str:
    """A report paragraph's lead sentence; for other prose the heading it stands under."""
    first = _SENTENCE_END.split(text, maxsplit=1)[0].strip()
    if first and len(first) <= MAX_PROSE_TITLE and (report or not ancestors):
        return first
    for ancestor in reversed(ancestors):
        if ancestor.marker is not None and not ancestor.inferred:
            return LEAD_NOTE.sub("", lead_phrase(repair_text(ancestor.text), _marker_length(ancestor)))
    return fallback


def _marker_length(paragraph: Paragraph) -> int:
    """Length of the marker in the repaired text (repair may drop spaces inside it)."""
    marker = find_marker(repair_text(paragraph.text))
    return marker.length if marker else 0


def _drafts(paragraphs: list[Paragraph], report: bool) -> list[_Draft]:
    drafts = []
    for paragraph in paragraphs:
        if paragraph.marker is not None and paragraph.heading_only and paragraph.children:
            continue  # a pure heading: it lives on in its children's paths
        text = repair_text(paragraph.text)
        if paragraph.glossary:
            kind = "glossary"
        elif report:
            kind = "paragraph"
        else:
            kind = "measure" if paragraph.marker is not None else "prose"
        ancestors = paragraph.ancestors
        drafts.append(_Draft(
            paragraph=paragraph,
            text=text,
            kind=kind,
            path=tuple(heading_label(a) for a in ancestors),
            tokens=tuple(a.marker.locator for a in ancestors if a.marker is not None),
            own_token=paragraph.marker.locator if paragraph.marker is not None else "",
        ))
    return drafts


def _locators(drafts: list[_Draft]) -> list[str]:
    """Compact positions: the measure's own number when unique in the document, else with its headings."""
    own_counts = Counter((d.paragraph.marker.style, d.own_token) for d in drafts if d.paragraph.marker)
    seen_heading = False
    groups = []  # prose is numbered within its headings; text before the first heading is the preamble
    for draft in drafts:
        seen_heading = seen_heading or bool(draft.own_token)
        groups.append((draft.tokens, seen_heading))
    prose_groups = Counter(g for d, g in zip(drafts, groups, strict=True) if not d.own_token and d.kind != "glossary")
    numbered_paths = {"".join(d.tokens + (d.own_token,)) for d in drafts if d.own_token}
    seen_prose: dict[tuple[tuple[str, ...], bool], int] = defaultdict(int)
    glossary_n = 0
    seen_heading = False
    locators = []
    for draft, group in zip(drafts, groups, strict=True):
        if draft.kind == "glossary":
            glossary_n += 1
            locators.append(f"名词解释{glossary_n}")
            continue
        if draft.own_token:
            seen_heading = True
            unique = own_counts[(draft.paragraph.marker.style, draft.own_token)] == 1  # type: ignore[union-attr]
            parent = next((a for a in reversed(draft.paragraph.ancestors) if a.marker), None)
            under_section = parent is not None and parent.heading_only
            compact = unique and under_section  # `44`, `(二十六)`: numbered across the document
            locators.append(draft.own_token if compact else "".join(draft.tokens + (draft.own_token,)))
            continue
        seen_prose[group] += 1
        base = "".join(draft.tokens) or ("结语" if seen_heading else "前言")
        if prose_groups[group] > 1 or base in numbered_paths:
            base += f"第{seen_prose[group]}段"
        locators.append(base)
    return _unique(locators)


def _unique(locators: list[str]) -> list[str]:
    counts: dict[str, int] = defaultdict(int)
    result = []
    for locator in locators:
        counts[locator] += 1
        result.append(locator if counts[locator] == 1 else f"{locator}#{counts[locator]}")
    return result


def build_clauses(doc: Document, paragraphs: list[Paragraph], report: bool) -> list[Clause]:
    """One Clause per measure or prose paragraph, in document order."""
    drafts = _drafts(paragraphs, report)
    clauses = []
    for ordinal, (draft, locator) in enumerate(zip(drafts, _locators(drafts), strict=True)):
        paragraph = draft.paragraph
        units, lead_unit = responsible_units(draft.text)
        if draft.kind == "glossary":
            match = _GLOSSARY_TERM.match(draft.text)
            title = match.group(1) if match else draft.text[:MAX_TITLE]
        elif paragraph.marker is not None:
            title = lead_phrase(draft.text, _marker_length(paragraph))
        else:
            title = _prose_title(draft.text, paragraph.ancestors, "结语" if locator.startswith("结语") else "前言",
                                 report)
        clauses.append(Clause(
            clause_id=f"{doc.doc_id}:{locator}",
            doc=doc,
            path=draft.path,
            number=paragraph.marker.number if paragraph.marker is not None else "",
            title=title,
            text=draft.text,
            locator=locator,
            responsible_units=units,
            lead_unit=lead_unit,
            lead_department=lead_department(paragraph.ancestors + [paragraph]),
            kind=draft.kind,
            ordinal=ordinal,
        ))
    return clauses
