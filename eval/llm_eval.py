"""`policyqa eval --llm`: the LLM answerer beside the offline one on a subset, bounded in time.

The model is the one configured (POLICYQA_LLM_BASE_URL …) or, when none is, the bundled local
model served by llama.cpp for the length of the run. Reported per answer mode: verified (`llm`),
repaired (`llm-repaired`), replaced by the offline answer (`extractive-fallback`), and not asked
(the decision declined, so no model was consulted); key facts and figures no cited clause states,
for the LLM and for the offline answers of the same questions.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from statistics import median

from app.render import answer_to_json
from app.service import AnswerService
from eval.answer_metrics import AnswerRecord, key_fact_share, percentile, unsupported_numbers
from eval.configurations import to_record
from eval.questions import DEV_QUESTIONS_FILE, SHARED_DEV, TRAIN_QUESTIONS_FILE, Question, load_questions
from policyqa.config import Settings
from policyqa.errors import UserError

MODES = ("llm", "llm-repaired", "extractive-fallback", "extractive")
SHARED_SAMPLE_PER_SOURCE = 15
SHARED_SCORER = SHARED_DEV / "score.py"
# what the shared scorer reports for both modes: key facts, declines of unanswerable questions,
# refusals of answerable ones, answers with a figure no cited clause states
SHARED_FIGURES = ("key_fact_acc", "rejection_acc", "false_refusal", "answers_with_unsupported_numbers")
MODE_NAMES = {"llm": "verified", "llm-repaired": "repaired", "extractive-fallback": "fallback",
              "extractive": "not asked"}


def stratified(questions: Sequence[Question], limit: int) -> list[Question]:
    """Up to `limit` questions taking each kind in turn, in file order (deterministic)."""
    by_kind: dict[str, list[Question]] = {}
    for q in questions:
        by_kind.setdefault(q.kind, []).append(q)
    chosen: list[Question] = []
    while len(chosen) < limit and any(by_kind.values()):
        for kind in list(by_kind):
            if by_kind[kind] and len(chosen) < limit:
                chosen.append(by_kind[kind].pop(0))
    return chosen


@contextmanager
def llm_settings(settings: Settings, context_clauses: int | None = None,
                 max_tokens: int | None = None) -> Iterator[tuple[Settings, str]]:
    """The settings to ask the LLM with, and which model that is (starting the local one if needed);
    `context_clauses` and `max_tokens` override the prompt's clauses and the answer's length."""
    if settings.llm_configured:
        chosen = settings.with_overrides(llm_context_clauses=context_clauses, llm_max_tokens=max_tokens)
        yield chosen, f"{settings.llm_model} @ {settings.llm_base_url}（{chosen.llm_context_clauses} 条条款）"
        return
    from app.llm.local_server import assemble_model, local_server, local_settings

    with local_server(assemble_model(settings.local_llm), threads=settings.llm_threads) as server:
        local = local_settings(settings, server).with_overrides(llm_context_clauses=context_clauses,
                                                                llm_max_tokens=max_tokens)
        yield local, (f"{server.model}（本机 llama.cpp，{local.llm_context_clauses} 条条款，"
                      f"最多 {local.llm_max_tokens} token）")


def shared_sample(per_source: int = SHARED_SAMPLE_PER_SOURCE) -> list[Question]:
    """The fixed sample of `eval --llm --llm-sample shared`: `per_source` questions of the development
    set and as many of the training set (../shared/dev), each taken kind by kind in file order."""
    missing = [str(f) for f in (DEV_QUESTIONS_FILE, TRAIN_QUESTIONS_FILE) if not f.exists()]
    if missing:
        raise UserError(f"找不到共享题集：{'、'.join(missing)}")
    return [*stratified(load_questions(DEV_QUESTIONS_FILE), per_source),
            *stratified(load_questions(TRAIN_QUESTIONS_FILE), per_source)]


def shared_scores(answers: Sequence[dict], questions: Sequence[Question], work_dir: Path) -> dict:
    """The shared scorer's figures (../shared/dev/score.py) for `answers` (answer objects with "id")."""
    wanted = {q.qid for q in questions}
    gold = [line for f in (DEV_QUESTIONS_FILE, TRAIN_QUESTIONS_FILE)
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip() and json.loads(line)["id"] in wanted]
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "questions.jsonl").write_text("\n".join(gold) + "\n", encoding="utf-8")
    (work_dir / "answers.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers),
                                            encoding="utf-8")
    done = subprocess.run([sys.executable, str(SHARED_SCORER), str(work_dir / "answers.jsonl"),
                           str(work_dir / "questions.jsonl")], capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout)
    return {name: figures[name] for name in SHARED_FIGURES}


def compare(settings: Settings, questions: Sequence[Question], *, budget_s: float,
            progress: Callable[[str], None] = print, context_clauses: int | None = None,
            max_tokens: int | None = None) -> dict:
    """Ask each question offline and with the LLM until the time budget is spent."""
    offline = AnswerService(settings.with_overrides(llm_base_url="", llm_model=""))
    rows = []
    with llm_settings(settings, context_clauses, max_tokens) as (with_llm, model_name):
        service = AnswerService(with_llm)
        started = time.monotonic()
        for n, q in enumerate(questions, start=1):
            if time.monotonic() - started > budget_s:
                break
            base = offline.ask(q.question)
            t0 = time.monotonic()
            answer = service.ask(q.question)
            seconds = time.monotonic() - t0
            rows.append({"qid": q.qid, "kind": q.kind, "answerable": q.answerable, "mode": answer.mode,
                         "seconds": seconds, "llm": _scores(q, to_record(q.qid, answer, seconds * 1000)),
                         "offline": _scores(q, to_record(q.qid, base, 0.0)),
                         "misattributed": answer.checks.get("misattributed_figures", []),
                         "answers": {"llm": {"id": q.qid, **answer_to_json(answer)},
                                     "offline": {"id": q.qid, **answer_to_json(base)}}})
            progress(f"[{n}/{len(questions)}] {q.qid} {answer.mode} {seconds:.1f}s")
    return {"model": model_name, "asked": len(rows), "planned": len(questions), "budget_s": budget_s,
            "rows": rows, "summary": summarise(rows)}


def _scores(q: Question, record: AnswerRecord) -> dict:
    return {"key_facts": key_fact_share(record.text, q.key_facts) if q.answerable else None,
            "unsupported": sorted(unsupported_numbers(record.text, record.cited_texts + record.support_texts,
                                                      q.question)),
            "found": record.found}


def summarise(rows: Sequence[dict]) -> dict:
    """Mode rates, key facts (answerable questions) and unsupported figures, LLM beside offline."""
    if not rows:
        return {}
    modes = Counter(r["mode"] for r in rows)
    answerable = [r for r in rows if r["answerable"]]

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    return {
        "rates": {MODE_NAMES[m]: modes.get(m, 0) / len(rows) for m in MODES},
        "key_facts_llm": mean([r["llm"]["key_facts"] for r in answerable]),
        "key_facts_offline": mean([r["offline"]["key_facts"] for r in answerable]),
        "unsupported_llm": sum(bool(r["llm"]["unsupported"]) for r in rows),
        "unsupported_offline": sum(bool(r["offline"]["unsupported"]) for r in rows),
        "misattributions_caught": sum(len(r["misattributed"]) for r in rows),
        # time of the answers the model was asked for (a declined question never reaches it)
        "median_s": median(asked) if (asked := [r["seconds"] for r in rows if r["mode"] != "extractive"]) else 0.0,
        "p95_s": percentile(asked, 95),
    }


def shared_table(scores: dict) -> str:
    """Both modes by the shared scorer, as a Markdown table."""
    lines = ["| ../shared/dev/score.py | " + " | ".join(SHARED_FIGURES) + " |",
             "|---|" + "---|" * len(SHARED_FIGURES)]
    for mode in ("llm", "offline"):
        lines.append(f"| {mode} | " + " | ".join(f"{scores[mode][name]:.3f}" for name in SHARED_FIGURES) + " |")
    return "\n".join(lines)


def llm_table(result: dict) -> str:
    """The comparison as a Markdown table (what the README shows)."""
    s = result["summary"]
    if not s:
        return "（时间预算内未完成任何问题）"
    rates = s["rates"]
    lines = [
        f"LLM：{result['model']}；{result['asked']}/{result['planned']} 题（时间预算 {result['budget_s']:.0f} 秒）",
        "",
        "| | verified | repaired | fallback | not asked | key facts | answers with unsupported figures "
        "| median s | p95 s |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| LLM | {rates['verified']:.2f} | {rates['repaired']:.2f} | {rates['fallback']:.2f} | "
        f"{rates['not asked']:.2f} | {s['key_facts_llm']:.3f} | {s['unsupported_llm']} | {s['median_s']:.1f} "
        f"| {s['p95_s']:.1f} |",
        f"| offline | – | – | – | – | {s['key_facts_offline']:.3f} | {s['unsupported_offline']} | – | – |",
        "",
        f"Figures put beside another item than their clause gives them, caught by the verifier: "
        f"{s['misattributions_caught']}",
    ]
    return "\n".join(lines)
