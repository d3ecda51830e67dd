"""Numbers in answers and clauses, normalised so "150万元" = "1500000元" and "60%" = "百分之六十"."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from policyqa.numerals import cn_to_number

_MARKER = re.compile(r"\[\d{1,2}\]")
_LIST_NUMBER = re.compile(r"(?m)^\s*\d{1,2}[.、)）]\s*")
# What a plain number counts: a quantity with one of these units says what it is about ("7000亩" is
# not "7000平方米"); longer units first so that "平方米" is not read as "米".
MEASURES = ("平方公里", "平方米", "立方米", "万千瓦", "千瓦时", "千瓦", "公顷", "公里", "千米", "亩", "吨", "米",
            "个", "家", "户", "人次", "人", "套", "张", "辆", "台", "座", "所", "项", "场", "名", "条", "间", "栋", "床")
_NUMBER = re.compile(
    r"(?P<value>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<scale>万亿|亿|万|千)?\s*(?P<unit>%|‰|元|美元)?"
    r"(?P<measure>(?<![%‰元])(?:" + "|".join(MEASURES) + "))?"
)
_CN_PERCENT = re.compile(r"百分之(?P<value>[零〇一二两三四五六七八九十百点]+)")
_SCALES = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, None: 1.0}


@dataclass(frozen=True)
class Mention:
    """One number as written, with its value in base units and its kind."""

    raw: str
    value: float
    kind: str  # "percent" | "money" | "plain"
    measure: str = ""  # the unit of a plain quantity ("亩" in "7000亩"), empty when none is written


def prepare(text: str) -> str:
    """Full-width to half-width, and citation markers and list numbering removed."""
    text = unicodedata.normalize("NFKC", text)
    return _LIST_NUMBER.sub("", _MARKER.sub(" ", text))


def located(text: str) -> list[tuple[int, int, Mention]]:
    """Every number in `text` as it stands (no `prepare`), with its [start, end) range, in order."""
    found: list[tuple[int, int, Mention]] = []
    for match in _CN_PERCENT.finditer(text):
        value = cn_to_number(match.group("value"))
        if value is not None:
            found.append((match.start(), match.end(), Mention(match.group(0), value, "percent")))
    for match in _NUMBER.finditer(text):
        value = float(match.group("value").replace(",", "")) * _SCALES[match.group("scale")]
        unit = match.group("unit")
        kind = "percent" if unit in ("%", "‰") else "money" if unit else "plain"
        raw = match.group(0)
        end = match.start() + len(raw.rstrip())
        # "第44条" is a position, not 44 of something: an ordinal carries no measure
        measure = "" if text[max(0, match.start() - 1):match.start()] == "第" else match.group("measure") or ""
        found.append((match.start(), end, Mention(raw.strip(), value, kind, measure)))
    return sorted(found, key=lambda item: item[0])


def mentions(text: str) -> list[Mention]:
    """Every number in `text` (after `prepare`), in order."""
    return [mention for _, _, mention in located(prepare(text))]


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def supported(mention: Mention, sources: list[Mention]) -> bool:
    """True when a source states the same number: a percentage must be a percentage there too."""
    for source in sources:
        if mention.kind == "percent" and source.kind != "percent":
            continue
        if _same(mention.value, source.value):
            return True
    return False


def unsupported(answer: str, source_texts: list[str]) -> list[str]:
    """The numbers of `answer` that no source text states (as written in the answer)."""
    sources = [m for text in source_texts for m in mentions(text)]
    return [m.raw for m in mentions(answer) if not supported(m, sources)]
