"""Numbering markers of Chinese policy texts: recognising `一、` `（一）` `1.` `（1）` `第一条` `一是` at a paragraph start.

Pure functions; whether a marker really opens a heading is decided by `structure`, which knows
the numbering seen so far.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from policyqa.numerals import CN_NUM, cn_to_int

# Styles, named by their first value. Order matters: more specific patterns first.
STYLE_ARTICLE = "第一条"
STYLE_CHAPTER = "第一章"
STYLE_SECTION = "第一节"
STYLE_CN_COMMA = "一、"
STYLE_CN_PAREN = "（一）"
STYLE_CN_IS = "一是"
STYLE_ARABIC_DOT = "1."
STYLE_ARABIC_PAREN = "（1）"
STYLE_ARABIC_COMMA = "1、"
STYLE_CIRCLED = "①"

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (STYLE_CHAPTER, re.compile(rf"第([{CN_NUM}]{{1,4}}|\d{{1,3}})章\s*")),
    (STYLE_SECTION, re.compile(rf"第([{CN_NUM}]{{1,4}}|\d{{1,3}})节\s*")),
    (STYLE_ARTICLE, re.compile(rf"第([{CN_NUM}]{{1,4}}|\d{{1,3}})条(?![件例款])\s*")),
    (STYLE_CN_COMMA, re.compile(rf"([{CN_NUM}]{{1,4}})\s*、\s*")),
    (STYLE_CN_PAREN, re.compile(rf"[（(]\s*([{CN_NUM}]{{1,4}})\s*[)）]\s*")),
    (STYLE_CN_IS, re.compile(rf"([{CN_NUM}]{{1,3}})是(?=[\u4e00-\u9fff“\"])")),
    (STYLE_ARABIC_PAREN, re.compile(r"[（(]\s*(\d{1,3})\s*[)）]\s*")),
    # `1.` / `1．` but never a decimal (`3. 0 瑞安分市场`, `2.9%`) or a date (`2023.5`).
    (STYLE_ARABIC_DOT, re.compile(r"(\d{1,3})\s*[.．](?!\s*\d)\s*")),
    (STYLE_ARABIC_COMMA, re.compile(r"(\d{1,3})\s*、(?!\s*\d)\s*")),
    (STYLE_CIRCLED, re.compile(rf"([{_CIRCLED}])\s*")),
]

# What a compact locator writes for each style, e.g. "六、" "(二)" "3" "(1)" "第三条".
_LOCATOR_FORMS = {
    STYLE_CHAPTER: "第{}章", STYLE_SECTION: "第{}节", STYLE_ARTICLE: "第{}条",
    STYLE_CN_COMMA: "{}、", STYLE_CN_PAREN: "({})", STYLE_CN_IS: "{}是",
    STYLE_ARABIC_DOT: "{}", STYLE_ARABIC_PAREN: "({})", STYLE_ARABIC_COMMA: "{}",
    STYLE_CIRCLED: "{}",
}


@dataclass(frozen=True)
class Marker:
    """A numbering marker found at the start of a paragraph."""

    style: str
    number: str  # as written, e.g. "二十六", "44", "3"
    value: int  # numeric value, e.g. 26
    length: int  # characters the marker (with trailing spaces) takes at the paragraph start

    @property
    def locator(self) -> str:
        return _LOCATOR_FORMS[self.style].format(self.number)


def numeral_value(number: str) -> int | None:
    """Value of an Arabic, Chinese or circled numeral as written."""
    if number.isdigit() and number.isascii():
        return int(number)
    if len(number) == 1 and number in _CIRCLED:
        return _CIRCLED.index(number) + 1
    return cn_to_int(number)


def find_marker(text: str) -> Marker | None:
    """The numbering marker at the start of `text`, if it is written like one."""
    for style, pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        value = numeral_value(match.group(1))
        if value is None:
            continue
        rest = text[match.end():]
        if not rest.strip() and style not in (STYLE_CHAPTER, STYLE_SECTION, STYLE_ARTICLE):
            continue  # a bare number on its own line is a page number, not a heading
        return Marker(style=style, number=match.group(1), value=value, length=match.end())
    return None
