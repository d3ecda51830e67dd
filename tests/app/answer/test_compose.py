"""Composition details that need no index: naming the topic back in the user's own words."""
from __future__ import annotations

from app.answer.compose import phrases_of


def test_topic_words_are_named_whole_and_joined_where_they_touch() -> None:
    question = "温州新认定的国家高新技术企业一次性奖励多少万元？"
    assert phrases_of(question, ["技术", "企业", "奖励"]) == ["高新技术企业", "奖励"]
    assert phrases_of("希望有多少个靠特色产业撑起来的小城镇", ["小城", "特色产业"]) == ["特色产业", "小城镇"]
    assert phrases_of("给公立中小学新进老师准备了多少名额", ["小学"]) == ["中小学"]


def test_a_word_not_in_the_question_is_left_out() -> None:
    assert phrases_of("产假能休多少天", ["产假", "婚假"]) == ["产假"]
    assert phrases_of("产假能休多少天", []) == []
