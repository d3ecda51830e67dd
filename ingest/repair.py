"""Repair of extraction damage in Chinese text, and the key used to match quotes against clauses.

The repair is one consistent rule set, applied to every paragraph (documented in the README):

- whitespace touching a Chinese character or Chinese punctuation is removed (`瑞 安 市` -> `瑞安市`,
  `2023 年` -> `2023年`, `500kv 输变电` -> `500kv输变电`); whitespace between Latin words or digits stays;
- a decimal split by a space is rejoined (`1. 61 亿元` -> `1.61亿元`, `4 .5个` -> `4.5个`,
  `3: 4` -> `3:4`), except a numbering marker at the very start of a paragraph;
- half-width punctuation next to Chinese text becomes full-width (`,` `;` `:` `?` `!` `(` `)`,
  straight double quotes -> “ ”, `<人才办>` -> `〈人才办〉`); doubled `。。` / `，，` collapse.

`Clause.text` is the repaired text; quotes are verbatim substrings of it.
"""
from __future__ import annotations

import re
import unicodedata

_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201d\u2014\u2026\u00b7"
)
_CJK_CHAR = re.compile(f"[{_CJK}]")
_SPACE_AFTER_CJK = re.compile(f"(?<=[{_CJK}])[ \t]+")
_SPACE_BEFORE_CJK = re.compile(f"[ \t]+(?=[{_CJK}])")
_SPLIT_DECIMAL = re.compile(r"(\d)[ \t]*([.．:：])[ \t]+(\d)|(\d)[ \t]+([.．])(\d)")
_ANGLE = re.compile(r"<([\u4e00-\u9fff]{1,12})>")
_DOUBLED = re.compile(r"([。，、；])\1+")
_BULLET = re.compile(r"^[-–•·●▪■◆]\s+")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})$"
)
_PRINT_LINE = re.compile(r"^\S{2,30}\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印\s*发$")
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def is_cjk(char: str) -> bool:
    """True for a Chinese character or Chinese/full-width punctuation."""
    return bool(char) and bool(_CJK_CHAR.match(char))


def normalize_whitespace(text: str) -> str:
    """One newline style, no BOM or zero-width characters, odd spaces made plain spaces."""
    text = text.translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\u3000\u00a0\u2002-\u200a\t\f\v]", " ", text)


def clean_line(line: str) -> str:
    """A raw line without surrounding spaces and without a `- ` bullet."""
    return _BULLET.sub("", line.strip()).strip()


def is_page_furniture(line: str) -> bool:
    """Page numbers (`- 3 -`, `第3页`, `3/12`) and printing lines (`…2024年2月23日印发`)."""
    return bool(_PAGE_NUMBER.match(line) or _PRINT_LINE.match(line))


def _leading_number_end(text: str) -> int:
    """End of a numbering marker like `1.` at the very start, so its dot is never taken for a decimal."""
    match = re.match(r"\s*\d{1,3}\s*[.．]", text)
    return match.end() if match else -1


def _join_decimals(text: str) -> str:
    protected = _leading_number_end(text)

    def fix(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            if match.start(2) < protected:
                return match.group(0)
            return match.group(1) + match.group(2) + match.group(3)
        return match.group(4) + match.group(5) + match.group(6)

    return _SPLIT_DECIMAL.sub(fix, text)


_HALF_WIDTH_MARKS = re.compile(r"[,;:?!().]")


def _full_width_punctuation(text: str) -> str:
    chars = list(text)
    for found in _HALF_WIDTH_MARKS.finditer(text):  # only the marks are looked at: linear and fast
        i, char = found.start(), found.group(0)
        prev = text[i - 1] if i > 0 else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        near_cjk = is_cjk(prev) or is_cjk(nxt)
        if char in _HALF_TO_FULL and near_cjk and not (prev.isdigit() and nxt.isdigit()):
            chars[i] = _HALF_TO_FULL[char]
        elif char == "(" and near_cjk:
            chars[i] = "（"
        elif char == ")" and near_cjk:
            chars[i] = "）"
        elif char == "." and is_cjk(prev) and prev not in "“”‘’" and (not nxt or is_cjk(nxt)):
            chars[i] = "。"
    return "".join(chars)


def _curly_quotes(text: str) -> str:
    if '"' not in text or not _CJK_CHAR.search(text):
        return text
    out, opening = [], True
    for char in text:
        if char == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(char)
    return "".join(out)


def repair_text(text: str) -> str:
    """Apply the repair rules above to one paragraph (idempotent)."""
    text = normalize_whitespace(text).replace("\n", " ").strip()
    text = _ANGLE.sub(r"〈\1〉", text)
    text = _SPACE_AFTER_CJK.sub("", text)
    text = _SPACE_BEFORE_CJK.sub("", text)
    text = _join_decimals(text)
    text = _full_width_punctuation(text)
    text = _SPACE_BEFORE_CJK.sub("", _SPACE_AFTER_CJK.sub("", text))  # spaces the new full-width marks touch
    text = _curly_quotes(text)
    text = _DOUBLED.sub(r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


_QUOTE_KEYS = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "「": '"', "」": '"',
                             "‘": "'", "’": "'", "『": '"', "』": '"', "〈": "<", "〉": ">",
                             "《": "<", "》": ">", "。": ".", "、": ","})


def _key_chars(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char).translate(_QUOTE_KEYS).lower()
    return "".join(ch for ch in folded if not ch.isspace())


class _KeyTable(dict[int, str]):
    """Each character's key, computed the first time it is seen: `str.translate` then keys a whole
    text at C speed (the evaluation keys every candidate clause of every answer, half a million texts)."""

    def __missing__(self, code: int) -> str:
        self[code] = _key_chars(chr(code))
        return self[code]


_KEYS = _KeyTable()


def match_key(text: str) -> str:
    """Canonical form for matching quotes against clause text: NFKC (character by character), no
    whitespace, one quote style."""
    return text.translate(_KEYS)
