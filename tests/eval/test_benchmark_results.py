"""Benchmark result files: a run that skips the large corpus keeps the earlier large rows, dated."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import eval.benchmark_retrieval as benchmark


def _render(results: dict) -> str:
    return "".join(f"{name}\n" for name in results["corpora"])


def test_corpora_not_measured_again_are_carried_over_with_their_date(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(benchmark, "OUT_DIR", tmp_path)
    benchmark.write_results("x", {"date": "day 1", "corpora": {"bundled": {"v": 1}, "large": {"v": 2}}}, _render)
    text = benchmark.write_results("x", {"date": "day 2", "corpora": {"bundled": {"v": 3}}}, _render)
    saved = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert saved["corpora"] == {"bundled": {"v": 3}, "large": {"v": 2}}  # the new bundled rows, the old large ones
    assert saved["carried_over"] == {"large": "day 1"} and "large (day 1)" in text
    # a third run keeps the date the large rows were measured, not the second run's
    benchmark.write_results("x", {"date": "day 3", "corpora": {"bundled": {"v": 4}}}, _render)
    assert json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))["carried_over"] == {"large": "day 1"}
    assert (tmp_path / "x.md").read_text(encoding="utf-8").startswith("bundled\nlarge\n")


def test_the_ef_search_sweep_measures_recall_on_one_graph_and_is_tabled(tmp_path: Path, corpus_files) -> None:
    from index.build import ingest_paths
    from policyqa.config import Settings

    folder = tmp_path / "index"  # the bundled corpus as an HNSW graph (threshold lowered)
    ingest_paths(corpus_files, Settings(index_dir=folder, embed_model="offline", semantic_model="off",
                                        exact_search_below=10, cache_dir=tmp_path / "cache"))
    measured = benchmark.dense_recall(folder, [1, 512])
    sweep = measured["ef_search_sweep"]
    assert measured["dense_index"]["kind"] == "hnsw" and list(sweep) == ["1", "512"]
    assert 0 <= sweep["1"]["recall_at_10"] <= sweep["512"]["recall_at_10"] == 1.0
    row = {"clauses": 365, "ingest_s": 1, "reingest_unchanged_s": 0, "index_bytes": 1, "open_s": 0,
           "latency_ms": {m: {"p50": 0, "p95": 0} for m in ("bm25", "dense", "hybrid")},
           "build_peak_rss_mb": 1, "serve_peak_rss_mb": 1, **measured}
    text = benchmark.markdown({"machine": "m", "date": "d", "corpora": {"bundled": row}})
    assert "| bundled | 512 | 1.0 |" in text
    # a row measured before sentences and answers were timed
    assert "| 0 / 0 | 0 / 0 | – | 0 / 0 | – | – | 1 / 1 | hnsw fp16 |" in text


def test_the_benchmark_times_answers_and_the_sentence_ranking_over_the_index(corpus_settings) -> None:
    from index.backend import open_index

    first, warm = benchmark.answer_latencies(corpus_settings.index_dir, open_index(corpus_settings))
    assert first > 0 and len(warm) == len(benchmark.QUERIES) and all(ms > 0 for ms in warm)
    assert len(benchmark.sentence_latencies(corpus_settings.index_dir, 2, 150)) == 2 * len(benchmark.QUERIES)


def test_the_answer_benchmark_times_each_questions_first_asking_apart(corpus_settings) -> None:
    # a service keeps its recent question vectors: the first asking of each question is reported on
    # its own, and the warm-up asks none of the timed questions
    import eval.benchmark_answer as answer_benchmark

    assert answer_benchmark.WARM_UP not in answer_benchmark.QUESTIONS
    warm = answer_benchmark.warm_timings(corpus_settings, rounds=1)
    assert warm["questions"] == 2 * len(answer_benchmark.QUESTIONS)  # both styles
    assert warm["first_time"]["questions"] == len(answer_benchmark.QUESTIONS)
    assert 0 < warm["first_time"]["p50_ms"] <= warm["first_time"]["p95_ms"]
