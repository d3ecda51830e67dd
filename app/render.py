"""Answers as the DESIGN.md `--json` object and as terminal text."""
from __future__ import annotations

from datetime import date
from typing import Any

from app.answer.names import period_heading, period_note
from policyqa.model import STATUS_DRAFT, Answer, Citation
from policyqa.status import STANDING_LABELS, Standing, standing


def _citation_json(citation: Citation, today: date) -> dict[str, Any]:
    clause = citation.clause
    doc = clause.doc
    period = period_heading(clause)
    return {
        "n": citation.n,
        "clause_id": clause.clause_id,
        "doc_title": doc.title,
        "doc_number": doc.doc_number,
        "region": doc.region,
        "year": doc.year,
        "status": doc.status,
        "locator": clause.locator,
        "quote": citation.quote,
        "text": clause.text,
        # extra fields (allowed by the contract)
        "doc_id": doc.doc_id,
        "valid_until": doc.valid_until,
        "expired": doc.expired_on(today),
        "responsible_units": list(clause.responsible_units),
        "lead_unit": clause.lead_unit,
        "lead_department": clause.lead_department,
        # a clause under a heading naming another year ("2022年主要工作回顾" in the 2023 report) gives
        # that year's figures, not the document's `year`: those years, and the label the answer shows
        "period_years": list(period[1]) if period else [],
        "period_note": period_note(clause),
    }


def answer_to_json(answer: Answer, today: date | None = None) -> dict[str, Any]:
    """The `--json` answer object of DESIGN.md (plus checks and notes)."""
    today = today or date.today()
    return {
        "question": answer.question,
        "found": answer.found,
        "outcome": answer.outcome,
        "reason": answer.reason,
        "answer": answer.text,
        "citations": [_citation_json(c, today) for c in answer.citations],
        "retrieved": [
            {
                "clause_id": hit.clause.clause_id,
                "doc_title": hit.clause.doc.title,
                "locator": hit.clause.locator,
                "score": round(float(hit.order_score), 6),
                "text": hit.clause.text,
            }
            for hit in answer.retrieved
        ],
        "mode": answer.mode,
        "timings_ms": {key: answer.timings_ms.get(key, 0.0) for key in ("retrieve", "answer", "total")},
        "checks": answer.checks,
        "notes": list(answer.notes),
    }


def _source_line(citation: Citation, today: date) -> str:
    clause = citation.clause
    doc = clause.doc
    flags = []
    if doc.status == STATUS_DRAFT:
        flags.append(STANDING_LABELS[Standing.DRAFT])
    if doc.expired_on(today):
        flags.append(STANDING_LABELS[Standing.EXPIRED])
    status = "，".join(flags) or STANDING_LABELS[standing(doc, today)]
    where = " ".join(part for part in (doc.doc_number, clause.locator) if part)
    title = f"《{doc.title}》" if doc.title else doc.doc_id
    heading = f"“{clause.title}”" if clause.title else ""
    return f"[{citation.n}] {title} {where} {heading}（{status}）".replace("  ", " ")


def answer_to_text(answer: Answer, today: date | None = None) -> str:
    """The answer, then numbered sources with 文号, locator and status, for the terminal."""
    today = today or date.today()
    lines = [answer.text]
    if answer.citations:
        lines += ["", "来源："] + [_source_line(c, today) for c in answer.citations]
    if answer.notes:
        lines += [""] + [f"提示：{note}" for note in answer.notes]
    return "\n".join(lines)
