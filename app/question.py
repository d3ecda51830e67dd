"""Question analysis: what kind of fact is asked for, and which words name its topic.

Pure functions over the index's jieba tokenizer (one dictionary per process).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.textspan import normalise, squeeze
from app.vocabulary import Vocabulary, sort_by_corpus
from index.filters import region_stem

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
    "多 大 少 情况 方面 哪 个 家 项 元 万元 亿元 目标 任务 以下 以上 低于 高于 不低于 不少于 不高于 超过 不超过 达到 给多少 一般 分别 各自 各".split()
)
# Topic words so common in policy text that matching them proves little (low weight).
GENERIC_WORDS = frozenset(
    "企业 补助 补贴 奖励 奖补 资助 资金 支持 给予 发展 推进 实施 加快 加强 加大 工作 项目 全市 我市 "
    "措施 优惠 服务 建设 提升 提高 提供 享受 获得 申请 开展 落实 力度 机制 体系 领域 市场 经济 "
    "新 高质量 重点 行动 计划 力争 全年 年度 每年 每月 政府 市级 省级 国家 安排 投入 市 鼓励 扶持".split()
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
_ASKED_COUNTER = re.compile(r"(?:几|多少)(万人|万元|亿元|标箱|个|家|户|套|亩|人|类|项|条|次|场|批|名|所|吨|张|艘|台|辆|座|栋|间|位|件|笔|公里)")
_COUNTER = re.compile(r"^(几|多少|哪)")  # "几类", "多少户": the asked quantity, not the topic
_YEAR = re.compile(r"(19|20)\d{2}年?")
# "一家", "一年", "八个", "第一次", "每人": a quantity in the question, a condition rather than the topic.
_QUANTITY = re.compile(r"^(?:每|第?[一二两三四五六七八九十百千万\d]+)(个|家|年|次|项|类|名|批|件|台|张|户|套|人|元|位|天|月|栋|艘|辆|亩|间|座|把|场|笔|岁|周岁|块|块钱)$")
# What makes "最高/上限/标准…多少" ask for a sum of money rather than any quantity.
_MONEY_WORDS = re.compile(r"钱|元|金额|额度|补|奖|资助|贴|费|资金|经费|工资|薪|价|投资|收入")
# A bare numeral ("两千万") is a figure of the asker's case; a deictic ("这边", "那个") or an
# approximator ("大概") only says how the question is put: neither is the topic.
_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万亿]+$")
_FILLER = re.compile(r"^((这|那|哪)(边|里|儿|个|些|样|种|份|块|次|家)|大概|大约|大致|差不多|左右|一般来说)$")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")


@dataclass(frozen=True)
class Term:
    """A topic word of the question with its weight (generic words weigh less)."""

    word: str
    weight: float
    position: int  # offset in the normalised question, for naming the topic back
    alternatives: tuple[str, ...] = ()  # policy wording of a colloquial alias (index/data/synonyms.tsv)

    @property
    def forms(self) -> tuple[str, ...]:
        """Every way a clause may write this term."""
        return (self.word, *self.alternatives, *SYNONYMS.get(self.word, ()))

    @property
    def is_benefit(self) -> bool:
        return any(form.endswith(b) for form in self.forms for b in BENEFIT_WORDS)  # "岗位补贴" too


@dataclass(frozen=True)
class QuestionProfile:
    """What a question asks for: its kinds and its weighted topic terms."""

    question: str  # normalised
    kinds: frozenset[str]
    terms: tuple[Term, ...]
    counter: str = ""  # the measure word of the asked quantity: "类" in "几类", "套" in "多少套"
    foreign: tuple[str, ...] = ()  # rare words no indexed document contains: a subject they lack
    foreign_benefit: bool = False  # one names what is asked: "开业" in "开业补贴", "面额" in "面额多少"
    qualifiers: tuple[str, ...] = ()  # words jieba cut into characters ("小微"): required for a caveat answer
    shown: str = ""  # the question as asked (letter case kept), for naming the topic back

    @property
    def benefits(self) -> tuple[Term, ...]:
        """The benefit words the question names (补贴, 奖励 …, or a colloquial "补多少")."""
        return tuple(t for t in self.terms if t.is_benefit)

    @property
    def asks_figure(self) -> bool:
        return bool(self.kinds & FIGURE_KINDS)

    @property
    def topic_weight(self) -> float:
        return sum(t.weight for t in self.terms)

    def topic_phrase(self) -> str:
        """The stretch of the question that names its topic, without digits (for "not found")."""
        named = [(t.word, t.position) for t in self.terms if t.weight == 1.0]
        named += [(word, self.question.find(word)) for word in self.foreign]
        chosen = [(w, p) for w, p in named if not re.search(r"\d", w) and p >= 0]
        asked = self.shown if len(self.shown) == len(self.question) else self.question
        whole = asked.rstrip("？?。！!")
        if not chosen and len(whole) <= 30 and not re.search(r"\d", whole):
            return whole  # only generic words ("补贴") left: naming them alone would mislead
        chosen = chosen or [(t.word, t.position) for t in self.terms if not re.search(r"\d", t.word)]
        if not chosen:
            return ""
        start = min(p for _, p in chosen)
        end = max(p + len(w) for w, p in chosen)
        phrase = asked[start:end]
        if len(phrase) <= 24 and not re.search(r"\d", phrase):
            return phrase
        return "、".join(w for w, _ in sorted(chosen, key=lambda pair: pair[1]))


def detect_kinds(question: str) -> frozenset[str]:
    """The kinds of fact a question asks for (empty for an open question)."""
    kinds = {kind for kind, pattern in KIND_PATTERNS.items() if pattern.search(question)}
    if "amount" in kinds and not _MONEY_WORDS.search(question):
        kinds = (kinds - {"amount"}) | {"figure"}  # "容积率最高多少": a cap on a quantity, not a sum
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


def _alias_spans(text: str, words: list[tuple[str, int]]) -> list[tuple[str, int, tuple[str, ...]]]:
    """Colloquial aliases of index/data/synonyms.tsv in `text`, with their policy wording.

    An alias counts only where it is not the inside of a longer word of the question
    ("厂" in "我们厂" is an alias, in "厂房" it is not); longer aliases win where they overlap.
    """
    from index.tokenize import synonyms

    found: list[tuple[str, int, tuple[str, ...]]] = []
    taken: list[tuple[int, int]] = []
    for alias, targets in synonyms():  # longest first
        start = text.find(alias)
        while start >= 0:
            end = start + len(alias)
            inside_word = any(w_start <= start and end <= w_start + len(w) and len(w) > len(alias)
                              for w, w_start in words)
            if not inside_word and not any(s < end and start < e for s, e in taken):
                found.append((alias, start, targets))
                taken.append((start, end))
            start = text.find(alias, end)
    return found


def _asks_only(targets: tuple[str, ...]) -> bool:
    """True when an alias's policy wording only says what kind of fact is asked ("是什么", "责任单位")."""
    return all(t in QUESTION_WORDS or any(p.fullmatch(t) or p.search(t) for p in KIND_PATTERNS.values())
               for t in targets)


def _is_topic_word(word: str, terms: list[Term], seen: set[str], scope_words: set[str]) -> bool:
    return not (len(word) < 2 or _COUNTER.match(word) or _QUANTITY.match(word) or _NUMERAL.match(word)
                or _FILLER.match(word) or word in seen
                or word in QUESTION_WORDS or word in scope_words or _YEAR.fullmatch(word)
                or not re.search(r"[\w]", word) or any(word in t.word for t in terms))


def analyze_question(question: str, region_names: tuple[str, ...] = (), vocabulary: Vocabulary | None = None) -> QuestionProfile:
    """Kinds and topic terms of a question; region and year names are scope, not topic.

    With a `vocabulary` (app.vocabulary.Vocabulary of the index), words no document contains are
    dropped when they are everyday language and reported as `foreign` when they are rare.
    """
    text = normalise(question)
    scope_words = set(region_names) | {region_stem(r) for r in region_names}
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
    words = _segment(scope_free)
    qualifiers = tuple(w for w, _ in vocabulary.joined_words(words)) if vocabulary is not None else ()
    asking: list[tuple[int, int]] = []  # aliases that only say what is asked ("啥意思" -> "是什么")
    for alias, start, targets in _alias_spans(scope_free, words):
        if _asks_only(targets):
            asking.append((start, start + len(alias)))
            continue
        if alias in QUESTION_WORDS or any(alias in t.word for t in terms):
            continue
        generic = targets[0] in GENERIC_WORDS or targets[0] in BENEFIT_WORDS  # "厂" -> "企业": generic
        terms.append(Term(alias, GENERIC_WEIGHT if generic else 1.0, start, targets))
        seen.add(alias)
    aliased = [(t.position, t.position + len(t.word)) for t in terms if t.alternatives] + asking
    for word, start in words:
        within_alias = any(a <= start and start + len(word) <= b for a, b in aliased)
        if within_alias or not _is_topic_word(word, terms, seen, scope_words):
            continue
        seen.add(word)
        weight = GENERIC_WEIGHT if word in GENERIC_WORDS else 1.0
        terms.append(Term(word, weight, start))
    foreign: list[str] = []
    foreign_benefit = False
    if vocabulary is not None:
        terms, foreign, foreign_benefit = sort_by_corpus(terms, vocabulary, text)
    terms.sort(key=lambda t: t.position)
    counter = _ASKED_COUNTER.search(text)
    from index.tokenize import expand_query

    return QuestionProfile(question=text, kinds=detect_kinds(expand_query(text)), terms=tuple(terms),
                           counter=counter.group(1) if counter else "", foreign=tuple(foreign),
                           foreign_benefit=foreign_benefit, qualifiers=qualifiers,
                           shown=squeeze(question))
