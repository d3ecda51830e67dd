"""The LLM path with a real model's output (see conftest: a local llama.cpp server or
POLICYQA_LLM_BASE_URL). The invariants are asserted, never the model's wording: every answer is
verified, repaired or replaced by the offline one and says which (questions the product declines
never reach the model: test_answerer.py); what reaches the user states no
figure that its cited sentence does not state for that item; every [n] names a supplied clause.

These tests need the model: an unreachable, failing or timed-out endpoint fails them (falling back
is tested on purpose in test_answerer.py). The model must have answered every question, and its
checked text must have reached the user for at least MIN_MODEL_SHARE of them."""
from __future__ import annotations

import re

import pytest

from app.llm.answerer import NOTHING_CITED, LlmAnswerer
from app.llm.rewrite import REWRITE_MAX_CHARS, QueryRewriter, search_terms
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
LLM_MODES = ("llm", "llm-repaired")
MIN_MODEL_SHARE = 0.5


@pytest.fixture(scope="module")
def service(real_llm_settings: Settings) -> AnswerService:
    return AnswerService(real_llm_settings)


def _ask(service: AnswerService, qid: str) -> tuple[Answer, str]:
    pieces = list(service.ask_stream(QUESTIONS[qid].question, today=TODAY))
    answer = pieces[-1]
    assert isinstance(answer, Answer)
    return answer, "".join(p for p in pieces[:-1] if isinstance(p, str))


@pytest.fixture(scope="module")
def answered(service: AnswerService) -> dict[str, tuple[Answer, str]]:
    """Each answerable question asked once; the tests below read the same answers."""
    return {qid: _ask(service, qid) for qid in ANSWERABLE}


def assert_the_model_answered(reason: str) -> None:
    """A fallback other than "nothing cited survived" means no model output was checked."""
    assert reason in ("", NOTHING_CITED), f"the model did not answer: {reason}"


def assert_passes_its_own_check(answer: Answer) -> None:
    """The shown text, held against the clauses it cites, needs no further repair."""
    cited = {c.n: c.clause for c in answer.citations}
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers and markers <= set(cited), answer.text
    recheck = check_unit(answer.text, Supplied(cited), set())
    assert not (recheck.dropped or recheck.replaced or recheck.unsupported or recheck.misattributed), recheck


@pytest.mark.parametrize("qid", ANSWERABLE)
def test_real_answers_are_verified_repaired_or_replaced_and_say_which(answered: dict[str, tuple[Answer, str]],
                                                                      qid: str) -> None:
    answer, streamed = answered[qid]
    assert answer.found and answer.mode in (*LLM_MODES, "extractive-fallback"), answer.mode
    assert_the_model_answered(answer.checks.get("fallback_reason", ""))
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


def test_the_models_checked_answers_reach_the_user(answered: dict[str, tuple[Answer, str]]) -> None:
    modes = {qid: answer.mode for qid, (answer, _) in answered.items()}
    shown = sum(mode in LLM_MODES for mode in modes.values())
    assert shown >= MIN_MODEL_SHARE * len(modes), modes


def test_the_model_rewrites_questions_in_users_words_into_search_terms(real_llm_settings: Settings) -> None:
    rewriter = QueryRewriter(real_llm_settings)
    # reply() raises when the model cannot be asked (rewrite() would swallow that and search without it)
    replies = [rewriter.reply(QUESTIONS[qid].question) for qid in ANSWERABLE]
    assert all(reply.strip() for reply in replies), replies
    terms = [search_terms(reply) for reply in replies]
    assert any(terms), replies  # a small model's reply may hold nothing usable, not every one
    for words in terms:
        assert not re.search(r"[0-9０-９]", words) and len(words) <= REWRITE_MAX_CHARS, words


def test_whatever_the_model_says_about_clauses_that_do_not_answer_states_nothing_unchecked(
        real_llm_settings: Settings, service: AnswerService) -> None:
    # the model is asked directly, past the decision that would have declined: its text is still checked
    question = QUESTIONS["unans-007"].question
    _, candidates = service.retrieve(question, top_k=3)
    pieces = list(LlmAnswerer(real_llm_settings).stream(question, candidates[:3], style="default", today=TODAY,
                                                       deadline_s=real_llm_settings.llm_timeout_s))
    result = pieces[-1]
    text = "".join(p for p in pieces[:-1] if isinstance(p, str))
    assert_the_model_answered(result.fallback_reason)
    if result.fallback_reason:
        return  # nothing cited survived: the product answers offline instead
    # the shown text numbers its citations in order of use
    recheck = check_unit(text, Supplied({c.n: c.clause for c in result.citations}), set())
    assert not (recheck.unsupported or recheck.misattributed or recheck.replaced), recheck
