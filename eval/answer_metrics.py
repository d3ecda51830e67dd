"""Answer metrics: pure functions over answers already produced, overall and per question kind.

- key-fact accuracy: share of a question's key facts the answer text contains (mean);
  `all_key_facts`: share of answers containing every key fact;
- citation precision: share of an answer's citations whose clause holds a gold span;
- citation recall: share of a question's gold references cited by at least one citation;
- unsupported-number rate: share of answers stating a number found in no cited clause;
- rejection accuracy: share of unanswerable questions declined (found=False); for those marked
  `figure_absent` (the benefit is named, its figure is not) an answer stating no amount or ratio
  (outside its "另：" lines about other regions or years) also counts, since quoting the clause
  with a "no figure stated" caveat is the honest answer;
- false-refusal rate: share of answerable questions answered with found=False;
- latency p50/p95 over all questions.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean

import numpy as np

from eval.questions import Question, match_key

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_MARKER = re.compile(r"\[\d+\]")
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|元|万元|亿元|万|亿|倍|成)|百分之")


@dataclass(frozen=True)
class AnswerRecord:
    """What scoring needs from one answer: decoupled from app.Answer so it is easy to build by hand."""

    qid: str
    found: bool
    text: str
    cited_texts: tuple[str, ...] = ()  # full text of each cited clause, in citation order
    support_texts: tuple[str, ...] = ()  # cited clauses' metadata (title, 文号, locator, year …)
    latency_ms: float = 0.0
    retrieved_texts: tuple[str, ...] = ()  # the answer's retrieved clauses, in its order (after the ranking model)


def states_figure(text: str) -> bool:
    """Whether the text states an amount or a ratio (60%, 150万元, 百分之三十, 2倍)."""
    return bool(_FIGURE.search(_MARKER.sub("", text)))


def correctly_declined(question: Question, answer: AnswerRecord) -> bool:
    """An unanswerable question handled right: declined, or (figure_absent) answered with no figure."""
    if not answer.found:
        return True
    # Lines led by "另：" speak of other regions or years, as the answer contract allows.
    own = "\n".join(line for line in answer.text.splitlines() if not line.lstrip().startswith("另："))
    return question.figure_absent and not states_figure(own)


def contains_fact(text: str, fact: str) -> bool:
    """True when `fact` occurs in `text` (match-key normalised), a figure not glued to digits before it.

    So "4亿元" is not found inside "0.14亿元", while "4亿元" inside "共4亿元" is.
    """
    keyed_text, keyed_fact = match_key(text), match_key(fact)
    if not keyed_fact:
        return False
    for found in re.finditer(re.escape(keyed_fact), keyed_text):
        before = keyed_text[found.start() - 1] if found.start() else ""
        if not (keyed_fact[0].isdigit() and (before.isdigit() or before == ".")):
            return True
    return False


def key_fact_share(text: str, facts: Sequence[str]) -> float:
    """Share of `facts` present in `text` (1.0 when there are none)."""
    return fmean(contains_fact(text, fact) for fact in facts) if facts else 1.0


def numbers_in(text: str) -> set[str]:
    """The figures a text states, as written (after width normalisation), citation markers ignored."""
    return set(_NUMBER.findall(_MARKER.sub("", match_key(text))))


def unsupported_numbers(answer: str, support: Sequence[str], question: str = "") -> set[str]:
    """Numbers in the answer found neither in any supporting text nor in the question itself."""
    known = numbers_in(question)
    for text in support:
        known |= numbers_in(text)
    return numbers_in(answer) - known


def citation_flags(cited_texts: Sequence[str], question: Question) -> list[bool]:
    """Per citation: does its clause hold one of the question's gold spans?"""
    spans = [match_key(ref.span) for ref in question.refs]
    return [any(span in match_key(text) for span in spans) for text in cited_texts]


def citation_recall(cited_texts: Sequence[str], question: Question) -> float:
    """Share of the question's gold references held by at least one cited clause."""
    if not question.refs:
        return 0.0
    keyed = [match_key(text) for text in cited_texts]
    return fmean(any(match_key(ref.span) in text for text in keyed) for ref in question.refs)


_NOTE = "（文件未写明"


def contradicts_its_note(text: str) -> bool:
    """True when a line says its quote does not state the figure ("（文件未写明具体金额）") while the
    quoted text beside it holds one (the document header's year and 文号 left out)."""
    for line in text.splitlines():
        if _NOTE in line:
            quoted = re.sub(r"\[\d+\]", "", line.split("：", 1)[-1].split(_NOTE, 1)[0])
            if re.search(r"\d", quoted):
                return True
    return False


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (linear interpolation); 0.0 for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else 0.0


def p50_p95(values: Sequence[float]) -> dict[str, float]:
    """{"p50", "p95"} of timings, rounded to two decimals, as the benchmarks report them."""
    return {"p50": round(percentile(values, 50), 2), "p95": round(percentile(values, 95), 2)}


def _mean(values: list[float]) -> float | None:
    return fmean(values) if values else None


def score_group(pairs: Sequence[tuple[Question, AnswerRecord]]) -> dict[str, float | int | None]:
    """All answer metrics over one group of (question, answer) pairs; None where undefined."""
    answerable = [(q, a) for q, a in pairs if q.answerable]
    unanswerable = [(q, a) for q, a in pairs if not q.answerable]
    answered = [(q, a) for q, a in answerable if a.found and a.cited_texts]
    found_any = [(q, a) for q, a in pairs if a.found]
    precisions = [fmean(citation_flags(a.cited_texts, q)) for q, a in answered]
    unsupported = [
        bool(unsupported_numbers(a.text, a.cited_texts + a.support_texts, q.question)) for q, a in found_any
    ]
    latencies = [a.latency_ms for _, a in pairs]
    return {
        "n": len(pairs),
        "key_fact_accuracy": _mean([key_fact_share(a.text, q.key_facts) for q, a in answerable]),
        "all_key_facts": _mean([float(key_fact_share(a.text, q.key_facts) == 1.0) for q, a in answerable]),
        "citation_precision": _mean(precisions),
        "citation_recall": _mean([citation_recall(a.cited_texts, q) for q, a in answerable]),
        # the list the answer read from, as the user's JSON shows it (reordered by the ranking model)
        "retrieved_recall@5": _mean([citation_recall(a.retrieved_texts[:5], q) for q, a in answerable
                                     if a.retrieved_texts]),
        "unsupported_number_rate": _mean([float(flag) for flag in unsupported]),
        # a "文件未写明…" note beside a quote that states a figure: the answer contradicts itself
        "contradicting_note_rate": _mean([float(contradicts_its_note(a.text)) for _, a in pairs]),
        # what a reader has to get through: a quote running on past the answering sentence buries it
        "answer_chars": _mean([float(len(a.text)) for _, a in answered]),
        "rejection_accuracy": _mean([float(correctly_declined(q, a)) for q, a in unanswerable]),
        "false_refusal_rate": _mean([float(not a.found) for _, a in answerable]),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


def score_answers(questions: Sequence[Question], records: Sequence[AnswerRecord]) -> dict:
    """Answer metrics overall and per kind, plus per-question details for the report."""
    by_id = {r.qid: r for r in records}
    pairs = [(q, by_id[q.qid]) for q in questions if q.qid in by_id]
    groups: dict[str, list[tuple[Question, AnswerRecord]]] = defaultdict(list)
    for q, a in pairs:
        groups[q.kind].append((q, a))
    per_question = {
        q.qid: {
            "found": a.found,
            "key_facts": key_fact_share(a.text, q.key_facts) if q.answerable else None,
            "missing_facts": [f for f in q.key_facts if not contains_fact(a.text, f)],
            "unsupported_numbers": sorted(unsupported_numbers(a.text, a.cited_texts + a.support_texts, q.question))
            if a.found else [],
        }
        for q, a in pairs
    }
    return {
        "overall": score_group(pairs),
        "per_kind": {kind: score_group(group) for kind, group in sorted(groups.items())},
        "per_question": per_question,
    }
