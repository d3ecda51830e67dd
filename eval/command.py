"""`policyqa eval`: run the configurations, write the report, apply the thresholds.

The CLI (cli/main.py) parses options and calls `run_eval`; everything here is plain Python so
tests and scripts can call it directly.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from eval.configurations import ALL_CONFIGS, evaluate
from eval.gate import check, flatten, load_expected, parse_thresholds
from eval.questions import QUESTIONS_FILE, load_questions
from eval.report import answer_table, retrieval_table, write_outputs
from policyqa.config import BUNDLED_CORPUS, PROJECT_ROOT, Settings
from policyqa.errors import UserError

DEFAULT_OUT = PROJECT_ROOT / "eval" / "reports" / "latest"
QUICK_CONFIGS = ("hybrid",)


def parse_configs(text: str) -> tuple[str, ...]:
    """`bm25,dense,hybrid,naive` -> a tuple in that order; a clear error for an unknown name."""
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [n for n in names if n not in ALL_CONFIGS]
    if unknown or not names:
        raise UserError(f"未知的配置 {', '.join(unknown) or '(空)'}；可选：{','.join(ALL_CONFIGS)}")
    return names


def parse_fold_seeds(text: str) -> tuple[int, ...]:
    """`11,22,33` -> (11, 22, 33): the seeds of further cross-validation fold splits; a clear error otherwise."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or not all(part.isdigit() for part in parts):
        raise UserError(f"折划分的种子应是逗号分隔的非负整数（如 11,22,33），收到：{text or '(空)'}")
    return tuple(dict.fromkeys(int(part) for part in parts))


def run_eval(settings: Settings, *, out_dir: Path = DEFAULT_OUT, configs: Sequence[str] = ALL_CONFIGS,
             fail_under: Sequence[str] = (), quick: bool = False, check_expected: bool = False,
             questions_file: Path = QUESTIONS_FILE, echo: Callable[[str], None] = print,
             refresh_bundled_index: bool = False, fold_seeds: Sequence[int] = ()) -> int:
    """Evaluate, write the report into `out_dir`, print the headline tables; 1 when a bound fails.

    `fold_seeds` adds the training sources cross-validated under those fold splits (full report only).

    With `refresh_bundled_index`, the index at settings.index_dir is first brought to exactly the
    bundled corpus (incrementally), so the scores do not depend on what else a user has indexed.
    """
    thresholds = parse_thresholds(fail_under)
    if quick and fold_seeds:
        raise UserError("--fold-seeds 只用于完整报告（按来源交叉验证），不能与 --quick 同用。")
    questions = load_questions(questions_file)
    if refresh_bundled_index:
        from index.build import ingest_paths

        ingest_paths([], settings, replace=True)
    configs = QUICK_CONFIGS if quick else tuple(configs)
    corpus = sorted(BUNDLED_CORPUS.glob("*.txt"))
    evaluation = evaluate(settings, questions, configs, corpus, answers=True,
                          progress=lambda message: print(message, file=sys.stderr))
    summary = evaluation["summary"]
    if not quick and "hybrid" in evaluation["records"]:
        from eval.judge import judge_with_settings

        summary["judge"] = judge_with_settings(settings, questions, evaluation["records"]["hybrid"])
    if not quick:
        from eval.retrieval_by_source import fusion_cross_validation, retrieval_results
        from eval.source_report import source_results

        summary["answers_by_source"] = source_results(settings, fold_seeds)
        summary["retrieval_by_source"] = retrieval_results(settings)
        summary["fusion_cross_validation"] = fusion_cross_validation(settings)
    report = write_outputs(evaluation, Path(out_dir))
    echo(retrieval_table(summary))
    if summary["answers"]:
        echo("\n" + answer_table(summary))
    if summary.get("answers_by_source"):
        from eval.retrieval_by_source import fusion_table, source_retrieval_table
        from eval.source_report import source_table

        table = "\n\n".join(part for part in (
            source_retrieval_table(summary["retrieval_by_source"]),
            fusion_table(summary["fusion_cross_validation"]) if summary.get("fusion_cross_validation") else "",
            source_table(summary["answers_by_source"])) if part)
        echo("\n" + table)
        with report.open("a", encoding="utf-8") as out:
            out.write("\n## By question source: retrieval, and answers (shipped model, trained without the source,"
                      " no synonym table)\n\n" + table + "\n")
    for note in summary["notes"]:
        echo(note)
    echo(f"\n报告：{report}")
    flat = flatten(summary)
    bounds = dict(load_expected()) if check_expected else {}
    if check_expected and summary.get("answers_by_source"):
        bounds.update(load_expected(section="held_out"))
    bounds.update(thresholds)
    failures = check(flat, bounds)
    for line in failures:
        echo(f"未达标：{line}")
    return 1 if failures else 0


def run_llm_eval(settings: Settings, *, out_dir: Path = DEFAULT_OUT, limit: int = 12, budget_s: float = 900.0,
                 questions_file: Path = QUESTIONS_FILE, echo: Callable[[str], None] = print,
                 refresh_bundled_index: bool = False, context_clauses: int | None = None,
                 max_tokens: int | None = None, sample: str = "project", rewrite: bool = False) -> Path:
    """`policyqa eval --llm`: the comparison table printed and written to `out_dir`/llm.md (and .json).
    `sample` "shared": the fixed 30 questions of ../shared/dev, also scored by its own scorer.
    `rewrite`: instead, recall with and without the LLM's rewrite of the question (`out_dir`/rewrite.md)."""
    from eval.llm_eval import compare, llm_table, shared_sample, shared_scores, shared_table, stratified

    if refresh_bundled_index:
        from index.build import ingest_paths

        ingest_paths([], settings, replace=True)
    if rewrite:
        from eval.rewrite_eval import measure_rewrites, rewrite_table

        measured = measure_rewrites(settings, budget_s=budget_s, progress=lambda message: print(message, file=sys.stderr))
        return _write_report(out_dir, "rewrite", rewrite_table(measured), measured, echo)
    questions = shared_sample() if sample == "shared" else stratified(load_questions(questions_file), limit)
    result = compare(settings, questions, budget_s=budget_s, context_clauses=context_clauses, max_tokens=max_tokens,
                     progress=lambda message: print(message, file=sys.stderr))
    table = llm_table(result)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if sample == "shared" and result["rows"]:
        asked = [q for q in questions if q.qid in {r["qid"] for r in result["rows"]}]
        result["shared_scores"] = {mode: shared_scores([r["answers"][mode] for r in result["rows"]], asked,
                                                       out / f"shared-{mode}") for mode in ("llm", "offline")}
        table += "\n\n" + shared_table(result["shared_scores"])
    return _write_report(out, "llm", table, result, echo)


def _write_report(out_dir: Path, name: str, table: str, result: dict, echo: Callable[[str], None]) -> Path:
    """`table` printed and written to out_dir/<name>.md, `result` to <name>.json."""
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.md").write_text(table + "\n", encoding="utf-8")
    (out / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    echo(table)
    echo(f"\n报告：{out / f'{name}.md'}")
    return out / f"{name}.md"
