"""The wording of an answer that found nothing: what was asked for (the question's own words, never
a topic the documents do mention called absent), and what was searched."""
from __future__ import annotations

import re
from collections.abc import Callable
from itertools import groupby

from app.answer.analysis import QuestionProfile
from app.answer.config import AnswerConfig
from app.answer.kinds import names_a_kind
from app.answer.names import searched_note, years_text
from app.text.spans import normalise
from index.scope import YEAR
from policyqa.model import Document
from policyqa.numerals import chinese_year


def topic_words(profile: QuestionProfile, count: int) -> str:
    """The nouns of the asking clauses, rarest first, named back as the user wrote them: each as the
    whole word of the question it is part of ("小城" of "小城镇"), neighbours joined into one phrase
    ("高新技术" + "企业"), in the user's order: "产假", "国家高新技术企业、奖励"."""
    return "、".join(topic_phrases(profile, count))


def topic_phrases(profile: QuestionProfile, count: int) -> list[str]:
    """The phrases `topic_words` names, one by one."""
    from app.answer.corpus import is_noun

    words = [t for t in (*profile.focus_terms, *profile.focus_foreign) if not re.search(r"\d", t.word)]
    # a question form is no topic, nor a piece of one ("百分" of "百分之几")
    forms = [t.word for t in words if names_a_kind(t.word)]
    words = [t for t in words if not any(t.word in form for form in forms)] or words
    words = [t for t in words if is_noun(t.word)] or words
    chosen = sorted(words, key=lambda t: -t.rarity)[:count]
    return phrases_of(profile.question, [t.word for t in chosen])


def phrases_of(question: str, words: list[str]) -> list[str]:
    """The stretches of `question` that hold `words`, widened to whole words of jieba's cut and
    joined where they touch, in the question's order; then, as they are, words the question does
    not hold (an alias's policy wording)."""
    lowered = _lowered(question)
    bounds = _cut_bounds(question)
    spans, elsewhere = [], []
    for word in words:
        at = lowered.find(word.lower())
        if at < 0:
            elsewhere.append(word)
            continue
        end = at + len(word)
        # widen to the cut's words the term overlaps, but never over figures ("nan2023"): a
        # not-found answer names no number
        start = min([s for s, e in bounds if s < end and e > at] or [at])
        stop = max([e for s, e in bounds if s < end and e > at] or [end])
        spans.append((start, stop) if not re.search(r"\d", question[start:stop]) else (at, end))
    merged: list[list[int]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    return [question[start:stop] for start, stop in merged] + elsewhere


def _lowered(text: str) -> str:
    """`text` lower-cased as jieba's cut is ("aed" of "AED"), where that keeps every offset."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


def _cut_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) in `text` of each word of jieba's plain cut, in order."""
    from index.tokenize import segment

    lowered = _lowered(text)
    bounds, position = [], 0
    for token in segment(text):
        start = lowered.find(token, position)
        if start >= 0:
            bounds.append((start, start + len(token)))
            position = start + len(token)
    return bounds


def compose_unknown_place(places: tuple[str, ...], documents: list[Document]) -> str:
    """The question is about a place no indexed document covers: say which places are covered."""
    covered = "、".join(dict.fromkeys(d.region for d in documents if d.region)) or "已收录地区"
    return (f"现有政策文件只收录了{covered}的政策，没有{'、'.join(places)}的政策文件，无法回答。"
            "请咨询当地政府或相关主管部门。")


def compose_missing_scope(regions: tuple[str, ...], years: tuple[int, ...], documents: list[Document]) -> str:
    """The named region/year has no document: say what exists for it."""
    named = "".join(regions) + years_text(list(years))
    pool = [d for d in documents if not regions or d.region in regions]
    have = sorted({d.year for d in pool if d.year})
    where = "、".join(regions) or "已收录地区"
    regions_known = "、".join(dict.fromkeys(d.region for d in documents if d.region))
    exists = f"{where}现有{years_text(have)}的文件" if have else f"现有文件覆盖{regions_known or '的地区未注明'}"
    return f"现有政策文件中没有{named}的政策文件（{exists}），无法回答。"


def mentioned_and_absent(phrases: list[str], mentioned: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """(what the documents mention, what they do not) of the phrases a not-found answer names: a
    phrase they hold is mentioned; one they do not hold but whose words they do ("国外参展" with
    "参展") is split into those words and the stretches between them that name something (a word of
    two characters or more), so no word the documents hold is called absent."""
    present: list[str] = []
    absent: list[str] = []
    for phrase in phrases:
        if mentioned(normalise(phrase)):
            present.append(phrase)
            continue
        words = [phrase[start:end] for start, end in _cut_bounds(phrase)] or [phrase]
        held = [len(w) >= 2 and mentioned(normalise(w)) for w in words]
        if not any(held):
            absent.append(phrase)
            continue
        for is_held, group in groupby(zip(words, held, strict=True), key=lambda pair: pair[1]):
            stretch = [word for word, _ in group]
            if is_held:
                present += stretch
            elif any(len(w) >= 2 for w in stretch):
                absent.append("".join(stretch))
    return list(dict.fromkeys(present)), list(dict.fromkeys(absent))


def compose_not_found(profile: QuestionProfile, documents: list[Document], config: AnswerConfig,
                      scope: str = "", elsewhere: str = "", topic: str = "",
                      mentioned: Callable[[str], bool] | None = None) -> str:
    """A plain "not found" naming what was asked for (`topic`, else the question's words) and what was
    searched. A phrase the documents do contain (`mentioned`) is never said to be absent: the
    answer says they mention it but nothing found answers the question."""
    phrases = [] if profile.quantities_only else [topic] if topic else topic_phrases(profile, config.not_found_topic_words)
    present, absent = mentioned_and_absent(phrases, mentioned) if mentioned is not None else ([], phrases)
    if present and not scope:
        also = f"，也没有关于“{'、'.join(absent)}”的内容" if absent else ""
        return (f"现有政策文件提到了“{'、'.join(present)}”，但没有找到能回答这个问题的规定{also}"
                f"（{searched_note(documents)}）。建议换一种说法再问，或咨询相关主管部门。")
    topic = "、".join(phrases)
    if not topic:
        return ("未能从问题中识别出具体的政策事项。请用中文写明想了解的政策内容，"
                "例如“外贸企业出口信用保险补助比例是多少”。")
    if scope:
        scope_words = YEAR.sub(lambda m: chinese_year(int(m.group(1))) + "年" if m.group(2) else m.group(0), scope)
        hint = f"{elsewhere}有相关条款，可去掉地区或年份限定后再问。" if elsewhere else ""
        return f"现有{scope_words}的政策文件中未找到关于“{topic}”的相关规定。{hint}"
    return (f"现有政策文件中未找到关于“{topic}”的相关规定（{searched_note(documents)}）。"
            "建议换一种说法再问，或咨询相关主管部门。")

