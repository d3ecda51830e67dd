"""Who is responsible for a measure: the one home of `（责任单位：…）` and `（由…牵头实施）` parsing.

Ingest reads the units into each clause; the answer layer recognises the parenthesis inside a
sentence so that it quotes or leaves it as a unit.
"""
from __future__ import annotations

import re

# "（责任单位：", with the spaced forms extraction leaves ("责 任 单 位") and the other names documents use.
_OPENING = r"[（(]\s*(?:责\s*任\s*单\s*位|牵头单位|责任部门)"
UNITS_OPENING = re.compile(_OPENING)
_UNITS = re.compile(_OPENING + r"\s*[:：]\s*([^()（）]*(?:[（(][^()（）]*[)）][^()（）]*)*)[)）]")
_UNITS_NOTE = re.compile(r"[，；,;]\s*(?:带\s*\*|列第一位|排名第一|第一个).*$")
LEAD_NOTE = re.compile(r"[（(]\s*由([^()（）]{1,40}?)牵头[^()（）]{0,6}[)）]")


def responsibility_start(text: str) -> int:
    """Offset of a "（责任单位…" parenthesis inside `text`, or -1."""
    match = UNITS_OPENING.search(text)
    return match.start() if match else -1


def responsible_units(text: str) -> tuple[tuple[str, ...], str]:
    """Units of `（责任单位：…）` as listed (without `*`), and the lead unit (starred, else first listed)."""
    matches = list(_UNITS.finditer(text))
    if not matches:
        return (), ""
    listed = _UNITS_NOTE.sub("", matches[-1].group(1))
    names = [name.strip() for name in re.split(r"[、，,；;]", listed) if name.strip()]
    starred = [name.lstrip("*＊ ").strip() for name in names if name.startswith(("*", "＊"))]
    units = tuple(name.lstrip("*＊ ").strip() for name in names)
    if starred:
        return units, "、".join(starred)
    return units, units[0] if units else ""


def lead_department_of(text: str) -> str:
    """`市商务局` from a heading that says `（由市商务局牵头实施）`; "" when it says none."""
    match = LEAD_NOTE.search(text)
    return match.group(1) if match else ""
