"""A long benchmark run resumes where it was stopped: finished stages are kept, a half build is redone."""
from __future__ import annotations

from pathlib import Path

import pytest

import eval.benchmark_backends as backends
from eval.benchmark_retrieval import synthetic_corpus


def test_a_stopped_run_keeps_finished_stages_redoes_the_half_build_and_settles_the_reingest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[tuple[str, ...]] = []
    stop_at: list[str] = ["--reingest"]  # the first run is killed inside its re-ingest

    def stage_process(*args: str) -> dict:  # the process a stage runs; killing one cannot be done on demand
        ran.append(args)
        if args[0] in stop_at:
            raise KeyboardInterrupt
        return {args[0]: len(ran)}

    monkeypatch.setattr(backends, "_in_subprocess", stage_process)
    folder = tmp_path / "large-milvus"
    stages = backends.Stages(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        backends.measure(stages, "large-milvus", folder, "milvus", (), ("--rounds", "1"))
    folder.mkdir()
    (folder / "milvus.db").write_text("the index the build left", encoding="utf-8")

    stop_at.clear()
    ran.clear()
    row = backends.measure(backends.Stages(tmp_path), "large-milvus", folder, "milvus", (), ("--rounds", "1"))
    assert [args[0] for args in ran] == ["--reingest", "--serve"]  # the finished build is not run again
    assert "--settle" in ran[0]  # the index may still hold the changed file
    assert row == {"--build": 1, "--reingest": 1, "--serve": 2}
    assert folder.exists()  # a finished build's index is kept

    # a build that never finished: its half index is removed and it runs again
    (tmp_path / "stages" / "large-milvus-build.json").unlink()
    ran.clear()
    backends.measure(backends.Stages(tmp_path), "large-milvus", folder, "milvus", (), ("--rounds", "1"))
    assert not (folder / "milvus.db").exists() and [args[0] for args in ran] == ["--build"]


def test_the_synthetic_corpus_written_again_puts_back_a_changed_seed(tmp_path: Path, corpus_settings) -> None:
    folder, _ = synthetic_corpus(tmp_path / "synthetic", 3000, corpus_settings.index_dir)
    last = sorted(folder.glob("*.txt"))[-1]
    last.write_text("1000002", encoding="utf-8")  # a run stopped while this file was changed
    synthetic_corpus(folder, 3000, corpus_settings.index_dir)
    assert [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))] == ["0", "1", "2"]


def test_the_backends_table_has_a_cell_for_every_column_and_shows_the_first_search() -> None:
    row = {"clauses": 10, "ingest_s": 1.0, "reingest_unchanged_s": 0.1, "catalogue_bytes": 0, "milvus_bytes": 0,
           "open_s": 0.5, "first_search_s": 2640.0, "latency_ms": {m: {"p50": 1, "p95": 2} for m in backends.MODES},
           "first_time_hybrid_ms": {"p50": 7, "p95": 9}, "build_peak_rss_mb": 1, "serve_peak_rss_mb": 2}
    table = backends.markdown({"machine": "m", "date": "d", "corpora": {"synthetic": {"milvus": row}}})
    header, alignment, cells = table.splitlines()[4:7]
    assert header.count("|") == alignment.count("|") == cells.count("|") == len(backends.TABLE_COLUMNS) + 1
    assert cells.split(" | ")[backends.TABLE_COLUMNS.index("first search s")] == "2640.0"
    assert cells.split(" | ")[backends.TABLE_COLUMNS.index("hybrid, query's first search p50/p95 ms")] == "7 / 9"


def test_serving_times_each_querys_first_search_apart_from_its_repeats(corpus_settings) -> None:
    # a reader that keeps what it fetched answers a repeated query faster: the first search of each
    # query must not be mixed into the repeats, nor be a warm-up's repeat
    assert not set(backends.WARM_UP) & set(backends.QUERIES)
    served = backends.serve(corpus_settings.index_dir, "faiss", rounds=2, with_recall=False)
    assert set(served["first_time_hybrid_ms"]) == {"p50", "p95"}
    assert set(served["latency_ms"]) == set(backends.MODES)
