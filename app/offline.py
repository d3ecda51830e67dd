"""The offline answerer: supported clauses in, cited verbatim answer out. No model, no network."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from app.compose import compose_default, compose_hotline, compose_not_found, group_by_document
from app.evidence import Evidence, clause_evidence
from app.question import QuestionProfile
from app.support import choose
from app.validity import answer_validity, asks_document_validity, documents_asked, named_years as _named_years
from policyqa.model import Citation, Clause, Document, Hit


@dataclass(frozen=True)
class Draft:
    """An answer before timings: whether found, its text and its citations."""

    found: bool
    text: str
    citations: tuple[Citation, ...]
    evidence: tuple[Evidence, ...]  # what was cited (for the LLM prompt and the checks)
    final: bool = False  # stated from document metadata (validity): not rewritten by an LLM


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
    in_scope = _scope_test(regions, years)
    if in_scope is None or any(in_scope(d) for d in groups_docs):
        return ""
    return "、".join(regions) + "、".join(f"{y}年" for y in years)


def _scope_test(regions: tuple[str, ...], years: tuple[int, ...]) -> Callable[[Document], bool] | None:
    """Whether a document is of the region and year a question names (None: it names neither)."""
    if not regions and not years:
        return None
    return lambda doc: (not regions or doc.region in regions) and (not years or doc.year in years)


def answer_offline(
    profile: QuestionProfile,
    hits: list[Hit],
    documents: list[Document],
    *,
    regions: tuple[str, ...] = (),
    years: tuple[int, ...] = (),
    style: str = "default",
    today: date,
    validity: Mapping[str, Clause] | None = None,
) -> Draft:
    """The extractive answer for `profile` from `hits`; found=False when nothing supports one.

    `validity` (app.validity.validity_clauses of the index) answers "还有效吗" questions.
    """
    if validity is not None and asks_document_validity(profile):
        asked = documents_asked(profile.question, documents, [h.clause.doc for h in hits],
                                _scope_test(regions, years))
        stated = answer_validity(asked, validity, today, style)
        if stated is not None:
            return Draft(True, stated[0], tuple(stated[1]), (), final=True)
        scope = "、".join(regions) + "".join(f"{y}年" for y in _named_years(profile.question))
        return Draft(False, compose_not_found(profile, documents, scope=scope, topic="有效期"), (), ())
    chosen = choose(profile, gather_evidence(profile, hits), _scope_test(regions, years))
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
