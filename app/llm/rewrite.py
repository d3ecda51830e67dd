"""The question in the documents' wording: an LLM's rewrite, fused into search as one more ranking.

Users say 换电车 or 往楼上盖 where the documents say 新能源汽车 or 工业上楼; keyword and sentence
search cannot bridge that, a language model often can. Asked only when an LLM is configured (the
offline default never calls one); any failure means searching without it.
"""
from __future__ import annotations

import logging
import re
import time
from typing import Protocol

from app.llm import prompts
from app.llm.client import chat_model
from policyqa.config import Settings

log = logging.getLogger(__name__)

REWRITE_SYSTEM: prompts.TemplateSpec = ("rewrite_system", frozenset())
# A rewrite is a few words: the bundled 0.5B model writes them in 1–2 s on two cores; waiting longer
# than this for them would cost more than they bring.
REWRITE_MAX_TOKENS = 48
REWRITE_TIMEOUT_S = 10.0
REWRITE_MAX_CHARS = 80
_ARROW = re.compile(r"[→=＝:：]")
_DIGITS = re.compile(r"[0-9０-９]+")
_NOT_A_WORD = re.compile(r"[^\w]+")


def search_terms(reply: str) -> str:
    """What of the model's reply may serve keyword search: the words of its first line (after an
    echoed "问：… →"), none with a digit (a rewrite must never bring a figure of its own into the
    search), at most REWRITE_MAX_CHARS characters."""
    line = next((ln for ln in reply.splitlines() if ln.strip()), "")
    words = [w for w in _NOT_A_WORD.sub(" ", _ARROW.split(line)[-1]).split() if not _DIGITS.search(w)]
    return " ".join(words)[:REWRITE_MAX_CHARS].strip()


class Rewriter(Protocol):
    """What the answer service needs of a rewriter (eval may give one that replays stored rewrites)."""

    def rewrite(self, question: str) -> tuple[str, float]:
        """(search terms, milliseconds spent); "" when there are none."""
        ...


class QueryRewriter:
    """Asks the configured model for the documents' wording of a question (one short, plain call)."""

    def __init__(self, settings: Settings) -> None:
        self._llm = chat_model(settings, temperature=0.0, max_tokens=REWRITE_MAX_TOKENS,
                               timeout_s=min(REWRITE_TIMEOUT_S, settings.llm_timeout_s))

    def reply(self, question: str) -> str:
        """The model's reply as it came; raises when the model cannot be asked."""
        from llama_index.core.llms import ChatMessage

        messages = [ChatMessage(role="system", content=prompts.load_template(*REWRITE_SYSTEM).render()),
                    ChatMessage(role="user", content=question)]
        return self._llm.chat(messages).message.content or ""

    def rewrite(self, question: str) -> tuple[str, float]:
        """(search terms, milliseconds spent); ("", ms) when the model failed or said nothing usable."""
        started = time.monotonic()
        try:
            reply = self.reply(question)
        except Exception as error:  # noqa: BLE001 - any failure of the model means: search without it
            log.warning("LLM rewrite failed, searching with the question alone", exc_info=error)
            reply = ""
        return search_terms(reply), round((time.monotonic() - started) * 1000, 1)
