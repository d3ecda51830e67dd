"""Responsible units and lead departments, parsed in one place."""
from __future__ import annotations

from ingest.responsibility import lead_department_of, responsibility_start, responsible_units


def test_units_as_listed_and_the_starred_lead() -> None:
    text = "加大外贸支持力度。（责任单位：*市商务局、市财政局，带*为牵头单位）"
    assert responsible_units(text) == (("市商务局", "市财政局"), "市商务局")
    assert responsible_units("（牵头单位:市经信局；市科技局）") == (("市经信局", "市科技局"), "市经信局")
    assert responsible_units("没有括号") == ((), "")


def test_the_parenthesis_is_found_in_a_sentence_even_when_extraction_spaced_it() -> None:
    assert responsibility_start("做好服务。（责 任 单 位：市人社局）") == 5
    assert responsibility_start("（责任部门：市卫健委）") == 0 and responsibility_start("责任重大") == -1


def test_lead_department_from_a_heading() -> None:
    assert lead_department_of("六、扩大内需和对外开放领域（由市商务局牵头实施）") == "市商务局"
    assert lead_department_of("六、扩大内需") == ""
