"""Assertions every answer must satisfy, whatever the question."""
from __future__ import annotations

import re
from datetime import date

from app.llm.verify import clause_sources
from app.text import numbers
from policyqa.model import Answer


def assert_grounded(answer: Answer) -> None:
    """Quotes are verbatim; every figure in the text is stated by a cited clause (or its document's facts)."""
    for citation in answer.citations:
        assert citation.quote and citation.quote in citation.clause.text, citation.quote
        assert f"[{citation.n}]" in answer.text
    sources = [text for c in answer.citations for text in clause_sources(c.clause)]
    assert numbers.unsupported(answer.text, sources) == [], answer.text
    if answer.outcome == "not_stated":  # the related clause quoted, without any figure of it
        assert not answer.found and answer.citations, answer.text
        assert not any(re.search(r"\d", c.quote) for c in answer.citations), answer.text
    elif not answer.found:  # says so plainly and states no figures
        assert not answer.citations and not re.search(r"\d", answer.text), answer.text


TODAY = date(2026, 6, 1)  # after every bundled document's validity
