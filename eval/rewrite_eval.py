"""`policyqa eval --llm --llm-rewrite`: search with and without the LLM's rewrite of the question.

The rewrite (app/llm/rewrite.py) is asked once per question; each question is then searched twice,
without and with it fused, and recall is scored on the development set and on the training set's
questions in users' own words (paraphrase, colloquial), where a rewrite has the most to add.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from statistics import median
from typing import TYPE_CHECKING, Any

from eval.llm_eval import llm_settings
from eval.questions import DEV_QUESTIONS_FILE, TRAIN_QUESTIONS_FILE, Question, load_questions
from eval.retrieval_metrics import score_retrieval
from eval.trec import build_qrels, run_from_rankings
from policyqa.errors import UserError

if TYPE_CHECKING:
    from index.contract import SearchIndex
    from policyqa.config import Settings

USERS_WORDING = ("paraphrase", "colloquial")
MEASURED = ("R@1", "R@5", "R@10", "RR@10")


def rewrite_sample() -> dict[str, list[Question]]:
    """{set: answerable questions}: the whole development set, and the training set's questions
    in users' own words."""
    missing = [str(f) for f in (DEV_QUESTIONS_FILE, TRAIN_QUESTIONS_FILE) if not f.exists()]
    if missing:
        raise UserError(f"找不到共享题集：{'、'.join(missing)}")
    return {"dev": [q for q in load_questions(DEV_QUESTIONS_FILE) if q.answerable],
            "train paraphrase+colloquial": [q for q in load_questions(TRAIN_QUESTIONS_FILE)
                                            if q.answerable and q.kind in USERS_WORDING]}


def recall_with_and_without(index: SearchIndex, questions: Sequence[Question], rewrites: dict[str, str],
                            weights: Sequence[float]) -> dict[str, dict[str, float]]:
    """{"without" | "rewrite x<w>": metrics} of hybrid search over `questions` (their rewrites fused
    at each weight in `weights`)."""
    units = [(c.clause_id, c.doc.doc_id, c.text) for c in index.clauses]
    qrels = build_qrels(questions, units)
    kinds = {q.qid: q.kind for q in questions}
    default = index.config
    results = {}
    try:
        for weight in (0.0, *weights):
            index.config = replace(default, rewrite_weight=weight)
            rankings = {q.qid: [h.clause.clause_id for h in index.search(q.question, top_k=10,
                                                                         rewrite=rewrites.get(q.qid, ""))]
                        for q in questions}
            overall = score_retrieval(qrels, run_from_rankings(rankings, 10), kinds)["overall"]
            results["without" if weight == 0.0 else f"rewrite x{weight:g}"] = {m: overall[m] for m in MEASURED}
    finally:
        index.config = default
    return results


def measure_rewrites(settings: Settings, *, budget_s: float, weights: Sequence[float] = (0.25, 0.5, 1.0),
                     progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Rewrites of the sample by the configured (or bundled) model within `budget_s`, and recall of
    the rewritten questions' sets with and without them."""
    from app.llm.rewrite import QueryRewriter
    from index.backend import open_index

    sample = rewrite_sample()
    index = open_index(settings)
    rewrites: dict[str, str] = {}
    seconds: list[float] = []
    with llm_settings(settings) as (with_llm, model_name):
        rewriter = QueryRewriter(with_llm)
        started = time.monotonic()
        for q in (q for questions in sample.values() for q in questions):
            if time.monotonic() - started > budget_s:
                break
            rewrites[q.qid], ms = rewriter.rewrite(q.question)
            seconds.append(ms / 1000)
            progress(f"[{len(rewrites)}] {q.qid} {ms / 1000:.1f}s {rewrites[q.qid]}")
    done = {name: [q for q in questions if q.qid in rewrites] for name, questions in sample.items()}
    return {"model": model_name, "rewritten": len(rewrites), "planned": sum(map(len, sample.values())),
            "budget_s": budget_s, "empty": sum(not r for r in rewrites.values()),
            "median_s": median(seconds) if seconds else 0.0, "rewrites": rewrites,
            "recall": {name: {"n": len(questions), **recall_with_and_without(index, questions, rewrites, weights)}
                       for name, questions in done.items() if questions}}


def rewrite_table(result: dict[str, Any]) -> str:
    """Recall with and without the rewrite, per question set, as a Markdown table."""
    lines = [f"LLM：{result['model']}；改写 {result['rewritten']}/{result['planned']} 题，"
             f"中位 {result['median_s']:.1f} 秒/题，空改写 {result['empty']} 题", "",
             "| question set | n | search | " + " | ".join(MEASURED) + " |",
             "|---|---|---|" + "---|" * len(MEASURED)]
    for name, rows in result["recall"].items():
        for label, metrics in rows.items():
            if label != "n":
                lines.append(f"| {name} | {rows['n']} | {label} | " + " | ".join(f"{metrics[m]:.3f}" for m in MEASURED)
                             + " |")
    return "\n".join(lines)
