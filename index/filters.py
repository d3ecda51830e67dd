"""Hard filters chosen by the user (region, year, document, status); empty fields filter nothing."""
from __future__ import annotations

from dataclasses import dataclass

from policyqa.model import Document

_REGION_SUFFIXES = ("市", "县", "区", "省")


def region_stem(region: str) -> str:
    """"乐清市" -> "乐清": users write either form."""
    region = region.strip()
    for suffix in _REGION_SUFFIXES:
        if region.endswith(suffix) and len(region) > len(suffix) + 1:
            return region[: -len(suffix)]
    return region


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to documents matching every non-empty field."""

    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    doc_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.regions or self.years or self.doc_ids or self.statuses)

    def accepts(self, doc: Document) -> bool:
        """True when `doc` passes every filter that is set."""
        if self.regions and region_stem(doc.region) not in {region_stem(r) for r in self.regions}:
            return False
        if self.years and doc.year not in set(self.years):
            return False
        if self.doc_ids and doc.doc_id not in set(self.doc_ids):
            return False
        return not (self.statuses and doc.status not in set(self.statuses))
