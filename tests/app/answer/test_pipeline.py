"""The whole pipeline through AnswerService: fact rules, decisions, composition."""
from __future__ import annotations

import re
from datetime import date

import pytest

from app.service import AnswerService
from policyqa.config import load_settings

from ..answer_checks import TODAY, assert_grounded
from ..answer_fakes import FakeIndex


def _service() -> AnswerService:
    return AnswerService(load_settings({}), index=FakeIndex())


def test_a_place_no_document_covers_is_declined_naming_the_covered_ones() -> None:
    answer = _service().ask("台州对企业研发费用按什么比例补助？", today=TODAY)
    assert_grounded(answer)
    assert not answer.found and "台州" in answer.text and "瑞安市" in answer.text
    assert answer.outcome == "unknown_place"


def test_a_region_and_year_without_a_document_is_declined_naming_what_exists() -> None:
    answer = _service().ask("瑞安2024年出口信用保险补助比例是多少", today=TODAY)
    assert_grounded(answer)
    assert not answer.found and answer.outcome == "missing_scope"
    assert "二〇二四" in answer.text and "二〇二三" in answer.text


def test_a_year_inside_a_measure_is_not_a_missing_document() -> None:
    from policyqa.model import Clause

    from ..answer_fakes import CLAUSES, RUIAN_2023

    road = Clause("r23-road", RUIAN_2023, ("交通",), "7", "推进高速公路建设", "推进高速公路建设。乐永青高速力争2026年开工。")
    service = AnswerService(load_settings({}), index=FakeIndex((*CLAUSES, road)))
    # no 瑞安 document is of 2026, but a 瑞安 clause says "2026年": the year is a date inside a measure
    assert service.ask("瑞安的乐永青高速2026年开工吗？", today=TODAY).outcome != "missing_scope"
    # without a clause that says it, the same question names a year no 瑞安 document is of
    assert _service().ask("瑞安的乐永青高速2026年开工吗？", today=TODAY).outcome == "missing_scope"


@pytest.mark.parametrize("question", ["27", "77%", "aaaaaaaaaaaa"])
def test_input_without_a_policy_topic_is_declined(corpus_service: AnswerService, question: str) -> None:
    answer = corpus_service.ask(question, today=TODAY)
    assert_grounded(answer)
    assert not answer.found


def test_not_found_names_whole_words_and_no_figures(corpus_service: AnswerService) -> None:
    answer = corpus_service.ask("我们是温州市区的外贸公司，现在在温州办出口退税一般几个工作日能办完？", today=TODAY)
    assert_grounded(answer)
    assert not answer.found and "工作日" in answer.text
    topic = re.search(r"(?:关于|提到了)“([^”]*)”", answer.text)
    assert topic and all(len(w) >= 2 for w in topic.group(1).split("、"))


def test_cross_document_question_gets_one_line_per_document(corpus_service: AnswerService) -> None:
    answer = corpus_service.ask("瑞安和乐清2023年各新建多少家老年食堂？", today=TODAY)
    assert_grounded(answer)
    assert answer.found and "50家" in answer.text and "52家" in answer.text
    lines = answer.text.splitlines()
    assert any(line.startswith("瑞安市") for line in lines) and any(line.startswith("乐清市") for line in lines)


def test_figure_question_answered_with_the_figure_and_its_status(corpus_service: AnswerService) -> None:
    answer = corpus_service.ask("瑞安2023年争取上级就业补助资金多少？", today=TODAY)
    assert_grounded(answer)
    assert answer.found and "1000万元" in answer.text and "有效期为2023年" in answer.text
    assert answer.outcome == "answered"


def test_validity_question_is_answered_from_the_document(corpus_service: AnswerService) -> None:
    answer = corpus_service.ask("乐清2023年的政策现在还有效吗", today=date(2026, 12, 1))
    assert_grounded(answer)
    assert answer.found and "已过期" in answer.text and answer.outcome == "validity"


def test_hotline_style_ends_with_the_document_and_measure(corpus_service: AnswerService) -> None:
    answer = corpus_service.ask("瑞安2023年争取上级就业补助资金多少？", style="hotline", today=TODAY)
    assert_grounded(answer)
    assert "依据：瑞政发[2023]9号" in answer.text and "1000万元" in answer.text


def test_a_not_stated_note_never_stands_beside_a_stated_figure(corpus_service: AnswerService) -> None:
    from eval.answer_metrics import states_figure
    from eval.questions import load_questions

    for question in load_questions():
        answer = corpus_service.ask(question.question, today=TODAY)
        for line in answer.text.splitlines():
            if "未写明" in line:
                assert not states_figure(re.sub(r"（[^（）]*\d{4}年[^（）]*）", "", line)), line


def test_a_user_policy_valid_for_years_is_answered_with_its_own_statement(tmp_path) -> None:
    from index.build import ingest_paths
    from policyqa.config import Settings

    path = tmp_path / "digital.txt"
    path.write_text("关于支持数字经济发展的若干政策\n一、支持企业上云\n1. 对企业上云给予补助，最高10万元。\n"
                    "2. 支持数据要素市场建设。\n本政策自2024年6月1日起施行，有效期至2099年12月31日\n", encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "index", embed_model="offline", semantic_model="off")
    ingest_paths([path], settings)
    answer = AnswerService(settings).ask("数字经济政策有效期到什么时候？", today=TODAY)
    assert answer.outcome == "validity" and "有效期至2099年12月31日" in answer.text
    assert "有效期为2099年" not in answer.text and "二〇九九" not in answer.text
