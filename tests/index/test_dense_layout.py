"""The dense index searches exactly while small and through an HNSW graph once large."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.dense import DenseIndex, DenseLayout, choose_layout
from policyqa.config import Settings


def _unit_vectors(count: int, dim: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_layout_is_chosen_by_size() -> None:
    assert choose_layout(199_999, 200_000).kind == "flat"
    assert choose_layout(200_000, 200_000).kind == "hnsw"
    assert choose_layout(10, 5).to_json() == {"kind": "hnsw", "m": 32, "ef_construction": 80, "ef_search": 512,
                                              "vectors": "fp16"}
    assert choose_layout(10, 50).to_json() == {"kind": "flat"}


def test_hnsw_finds_what_exact_search_finds(tmp_path: Path) -> None:
    vectors = _unit_vectors(4000, 48, seed=1)
    rows = np.arange(len(vectors))
    exact = DenseIndex.build(vectors, rows, 48)
    graph = DenseIndex.build(vectors, rows, 48, DenseLayout("hnsw"))
    graph.save(tmp_path)
    graph = DenseIndex.load(tmp_path)
    assert graph.layout == DenseLayout("hnsw") and exact.layout.kind == "flat"
    weak = DenseIndex.build(vectors, rows, 48, DenseLayout("hnsw", ef_search=16))
    weak.save(tmp_path)  # built before the candidate count was raised: loaded with today's
    assert DenseIndex.load(tmp_path).layout.ef_search == DenseLayout().ef_search
    recall = []
    for query in _unit_vectors(50, 48, seed=2):
        truth = set(exact.search(query, 10)[0].tolist())
        recall.append(len(truth & set(graph.search(query, 10)[0].tolist())) / 10)
    assert np.mean(recall) >= 0.95


def test_the_graph_holds_half_precision_vectors_in_half_the_memory_at_the_same_recall(tmp_path: Path) -> None:
    vectors = _unit_vectors(4000, 64, seed=7)
    rows = np.arange(len(vectors))
    exact = DenseIndex.build(vectors, rows, 64)
    sizes, recalls = {}, {}
    for held in ("float32", "fp16"):
        graph = DenseIndex.build(vectors, rows, 64, DenseLayout("hnsw", vectors=held))
        (tmp_path / held).mkdir()
        graph.save(tmp_path / held)
        loaded = DenseIndex.load(tmp_path / held)
        assert loaded.layout.vectors == held
        sizes[held] = (tmp_path / held / "faiss.index").stat().st_size
        queries = _unit_vectors(40, 64, seed=8)
        recalls[held] = np.mean([len(set(exact.search(q, 10)[0].tolist()) & set(loaded.search(q, 10)[0].tolist())) / 10
                                 for q in queries])
        # a re-ingest reuses stored vectors: half precision read back and stored again is unchanged
        again = DenseIndex.build(loaded.vectors_of(rows), rows, 64, DenseLayout("hnsw", vectors=held))
        assert np.array_equal(again.vectors_of(rows), loaded.vectors_of(rows))
    assert sizes["float32"] - sizes["fp16"] >= 0.45 * vectors.nbytes
    assert recalls["fp16"] >= recalls["float32"] - 0.01


def test_more_search_candidates_find_more_of_what_exact_search_finds() -> None:
    vectors = _unit_vectors(4000, 32, seed=5)
    rows = np.arange(len(vectors))
    exact = DenseIndex.build(vectors, rows, 32)
    graph = DenseIndex.build(vectors, rows, 32, DenseLayout("hnsw", m=4, ef_construction=16, ef_search=10))
    queries = _unit_vectors(40, 32, seed=6)
    truths = [set(exact.search(q, 10)[0].tolist()) for q in queries]

    def recall() -> float:
        return float(np.mean([len(t & set(graph.search(q, 10)[0].tolist())) / 10 for t, q in zip(truths, queries, strict=True)]))

    narrow = recall()
    graph.set_ef_search(400)
    assert graph.layout.ef_search == 400 and recall() > narrow + 0.1
    exact.set_ef_search(400)  # nothing to set on an exact index
    assert exact.layout.kind == "flat"


def test_a_narrow_filter_on_a_graph_is_searched_exactly_among_what_it_allows() -> None:
    vectors = _unit_vectors(3000, 32, seed=3)
    rows = np.arange(len(vectors))
    exact = DenseIndex.build(vectors, rows, 32)
    graph = DenseIndex.build(vectors, rows, 32, DenseLayout("hnsw", m=4, ef_construction=8, ef_search=8))
    mask = np.zeros(len(vectors), dtype=bool)
    mask[::97] = True  # 31 pieces: a graph walk would pass most of them by
    query = _unit_vectors(1, 32, seed=4)[0]
    found, scores = graph.search(query, 10, mask)
    expected, expected_scores = exact.search(query, 10, mask)
    # the graph holds half-precision vectors: its scores are exact search's to fp16's resolution
    assert found.tolist() == expected.tolist() and np.allclose(scores, expected_scores, atol=2e-3)
    assert all(mask[found])


@pytest.mark.parametrize(("exact_below", "kind"), [(200_000, "flat"), (100, "hnsw")])
def test_ingest_records_the_layout_and_answers_the_same(corpus_files: list[Path], tmp_path: Path,
                                                       exact_below: int, kind: str) -> None:
    from app.service import AnswerService
    from index.build import ingest_paths

    settings = Settings(index_dir=tmp_path / "index", embed_model="offline", semantic_model="off",
                        exact_search_below=exact_below, cache_dir=tmp_path / "cache")
    ingest_paths(corpus_files, settings, progress=False)
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dense_index"]["kind"] == kind
    answer = AnswerService(settings).ask("外贸企业出口信用保险补助比例是多少")
    assert answer.found and "60%" in answer.text
    assert DenseIndex.load(tmp_path / "index").layout.kind == kind
