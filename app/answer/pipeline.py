"""The offline answer pipeline: retrieved clauses in, a cited verbatim answer (or a plain decline) out.

Stages, called in order by `answer`, each a pure function of the previous stage's output:
1. question analysis (app.answer.analysis), done by the caller: a QuestionProfile;
2. facts that decide without evidence: a document-validity question is answered from the
   document's own statement; a place or a region/year no indexed document covers is declined,
   naming what exists;
3. evidence: the sentences of the top clauses with their features (app.answer.evidence);
4. decision: the trained models score sentences and clauses (app.answer.decision);
5. selection: the clauses above the threshold and their answering sentences (app.answer.select);
6. composition, in the asked style (app.answer.styles): one line per document with [n] markers and
   status flags, or a short read-aloud part per document.
Between the stages app.answer.refusal decides whether the answer ends without a stated figure, and
why; `refuse` is the one exit of every such answer.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from app.answer.analysis import QuestionProfile
from app.answer.compose import group_by_document
from app.answer.config import DEFAULT_CONFIG, AnswerConfig
from app.answer.decision import DecisionModel, Scored, score_candidates
from app.answer.evidence import read_candidates, term_present
from app.answer.kinds import asks
from app.answer.refusal import (
    Refusal,
    after_composing,
    after_deciding,
    after_selecting,
    before_reading,
    refusal_text,
)
from app.answer.select import Item, choose_clauses, choose_sentences
from app.answer.styles import composer
from app.answer.validity import asks_document_validity, documents_asked, validity_statements
from policyqa.model import Citation, Clause, Document, Hit, Outcome, Reason


@dataclass(frozen=True)
class Draft:
    """An answer before timings: whether found, its text, its citations, and why."""

    found: bool
    text: str
    citations: tuple[Citation, ...]
    items: tuple[Item, ...]  # what was cited (for the LLM prompt and the checks)
    outcome: Outcome
    final: bool = False  # stated from document metadata (validity): not rewritten by an LLM
    reason: Reason | None = None  # why no figure is stated (app/answer/refusal.py)


@dataclass(frozen=True)
class AnswerContext:
    """What the pipeline reads besides the question: the index's documents, the model, the settings."""

    documents: tuple[Document, ...]  # every indexed document
    searched: tuple[Document, ...]  # those the user's filters let through
    model: DecisionModel
    validity: Mapping[str, Clause]  # app.answer.validity.validity_clauses of the index
    today: date
    style: str = "default"  # a name of policyqa.model.STYLES (its composer: app.answer.styles.COMPOSERS)
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


def refuse(refusal: Refusal, profile: QuestionProfile, ctx: AnswerContext, related: str = "",
           citations: tuple[Citation, ...] = (), items: tuple[Item, ...] = ()) -> Draft:
    """The one exit of an answer that states no figure: `refusal`'s wording, outcome and reason
    (a not-stated answer also cites the `related` clauses it quotes)."""
    text = refusal_text(refusal, profile, ctx.documents, ctx.searched, ctx.config, ctx.mentioned, related)
    return Draft(False, text, citations, items, refusal.outcome, reason=refusal.reason)


def _validity_answer(profile: QuestionProfile, hits: list[Hit], ctx: AnswerContext) -> Draft:
    in_scope = profile.in_scope if profile.names_scope else None
    asked = documents_asked(profile.question, list(ctx.searched), [h.clause.doc for h in hits], in_scope,
                            ctx.config.title_piece_chars)
    statements = validity_statements(asked, ctx.validity, ctx.today)
    if statements:
        return Draft(True, composer(ctx.style).validity(statements), tuple(s.citation for s in statements), (),
                     "validity", final=True)
    return refuse(Refusal("validity_not_stated", profile.regions, profile.years, topic="有效期"), profile, ctx)


def decide(profile: QuestionProfile, hits: list[Hit], ctx: AnswerContext) -> list[Scored]:
    """Stages 3–5: the clauses that answer, best first (empty: decline)."""
    pool = candidate_pool(profile, hits, ctx.config)
    scored = score_candidates(ctx.model, profile, read_candidates(profile, pool))
    chosen = choose_clauses(scored, profile, ctx.model.threshold, ctx.config,
                            ctx.model.document_threshold_for(profile.names_scope))
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
    refusal = before_reading(profile, ctx.documents, candidate_pool(profile, hits, ctx.config))
    if refusal is not None:
        return refuse(refusal, profile, ctx)
    chosen = decide(profile, hits, ctx)
    refusal = after_deciding(profile, chosen)
    if refusal is not None:
        return refuse(refusal, profile, ctx)
    items, refusal = after_selecting(profile, [choose_sentences(s, profile, ctx.config) for s in chosen])
    if refusal is not None:
        return refuse(refusal, profile, ctx)
    groups = group_by_document(items, profile, ctx.config)
    text, citations = composer(ctx.style).answer(profile, groups, ctx.today, ctx.config)
    cited_ids = {c.clause.clause_id for c in citations}
    cited = tuple(item for g in groups for item in g.items if item.clause.clause_id in cited_ids)
    refusal = after_composing(profile, cited)
    if refusal is not None:  # the topic is there, the asked figure is not: say so, quote the related clause
        return refuse(refusal, profile, ctx, text, tuple(citations), cited)
    return Draft(True, text, tuple(citations), cited, "answered")
