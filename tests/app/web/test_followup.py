"""Follow-up resolution: elliptical turns become full questions using the previous one."""
from __future__ import annotations

import pytest

from app.web.followup import is_elliptical, region_aliases, resolve_followup
from policyqa.model import Document

DOCS = [
    Document(doc_id="r", title="瑞安", region="瑞安市", year=2023),
    Document(doc_id="w", title="温州", region="温州市", year=2024),
    Document(doc_id="y", title="乐清", region="乐清市", year=2023),
]
BASE = "外贸企业出口信用保险补助比例是多少"


def test_region_aliases_include_short_names() -> None:
    assert region_aliases(DOCS) == {"瑞安市": "瑞安市", "瑞安": "瑞安市", "温州市": "温州市", "温州": "温州市",
                                    "乐清市": "乐清市", "乐清": "乐清市"}


def test_region_followup_inserts_region_when_previous_named_none() -> None:
    resolved = resolve_followup("那温州呢？", BASE, DOCS)
    assert resolved.text == "温州市" + BASE
    assert resolved.region == "温州市" and resolved.year is None and resolved.is_followup


def test_region_followup_replaces_the_previous_region() -> None:
    resolved = resolve_followup("那乐清的呢", "瑞安市外贸企业出口信用保险补助比例是多少", DOCS)
    assert resolved.text == "乐清市外贸企业出口信用保险补助比例是多少"
    assert resolved.region == "乐清市"


def test_short_region_name_in_previous_is_replaced_not_doubled() -> None:
    resolved = resolve_followup("如果是温州", "瑞安对外贸企业有什么补助", DOCS)
    assert resolved.text == "温州市对外贸企业有什么补助"


def test_year_followup_replaces_or_inserts_year() -> None:
    assert resolve_followup("2024年的呢？", "2023年人才补贴有哪些", DOCS).text == "2024年人才补贴有哪些"
    resolved = resolve_followup("那2025年呢", BASE, DOCS)
    assert resolved.text == "2025年" + BASE and resolved.year == 2025


def test_region_and_year_together() -> None:
    resolved = resolve_followup("那温州2024年呢", "瑞安市2023年" + BASE, DOCS)
    assert resolved.text == "温州市2024年" + BASE
    assert (resolved.region, resolved.year) == ("温州市", 2024)


def test_topic_followup_keeps_previous_question_and_adds_the_topic() -> None:
    resolved = resolve_followup("那涉美的呢？", BASE, DOCS)
    assert resolved.text == BASE + "（涉美）"
    assert resolved.region is None and resolved.is_followup


@pytest.mark.parametrize("turn", [
    "温州市对外贸企业有哪些补助呢",  # its own question word: a new question
    "那些企业可以申请出口信用保险补助",  # a bare leading 那 is not a follow-up
    "外贸企业出口信用保险补助比例是多少",
])
def test_full_questions_are_left_alone(turn: str) -> None:
    resolved = resolve_followup(turn, BASE, DOCS)
    assert resolved.text == turn and not resolved.is_followup and resolved.region is None


def test_no_previous_question_means_no_followup() -> None:
    assert resolve_followup("那温州呢？", None, DOCS).text == "那温州呢？"


def test_is_elliptical_shapes() -> None:
    assert is_elliptical("那温州呢？") and is_elliptical("乐清的呢") and is_elliptical("如果是2024年")
    assert not is_elliptical("") and not is_elliptical("？") and not is_elliptical("这项补助的申请条件是什么呢")
