"""Every answer without a stated figure leaves through app/answer/refusal.py, its reason recorded."""
from __future__ import annotations

from dataclasses import replace
from typing import get_args

import pytest

from app.answer.refusal import after_composing, after_selecting
from app.render import answer_to_json
from app.service import AnswerService
from policyqa.config import load_settings
from policyqa.model import OUTCOMES, REASON_OUTCOME, Reason

from ..answer_checks import TODAY, assert_grounded
from ..answer_fakes import CLAUSES, FakeIndex


def _service() -> AnswerService:
    return AnswerService(load_settings({}), index=FakeIndex())


def test_every_reason_has_an_outcome() -> None:
    assert set(REASON_OUTCOME) == set(get_args(Reason))
    assert set(REASON_OUTCOME.values()) <= set(OUTCOMES) - {"answered", "validity"}


@pytest.mark.parametrize(("question", "filters", "reason"), [
    ("150万元", {}, "nothing_to_look_up"),
    ("台州对企业研发费用按什么比例补助？", {}, "unknown_place"),
    ("瑞安2024年出口信用保险补助比例是多少", {}, "year_not_covered"),
    ("出口信用保险补助比例是多少", {"region": "杭州市"}, "filter_matches_nothing"),
    ("温州对新引进的博士给多少安家补助", {}, "scope_says_nothing"),
    ("宠物医院开业有什么补贴", {}, "declined"),
    ("瑞安2025年工作方案有效期到什么时候", {}, "validity_not_stated"),  # the draft states no validity
])
def test_each_refusal_names_its_reason(question: str, filters: dict, reason: Reason) -> None:
    answer = _service().ask(question, today=TODAY, **filters)
    assert_grounded(answer)
    assert not answer.found and answer.reason == reason and answer.outcome == REASON_OUTCOME[reason]
    data = answer_to_json(answer, TODAY)
    assert data["reason"] == reason and data["outcome"] == REASON_OUTCOME[reason]


def test_an_answer_that_states_the_figure_has_no_reason() -> None:
    answer = _service().ask("瑞安出口信用保险补助比例是多少", today=TODAY)
    assert answer.found and answer.reason is None and answer_to_json(answer, TODAY)["reason"] is None


def test_quotes_holding_only_other_figures_make_no_not_stated_answer() -> None:
    """A figure asked, no sentence stating it: a quote without figures may stand; when every quote
    holds other figures, the answer is a refusal rather than a misleading quote."""
    from app.answer.select import Item
    from app.text.spans import Span

    service = _service()
    profile = service.analyze("瑞安新引进的博士安家补助比例是多少")
    assert profile.asks_figure
    talent = CLAUSES[-1]
    with_figure = Item(talent, (Span(0, 6, talent.text[:6]),), (), 0.9, False, "对新引进的博士给予最高 30 万元安家补助。")
    without = Item(talent, (Span(0, 6, talent.text[:6]),), (), 0.9, False, "加强人才引育。")
    kept, refusal = after_selecting(profile, [with_figure, without])
    assert kept == [without] and refusal is None
    kept, refusal = after_selecting(profile, [with_figure])
    assert kept == [] and refusal is not None and refusal.reason == "figures_beside_topic"
    assert refusal.outcome == "not_found"
    stated = Item(talent, (), (), 0.9, True, with_figure.quote)
    assert after_selecting(profile, [stated]) == ([stated], None)


def test_a_date_asked_and_not_stated_is_not_stated() -> None:
    """"产假能休多少天" asks a span of time: a cited clause that gives none ("落实生育补贴制度") leaves
    it unanswered, as a figure asked and not given does, rather than an answer flagged unstated."""
    from app.answer.select import Item
    from app.text.spans import Span

    profile = _service().analyze("瑞安产假一共能休多少天")
    clause = CLAUSES[-1]
    unstated = Item(clause, (Span(0, 6, clause.text[:6]),), (), 0.9, False, "落实生育补贴制度。")
    refusal = after_composing(profile, [unstated])
    assert refusal is not None and refusal.reason == "figure_not_stated" and refusal.outcome == "not_stated"
    assert after_composing(profile, [replace(unstated, stated=True)]) is None


def test_a_not_found_answer_points_to_where_the_asked_region_speaks_of_another_year(profile_of) -> None:
    """Clauses of the asked region that answer for another year are named with that year (or the period
    their heading looks back on), not as the region alone, which would read as a contradiction
    ("瑞安市的文件中未找到……瑞安市的文件中有相关条款")."""
    from app.answer.refusal import addressed_where
    from policyqa.model import Clause, Document

    report = Document(doc_id="r", title="政府工作报告", region="瑞安市", year=2023)
    review = Clause("r:1", report, ("一、2022年主要工作回顾",), "", "回顾", "新增养老床位100张")
    draft = Clause("d:1", Document(doc_id="d", title="方案", region="瑞安市", year=2025), ("一、养老",), "", "养老",
                   "新增养老床位200张")
    other = Clause("w:1", Document(doc_id="w", title="政策", region="温州市", year=2024), ("一、养老",), "", "养老",
                   "新增养老床位300张")
    profile = profile_of("瑞安今年新增多少养老床位")
    assert addressed_where(profile, review) == "瑞安市（二〇二二年主要工作回顾）"
    assert addressed_where(profile, draft) == "瑞安市二〇二五年"
    assert addressed_where(profile, other) == "温州市"
