"""Colloquial phrasing, the "not stated" caveat, words no document uses, and the retrieval-mode option."""
from __future__ import annotations

import re

import pytest

from app.compose import unstated_note
from app.question import analyze_question
from app.service import AnswerService
from app.vocabulary import Vocabulary, is_everyday
from policyqa.config import load_settings
from policyqa.errors import UserError

from .answer_checks import TODAY, assert_grounded
from .answer_fakes import CLAUSES, FakeIndex

CAVEAT = re.compile(r"（(文件未写明[^）]*|文件未对此作专门解释[^）]*)）")


def _service() -> AnswerService:
    return AnswerService(load_settings({}), index=FakeIndex())


def test_how_much_without_a_figure_quotes_the_rule_and_says_no_figure_is_given() -> None:
    answer = _service().ask("瑞安2025年短期出口信用保险保费补助比例是多少", today=TODAY)
    assert_grounded(answer)
    assert answer.found and answer.citations
    first_line = answer.text.splitlines()[0]
    assert "按规定给予补助" in first_line and "文件未写明具体比例" in first_line
    caveat = CAVEAT.search(first_line)
    assert caveat and not re.search(r"\d", caveat.group(0))  # the caveat itself never states a figure


def test_a_clause_with_the_figure_gets_no_caveat() -> None:
    answer = _service().ask("瑞安外贸企业出口信用保险补助比例是多少", today=TODAY)
    assert_grounded(answer)
    assert answer.found and "60%" in answer.text and "未写明" not in answer.text.splitlines()[0]


@pytest.mark.parametrize("question", ["咱们公司出口信用保险能补多少", "我们厂买出口信用保险给多少钱"])
def test_colloquial_how_much_is_understood(question: str) -> None:
    answer = _service().ask(question, today=TODAY)
    assert_grounded(answer)
    assert answer.found and {c.clause.clause_id for c in answer.citations} & {"r23-trade", "w24-44"}


def test_colloquial_who_is_responsible_is_a_responsibility_question() -> None:
    profile = analyze_question("出口信用保险补助找谁")
    assert "responsible" in profile.kinds and all(t.word != "找谁" for t in profile.terms)


def test_everyday_words_no_document_uses_are_dropped_rare_ones_are_reported() -> None:
    vocabulary = Vocabulary(CLAUSES)
    profile = analyze_question("出口信用保险现在大概要等多久", vocabulary=vocabulary)
    assert "多久" not in [t.word for t in profile.terms] and not profile.foreign
    rare = analyze_question("企业买厂房能减免多少契税", vocabulary=vocabulary)
    assert "契税" in rare.foreign and rare.foreign_benefit  # the asked thing itself is unknown
    assert is_everyday("多久") and not is_everyday("契税")


def test_a_subject_no_document_mentions_is_declined_and_named() -> None:
    answer = _service().ask("外贸企业出口能减免多少契税", today=TODAY)
    assert_grounded(answer)
    assert not answer.found and "契税" in answer.text


def test_region_and_year_must_match_together() -> None:
    answer = _service().ask("瑞安2024年出口信用保险补助比例是多少", today=TODAY)
    assert_grounded(answer)
    assert not answer.found and "瑞安市" in answer.text  # 温州 2024 and 瑞安 2023 are not 瑞安 2024


@pytest.mark.parametrize("profile_question, expected", [
    ("补助比例是多少", "具体比例"), ("补贴金额是多少", "具体金额"), ("能补多少", "具体金额或比例"),
    ("目标是多少", "具体数字"), ("什么是腾笼换鸟", "专门解释"),
])
def test_unstated_note_names_the_missing_fact_without_figures(profile_question: str, expected: str) -> None:
    note = unstated_note(analyze_question(profile_question))
    assert expected in note and not re.search(r"\d", note)


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_retrieval_mode_reaches_the_index(mode: str) -> None:
    seen = []

    class RecordingIndex(FakeIndex):
        def search(self, query, top_k=10, filters=None, mode="hybrid"):
            seen.append(mode)
            return super().search(query, top_k, filters, mode)

    service = AnswerService(load_settings({}), index=RecordingIndex())
    assert service.ask("外贸企业出口信用保险补助比例是多少", today=TODAY, retrieval_mode=mode).found
    assert seen and set(seen) == {mode}


def test_settings_are_exposed_read_only() -> None:
    settings = load_settings({})
    service = AnswerService(settings, index=FakeIndex())
    assert service.settings is settings
    with pytest.raises(AttributeError):
        service.settings = settings  # type: ignore[misc]


def test_unknown_retrieval_mode_is_a_user_error(corpus_service: AnswerService) -> None:
    with pytest.raises(UserError):
        corpus_service.ask("外贸企业出口信用保险补助比例是多少", retrieval_mode="fuzzy")
