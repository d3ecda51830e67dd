"""The read-aloud answer reads every asked document and every asked part, from the clause that states it."""
from __future__ import annotations

from dataclasses import replace

from app.answer.compose import Group
from app.answer.config import DEFAULT_CONFIG
from app.answer.hotline import compose_hotline
from app.answer.select import Item, fragments
from app.text.spans import Span
from policyqa.model import Clause

from ..answer_checks import TODAY
from ..answer_fakes import RUIAN_2023


def _item(n: int, text: str, profile, stated: bool = True) -> Item:
    span = Span(0, len(text), text)
    clause = Clause(f"r23-{n}", RUIAN_2023, (), str(n), "外贸", text)
    return Item(clause, (span,), fragments(text, [span], profile, DEFAULT_CONFIG), 0.9, stated, text)


def test_each_part_of_a_question_is_read_from_the_clause_of_the_document_that_states_it(profile_of) -> None:
    """Two parts, each answered by another clause of one document: both are read and cited, in the
    clauses' order, even when the length leaves room for one (a part left out would go unanswered
    in an answer that sounds complete)."""
    profile = profile_of("出口信用保险保费补助比例是多少？工业用地建筑系数要达到多少？")
    assert len(profile.parts) == 2
    insurance = _item(1, "对出口信用保险保费给予补助，补助比例为60%。", profile)
    land = _item(2, "强化工业用地供应服务保障，建筑系数达到40%以上。", profile)
    spoken, citations = compose_hotline(profile, [Group(RUIAN_2023, (insurance, land), True)], TODAY,
                                        replace(DEFAULT_CONFIG, hotline_max_chars=30))
    assert "60%" in spoken and "40%" in spoken
    assert [c.clause.clause_id for c in citations] == ["r23-1", "r23-2"]
    assert spoken.index("60%[1]") < spoken.index("40%以上[2]")


def test_a_documents_clause_stating_the_asked_figure_is_read_before_one_that_does_not(profile_of) -> None:
    """The document's likelier clause names the topic without the figure; the one stating it is read."""
    profile = profile_of("出口信用保险保费补助比例是多少")
    unstated = _item(1, "加大出口信用保险支持力度，扩大出口信用保险覆盖面。", profile, stated=False)
    stating = _item(2, "出口信用保险保费补助比例为60%。", profile)
    spoken, citations = compose_hotline(profile, [Group(RUIAN_2023, (unstated, stating), True)], TODAY,
                                        replace(DEFAULT_CONFIG, hotline_max_chars=40))
    assert spoken.startswith("瑞安市2023年：出口信用保险保费补助比例为60%[1]")
    assert citations[0].clause.clause_id == "r23-2"


def test_a_segment_stating_any_parts_unit_is_a_read_aloud_fragment(profile_of) -> None:
    """A question asking 多少家 in one part and 多少亩 in another: the segments stating either are
    fragments to read, the count's as well as the area's."""
    profile = profile_of("整治了多少家企业？腾出多少亩土地？")
    text = "整治提升企业253家，腾出用地1364亩。"
    read = [f.text for f in fragments(text, [Span(0, len(text), text)], profile, DEFAULT_CONFIG)]
    assert any("253家" in f for f in read) and any("1364亩" in f for f in read)


def test_a_part_asking_yes_or_no_is_read_from_the_segment_holding_its_words(profile_of) -> None:
    """"还能顺带做汇率避险吗" asks no kind of fact: the segment holding all its words answers it, and is
    read beside the figure the other part asks for (else the caller hears only the rate)."""
    profile = profile_of("出口信用保险保费补助比例是多少？还能顺带做汇率避险吗？")
    assert len(profile.parts) == 2 and not profile.parts[1].kinds
    text = "对短期出口信用保险保费给予60%的补助，支持外贸企业开展汇率避险。"
    item = _item(1, text, profile)
    assert any("汇率避险" in f.text for f in item.fragments)
    spoken, _ = compose_hotline(profile, [Group(RUIAN_2023, (item,), True)], TODAY,
                                replace(DEFAULT_CONFIG, hotline_max_chars=30))
    assert "60%" in spoken and "汇率避险" in spoken
