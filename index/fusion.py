"""Reciprocal rank fusion: combine rankings by rank, never by raw scores of different scales."""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

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
