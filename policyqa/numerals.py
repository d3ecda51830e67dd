"""Chinese numerals: the one home for reading them (`四十八` → 48) and writing years in words.

Used by ingest (numbering markers such as `（十二）`), the number checks of answers (`百分之六十`)
and answers that name years without digits (`二〇二三年`).
"""
from __future__ import annotations

from policyqa.errors import UserError

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100}
CN_NUM = "零〇一二两三四五六七八九十百"  # the characters a numeral up to 999 is written with
_YEAR_DIGITS = "〇一二三四五六七八九"


def cn_to_int(text: str) -> int | None:
    """Value of a Chinese numeral up to 999 (`四十八` -> 48, `十` -> 10); None if not one."""
    if not text or any(ch not in CN_DIGITS and ch not in CN_UNITS for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in "零〇" and total:  # a placeholder inside a number (`二百零五`)
            continue
        if ch in CN_DIGITS:
            if digit is not None:  # two digits in a row (`一二`) is not a numeral
                return None
            digit = CN_DIGITS[ch]
        else:
            unit = CN_UNITS[ch]
            total += (1 if digit is None else digit) * unit
            digit = None
    total += digit or 0
    return total if total > 0 else None


def cn_to_number(text: str) -> float | None:
    """Like cn_to_int, with a decimal part read digit by digit (`六点五` -> 6.5) and zero allowed."""
    whole, _, fraction = text.partition("点")
    value = 0 if whole in ("零", "〇") else cn_to_int(whole)
    if value is None:
        return None
    if not fraction:
        return float(value)
    if any(ch not in CN_DIGITS for ch in fraction):
        return None
    return float(f"{value}." + "".join(str(CN_DIGITS[ch]) for ch in fraction))


def chinese_year(year: int) -> str:
    """2023 -> "二〇二三" (answers that state no figures name years in words)."""
    return "".join(_YEAR_DIGITS[int(d)] for d in str(year))


YEAR_RANGE = (1949, 2100)  # a policy year the product can speak of; anything else is a typo


def check_year(year: int | None) -> None:
    """UserError for a year filter outside YEAR_RANGE (None and 0 mean no year)."""
    if year and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        shown = str(year) if len(str(year)) <= 12 else f"{str(year)[:12]}…"
        raise UserError(f"年份 {shown} 不在 {YEAR_RANGE[0]}–{YEAR_RANGE[1]} 之间，请写四位年份，如 2024。")
