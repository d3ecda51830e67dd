"""The registry of question kinds: how a question asks for a kind of fact, and how a sentence states it.

One entry per kind; every other module asks the registry instead of comparing strings. The
patterns are general Chinese question and statement forms (多少, 比例, 哪个部门 …), not words of any
one question or document.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.answer.kind_wording import spoken_definition, spoken_units, written_units
from app.text.spans import Span
from policyqa.model import Clause


class Kind(StrEnum):
    """What kind of fact a question asks for."""

    RESPONSIBLE = "responsible"
    DEFINITION = "definition"
    BUDGET = "budget"
    RATIO = "ratio"
    GROWTH = "growth"
    AMOUNT = "amount"
    CONDITION = "condition"
    TIME = "time"
    FIGURE = "figure"


@dataclass(frozen=True)
class KindSpec:
    """How a question asks for this kind, how a sentence states it, and what to say when none does."""

    kind: Kind
    asks: re.Pattern[str]
    states: re.Pattern[str]
    missing: str  # "文件未写明{missing}" when the cited clause does not state it
    figure: bool  # a number answers it
    # how an answer words a cited clause for this kind instead of quoting its sentences (None: quoted):
    # written (clause, its chosen spans, the citation marker), spoken (clause, characters of room; None
    # when this clause is quoted after all)
    written: Callable[[Clause, tuple[Span, ...], str], str] | None = None
    spoken: Callable[[Clause, int], str | None] | None = None


_NUMBER = r"\d+(?:\.\d+)?"
# a number that counts or measures something: a calendar year ("申报2023年省服务业重大项目计划") does
# not answer "多少个" (a year asked for is a TIME)
_QUANTITY = r"(?<![\d.])(?!(?:19|20)\d\d\s*年)\d+(?:\.\d+)?"
_MONEY = rf"{_NUMBER}\s*(?:万亿|亿|万|千)?\s*(?:元|美元)"
_PERCENT = rf"{_NUMBER}\s*%|百分之|{_NUMBER}\s*成"
# A subsidy given as a share of the cost ("保费给予不低于70%的补助"): it answers "补多少" as a sum does.
_SUBSIDY_SHARE = rf"(?:{_PERCENT})的?(?:补助|补贴|奖励|资助|贴息)|(?:补助|补贴|奖励|资助)(?:比例)?(?:为|按|达)?(?:{_PERCENT})"
# A date or a span of time: "2024年底", "4个工作日", "三个月内".
_DURATION = r"(?:\d+|[一二两三四五六七八九十半]+)\s*(?:个)?(?:工作日|自然日|小时|天|日内|周|个月|月内|年内)"
# "几" that asks for a number; after 好/这/那/们/近 it counts nothing asked ("一个月好几千", "这几年",
# "我们几个老票友", "近几个月")
_HOW_MANY = r"(?<![好这那们近])几"

REGISTRY: dict[Kind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(Kind.RESPONSIBLE,
                 re.compile(r"哪个部门|哪些部门|什么部门|哪个单位|哪些单位|什么单位|责任单位|牵头单位|牵头部门|负责单位|负责部门"
                            r"|主管部门|找谁|谁管|归谁|谁(?:来)?(?:牵头|负责)"),
                 re.compile(r"牵头|责任单位|负责"), "责任单位", False, written_units, spoken_units),
        KindSpec(Kind.DEFINITION,
                 re.compile(r"什么是|是什么意思|指什么|是指|含义|名词解释|什么意思|包括哪些|包括什么|具体是哪|是哪[几一二三四五六七八九十\d]+个"),
                 re.compile(r"是指|包括|即|：|:"), "专门解释", False, spoken=spoken_definition),
        KindSpec(Kind.BUDGET,
                 re.compile(r"预算|安排.{0,6}资金|财政.{0,6}(?:多少|资金|投入)|资金.{0,4}多少|多少钱"),
                 re.compile(_MONEY), "具体金额", True),
        KindSpec(Kind.RATIO,
                 re.compile(rf"比例|百分之几?|百分比|多少%|{_HOW_MANY}成|比率|占比|占(?:到|了|据)?多少|增长.{{0,4}}(?:多少|目标)|增幅|增速|覆盖率"),
                 re.compile(_PERCENT), "具体比例", True),
        # how much something rises ("往上涨多少", "提高多少", "比上年多出几成"): a figure of the rise
        # itself ("增长8%", "增加3万千瓦"), not any figure of the topic, nor the level it rises to
        # ("增至3.92个", "提高到90%"); "新增多少" asks a count (FIGURE)
        KindSpec(Kind.GROWTH,
                 re.compile(rf"(?:涨|增长|增加|提高|提升|上升|扩大?|多出)了?(?:多少|{_HOW_MANY}成|百分之几|{_HOW_MANY}个百分点)"),
                 re.compile(r"(?:增长|增加|提高|提升|上升|扩大|增幅|增速|增)(?![至到])[^\d。；]{0,8}?\d"), "具体增幅", True),
        KindSpec(Kind.AMOUNT,
                 re.compile(r"多少钱|多少万|多少元|金额|额度|补多少|奖多少|补贴多少|补助多少|奖励多少|封顶"),
                 re.compile(rf"{_MONEY}|{_SUBSIDY_SHARE}"), "具体金额", True),
        KindSpec(Kind.CONDITION,
                 re.compile(r"条件|什么样的|资格|门槛|能不能|可不可以|能否|是否可以|算不算|有没有资格|怎么申请|如何申请"),
                 re.compile(r"符合|条件|对.{1,30}的|达到|认定|优先|纳入"), "具体条件", False),
        KindSpec(Kind.TIME,
                 re.compile(rf"什么时候|何时|哪一年|哪年|第几年|几月|多久|(?:多少|{_HOW_MANY})个?(?:天(?!然)|工作日|小时|个月|周)"),
                 re.compile(rf"\d{{4}}\s*年|\d{{1,2}}\s*月|年底|年内|第.{{1,3}}(?:个)?年|{_DURATION}"), "具体时间", False),
        KindSpec(Kind.FIGURE,
                 re.compile(rf"多少|{_HOW_MANY}[个家项所条名人台座次批类户套亩万千百]|{_HOW_MANY}\b|目标|规模"),
                 re.compile(_QUANTITY), "具体数字", True),
    )
}

# A quantity asked for with its measure word: "多少公里", "几家", "多少人次".
ASKED_UNIT = re.compile(rf"(?:{_HOW_MANY}|多少)(人次|万人|公里|万亩|平方米|千瓦时|标箱|亿元|万元"
                        r"|[个家项所条名人台座次批类户套亩张艘辆栋间位件笔吨亿万])")
MEASURE_UNIT = re.compile(r"万人|公里|万亩|平方米|千瓦时|标箱|亿元|万元|[亩吨亿万]")
_ASK_WORDS = re.compile("|".join(spec.asks.pattern for spec in REGISTRY.values()))

# a yes/no question asks whether something is there and names it right behind these ("有没有油价补贴",
# "老年食堂有补贴吗"); "有" inside "没有/所有/具有…" is no such question
YES_NO = re.compile(r"有没有|有无|是否有|(?<![没所拥具享])有(?=[^，,。；;？?！!]{1,8}吗)")


def detect_kinds(question: str) -> frozenset[Kind]:
    """The kinds of fact a question asks for (empty for an open question).

    FIGURE ("多少") is dropped when a more precise kind that a number answers is also asked.
    """
    kinds = {kind for kind, spec in REGISTRY.items() if spec.asks.search(question)}
    if Kind.TIME in kinds:  # "多少天": the "多少" of a time
        kinds.discard(Kind.FIGURE)
    return _without_vague_figure(kinds)


def _without_vague_figure(kinds: set[Kind]) -> frozenset[Kind]:
    if any(k is not Kind.FIGURE and REGISTRY[k].figure for k in kinds):
        return frozenset(kinds - {Kind.FIGURE})
    return frozenset(kinds)


def question_kinds(whole: frozenset[Kind], parts: Sequence[frozenset[Kind]]) -> frozenset[Kind]:
    """The kinds a question of several parts asks: the whole question's and each part's own (a time
    asked in one part leaves another part's "多少" a figure), FIGURE dropped beside a precise kind."""
    return _without_vague_figure(set(whole).union(*parts))


def written_body(kinds: frozenset[Kind], clause: Clause, spans: tuple[Span, ...], marker: str) -> str | None:
    """The clause worded as the first asked kind with a written wording words it (None: quote it)."""
    for kind, spec in REGISTRY.items():
        if kind in kinds and spec.written is not None:
            return spec.written(clause, spans, marker)
    return None


def spoken_body(kinds: frozenset[Kind], clause: Clause, room: int) -> str | None:
    """The clause worded for reading out as the first asked kind with a spoken wording words it
    (None: read its fragments)."""
    for kind, spec in REGISTRY.items():
        if kind in kinds and spec.spoken is not None:
            return spec.spoken(clause, room)
    return None


def asks_figure(kinds: frozenset[Kind]) -> bool:
    """True when a number answers one of the kinds."""
    return any(REGISTRY[k].figure for k in kinds)


def asks_datum(kinds: frozenset[Kind]) -> bool:
    """True when a number or a date answers one of the kinds: a clause stating neither does not answer."""
    return asks_figure(kinds) or Kind.TIME in kinds


# How fully a sentence states the asked fact (`states`): with the asked unit, if any; with another
# counter than the one asked ("3个" for "几家"), partly, which still counts as stating it; a figure
# without the asked measure unit ("增长12%" for "多少亿") is another quantity and does not.
STATES_FULLY = 1.0
STATES_PARTLY = 0.6
STATES_OTHER_QUANTITY = 0.3


def states(kinds: frozenset[Kind], unit: str, sentence: str) -> float:
    """0..1: how fully `sentence` states the asked kind of fact (STATES_FULLY with the asked unit, if any)."""
    if not kinds:
        return 0.0
    best = 0.0
    for kind in kinds:
        if REGISTRY[kind].states.search(sentence):
            best = max(best, STATES_FULLY)
    if best and unit and asks_figure(kinds):
        with_unit = re.search(rf"{_NUMBER}\s*(?:万|亿|千)?\s*{re.escape(unit)}", sentence)
        # a counter ("几家") is often written with another ("3个"); a measure ("多少亿", "多少公里") is not
        return STATES_FULLY if with_unit else STATES_OTHER_QUANTITY if MEASURE_UNIT.fullmatch(unit) else STATES_PARTLY
    return best


def is_stated(level: float) -> bool:
    """Whether a `states` level counts as stating the asked fact (partly or fully)."""
    return level >= STATES_PARTLY


def missing_note(kinds: frozenset[Kind]) -> str:
    """What the quoted clause does not give, for "文件未写明…" (never a figure)."""
    for kind in (Kind.GROWTH, Kind.RATIO, Kind.AMOUNT, Kind.BUDGET, Kind.FIGURE, Kind.TIME, Kind.RESPONSIBLE, Kind.CONDITION):
        if kind in kinds:
            return REGISTRY[kind].missing
    return REGISTRY[Kind.DEFINITION].missing


def asking_match(text: str) -> re.Match[str] | None:
    """The first question form of any kind in `text` ("多少", "哪个部门" …), or None."""
    return _ASK_WORDS.search(text)


def names_a_kind(word: str) -> bool:
    """True when `word` alone is a question form of some kind ("比例", "金额", "条件"): it says how a
    question asks, not what it asks about."""
    return any(spec.asks.fullmatch(word) for spec in REGISTRY.values())


def asks(text: str) -> bool:
    """True when `text` contains a question form of any kind (a part of a multi-part question)."""
    return bool(_ASK_WORDS.search(text) or YES_NO.search(text) or re.search(r"[吗呢？?]$", text))
