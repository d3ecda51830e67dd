"""Checking a generated answer piece by piece: valid [n] markers, numbers found in cited clauses.

A *unit* is the text up to and including a run of citation markers (and the punctuation after
it), or the tail of the answer. Units are checked as they complete, so a stream shows only text
that has passed. Pure functions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.text import numbers
from policyqa.model import Clause

# Markers as models write them: [1], 【1】, ［1］, [1,2], [1][2].
_MARKER_RUN = re.compile(r"(?:\s*[\[【［]\s*\d{1,3}(?:\s*[,，、]\s*\d{1,3})*\s*[\]】］])+")
_MARKER_NUMBERS = re.compile(r"\d{1,3}")
_TRAILING = re.compile(r"^[。；;，,！!？?）)]*")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?\n]*")


@dataclass(frozen=True)
class UnitCheck:
    """One checked unit: the text kept (markers as [n] of the supplied clauses) and what was cut."""

    text: str
    cited: tuple[int, ...]
    removed_markers: tuple[int, ...] = ()
    dropped: tuple[str, ...] = ()  # sentences removed for unsupported numbers
    unsupported: tuple[str, ...] = ()


def take_units(buffer: str, final: bool) -> tuple[list[str], str]:
    """Complete units at the start of `buffer`, and the rest (all of it is a unit when final)."""
    units: list[str] = []
    start = 0
    for match in _MARKER_RUN.finditer(buffer):
        end = match.end()
        if end == len(buffer) and not final:
            break  # the run may go on ("[1]" then "[2]")
        tail = _TRAILING.match(buffer[end:])
        end += tail.end() if tail else 0
        if end == len(buffer) and not final:
            break
        units.append(buffer[start:end])
        start = end
    rest = buffer[start:]
    if final and rest.strip():
        units.append(rest)
        rest = ""
    return units, rest


def clause_sources(clause: Clause) -> list[str]:
    """Texts a number may come from: the clause, and its document's year, 文号, validity and position."""
    doc = clause.doc
    return [clause.text, clause.locator, clause.number, doc.doc_number, str(doc.year or ""),
            doc.valid_until, doc.date, doc.validity]


def check_unit(unit: str, supplied: dict[int, Clause], cited_before: set[int]) -> UnitCheck:
    """Keep valid markers, drop sentences whose numbers no cited clause states."""
    markers = [int(n) for run in _MARKER_RUN.findall(unit) for n in _MARKER_NUMBERS.findall(run)]
    valid = tuple(dict.fromkeys(n for n in markers if n in supplied))
    removed = tuple(dict.fromkeys(n for n in markers if n not in supplied))
    body = _MARKER_RUN.sub("\x00", unit)  # a placeholder where the markers stood
    cited = valid or tuple(sorted(cited_before))
    sources = [text for n in cited for text in clause_sources(supplied[n])]
    kept: list[str] = []
    dropped: list[str] = []
    unsupported: list[str] = []
    for sentence in _SENTENCE.findall(body) or [body]:
        bad = numbers.unsupported(sentence.replace("\x00", " "), sources)
        if bad:
            dropped.append(sentence.replace("\x00", "").strip())
            unsupported.extend(bad)
        else:
            kept.append(sentence)
    marker_text = "".join(f"[{n}]" for n in valid)
    text = "".join(kept)
    if "\x00" in text:
        text = text.replace("\x00", marker_text, 1).replace("\x00", "")
    elif valid and text.strip():
        text = _attach(text, marker_text)
    return UnitCheck(text=text, cited=valid if text.strip() else (), removed_markers=removed,
                     dropped=tuple(dropped), unsupported=tuple(unsupported))


def _attach(text: str, markers: str) -> str:
    """Markers put before the final punctuation of `text`."""
    stripped = text.rstrip()
    core = stripped.rstrip("。；;，,！!？?")
    return core + markers + stripped[len(core):] + text[len(stripped):]


@dataclass
class Renumbering:
    """Supplied clause numbers mapped to citation numbers in order of first use."""

    mapping: dict[int, int] = field(default_factory=dict)

    def apply(self, text: str) -> str:
        """`text` with every [n] of a supplied clause renumbered."""
        def renumber(match: re.Match[str]) -> str:
            n = int(match.group(1))
            if n not in self.mapping:
                self.mapping[n] = len(self.mapping) + 1
            return f"[{self.mapping[n]}]"

        return re.sub(r"\[(\d{1,3})\]", renumber, text)
