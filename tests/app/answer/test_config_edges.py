"""Each tuning value of AnswerConfig has a real question on its edge: moving the value one step
(`python -m eval.mutants`: a tenth of it, an integer by at least one) loses that question's answer.

The questions come from the project set and the training set; each was found by answering every one
of them with the value moved up and down and keeping those the shipped value answers rightly and the
moved value does not (the other way round happens too: see the README's mutation table).
"""
from __future__ import annotations

import pytest

from app.service import AnswerService
from eval.questions import match_key

from ..answer_checks import TODAY, assert_grounded

# (the values whose move loses it, the question, the style, its key facts; () when it has no answer)
EDGES = [
    ("focus_min_words up", "温州2024年外贸企业出国参展，展位费市里补多少？", "default", ()),
    ("focus_min_words down", "温州2024年市里发不发消费券？一共发多少？", "default", ()),
    ("item_words_before down", "温州2024年政策与瑞安2025年方案在实施农业科技重大项目的数量上差多少？", "default",
     ("10项", "2项")),
    ("relative_probability up, max_per_document down", "“三班三员”吹哨机制是什么？", "default",
     ("社会运行专班", "医疗救治人员")),
    ("max_citations down", "城乡居民收入比要缩小到多少？", "default", ("1.81", "1.75", "1.77", "1.86")),
    ("max_per_document down", "瑞安2023年政府性融资担保机构的平均担保费率不高于多少？", "default", ("1%",)),
    ("hotline_max_chars down", "工业用地容积率现在有什么规定？", "hotline", ("5.0", "2.0")),
    ("hotline_max_chars up", "瑞安种粮大户的规模种粮补贴，2025年每亩补多少？", "hotline", ()),
    ("hotline_fragment_chars down", "瑞安居民医保体检基本项目政府每人补多少钱？", "hotline", ("90元",)),
]


@pytest.mark.parametrize(("moved", "question", "style", "facts"), EDGES, ids=[e[0].replace(", ", "+").replace(" ", "-") for e in EDGES])
def test_the_shipped_value_answers_its_edge_question(corpus_service: AnswerService, moved: str, question: str,
                                                     style: str, facts: tuple[str, ...]) -> None:
    answer = corpus_service.ask(question, style=style, today=TODAY)  # type: ignore[arg-type]
    assert_grounded(answer)
    if not facts:  # the documents do not give it: no figure of a neighbouring measure
        assert not answer.found, answer.text
        return
    assert answer.found, answer.text
    assert all(match_key(f) in match_key(answer.text) for f in facts), answer.text


# Questions the shipped value declines while the moved one answers them with a neighbouring
# measure's figure (the worst outcome): any answer given must state the key facts.
WRONG_FIGURE_EDGES = [
    # with one clause fewer of the named region read, the 卓越工程师 measure answers whether the age
    # limit of the city's talent programmes is relaxed
    ("scoped_candidates down", "我快四十五了，想报温州市里的大人才项目，听说岁数卡得紧，今年有没有松点口？",
     ("适当放宽", "年龄限制")),
]


@pytest.mark.parametrize(("moved", "question", "facts"), WRONG_FIGURE_EDGES, ids=[e[0].replace(" ", "-") for e in WRONG_FIGURE_EDGES])
def test_the_shipped_value_gives_no_neighbouring_figure_on_its_edge_question(
        corpus_service: AnswerService, moved: str, question: str, facts: tuple[str, ...]) -> None:
    answer = corpus_service.ask(question, today=TODAY)
    assert_grounded(answer)
    assert not answer.found or all(match_key(f) in match_key(answer.text) for f in facts), answer.text


def test_a_not_found_answer_names_up_to_three_words_of_the_question(corpus_service: AnswerService) -> None:
    """not_found_topic_words: with two, "运营亏损" (what the subsidy is for) would go unnamed."""
    answer = corpus_service.ask("乐清2023年城乡公交一体化运营亏损补助安排了多少钱？", today=TODAY)
    assert answer.outcome == "not_found" and "“公交、运营亏损”" in answer.text
