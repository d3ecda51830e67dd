"""Optional LLM-judged faithfulness and relevance of answers; only when an LLM is configured.

The judge sees the question, the answer and the cited clauses, and returns two 1–5 grades as JSON.
Grades are mapped to 0..1 and averaged. Any failure of the LLM skips the judge with a reason; it
never fails the evaluation.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from statistics import fmean
from typing import TYPE_CHECKING

from eval.answer_metrics import AnswerRecord
from eval.questions import Question

if TYPE_CHECKING:
    from policyqa.config import Settings

PROMPT_FILE = Path(__file__).resolve().parent / "prompts" / "judge.txt"
MAX_JUDGED = 60  # enough for a stable mean, cheap enough for a hosted model
_JSON_OBJECT = re.compile(r"\{.*?\}", re.S)


def parse_judgement(text: str) -> dict[str, float] | None:
    """The first JSON object in `text` with 1–5 integer grades -> {name: 0..1}; None if unusable."""
    match = _JSON_OBJECT.search(text or "")
    if not match:
        return None
    try:
        data = json.loads(match.group(0))
        grades = {name: int(data[name]) for name in ("faithfulness", "relevance")}
    except (ValueError, KeyError, TypeError):
        return None
    if not all(1 <= g <= 5 for g in grades.values()):
        return None
    return {name: (g - 1) / 4 for name, g in grades.items()}


def build_prompt(template: str, question: str, answer: str, sources: Sequence[str]) -> str:
    """Fill the judge template; sources are numbered like the answer's [n] markers."""
    numbered = "\n".join(f"[{n}] {text}" for n, text in enumerate(sources, 1)) or "（无）"
    return template.format(question=question, answer=answer, sources=numbered)


def judge_records(complete: Callable[[str], str], questions: Sequence[Question],
                  records: Sequence[AnswerRecord], template: str, limit: int = MAX_JUDGED) -> dict:
    """Grade up to `limit` found answers with `complete` (prompt -> reply text)."""
    by_id = {r.qid: r for r in records}
    graded: list[dict[str, float]] = []
    unusable = 0
    for q in questions:
        record = by_id.get(q.qid)
        if record is None or not record.found or len(graded) + unusable >= limit:
            continue
        grades = parse_judgement(complete(build_prompt(template, q.question, record.text, record.cited_texts)))
        if grades is None:
            unusable += 1
        else:
            graded.append(grades)
    if not graded:
        return {"skipped": "the judge gave no usable grade", "unusable": unusable}
    return {"judged": len(graded), "unusable": unusable,
            "faithfulness": fmean(g["faithfulness"] for g in graded),
            "relevance": fmean(g["relevance"] for g in graded)}


def judge_with_settings(settings: Settings, questions: Sequence[Question], records: Sequence[AnswerRecord]) -> dict:
    """Judge with the configured OpenAI-compatible LLM, or say why it was skipped."""
    if not settings.llm_configured:
        return {"skipped": "no LLM configured (POLICYQA_LLM_BASE_URL, POLICYQA_LLM_MODEL)"}
    from llama_index.llms.openai_like import OpenAILike

    llm = OpenAILike(model=settings.llm_model, api_base=settings.llm_base_url,
                     api_key=settings.llm_api_key or "none", is_chat_model=True,
                     timeout=settings.llm_timeout_s, max_retries=0, temperature=0.0)
    template = PROMPT_FILE.read_text(encoding="utf-8")
    try:
        return judge_records(lambda prompt: llm.complete(prompt).text, questions, records, template)
    except Exception as error:  # noqa: BLE001 - the judge is optional: any LLM failure skips it
        return {"skipped": f"LLM judge failed: {type(error).__name__}: {error}"}
