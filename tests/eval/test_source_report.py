"""Answers per question source: the shipped and held-out models, and what other thresholds cost."""
from __future__ import annotations

import math

import pytest

from eval.decision_training import REFIT_TOLERANCE
from eval.gate import check, flatten, load_expected
from eval.questions import DEV_QUESTIONS_FILE
from eval.source_report import COLUMNS, DECLINE_THRESHOLDS, source_results, source_table, split_spread

SPLIT_SEED = 11  # one more fold split for the end-to-end check (any seed but the report's own)


def _metrics(value: float, threshold: float) -> dict:
    overall = dict.fromkeys(COLUMNS, value)
    return {"overall": overall, "per_kind": {"fact": {"n": 2, "key_fact_accuracy": value, "false_refusal_rate": None,
                                                       "rejection_accuracy": None}},
            "decline_threshold": threshold}


def test_the_table_has_a_row_per_model_with_its_threshold_then_the_unseen_kinds() -> None:
    table = source_table({"train": {"cross_validated": _metrics(0.4, float("nan")), "shipped": _metrics(0.5, 0.22)},
                          "dev": {"shipped": _metrics(0.7, 0.22), "held_out": _metrics(0.25, 0.254)}})
    assert "| dev | shipped | 0.220 | 0.700 |" in table and "| dev | held_out | 0.254 | 0.250 |" in table
    assert "| train | cross_validated | – | 0.400 |" in table
    # per kind: a training source by its cross-validated answers, the development set by the shipped model's
    assert "| train | fact | 2 | 0.400 | – | – |" in table and "| dev | fact | 2 | 0.700 | – | – |" in table


def test_the_spread_over_fold_splits_is_each_metrics_lowest_and_highest() -> None:
    results = {"train": {"cross_validated": _metrics(0.8, float("nan")), "shipped": _metrics(0.95, 0.3),
                         "cross_validated, split 11": _metrics(0.75, float("nan")),
                         "cross_validated, split 22": _metrics(0.78, float("nan"))},
               "project": {"cross_validated": _metrics(0.9, float("nan")), "shipped": _metrics(0.95, 0.3)},
               "dev": {"shipped": _metrics(0.9, 0.3)}}
    results["train"]["cross_validated, split 22"]["overall"]["rejection_accuracy"] = None  # undefined there
    spread = split_spread(results)
    assert set(spread) == {"train"}  # one split (project) or none (dev) has no spread
    splits, ranges = spread["train"]
    assert splits == 3 and ranges["key_fact_accuracy"] == (0.75, 0.8)  # the shipped model is no split
    assert ranges["rejection_accuracy"] == (0.75, 0.8)
    assert "| train | 3 | 0.750–0.800 |" in source_table(results)
    assert "fold splits" not in source_table({"train": {"cross_validated": _metrics(0.8, float("nan")),
                                                        "shipped": _metrics(0.95, 0.3)}})


@pytest.fixture(scope="module")
def results(corpus_settings) -> dict:
    if not DEV_QUESTIONS_FILE.exists():
        pytest.skip("the development set lies beside the project")
    return source_results(corpus_settings, fold_seeds=(SPLIT_SEED,))


@pytest.mark.slow
def test_another_fold_split_cross_validates_the_training_sources_only(results: dict) -> None:
    label = f"cross_validated, split {SPLIT_SEED}"
    assert label in results["train"] and label in results["project"] and label not in results["dev"]
    splits, ranges = split_spread(results)["train"]
    assert splits == 2
    for column, (low, high) in ranges.items():
        assert low <= results["train"]["cross_validated"]["overall"][column] <= high, column
    low, high = ranges["key_fact_accuracy"]
    assert high - low < 0.05  # the split alone moves it by a few questions, not by a model's worth


@pytest.mark.slow
def test_questions_no_model_saw_stay_above_their_floors(results: dict) -> None:
    """make test's floors on what holds for unseen questions: the training and project sets
    cross-validated, the development set (never trained on) by the shipped model."""
    bounds = load_expected(section="held_out")
    assert {name.split(".")[1] for name in bounds} == {"train", "project", "dev"}
    failures = check(flatten({"answers_by_source": results}), bounds)
    assert failures == [], "\n".join(failures)


@pytest.mark.slow
def test_declining_more_refuses_more_answerable_questions(results: dict) -> None:
    assert "cross_validated" in results["project"] and "cross_validated" not in results["dev"]
    for source in ("project", "dev"):
        by_model = results[source]
        sweep = [by_model[f"held_out, threshold {t:.1f}"]["overall"] for t in DECLINE_THRESHOLDS]
        refusals = [m["false_refusal_rate"] for m in sweep]
        rejections = [m["rejection_accuracy"] for m in sweep]
        assert refusals == sorted(refusals) and rejections == sorted(rejections), source
        assert refusals[-1] > refusals[0], source  # the grid spans a real trade-off
    # the development set is in no training source: its held-out model is the shipped one
    dev, project = results["dev"], results["project"]
    assert math.isclose(dev["held_out"]["decline_threshold"], dev["shipped"]["decline_threshold"], abs_tol=REFIT_TOLERANCE)
    # the project's held-out model is a refit without it, not the shipped one (identical thresholds)
    assert project["held_out"]["decline_threshold"] != project["shipped"]["decline_threshold"]
