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
    ("focus_min_words down", "2025年在瑞安买电动自行车新车，补贴能拿多少钱？", "default", ()),
    ("item_words_before down", "瑞安2022年城镇登记失业率实际降到了多少？", "default", ("2.01%",)),
    ("max_citations down", "全年供应建设用地定的是多少亩？", "default", ("5000亩", "3.5万亩", "4500亩")),
    ("hotline_max_chars down", "工业用地容积率现在有什么规定？", "hotline", ("2.0", "5.0")),
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


def test_a_not_found_answer_names_up_to_three_words_of_the_question(corpus_service: AnswerService) -> None:
    """not_found_topic_words: with two, "运营亏损" (what the subsidy is for) would go unnamed."""
    answer = corpus_service.ask("乐清2023年城乡公交一体化运营亏损补助安排了多少钱？", today=TODAY)
    assert answer.outcome == "not_found" and "“公交、运营亏损”" in answer.text
