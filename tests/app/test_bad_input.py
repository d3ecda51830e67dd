"""Inputs users really type: a clear message or a normal answer, never a crash or an uncited figure."""
from __future__ import annotations

import pytest

from app.service import AnswerService
from policyqa.errors import UserError

from .answer_checks import TODAY, assert_grounded


@pytest.mark.parametrize("question", ["", "   \n\t ", "<p></p>"])
def test_empty_question_is_a_clear_error(corpus_service: AnswerService, question: str) -> None:
    with pytest.raises(UserError, match="问题"):
        corpus_service.ask(question)


def test_very_long_question_is_truncated_and_said(corpus_service: AnswerService) -> None:
    question = "外贸企业出口信用保险补助比例是多少" + "请详细说明" * 1000
    answer = corpus_service.ask(question, today=TODAY)
    assert_grounded(answer)
    assert answer.question == question and any("前300字" in note for note in answer.notes)


@pytest.mark.parametrize("question", [
    "What is the export credit insurance subsidy rate?",
    "😀😀😀🎉",
    "<script>alert('x')</script><b>出口信用保险</b>补助比例是多少",
    "## 出口信用保险\n**补助比例**是多少？",
    "SELECT * FROM clauses WHERE 1=1; DROP TABLE clauses; --",
    "'; DELETE FROM index; 100% 200万元",
])
def test_odd_inputs_get_an_answer_or_a_message(corpus_service: AnswerService, question: str) -> None:
    answer = corpus_service.ask(question, today=TODAY)
    assert_grounded(answer)
    assert answer.text.strip()
    if "出口信用保险" in question:
        assert answer.found and "60%" in answer.text
        assert any("标记" in note for note in answer.notes)


def test_english_and_emoji_get_a_hint(corpus_service: AnswerService) -> None:
    answer = corpus_service.ask("😀😀😀", today=TODAY)
    assert not answer.found and "中文" in answer.text + "".join(answer.notes)


def test_comparison_signs_are_kept_and_only_real_tags_removed() -> None:
    from app.text.inputs import prepare_question

    assert prepare_question("营收<2000万元的企业有什么补助？（利润>0）")[0] == "营收<2000万元的企业有什么补助?(利润>0)"
    assert prepare_question("年营收<5000万元的企业有什么补助? 利润>100万元呢")[0].endswith("利润>100万元呢")
    cleaned, notes = prepare_question("<b>外贸</b>补助<!-- x --><br/>比例")
    assert cleaned == "外贸 补助 比例" and notes


def test_traditional_questions_are_answered_like_their_simplified_forms(corpus_service: AnswerService) -> None:
    import opencc

    from eval.questions import load_questions

    to_traditional = opencc.OpenCC("s2t")
    questions = [q.question for q in load_questions() if q.answerable][:8]
    for simplified in questions:
        traditional = to_traditional.convert(simplified)
        assert traditional != simplified
        a, b = corpus_service.ask(simplified), corpus_service.ask(traditional)
        assert [c.clause.clause_id for c in a.citations] == [c.clause.clause_id for c in b.citations]
        assert b.question == traditional and "已按简体字检索。" in b.notes  # the user's text is kept for display


def test_full_width_letters_and_digits_are_read_as_half_width() -> None:
    from app.text.inputs import prepare_question

    assert prepare_question("ＡＥＯ认证企业新增多少家？２０２３年")[0] == "AEO认证企业新增多少家?2023年"
