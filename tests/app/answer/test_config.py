"""The shipped decision model: trained with the config's training values, and the measured one."""
from __future__ import annotations

import math

import pytest

from app.answer.config import DEFAULT_CONFIG
from app.answer.decision import load_model
from eval.decision_training import Calibration


def test_the_shipped_thresholds_are_the_ones_chosen_for_the_stated_chances() -> None:
    """The training values act through the model file: the shipped one was trained with these."""
    model = load_model()
    # (name, its threshold, the stated chance, the calibration it was read from)
    for name, threshold, chance, calibration in (
            ("answer", model.threshold, DEFAULT_CONFIG.answer_chance, "answer"),
            ("document", model.document_threshold, DEFAULT_CONFIG.document_chance, "document"),
            ("unscoped_document", model.unscoped_document_threshold, DEFAULT_CONFIG.unscoped_document_chance,
             "document")):
        assert model.training[f"{name}_chance_target"] == chance
        assert math.isclose(Calibration(*model.training[f"{calibration}_calibration"]).chance(threshold), chance,
                            abs_tol=1e-4)
    assert model.training["cv_repeats"] == DEFAULT_CONFIG.cv_repeats
    assert model.training["regularisation_c"] == DEFAULT_CONFIG.regularisation_c
    assert set(model.training["sources"]) >= {"project", "declined", "generated"}
    assert "dev" not in model.training["sources"]  # the development set chooses settings, never trains


# The shipped model, byte for byte: rebuilding it (`policyqa train-decision`) changes answers, so the
# README's evaluation tables and eval/expected.yaml must be re-measured with it, and this pin updated.
MODEL_SHA256 = "8b4633b4f42a25d6ddaf359846662b5bc7feb4fdef1b186fd8bc48539fbf3702"


def test_the_shipped_model_is_the_measured_one() -> None:
    import hashlib

    from app.answer.decision import MODEL_FILE

    assert hashlib.sha256(MODEL_FILE.read_bytes()).hexdigest() == MODEL_SHA256


def test_questions_next_to_the_threshold_fall_on_their_sides(corpus_service) -> None:
    """The project questions whose best clause scores just above and just below the threshold: moving
    the threshold or changing a feature moves one of them across."""
    answered = ["温州企业自己可以推荐卓越工程师吗？一年几个？", "乐清企业出国参展，展位费能补多少比例？"]  # 0.436, 0.497
    # 0.241, 0.197 and an unanswerable one just below (0.339; threshold 0.349): a lower threshold
    # answers it with a neighbouring figure
    declined = ["瑞安2025年方案八个领域市级财政支持总额是多少亿元？", "温州2024年家电以旧换新补贴比例是多少？",
                "高校毕业生到温州工作，每月租房补贴多少？"]
    for question in answered:
        assert corpus_service.ask(question).outcome in ("answered", "not_stated"), question
    for question in declined:
        assert corpus_service.ask(question).outcome == "not_found", question


# An unanswerable project question whose best clause scores between the threshold and the answered
# neighbours above (0.385; threshold 0.349): answered with a neighbouring figure since the ranking
# model puts the most plausible clause first (app/answer/rerank.py; README "第二次排序"). Strict: it
# fails once it is declined again ("高校毕业生到温州工作，每月租房补贴多少？", here until the retrain with
# document chance 0.15, is now a declined neighbour above).
@pytest.mark.xfail(strict=True, reason="a wrong confident answer just above the threshold (see above)")
def test_an_unanswerable_question_just_above_the_threshold_is_declined(corpus_service) -> None:
    assert corpus_service.ask("企业引进博士，瑞安给多少安家费？").outcome == "not_found"
