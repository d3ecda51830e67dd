"""The second ranking: the fused top clauses reordered by the trained ranking model.

Reciprocal rank fusion reads only the retrievers' ranks; whether a clause holds the words the
question asks about, names its region, or states the asked kind of fact, it cannot see. The ranking
model (app/answer/decision.py) reads exactly that, the clause features, over the fused top
`AnswerConfig.rerank_depth` clauses (and those a search restricted to the named region/year found),
and orders them by P that the clause holds the answer. Training set, cross-validated: the gold clause
in the top 5 for 0.855 of the questions by fusion, 0.95 after this ranking (README: "第二次排序").
Both the retrieved list and the answer's candidates follow it.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

import numpy as np

from app.answer.analysis import QuestionProfile
from app.answer.decision import DecisionModel, candidate_features
from app.answer.evidence import Candidate, read_candidates
from policyqa.model import Hit


def rank_probabilities(model: DecisionModel, profile: QuestionProfile, candidates: Sequence[Candidate]) -> np.ndarray:
    """P that each candidate holds the answer, by the ranking model."""
    rows = [features for _, features in candidate_features(model.sentence, profile, candidates)]
    return model.ranker.probabilities(np.asarray(rows, dtype=float)) if rows else np.zeros(0)


def reorder(candidates: Sequence[Candidate], probabilities: Sequence[float] | np.ndarray) -> list[Hit]:
    """The candidates' hits by descending probability (ties keep the fused order), each marked with
    it. Their fused scores stay: the clause model reads how clearly fusion chose (tried: the clause
    model reading the ranking model's P instead answered as many questions with more of them wrong)."""
    order = sorted(range(len(candidates)), key=lambda i: -probabilities[i])
    return [replace(candidates[i].hit, reranked=float(probabilities[i])) for i in order]


def rerank(model: DecisionModel, profile: QuestionProfile, hits: Sequence[Hit]) -> list[Hit]:
    """`hits` reordered by the ranking model; a clause with no text to read goes last."""
    candidates = read_candidates(profile, list(hits))
    ranked = reorder(candidates, rank_probabilities(model, profile, candidates))
    read = {c.hit.clause.clause_id for c in candidates}
    return ranked + [h for h in hits if h.clause.clause_id not in read]


def answer_candidates(ranked: Sequence[Hit], scoped: Collection[str], top_k: int) -> list[Hit]:
    """The answer's candidates: the top `top_k` ranked clauses, then the further ranked clauses a
    search restricted to the named region/year found (`scoped`: their clause ids), in ranked order."""
    return list(ranked[:top_k]) + [h for h in ranked[top_k:] if h.clause.clause_id in scoped]
