"""What a question says about where and when: the one home of region and year detection.

A question's scope is detected once (`detect_scope`) and handed to both the search, which prefers
documents of the region and the indexed years it names, and the answer layer, which notices a
place or year it has no document for. The chat reads the same year pattern to rewrite a follow-up
("那2024年呢？").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.filters import region_stem
from policyqa.model import Document

# A year as questions and documents write it: "2024", "2024年", "2024 年" (not part of a longer number).
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(\s*年)?")


def years_written(text: str, *, with_nian: bool = False) -> tuple[int, ...]:
    """The years `text` names, in order, once each; with `with_nian` only those written with 年."""
    return tuple(dict.fromkeys(int(m.group(1)) for m in YEAR.finditer(text) if m.group(2) or not with_nian))


def year_positions(text: str) -> set[int]:
    """Where in `text` a year written with 年 starts."""
    return {m.start() for m in YEAR.finditer(text) if m.group(2)}


def blank_years(text: str) -> str:
    """`text` with each year written with 年 replaced by a space (a year is scope, not topic)."""
    return YEAR.sub(lambda m: " " if m.group(2) else m.group(0), text)


def is_year(word: str) -> bool:
    """Whether `word` is a year and nothing else ("2024", "2024年")."""
    return YEAR.fullmatch(word) is not None


@dataclass(frozen=True)
class Scope:
    """Regions (as the documents write them) and years a question names.

    `named_years` are the years written with 年 ("2022年"), whether or not a document is of them:
    the answer layer says so when none is. `indexed_years` are the years named in any form that some
    document is of: the ones a search can prefer."""

    regions: tuple[str, ...] = ()
    named_years: tuple[int, ...] = ()
    indexed_years: tuple[int, ...] = ()
    # (region, year) when each named region is written beside its own year ("乐清2023年、温州2024年"):
    # those combinations are asked, not every named region in every named year; () otherwise
    pairs: tuple[tuple[str, int], ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.regions or self.named_years or self.indexed_years)

    def match_fraction(self, doc: Document) -> float:
        """Share of the dimensions a search can prefer (region, indexed year) that `doc` matches: 0, 0.5 or 1."""
        named = [bool(self.regions), bool(self.indexed_years)]
        year_matched = doc.year in self.indexed_years and (not self.pairs or (doc.region, doc.year) in self.pairs)
        matched = [doc.region in self.regions, year_matched]
        total = sum(named)
        return 0.0 if total == 0 else sum(m for m, n in zip(matched, named, strict=True) if n) / total


def detect_scope(question: str, documents: list[Document]) -> Scope:
    """Regions of the corpus and years that the question names (“温州”, “2024年”, “乐清市的”)."""
    known_regions = sorted({d.region for d in documents if d.region}, key=len, reverse=True)
    regions = [r for r in known_regions if r in question or region_stem(r) in question]
    known_years = {d.year for d in documents if d.year}
    named_years = years_written(question, with_nian=True)
    return Scope(regions=tuple(regions), named_years=named_years,
                 indexed_years=tuple(sorted(set(years_written(question)) & known_years)),
                 pairs=region_year_pairs(question, regions, named_years))


def region_year_pairs(question: str, regions: list[str], named_years: tuple[int, ...]) -> tuple[tuple[str, int], ...]:
    """(region, year) for each region written right beside a year ("乐清2023年", "2024年温州"), when
    every named region and year is in such a pair and they are not every region in every year; else ()."""
    starts = {m.start(): int(m.group(1)) for m in YEAR.finditer(question) if m.group(2)}
    ends = {m.end(): int(m.group(1)) for m in YEAR.finditer(question) if m.group(2)}
    pairs: dict[tuple[str, int], None] = {}
    for region in regions:
        for name in dict.fromkeys((region, region_stem(region))):
            for mention in re.finditer(re.escape(name), question):
                # the year after a region before the one in front of it ("温州2024年瑞安2025年")
                year = starts.get(mention.end(), ends.get(mention.start()))
                if year is not None:
                    pairs[(region, year)] = None
    paired_regions, paired_years = {r for r, _ in pairs}, {y for _, y in pairs}
    every = paired_regions == set(regions) and paired_years == set(named_years)
    return tuple(pairs) if every and len(pairs) < len(regions) * len(named_years) else ()
