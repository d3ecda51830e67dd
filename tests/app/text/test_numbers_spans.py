"""Sentence splitting and number normalisation."""
from __future__ import annotations

from app.text import numbers
from app.text.spans import is_responsibility, normalise, split_segments, split_sentences


def test_sentences_are_verbatim_spans_and_split_off_responsibility() -> None:
    text = "加大外贸支持力度。给予保费 60%的补助,单个企业补贴不超过 150 万元。(责任单位:市商务局)"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["加大外贸支持力度。", "给予保费 60%的补助,单个企业补贴不超过 150 万元。",
                                           "(责任单位:市商务局)"]
    assert all(text[s.start:s.end] == s.text for s in sentences)
    assert is_responsibility(sentences[2].text) and not is_responsibility(sentences[1].text)
    segments = split_segments(text, sentences[1])
    assert [s.text for s in segments] == ["给予保费 60%的补助,", "单个企业补贴不超过 150 万元。"]


def test_closing_quote_stays_with_its_sentence() -> None:
    assert [s.text for s in split_sentences("称为“零距离。”其后另起。")] == ["称为“零距离。”", "其后另起。"]


def test_normalise_ignores_width_and_spaces() -> None:
    assert normalise("２０２３ 年 ６０％") == "2023年60%"


def test_numbers_match_across_units_and_writing() -> None:
    source = ["单个企业补贴不超过 150 万元，给予保费60%的补助"]
    assert numbers.unsupported("补贴上限1500000元", source) == []
    assert numbers.unsupported("补助百分之六十", source) == []
    assert numbers.unsupported("补助６０％[1]", source) == []
    assert numbers.unsupported("补助70%", source) == ["70%"]
    assert numbers.unsupported("上限150", ["150%"]) == []  # a plain number may restate a percentage's figure
    assert numbers.unsupported("比例150%", ["150万元"]) == ["150%"]  # but a percentage needs a percentage


def test_markers_and_list_numbers_are_not_figures() -> None:
    assert numbers.unsupported("1. 给予补助[3]", []) == []
    assert [m.value for m in numbers.mentions("百分之八十五")] == [85.0]


def test_a_quantity_keeps_its_unit_and_money_and_shares_have_none() -> None:
    found = {m.raw: m.measure for m in numbers.mentions("垦造耕地7000亩，新建用房1400平方米，补助150万元、60%，建设2万亩")}
    assert found == {"7000亩": "亩", "1400平方米": "平方米", "150万元": "", "60%": "", "2万亩": "亩"}
    assert numbers.mentions("2万亩")[0].value == 20000
    assert numbers.mentions("依据第44条")[0].measure == ""  # a position, not a count
