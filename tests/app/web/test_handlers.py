"""The chat callbacks against a fake service: streaming, follow-ups, filters, feedback, sessions."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import gradio as gr
import pytest

from app.web.handlers import ChatHandlers, ChatSession, api_answer
from policyqa.errors import UserError

from .fakes import FakeService, fake_settings

NO_FILTERS = ("", "", "", False)


@pytest.fixture()
def service(tmp_path: Path) -> FakeService:
    return FakeService(fake_settings(tmp_path))


@pytest.fixture()
def handlers(service: FakeService, tmp_path: Path) -> ChatHandlers:
    return ChatHandlers(service, tmp_path / "feedback.jsonl", today=lambda: date(2025, 6, 1))


def _run(generator) -> list[tuple]:
    return list(generator)


def test_ask_streams_then_shows_answer_with_cards(handlers: ChatHandlers) -> None:
    session = ChatSession()
    steps = _run(handlers.ask("外贸企业出口信用保险补助比例是多少", session, *NO_FILTERS))
    assert len(steps) > 3  # placeholder, several pieces, final
    streamed = [step[0][-1]["content"] for step in steps[1:-1]]
    assert all("pqa-streaming" in content for content in streamed)
    messages, final_session, plain, box = steps[-1]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "pqa-card" in messages[-1]["content"] and "瑞政发" in messages[-1]["content"]
    assert "60%" in plain and "瑞政发[2023]9号" in plain and box == ""
    assert final_session.previous_question == "外贸企业出口信用保险补助比例是多少"
    assert final_session.answers[1]["clause_ids"] == ["ruian-2023-work-plan#6.2.3"]


def test_followup_asks_the_same_question_for_the_new_region(handlers: ChatHandlers,
                                                           service: FakeService) -> None:
    session = ChatSession()
    _run(handlers.ask("外贸企业出口信用保险补助比例是多少", session, *NO_FILTERS))
    steps = _run(handlers.ask("那温州呢？", session, *NO_FILTERS))
    assert service.calls[-1] == {"question": "温州市外贸企业出口信用保险补助比例是多少", "region": "温州市",
                                 "year": None, "doc_id": None, "style": "default"}
    final = steps[-1][0][-1]["content"]
    assert "温政办〔2024〕11号" in final and "按上文理解为" in final


def test_filters_and_hotline_reach_the_service(handlers: ChatHandlers, service: FakeService) -> None:
    _run(handlers.ask("出口信用保险", ChatSession(), "温州市", "2024", "", True))
    assert service.calls[-1] == {"question": "出口信用保险", "region": "温州市", "year": 2024,
                                 "doc_id": None, "style": "hotline"}


def test_changing_a_filter_reasks_the_previous_question(handlers: ChatHandlers, service: FakeService) -> None:
    session = ChatSession()
    assert _run(handlers.reask(session, "温州市", "", "", False))[-1][0] == []  # nothing asked yet: no-op
    _run(handlers.ask("外贸企业出口信用保险补助比例是多少", session, *NO_FILTERS))
    steps = _run(handlers.reask(session, "温州市", "", "", False))
    assert service.calls[-1]["region"] == "温州市"
    assert service.calls[-1]["question"] == "外贸企业出口信用保险补助比例是多少"
    assert "（温州市）" in steps[-1][0][-2]["content"] and "温政办" in steps[-1][0][-1]["content"]


def test_empty_question_and_service_errors_leave_the_session_intact(handlers: ChatHandlers,
                                                                   service: FakeService) -> None:
    session = ChatSession()
    with pytest.warns(UserWarning, match="请先输入问题"):
        assert _run(handlers.ask("   ", session, *NO_FILTERS))[-1][0] == []
    service.ask_stream = lambda question, **options: (_ for _ in ()).throw(UserError("索引损坏，请重新运行 ingest"))
    steps = _run(handlers.ask("补助", session, *NO_FILTERS))
    assert "索引损坏" in steps[-1][0][-1]["content"] and session.previous_question is None


def test_like_and_comment_append_feedback_lines(handlers: ChatHandlers, tmp_path: Path) -> None:
    session = ChatSession()
    _run(handlers.ask("外贸企业出口信用保险补助比例是多少", session, *NO_FILTERS))
    handlers.like(session, gr.LikeData(None, {"index": 1, "value": "", "liked": False}))
    lines = (tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    assert record["verdict"] == "down" and record["clause_ids"] == ["ruian-2023-work-plan#6.2.3"]
    assert record["question"] == "外贸企业出口信用保险补助比例是多少" and "60%" in record["answer"]
    handlers.comment("应注明已过期", session)
    second = json.loads((tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()[1])
    assert second["feedback_id"] == record["feedback_id"] and second["comment"] == "应注明已过期"
    handlers.like(session, gr.LikeData(None, {"index": 0, "value": "", "liked": True}))  # a user message
    assert len((tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_sessions_do_not_share_conversation(handlers: ChatHandlers, service: FakeService) -> None:
    alice, bob = ChatSession(), ChatSession()
    _run(handlers.ask("外贸企业出口信用保险补助比例是多少", alice, *NO_FILTERS))
    _run(handlers.ask("那温州呢？", bob, *NO_FILTERS))
    assert service.calls[-1]["question"] == "那温州呢？" and service.calls[-1]["region"] is None
    assert len(bob.messages) == 2 and len(alice.messages) == 2


def test_api_answer_resolves_followups_and_checks_style(service: FakeService) -> None:
    docs = service.documents()
    answer, resolved = api_answer(service, docs, "那温州呢", "外贸企业出口信用保险补助比例是多少", None, None, "default")
    assert resolved == "温州市外贸企业出口信用保险补助比例是多少" and service.calls[-1]["region"] == "温州市"
    with pytest.raises(UserError):
        api_answer(service, docs, "补助", None, None, None, "loud")
