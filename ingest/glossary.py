"""A document's 名词解释 (glossary) entries, attached to the clauses that use their terms.

A report names a programme by a short label (营商环境优化提升“五个零”机制) and explains it only in its
closing glossary. A caller who describes the programme ("办事效率零延误") should still find the measure
that uses the label, so each measure carries the entries of the terms it uses as findable text.
"""
from __future__ import annotations

import re
from dataclasses import replace

from policyqa.model import Clause

# The label inside a term's quotation marks: 文化产业“双百”计划 -> “双百”. Kept with its marks so
# "双百" inside other wording does not count.
_QUOTED_LABEL = re.compile(r"[“\"「][^”\"」]{2,}[”\"」]")


def term_forms(term: str) -> tuple[str, ...]:
    """How a clause may write a glossary term: the whole term, or its quoted label alone."""
    labels = [label for label in _QUOTED_LABEL.findall(term) if label != term]
    return tuple(dict.fromkeys([term, *labels]))


def attach_glossary(clauses: list[Clause]) -> list[Clause]:
    """The clauses of one document, each measure with the glossary entries of the terms it uses."""
    entries = [(term_forms(c.title), c.text) for c in clauses if c.kind == "glossary" and c.title]
    if not entries:
        return clauses
    attached = []
    for clause in clauses:
        notes = tuple(text for forms, text in entries
                      if clause.kind != "glossary" and any(form in clause.text for form in forms))
        attached.append(replace(clause, glossary=notes) if notes else clause)
    return attached
