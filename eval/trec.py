"""Qrels and runs: built from gold spans and rankings, written in TREC format.

Relevance scale (binary): 1 = the clause (or chunk) text contains a gold span of the question;
everything else is unjudged, i.e. not relevant. Runs carry rank-derived scores so that every
tool reading them keeps exactly the retriever's order (no tie-breaking by document id).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from eval.questions import Question, match_key

Qrels = dict[str, dict[str, int]]
Run = dict[str, dict[str, float]]


def build_qrels(questions: Sequence[Question], units: Iterable[tuple[str, str, str]]) -> Qrels:
    """Qrels for answerable questions over units given as (unit_id, doc_id, text).

    A unit is relevant when its text holds one of the question's gold spans of the same document.
    When no unit holds a whole span (a chunk boundary cut it), the unit holding the larger part
    (its first or its second half) counts instead. Questions matching no unit get an empty entry, for the report.
    """
    keyed_units = [(unit_id, doc_id, match_key(text)) for unit_id, doc_id, text in units]
    qrels: Qrels = {}
    for q in questions:
        if not q.answerable:
            continue
        relevant: dict[str, int] = {}
        for ref in q.refs:
            same_doc = [(unit_id, text) for unit_id, doc_id, text in keyed_units if doc_id == ref.doc_id]
            for unit_id in _units_holding(match_key(ref.span), same_doc):
                relevant[unit_id] = 1
        qrels[q.qid] = relevant
    return qrels


def _units_holding(span: str, units: list[tuple[str, str]]) -> list[str]:
    whole = [unit_id for unit_id, text in units if span in text]
    if whole or len(span) < 8:
        return whole
    half = len(span) // 2
    head, tail = span[:half], span[half:]
    return [unit_id for unit_id, text in units if head in text or tail in text]


def run_from_rankings(rankings: Mapping[str, Sequence[str]], depth: int = 10) -> Run:
    """Rankings (best first, ids may repeat when a clause was split into pieces) -> a run.

    Repeats are dropped keeping the first position; scores are depth..1 so order is explicit.
    """
    run: Run = {}
    for qid, ids in rankings.items():
        unique = list(dict.fromkeys(ids))[:depth]
        run[qid] = {unit_id: float(depth - rank) for rank, unit_id in enumerate(unique)}
    return run


def format_qrels(qrels: Qrels) -> str:
    """TREC qrels lines: `qid 0 docid relevance`."""
    lines = [f"{qid} 0 {doc} {rel}" for qid in sorted(qrels) for doc, rel in sorted(qrels[qid].items())]
    return "".join(line + "\n" for line in lines)


def format_run(run: Run, tag: str) -> str:
    """TREC run lines: `qid Q0 docid rank score tag`, best first."""
    lines = []
    for qid in sorted(run):
        ranked = sorted(run[qid].items(), key=lambda item: -item[1])
        for rank, (doc, score) in enumerate(ranked, 1):
            lines.append(f"{qid} Q0 {doc} {rank} {score:g} {tag}")
    return "".join(line + "\n" for line in lines)


def write_qrels(path: Path, qrels: Qrels) -> None:
    """Write qrels in TREC format."""
    Path(path).write_text(format_qrels(qrels), encoding="utf-8")


def write_run(path: Path, run: Run, tag: str) -> None:
    """Write a run in TREC format."""
    Path(path).write_text(format_run(run, tag), encoding="utf-8")
