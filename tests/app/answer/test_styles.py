"""Answer styles come from one registry: a new style is one class, used for answers and validity alike."""
from __future__ import annotations

import pytest

from app.answer.styles import COMPOSERS, composer
from app.service import AnswerService
from policyqa.config import load_settings
from policyqa.errors import UserError
from policyqa.model import Clause

from ..answer_checks import TODAY
from ..answer_fakes import CLAUSES, RUIAN_2023, FakeIndex

# the closing clause that states the Rui'an plan's validity
CLOSING = Clause("r23-end", RUIAN_2023, ("附则",), "", "", "本文件明确的各项承接措施除标明具体实施期限外，均为2023年全年实施有效。",
                 locator="附则")


def _service() -> AnswerService:
    return AnswerService(load_settings({}), index=FakeIndex((*CLAUSES, CLOSING)))


class _Terse:
    """A style that names each cited clause by its number only."""

    def answer(self, profile, groups, today, config):
        hotline = COMPOSERS["hotline"].answer(profile, groups, today, config)
        return "简答：" + "、".join(f"[{c.n}]" for c in hotline[1]), hotline[1]

    def validity(self, statements):
        return "有效期：" + "、".join(s.doc.region for s in statements)

    def notes(self, docs, today):
        return ""


def test_a_registered_style_words_answers_and_validity(monkeypatch) -> None:
    monkeypatch.setitem(COMPOSERS, "terse", _Terse())
    service = _service()
    answer = service.ask("瑞安出口信用保险补助比例是多少", style="terse", today=TODAY)  # type: ignore[arg-type]
    assert answer.text.startswith("简答：[1]") and answer.citations
    validity = service.ask("瑞安市承接落实政策工作方案还有效吗", style="terse", today=TODAY)  # type: ignore[arg-type]
    assert validity.outcome == "validity" and validity.text == "有效期：瑞安市"


def test_the_two_styles_differ_where_they_should() -> None:
    service = _service()
    read = service.ask("瑞安市承接落实政策工作方案还有效吗", today=TODAY)
    spoken = service.ask("瑞安市承接落实政策工作方案还有效吗", style="hotline", today=TODAY)
    assert read.text.startswith("瑞安市（2023年，瑞政发[2023]9号）：") and "依据：" not in read.text
    assert spoken.text.startswith("瑞安市2023年：") and spoken.text.endswith("。") and "依据：瑞政发[2023]9号" in spoken.text
    assert [c.quote for c in read.citations] == [c.quote for c in spoken.citations]


def test_every_style_the_interfaces_accept_has_a_composer() -> None:
    from policyqa.model import STYLES

    assert set(COMPOSERS) == set(STYLES)


def test_an_unknown_style_is_named() -> None:
    with pytest.raises(UserError, match="hotline"):
        composer("radio")


def test_a_kinds_wording_comes_from_its_registry_entry(monkeypatch) -> None:
    """Both styles word a cited clause as the asked kind's registry entry says, and quote it otherwise."""
    from dataclasses import replace

    from app.answer.kinds import REGISTRY, Kind

    service = _service()
    question = "瑞安加大外贸支持力度由哪个部门负责？"
    assert "牵头单位：市经信局" in service.ask(question, today=TODAY).text  # the units' own wording
    assert "由市经信局牵头" in service.ask(question, style="hotline", today=TODAY).text
    plain = replace(REGISTRY[Kind.RESPONSIBLE], written=None, spoken=None)
    monkeypatch.setitem(REGISTRY, Kind.RESPONSIBLE, plain)
    quoted = service.ask(question, today=TODAY)
    assert "牵头单位" not in quoted.text and "责任单位" in quoted.text  # the clause's sentence, quoted
    worded = replace(plain, written=lambda clause, spans, marker: f"〈{clause.locator}〉{marker}")
    monkeypatch.setitem(REGISTRY, Kind.RESPONSIBLE, worded)
    assert "〈六、(二)3〉[1]" in service.ask(question, today=TODAY).text
