"""Reciprocal rank fusion: combine rankings by rank, never by raw scores of different scales."""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

from index.scope import Scope
from policyqa.model import Clause, Document, Hit

Item = TypeVar("Item", bound=Hashable)


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[Item]],
                           weights: Mapping[str, float] | None = None,
                           k: int = 60) -> list[tuple[Item, float]]:
    """Fuse named rankings (best first) into (item, score) pairs, best first.

    score(item) = sum over rankings of weight / (k + rank), rank counted from 1. Ties keep the
    order in which items were first seen, so the result is deterministic.
    """
    scores: dict[Item, float] = {}
    for name, ranking in rankings.items():
        weight = 1.0 if weights is None else float(weights.get(name, 1.0))
        if weight == 0.0:
            continue
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda pair: (-pair[1], order[pair[0]]))


def ranks_of(rankings: Mapping[str, Sequence[Item]]) -> dict[Item, dict[str, int]]:
    """For each item, its rank (from 1) in every ranking that holds it."""
    found: dict[Item, dict[str, int]] = {}
    for name, ranking in rankings.items():
        for rank, item in enumerate(ranking, start=1):
            found.setdefault(item, {})[name] = rank
    return found


def ranked_hits(rankings: dict[str, list[Item]], scores: dict[str, dict[Item, float]],
                clauses_of: Callable[[list[Item]], list[Clause | None]], document_of: Callable[[Item], Document],
                scope: Scope, *, mode: str, top_k: int, weights: Mapping[str, float], rrf_k: int,
                scope_boost: float) -> list[Hit]:
    """The hits of one query from each retriever's ranking of clause rows (best first).

    One retriever's mode: its own ranking. Hybrid: weighted RRF, then a document matching the
    region/year the query names (`scope`) is raised by (1 + scope_boost x the share it matches): a
    preference, never a filter. Every backend ranks through here, so they fuse alike. Only the
    returned rows' clauses are read (`clauses_of`, in one batch; a row it has no clause for, deleted
    since the search, is left out); the boost needs only each row's document.
    """
    if mode != "hybrid":
        ranked = rankings.get(mode, [])[:top_k]
        return [Hit(clause, scores[mode][row], mode, {mode: n})
                for n, (row, clause) in enumerate(zip(ranked, clauses_of(ranked), strict=True), 1) if clause is not None]
    fused = reciprocal_rank_fusion(rankings, weights, rrf_k)
    if not scope.empty and scope_boost:
        boosted = [(row, score * (1 + scope_boost * scope.match_fraction(document_of(row)))) for row, score in fused]
        fused = sorted(boosted, key=lambda pair: -pair[1])  # stable: ties keep the fused order
    ranks = ranks_of(rankings)
    top = fused[:top_k]
    return [Hit(clause, float(score), "hybrid", ranks[row])
            for (row, score), clause in zip(top, clauses_of([row for row, _ in top]), strict=True) if clause is not None]
