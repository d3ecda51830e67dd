"""`policyqa eval --llm`'s summary: the model's time is that of the answers it was asked for."""
from __future__ import annotations

from eval.llm_eval import llm_table, summarise


def _row(mode: str, seconds: float, answerable: bool = True) -> dict:
    scores = {"key_facts": 1.0 if answerable else None, "unsupported": [], "found": True}
    return {"qid": mode, "kind": "k", "answerable": answerable, "mode": mode, "seconds": seconds,
            "llm": scores, "offline": scores, "misattributed": []}


def test_declined_questions_do_not_count_in_the_models_time() -> None:
    rows = [_row("llm", 10.0), _row("llm-repaired", 20.0), _row("extractive-fallback", 40.0),
            _row("extractive", 0.01, answerable=False), _row("extractive", 0.01, answerable=False)]
    summary = summarise(rows)
    # the percentile every report uses (eval.answer_metrics.percentile, interpolated): 20 + 0.9 x 20
    assert summary["median_s"] == 20.0 and summary["p95_s"] == 38.0
    assert summary["rates"]["not asked"] == 0.4
    table = llm_table({"model": "m", "asked": 5, "planned": 5, "budget_s": 60.0, "rows": rows, "summary": summary})
    assert "| 20.0 | 38.0 |" in table


def test_the_shared_sample_is_fixed_and_scored_by_the_shared_scorer(tmp_path) -> None:
    from eval.llm_eval import SHARED_SAMPLE_PER_SOURCE, shared_sample, shared_scores

    sample = shared_sample()
    assert sample == shared_sample() and len(sample) == 2 * SHARED_SAMPLE_PER_SOURCE
    assert {q.qid[0] for q in sample} == {"V", "T"}  # development and training questions
    # every answer a decline: every unanswerable question declined, every answerable one refused
    declined = [{"id": q.qid, "found": False, "answer": "未找到相关规定。", "citations": [], "retrieved": [],
                 "outcome": "not_found"} for q in sample]
    scores = shared_scores(declined, sample, tmp_path)
    assert scores["key_fact_acc"] == 0.0 and scores["false_refusal"] == 1.0
    assert scores["rejection_acc"] == 1.0 and scores["answers_with_unsupported_numbers"] == 0.0


def test_the_prompts_clauses_and_the_answers_length_can_be_chosen() -> None:
    from eval.llm_eval import llm_settings
    from policyqa.config import load_settings

    configured = load_settings({"POLICYQA_LLM_BASE_URL": "http://127.0.0.1:9/v1", "POLICYQA_LLM_MODEL": "m"})
    with llm_settings(configured, 2, 150) as (chosen, name):
        assert (chosen.llm_context_clauses, chosen.llm_max_tokens) == (2, 150) and "2 条条款" in name
    with llm_settings(configured) as (unchanged, _):
        assert (unchanged.llm_context_clauses, unchanged.llm_max_tokens) == (6, 512)
