"""How an answer words the kinds of fact that are not a quoted figure: a measure's responsible
units and a term's explanation. Each kind's registry entry (app/answer/kinds.py) names its wording
here; the styles ask the entry, so a new kind with its own wording is its entry and its functions."""
from __future__ import annotations

from itertools import pairwise

from app.answer.names import measure_label
from app.text.spans import Span, is_responsibility
from policyqa.model import Clause

SPOKEN_OTHER_UNITS = 2  # units read out besides the lead one ("…牵头，A、B等配合"): a call stays short


def join_spans(spans: tuple[Span, ...]) -> str:
    """Verbatim spans in order; a gap between them is shown as "……"."""
    parts = [spans[0].text]
    for before, span in pairwise(spans):
        parts.append(span.text if span.start <= before.end + 1 else "……" + span.text)
    return "".join(parts)


def written_units(clause: Clause, spans: tuple[Span, ...], marker: str) -> str:
    """"“加大外贸支持力度”（六、(二)3）(责任单位:…)[1]（牵头单位：…）": the measure and its units,
    verbatim, the citation marker, then who leads."""
    unit_spans = [s for s in spans if is_responsibility(s.text)]
    units = unit_spans[0].text if unit_spans else (
        f"责任单位：{'、'.join(clause.responsible_units)}" if clause.responsible_units else join_spans(spans))
    label = measure_label(clause)
    name = f"“{clause.title}”" if clause.title else ""
    notes = []
    if clause.lead_unit:
        notes.append(f"牵头单位：{clause.lead_unit}")
    if clause.lead_department:
        notes.append(f"所属领域由{clause.lead_department}牵头实施")
    lead = f"（{'；'.join(notes)}）" if notes else ""
    return f"{name}{'（' + label + '）' if label and name else label}{units}{marker}{lead}"


def spoken_units(clause: Clause, room: int) -> str:
    """"“加大外贸支持力度”由市经信局牵头，市商务局等配合": units short enough to read out."""
    name = f"“{clause.title}”" if clause.title else "该措施"
    units = list(clause.responsible_units)
    lead = clause.lead_unit or (units[0] if units else clause.lead_department)
    if not lead:
        return f"{name}未列明责任单位"
    others = [u for u in units if u != lead][:SPOKEN_OTHER_UNITS]
    more = "等" if len(units) > len(others) + 1 else ""
    return f"{name}由{lead}牵头" + (f"，{'、'.join(others)}{more}配合" if others else "")


def spoken_definition(clause: Clause, room: int) -> str | None:
    """A glossary entry's explanation (after its "："), cut at a list boundary to fit `room`
    (verbatim); None for a clause that is not a glossary entry (its fragments are read instead)."""
    if clause.kind != "glossary":
        return None
    _, colon, explanation = clause.text.partition("：")
    explanation = explanation if colon else clause.text
    if len(explanation) <= room:
        return explanation.rstrip("。")
    cut = max(explanation.rfind(mark, 0, room - 1) for mark in "、，；")
    return explanation[:cut] + "等" if cut > 0 else explanation[:room]
