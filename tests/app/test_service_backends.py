"""The answer layer on either index backend: the same service, the same contracts."""
from __future__ import annotations

import pytest

from app.render import answer_to_json
from app.service import AnswerService
from eval.questions import load_questions
from policyqa.config import Settings

from .answer_checks import TODAY, assert_grounded

FLAGSHIP = "外贸企业出口信用保险补助比例是多少"
SAMPLE = load_questions()[::8]  # every kind, a quarter of a minute per backend


@pytest.fixture(scope="module")
def service(backend_settings: Settings) -> AnswerService:
    return AnswerService(backend_settings)


def test_the_flagship_question_gets_the_same_cited_answer_as_on_the_default_backend(
        service: AnswerService, corpus_service: AnswerService) -> None:
    got, want = (answer_to_json(s.ask(FLAGSHIP, today=TODAY)) for s in (service, corpus_service))
    assert got["answer"] == want["answer"]
    assert [(c["doc_id"], c["locator"]) for c in got["citations"]] == \
        [(c["doc_id"], c["locator"]) for c in want["citations"]]


@pytest.mark.parametrize("question", SAMPLE, ids=[q.qid for q in SAMPLE])
def test_answers_are_grounded_and_refusals_state_no_figure(service: AnswerService, question) -> None:
    answer = service.ask(question.question, today=TODAY)
    assert_grounded(answer)
    assert answer.retrieved, "every question retrieves clauses on either backend"
