"""Prompt templates kept as files in prompts/, checked for exactly the variables the code fills."""
from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from policyqa.config import PROMPTS_DIR


class TemplateError(ValueError):
    """A prompt file whose variables differ from the ones the code supplies."""


@dataclass(frozen=True)
class Template:
    """A `str.format` template with a known, checked set of variables."""

    name: str
    text: str
    variables: frozenset[str]

    def render(self, **values: object) -> str:
        """The filled template; refuses missing or extra values."""
        given = frozenset(values)
        if given != self.variables:
            raise TemplateError(
                f"{self.name}: missing {sorted(self.variables - given)}, extra {sorted(given - self.variables)}")
        return self.text.format(**values)


def template_variables(text: str) -> frozenset[str]:
    """Names of the {fields} in a format string (positional or attribute fields are refused)."""
    names = set()
    for _, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise TemplateError(f"unsupported field {{{field}}}: use plain {{name}} fields")
        names.add(field)
    return frozenset(names)


def check_template(name: str, text: str, expected: frozenset[str]) -> Template:
    """A Template from `text`, or TemplateError naming the missing and extra variables."""
    found = template_variables(text)
    if found != expected:
        raise TemplateError(
            f"prompt {name}: missing variables {sorted(expected - found)}, "
            f"unexpected variables {sorted(found - expected)}")
    return Template(name, text, found)


@cache
def load_template(name: str, expected: frozenset[str], folder: Path = PROMPTS_DIR) -> Template:
    """prompts/<name>.txt checked against the variables the caller will supply."""
    path = folder / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(f"prompt file missing: {path}") from None
    return check_template(name, text, expected)


TemplateSpec = tuple[str, frozenset[str]]  # (file name without .txt, the variables the code fills)

SYSTEM: TemplateSpec = ("answer_system", frozenset())
USER: TemplateSpec = ("answer_user", frozenset({"today", "clauses", "question", "style_instruction"}))
CLAUSE: TemplateSpec = ("clause", frozenset({"n", "region", "year", "doc_number", "doc_title", "status", "locator",
                               "title", "responsible_units", "lead_department", "text"}))
STYLE_DEFAULT: TemplateSpec = ("style_default", frozenset())
STYLE_HOTLINE: TemplateSpec = ("style_hotline", frozenset())
