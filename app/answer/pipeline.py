"""The offline answer pipeline: retrieved clauses in, a cited verbatim answer (or a plain decline) out.

Stages, called in order by `answer`, each a pure function of the previous stage's output:
1. question analysis (app.answer.analysis), done by the caller: a QuestionProfile;
2. facts that decide without evidence: a document-validity question is answered from the
   document's own statement; a place or a region/year no indexed document covers is declined,
   naming what exists;
3. evidence: the sentences of the top clauses with their features (app.answer.evidence);
4. decision: the trained models score sentences and clauses (app.answer.decision);
5. selection: the clauses above the threshold and their answering sentences (app.answer.select);
6. composition: one line per document with [n] markers and status flags (app.answer.compose).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from app.answer.analysis import QuestionProfile
from app.answer.compose import (
    compose_default,
    compose_missing_scope,
    compose_not_found,
    compose_unknown_place,
    group_by_document,
    not_stated_sentence,
)
from app.answer.config import DEFAULT_CONFIG, AnswerConfig
from app.answer.decision import DecisionModel, Scored, score_candidates
from app.answer.evidence import read_candidates, term_present
from app.answer.hotline import compose_hotline
from app.answer.kinds import asks
from app.answer.select import Item, choose_clauses, choose_sentences
from app.answer.validity import answer_validity, asks_document_validity, documents_asked
from app.text.spans import normalise
from policyqa.model import Citation, Clause, Document, Hit, Outcome


@dataclass(frozen=True)
class Draft:
    """An answer before timings: whether found, its text, its citations, and why."""

    found: bool
    text: str
    citations: tuple[Citation, ...]
    items: tuple[Item, ...]  # what was cited (for the LLM prompt and the checks)
    outcome: Outcome
    final: bool = False  # stated from document metadata (validity): not rewritten by an LLM


@dataclass(frozen=True)
class AnswerContext:
    """What the pipeline reads besides the question: the index's documents, the model, the settings."""

    documents: tuple[Document, ...]  # every indexed document
    searched: tuple[Document, ...]  # those the user's filters let through
    model: DecisionModel
    validity: Mapping[str, Clause]  # app.answer.validity.validity_clauses of the index
    today: date
    style: str = "default"  # "default" | "hotline"
    config: AnswerConfig = DEFAULT_CONFIG
    # whether some indexed clause contains a (normalised) phrase: a not-found answer never calls a
    # topic absent that the documents mention
    mentioned: Callable[[str], bool] | None = None


def candidate_pool(profile: QuestionProfile, hits: list[Hit], config: AnswerConfig) -> list[Hit]:
    """The top retrieved clauses, plus a few more of the region/year the question names; with no
    place or year named, also the best clause of each document not yet among them (several
    documents may answer the same question, each for its own region and year)."""
    pool = list(hits[:config.candidates])
    if profile.names_scope:
        pool += [h for h in hits[config.candidates:] if profile.covers(h.clause)][:config.scoped_candidates]
        return pool
    seen = {h.clause.doc.doc_id for h in pool}
    for hit in hits[config.candidates:config.document_candidates]:
        if hit.clause.doc.doc_id not in seen:
            seen.add(hit.clause.doc.doc_id)
            pool.append(hit)
    return pool


def _missing_year(profile: QuestionProfile, documents: tuple[Document, ...], pool: list[Hit]) -> bool:
    """The question names years, and no document of its region is of any of them, nor does a top
    clause mention them in its text (a date inside a measure: "2024年开工") or its headings (a
    review of that year in the next year's report)."""
    if not profile.years:
        return False
    docs = [d for d in documents if not profile.regions or d.region in profile.regions]
    if any(d.year in profile.years for d in docs):
        return False
    named = [h for h in pool if not profile.regions or h.clause.doc.region in profile.regions]
    return not any(f"{y}年" in normalise(h.clause.text + "".join(h.clause.path)) for h in named for y in profile.years)


def _not_found(profile: QuestionProfile, ctx: AnswerContext, outcome: Outcome = "not_found", **words: str) -> Draft:
    text = compose_not_found(profile, list(ctx.searched), ctx.config, mentioned=ctx.mentioned, **words)
    return Draft(False, text, (), (), outcome)


def _validity_answer(profile: QuestionProfile, hits: list[Hit], ctx: AnswerContext) -> Draft:
    in_scope = profile.in_scope if profile.names_scope else None
    asked = documents_asked(profile.question, list(ctx.searched), [h.clause.doc for h in hits], in_scope)
    stated = answer_validity(asked, ctx.validity, ctx.today, ctx.style)
    if stated is not None:
        return Draft(True, stated[0], tuple(stated[1]), (), "validity", final=True)
    scope = "、".join(profile.regions) + "".join(f"{y}年" for y in profile.years)
    return _not_found(profile, ctx, scope=scope, topic="有效期")


def decide(profile: QuestionProfile, hits: list[Hit], ctx: AnswerContext) -> list[Scored]:
    """Stages 3–5: the clauses that answer, best first (empty: decline)."""
    pool = candidate_pool(profile, hits, ctx.config)
    scored = score_candidates(ctx.model, profile, read_candidates(profile, pool))
    chosen = choose_clauses(scored, profile, ctx.model.threshold, ctx.config, ctx.model.document_threshold)
    if not is_bare_search(profile):
        return chosen
    # a bare search ("AEO认证", "首台套": no question asked) looks for the clauses holding every one of
    # its words: one about the same thing in other words ("海关高级认证企业") or about only some of
    # them ("博士安家补贴" -> another subsidy) is not what was searched for
    holding = [s for s in chosen if holds_every_word(profile, s)]
    return holding or [s for s in scored if holds_every_word(profile, s)][:1]


def is_bare_search(profile: QuestionProfile) -> bool:
    """Words to look up, no question asked of them."""
    return not profile.kinds and not asks(profile.question) and bool(profile.terms or profile.foreign)


def holds_every_word(profile: QuestionProfile, scored: Scored) -> bool:
    """Whether the candidate's clause (with its heading) holds every word searched for."""
    return all(term_present(t, scored.candidate.context) for t in (*profile.terms, *profile.foreign))


def answer(profile: QuestionProfile, hits: list[Hit], ctx: AnswerContext) -> Draft:
    """The extractive answer for `profile` from the retrieved `hits`."""
    if asks_document_validity(profile, ctx.config.validity_topic_rarity):
        return _validity_answer(profile, hits, ctx)
    if profile.quantities_only:  # "150万元": a figure with no matter to look it up by
        return _not_found(profile, ctx)
    if profile.unknown_places:
        return Draft(False, compose_unknown_place(profile.unknown_places, list(ctx.documents)), (), (),
                     "unknown_place")
    if _missing_year(profile, ctx.documents, candidate_pool(profile, hits, ctx.config)):
        return Draft(False, compose_missing_scope(profile.regions, profile.years, list(ctx.documents)), (), (),
                     "missing_scope")
    chosen = decide(profile, hits, ctx)
    if not chosen:
        return _not_found(profile, ctx)
    if profile.names_scope and not any(profile.covers(s.candidate.hit.clause) for s in chosen):
        # the region/year asked about says nothing: other places' figures are not its answer
        others = "、".join(dict.fromkeys(s.candidate.hit.clause.doc.region for s in chosen))
        scope = "、".join(profile.regions) + "、".join(f"{y}年" for y in profile.years)
        return _not_found(profile, ctx, scope=scope, elsewhere=others)
    items = [choose_sentences(s, profile, ctx.config) for s in chosen]
    if profile.asks_figure and not any(item.stated for item in items):
        # the topic named without the asked figure: a clause that names it only beside other figures
        # ("2023年新建52家老年食堂" for a share) has nothing to quote that would not mislead
        items = [item for item in items if not any(ch.isdigit() for ch in item.quote)]
        if not items:
            return _not_found(profile, ctx)
    groups = group_by_document(items, profile, ctx.config)
    compose = compose_hotline if ctx.style == "hotline" else compose_default
    text, citations = compose(profile, groups, ctx.today, ctx.config)
    cited_ids = {c.clause.clause_id for c in citations}
    cited = tuple(item for g in groups for item in g.items if item.clause.clause_id in cited_ids)
    if profile.asks_figure and not any(item.stated for item in cited):
        # the topic is there, the asked figure is not: say so first, quote the related clause, no figure
        return Draft(False, f"{not_stated_sentence(profile)}\n{text}", tuple(citations), cited, "not_stated")
    return Draft(True, text, tuple(citations), cited, "answered")
