"""Question analysis and the sentence features built on it."""
from __future__ import annotations

from app.question import analyze_question
from app.scoring import asked_evidence, coverage, missing_specific

REGIONS = ("乐清市", "温州市", "瑞安市")


def test_kinds() -> None:
    assert analyze_question("出口信用保险补助比例是多少").kinds == {"ratio"}
    assert analyze_question("这项政策哪个部门负责").kinds == {"responsible"}
    assert analyze_question("什么是“五个零”机制").kinds == {"definition"}
    assert analyze_question("2023年财政预算安排多少资金").kinds == {"budget"}
    assert analyze_question("首贷户目标是多少户").counter == "户"


def test_region_and_year_are_scope_not_topic() -> None:
    profile = analyze_question("乐清政府性融资担保机构的担保费率", REGIONS)
    words = [t.word for t in profile.terms]
    assert "融资担保" in words and not any("清" in w for w in words)
    assert not any("2023" in t.word for t in analyze_question("2023年瑞安市首贷户", REGIONS).terms)


def test_quoted_phrase_is_one_term() -> None:
    assert "五个零" in [t.word for t in analyze_question("什么是“五个零”机制").terms]


def test_missing_topic_and_benefit_rule() -> None:
    profile = analyze_question("大学生租房补贴每月多少钱")
    assert set(missing_specific(profile, "发放大学生就业补贴100元")) == {"租房"}
    reward = analyze_question("企业上市给予多少奖励")
    assert asked_evidence(reward, "力争股票首发及再融资达到8亿元以上，推进企业上市") == 0.0
    assert asked_evidence(reward, "企业上市的，给予最高500万元奖励") == 1.0
    assert coverage(reward, "企业上市的，给予最高500万元奖励") == 1.0


def test_region_short_name_is_scope_for_any_region_suffix() -> None:
    profile = analyze_question("龙湾人才补贴有哪些", region_names=("龙湾区",))
    words = [t.word for t in profile.terms]
    assert "人才" in words and not any("龙湾" in w for w in words)
