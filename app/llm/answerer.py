"""The LLM answerer: an OpenAI-compatible chat model through llama-index, streamed and checked.

Only verified text is streamed (see app.llm.verify). The caller falls back to the offline answer when
`LlmResult.fallback_reason` is set: an error, the deadline passed, or nothing cited survived.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from app.answer.config import DEFAULT_CONFIG, AnswerConfig
from app.answer.names import period_note
from app.llm import prompts
from app.llm.client import chat_model
from app.llm.verify import ECHO_MARK, Renumbering, Supplied, UnitCheck, check_unit, take_units
from app.text.spans import normalise, split_sentences
from policyqa.config import Settings
from policyqa.model import Citation, Clause, Hit, Style
from policyqa.status import publication_label

log = logging.getLogger(__name__)


class DeadlineExceeded(Exception):
    """The model did not finish within the configured timeout."""


# the fallback reason when the model answered but nothing it cited passed the checks
NOTHING_CITED = "回答没有引用任何所给条款"


@dataclass
class LlmResult:
    """The checked answer, or the reason to fall back to the offline one."""

    text: str = ""
    citations: tuple[Citation, ...] = ()
    mode: str = "llm"
    checks: dict[str, Any] = field(default_factory=dict)
    fallback_reason: str = ""


def render_clause(n: int, clause: Clause, today: date) -> str:
    """One clause for the prompt, with its number, document and metadata."""
    doc = clause.doc
    status = publication_label(doc)
    if doc.expired_on(today):
        status += f"，有效期已于{doc.valid_until}结束"
    return prompts.load_template(*prompts.CLAUSE).render(
        n=n, region=doc.region or "未注明地区", year=f"{doc.year}年" if doc.year else "年份未注明",
        doc_number=doc.doc_number or "无文号", doc_title=doc.title, status=status,
        # "一、(六)（二〇二二年主要工作回顾）": the model is told, as a reader is, whose year the figures are
        locator=(clause.locator or clause.number or "未编号") + period_note(clause), title=clause.title or "无",
        responsible_units="、".join(clause.responsible_units) or "未列明",
        lead_department=clause.lead_department or "未列明", text=clause.text)


def build_messages(question: str, context: list[Hit], style: Style, today: date) -> list[tuple[str, str]]:
    """(role, content) pairs: the fixed rules, then clauses and question as data."""
    clauses = "\n\n".join(render_clause(n, hit.clause, today) for n, hit in enumerate(context, start=1))
    style_template = prompts.STYLE_HOTLINE if style == "hotline" else prompts.STYLE_DEFAULT
    user = prompts.load_template(*prompts.USER).render(
        today=today.isoformat(), clauses=clauses, question=question,
        style_instruction=prompts.load_template(*style_template).render().strip())
    return [("system", prompts.load_template(*prompts.SYSTEM).render()), ("user", user)]


def best_quote(clause: Clause, claims: str) -> str:
    """The clause sentence sharing most character pairs with the answer text citing it (verbatim)."""
    claim = normalise(claims)
    pairs = {claim[i:i + 2] for i in range(len(claim) - 1)}

    def overlap(text: str) -> int:
        norm = normalise(text)
        return len(pairs & {norm[i:i + 2] for i in range(len(norm) - 1)})

    sentences = split_sentences(clause.text)
    return max(sentences, key=lambda s: overlap(s.text)).text if sentences else clause.text


class LlmClient(Protocol):
    """What the answer service needs from an LLM answerer (a test may give its own)."""

    def stream(self, question: str, context: list[Hit], *, style: Style, today: date,
               deadline_s: float) -> Iterator[str | LlmResult]:
        """Verified text pieces as they complete, then an LlmResult."""
        ...


class LlmAnswerer:
    """Streams answers from the configured model; the client is built once and reused."""

    def __init__(self, settings: Settings, config: AnswerConfig = DEFAULT_CONFIG) -> None:
        self._settings = settings
        self._config = config
        self._llm = chat_model(settings, temperature=config.llm_temperature, max_tokens=settings.llm_max_tokens,
                               timeout_s=settings.llm_timeout_s)

    def _deltas(self, messages: list[tuple[str, str]], deadline: float) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        chat = [ChatMessage(role=role, content=content) for role, content in messages]
        stream = self._llm.stream_chat(chat)
        try:
            for response in stream:
                if time.monotonic() > deadline:
                    raise DeadlineExceeded("大模型响应超时")
                if response.delta:
                    yield response.delta
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()

    def stream(self, question: str, context: list[Hit], *, style: Style, today: date,
               deadline_s: float) -> Iterator[str | LlmResult]:
        """Verified text pieces as they complete, then an LlmResult."""
        started = time.monotonic()
        supplied = Supplied({n: hit.clause for n, hit in enumerate(context, start=1)},
                            tuple(render_clause(n, hit.clause, today).split(ECHO_MARK)[0]
                                  for n, hit in enumerate(context, start=1)))
        renumbering = Renumbering()
        checks: list[UnitCheck] = []
        claims: dict[int, list[str]] = {}
        shown: set[str] = set()
        buffer = ""

        def accept(units: list[str]) -> Iterator[str]:
            cited_before = {n for c in checks for n in c.cited}
            for unit in units:
                check = check_unit(unit, supplied, cited_before, min_word_share=self._config.llm_word_share,
                                   shown=shown)
                checks.append(check)
                cited_before |= set(check.cited)
                for n in check.cited:
                    claims.setdefault(n, []).append(check.text)
                if check.text.strip():
                    yield renumbering.apply(check.text)

        pieces: list[str] = []
        try:
            for delta in self._deltas(build_messages(question, context, style, today), started + deadline_s):
                buffer += delta
                units, buffer = take_units(buffer, final=False)
                for piece in accept(units):
                    pieces.append(piece)
                    yield piece
            units, buffer = take_units(buffer, final=True)
            for piece in accept(units):
                pieces.append(piece)
                yield piece
        except Exception as error:  # noqa: BLE001 - any failure of the model means: answer offline
            # Logged with its traceback: a bug in our own checks must not pass as a model failure.
            log.warning("LLM answer failed, falling back to the offline answer", exc_info=error)
            yield LlmResult(checks=_summary(checks, started), fallback_reason=_reason(error))
            return
        yield self._result("".join(pieces).strip(), supplied, renumbering, claims, checks, started)

    @staticmethod
    def _result(text: str, supplied: Supplied, renumbering: Renumbering,
                claims: dict[int, list[str]], checks: list[UnitCheck], started: float) -> LlmResult:
        summary = _summary(checks, started)
        if not text or not renumbering.mapping:
            return LlmResult(checks=summary, fallback_reason=NOTHING_CITED)
        citations = tuple(
            Citation(n=new, clause=supplied.clauses[old],
                     quote=best_quote(supplied.clauses[old], " ".join(claims.get(old, []))))
            for old, new in sorted(renumbering.mapping.items(), key=lambda pair: pair[1]))
        repaired = summary["removed_markers"] or summary["dropped_sentences"] or summary["replaced_sentences"]
        return LlmResult(text=text, citations=citations, mode="llm-repaired" if repaired else "llm",
                         checks=summary)


def _summary(checks: list[UnitCheck], started: float) -> dict[str, Any]:
    removed = sorted({n for c in checks for n in c.removed_markers})
    unsupported = [u for c in checks for u in c.unsupported]
    return {
        "markers_valid": not removed,
        "numbers_supported": not unsupported and not any(c.misattributed for c in checks),
        "removed_markers": removed,
        "dropped_sentences": [d for c in checks for d in c.dropped],
        "unsupported_numbers": unsupported,
        "replaced_sentences": [r for c in checks for r in c.replaced],
        "misattributed_figures": [m for c in checks for m in c.misattributed],
        "llm_ms": round((time.monotonic() - started) * 1000, 1),
    }


def _reason(error: Exception) -> str:
    if isinstance(error, DeadlineExceeded) or "timeout" in type(error).__name__.lower():
        return "timeout"
    return f"error: {type(error).__name__}"
