"""The chat's event handlers: thin glue between Gradio events and the answering service.

No retrieval or answer logic here: a turn is resolved by `app.web.followup`, answered by the service,
rendered by `app.web.cards`, and feedback is written by `app.web.feedback`. Per-user state lives in a
`ChatSession` held by `gr.State`, never in module globals.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import gradio as gr

from app.web import cards as web_cards
from app.web.feedback import append_feedback, make_record
from app.web.followup import resolve_followup
from policyqa.errors import UserError
from policyqa.model import DEFAULT_TOP_K, Answer, Document, Style, as_style

ALL = ""  # the value of the “全部…” choice in each filter


class AnsweringService(Protocol):
    """What the chat needs from `app.service.AnswerService`."""

    def ask_stream(self, question: str, *, top_k: int = DEFAULT_TOP_K, region: str | None = None,
                   year: int | None = None, doc_id: str | None = None, style: Style = "default",
                   today: date | None = None) -> Iterator[str | Answer]: ...
    def ask(self, question: str, *, top_k: int = DEFAULT_TOP_K, region: str | None = None, year: int | None = None,
            doc_id: str | None = None, style: Style = "default", today: date | None = None) -> Answer: ...
    def documents(self) -> list[Document]: ...
    def notices(self) -> list[str]: ...


@dataclass
class ChatSession:
    """One browser session's conversation: its messages and what feedback needs per answer."""

    messages: list[dict[str, str]] = field(default_factory=list)
    previous_question: str | None = None  # the last question as resolved, for follow-ups
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)  # message index -> feedback basis
    last_feedback: dict[str, Any] | None = None  # the last record written, for a later comment
    plain_text: str = ""  # the latest answer with its sources, for the copy button


@dataclass(frozen=True)
class SidebarChoice:
    """The sidebar's choices for one turn."""

    region: str = ALL
    year: str = ALL
    doc_id: str = ALL
    hotline: bool = False

    def service_options(self, region_override: str | None, year_override: int | None) -> dict[str, Any]:
        """Keyword arguments for the service; a follow-up's region or year wins over the filter."""
        year = year_override or (int(self.year) if self.year else None)
        return {
            "region": region_override or self.region or None,
            "year": year,
            "doc_id": self.doc_id or None,
            "style": "hotline" if self.hotline else "default",
        }


class ChatHandlers:
    """Callbacks bound to one service, its documents and the feedback file."""

    def __init__(self, service: AnsweringService, feedback_file: Path,
                 today: Callable[[], date] = date.today) -> None:
        self.service = service
        self.feedback_file = feedback_file
        self.today = today
        self.documents = list(service.documents())

    def ask(self, question: str, session: ChatSession, region: str, year: str, doc_id: str,
            hotline: bool) -> Iterator[tuple[Any, ...]]:
        """Answer one typed turn, streaming; yields (chat, session, plain text, input box)."""
        question = (question or "").strip()
        if not question:
            gr.Warning("请先输入问题。", duration=3)
            yield list(session.messages), session, session.plain_text, ""
            return
        yield from self._answer_turn(question, question, session, SidebarChoice(region, year, doc_id, hotline))

    def reask(self, session: ChatSession, region: str, year: str, doc_id: str,
              hotline: bool) -> Iterator[tuple[Any, ...]]:
        """After a filter changes, ask the previous question again under the new filters."""
        filters = SidebarChoice(region, year, doc_id, hotline)
        if not session.previous_question:
            yield list(session.messages), session, session.plain_text, gr.update()
            return
        label = _filters_label(filters, self.documents)
        shown = f"{session.previous_question}（{label}）" if label else session.previous_question
        yield from self._answer_turn(session.previous_question, shown, session, filters, followup=False)

    def _answer_turn(self, question: str, shown: str, session: ChatSession, filters: SidebarChoice,
                     followup: bool = True) -> Iterator[tuple[Any, ...]]:
        resolved = resolve_followup(question, session.previous_question if followup else None,
                                    self.documents)
        options = filters.service_options(resolved.region, resolved.year)
        session.messages.append({"role": "user", "content": web_cards.escape_text(shown)})
        session.messages.append({"role": "assistant", "content": web_cards.streaming_html("正在查找相关条款…")})
        yield list(session.messages), session, session.plain_text, ""
        partial = ""
        answer: Answer | None = None
        try:
            for piece in self.service.ask_stream(resolved.text, **options):
                if isinstance(piece, Answer):
                    answer = piece
                else:
                    partial += piece
                    session.messages[-1] = {"role": "assistant", "content": web_cards.streaming_html(partial)}
                    yield list(session.messages), session, session.plain_text, ""
        except UserError as error:
            session.messages[-1] = {"role": "assistant", "content": web_cards.notices_html([str(error)])}
            yield list(session.messages), session, session.plain_text, ""
            return
        if answer is None:  # the service contract says it always ends with the Answer
            raise RuntimeError("answer stream ended without an Answer")
        today = self.today()
        content = web_cards.answer_html(answer, today, resolved_from=question if resolved.is_followup else "")
        session.messages[-1] = {"role": "assistant", "content": content}
        session.previous_question = resolved.text
        session.plain_text = web_cards.answer_plain_text(answer, today)
        session.answers[len(session.messages) - 1] = {
            "question": answer.question,
            "asked": question,
            "answer": answer.text,
            "clause_ids": [citation.clause.clause_id for citation in answer.citations],
            "filters": {key: value for key, value in options.items() if value},
        }
        yield list(session.messages), session, session.plain_text, ""

    def like(self, session: ChatSession, like: gr.LikeData) -> tuple[ChatSession, Any]:
        """Record 👍/👎 on one answer at once; reveal the optional comment box."""
        index = like.index[0] if isinstance(like.index, (list, tuple)) else like.index
        basis = session.answers.get(int(index))
        if basis is None or like.liked not in (True, False):
            return session, gr.update()
        record = make_record(verdict="up" if like.liked else "down", **basis)
        append_feedback(self.feedback_file, record)
        session.last_feedback = record
        gr.Info("已记录您的评价，谢谢！可在下方补充说明。", duration=4)
        return session, gr.update(visible=True)

    def comment(self, text: str, session: ChatSession) -> tuple[ChatSession, Any, str]:
        """Append the comment to the last verdict (same feedback_id, a later line wins)."""
        if not text.strip() or session.last_feedback is None:
            return session, gr.update(), text
        record = {**session.last_feedback, "comment": text.strip()}
        append_feedback(self.feedback_file, record)
        session.last_feedback = record
        gr.Info("说明已记录。", duration=3)
        return session, gr.update(visible=False), ""

    def clear(self) -> tuple[list, ChatSession, str, Any]:
        """A fresh conversation (same session, new state)."""
        return [], ChatSession(), "", gr.update(visible=False)

    def notices(self, extra: tuple[str, ...]) -> str:
        """The notice banner: start-up notices plus the service's current ones."""
        return web_cards.notices_html([*extra, *self.service.notices()])


def _filters_label(filters: SidebarChoice, documents: list[Document]) -> str:
    titles = {doc.doc_id: doc.title for doc in documents}
    parts = [filters.region, f"{filters.year}年" if filters.year else "", titles.get(filters.doc_id, "")]
    if filters.hotline:
        parts.append("热线口径")
    return "，".join(part for part in parts if part)


def api_answer(service: AnsweringService, documents: list[Document], question: str,
               previous_question: str | None, region: str | None, year: int | None,
               style: str) -> tuple[Answer, str]:
    """One API turn: resolve a follow-up against the session's previous question and answer it."""
    resolved = resolve_followup(question or "", previous_question, documents)
    answer = service.ask(resolved.text, region=resolved.region or region or None,
                         year=resolved.year or year or None, style=as_style(style))
    return answer, resolved.text
