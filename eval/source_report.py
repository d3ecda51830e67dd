"""Answer quality per question source, with the shipped model and with models that never saw the questions.

- `shipped`: the model in app/answer/data/decision.json (trained on every training source; the
  development set is never among them, so its `shipped` row is already out of sample);
- `cross_validated`: each question of a training source answered by a decision and a question map
  (index/query_map.py) fitted without it (the source split into five folds, the other sources and
  folds kept): what holds on unseen questions;
- `cross_validated, split N` (only when asked for, `fold_seeds`): the same under another random
  split into folds. The split alone moves the figures by a few questions, so a difference between
  two versions smaller than this spread is noise (`split_spread`);
- `held out`: a decision and a question map fitted on the other sources only, scored on this one;
- `no synonyms`: the shipped model with the alias table (index/data/synonyms.tsv) switched off;
- `held_out, threshold t`: the held-out model declining below other thresholds than the one chosen
  for it, to show what more declines cost in refusals of answerable questions (answered from the
  held-out model's own searches and ranking, which a threshold does not change, so untimed).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from app.answer.decision import load_model
from eval.answer_metrics import score_answers
from eval.configurations import answer_all
from eval.decision_training import collect, data_hash, evaluation_sources, fit_decision, question_maps
from eval.query_maps import CV_FOLDS, CV_SEED, QuestionMaps, mapped_by, question_folds
from index.tokenize import set_synonyms_enabled

if TYPE_CHECKING:
    from app.service import AnswerService, RetrievalMemo
    from eval.decision_training import Rows
    from eval.questions import Question
    from index.contract import SearchIndex
    from policyqa.config import Settings

REPORTED_SOURCES = ("project", "train", "dev")
DECLINE_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)  # shown beside the chosen one (a report grid, not a setting)
CROSS_VALIDATED = float("nan")  # the threshold shown for cross-validated answers: one model per fold, no one threshold
COLUMNS = ("key_fact_accuracy", "citation_recall", "false_refusal_rate", "rejection_accuracy",
           "unsupported_number_rate", "retrieved_recall@5")


def source_results(settings: Settings, fold_seeds: Sequence[int] = ()) -> dict[str, Any]:
    """{source: {"shipped": metrics, "held_out": metrics, …}} for the sources present; with
    `fold_seeds`, the training sources cross-validated under those splits too."""
    from app.service import AnswerService

    probe = AnswerService(settings)
    sources = evaluation_sources()
    index = probe._search_index()  # noqa: SLF001 - the same loaded index for every model
    # the development set is scored, never fitted on: not even by the models of the other sources' folds
    training = {k: v for k, v in sources.items() if k != "dev"}
    split = fold_split(probe, training, CV_SEED)
    maps, fitting = split.maps, split.rows
    shipped = load_model()
    results: dict[str, Any] = {}
    for name in REPORTED_SOURCES:
        if name not in sources:
            continue
        others = {k: v for k, v in sources.items() if k not in (name, "dev")}
        held_out = fit_decision([r for r in fitting if r.source != name], data_hash=data_hash(others))
        results[name] = {}
        if name != "dev":  # a training source: each question scored by a model that never saw it
            answers = cross_validated_answers(split, name, sources[name], settings, index)
            results[name]["cross_validated"] = _summary(score_answers(sources[name], answers), CROSS_VALIDATED)
        variants = [("shipped", shipped), ("held_out", held_out), ("no_synonyms", shipped)]
        variants += [(f"held_out, threshold {t:.1f}", replace(held_out, threshold=t)) for t in DECLINE_THRESHOLDS]
        held_out_retrievals: RetrievalMemo = {}  # its threshold variants rank as it does: one search each
        for label, model in variants:
            set_synonyms_enabled(label != "no_synonyms")
            query_map = None if maps is None else (maps.shipped if label in ("shipped", "no_synonyms")
                                                   else maps.without_source(name))
            try:
                memo = held_out_retrievals if label.startswith("held_out") else None
                service = AnswerService(settings, index=index, model=model, retrievals=memo)
                with mapped_by(index.semantic_model, query_map):
                    scored = score_answers(sources[name], answer_all(service, sources[name]))
            finally:
                set_synonyms_enabled(True)
            summary = _summary(scored, model.threshold)
            if label.startswith("held_out, threshold"):  # answered from the held-out model's searches: untimed
                summary = {k: v for k, v in summary.items() if not k.startswith("latency")}
            results[name][label] = summary
    for seed in dict.fromkeys(s for s in fold_seeds if s != CV_SEED):
        other = fold_split(probe, training, seed)
        for name in (n for n in REPORTED_SOURCES if n in training):
            answers = cross_validated_answers(other, name, sources[name], settings, index)
            results[name][f"cross_validated, split {seed}"] = _summary(score_answers(sources[name], answers),
                                                                        CROSS_VALIDATED)
    return results


def _summary(scored: dict[str, Any], threshold: float) -> dict[str, Any]:
    """A model's metrics for the report: without the per-question rows, with its decline threshold."""
    return {**{k: v for k, v in scored.items() if k != "per_question"}, "decline_threshold": threshold}


@dataclass(frozen=True)
class FoldSplit:
    """One random split of each training source into folds: the question maps fitted per fold, and
    the decision's rows of every training question, each embedded by a map that never saw it."""

    seed: int
    maps: QuestionMaps | None  # None without the neural model
    rows: list[Rows]


def fold_split(probe: AnswerService, training: dict[str, list[Question]], seed: int) -> FoldSplit:
    """The split `seed` draws (eval/query_maps.question_folds), its maps fitted and its rows collected."""
    maps = question_maps(probe, training, seed)
    return FoldSplit(seed, maps, collect(probe, training, maps=maps))


def cross_validated_answers(split: FoldSplit, name: str, questions: list[Question], settings: Settings,
                            index: SearchIndex) -> list[Any]:
    """Answers to source `name`'s questions, each from a decision fitted on every row of `split` but
    its fold's and asked with the question map fitted without its fold."""
    from app.service import AnswerService

    rows, maps = split.rows, split.maps
    fold_of = question_folds(questions, split.seed)
    answers: dict[str, Any] = {}
    for fold in range(CV_FOLDS):
        model = fit_decision([r for r in rows if not (r.source == name and fold_of.get(r.qid) == fold)])
        service: AnswerService = AnswerService(settings, index=index, model=model)
        asked = [q for q in questions if fold_of[q.qid] == fold]
        with mapped_by(index.semantic_model, None if maps is None else maps.without(name, fold)):
            answered = answer_all(service, asked)
        answers.update({q.qid: record for q, record in zip(asked, answered, strict=True)})
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
              " key_fact_accuracy | false_refusal_rate | rejection_accuracy | retrieved_recall@5 |",
              "|---|---|---|---|---|---|---|"]
    for name, by_model in results.items():
        for kind, group in by_model.get("cross_validated", by_model["shipped"])["per_kind"].items():
            lines.append(f"| {name} | {kind} | {group['n']} | {cell(group['key_fact_accuracy'])} | "
                         f"{cell(group['false_refusal_rate'])} | {cell(group['rejection_accuracy'])} | "
                         f"{cell(group.get('retrieved_recall@5'))} |")
    spread = split_spread(results)
    if spread:
        lines += ["", "| source | fold splits | " + " | ".join(f"{c} (lowest–highest)" for c in COLUMNS) + " |",
                  "|---|---|" + "---|" * len(COLUMNS)]
        for name, (splits, ranges) in spread.items():
            lines.append(f"| {name} | {splits} | "
                         + " | ".join(f"{cell(low)}–{cell(high)}" for low, high in ranges.values()) + " |")
    return "\n".join(lines)


def split_spread(results: dict[str, Any]) -> dict[str, tuple[int, dict[str, tuple[float, float]]]]:
    """Per source cross-validated under more than one fold split: (number of splits, {metric:
    (lowest, highest)}) over the splits (a metric undefined under every split is NaN)."""
    spread = {}
    for name, by_model in results.items():
        runs = [scored["overall"] for label, scored in by_model.items() if label.startswith("cross_validated")]
        if len(runs) < 2:
            continue
        ranges = {}
        for column in COLUMNS:
            values = [v for v in (run.get(column) for run in runs) if v is not None and v == v]
            ranges[column] = (min(values), max(values)) if values else (float("nan"), float("nan"))
        spread[name] = (len(runs), ranges)
    return spread
