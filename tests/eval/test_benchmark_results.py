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
