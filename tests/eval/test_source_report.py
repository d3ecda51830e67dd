"""Answers per question source: the shipped and held-out models, and what other thresholds cost."""
from __future__ import annotations

import math

import pytest

from eval.decision_training import REFIT_TOLERANCE
from eval.questions import DEV_QUESTIONS_FILE
from eval.source_report import COLUMNS, DECLINE_THRESHOLDS, source_results, source_table


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


@pytest.mark.slow
@pytest.mark.skipif(not DEV_QUESTIONS_FILE.exists(), reason="the development set lies beside the project")
def test_declining_more_refuses_more_answerable_questions(corpus_settings) -> None:
    results = source_results(corpus_settings)
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
    assert not math.isclose(project["held_out"]["decline_threshold"], project["shipped"]["decline_threshold"],
                            abs_tol=REFIT_TOLERANCE)
