"""Answer quality per question source, with the shipped model and with a model that never saw the source.

- `shipped`: the model in app/answer/data/decision.json (trained on every source);
- `held out`: a model fitted on the other sources only, scored on this one — what the same method
  gives on questions it was not fitted to (the development set's figure is the honest one);
- `no synonyms`: the shipped model with the alias table (index/data/synonyms.tsv) switched off.
"""
from __future__ import annotations

from typing import Any

from app.answer.decision import load_model
from eval.answer_metrics import score_answers
from eval.decision_training import collect, data_hash, fit_decision, question_sources
from eval.runner import answer_all
from index.tokenize import set_synonyms_enabled

REPORTED_SOURCES = ("project", "dev")
COLUMNS = ("key_fact_accuracy", "citation_recall", "false_refusal_rate", "rejection_accuracy",
           "unsupported_number_rate")


def source_results(settings) -> dict[str, Any]:
    """{source: {"shipped": metrics, "held_out": metrics}} for the sources present."""
    from app.service import AnswerService

    probe = AnswerService(settings)
    sources = question_sources(with_dev=True)
    rows = collect(probe, sources)
    index = probe._search_index()  # noqa: SLF001 - the same loaded index for every model
    results: dict[str, Any] = {}
    for name in REPORTED_SOURCES:
        if name not in sources:
            continue
        others = {k: v for k, v in sources.items() if k != name}
        held_out = fit_decision([r for r in rows if r.source != name], data_hash=data_hash(others))
        results[name] = {}
        for label, model in (("shipped", load_model()), ("held_out", held_out), ("no_synonyms", load_model())):
            set_synonyms_enabled(label != "no_synonyms")
            try:
                service = AnswerService(settings, index=index, model=model)
                scored = score_answers(sources[name], answer_all(service, sources[name]))
            finally:
                set_synonyms_enabled(True)
            scored.pop("per_question")
            results[name][label] = scored
    return results


RETRIEVAL_COLUMNS = ("R@1", "R@5", "R@10", "RR@10")


def retrieval_results(settings) -> dict[str, Any]:
    """{source: {configuration: metrics}} for hybrid retrieval with and without pseudo-relevance
    feedback, on the answerable questions of each source (per kind too)."""
    from dataclasses import replace

    from eval.retrieval_metrics import score_retrieval
    from eval.trec import build_qrels, run_from_rankings
    from index.store import SearchIndex

    index = SearchIndex.open(settings)
    default = index.config
    sources = question_sources(with_dev=True)
    units = [(c.clause_id, c.doc.doc_id, c.text) for c in index.clauses]
    results: dict[str, Any] = {}
    for name in REPORTED_SOURCES:
        if name not in sources:
            continue
        questions = [q for q in sources[name] if q.answerable]
        qrels = build_qrels(questions, units)
        results[name] = {}
        variants = (("hybrid", default), ("hybrid, no feedback", replace(default, feedback_weight=0.0)),
                    ("hybrid, + dense feedback 0.3", replace(default, dense_feedback_weight=0.3)))
        for label, config in variants:
            index.config = config
            rankings = {q.qid: [h.clause.clause_id for h in index.search(q.question, top_k=10)] for q in questions}
            scored = score_retrieval(qrels, run_from_rankings(rankings, 10), {q.qid: q.kind for q in questions})
            scored.pop("per_query")
            results[name][label] = scored
        index.config = default
    return results


FUSION_GRID = {"bm25_weight": (0.5, 1.0, 1.5, 2.0), "rrf_k": (30, 60, 100)}


def fusion_cross_validation(settings) -> dict[str, Any]:
    """RRF's BM25 weight and k chosen on one question source and scored on the other, both ways
    (MRR@10 of hybrid retrieval on the answerable questions)."""
    import itertools
    from dataclasses import replace

    from eval.retrieval_metrics import score_retrieval
    from eval.trec import build_qrels, run_from_rankings
    from index.store import SearchIndex

    index = SearchIndex.open(settings)
    default = index.config
    sources = question_sources(with_dev=True)
    if not all(name in sources for name in REPORTED_SOURCES):
        return {}
    units = [(c.clause_id, c.doc.doc_id, c.text) for c in index.clauses]
    sets = {name: [q for q in sources[name] if q.answerable] for name in REPORTED_SOURCES}
    qrels = {name: build_qrels(questions, units) for name, questions in sets.items()}
    scores: dict[tuple[float, int], dict[str, float]] = {}
    for weight, k in itertools.product(FUSION_GRID["bm25_weight"], FUSION_GRID["rrf_k"]):
        index.config = replace(default, weights={"bm25": weight, "dense": 1.0}, rrf_k=k)
        scores[(weight, k)] = {}
        for name, questions in sets.items():
            rankings = {q.qid: [h.clause.clause_id for h in index.search(q.question, top_k=10)] for q in questions}
            scores[(weight, k)][name] = score_retrieval(qrels[name], run_from_rankings(rankings, 10), {})[
                "overall"]["RR@10"]
    index.config = default
    shipped = (default.weights.get("bm25", 1.0), default.rrf_k)
    result: dict[str, Any] = {"shipped": {"bm25_weight": shipped[0], "rrf_k": shipped[1], **scores.get(shipped, {})}}
    for fitted, held_out in (("project", "dev"), ("dev", "project")):
        best = max(scores, key=lambda c: scores[c][fitted])
        result[f"fit_on_{fitted}"] = {"bm25_weight": best[0], "rrf_k": best[1], fitted: scores[best][fitted],
                                       held_out: scores[best][held_out]}
    return result


def fusion_table(result: dict[str, Any]) -> str:
    """Markdown: the fusion parameters fitted on each source and their MRR@10 on both."""
    lines = ["| fusion chosen | bm25 weight | k | MRR@10 project | MRR@10 dev |", "|---|---|---|---|---|"]
    for label, row in result.items():
        lines.append(f"| {label} | {row['bm25_weight']} | {row['rrf_k']} | {_cell(row.get('project'))} | "
                     f"{_cell(row.get('dev'))} |")
    return "\n".join(lines)


def source_retrieval_table(results: dict[str, Any]) -> str:
    """Markdown: retrieval per source and configuration, then per kind (default configuration)."""
    lines = ["| source | retrieval | " + " | ".join(RETRIEVAL_COLUMNS) + " |",
             "|---|---|" + "---|" * len(RETRIEVAL_COLUMNS)]
    for name, by_config in results.items():
        for label, scored in by_config.items():
            lines.append(f"| {name} | {label} | " + " | ".join(
                _cell(scored["overall"].get(c)) for c in RETRIEVAL_COLUMNS) + " |")
    lines += ["", "| source | kind | n | R@5 | RR@10 |", "|---|---|---|---|---|"]
    for name, by_config in results.items():
        for kind, group in next(iter(by_config.values()))["per_kind"].items():
            lines.append(f"| {name} | {kind} | {group['n']} | {_cell(group.get('R@5'))} | {_cell(group.get('RR@10'))} |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}"


def source_table(results: dict[str, Any]) -> str:
    """Markdown: one row per source and model, then per kind for the held-out model."""
    lines = ["| source | model | " + " | ".join(COLUMNS) + " |", "|---|---|" + "---|" * len(COLUMNS)]
    for name, by_model in results.items():
        for label, scored in by_model.items():
            overall = scored["overall"]
            lines.append(f"| {name} | {label} | " + " | ".join(_cell(overall[c]) for c in COLUMNS) + " |")
    lines += ["", "| source | kind (held-out model) | n | key_fact_accuracy | false_refusal_rate | rejection_accuracy |",
              "|---|---|---|---|---|---|"]
    for name, by_model in results.items():
        for kind, group in by_model["held_out"]["per_kind"].items():
            lines.append(f"| {name} | {kind} | {group['n']} | {_cell(group['key_fact_accuracy'])} | "
                         f"{_cell(group['false_refusal_rate'])} | {_cell(group['rejection_accuracy'])} |")
    return "\n".join(lines)
