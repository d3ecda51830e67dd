"""Pseudo-relevance feedback (RM3-style) for the keyword retriever. Pure functions.

The first pass's best clauses are taken as relevant; the words they share, weighted by how much
of each clause they make up, by the clause's score and by their IDF, become a second, weaker
query. Users' words stay the main evidence: a clause the original query does not match at all is
never ranked by the expansion alone, and the expansion is weighted below the original query.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

import numpy as np


def expansion_terms(feedback: Sequence[tuple[Sequence[str], float]], query_tokens: Sequence[str],
                    idf: Callable[[str], float], count: int) -> list[tuple[str, float]]:
    """The `count` best (term, weight) pairs of the feedback clauses (tokens, first-pass score),
    weight = sum over clauses of score share x term frequency share, times IDF; query words excluded."""
    total = sum(score for _, score in feedback)
    if total <= 0 or count <= 0:
        return []
    asked = set(query_tokens)
    weights: defaultdict[str, float] = defaultdict(float)
    for tokens, score in feedback:
        if not tokens:
            continue
        frequencies = Counter(t for t in tokens if len(t) >= 2 and t not in asked)
        for term, tf in frequencies.items():
            weights[term] += (score / total) * (tf / len(tokens))
    scored = [(term, weight * idf(term)) for term, weight in weights.items()]
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:count]


def combine(original: np.ndarray, expansion: np.ndarray, weight: float) -> np.ndarray:
    """(1 - weight) x original + weight x expansion, each scaled to its maximum; 0 wherever the
    original query matches nothing."""
    top_original = float(original.max()) if original.size else 0.0
    if top_original <= 0:
        return original
    top_expansion = float(expansion.max()) if expansion.size else 0.0
    scaled = expansion / top_expansion if top_expansion > 0 else np.zeros_like(original)
    fused = (1.0 - weight) * (original / top_original) + weight * scaled
    return np.where(original > 0, fused, 0.0).astype(np.float32)


def weighted_bm25(documents: Sequence[Sequence[str]], terms: Sequence[tuple[str, float]],
                  idf: Callable[[str], float], average_length: float, k1: float = 1.5,
                  b: float = 0.75) -> np.ndarray:
    """Sum over (term, weight) of weight x BM25 of that term (bm25s's "lucene" form, no (k1 + 1)
    factor), for each token list: the expansion's scores of a few candidates, where the index cannot
    score weighted terms itself."""
    scores = np.zeros(len(documents), dtype=np.float32)
    average = max(average_length, 1e-9)
    for n, tokens in enumerate(documents):
        frequencies = Counter(tokens)
        norm = k1 * (1.0 - b + b * len(tokens) / average)
        scores[n] = sum(weight * idf(term) * frequencies[term] / (frequencies[term] + norm)
                        for term, weight in terms if frequencies[term])
    return scores
