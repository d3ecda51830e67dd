"""Answer speed: warm p50/p95 of retrieval + offline answer, and a cold `policyqa ask` process.

python -m eval.benchmark_answer [--index DIR] [--rounds N]  ->  eval/bench/answer.json
Uses the offline embedder; builds an index of the bundled corpus in a temporary folder unless
--index names an existing one.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.answer_metrics import percentile
from policyqa.config import BUNDLED_CORPUS, PROJECT_ROOT, Settings, load_settings

OUTPUT = PROJECT_ROOT / "eval" / "bench" / "answer.json"
QUESTIONS = [
    "外贸企业出口信用保险补助比例是多少",
    "出口信用保险补助哪个部门负责",
    "温州工业用地容积率一般不低于多少",
    "瑞安市2023年财政预算安排多少资金支持重大项目建设",
    "什么是“五个零”机制",
    "乐清市出让土地总量中工业用地比例不低于多少",
    "新能源汽车以旧换新最高补贴多少",
    "瑞安新认定的国家级科技企业孵化器最高奖励多少",
    "乐清2023年全市新增首贷户目标是多少户",
    "温州一次性育儿补贴由哪个部门负责",
    "大学生租房补贴每月多少钱",
    "瑞安市对企业上市给予多少奖励",
    "小微企业贷款贴息比例是多少",
    "温州对企业研发费用按什么比例给予奖励",
    "乐清全市健康体检要完成多少人",
    "企业招用退役军人可以享受多少税收减免",
    "乐清政府性融资担保机构的平均担保费率不高于多少",
    "瑞安2023年发放创业担保贷款多少",
    "“一芯一港两基地”指的是什么",
    "温州2024年争取落地多少个1亿美元以上外资大项目",
]
COLD_QUESTION = "外贸企业出口信用保险补助比例是多少"
WARM_UP = "研发费用加计扣除政策"  # not among QUESTIONS: their first asking is timed


def warm_timings(settings: Settings, rounds: int) -> dict[str, float | dict[str, float]]:
    """Per-question wall time (ms) with a loaded service: p50, p95, max over both answer styles and
    every round; and apart, each question's first asking (`first_time`): a service keeps the neural
    model's recent question vectors, so a question asked again skips embedding it."""
    from app.service import AnswerService

    service = AnswerService(settings)
    service.ask(WARM_UP)  # load the index, the tokenizer and the neural model once, as a running server has
    timings: list[float] = []
    first_time: list[float] = []
    for round_number in range(rounds):
        for question in QUESTIONS:
            for style in ("default", "hotline"):
                started = time.perf_counter()
                service.ask(question, style=style)
                elapsed = (time.perf_counter() - started) * 1000
                timings.append(elapsed)
                if round_number == 0 and style == "default":
                    first_time.append(elapsed)
    return {"questions": len(timings), "p50_ms": round(percentile(timings, 50), 2),
            "p95_ms": round(percentile(timings, 95), 2), "max_ms": round(max(timings), 2),
            "first_time": {"questions": len(first_time), "p50_ms": round(percentile(first_time, 50), 2),
                           "p95_ms": round(percentile(first_time, 95), 2)}}


def cold_timings(index_dir: Path, runs: int = 5) -> dict[str, object]:
    """Wall time of whole `policyqa ask` processes against an existing index, each run next to a
    process that only loads jieba's dictionary (`import jieba; jieba.initialize()`): the same
    machine at the same moment, for scale."""
    env = dict(os.environ, POLICYQA_INDEX_DIR=str(index_dir), POLICYQA_EMBED_MODEL="offline",
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    for name in ("POLICYQA_LLM_BASE_URL", "POLICYQA_LLM_MODEL"):
        env.pop(name, None)
    ask = [sys.executable, "-c", "from cli.main import main; main()", "ask", COLD_QUESTION]
    jieba_only = [sys.executable, "-c", "import jieba; jieba.initialize()"]
    subprocess.run(ask, env=env, capture_output=True, check=False)  # the dictionary cache, once
    seconds: dict[str, list[float]] = {"ask": [], "jieba": []}
    for _ in range(runs):
        for name, command in (("ask", ask), ("jieba", jieba_only)):
            started = time.perf_counter()
            result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, check=False)
            seconds[name].append(round(time.perf_counter() - started, 3))
            if result.returncode != 0 or (name == "ask" and "[1]" not in result.stdout):
                raise RuntimeError(f"{name} failed: {result.stderr[-500:]}")
    return {"runs_s": seconds["ask"], "median_s": statistics.median(seconds["ask"]), "max_s": max(seconds["ask"]),
            "jieba_initialize_runs_s": seconds["jieba"], "jieba_initialize_median_s": statistics.median(seconds["jieba"])}


def main(argv: list[str] | None = None) -> int:
    """Run both measurements and write eval/bench/answer.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None, help="an existing index folder (offline embedder)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="policyqa-bench-") as scratch:
        index_dir = args.index or Path(scratch) / "index"
        settings = load_settings({}).with_overrides(index_dir=index_dir, embed_model="offline")
        if args.index is None:
            from index.build import ingest_paths

            ingest_paths(sorted(BUNDLED_CORPUS.glob("*.txt")), settings, progress=False)
        report = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "embedder": "offline",
            "warm": warm_timings(settings, args.rounds),
            "cold_process": cold_timings(index_dir),
            "targets": {"warm_p95_ms": 50, "cold_process_s": 1.0},
        }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
