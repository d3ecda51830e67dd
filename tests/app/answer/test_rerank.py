"""The second ranking: the fused top clauses reordered by the trained ranking model."""
from __future__ import annotations

from dataclasses import replace

import pytest

from app.answer.decision import CLAUSE_FEATURES, LinearModel, load_model
from app.answer.evidence import read_candidates
from app.answer.rerank import answer_candidates, reorder, rerank
from policyqa.model import Hit

from ..answer_fakes import CLAUSES


def _fused(clauses=CLAUSES) -> list[Hit]:
    return [Hit(c, 1.0 / (i + 1), "hybrid", {"bm25": i + 1, "dense": i + 1}) for i, c in enumerate(clauses)]


def _reading_only(feature: str) -> LinearModel:
    """A ranker that orders by one clause feature alone."""
    n = len(CLAUSE_FEATURES)
    return LinearModel(CLAUSE_FEATURES, (0.0,) * n, (1.0,) * n,
                       tuple(1.0 if name == feature else 0.0 for name in CLAUSE_FEATURES), 0.0)


def test_reorder_sorts_by_probability_ties_keeping_the_fused_order(profile_of) -> None:
    profile = profile_of("出口信用保险补助比例是多少")
    candidates = read_candidates(profile, _fused())
    ranked = reorder(candidates, [0.1, 0.9, 0.5, 0.9, 0.2])
    assert [h.clause.clause_id for h in ranked] == ["w24-44", "w24-22", "r25-26", "r23-talent", "r23-trade"]
    assert [h.reranked for h in ranked] == [0.9, 0.9, 0.5, 0.2, 0.1]
    assert [h.order_score for h in ranked] == [0.9, 0.9, 0.5, 0.2, 0.1]  # what the JSON lists
    # the fused scores stay: the clause model reads how clearly fusion chose
    assert [h.score for h in ranked] == [0.5, 0.25, 1 / 3, 0.2, 1.0]


def test_the_ranking_model_decides_the_order(profile_of) -> None:
    profile = profile_of("新引进的博士安家补助最高多少")
    model = replace(load_model(), ranker=_reading_only("clause_coverage"))
    ranked = rerank(model, profile, _fused())
    assert ranked[0].clause.clause_id == "r23-talent"  # fused last, the only clause with the asked words
    against = replace(model, ranker=_reading_only("reciprocal_rank"))
    assert [h.clause.clause_id for h in rerank(against, profile, _fused())] == [c.clause_id for c in CLAUSES]


def test_a_clause_without_text_keeps_a_place_after_the_read_ones(profile_of) -> None:
    profile = profile_of("出口信用保险补助比例是多少")
    empty = replace(CLAUSES[0], clause_id="empty", text="")
    ranked = rerank(load_model(), profile, _fused((empty, *CLAUSES[1:])))
    assert ranked[-1].clause.clause_id == "empty" and ranked[-1].reranked is None
    assert len(ranked) == len(CLAUSES)


def test_the_answer_reads_the_top_k_then_the_named_scope_s_further_clauses() -> None:
    hits = _fused()
    found = answer_candidates(hits, {"r23-talent", "w24-44"}, top_k=2)
    assert [h.clause.clause_id for h in found] == ["r23-trade", "w24-44", "r23-talent"]
    assert answer_candidates(hits, set(), top_k=3) == hits[:3]


@pytest.mark.parametrize(("question", "gold"), [
    ("瑞安春节那阵子发的购物券，能拿来买汽车吗？", "汽车等权重商品专用消费券"),
    ("瑞安前年发的抵扣券一共多少钱？", "消费券5020万元"),
])
def test_the_ranking_model_lifts_a_clause_fusion_ranks_low(corpus_service, question: str, gold: str) -> None:
    """Questions in neither question set, worded away from the clause: fusion ranks its clause below
    the five the answer reads, the ranking model among them."""
    index = corpus_service._search_index()
    fused = [h.clause.text.replace(" ", "") for h in index.search(question, top_k=30)]
    assert next(i for i, t in enumerate(fused, 1) if gold in t) > 5
    retrieved, candidates = corpus_service.retrieve(question)
    assert any(gold in h.clause.text.replace(" ", "") for h in retrieved[:5])
    assert any(gold in h.clause.text.replace(" ", "") for h in candidates[:5])
    scores = [h.order_score for h in retrieved]
    assert scores == sorted(scores, reverse=True)


def test_one_retriever_s_mode_keeps_its_own_order(corpus_service) -> None:
    question = "瑞安春节那阵子发的购物券，能拿来买汽车吗？"
    retrieved, _ = corpus_service.retrieve(question, retrieval_mode="bm25")
    assert all(h.reranked is None for h in retrieved)
    own = corpus_service._search_index().search(question, top_k=10, mode="bm25")
    assert [h.clause.clause_id for h in retrieved] == [h.clause.clause_id for h in own]
