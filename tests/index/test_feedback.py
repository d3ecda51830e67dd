"""Pseudo-relevance feedback: expansion words from the first pass's best clauses, weighted below the query."""
from __future__ import annotations

from dataclasses import asdict

import numpy as np

from index.bm25 import Bm25Index
from index.contract import SearchConfig
from index.feedback import combine, expansion_terms, weighted_bm25


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
        "weights": {"bm25": 0.5, "dense": 1.0}, "rrf_k": 100, "scope_boost": 0.1, "candidates": 50,
        "feedback_clauses": 5, "feedback_terms": 20, "feedback_weight": 0.2, "sentence_weight": 1.0, "semantic_weight": 2.5,
        "dense_feedback_weight": 0.0, "rewrite_weight": 0.25,
    }


def test_rocchio_moves_the_dense_query_towards_its_nearest_pieces() -> None:
    from index.dense import DenseIndex

    vectors = np.asarray([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
    dense = DenseIndex.build(vectors, np.arange(3), 3)
    query = np.asarray([0.8, 0.6, 0.0], dtype=np.float32)
    moved = dense.feedback_vector(query, 1, 1.0)
    assert np.isclose(np.linalg.norm(moved), 1.0) and moved[0] > query[0] and moved[2] == 0.0
    assert dense.feedback_vector(query, 1, 0.0) is query  # off: the query as it was
    masked = dense.feedback_vector(query, 1, 1.0, piece_mask=np.asarray([False, True, True]))
    assert masked[1] > query[1]  # only pieces the filter allows pull the query


def test_weighted_bm25_of_a_few_candidates_scores_as_the_whole_index_does() -> None:
    documents = [["出口", "信用", "保险", "保险"], ["首台", "套", "保险"], ["出口", "参展", "补助", "补助", "补助"], ["技术", "改造"]]
    index = Bm25Index.build(documents)
    terms = [("保险", 1.0), ("补助", 0.5), ("出口", 0.2)]
    average = sum(map(len, documents)) / len(documents)
    assert np.allclose(weighted_bm25(documents, terms, index.idf, average), index.weighted_scores(terms), atol=1e-6)
    assert weighted_bm25([["技术"]], terms, index.idf, average).tolist() == [0.0]
