"""Follow-up questions: turn an elliptical turn (“那温州呢？”) into a full question.

Pure functions over strings and the loaded documents' regions and years; the chat keeps the
previous question per session and asks the service with what `resolve_followup` returns.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from index.filters import region_stem
from index.scope import YEAR
from policyqa.model import Document

# A follow-up is short and shaped like one of these; longer turns are new questions.
MAX_FOLLOWUP_CHARS = 20
_LEADING_MARKERS = ("那如果是", "那要是", "如果是", "要是", "那么", "换成", "改成", "那")
_TRAILING_MARKERS = ("的话呢", "的呢", "的话", "呢")
# Markers that alone make a short turn a follow-up (a bare leading 那 does not: “那些企业…”).
_FOLLOWUP_OPENINGS = ("那如果是", "那要是", "如果是", "要是", "换成", "改成")
# A turn with its own question word asks something new rather than pointing back.
_QUESTION_WORDS = ("什么", "多少", "哪些", "哪个", "怎么", "怎样", "如何", "是否", "吗", "几", "谁")
_PUNCTUATION = "？?！!。.，,、；;：: \t\u3000"


@dataclass(frozen=True)
class ResolvedQuestion:
    """The question to ask, and the region or year a follow-up switched to (None when unchanged)."""

    text: str
    region: str | None = None
    year: int | None = None
    is_followup: bool = False


def region_aliases(documents: Iterable[Document]) -> dict[str, str]:
    """Every way a loaded region may be written (温州市, 温州) mapped to its full name."""
    aliases: dict[str, str] = {}
    for doc in documents:
        region = doc.region.strip()
        if not region:
            continue
        aliases[region] = region
        aliases.setdefault(region_stem(region), region)
    return aliases


def _region_pattern(aliases: dict[str, str]) -> re.Pattern[str] | None:
    if not aliases:
        return None
    # Longest first, so “温州市” wins over “温州”.
    names = sorted(aliases, key=len, reverse=True)
    return re.compile("|".join(re.escape(name) for name in names))


def is_elliptical(question: str) -> bool:
    """True for short turns shaped like a follow-up: 那…呢, …的呢, 如果是…, 换成…."""
    core = question.strip(_PUNCTUATION)
    if not core or len(core) > MAX_FOLLOWUP_CHARS:
        return False
    if core.startswith(_FOLLOWUP_OPENINGS):
        return True
    return core.endswith("呢") and not any(word in core for word in _QUESTION_WORDS)


def _strip_markers(text: str) -> str:
    text = text.strip(_PUNCTUATION)
    for marker in _LEADING_MARKERS:
        if text.startswith(marker):
            text = text[len(marker):]
            break
    text = text.strip(_PUNCTUATION)
    for marker in _TRAILING_MARKERS:
        if text.endswith(marker):
            text = text[: -len(marker)]
            break
    return text.strip(_PUNCTUATION + "的")


def _swap_region(previous: str, region: str, pattern: re.Pattern[str] | None) -> str:
    if pattern is not None and pattern.search(previous):
        return pattern.sub(region, previous, count=1)
    return region + previous


def _swap_year(previous: str, year: int) -> str:
    if YEAR.search(previous):
        return YEAR.sub(f"{year}年", previous, count=1)
    return f"{year}年" + previous


def resolve_followup(
    question: str, previous_question: str | None, documents: Iterable[Document]
) -> ResolvedQuestion:
    """The full question a turn stands for, given the previous (already resolved) question.

    “那温州呢？” after “瑞安市外贸企业出口信用保险补助比例是多少” becomes
    “温州市外贸企业出口信用保险补助比例是多少” with region 温州市. A turn that names neither a
    region nor a year (“那涉美的呢？”) keeps the previous question and adds what it asks about.
    """
    question = question.strip()
    if not previous_question or not is_elliptical(question):
        return ResolvedQuestion(text=question)
    aliases = region_aliases(documents)
    pattern = _region_pattern(aliases)
    remainder = _strip_markers(question)

    region = None
    if pattern is not None and (match := pattern.search(remainder)):
        region = aliases[match.group(0)]
        remainder = pattern.sub("", remainder)
    year = None
    if match_year := YEAR.search(remainder):
        year = int(match_year.group(1))
        remainder = YEAR.sub("", remainder)
    remainder = remainder.strip(_PUNCTUATION + "的")

    text = previous_question.strip()
    if region:
        text = _swap_region(text, region, pattern)
    if year:
        text = _swap_year(text, year)
    if remainder:
        text = f"{text}（{remainder}）"
    return ResolvedQuestion(text=text, region=region, year=year, is_followup=True)
