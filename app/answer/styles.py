"""The answer styles, by name: one composer per style behind one interface.

A style words the answer (`answer`), the validity answer (`validity`) and the status flags added to
an answer a model wrote (`notes`); the pipeline and the service look the style up here and never
test its name. A new style is one class, one line below and its name in `policyqa.model.Style`
(the names the command line and the JSON API accept).
"""
from __future__ import annotations

from datetime import date
from typing import Protocol

from app.answer.analysis import QuestionProfile
from app.answer.compose import DefaultStyle, Group
from app.answer.config import AnswerConfig
from app.answer.hotline import HotlineStyle
from app.answer.validity import ValidityStatement
from policyqa.errors import UserError
from policyqa.model import Citation, Document


class Composer(Protocol):
    def answer(self, profile: QuestionProfile, groups: list[Group], today: date,
               config: AnswerConfig) -> tuple[str, list[Citation]]:
        """The answer from the cited clauses grouped by document, with its citations in [n] order."""
        ...

    def validity(self, statements: list[ValidityStatement]) -> str:
        """The answer to "还有效吗" from each asked document's validity statement (already cited)."""
        ...

    def notes(self, docs: list[Document], today: date) -> str:
        """The status flags (draft, ended) of the documents an answer written by a model cites."""
        ...


COMPOSERS: dict[str, Composer] = {"default": DefaultStyle(), "hotline": HotlineStyle()}


def composer(style: str) -> Composer:
    """The composer of `style`."""
    if style not in COMPOSERS:
        raise UserError(f"未知的回答风格 {style}（可选：{'、'.join(COMPOSERS)}）")
    return COMPOSERS[style]
