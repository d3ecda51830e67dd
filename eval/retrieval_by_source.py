"""Retrieval per question source: the shipped configuration against its switched-off methods, and
the fusion parameters fitted on the training questions (the project's set and the training set)
and scored, held out, on the development set.

A question of a training source is searched with the question map (index/query_map.py) fitted
without its fold, so that no figure here is lifted by a map fitted on the question itself."""
from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from eval.decision_training import evaluation_sources
from eval.query_maps import QuestionMaps, fit_maps, mapped_by
from eval.questions import Question
from eval.retrieval_metrics import score_retrieval
from eval.source_report import REPORTED_SOURCES, cell
from eval.trec import Qrels, build_qrels, run_from_rankings

if TYPE_CHECKING:
    from index.contract import SearchConfig, SearchIndex
    from policyqa.config import Settings

RETRIEVAL_COLUMNS = ("R@1", "R@5", "R@10", "RR@10")
FUSION_GRID = {"bm25_weight": (0.5, 1.0), "rrf_k": (60, 100), "sentence_weight": (0.5, 1.0),
               "semantic_weight": (0.0, 1.0, 1.5, 2.0, 2.5, 3.0), "feedback_weight": (0.2,)}
FITTED_ON = ("project", "train")  # the fusion is fitted on these; the development set only scores it


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


def _maps(index: SearchIndex) -> QuestionMaps | None:
    """The question maps over the training sources (None without the neural model)."""
    if index.semantic_model is None:
        return None
    return fit_maps(index.semantic_model, index, {k: v for k, v in evaluation_sources().items() if k != "dev"})


def _score(index: SearchIndex, config: SearchConfig, questions: list[Question], qrels: Qrels,
           source: str, maps: QuestionMaps | None) -> dict[str, Any]:
    """Hybrid retrieval of `questions` with `config`, each with the map that never saw it, scored
    (overall and per kind)."""
    default = index.config
    index.config = config
    rankings = {}
    try:
        for q in questions:
            with mapped_by(index.semantic_model, None if maps is None else maps.for_question(source, q.qid)):
                rankings[q.qid] = [h.clause.clause_id for h in index.search(q.question, top_k=10)]
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
    maps = _maps(index)
    variants = (("hybrid", default), ("hybrid, no feedback", replace(default, feedback_weight=0.0)),
                ("hybrid, + dense feedback 0.3", replace(default, dense_feedback_weight=0.3)))
    return {name: {label: _score(index, config, questions, qrels, name, maps) for label, config in variants}
            for name, (questions, qrels) in _answerable_sets(index).items()}


def fusion_cross_validation(settings: Settings) -> dict[str, Any]:
    """RRF's BM25, sentence and neural-sentence weights and k, fitted on the training questions
    (MRR@10 of hybrid retrieval, mean over the project's and the training set's answerable
    questions, each set weighing the same) and scored held out on the development set; {} without
    all three sources."""
    from index.backend import open_index

    index = open_index(settings)
    default = index.config
    sets = _answerable_sets(index)
    if set(sets) != set(REPORTED_SOURCES):
        return {}
    maps = _maps(index)
    scores: dict[tuple[float, ...], dict[str, float]] = {}
    for weight, k, sentence, semantic, feedback in itertools.product(*FUSION_GRID.values()):
        config = replace(default, weights={"bm25": weight, "dense": 1.0}, rrf_k=int(k), sentence_weight=sentence,
                         semantic_weight=semantic, feedback_weight=feedback)
        scores[(weight, k, sentence, semantic, feedback)] = {
            name: _score(index, config, questions, qrels, name, maps)["overall"]["RR@10"]
            for name, (questions, qrels) in sets.items()}
    shipped = (default.weights.get("bm25", 1.0), default.rrf_k, default.sentence_weight, default.semantic_weight,
               default.feedback_weight)

    def fitted(c: tuple[float, ...]) -> float:
        return sum(scores[c][name] for name in FITTED_ON) / len(FITTED_ON)

    best = max(scores, key=lambda c: (round(fitted(c), 4), -abs(c[0] - 1.0)))  # ties: the plainer weight
    return {label: {**dict(zip(FUSION_GRID, config, strict=True)), **scores.get(config, {})}
            for label, config in (("shipped", shipped), ("fitted on project + train", best))}


def fusion_table(result: dict[str, Any]) -> str:
    """Markdown: the fusion parameters fitted on each source and their MRR@10 on both."""
    lines = ["| fusion | bm25 weight | k | sentence weight | semantic weight | feedback weight | MRR@10 project | "
             "MRR@10 train | MRR@10 dev (held out) |", "|---|---|---|---|---|---|---|---|---|"]
    for label, row in result.items():
        lines.append(f"| {label} | {row['bm25_weight']} | {row['rrf_k']} | {row['sentence_weight']} | "
                     f"{row['semantic_weight']} | {row['feedback_weight']} | {cell(row.get('project'))} | "
                     f"{cell(row.get('train'))} | {cell(row.get('dev'))} |")
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
