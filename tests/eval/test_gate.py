"""The CI gate: hybrid retrieval and answers on the full question set must stay above the floors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main as cli
from eval.command import parse_fold_seeds, run_eval
from eval.gate import check, flatten, load_expected, parse_thresholds
from policyqa.errors import UserError


def test_bounds_treat_failure_rates_as_ceilings() -> None:
    flat = {"retrieval.hybrid.R@10": 0.9, "answers.hybrid.false_refusal_rate": 0.3}
    assert check(flat, {"hybrid.R@10": 0.8, "hybrid.false_refusal_rate": 0.4}) == []
    failures = check(flat, {"hybrid.R@10": 0.95, "answers.hybrid.false_refusal_rate": 0.2})
    assert len(failures) == 2 and "below the floor" in failures[0] and "above the ceiling" in failures[1]
    with pytest.raises(UserError, match="未知的指标"):
        check(flat, {"hybrid.R@100": 0.5})
    # longer answers are worse: their length is a ceiling too
    lengths = {"answers.hybrid.answer_chars": 150.0}
    assert check(lengths, {"hybrid.answer_chars": 160}) == []
    assert "above the ceiling" in check(lengths, {"hybrid.answer_chars": 140})[0]


def test_answers_per_source_are_gated_by_the_held_out_section(tmp_path: Path) -> None:
    summary = {"answers_by_source": {"dev": {"shipped": {"overall": {"key_fact_accuracy": 0.8,
                                                                     "false_refusal_rate": 0.2, "n": 60}}}}}
    flat = flatten(summary)
    assert flat == {"sources.dev.shipped.key_fact_accuracy": 0.8, "sources.dev.shipped.false_refusal_rate": 0.2}
    expected = tmp_path / "expected.yaml"
    expected.write_text("bounds: {}\nheld_out:\n  sources.dev.shipped.key_fact_accuracy: 0.85\n"
                        "  sources.dev.shipped.false_refusal_rate: 0.1\n", encoding="utf-8")
    assert load_expected(expected) == {}
    assert len(check(flat, load_expected(expected, section="held_out"))) == 2


def test_thresholds_need_metric_equals_number() -> None:
    assert parse_thresholds(["hybrid.R@10=0.8"]) == {"hybrid.R@10": 0.8}
    for bad in ("hybrid.R@10", "hybrid.R@10=high", "=0.5"):
        with pytest.raises(UserError, match="指标=数值"):
            parse_thresholds([bad])


def test_cli_rejects_unknown_config_and_bad_threshold(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["eval", "--configs", "hybrid,colbert", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "colbert" in result.output
    result = runner.invoke(cli, ["eval", "--fail-under", "R@10", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "指标=数值" in result.output
    assert not any(tmp_path.iterdir())  # nothing written for a refused run


def test_fold_seeds_are_whole_numbers_for_the_full_report_only(tmp_path: Path) -> None:
    assert parse_fold_seeds("11, 22,11") == (11, 22)
    runner = CliRunner()
    for bad in ("11,x", "-3", ","):
        result = runner.invoke(cli, ["eval", "--fold-seeds", bad, "--out", str(tmp_path)])
        assert result.exit_code == 2 and "逗号分隔的非负整数" in result.output, bad
    for other in ("--quick", "--llm"):
        result = runner.invoke(cli, ["eval", other, "--fold-seeds", "11", "--out", str(tmp_path)])
        assert result.exit_code == 2 and other in result.output, other
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_quick_eval_stays_above_the_floors(backend_settings, tmp_path: Path) -> None:
    """Hybrid + answer metrics on all questions vs eval/expected.yaml, on each backend; report files written."""
    lines: list[str] = []
    code = run_eval(backend_settings, out_dir=tmp_path, quick=True, check_expected=True, echo=lines.append)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    failures = check(flatten(summary), load_expected())
    assert failures == [], "\n".join(failures)
    assert code == 0
    assert summary["questions"] >= 150 and summary["configs"] == ["hybrid"]
    assert (tmp_path / "report.md").is_file() and (tmp_path / "retrieval.png").is_file()
    assert (tmp_path / "trec" / "run.hybrid.txt").read_text(encoding="utf-8").count(" Q0 ") > 1000
    assert any("unsupported_number_rate" in line for line in lines)


def test_cli_evaluates_its_own_bundled_index_unless_one_is_given(tmp_path: Path, monkeypatch) -> None:
    import eval.command

    calls = []
    monkeypatch.setattr(eval.command, "run_eval", lambda settings, **kw: calls.append((settings, kw)) or 0)
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "user-index"))
    runner = CliRunner()
    assert runner.invoke(cli, ["eval", "--quick"]).exit_code == 0
    assert runner.invoke(cli, ["eval", "--quick", "--index", str(tmp_path / "mine")]).exit_code == 0
    (own, own_kw), (given, given_kw) = calls
    assert own.index_dir == tmp_path / "eval-index" and own_kw["refresh_bundled_index"] is True
    assert given.index_dir == tmp_path / "mine" and given_kw["refresh_bundled_index"] is False
    assert own.index_backend == "faiss"
    assert runner.invoke(cli, ["eval", "--quick", "--backend", "milvus"]).exit_code == 0
    assert runner.invoke(cli, ["--backend", "milvus", "eval", "--quick"]).exit_code == 0
    assert [s.index_backend for s, _ in calls[2:]] == ["milvus", "milvus"]
