"""The question map: fitting, applying, storing, and that the shipped one brings questions closer to
the sentences that answer them than the model alone (real engine; it fails without it)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.query_map import (
    MAP_FILE,
    apply_query_map,
    fit_query_map,
    load_query_map,
    normal_equations,
    solve_query_map,
    write_query_map,
)
from index.semantic import CACHE_FILE, E5Embedder, EmbeddingCache, semantic_embedder


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_a_fitted_map_learns_a_consistent_shift_and_ridge_keeps_it_near_the_identity() -> None:
    rng = np.random.default_rng(0)
    dim = 16
    rotation = np.linalg.qr(rng.normal(size=(dim, dim)))[0]
    questions = _unit(rng.normal(size=(200, dim)))
    answers = [_unit((q @ rotation)[None, :]) for q in questions]
    learned = fit_query_map(questions, answers, ridge=0.01)
    unseen = _unit(rng.normal(size=(20, dim)))
    mapped = apply_query_map(unseen, learned)
    assert np.allclose(np.linalg.norm(mapped, axis=1), 1.0, atol=1e-5)
    assert np.mean(np.sum(mapped * _unit(unseen @ rotation), axis=1)) > 0.99  # it generalises
    assert np.mean(np.sum(unseen * _unit(unseen @ rotation), axis=1)) < 0.5  # the raw vectors did not
    # a very strong ridge leaves the model's own vectors
    assert np.allclose(fit_query_map(questions, answers, ridge=1e9), np.eye(dim), atol=1e-5)
    # sums over groups solve to the same map as all questions at once
    first, second = normal_equations(questions[:80], answers[:80]), normal_equations(questions[80:], answers[80:])
    together = solve_query_map(first[0] + second[0], first[1] + second[1], 0.01)
    assert np.allclose(together, learned, atol=1e-5)


def test_no_map_leaves_vectors_alone() -> None:
    vectors = _unit(np.random.default_rng(1).normal(size=(3, 8))).astype(np.float32)
    assert apply_query_map(vectors, None) is vectors


def test_the_map_file_round_trips_and_a_bad_one_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "map.npy"
    matrix = np.eye(384, dtype=np.float32) * 2
    write_query_map(matrix, path)
    loaded, reason = load_query_map(path)
    assert reason == "" and loaded is not None and np.array_equal(loaded, matrix)
    assert not list(tmp_path.glob("*.tmp"))
    missing, reason = load_query_map(tmp_path / "missing.npy")
    assert missing is None and "train-decision" in reason
    np.save(path, np.eye(12))
    wrong, reason = load_query_map(path)
    assert wrong is None and "形状" in reason
    path.write_bytes(b"not numpy")
    broken, reason = load_query_map(path)
    assert broken is None and "无法读取" in reason


def test_the_product_embeds_questions_with_the_shipped_map(tmp_path: Path) -> None:
    model, reason = semantic_embedder("e5", tmp_path)
    assert model is not None and reason == "" and model.query_map is not None
    shipped, _ = load_query_map(MAP_FILE)
    assert shipped is not None and np.array_equal(model.query_map, shipped)
    question = ["政府拿出来搞科研的钱每年平均往上涨多少"]
    raw = model.embed_queries_unmapped(question)
    assert np.allclose(model.embed_queries(question), apply_query_map(raw, shipped))
    assert not np.allclose(model.embed_queries(question), raw, atol=1e-3)


@pytest.mark.parametrize(("question", "answer", "other"), [
    # wordings of no training question: the map must carry users' words to the documents', not recall questions
    ("家里老人吃饭不方便，村里会办给老人做饭的地方吗", "新建老年食堂10家，提升助餐服务水平",
     "加快培育百亿基金港，招引新基金注册20支以上"),
    ("开公司的地方租金太贵，有没有给小微企业腾出来的便宜厂房", "新增小微企业园5个，入园企业租金减免",
     "城镇调查失业率控制在5%以内"),
])
def test_the_shipped_map_brings_a_question_closer_to_its_answer(tmp_path: Path, question: str, answer: str,
                                                                other: str) -> None:
    shipped, _ = load_query_map(MAP_FILE)
    model = E5Embedder(EmbeddingCache(tmp_path / CACHE_FILE), query_map=shipped)
    passages = model.embed_passages([answer, other])
    mapped = model.embed_queries([question])[0]
    raw = model.embed_queries_unmapped([question])[0]
    assert passages[0] @ mapped > passages[0] @ raw  # closer to the answering sentence
    assert passages[0] @ mapped - passages[1] @ mapped > 0.02  # and it still prefers it to an unrelated one
