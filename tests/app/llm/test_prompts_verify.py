"""Prompt templates are checked; generated units are verified and repaired."""
from __future__ import annotations

import pytest

from app.llm import prompts
from app.llm.answerer import render_clause
from app.llm.verify import ECHO_MARK, Renumbering, Supplied, check_unit, take_units
from policyqa.model import Clause
from tests.app.answer_checks import TODAY
from tests.app.answer_fakes import CLAUSES, RUIAN_2023


def test_shipped_templates_load_with_exactly_their_variables() -> None:
    for name, variables in (prompts.SYSTEM, prompts.USER, prompts.CLAUSE, prompts.STYLE_DEFAULT, prompts.STYLE_HOTLINE):
        assert prompts.load_template(name, variables).variables == variables


def test_checker_refuses_missing_or_extra_variables(tmp_path) -> None:
    (tmp_path / "t.txt").write_text("问题：{question} 多余：{extra}", encoding="utf-8")
    with pytest.raises(prompts.TemplateError, match="extra"):
        prompts.load_template("t", frozenset({"question", "clauses"}), tmp_path)
    with pytest.raises(prompts.TemplateError, match="missing"):
        prompts.load_template("absent", frozenset(), tmp_path)
    template = prompts.check_template("ok", "{a}{b}", frozenset({"a", "b"}))
    with pytest.raises(prompts.TemplateError):
        template.render(a=1)
    assert template.render(a=1, b="{x}") == "1{x}"  # braces in values are data


def test_units_end_after_marker_runs() -> None:
    units, rest = take_units("甲[1]。乙[2][3]；丙", final=False)
    assert units == ["甲[1]。", "乙[2][3]；"] and rest == "丙"
    assert take_units("丙", final=True) == (["丙"], "")


def _check(unit: str, supplied: dict, cited_before: set[int] | None = None):
    return check_unit(unit, Supplied(supplied), cited_before or set())


def test_check_unit_repairs() -> None:
    supplied = {1: CLAUSES[0], 2: CLAUSES[1]}
    good = _check("给予保费60%的补助【1】。", supplied)
    assert good.text == "给予保费60%的补助[1]。" and good.cited == (1,)
    foreign = _check("不低于70%[2][7]。", supplied)
    assert foreign.text == "不低于70%[2]。" and foreign.removed_markers == (7,)
    wrong = _check("给予保费60%的补助。上限999万元[1]。", supplied)
    assert wrong.text == "给予保费60%的补助[1]。" and wrong.unsupported == ("999万元",)
    uncited = _check("另有30%补助。", supplied)
    assert uncited.text == "" and uncited.dropped


INCUBATORS = Clause(
    "r23-incubator", RUIAN_2023, ("二、科技创新领域",), "4", "培育建设大孵化集群",
    "培育建设大孵化集群。新增孵化面积22万平方米。实施双创载体激励政策，新认定的国家级、省级、温州市级、"
    "瑞安市级科技企业孵化器，每家分别最高奖励500万元、250万元、30万元、20万元奖励。新认定（备案）的国家级、"
    "省级、温州市级众创空间分别给予50万元、30万元、20万元奖励。（责任单位：市科技局）", locator="二、(二)4")
WORKSHOPS = Clause(
    "r23-workshop", RUIAN_2023, ("五、乡村振兴",), "7", "共富工坊",
    "建设共富工坊。对新认定的市级共富工坊给予10万元补助。（责任单位：市农业农村局）", locator="五、(一)7")


@pytest.mark.parametrize("answer, kept", [
    ("新认定的国家级科技企业孵化器最高奖励500万元[1]。", True),
    ("新认定的省级科技企业孵化器每家最高奖励250万元[1]。", True),
    ("瑞安市级科技企业孵化器最高奖励20万元[1]。", True),
    ("国家级、省级科技企业孵化器分别最高奖励500万元、250万元[1]。", True),
    ("省级众创空间给予30万元奖励[1]。", True),
])
def test_figures_stated_for_their_own_item_pass(answer: str, kept: bool) -> None:
    check = _check(answer, {1: INCUBATORS})
    assert (check.text == answer) is kept and not check.dropped and not check.replaced


def test_a_figure_put_beside_another_item_of_a_paired_list_is_caught_and_replaced() -> None:
    check = _check("新认定的省级科技企业孵化器最高奖励500万元[1]。", {1: INCUBATORS})
    assert check.misattributed == ("500万元",)
    assert check.replaced and "省级科技企业孵化器最高奖励500万元" not in check.text
    # the stand-in is the clause's own sentence, verbatim, cited
    assert "国家级、省级、温州市级、瑞安市级科技企业孵化器，每家分别最高奖励500万元、250万元" in check.text
    assert check.text.endswith("[1]。") and check.cited == (1,)


def test_a_right_figure_cited_to_the_wrong_clause_moves_to_the_clause_that_states_it() -> None:
    supplied = {1: INCUBATORS, 2: WORKSHOPS}
    wrong = _check("市级共富工坊可以得到10万元补助[1]。", supplied)
    assert wrong.unsupported == ("10万元",) and wrong.replaced
    assert wrong.text == "对新认定的市级共富工坊给予10万元补助[2]。" and wrong.cited == (2,)
    copied = _check("对新认定的市级共富工坊给予10万元补助[1]。", supplied)  # word for word from [2]
    assert copied.text == "对新认定的市级共富工坊给予10万元补助[2]。" and copied.cited == (2,)


def test_a_sentence_said_twice_is_shown_once() -> None:
    supplied = Supplied({1: INCUBATORS, 2: WORKSHOPS})
    shown: set[str] = set()
    first = check_unit("市级共富工坊可以得到10万元补助[1]。", supplied, set(), shown=shown)
    again = check_unit("对新认定的市级共富工坊给予10万元补助[2]。", supplied, {2}, shown=shown)
    assert "10万元" in first.text and again.text == ""


def test_a_figure_of_the_cited_clause_about_something_else_is_dropped() -> None:
    # 20万元 is in the clause, but for 瑞安市级孵化器 and 温州市级众创空间, never for a 共富工坊
    check = _check("共富工坊最高补助20万元[1]。", {1: INCUBATORS, 2: WORKSHOPS})
    assert "20万元" in check.unsupported and check.text == ""


def test_a_sentence_in_another_clauses_words_is_dropped_and_an_echoed_header_too() -> None:
    supplied = {1: INCUBATORS, 2: WORKSHOPS}
    check = _check("建设共富工坊由市农业农村局负责[1]。", supplied)
    assert check.text == "" and check.dropped
    header = render_clause(1, INCUBATORS, TODAY).split(ECHO_MARK)[0]
    with_headers = Supplied(supplied, (header,))
    assert check_unit(header + "[1]", with_headers, set()).text == ""
    copied = check_unit(header + ECHO_MARK + "培育建设大孵化集群。新增孵化面积22万平方米[1]。", with_headers, set())
    assert copied.text == "新增孵化面积22万平方米[1]。"  # its title sentence is in the header too
    own = _check("培育建设大孵化集群由市科技局负责[1]。", supplied)
    assert own.text == "培育建设大孵化集群由市科技局负责[1]。"


def test_a_sentence_without_figures_is_kept_when_half_its_known_words_are_the_cited_clauses() -> None:
    """AnswerConfig.llm_word_share at its edge: of the words some supplied clause uses, 5 of 10 are
    the cited clause's (市级, 农业, 农村, 认定, 建设; the rest the incubator clause's) -> kept; one
    more of the other clause's (新增), 5 of 11 -> a sentence about the other measure, dropped."""
    supplied = {1: INCUBATORS, 2: WORKSHOPS}
    half = "市级共富工坊由市农业农村局认定，依托孵化集群和众创空间建设，孵化面积扩大[2]。"
    assert _check(half, supplied).text == half
    assert _check(half.replace("孵化面积扩大", "新增孵化面积"), supplied).text == ""


def test_markers_alone_or_before_the_text_keep_nothing_unsupported() -> None:
    supplied = {1: INCUBATORS, 2: WORKSHOPS}
    assert _check("[1]", supplied).text == ""
    check = _check("对新认定的市级共富工坊给予10万元补助。[2]", supplied, {1})
    assert "10万元" in check.text and check.cited == (2,)


def test_renumbering_follows_first_use() -> None:
    renumbering = Renumbering()
    assert renumbering.apply("甲[3]乙[1]丙[3]") == "甲[1]乙[2]丙[1]"


# The verifier's blind spots, each a model output that once reached the user unchanged.
INSURANCE = Clause(
    "r23-insurance", RUIAN_2023, ("三、外贸领域",), "2", "出口信用保险",
    "支持企业投保出口信用保险。对小微企业投保短期出口信用保险的，按保费给予不超过150万元的补助。"
    "（责任单位：市商务局）", locator="三、(一)2")
FARMLAND = Clause(
    "r23-farmland", RUIAN_2023, ("五、乡村振兴",), "3", "耕地保护",
    "全年完成垦造耕地7000亩，建设高标准农田2万亩。新建农事服务中心用房1400平方米。（责任单位：市农业农村局）",
    locator="五、(一)3")


def test_a_measure_named_by_its_number_is_kept() -> None:
    answer = "依据第4条，新认定的国家级科技企业孵化器最高奖励500万元[1]。"
    assert _check(answer, {1: INCUBATORS}).text == answer


def test_a_bare_figure_is_not_kept() -> None:
    # a stray "50万元" after an answer: the clause states 50万元, but for what the answer does not say
    assert _check("50万元", {1: INCUBATORS}, {1}).text == ""
    assert _check("奖励50万元[1]。", {1: INCUBATORS}).text == "奖励50万元[1]。"


def test_a_paired_list_with_its_figures_swapped_is_caught() -> None:
    check = _check("国家级、省级科技企业孵化器分别最高奖励250万元、500万元[1]。", {1: INCUBATORS})
    assert set(check.misattributed) == {"250万元", "500万元"}
    assert "分别最高奖励250万元、500万元" not in check.text


@pytest.mark.parametrize("answer", [
    "按保费给予不低于150万元的补助[1]。",  # the bound turned round
    "按保费给予至少150万元的补助[1]。",
    "对小微企业投保短期出口信用保险的，不给予补助[1]。",  # a negation the clause does not have
    "对小微企业投保短期出口信用保险的，不给予150万元补助[1]。",
])
def test_a_flipped_bound_or_an_added_negation_is_not_kept(answer: str) -> None:
    check = _check(answer, {1: INSURANCE})
    assert check.text != answer and check.dropped + check.replaced
    assert "不低于" not in check.text and "至少" not in check.text and "不给予" not in check.text


def test_the_clauses_own_bound_and_negation_pass() -> None:
    assert _check("按保费给予不超过150万元的补助[1]。", {1: INSURANCE}).text == "按保费给予不超过150万元的补助[1]。"
    assert _check("保费补助最高150万元[1]。", {1: INSURANCE}).text == "保费补助最高150万元[1]。"


@pytest.mark.parametrize("answer, kept", [
    ("全年完成垦造耕地7000亩[1]。", True),
    ("新建农事服务中心用房1400平方米[1]。", True),
    ("建设高标准农田7000亩[1]。", False),  # another item's quantity
    ("全年完成垦造耕地7000平方米[1]。", False),  # the wrong unit
    ("新建农事服务中心用房1400亩[1]。", False),
])
def test_quantities_other_than_money_belong_to_their_item_and_unit(answer: str, kept: bool) -> None:
    check = _check(answer, {1: FARMLAND})
    assert (check.text == answer) is kept, check


def test_a_figure_given_to_another_region_than_its_clauses_is_not_kept() -> None:
    answer = "乐清市新认定的省级科技企业孵化器最高奖励250万元[1]。"
    check = _check(answer, {1: INCUBATORS})  # 瑞安's clause; 乐清's is not in the prompt
    assert check.text != answer and "乐清" not in check.text
    own = "瑞安市新认定的省级科技企业孵化器最高奖励250万元[1]。"
    assert _check(own, {1: INCUBATORS}).text == own


def test_a_not_found_tail_after_a_cited_answer_is_dropped() -> None:
    supplied = Supplied({1: INCUBATORS})
    first = check_unit("省级科技企业孵化器最高奖励250万元[1]。", supplied, set())
    tail = check_unit("现有政策文件中未找到相关规定。", supplied, set(first.cited))
    assert "250万元" in first.text and tail.text == "" and tail.dropped
    said_with_a_marker = check_unit("其他地区的文件未提及相关规定[1]。", supplied, set(first.cited))
    assert said_with_a_marker.text == ""


def test_a_sentence_copied_from_another_clause_is_recited_in_that_clauses_own_characters() -> None:
    copied = _check("新认定(备案)的国家级、省级、温州市级众创空间分别给予50万元、30万元、20万元奖励[2]。",
                    {1: WORKSHOPS, 2: FARMLAND, 3: INCUBATORS})
    assert "新认定（备案）的国家级、省级、温州市级众创空间分别给予50万元、30万元、20万元奖励[3]" in copied.text


def test_a_rewrite_reaches_the_search_as_words_without_figures() -> None:
    from app.llm.rewrite import REWRITE_MAX_CHARS, search_terms

    assert search_terms("出口信用保险，保费补助（2024年）\n解释：……") == "出口信用保险 保费补助"
    assert search_terms("问：厂里买机器 → 技术改造 设备购置") == "技术改造 设备购置"
    assert search_terms("\n\n  新能源汽车") == "新能源汽车"
    assert search_terms("") == "" and search_terms("最高1000万元") == ""
    assert len(search_terms("政策" * 100)) == REWRITE_MAX_CHARS


def test_a_clause_under_another_years_heading_tells_the_model_whose_year_it_is() -> None:
    """The 2023 report's review of 2022: the model reads its figures as 2022's, as the offline answer
    says ("（二〇二二年主要工作回顾）"), not as the report year's targets."""
    review = Clause("r23-review", RUIAN_2023, ("一、2022年主要工作回顾",), "", "民生", "新建（提升）球场33个。",
                    locator="一、(六)")
    assert "一、(六)（二〇二二年主要工作回顾）" in render_clause(1, review, TODAY)
    assert "工作回顾" not in render_clause(1, WORKSHOPS, TODAY)
