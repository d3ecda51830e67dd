"""Pseudo-relevance feedback: expansion words from the first pass's best clauses, weighted below the query."""
from __future__ import annotations

from dataclasses import asdict

import numpy as np

from index.feedback import combine, expansion_terms
from index.store import SearchConfig


def test_expansion_prefers_words_frequent_in_the_best_clauses_and_rare_in_the_corpus() -> None:
    feedback = [(["养老", "食堂", "食堂", "老年"], 2.0), (["食堂", "社区", "老年"], 1.0)]
    idf = {"食堂": 2.0, "老年": 1.0, "社区": 1.5}.get
    terms = expansion_terms(feedback, ["养老"], lambda t: idf(t) or 0.0, 2)
    assert [t for t, _ in terms] == ["食堂", "老年"]
    assert expansion_terms(feedback, ["养老"], lambda t: 1.0, 0) == []
    assert expansion_terms([], ["养老"], lambda t: 1.0, 5) == []


def test_query_words_are_never_expansion_words() -> None:
    terms = expansion_terms([(["出口", "信保"], 1.0)], ["出口"], lambda t: 1.0, 5)
    assert [t for t, _ in terms] == ["信保"]


def test_combine_keeps_the_query_as_main_evidence() -> None:
    original = np.array([4.0, 2.0, 0.0], dtype=np.float32)
    expansion = np.array([0.0, 10.0, 10.0], dtype=np.float32)
    fused = combine(original, expansion, 0.2)
    assert np.allclose(fused, [0.8, 0.6, 0.0])  # the third, matched by the expansion alone, is not ranked
    assert np.allclose(combine(original, expansion, 0.0), original / 4.0)
    assert np.array_equal(combine(np.zeros(3, dtype=np.float32), expansion, 0.2), np.zeros(3))


def test_search_config_is_pinned() -> None:
    assert asdict(SearchConfig()) == {
        "weights": {"bm25": 1.0, "dense": 1.0}, "rrf_k": 100, "scope_boost": 0.1, "candidates": 50,
        "feedback_clauses": 5, "feedback_terms": 20, "feedback_weight": 0.2,
    }
