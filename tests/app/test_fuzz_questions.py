"""Generated questions: each gets a grounded answer or a clear UserError, never a crash.

2,000 examples in CI (fixed seed, no example database); set POLICYQA_FUZZ_EXAMPLES for more.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.service import AnswerService
from policyqa.errors import UserError

from .answer_checks import TODAY, assert_grounded

EXAMPLES = int(os.environ.get("POLICYQA_FUZZ_EXAMPLES", "2000"))
WORDS = ["瑞安", "温州", "乐清", "2023年", "2025年", "补助", "比例", "多少", "哪个部门", "负责", "什么是", "还有效吗",
         "外贸", "出口信用保险", "工业用地", "容积率", "老年食堂", "基站", "人才", "<b>", "</b>", "<", ">", "“", "”",
         "？", "，", "。", "\n", " ", "%", "万元", "亿元", "臺灣", "補助", "😀", "\u2028", "\ud800", "NaN", "DROP TABLE"]
question = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=12).map("".join)


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(question)
def test_any_question_gets_a_grounded_answer_or_a_clear_error(corpus_service: AnswerService, question: str) -> None:
    try:
        answer = corpus_service.ask(question, today=TODAY)
    except UserError as error:
        assert str(error)  # a message the user can act on
        return
    assert_grounded(answer)
    assert answer.text.strip()
