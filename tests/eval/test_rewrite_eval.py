"""`policyqa eval --llm --llm-rewrite`'s recall with and without a rewrite, on given rewrites (the
model's own are measured by the command; its rewriter is tested against a real model)."""
from __future__ import annotations

import pytest

from app.llm.rewrite import search_terms
from eval.rewrite_eval import recall_with_and_without, rewrite_sample, rewrite_table
from index.backend import open_index


@pytest.fixture(scope="module")
def index(corpus_settings):
    return open_index(corpus_settings)


def test_the_documents_own_wording_as_a_rewrite_raises_recall_and_no_rewrite_changes_nothing(index) -> None:
    questions = rewrite_sample()["train paraphrase+colloquial"][:40]
    default = index.config
    # the gold sentence in place of a model's rewrite: the best a rewrite could bring
    gold = {q.qid: search_terms(q.refs[0].span) for q in questions}
    recall = recall_with_and_without(index, questions, gold, weights=(1.0,))
    assert index.config == default  # the index is left as it was found
    assert recall["rewrite x1"]["R@5"] > recall["without"]["R@5"]
    assert recall["rewrite x1"]["RR@10"] > recall["without"]["RR@10"]
    unchanged = recall_with_and_without(index, questions, {}, weights=(1.0,))
    assert unchanged["rewrite x1"] == unchanged["without"] == recall["without"]


def test_the_table_shows_each_set_with_and_without() -> None:
    metrics = {"R@1": 0.5, "R@5": 0.75, "R@10": 0.8, "RR@10": 0.6}
    result = {"model": "m", "rewritten": 2, "planned": 3, "median_s": 1.25, "empty": 1,
              "recall": {"dev": {"n": 2, "without": metrics, "rewrite x0.5": dict(metrics, **{"R@5": 1.0})}}}
    table = rewrite_table(result)
    assert "改写 2/3 题" in table and "空改写 1 题" in table
    assert "| dev | 2 | without | 0.500 | 0.750 | 0.800 | 0.600 |" in table
    assert "| dev | 2 | rewrite x0.5 | 0.500 | 1.000 | 0.800 | 0.600 |" in table
