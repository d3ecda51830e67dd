"""Chinese numerals read and written in one place."""
from __future__ import annotations

from policyqa.numerals import chinese_year, cn_to_int, cn_to_number


def test_integers_up_to_999() -> None:
    assert cn_to_int("四十八") == 48 and cn_to_int("十") == 10 and cn_to_int("二百零五") == 205
    assert cn_to_int("一二") is None and cn_to_int("") is None and cn_to_int("十A") is None


def test_numbers_with_a_decimal_part_and_zero() -> None:
    assert cn_to_number("六点五") == 6.5 and cn_to_number("八十五") == 85.0 and cn_to_number("零点五") == 0.5
    assert cn_to_number("六点") == 6.0 and cn_to_number("六点x") is None


def test_years_in_words() -> None:
    assert chinese_year(2023) == "二〇二三" and chinese_year(2005) == "二〇〇五"
