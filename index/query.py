"""What a question says about where and when: region and year words, used as a preference."""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.filters import region_stem
from policyqa.model import Document

_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


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
    years = sorted({int(y) for y in _YEAR.findall(question)} & known_years)
    return Scope(regions=tuple(regions), years=tuple(years))
