"""Offline answers on the bundled corpus, one test per kind of question."""
from __future__ import annotations

import re

import pytest

from app.render import answer_to_json
from app.service import AnswerService

from .answer_checks import TODAY, assert_grounded


def _ask(service: AnswerService, question: str, **options):
    answer = service.ask(question, today=TODAY, **options)
    assert_grounded(answer)
    return answer


def _line_of(answer, doc_id: str) -> str:
    """The answer line (one per document) that cites `doc_id`."""
    numbers = [c.n for c in answer.citations if c.clause.doc.doc_id == doc_id]
    assert numbers, f"{doc_id} not cited"
    return next(line for line in answer.text.splitlines() if f"[{numbers[0]}]" in line)


# Known gaps of the trained decision, kept as strict expected failures so that fixing one shows:
# a named region's other documents are not all listed after "另：", and a clause that shares most
# words but not the asked benefit ("上市奖励") still scores high.
KNOWN_GAP = pytest.mark.xfail(strict=True, reason="trained decision: see the closing note of the answer-pipeline issue")


def test_cross_document_export_credit_insurance(corpus_service: AnswerService) -> None:
    # every document's line, the 2025 draft's too: it names the subsidy without a rate (a known gap
    # until the document chance 0.2 -> 0.15 listed it)
    answer = _ask(corpus_service, "外贸企业出口信用保险补助比例是多少")
    assert answer.found
    ruian_2023 = _line_of(answer, "ruian-2023-work-plan")
    assert "瑞政发[2023]9号" in ruian_2023 and "60%" in ruian_2023 and "80%" in ruian_2023
    assert "150" in ruian_2023 and "70%" not in ruian_2023
    wenzhou = _line_of(answer, "wenzhou-2024-policies")
    assert "温政办〔2024〕11号" in wenzhou and "不低于70%" in wenzhou and "60%" not in wenzhou
    draft = _line_of(answer, "ruian-2025-work-plan-draft")
    assert "按规定" in draft and "征求意见稿" in draft
    assert len({ruian_2023, wenzhou, draft}) == 3  # each document kept apart
    assert "该政策有效期为2023年，请以最新文件为准" in ruian_2023  # expired flag


def test_with_no_place_named_a_document_joins_at_the_lower_chance(corpus_service: AnswerService) -> None:
    # the 2023 report's likeliest clause is another document's answer with P 0.143: over the threshold
    # of a question naming no place (AnswerConfig.unscoped_document_chance, 0.099), under the one of a
    # question naming a region or year (0.151); the three other documents are over both
    answer = _ask(corpus_service, "新认定的省级现代服务业创新发展区有什么奖励？")
    listed = [c.clause.doc.doc_id for c in answer.citations]
    assert set(listed) == {"wenzhou-2024-policies", "yueqing-2023-policies", "ruian-2023-work-plan",
                           "ruian-2023-government-work-report"}
    assert "50万元" in _line_of(answer, "wenzhou-2024-policies") and "180万元" in _line_of(answer, "ruian-2023-work-plan")


@KNOWN_GAP
def test_named_region_answers_first_and_others_as_also(corpus_service: AnswerService) -> None:
    answer = _ask(corpus_service, "温州出口信用保险补助比例是多少")
    lines = answer.text.splitlines()
    assert "70%" in lines[0] and answer.citations[0].clause.doc.doc_id == "wenzhou-2024-policies"
    assert all(line.startswith("另：") for line in lines[1:]) and len(lines) > 1


def test_each_region_asked_of_its_own_year_answers_first_and_its_other_years_as_also(
        corpus_service: AnswerService) -> None:
    # "乐清2023年和瑞安2025年" asks two documents, not 瑞安 in 2023 as well: the 2023 report's line,
    # if any, comes after the asked ones as "另："
    answer = _ask(corpus_service, "乐清2023年和瑞安2025年分别要新增多少家高新技术企业？")
    lines = answer.text.split("\n\n")[0].splitlines()
    asked = {"yueqing-2023-policies", "ruian-2025-work-plan-draft"}
    cited = [c.clause.doc.doc_id for c in answer.citations]
    assert set(cited[:2]) == asked and "120家" in _line_of(answer, "ruian-2025-work-plan-draft")
    assert all(line.startswith("另：") for line in lines[2:]) and len(lines) > 2


def test_single_fact(corpus_service: AnswerService) -> None:
    answer = _ask(corpus_service, "温州工业用地容积率一般不低于多少")
    assert answer.found and "容积率一般不低于2.0" in answer.text.replace(" ", "")
    assert answer.citations[0].clause.doc.doc_id == "wenzhou-2024-policies"


def test_responsible_unit(corpus_service: AnswerService) -> None:
    answer = _ask(corpus_service, "出口信用保险补助哪个部门负责")
    line = _line_of(answer, "ruian-2023-work-plan")
    assert "责任单位" in line and "市经信局" in line and "市商务局" in line and "牵头" in line


def test_leading_a_project_oneself_asks_for_the_support_not_for_a_unit(corpus_service: AnswerService) -> None:
    # "我们公司打算牵头": the caller leads; the answer is the support for such a consortium
    answer = _ask(corpus_service, "我们公司打算牵头搞一个创新联合体，温州给不给资助？")
    assert answer.found and "创新联合体" in answer.text and "给予资助" in answer.text
    assert "责任单位" not in answer.text and "牵头单位" not in answer.text


def test_a_year_is_answered_by_that_years_targets_not_by_the_review_of_the_year_before(
        corpus_service: AnswerService) -> None:
    """The 2023 report reviews 2022 ("开工建设老旧小区改造工程40个") before its 2023 targets ("加快25个
    老旧小区改造"): a 2023 question is answered by the targets. A 2022 question is answered by the
    review, and both styles say that the figure is the reviewed year's."""
    plan = _ask(corpus_service, "瑞安2023年要推进多少个老旧小区改造？")
    assert "25个老旧小区" in plan.text and "40个" not in plan.text and "工作回顾" not in plan.text
    for style in ("default", "hotline"):
        review = _ask(corpus_service, "瑞安2022年新建和提升了多少个球场？", style=style)
        assert "球场33个" in review.text and "（二〇二二年主要工作回顾）新建（提升）球场33个" in review.text


def test_this_year_is_each_documents_own_year_not_the_year_its_report_looks_back_on(
        corpus_service: AnswerService) -> None:
    """"今年" asks for the year a plan or report is for: the 2023 report's target ("新改建农村污水管网
    40公里"), not its review of 2022 ("新建污水管网超170公里"). When only the review holds the asked
    words, the answer says so and points to it, stating no figure of its own."""
    plan = _ask(corpus_service, "瑞安今年农村污水管网新改建多少公里？")
    assert plan.outcome == "answered" and "40公里" in plan.text
    assert "170" not in plan.text and "工作回顾" not in plan.text
    review_only = _ask(corpus_service, "瑞安今年要新建多少公里污水管网？")
    assert review_only.outcome == "not_found" and "170" not in review_only.text
    assert "瑞安市今年" in review_only.text and "瑞安市（二〇二二年主要工作回顾）有相关条款" in review_only.text


def test_budget(corpus_service: AnswerService) -> None:
    answer = _ask(corpus_service, "瑞安市2023年财政预算安排多少资金支持重大项目建设")
    assert answer.found and "31.15亿元" in answer.text.splitlines()[0].replace(" ", "")


def test_glossary_definition(corpus_service: AnswerService) -> None:
    answer = _ask(corpus_service, "什么是“五个零”机制")
    assert answer.found and answer.citations[0].clause.kind == "glossary"
    assert "零距离" in answer.text and "零缺位" in answer.text


def test_a_measure_found_by_its_glossary_entry_is_quoted_in_its_own_words(corpus_service: AnswerService) -> None:
    answer = _ask(corpus_service, "瑞安2023年“两医两力”提升计划怎么落实？")
    measure = next(c for c in answer.citations if c.clause.glossary)  # the measure carrying the entry
    assert measure.quote in measure.clause.text and not any(measure.quote in note for note in measure.clause.glossary)
    assert all(c.quote in c.clause.text for c in answer.citations)


def test_draft_flagged(corpus_service: AnswerService) -> None:
    answer = _ask(corpus_service, "新能源汽车以旧换新最高补贴多少")
    assert answer.citations[0].clause.doc.status == "draft"
    assert "1.5万元" in answer.text and "征求意见稿" in answer.text


def test_expired_flag_depends_on_today(corpus_service: AnswerService) -> None:
    question = "乐清湾港务公司集装箱海铁联运目标是多少标箱"
    assert "该政策有效期为2023年，请以最新文件为准" in _ask(corpus_service, question).text
    from datetime import date

    assert "有效期" not in corpus_service.ask(question, today=date(2023, 6, 1)).text


@pytest.mark.parametrize("question", [
    "大学生租房补贴每月多少钱",
    # answered with "降本减负25亿元" since the ranking model puts the most plausible clause first: it
    # holds none of the asked words (coverage 0) and scores 0.418 against a threshold of 0.349 (README
    # "第二次排序", what got worse). Strict: it fails once the question is declined again.
    pytest.param("在瑞安买房子契税能减免多少", marks=pytest.mark.xfail(
        strict=True, reason="a wrong confident answer since the ranking model (see above)")),
    pytest.param("瑞安市对企业上市给予多少奖励", marks=KNOWN_GAP),
    # The answer issue's own examples of unrelated figures, asked as questions (as bare searches they
    # are declined: test_a_bare_search_quotes_the_clause_that_holds_all_its_words). Still answered:
    # "博士", "安家" and "退伍" stand in no document, as colloquial words of answered questions do
    # ("铁饭碗", "太阳能板"), and no signal here tells the two apart (README "误拒为什么降不下来");
    # Wenzhou's documents hold no "消费券", and its clause on consumption scores 0.383 against 0.349.
    *(pytest.param(question, marks=pytest.mark.xfail(strict=True, reason="a wrong confident answer (see above)"))
      for question in ("博士安家补贴多少", "退伍自主就业一次性补助多少", "温州2024年发了多少消费券")),
])
def test_unanswerable_refused_without_figures(corpus_service: AnswerService, question: str) -> None:
    answer = _ask(corpus_service, question)
    # "未找到关于…", or "提到了…，但没有找到能回答这个问题的规定" when the documents hold its words
    assert not answer.found and answer.outcome == "not_found" and answer.text.startswith("现有政策文件")
    assert not re.search(r"\d", answer.text)


@pytest.mark.parametrize("question", ["外贸企业出境参展费用补助比例是多少", "我们厂去国外参展能补多少"])
def test_benefit_without_a_figure_is_quoted_with_a_plain_caveat(corpus_service: AnswerService, question: str) -> None:
    answer = _ask(corpus_service, question)
    first = answer.text.splitlines()[0]
    assert answer.outcome == "not_stated" and answer.reason == "figure_not_stated" and not answer.found
    assert "出境" in answer.citations[0].quote and "文件未写明具体" in first
    assert "60%" not in answer.text  # the insurance rate in the next sentence answers another question


def test_a_sum_the_caller_mentions_does_not_make_a_list_question_ask_for_a_number(corpus_service: AnswerService) -> None:
    # "好几千" says how much the tolls are; what is asked is which reductions: the clause lists them
    answer = _ask(corpus_service, "我是开货车的，一个月过路费好几千，乐清在帮我们争取哪些通行费优惠？")
    assert answer.outcome == "answered" and "未写明" not in answer.text
    assert "乐政发〔2023〕6号" in answer.text and "ETC货车通行费优惠" in answer.citations[0].quote


def test_hotline_is_short_and_ends_with_document_and_measure(corpus_service: AnswerService) -> None:
    # no place named: each document answering is read (瑞安 60%, 温州 70%, the 2025 draft saying it
    # gives no rate), each in a short part
    answer = _ask(corpus_service, "外贸企业出口信用保险补助比例是多少", style="hotline")
    content, _, basis = answer.text.partition("依据：")
    parts = content.split("；")
    assert len(parts) == 3 and all(len(re.sub(r"\[\d+\]", "", p)) <= 90 for p in parts)
    assert "60%" in content and "70%" in content and basis and re.search(r"瑞政发.*(条|\)).*温政办.*条", basis)
    assert "未写明" in parts[2] and "征求意见稿" in parts[2]
    assert answer.text.endswith("。") and "\n" not in answer.text


def test_json_contract(corpus_service: AnswerService) -> None:
    data = answer_to_json(_ask(corpus_service, "外贸企业出口信用保险补助比例是多少"))
    assert {"question", "found", "answer", "citations", "retrieved", "mode", "timings_ms"} <= set(data)
    assert set(data["citations"][0]) >= {"n", "clause_id", "doc_title", "doc_number", "region", "year",
                                         "status", "locator", "quote", "text"}
    assert len(data["retrieved"]) >= 10
    assert set(data["retrieved"][0]) >= {"clause_id", "doc_title", "locator", "score", "text"}
    assert data["mode"] == "extractive" and set(data["timings_ms"]) == {"retrieve", "answer", "total"}


def test_a_citation_under_another_years_heading_names_that_year_in_json(corpus_service: AnswerService) -> None:
    """The 2023 report's review of 2022: the citation keeps the document's year and says whose year its figures are."""
    review = answer_to_json(_ask(corpus_service, "瑞安2022年新建和提升了多少个球场？"))
    [cited] = [c for c in review["citations"] if "球场33个" in c["quote"]]
    assert cited["year"] == 2023 and cited["period_years"] == [2022]
    assert cited["period_note"] == "（二〇二二年主要工作回顾）" and cited["period_note"] in review["answer"]
    plan = answer_to_json(_ask(corpus_service, "瑞安2023年要推进多少个老旧小区改造？"))
    assert plan["citations"] and all(c["period_years"] == [] and c["period_note"] == "" for c in plan["citations"])


def test_region_filter_option(corpus_service: AnswerService) -> None:
    answer = _ask(corpus_service, "出口信用保险补助比例是多少", region="温州市")
    assert {c.clause.doc.doc_id for c in answer.citations} == {"wenzhou-2024-policies"}
    assert all(h.clause.doc.doc_id == "wenzhou-2024-policies" for h in answer.retrieved)


def test_a_bare_search_quotes_the_clause_that_holds_all_its_words(corpus_service: AnswerService) -> None:
    # no question asked: the clause holding every searched word is what was searched for
    answer = _ask(corpus_service, "AEO认证")
    assert answer.found and "AEO" in answer.citations[0].quote and "2家" in answer.text
    # a search whose words no one clause holds together is still not found
    for search in ("博士安家补贴", "退伍自主就业一次性补助"):
        assert not _ask(corpus_service, search).found


def test_a_not_found_answer_names_no_question_form_as_the_missing_topic(corpus_service: AnswerService) -> None:
    # "百分之几" is how the question asks (jieba's "百分" is a piece of it), not what it asks about
    answer = _ask(corpus_service, "2022年瑞安宠物医院数量比上年涨了百分之几？")
    assert not answer.found and "宠物医院" in answer.text and "百分" not in answer.text


@pytest.mark.parametrize("question", [
    # Answered again since the e5 features are of sentence fragments (retrained): the clause model
    # gives the 50-canteen clause 0.48 against a threshold of 0.37, though neither it nor its
    # sentence holds "补贴". A rule "a yes/no question's item must be in the clause" would decline
    # it but cost four right answers of the training and development sets (their items are "专门",
    # "办法", "变化"): not landed. Strict: it fails once the question is declined again.
    pytest.param("老年食堂有没有补贴", marks=pytest.mark.xfail(strict=True, reason="a wrong confident answer (see above)")),
    "乐清老年食堂有补贴吗"])
def test_a_yes_no_question_is_not_answered_by_a_clause_without_the_asked_thing(corpus_service: AnswerService,
                                                                             question: str) -> None:
    # the documents count new canteens (52家, 200个) and say nothing of a canteen subsidy: whether there
    # is one is asked, so quoting the count would be a confident answer to another question
    answer = _ask(corpus_service, question)
    assert not answer.found and answer.outcome != "answered"
    assert not re.search(r"\d", answer.text)


def test_a_yes_no_question_is_answered_by_the_clause_that_has_the_asked_thing(corpus_service: AnswerService) -> None:
    answer = _ask(corpus_service, "在温州把自家房子租出去搞乡村旅游，有税收优惠吗？")
    assert answer.outcome == "answered" and "税收优惠" in answer.citations[0].quote


def test_a_question_of_two_parts_neither_stated_is_not_answered(corpus_service: AnswerService) -> None:
    # a figure asked in one part and a time in the other: a quote stating neither answers neither
    answer = _ask(corpus_service, "瑞安推行房票安置，用房票买房能多拿多少奖励？房票多久有效？")
    assert not answer.found and answer.outcome in ("not_stated", "not_found")
    assert not re.search(r"\d", answer.text.split("\n")[0])


def test_no_place_named_and_several_documents_answer_each_gets_its_line(corpus_service: AnswerService) -> None:
    # the example: each document's figure with its region and year, none picked silently
    answer = _ask(corpus_service, "老年食堂今年要新开几家？")
    assert answer.outcome == "answered"
    assert "乐清市（2023年" in (line := _line_of(answer, "yueqing-2023-policies")) and "52家老年食堂" in line
    assert "瑞安市（2023年" in (line := _line_of(answer, "ruian-2023-work-plan")) and "50家老年食堂" in line
    assert "温州市（2024年" in (line := _line_of(answer, "wenzhou-2024-policies")) and "200个" in line


def test_a_named_region_s_yes_no_question_lists_no_loosely_related_lines(corpus_service: AnswerService) -> None:
    # the 2023 spring vouchers include ones for cars; the 2025 draft's trade-in subsidy and the
    # government report's car trade centre are about cars too, but answer nothing about the vouchers
    answer = _ask(corpus_service, "瑞安春节那阵子发的购物券，能拿来买汽车吗？")
    assert answer.outcome == "answered" and "汽车等权重商品专用消费券" in answer.citations[0].quote
    assert {c.clause.doc.doc_id for c in answer.citations} == {"ruian-2023-work-plan"}
