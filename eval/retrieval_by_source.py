"""Retrieval per question source: the shipped configuration against its switched-off methods, and
the fusion parameters chosen on one source and scored on the other (both ways)."""
from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from eval.decision_training import evaluation_sources
from eval.questions import Question
from eval.retrieval_metrics import score_retrieval
from eval.source_report import REPORTED_SOURCES, cell
from eval.trec import Qrels, build_qrels, run_from_rankings

if TYPE_CHECKING:
    from index.backend import SearchConfig, SearchIndex
    from policyqa.config import Settings

RETRIEVAL_COLUMNS = ("R@1", "R@5", "R@10", "RR@10")
FUSION_GRID = {"bm25_weight": (0.5, 1.0, 1.5), "rrf_k": (30, 60, 100), "sentence_weight": (0.0, 0.5, 1.0),
               "feedback_weight": (0.0, 0.2)}


def _answerable_sets(index: SearchIndex) -> dict[str, tuple[list[Question], Qrels]]:
    """Per reported source present, its answerable questions and their qrels over the index's clauses."""
    sources = evaluation_sources()
    units = [(c.clause_id, c.doc.doc_id, c.text) for c in index.clauses]
    sets = {}
    for name in REPORTED_SOURCES:
        if name in sources:
            questions = [q for q in sources[name] if q.answerable]
            sets[name] = (questions, build_qrels(questions, units))
    return sets


def _score(index: SearchIndex, config: SearchConfig, questions: list[Question], qrels: Qrels) -> dict[str, Any]:
    """Hybrid retrieval of `questions` with `config`, scored (overall and per kind)."""
    default = index.config
    index.config = config
    try:
        rankings = {q.qid: [h.clause.clause_id for h in index.search(q.question, top_k=10)] for q in questions}
    finally:
        index.config = default
    scored = score_retrieval(qrels, run_from_rankings(rankings, 10), {q.qid: q.kind for q in questions})
    scored.pop("per_query")
    return scored


def retrieval_results(settings: Settings) -> dict[str, Any]:
    """{source: {configuration: metrics}}: the shipped hybrid retrieval, without keyword feedback,
    and with dense feedback, on the answerable questions of each source."""
    from index.backend import open_index

    index = open_index(settings)
    default = index.config
    variants = (("hybrid", default), ("hybrid, no feedback", replace(default, feedback_weight=0.0)),
                ("hybrid, + dense feedback 0.3", replace(default, dense_feedback_weight=0.3)))
    return {name: {label: _score(index, config, questions, qrels) for label, config in variants}
            for name, (questions, qrels) in _answerable_sets(index).items()}


def fusion_cross_validation(settings: Settings) -> dict[str, Any]:
    """RRF's BM25 and sentence weights, k and the keyword feedback's weight chosen on one question
    source and scored on the other, both ways (MRR@10 of hybrid retrieval on the answerable
    questions); {} without both sources."""
    from index.backend import open_index

    index = open_index(settings)
    default = index.config
    sets = _answerable_sets(index)
    if set(sets) != set(REPORTED_SOURCES):
        return {}
    scores: dict[tuple[float, int, float, float], dict[str, float]] = {}
    for weight, k, sentence, feedback in itertools.product(*FUSION_GRID.values()):
        config = replace(default, weights={"bm25": weight, "dense": 1.0}, rrf_k=int(k), sentence_weight=sentence,
                         feedback_weight=feedback)
        scores[(weight, int(k), sentence, feedback)] = {name: _score(index, config, questions, qrels)["overall"]["RR@10"]
                                                   for name, (questions, qrels) in sets.items()}
    shipped = (default.weights.get("bm25", 1.0), default.rrf_k, default.sentence_weight, default.feedback_weight)
    result: dict[str, Any] = {"shipped": {**dict(zip(FUSION_GRID, shipped, strict=True)), **scores.get(shipped, {})}}
    for fitted, held_out in (("project", "dev"), ("dev", "project")):
        best = max(scores, key=lambda c: (scores[c][fitted], -abs(c[0] - 1.0)))  # ties: the plainer weight
        result[f"fit_on_{fitted}"] = {**dict(zip(FUSION_GRID, best, strict=True)), fitted: scores[best][fitted],
                                       held_out: scores[best][held_out]}
    return result


def fusion_table(result: dict[str, Any]) -> str:
    """Markdown: the fusion parameters fitted on each source and their MRR@10 on both."""
    lines = ["| fusion chosen | bm25 weight | k | sentence weight | feedback weight | MRR@10 project | MRR@10 dev |",
             "|---|---|---|---|---|---|---|"]
    for label, row in result.items():
        lines.append(f"| {label} | {row['bm25_weight']} | {row['rrf_k']} | {row['sentence_weight']} | "
                     f"{row['feedback_weight']} | {cell(row.get('project'))} | {cell(row.get('dev'))} |")
    return "\n".join(lines)


def source_retrieval_table(results: dict[str, Any]) -> str:
    """Markdown: retrieval per source and configuration, then per kind (shipped configuration)."""
    lines = ["| source | retrieval | " + " | ".join(RETRIEVAL_COLUMNS) + " |",
             "|---|---|" + "---|" * len(RETRIEVAL_COLUMNS)]
    for name, by_config in results.items():
        for label, scored in by_config.items():
            lines.append(f"| {name} | {label} | " + " | ".join(
                cell(scored["overall"].get(c)) for c in RETRIEVAL_COLUMNS) + " |")
    lines += ["", "| source | kind | n | R@5 | RR@10 |", "|---|---|---|---|---|"]
    for name, by_config in results.items():
        for kind, group in next(iter(by_config.values()))["per_kind"].items():
            lines.append(f"| {name} | {kind} | {group['n']} | {cell(group.get('R@5'))} | {cell(group.get('RR@10'))} |")
    return "\n".join(lines)
