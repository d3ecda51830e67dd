"""Scoring sentences of a clause against a question profile. Pure functions.

All texts passed in are normalised with `app.textspan.normalise` first.
"""
from __future__ import annotations

import re

from app.question import QuestionProfile, Term

_PERCENT = re.compile(r"\d+(\.\d+)?%|百分之|\d+(\.\d+)?成")
_MONEY = re.compile(r"\d+(\.\d+)?(万亿|亿|万|千)?(元|美元)")
_DIGIT = re.compile(r"\d")
_BY_RULE = re.compile(r"按规定|按照规定|按相应标准|按照相应标准|按比例|按照.{0,12}标准|给予一定")
_CAP = re.compile(r"不超过|最高|最多|上限|封顶|不低于|以上")
_CONDITION = re.compile(r"符合|条件|满足|对.{1,30}的(企业|项目|人才|单位|个人)|达到|认定|以上的")
_DEFINITION = re.compile(r"是指|是以|：|:")
_VALIDITY = re.compile(r"有效|期限|截至|起至|实施期")
_LEAD = re.compile(r"牵头|责任单位")


def _bigrams(word: str) -> list[str]:
    return [word[i:i + 2] for i in range(len(word) - 1)]


def term_match(term: Term, text: str) -> float:
    """How well `text` contains a term: 1 when present (or a synonym is), partial for long terms."""
    if any(form in text for form in term.forms):
        return 1.0
    if len(term.word) >= 3:
        grams = _bigrams(term.word)
        share = sum(g in text for g in grams) / len(grams)
        return 0.7 * share if share >= 0.5 else 0.0
    return 0.0


def coverage(profile: QuestionProfile, text: str) -> float:
    """Weighted share of the question's topic terms that `text` contains, 0..1."""
    total = profile.topic_weight
    if total == 0:
        return 0.0
    return sum(t.weight * term_match(t, text) for t in profile.terms) / total


def missing_specific(profile: QuestionProfile, text: str) -> list[str]:
    """Specific (non-generic) topic terms that `text` does not contain, even partly."""
    return [t.word for t in profile.terms if t.weight == 1.0 and term_match(t, text) == 0]


def specific_coverage(profile: QuestionProfile, text: str) -> float:
    """Share of the specific (non-generic) topic terms that `text` contains, 0..1."""
    specific = [t for t in profile.terms if t.weight == 1.0]
    return sum(term_match(t, text) for t in specific) / len(specific) if specific else 0.0


def names_benefit(profile: QuestionProfile, text: str) -> bool:
    """True when the question names no benefit, or `text` names one of its benefits (or a synonym)."""
    return not profile.benefits or any(term_match(t, text) == 1.0 for t in profile.benefits)


def names_any_benefit(profile: QuestionProfile, text: str) -> bool:
    """True when `text` names a benefit the question asks about (False when it names none)."""
    return bool(profile.benefits) and names_benefit(profile, text)


def evidence(profile: QuestionProfile, sentence: str, clause_kind: str = "measure") -> float:
    """0..1: does the sentence carry the kind of fact asked for (a ratio, a sum, a unit …)."""
    if not profile.kinds:
        return 0.0
    best = 0.0
    for kind in profile.kinds:
        if kind == "figure" and profile.benefits:  # "能补多少": the benefit's sum or share, not any number
            stated = _MONEY.search(sentence) or _PERCENT.search(sentence)
            best = max(best, 1.0 if stated else 0.5 if _BY_RULE.search(sentence) else 0.0)
        else:
            best = max(best, _kind_evidence(kind, sentence, clause_kind))
    if profile.counter and best >= 1 and not re.search(r"\d\s*[万亿千]?\s*" + re.escape(profile.counter), sentence):
        best = 0.6  # a number, but not of the thing counted ("几类" wants "12类")
    return best


def asked_evidence(profile: QuestionProfile, sentence: str, clause_kind: str = "measure") -> float:
    """`evidence`, but a figure only counts in a sentence naming the benefit the question asks about."""
    if profile.asks_figure and not names_benefit(profile, sentence):
        return 0.0
    return evidence(profile, sentence, clause_kind)


def _kind_evidence(kind: str, sentence: str, clause_kind: str) -> float:
    if kind == "ratio":
        return 1.0 if _PERCENT.search(sentence) else 0.5 if _BY_RULE.search(sentence) else 0.0
    if kind == "amount":
        if _MONEY.search(sentence):
            return 1.0
        return 0.6 if _CAP.search(sentence) and _DIGIT.search(sentence) else 0.5 if _BY_RULE.search(sentence) else 0.0
    if kind == "budget":
        if "预算" in sentence and _MONEY.search(sentence):
            return 1.0
        return 0.6 if _MONEY.search(sentence) else 0.0
    if kind == "figure":
        return 1.0 if _DIGIT.search(sentence) else 0.0
    if kind == "responsible":
        return 1.0 if _LEAD.search(sentence) else 0.0
    if kind == "definition":
        return 1.0 if clause_kind == "glossary" else 0.4 if _DEFINITION.search(sentence) else 0.0
    if kind == "condition":
        return 1.0 if _CONDITION.search(sentence) else 0.0
    if kind == "validity":
        return 1.0 if _VALIDITY.search(sentence) else 0.0
    return 0.0


def sentence_score(profile: QuestionProfile, sentence: str, clause_cov: float, clause_kind: str) -> float:
    """Rank of a sentence as the answer: its own topic coverage, the clause's, and the evidence."""
    own = coverage(profile, sentence)
    # the asked fact counts as far as the sentence is about the asked topic: a figure next door is
    # another measure's figure ("出境参展" is not answered by the insurance rate beside it)
    ev = asked_evidence(profile, sentence, clause_kind) * (specific_coverage(profile, sentence) if any(
        t.weight == 1.0 for t in profile.terms) else 1.0)
    return 0.55 * own + 0.2 * clause_cov + 0.25 * ev
