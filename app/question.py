"""Question analysis: what kind of fact is asked for, and which words name its topic.

Pure functions over the index's jieba tokenizer (one dictionary per process).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.textspan import normalise

# Question kinds, detected by the words that ask for them (order = display priority).
KIND_PATTERNS: dict[str, re.Pattern[str]] = {
    "responsible": re.compile(r"哪个部门|哪些部门|什么部门|哪个单位|哪些单位|什么单位|责任单位|牵头|负责|主管部门|找谁|谁管"),
    "definition": re.compile(r"什么是|是什么|指什么|是指|含义|名词解释|什么意思|包括哪些|包括什么|内容是"),
    "budget": re.compile(r"预算|安排.{0,6}资金|财政.{0,6}(多少|资金|投入)|资金.{0,4}多少"),
    "ratio": re.compile(r"比例|百分之|百分比|多少%|几成|比率|占比"),
    "amount": re.compile(r"多少钱|多少万|多少元|金额|额度|最高|上限|封顶|不超过|补助多少|补贴多少|奖励多少|标准"),
    "condition": re.compile(r"条件|哪些企业|什么企业|什么样的企业|符合|资格|门槛|要求|怎么申请|如何申请"),
    "validity": re.compile(r"有效期|截止|到期|期限|什么时候|何时"),
    "figure": re.compile(r"多少|几个|几家|几项|几|目标"),
}
FIGURE_KINDS = frozenset({"budget", "ratio", "amount", "figure"})

# Words that only say what is asked, never the topic: dropped from the topic terms.
QUESTION_WORDS = frozenset(
    "是 的 了 吗 呢 吧 啊 么 有 有没有 没有 什么 哪个 哪些 哪里 怎么 怎样 如何 多少 几 是否 能否 能 可以 可 会 "
    "请问 请 问 我 我们 你 你们 想 想要 知道 一下 要 需要 对 给 和 与 及 或 在 从 为 被 把 吗？ 多少钱 钱 "
    "比例 百分比 比率 占比 金额 额度 标准 上限 最高 封顶 部门 单位 负责 牵头 主管 谁 条件 资格 门槛 要求 "
    "预算 含义 意思 指 是指 解释 名词 内容 包括 规定 政策 文件 相关 有关 具体 目前 现在 现行 今年 去年 "
    "多 大 少 情况 方面 哪 个 家 项 元 万元 亿元 目标 任务 低于 高于 不低于 不少于 不高于 超过 不超过 达到 给多少 一般".split()
)
# Topic words so common in policy text that matching them proves little (low weight).
GENERIC_WORDS = frozenset(
    "企业 补助 补贴 奖励 奖补 资助 资金 支持 给予 发展 推进 实施 加快 加强 加大 工作 项目 全市 我市 "
    "措施 优惠 服务 建设 提升 提高 提供 享受 获得 申请 开展 落实 力度 机制 体系 领域 市场 经济 "
    "新 高质量 重点 行动 计划 力争 全年 年度 每年 每月 政府 市级 省级 国家 安排 投入 市 鼓励".split()
)
GENERIC_WEIGHT = 0.35
# What a figure is paid as: when a question names one, the figure's sentence must name one too.
BENEFIT_WORDS = frozenset("补助 补贴 奖励 奖补 资助 贴息 激励 补偿 减免 免征 优惠 返还".split())
# Words a question and a clause may use for the same thing.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "补贴": ("补助", "资助", "奖补", "补贴"),
    "补助": ("补贴", "资助", "奖补", "补助"),
    "奖励": ("奖补", "激励", "奖励"),
    "贷款": ("信贷", "贷款"),
    "人才": ("人才", "人员"),
}
_ASKED_COUNTER = re.compile(r"(?:几|多少)(个|家|户|套|亩|人|类|项|条|次|场|批|名|所|吨|标箱|万人|万元|亿元)")
_COUNTER = re.compile(r"^(几|多少|哪)")  # "几类", "多少户": the asked quantity, not the topic
_YEAR = re.compile(r"(19|20)\d{2}年?")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")


@dataclass(frozen=True)
class Term:
    """A topic word of the question with its weight (generic words weigh less)."""

    word: str
    weight: float
    position: int  # offset in the normalised question, for naming the topic back


@dataclass(frozen=True)
class QuestionProfile:
    """What a question asks for: its kinds and its weighted topic terms."""

    question: str  # normalised
    kinds: frozenset[str]
    terms: tuple[Term, ...]
    counter: str = ""  # the measure word of the asked quantity: "类" in "几类", "套" in "多少套"

    @property
    def benefits(self) -> tuple[Term, ...]:
        """The benefit words the question names (补贴, 奖励 …)."""
        return tuple(t for t in self.terms if t.word in BENEFIT_WORDS)

    @property
    def asks_figure(self) -> bool:
        return bool(self.kinds & FIGURE_KINDS)

    @property
    def topic_weight(self) -> float:
        return sum(t.weight for t in self.terms)

    def topic_phrase(self) -> str:
        """The stretch of the question that names its topic, without digits (for "not found")."""
        specific = [t for t in self.terms if t.weight == 1.0 and not re.search(r"\d", t.word)]
        chosen = specific or [t for t in self.terms if not re.search(r"\d", t.word)]
        if not chosen:
            return ""
        start = min(t.position for t in chosen)
        end = max(t.position + len(t.word) for t in chosen)
        phrase = self.question[start:end]
        return phrase if len(phrase) <= 24 and not re.search(r"\d", phrase) else "、".join(t.word for t in chosen)


def detect_kinds(question: str) -> frozenset[str]:
    """The kinds of fact a question asks for (empty for an open question)."""
    kinds = {kind for kind, pattern in KIND_PATTERNS.items() if pattern.search(question)}
    if kinds - {"figure"}:
        kinds.discard("figure")  # "多少" inside "比例是多少" adds nothing
    return frozenset(kinds)


def _segment(text: str) -> list[tuple[str, int]]:
    """Words of `text` with their offsets, longest first where words overlap.

    Uses the index's jieba tokenizer (with its policy-term dictionary), so a process loads one
    dictionary, and a question is cut the way the index cut the clauses.
    """
    from index.tokenize import tokenize

    words = sorted(set(tokenize(text)), key=len, reverse=True)
    kept: list[str] = []
    for word in words:
        if not any(word in longer for longer in kept):
            kept.append(word)
    lowered = text.lower()
    return sorted(((w, lowered.find(w)) for w in kept), key=lambda pair: pair[1])


def analyze_question(question: str, region_names: tuple[str, ...] = ()) -> QuestionProfile:
    """Kinds and topic terms of a question; region and year names are scope, not topic."""
    text = normalise(question)
    scope_words = set(region_names) | {r.removesuffix("市") for r in region_names if len(r) > 2}
    terms: list[Term] = []
    seen: set[str] = set()
    for match in _QUOTED.finditer(text):
        phrase = match.group(1)
        terms.append(Term(phrase, 1.0, match.start(1)))
        seen.add(phrase)
    # Region names are blanked before cutting: "乐清政府性" must not become "乐/清政府/性".
    scope_free = text
    for name in sorted(scope_words, key=len, reverse=True):
        scope_free = scope_free.replace(name, " " * len(name))
    for word, start in _segment(scope_free):
        if (len(word) < 2 or _COUNTER.match(word) or word in seen or word in QUESTION_WORDS or word in scope_words
                or _YEAR.fullmatch(word) or not re.search(r"[\w]", word)
                or any(word in t.word for t in terms)):
            continue
        seen.add(word)
        weight = GENERIC_WEIGHT if word in GENERIC_WORDS else 1.0
        terms.append(Term(word, weight, start))
    terms.sort(key=lambda t: t.position)
    counter = _ASKED_COUNTER.search(text)
    return QuestionProfile(question=text, kinds=detect_kinds(text), terms=tuple(terms),
                           counter=counter.group(1) if counter else "")
