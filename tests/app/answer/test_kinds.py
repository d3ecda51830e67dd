"""The kind registry: how questions ask and how sentences state."""
from __future__ import annotations

import pytest

from app.answer.kinds import ASKED_UNIT, Kind, asks, detect_kinds, missing_note, names_a_kind, states


@pytest.mark.parametrize(("question", "kinds"), [
    ("出口信用保险补助比例是多少", {Kind.RATIO}),
    ("这项政策哪个部门负责", {Kind.RESPONSIBLE}),
    ("什么是“五个零”机制", {Kind.DEFINITION}),
    ("2023年财政预算安排多少资金", {Kind.BUDGET}),
    ("新建几个基地", {Kind.FIGURE}),
    ("乐永青高速什么时候开工", {Kind.TIME}),
    # "最高…多少" is not money by itself: a plot ratio is asked the same way
    ("容积率最高能放到多少", {Kind.FIGURE}),
    ("保费补多少", {Kind.AMOUNT}),
    ("研发投入每年至少往上涨多少", {Kind.GROWTH}),
    ("劳动生产率今年打算提高多少", {Kind.GROWTH}),
    ("今年要新增多少个学位", {Kind.FIGURE}),  # how many new ones: a count, not a rise
    ("出口退税几个工作日能办完", {Kind.TIME}),  # a span of time, not a count
    ("产假一共能休多少天", {Kind.TIME}),
    ("投出去的钱里流向民营企业的得占到多少", {Kind.RATIO}),  # a share of a whole
    ("建设智算中心由哪个单位牵头", {Kind.RESPONSIBLE}),
    ("引育科技人才的牵头单位是谁", {Kind.RESPONSIBLE}),
    ("这件事谁来负责", {Kind.RESPONSIBLE}),
])
def test_detect_kinds(question: str, kinds: set[Kind]) -> None:
    assert detect_kinds(question) == kinds


@pytest.mark.parametrize("question", [
    "一个月过路费好几千，有哪些通行费优惠",  # "好几千": a lot, not a count asked
    "这几年有什么养老政策",
    "我们几个老票友想办戏曲社，有什么扶持",
    "那几项补贴怎么申请",
    "近几年有什么养老政策",
])
def test_a_ji_that_says_some_asks_no_number(question: str) -> None:
    assert not {Kind.FIGURE, Kind.RATIO, Kind.GROWTH} & detect_kinds(question)
    assert ASKED_UNIT.findall(question) == []


def test_a_ji_that_asks_still_asks_beside_one_that_does_not() -> None:
    assert detect_kinds("我们几个人想问今年新开几家") == {Kind.FIGURE}
    assert ASKED_UNIT.findall("我们几个人想问今年新开几家") == ["家"]
    assert detect_kinds("比上年多出几成") == {Kind.GROWTH, Kind.RATIO}


@pytest.mark.parametrize("question", [
    "我们公司想牵头拉上大学组队攻关，政府给不给钱",  # the asker leads; no unit is asked for
    "我负责公司的外贸，出口信用保险保费补多少",
    "政府牵头设的引导资金投了多少",
])
def test_leading_or_being_in_charge_said_of_someone_asks_no_responsible_unit(question: str) -> None:
    assert Kind.RESPONSIBLE not in detect_kinds(question)


@pytest.mark.parametrize("question", ["这几天能办吗", "近几个月有什么新政策", "每年要用多少天然气"])
def test_a_few_days_said_in_passing_asks_no_time(question: str) -> None:
    assert Kind.TIME not in detect_kinds(question)


@pytest.mark.parametrize("question", ["老年食堂有没有补贴", "开小店的有税收优惠吗", "是否有租房补贴"])
def test_a_yes_no_question_asks(question: str) -> None:
    # not a bare search for its words: whether the thing is there is asked
    assert asks(question)


def test_a_statement_does_not_ask() -> None:
    assert not asks("老年食堂补贴") and not asks("所有企业都能享受的政策")


def test_figure_is_dropped_when_a_more_precise_kind_is_asked() -> None:
    assert Kind.FIGURE not in detect_kinds("补助比例是多少")


def test_states_needs_the_asked_unit_for_full_credit() -> None:
    figure = frozenset({Kind.FIGURE})
    assert states(figure, "家", "新增省级绿色工厂15家") == 1.0
    assert states(figure, "家", "新增项目30个") == 0.6  # one counter written as another: partly stated
    # a measure is not interchangeable: a figure without it is another quantity, not stated
    assert states(figure, "公里", "新增项目30个") < 0.6 and states(figure, "亿", "数字经济核心产业增加值增长12%") < 0.6
    assert states(figure, "", "没有数字的句子") == 0.0
    assert states(frozenset({Kind.RATIO}), "", "给予保费60%的补助") == 1.0
    assert states(frozenset(), "", "60%") == 0.0


def test_a_calendar_year_is_not_the_figure_asked() -> None:
    figure = frozenset({Kind.FIGURE})
    # "乐清今年要推进多少个重大项目": a clause naming only the year of a plan does not state how many
    assert states(figure, "个", "积极申报2023年省服务业重大项目计划") == 0.0
    assert states(figure, "", "力争2024年开工") == 0.0
    assert states(figure, "个", "2023年着力推进60个以上重大项目") == 1.0  # the count beside the year
    assert states(figure, "亿", "2023 年预算安排 1.61 亿元") == 1.0
    assert states(frozenset({Kind.TIME}), "", "力争2024年开工") == 1.0  # a year asked for is stated


def test_a_span_of_time_states_how_long() -> None:
    time = frozenset({Kind.TIME})
    assert states(time, "", "将出口退税平均办理时间压缩在4个工作日以内") == 1.0
    assert states(time, "", "三个月内完成审核") == 1.0
    assert states(time, "", "每年3月集中申报") == 1.0  # a month is a date too
    assert states(time, "", "加快办理出口退税") == 0.0


def test_a_share_of_the_cost_states_how_much_is_subsidised() -> None:
    amount = frozenset({Kind.AMOUNT})
    assert states(amount, "", "对企业短期出口信用保险保费给予不低于70%的补助经费") == 1.0
    assert states(amount, "", "单个企业补贴不超过150万元") == 1.0
    # a percentage that is not a share subsidised is no sum
    assert states(amount, "", "市级人才计划支持比例达80%以上") == 0.0


def test_a_rise_is_stated_by_the_figure_of_the_rise_not_by_any_figure_of_the_topic() -> None:
    growth = frozenset({Kind.GROWTH})
    assert states(growth, "", "确保全市财政科技投入年均增长15%以上") == 1.0
    assert states(growth, "", "争取分布式光伏装机容量增加3万千瓦") == 1.0
    assert states(growth, "", "每年给予最高不超过500万元运行经费补助") == 0.0
    assert states(growth, "", "力争全市研发投入强度达2.9%以上") == 0.0
    # the level it rises to is not the rise
    assert states(growth, "", "每千人口拥有婴幼儿托位增至3.92个") == 0.0
    assert states(growth, "", "县域就诊率提高到90%") == 0.0
    assert states(growth, "", "农业增加值增速达到5%") == 1.0
    assert missing_note(growth) == "具体增幅"


def test_asked_unit_and_asking_clauses() -> None:
    assert ASKED_UNIT.findall("要新改建多少公里？培训多少人次？") == ["公里", "人次"]
    # a bare order of magnitude is a unit too: "多少亿投资" is answered by "300亿元", not by "2023年"
    assert ASKED_UNIT.findall("计划完成多少亿投资？新增多少万人？") == ["亿", "万人"]
    assert states(frozenset({Kind.FIGURE}), "亿", "完成重大项目投资300亿元左右") == 1.0
    assert states(frozenset({Kind.FIGURE}), "亿", "积极申报2023年省服务业重大项目计划") < 0.6
    assert asks("打算弄几所") and not asks("我家在瑞安山区")


def test_missing_note_names_the_kind_never_a_figure() -> None:
    assert missing_note(frozenset({Kind.RATIO})) == "具体比例"
    assert missing_note(frozenset({Kind.AMOUNT})) == "具体金额"
    assert missing_note(frozenset()) == "专门解释"


def test_a_word_that_only_says_how_a_question_asks_names_a_kind() -> None:
    assert names_a_kind("比例") and names_a_kind("金额") and names_a_kind("条件") and names_a_kind("百分之几")
    assert not names_a_kind("保费") and not names_a_kind("比例补助") and not names_a_kind("产假")
