"""Scoring with tiny hand-made inputs: qrels, TREC output, ir_measures metrics, answer metrics."""
from __future__ import annotations

import pytest

from eval.answer_metrics import (
    AnswerRecord,
    citation_flags,
    citation_recall,
    contains_fact,
    correctly_declined,
    score_answers,
    states_figure,
    unsupported_numbers,
)
from eval.questions import GoldRef, Question
from eval.retrieval_metrics import score_retrieval
from eval.trec import build_qrels, format_qrels, format_run, run_from_rankings

Q1 = Question("q1", "出口信用保险补多少", "fact", (GoldRef("d1", "3", "给予保费60%的补助"),), ("60%", "150万元"), True)
Q2 = Question("q2", "两地工业用地比例", "cross-document",
              (GoldRef("d1", "5", "工业用地比例不低于30%"), GoldRef("d2", "18", "工业用地比例不低于40%")),
              ("30%", "40%"), True)
Q3 = Question("q3", "契税补多少", "unanswerable", (), (), False)
UNITS = [
    ("a", "d1", "企业投保的，给予保费 60%的补助，单个企业不超过150万元。"),
    ("b", "d1", "全市出让土地中工业用地比例不低于 30%。"),
    ("c", "d2", "全市出让土地中工业用地比例不低于４０%。"),
    ("x", "d2", "给予保费60%的补助"),  # same words, other document: not relevant to q1
]


def test_qrels_follow_spans_within_the_referenced_document() -> None:
    qrels = build_qrels([Q1, Q2, Q3], UNITS)
    assert qrels == {"q1": {"a": 1}, "q2": {"b": 1, "c": 1}}
    assert format_qrels(qrels).splitlines() == ["q1 0 a 1", "q2 0 b 1", "q2 0 c 1"]


def test_run_keeps_retriever_order_and_drops_repeated_pieces() -> None:
    run = run_from_rankings({"q1": ["x", "a", "x", "b"]}, depth=10)
    assert list(run["q1"]) == ["x", "a", "b"]
    assert format_run(run, "t").splitlines()[0] == "q1 Q0 x 1 10 t"


def test_retrieval_metrics_from_ir_measures() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1, "c": 1}, "q4": {}}
    run = run_from_rankings({"q1": ["x", "a"], "q2": ["b", "z", "y", "w", "v", "c"]})
    result = score_retrieval(qrels, run, {"q1": "fact", "q2": "cross-document"})
    q1, q2 = result["per_query"]["q1"], result["per_query"]["q2"]
    assert (q1["R@1"], q1["R@5"], q1["RR@10"]) == (0.0, 1.0, 0.5)
    assert (q2["R@1"], q2["R@5"], q2["R@10"], q2["RR@10"]) == (0.5, 0.5, 1.0, 1.0)
    assert result["overall"]["R@5"] == pytest.approx(0.75)
    assert result["per_kind"]["fact"]["RR@10"] == 0.5 and result["per_kind"]["fact"]["n"] == 1
    assert result["unmatched_queries"] == ["q4"]
    assert 0 < q1["nDCG@10"] < 1


def test_a_query_with_no_hits_scores_zero() -> None:
    result = score_retrieval({"q1": {"a": 1}}, {}, {"q1": "fact"})
    assert result["overall"]["R@10"] == 0.0 and result["n"] == 1


def test_contains_fact_ignores_width_spaces_and_glued_digits() -> None:
    assert contains_fact("补助 60 ％，上限150万元", "60%")
    assert not contains_fact("资金0.14亿元", "4亿元")
    assert contains_fact("和美乡村资金4亿元", "4亿元")
    assert not contains_fact("补助160%", "60%")


def test_unsupported_numbers_ignore_markers_question_and_cited_text() -> None:
    answer = "按2023年方案，保费补助60%[1]，上限200万元[2]。"
    assert unsupported_numbers(answer, ["给予保费60%的补助"], "2023年出口信用保险") == {"200"}
    assert unsupported_numbers("不超过150万元[1]", ["不超过 150 万元"]) == set()


def test_citation_flags_and_recall() -> None:
    cited = ["全市工业用地比例不低于30%。", "无关的条款"]
    assert citation_flags(cited, Q2) == [True, False]
    assert citation_recall(cited, Q2) == 0.5


def test_answer_metrics_overall_and_per_kind() -> None:
    records = [
        AnswerRecord("q1", True, "给予保费60%的补助[1]，另有300万元。", ("企业投保的，给予保费60%的补助",),
                     latency_ms=10),
        AnswerRecord("q2", False, "未找到相关条款。", (), latency_ms=30),
        AnswerRecord("q3", False, "未找到相关条款。", (), latency_ms=20),
    ]
    result = score_answers([Q1, Q2, Q3], records)
    overall = result["overall"]
    assert overall["key_fact_accuracy"] == pytest.approx(0.25)  # q1 has 1 of 2, q2 none
    assert overall["all_key_facts"] == 0.0
    assert overall["citation_precision"] == 1.0
    assert overall["citation_recall"] == pytest.approx(0.5)
    assert overall["unsupported_number_rate"] == 1.0  # "300" is in no cited clause
    assert overall["rejection_accuracy"] == 1.0
    assert overall["false_refusal_rate"] == 0.5
    assert overall["latency_p50_ms"] == 20.0
    # the length of the answers given to answerable questions (q1's; q2 was refused)
    assert overall["answer_chars"] == len("给予保费60%的补助[1]，另有300万元。")
    assert result["per_kind"]["unanswerable"]["answer_chars"] is None
    assert result["per_kind"]["unanswerable"]["key_fact_accuracy"] is None
    assert result["per_kind"]["cross-document"]["false_refusal_rate"] == 1.0
    assert result["per_question"]["q1"]["missing_facts"] == ["150万元"]
    assert result["per_question"]["q1"]["unsupported_numbers"] == ["300"]


def test_a_figure_absent_question_accepts_a_caveat_but_never_a_figure() -> None:
    no_figure = Question("q4", "科技保险补贴比例是多少", "unanswerable", (), (), False, figure_absent=True)
    caveat = AnswerRecord("q4", True, "温州市（2024年）：按一定比例给予补贴。[1]（文件未写明具体比例）")
    with_figure = AnswerRecord("q4", True, "温州市（2024年）：给予保费60%的补贴。[1]")
    declined = AnswerRecord("q4", False, "现有政策文件中未找到……")
    assert states_figure(with_figure.text) and not states_figure(caveat.text)
    assert states_figure("补助百分之三十") and not states_figure("第[12]条")
    assert correctly_declined(no_figure, caveat) and correctly_declined(no_figure, declined)
    assert not correctly_declined(no_figure, with_figure)
    elsewhere = AnswerRecord("q4", True, caveat.text + "\n另：瑞安市（2023年）：给予保费60%的补贴。[2]")
    assert correctly_declined(no_figure, elsewhere)  # another region's figure, labelled as such
    assert not correctly_declined(Q3, AnswerRecord("q3", True, "按规定给予补助。[1]"))  # Q3 is not figure_absent
    assert score_answers([no_figure], [with_figure])["overall"]["rejection_accuracy"] == 0.0


def test_a_span_cut_by_a_chunk_boundary_credits_the_chunk_holding_its_larger_part() -> None:
    units = [("k1", "d1", "……企业投保的，给予保费"), ("k2", "d1", "60%的补助，单个企业不超过150万元"),
             ("k3", "d1", "别的内容")]
    assert build_qrels([Q1], units) == {"q1": {"k2": 1}}


def test_a_note_that_contradicts_its_quote_is_caught() -> None:
    from eval.answer_metrics import contradicts_its_note

    assert contradicts_its_note("瑞安市（2023年，瑞政发[2023]9号）：出口退税平均办理时间压缩至4个工作日以内[1]（文件未写明具体时间）")
    assert not contradicts_its_note("瑞安市（2023年，瑞政发[2023]9号）：上级有补助规定的按上级要求执行[1]（文件未写明具体金额）"
                                    "（该政策有效期为2023年，请以最新文件为准）")
    assert not contradicts_its_note("温州市（2024年，温政办〔2024〕11号）：保费给予不低于70%的补助[1]")


def test_the_project_s_own_questions_never_contradict_their_notes(corpus_settings) -> None:
    from app.service import AnswerService
    from eval.answer_metrics import contradicts_its_note

    corpus_service = AnswerService(corpus_settings)
    for question in ("在瑞安办出口退税现在要等多久？", "温州企业买短期出口信用保险，保费补多少？", "乐清厂房想加层，容积率最高能放到多少？"):
        answer = corpus_service.ask(question)
        assert not contradicts_its_note(answer.text), answer.text
        if answer.outcome == "not_stated":  # then no figure of the clause is quoted beside the note
            assert not any(ch.isdigit() for c in answer.citations for ch in c.quote), answer.text
