"""What a question says about where and when: the one home of region and year detection.

Search uses the scope as a preference, the answer layer to notice a place or year it has no
document for, the chat to rewrite a follow-up ("那2024年呢？").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.filters import region_stem
from policyqa.model import Document

# A year as questions and documents write it: "2024", "2024年", "2024 年" (not part of a longer number).
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(\s*年)?")


def named_years(text: str, *, with_nian: bool = False) -> tuple[int, ...]:
    """The years `text` names, in order, once each; with `with_nian` only those written with 年."""
    return tuple(dict.fromkeys(int(m.group(1)) for m in YEAR.finditer(text) if m.group(2) or not with_nian))


@dataclass(frozen=True)
class Scope:
    """Regions (as the documents write them) and years named in a question."""

    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.regions or self.years)

    def match_fraction(self, doc: Document) -> float:
        """Share of the named dimensions (region, year) that `doc` matches: 0, 0.5 or 1."""
        named = [bool(self.regions), bool(self.years)]
        matched = [doc.region in self.regions, doc.year in self.years]
        total = sum(named)
        return 0.0 if total == 0 else sum(m for m, n in zip(matched, named, strict=True) if n) / total


def detect_scope(question: str, documents: list[Document]) -> Scope:
    """Regions and years of the corpus that the question names (“温州”, “2024年”, “乐清市的”)."""
    known_regions = sorted({d.region for d in documents if d.region}, key=len, reverse=True)
    regions = [r for r in known_regions if r in question or region_stem(r) in question]
    known_years = {d.year for d in documents if d.year}
    years = sorted(set(named_years(question)) & known_years)
    return Scope(regions=tuple(regions), years=tuple(years))
