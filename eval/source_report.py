"""Answer quality per question source, with the shipped model and with models that never saw the questions.

- `shipped`: the model in app/answer/data/decision.json (trained on every training source; the
  development set is never among them, so its `shipped` row is already out of sample);
- `cross_validated`: each question of a training source answered by a model fitted without it (the
  source split into five folds, the other sources and folds kept): what holds on unseen questions;
- `held out`: a model fitted on the other sources only, scored on this one;
- `no synonyms`: the shipped model with the alias table (index/data/synonyms.tsv) switched off;
- `held_out, threshold t`: the held-out model declining below other thresholds than the one chosen
  for it, to show what more declines cost in refusals of answerable questions.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from app.answer.decision import load_model
from eval.answer_metrics import score_answers
from eval.configurations import answer_all
from eval.decision_training import collect, data_hash, evaluation_sources, fit_decision
from index.tokenize import set_synonyms_enabled

if TYPE_CHECKING:
    from app.service import AnswerService
    from eval.decision_training import Rows
    from eval.questions import Question
    from index.contract import SearchIndex
    from policyqa.config import Settings

REPORTED_SOURCES = ("project", "train", "dev")
CV_FOLDS = 5
CV_SEED = 20261202
DECLINE_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)  # shown beside the chosen one (a report grid, not a setting)
COLUMNS = ("key_fact_accuracy", "citation_recall", "false_refusal_rate", "rejection_accuracy",
           "unsupported_number_rate")


def source_results(settings: Settings) -> dict[str, Any]:
    """{source: {"shipped": metrics, "held_out": metrics}} for the sources present."""
    from app.service import AnswerService

    probe = AnswerService(settings)
    sources = evaluation_sources()
    rows = collect(probe, sources)
    index = probe._search_index()  # noqa: SLF001 - the same loaded index for every model
    shipped = load_model()
    results: dict[str, Any] = {}
    for name in REPORTED_SOURCES:
        if name not in sources:
            continue
        others = {k: v for k, v in sources.items() if k != name}
        held_out = fit_decision([r for r in rows if r.source != name], data_hash=data_hash(others))
        results[name] = {}
        if name != "dev":  # a training source: each question scored by a model that never saw it
            scored = score_answers(sources[name], cross_validated_answers(rows, name, sources[name], settings, index))
            scored.pop("per_question")
            scored["decline_threshold"] = float("nan")
            results[name]["cross_validated"] = scored
        variants = [("shipped", shipped), ("held_out", held_out), ("no_synonyms", shipped)]
        variants += [(f"held_out, threshold {t:.1f}", replace(held_out, threshold=t)) for t in DECLINE_THRESHOLDS]
        for label, model in variants:
            set_synonyms_enabled(label != "no_synonyms")
            try:
                service = AnswerService(settings, index=index, model=model)
                scored = score_answers(sources[name], answer_all(service, sources[name]))
            finally:
                set_synonyms_enabled(True)
            scored.pop("per_question")
            scored["decline_threshold"] = model.threshold
            results[name][label] = scored
    return results


def cross_validated_answers(rows: list[Rows], name: str, questions: list[Question], settings: Settings,
                            index: SearchIndex) -> list[Any]:
    """Answers to source `name`'s questions, each from a model fitted on every row but its fold's."""
    from app.service import AnswerService

    folds = np.random.default_rng(CV_SEED).integers(0, CV_FOLDS, size=len(questions))
    fold_of = {q.qid: int(f) for q, f in zip(questions, folds, strict=True)}
    answers: dict[str, Any] = {}
    for fold in range(CV_FOLDS):
        model = fit_decision([r for r in rows if not (r.source == name and fold_of.get(r.qid) == fold)])
        service: AnswerService = AnswerService(settings, index=index, model=model)
        asked = [q for q in questions if fold_of[q.qid] == fold]
        answers.update({q.qid: record for q, record in zip(asked, answer_all(service, asked), strict=True)})
    return [answers[q.qid] for q in questions]


def cell(value: Any) -> str:
    """A table cell: three decimals, or a dash where the metric is undefined."""
    return "–" if value is None or value != value else f"{value:.3f}"  # None or NaN: undefined


def source_table(results: dict[str, Any]) -> str:
    """Markdown: one row per source and model, then per kind for the held-out model."""
    lines = ["| source | model | threshold | " + " | ".join(COLUMNS) + " |", "|---|---|---|" + "---|" * len(COLUMNS)]
    for name, by_model in results.items():
        for label, scored in by_model.items():
            overall = scored["overall"]
            lines.append(f"| {name} | {label} | {cell(scored['decline_threshold'])} | "
                         + " | ".join(cell(overall[c]) for c in COLUMNS) + " |")
    lines += ["", "| source | kind (cross-validated, dev: shipped) | n |"
              " key_fact_accuracy | false_refusal_rate | rejection_accuracy |",
              "|---|---|---|---|---|---|"]
    for name, by_model in results.items():
        for kind, group in by_model.get("cross_validated", by_model["shipped"])["per_kind"].items():
            lines.append(f"| {name} | {kind} | {group['n']} | {cell(group['key_fact_accuracy'])} | "
                         f"{cell(group['false_refusal_rate'])} | {cell(group['rejection_accuracy'])} |")
    return "\n".join(lines)
