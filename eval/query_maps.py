"""Fitting the question map (index/query_map.py) on the labelled questions: whole, and without each fold.

Pairs: every answerable question of a training source with gold spans -> the sentences of its gold
clauses that hold (part of) a span. The development set is never used.

The shipped map is fitted on every pair. Where the map's effect is measured or learned from, each
question is embedded with a map fitted without its fold (its source's cross-validation fold): the
decision's training rows, so that it learns how far to trust the e5 features on questions the map
never saw (not on questions it was fitted to), and the cross-validated answers of the eval report.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from app.text.inputs import prepare_question
from eval.questions import Question, match_key
from index.query_map import normal_equations, solve_query_map
from index.semantic_store import text_fragments
from policyqa.errors import UserError

if TYPE_CHECKING:
    from index.contract import SearchIndex
    from index.semantic import E5Embedder

# Chosen with the decision retrained each time (e5 weight 2.5, decline precision 0.7; key facts /
# answerable refused / declines): ridge 1 training set cross-validated 0.706/0.195/0.783, development
# set 0.90/0.017/0.90; ridge 2 0.697/0.203/0.867 and the same on the development set; 3 at weight 1.5
# declined fewer than 2 (0.783 against 0.817 at decline precision 0.75). README: "问句映射".
RIDGE = 2.0
CV_FOLDS = 5
CV_SEED = 20261202
# a gold span runs over a sentence boundary: a sentence holding its first or last characters is gold too
_EDGE = 8


def question_folds(questions: list[Question], seed: int = CV_SEED) -> dict[str, int]:
    """qid -> cross-validation fold (reproducible; the eval report's folds, another split with another `seed`)."""
    folds = np.random.default_rng(seed).integers(0, CV_FOLDS, size=len(questions))
    return {q.qid: int(f) for q, f in zip(questions, folds, strict=True)}


def gold_fragments(question: Question, index: SearchIndex) -> list[str]:
    """The sentence fragments of the question's gold clauses that hold part of a gold span (a
    clause's every fragment when none does on its own, e.g. a span that is a list running over
    several sentences): what the index compares a question with (index/semantic_store.py)."""
    found: list[str] = []
    for ref in question.refs:
        span = match_key(ref.span)
        if not span:
            continue
        for clause in index.clauses_of(ref.doc_id):
            if span not in match_key(clause.text):
                continue
            fragments = text_fragments(clause)
            keyed = [match_key(f) for f in fragments]
            holding = [f for f, k in zip(fragments, keyed, strict=True)
                       if k and (k in span or span in k or span[:_EDGE] in k or span[-_EDGE:] in k)]
            found.extend(holding or fragments)
    return list(dict.fromkeys(found))


Group = tuple[str, int]  # (source, fold)


@dataclass
class QuestionMaps:
    """The question map fitted on every labelled question, or without some of them: the normal
    equations are summed per (source, fold), so each variant is one solve."""

    groups: dict[Group, tuple[np.ndarray, np.ndarray]]
    folds: dict[tuple[str, str], int]  # (source, qid) -> fold, for the questions fitted on
    ridge: float
    pairs: int
    _solved: dict[frozenset[Group], np.ndarray] = field(default_factory=dict, repr=False)

    def _without(self, left_out: frozenset[Group]) -> np.ndarray:
        if left_out not in self._solved:
            kept = [sums for group, sums in self.groups.items() if group not in left_out]
            gram = np.sum([g for g, _ in kept], axis=0)
            cross = np.sum([c for _, c in kept], axis=0)
            self._solved[left_out] = solve_query_map(gram, cross, self.ridge)
        return self._solved[left_out]

    @property
    def shipped(self) -> np.ndarray:
        """Fitted on every labelled question."""
        return self._without(frozenset())

    def without(self, source: str, fold: int) -> np.ndarray:
        """Fitted without one fold of one source."""
        return self._without(frozenset({(source, fold)}))

    def without_source(self, source: str) -> np.ndarray:
        """Fitted on the other sources only."""
        return self._without(frozenset(g for g in self.groups if g[0] == source))

    def for_question(self, source: str, qid: str) -> np.ndarray:
        """A map that never saw this question (the shipped one for a question it was not fitted on)."""
        fold = self.folds.get((source, qid))
        return self.shipped if fold is None else self.without(source, fold)


def fit_maps(model: E5Embedder, index: SearchIndex, sources: dict[str, list[Question]],
             ridge: float = RIDGE, seed: int = CV_SEED) -> QuestionMaps:
    """The normal equations of every labelled question of `sources`, summed per (source, fold) of
    the split `seed` draws."""
    groups: dict[Group, tuple[np.ndarray, np.ndarray]] = {}
    folds: dict[tuple[str, str], int] = {}
    pairs = 0
    for name, questions in sources.items():
        fold_of = question_folds(questions, seed)
        labelled = [(q, gold_fragments(q, index)) for q in questions if q.answerable and q.refs]
        labelled = [(q, s) for q, s in labelled if s]
        if not labelled:
            continue
        # as the product embeds them: the question prepared for search (punctuation made half-width, …)
        vectors = model.embed_queries_unmapped([_as_searched(q.question) for q, _ in labelled])
        for fold in sorted({fold_of[q.qid] for q, _ in labelled}):
            at = [i for i, (q, _) in enumerate(labelled) if fold_of[q.qid] == fold]
            groups[(name, fold)] = normal_equations(vectors[at], [model.embed_passages(labelled[i][1]) for i in at])
        folds.update({(name, q.qid): fold_of[q.qid] for q, _ in labelled})
        pairs += sum(len(s) for _, s in labelled)
    if not groups:
        raise ValueError("no labelled question with gold sentences to fit the question map on")
    return QuestionMaps(groups, folds, ridge, pairs)


def _as_searched(question: str) -> str:
    try:
        return prepare_question(question)[0]
    except UserError:
        return question


@contextmanager
def mapped_by(model: E5Embedder | None, matrix: np.ndarray | None) -> Iterator[None]:
    """Questions embedded with `matrix` inside the block (unchanged without the neural model or a matrix)."""
    if model is None or matrix is None:
        yield
        return
    before = model.query_map
    model.query_map = matrix
    try:
        yield
    finally:
        model.query_map = before
