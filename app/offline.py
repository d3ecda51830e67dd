"""The offline answerer: supported clauses in, cited verbatim answer out. No model, no network."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.compose import compose_default, compose_hotline, compose_not_found, group_by_document
from app.evidence import Evidence, clause_evidence
from app.question import QuestionProfile
from app.support import choose
from policyqa.model import Citation, Document, Hit


@dataclass(frozen=True)
class Draft:
    """An answer before timings: whether found, its text and its citations."""

    found: bool
    text: str
    citations: tuple[Citation, ...]
    evidence: tuple[Evidence, ...]  # what was cited (for the LLM prompt and the checks)


def gather_evidence(profile: QuestionProfile, hits: list[Hit]) -> list[Evidence]:
    """Per retrieved clause, its best answering sentences and support features."""
    items = []
    for rank, hit in enumerate(hits, start=1):
        item = clause_evidence(profile, hit.clause, rank)
        if item is not None:
            items.append(item)
    return items


def _scope_gap(groups_docs: list[Document], regions: tuple[str, ...], years: tuple[int, ...]) -> str:
    """"乐清市2024年" when no cited document is of the region and the year the question names."""
    def in_scope(doc: Document) -> bool:
        return (not regions or doc.region in regions) and (not years or doc.year in years)

    if (not regions and not years) or any(in_scope(d) for d in groups_docs):
        return ""
    return "、".join(regions) + "、".join(f"{y}年" for y in years)


def answer_offline(
    profile: QuestionProfile,
    hits: list[Hit],
    documents: list[Document],
    *,
    regions: tuple[str, ...] = (),
    years: tuple[int, ...] = (),
    style: str = "default",
    today: date,
) -> Draft:
    """The extractive answer for `profile` from `hits`; found=False when nothing supports one."""
    chosen = choose(profile, gather_evidence(profile, hits))
    if not chosen:
        return Draft(False, compose_not_found(profile, documents), (), ())
    groups = group_by_document(chosen, regions, years)
    gap = _scope_gap([g.doc for g in groups], regions, years)
    if gap:  # the region/year asked about says nothing: other places' figures are not its answer
        others = "、".join(dict.fromkeys(g.doc.region for g in groups if g.doc.region))
        return Draft(False, compose_not_found(profile, documents, scope=gap, elsewhere=others), (), ())
    compose = compose_hotline if style == "hotline" else compose_default
    text, citations = compose(profile, groups, today)
    cited_ids = {c.clause.clause_id for c in citations}
    cited = tuple(item for g in groups for item in g.items if item.clause.clause_id in cited_ids)
    return Draft(True, text, tuple(citations), cited)
