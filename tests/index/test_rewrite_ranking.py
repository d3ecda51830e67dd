"""An LLM's rewrite of the question is fused as one more ranking: weighted, hybrid only, never alone."""
from __future__ import annotations

from dataclasses import replace

import pytest

from index.backend import open_index

QUESTION = "买电车有补贴吗"
REWRITE = "老字号"  # unrelated on purpose: only the rewrite's own ranking can bring it up


@pytest.fixture(scope="module")
def index(corpus_settings):
    return open_index(corpus_settings)


def _top_texts(index, weight: float, mode: str = "hybrid", rewrite: str = REWRITE) -> list[str]:
    default = index.config
    index.config = replace(default, rewrite_weight=weight)
    try:
        return [h.clause.text for h in index.search(QUESTION, top_k=5, mode=mode, rewrite=rewrite)]
    finally:
        index.config = default


def test_the_rewrite_is_one_more_ranking_weighted_like_the_others(index) -> None:
    without = _top_texts(index, 1.0, rewrite="")
    assert not any(REWRITE in text for text in without)
    assert REWRITE in _top_texts(index, 10.0)[0]  # dominant weight: the rewrite's best clause leads
    default = index.config
    index.config = replace(default, rewrite_weight=10.0)
    try:
        top = index.search(QUESTION, top_k=1, rewrite=REWRITE)[0]
    finally:
        index.config = default
    assert top.ranks.get("rewrite", 99) <= 3 and "bm25" not in top.ranks  # the question alone never found it


def test_a_zero_weight_or_a_single_retriever_ignores_the_rewrite(index) -> None:
    assert _top_texts(index, 0.0) == _top_texts(index, 1.0, rewrite="")
    assert _top_texts(index, 10.0, mode="bm25") == _top_texts(index, 10.0, mode="bm25", rewrite="")
