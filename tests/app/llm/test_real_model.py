"""The LLM path with a real model's output (see conftest: a local llama.cpp server or
POLICYQA_LLM_BASE_URL). The invariants are asserted, never the model's wording: every answer is
verified, repaired or replaced by the offline one and says which; what reaches the user states no
figure that its cited sentence does not state for that item; every [n] names a supplied clause."""
from __future__ import annotations

import re

import pytest

from app.llm.answerer import LlmAnswerer
from app.llm.verify import Supplied, check_unit
from app.service import AnswerService
from eval.questions import load_questions
from policyqa.config import Settings
from policyqa.model import Answer
from tests.app.answer_checks import TODAY, assert_grounded

pytestmark = [pytest.mark.real_llm, pytest.mark.slow]

QUESTIONS = {q.qid: q for q in load_questions()}
# figure (with the 省级/国家级 pairing), cross-document, responsible unit, figure with a ceiling
ANSWERABLE = ("coll-002", "region-001", "unit-006", "coll-010")
UNANSWERABLE = ("unans-001", "unans-006")
LLM_MODES = ("llm", "llm-repaired")


@pytest.fixture(scope="module")
def service(real_llm_settings: Settings) -> AnswerService:
    return AnswerService(real_llm_settings)


def _ask(service: AnswerService, qid: str) -> tuple[Answer, str]:
    pieces = list(service.ask_stream(QUESTIONS[qid].question, today=TODAY))
    answer = pieces[-1]
    assert isinstance(answer, Answer)
    return answer, "".join(p for p in pieces[:-1] if isinstance(p, str))


def assert_passes_its_own_check(answer: Answer) -> None:
    """The shown text, held against the clauses it cites, needs no further repair."""
    cited = {c.n: c.clause for c in answer.citations}
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers and markers <= set(cited), answer.text
    recheck = check_unit(answer.text, Supplied(cited), set())
    assert not (recheck.dropped or recheck.replaced or recheck.unsupported or recheck.misattributed), recheck


@pytest.mark.parametrize("qid", ANSWERABLE)
def test_real_answers_are_verified_repaired_or_replaced_and_say_which(service: AnswerService, qid: str) -> None:
    answer, streamed = _ask(service, qid)
    assert answer.found and answer.mode in (*LLM_MODES, "extractive-fallback"), answer.mode
    for key in ("markers_valid", "numbers_supported", "dropped_sentences", "replaced_sentences", "llm_ms"):
        assert key in answer.checks, answer.checks
    if answer.mode in LLM_MODES:
        assert_passes_its_own_check(answer)
        assert streamed.strip() == answer.text.strip()  # only checked text was streamed
        repaired = bool(answer.checks["dropped_sentences"] or answer.checks["replaced_sentences"]
                        or answer.checks["removed_markers"])
        assert (answer.mode == "llm-repaired") == repaired
    else:
        assert answer.checks["fallback_reason"]
        assert_grounded(answer)


@pytest.mark.parametrize("qid", UNANSWERABLE)
def test_unanswerable_questions_get_no_figure(service: AnswerService, qid: str) -> None:
    answer, _ = _ask(service, qid)
    assert not answer.found and not re.search(r"\d", answer.text), answer.text


def test_whatever_the_model_says_about_clauses_that_do_not_answer_states_nothing_unchecked(
        real_llm_settings: Settings, service: AnswerService) -> None:
    # the model is asked directly, past the decision that would have declined: its text is still checked
    question = QUESTIONS["unans-007"].question
    _, candidates = service.retrieve(question, top_k=3)
    pieces = list(LlmAnswerer(real_llm_settings).stream(question, candidates[:3], style="default", today=TODAY,
                                                       deadline_s=real_llm_settings.llm_timeout_s))
    result = pieces[-1]
    text = "".join(p for p in pieces[:-1] if isinstance(p, str))
    if result.fallback_reason:
        return  # nothing cited survived: the product answers offline instead
    # the shown text numbers its citations in order of use
    recheck = check_unit(text, Supplied({c.n: c.clause for c in result.citations}), set())
    assert not (recheck.unsupported or recheck.misattributed or recheck.replaced), recheck
