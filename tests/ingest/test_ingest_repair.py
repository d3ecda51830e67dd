"""The repair rules and the matching key, on small strings."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.repair import clean_line, is_page_furniture, match_key, repair_text


@pytest.mark.parametrize("damaged, repaired", [
    ("瑞 安 市 人 民 政 府", "瑞安市人民政府"),
    ("市财政 2023 年预算安排 1. 61 亿元", "市财政2023年预算安排1.61亿元"),
    ("完善浙江网上技术市场 3. 0 瑞安分市场模块建设", "完善浙江网上技术市场3.0瑞安分市场模块建设"),
    ("推动每千人口拥有托位数达4 .5个以上", "推动每千人口拥有托位数达4.5个以上"),
    ("由财政与个人按 3: 4 分担", "由财政与个人按3:4分担"),
    ("研发投入强度达 2.9%以上", "研发投入强度达2.9%以上"),
    ("(责任单位:市发改局、市财政局;带*的为牵头单位,下同)", "（责任单位：市发改局、市财政局；带*的为牵头单位，下同）"),
    ('省、温州市"两会"和市委', "省、温州市“两会”和市委"),
    ("市国投集团<金控公司>", "市国投集团〈金控公司〉"),
    ("支持弱有众扶。。低保", "支持弱有众扶。低保"),
    ("（责任单位： *市财政局）", "（责任单位：*市财政局）"),
])
def test_repair_text(damaged, repaired):
    assert repair_text(damaged) == repaired
    assert repair_text(repaired) == repaired  # idempotent


def test_spaces_between_latin_words_stay():
    assert repair_text("支持 open source software 发展") == "支持open source software发展"
    assert repair_text("新能源汽车 AAA 景区") == "新能源汽车AAA景区"


def test_numbering_marker_at_start_is_not_a_decimal():
    assert repair_text("1. 2023年力争新增") == "1. 2023年力争新增"


def test_bullets_and_page_furniture():
    assert clean_line("- 2. 争取用能要素支持。") == "2. 争取用能要素支持。"
    assert clean_line("  (四)向上争取 ") == "(四)向上争取"
    for line in ("- 3 -", "12", "第 3 页", "第3页 共12页", "3/12", "温州市人民政府办公室 2024年2月23日印发"):
        assert is_page_furniture(line), line
    assert not is_page_furniture("2. 争取用地支持")


def test_match_key_ignores_width_and_whitespace():
    assert match_key("给予保费 60% 的补助, 单个企业") == match_key("给予保费60%的补助，单个企业")
    assert match_key("“两会”") == match_key('"两会"')
    assert match_key("（责任单位：市商务局）") == match_key("(责任单位:市商务局)")


@given(st.text(), st.text())
def test_match_key_keys_each_character_alone_so_a_quote_inside_a_text_stays_inside_its_key(a: str, b: str) -> None:
    assert match_key(a + b) == match_key(a) + match_key(b)


def test_match_key_folds_compatibility_forms_case_and_quotes_but_composes_nothing() -> None:
    assert match_key("ﬁ① ＡＢ　《规划》、。") == "fi1ab<规划>,."
    assert match_key("e\u0301") == "e\u0301"  # not "é": a character is keyed without its neighbours


def test_validity_phrase_is_found_in_linear_time_and_year_is_the_issue_year() -> None:
    from ingest.metadata import _validity_phrase, _year

    assert _validity_phrase("前文，各项政策均为2023年全年实施有效。附件") == "各项政策均为2023年全年实施有效"
    assert _validity_phrase("无标点" * 200_000) == ""  # quadratic scanning would take minutes here
    assert _year("", "", "2099-12-31", "某市2024年若干政策") == 2024
    assert _year("2024-03-01", "", "2099-12-31", "") == 2024
    assert _year("", "", "2099-12-31", "") == 2099
