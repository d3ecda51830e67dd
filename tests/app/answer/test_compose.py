"""Composition details that need no index: naming the topic back in the user's own words."""
from __future__ import annotations

from app.answer.names import measure_label, period_note
from app.answer.not_found import phrases_of
from policyqa.model import Clause, Document


def test_topic_words_are_named_whole_and_joined_where_they_touch() -> None:
    question = "温州新认定的国家高新技术企业一次性奖励多少万元？"
    assert phrases_of(question, ["技术", "企业", "奖励"]) == ["高新技术企业", "奖励"]
    assert phrases_of("希望有多少个靠特色产业撑起来的小城镇", ["小城", "特色产业"]) == ["特色产业", "小城镇"]
    assert phrases_of("给公立中小学新进老师准备了多少名额", ["小学"]) == ["中小学"]


def test_latin_words_are_found_whatever_their_case_and_named_as_written() -> None:
    assert phrases_of("乐清公共场所计划新增多少台AED？", ["aed", "公共场所"]) == ["公共场所", "AED"]


def test_a_word_is_not_widened_over_a_figure() -> None:
    assert phrases_of("nan2023年", ["nan"]) == ["nan"]


def test_a_word_the_question_does_not_hold_is_named_as_it_is_after_the_others() -> None:
    assert phrases_of("产假能休多少天", ["生育假", "产假"]) == ["产假", "生育假"]  # an alias's wording
    assert phrases_of("产假能休多少天", []) == []


def test_a_measure_is_named_with_its_brackets_whole() -> None:
    def label(locator: str) -> str:
        return measure_label(Clause("d:1", Document(doc_id="d", title="t"), (), "", "目标任务", "…", locator=locator))

    assert label("六、(一)") == "六、(一)" and label("二、(二)3") == "二、(二)3"
    assert label("(3)") == "第3条" and label("（十二）") == "第十二条" and label("44") == "第44条"



def test_a_clause_under_another_years_heading_is_named_with_that_heading() -> None:
    """The 2023 report's review of 2022: its figures are 2022's results, and the answer says so
    (the year in words, as the answer's other notes write years)."""
    report = Document(doc_id="r", title="政府工作报告", region="瑞安市", year=2023)

    def note(*path: str) -> str:
        return period_note(Clause("r:1", report, path, "", "t", "新建球场33个"))

    assert note("一、2022年主要工作回顾", "（六）民生") == "（二〇二二年主要工作回顾）"
    assert note("二、2023年主要目标任务和重点工作") == "" and note("（六）民生") == "" and note() == ""
