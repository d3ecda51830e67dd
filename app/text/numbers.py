"""Numbers in answers and clauses, normalised so "150万元" = "1500000元" and "60%" = "百分之六十"."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_MARKER = re.compile(r"\[\d{1,2}\]")
_LIST_NUMBER = re.compile(r"(?m)^\s*\d{1,2}[.、)）]\s*")
_NUMBER = re.compile(
    r"(?P<value>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<scale>万亿|亿|万|千)?\s*(?P<unit>%|‰|元|美元)?"
)
_CN_PERCENT = re.compile(r"百分之(?P<value>[零〇一二两三四五六七八九十百点]+)")
_CN_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SCALES = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, None: 1.0}


@dataclass(frozen=True)
class Mention:
    """One number as written, with its value in base units and its kind."""

    raw: str
    value: float
    kind: str  # "percent" | "money" | "plain"


def _chinese_number(text: str) -> float | None:
    """"六十" -> 60, "八十五" -> 85, "十" -> 10, "六点五" -> 6.5; None if not a simple numeral."""
    whole, _, fraction = text.partition("点")
    total, current = 0, 0
    for char in whole:
        if char in _CN_VALUES:
            current = _CN_VALUES[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    total += current
    if fraction:
        digits = "".join(str(_CN_VALUES.get(c, "")) for c in fraction)
        return float(f"{total}.{digits}") if digits else None
    return float(total)


def prepare(text: str) -> str:
    """Full-width to half-width, and citation markers and list numbering removed."""
    text = unicodedata.normalize("NFKC", text)
    return _LIST_NUMBER.sub("", _MARKER.sub(" ", text))


def located(text: str) -> list[tuple[int, int, Mention]]:
    """Every number in `text` as it stands (no `prepare`), with its [start, end) range, in order."""
    found: list[tuple[int, int, Mention]] = []
    for match in _CN_PERCENT.finditer(text):
        value = _chinese_number(match.group("value"))
        if value is not None:
            found.append((match.start(), match.end(), Mention(match.group(0), value, "percent")))
    for match in _NUMBER.finditer(text):
        value = float(match.group("value").replace(",", "")) * _SCALES[match.group("scale")]
        unit = match.group("unit")
        kind = "percent" if unit in ("%", "‰") else "money" if unit else "plain"
        raw = match.group(0)
        end = match.start() + len(raw.rstrip())
        found.append((match.start(), end, Mention(raw.strip(), value, kind)))
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
