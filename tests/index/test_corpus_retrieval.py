"""Retrieval on the bundled corpus with the offline embedder, on each backend (FAISS, Milvus)."""
from __future__ import annotations

import pytest

from index.backend import open_index
from index.contract import SearchIndex
from index.ensure import ensure_index
from index.filters import Filters
from policyqa.model import Hit


@pytest.fixture(scope="module")
def corpus_index(backend_settings) -> SearchIndex:
    return open_index(backend_settings)


def _keys(hits: list[Hit]) -> list[tuple[str, str]]:
    return [(h.clause.doc.doc_id, h.clause.locator) for h in hits]


RUIAN_2023 = ("ruian-2023-work-plan", "六、(二)3")
WENZHOU_44 = ("wenzhou-2024-policies", "44")


def test_export_credit_insurance_finds_ruian_and_wenzhou_measures(corpus_index: SearchIndex):
    hits = corpus_index.search("外贸企业出口信用保险补助比例是多少", top_k=5)
    assert RUIAN_2023 in _keys(hits) and WENZHOU_44 in _keys(hits)
    ruian = next(h for h in hits if _keys([h])[0] == RUIAN_2023)
    assert "60%" in ruian.clause.text and set(ruian.ranks) >= {"bm25", "dense", "sentences"}


def test_wenzhou_2024_question_ranks_wenzhou_first_without_hiding_others(corpus_index: SearchIndex):
    hits = corpus_index.search("温州2024年对企业出口信用保险保费补助多少", top_k=10)
    assert _keys(hits)[0] == WENZHOU_44
    assert any(h.clause.doc.region != "温州市" for h in hits)


def test_colloquial_question_reaches_the_trade_fair_measures(corpus_index: SearchIndex):
    hits = corpus_index.search("我们厂去国外参展政府给报销多少", top_k=5)
    assert any("出境参展" in h.clause.text for h in hits[:2])


def test_bm25_alone_scores_chinese_and_ranks_the_exact_term(corpus_index: SearchIndex):
    hits = corpus_index.search("出口信用保险", top_k=5, mode="bm25")
    assert hits and all(h.score > 0 and h.source == "bm25" for h in hits)
    assert all("出口信用保险" in h.clause.text for h in hits[:4])
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_region_filter_returns_only_that_region(corpus_index: SearchIndex):
    for mode in ("hybrid", "bm25", "dense"):
        hits = corpus_index.search("出口信用保险补助", top_k=10, filters=Filters(regions=("乐清",)), mode=mode)
        assert hits and {h.clause.doc.region for h in hits} == {"乐清市"}
    drafts = corpus_index.search("外贸", top_k=10, filters=Filters(statuses=("draft",)))
    assert drafts and all(h.clause.doc.status == "draft" for h in drafts)


def test_search_many_matches_search(corpus_index: SearchIndex):
    questions = ["专精特新企业奖励", "腾笼换鸟", ""]
    batch = corpus_index.search_many(questions, top_k=5)
    assert _keys(batch[0]) == _keys(corpus_index.search(questions[0], top_k=5))
    assert _keys(batch[1]) == _keys(corpus_index.search(questions[1], top_k=5)) and batch[2] == []


def test_ensure_index_opens_existing_without_rebuilding(corpus_settings, monkeypatch):
    import index.build

    monkeypatch.setattr(index.build, "ingest_paths", lambda *a, **k: pytest.fail("rebuilt"))
    assert len(ensure_index(corpus_settings).clauses) == len(open_index(corpus_settings).clauses)
