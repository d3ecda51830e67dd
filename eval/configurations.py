"""Running the question set through each configuration and scoring the results.

Configurations: `bm25`, `dense`, `hybrid` go through the product's index; `naive` is the
fixed-size-chunk baseline of eval/naive.py with the same embedder. Answer metrics come from
AnswerService, which retrieves in hybrid mode (it has no retrieval-mode knob; when one appears as
an `ask(..., retrieval_mode=…)` parameter, the other product modes are answered too).
"""
from __future__ import annotations

import inspect
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from eval.answer_metrics import AnswerRecord, percentile, score_answers
from eval.questions import Question
from eval.retrieval_metrics import score_retrieval
from eval.trec import Qrels, build_qrels, run_from_rankings
from policyqa.model import Answer, Style

if TYPE_CHECKING:
    from app.service import AnswerService
    from eval.naive import NaiveRetriever
    from index.contract import SearchIndex
    from policyqa.config import Settings

PRODUCT_CONFIGS = ("bm25", "dense", "hybrid")
ALL_CONFIGS = (*PRODUCT_CONFIGS, "naive")
TOP_K = 10
# the answers section's row for the hotline style (hybrid retrieval), beside the retrieval modes' rows
READ_ALOUD: Style = "hotline"
Progress = Callable[[str], None]


Result = TypeVar("Result")


def _timed(call: Callable[[], Result]) -> tuple[Result, float]:
    started = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - started) * 1000


def retrieve_product(index: SearchIndex, questions: Sequence[Question], mode: str) -> tuple[dict[str, list[str]], list[float]]:
    """Clause ids per question (best first) from the product index in `mode`, and latencies."""
    rankings, latencies = {}, []
    for q in questions:
        hits, ms = _timed(partial(index.search, q.question, top_k=TOP_K, mode=mode))
        rankings[q.qid] = [hit.clause.clause_id for hit in hits]
        latencies.append(ms)
    return rankings, latencies


def retrieve_naive(naive: NaiveRetriever, questions: Sequence[Question]) -> tuple[dict[str, list[str]], list[float]]:
    """Chunk ids per question from the naive baseline, and latencies."""
    rankings, latencies = {}, []
    for q in questions:
        ids, ms = _timed(partial(naive.search, q.question, TOP_K))
        rankings[q.qid] = ids
        latencies.append(ms)
    return rankings, latencies


def to_record(qid: str, answer: Answer, latency_ms: float) -> AnswerRecord:
    """The parts of an Answer the answer metrics look at."""
    cited = tuple(c.clause.text for c in answer.citations)
    support = []
    for c in answer.citations:
        clause, doc = c.clause, c.clause.doc
        support += [clause.locator, clause.number, clause.title, " ".join(clause.path), doc.title,
                    doc.doc_number, str(doc.year or ""), doc.date, doc.validity, doc.valid_until]
    return AnswerRecord(qid, answer.found, answer.text, cited, tuple(s for s in support if s), latency_ms,
                        tuple(hit.clause.text for hit in answer.retrieved))


def answer_all(service: AnswerService, questions: Sequence[Question], mode: str = "hybrid",
               style: Style = "default") -> list[AnswerRecord]:
    """Ask every question through the service in `style`; `mode` only where the service accepts one."""
    extra: dict[str, Any] = {"retrieval_mode": mode} if mode != "hybrid" else {}
    if style != "default":
        extra["style"] = style
    records = []
    for q in questions:
        answer, ms = _timed(partial(service.ask, q.question, top_k=TOP_K, **extra))
        records.append(to_record(q.qid, answer, ms))
    return records


def service_modes(service: AnswerService) -> tuple[str, ...]:
    """The product modes the service can answer with."""
    accepts = "retrieval_mode" in inspect.signature(service.ask).parameters
    return PRODUCT_CONFIGS if accepts else ("hybrid",)


def _retrieval_summary(qrels: Qrels, rankings: dict[str, list[str]], latencies: list[float],
                       kinds: dict[str, str]) -> tuple[dict, dict]:
    run = run_from_rankings(rankings, TOP_K)
    summary = score_retrieval(qrels, run, kinds)
    summary["latency_p50_ms"] = percentile(latencies, 50)
    summary["latency_p95_ms"] = percentile(latencies, 95)
    return summary, run


def evaluate(settings: Settings, questions: Sequence[Question], configs: Sequence[str], corpus_paths: Sequence[Path],
             answers: bool = True, progress: Progress | None = None) -> dict:
    """Score `configs` (and the service's answers) on `questions`: summary, qrels, runs, answer records."""
    from app.service import AnswerService
    from index.ensure import ensure_index

    say = progress or (lambda message: None)
    kinds = {q.qid: q.kind for q in questions}
    index = ensure_index(settings)
    clause_units = [(c.clause_id, c.doc.doc_id, c.text) for c in index.clauses]
    qrels = {"clauses": build_qrels(questions, clause_units)}
    result: dict = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions": len(questions),
        "kinds": dict(Counter(kinds.values())),
        "embedder": index.embedder_info,
        "configs": list(configs),
        "retrieval": {},
        "answers": {},
        "notes": [],
    }
    runs: dict[str, dict] = {}
    records: dict[str, list[AnswerRecord]] = {}
    for config in configs:
        say(f"检索：{config}")
        if config == "naive":
            from eval.naive import NaiveRetriever, chunk_files

            chunks = chunk_files(corpus_paths)
            qrels["naive"] = build_qrels(questions, [(c.chunk_id, c.doc_id, c.text) for c in chunks])
            rankings, latencies = retrieve_naive(NaiveRetriever(chunks, index.embedder), questions)
            summary, runs[config] = _retrieval_summary(qrels["naive"], rankings, latencies, kinds)
            summary["units"] = len(chunks)
        else:
            rankings, latencies = retrieve_product(index, questions, config)
            summary, runs[config] = _retrieval_summary(qrels["clauses"], rankings, latencies, kinds)
            summary["units"] = len(clause_units)
        result["retrieval"][config] = summary
    if answers:
        service = AnswerService(settings)
        modes = [m for m in service_modes(service) if m in configs] or ["hybrid"]
        if modes == ["hybrid"] and set(configs) & {"bm25", "dense"}:
            result["notes"].append("AnswerService has no retrieval-mode option: answer metrics are for hybrid only.")
        for mode in modes:
            say(f"回答：{mode}")
            records[mode] = answer_all(service, questions, mode)
            result["answers"][mode] = score_answers(questions, records[mode])
        # the read-aloud style says the same answer in about 90 characters, from its own choice of
        # fragments: scored on its own, so a key fact lost only when read aloud shows
        say(f"回答：{READ_ALOUD}")
        records[READ_ALOUD] = answer_all(service, questions, style=READ_ALOUD)
        result["answers"][READ_ALOUD] = score_answers(questions, records[READ_ALOUD])
    return {"summary": result, "qrels": qrels, "runs": runs, "records": records}
