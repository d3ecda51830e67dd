"""Every tuning value is pinned: changing one must change this test with it."""
from __future__ import annotations

from dataclasses import asdict

from app.answer.config import DEFAULT_CONFIG
from app.answer.decision import load_model

PINNED = {
    "focus_min_words": 2, "candidates": 5, "relative_probability": 0.5, "max_citations": 4, "max_per_document": 2,
    "sentence_relative": 0.6, "max_sentences": 3, "max_quote_chars": 160, "validity_topic_rarity": 0.55,
    "max_other_documents": 2, "hotline_max_chars": 90, "hotline_fragment_chars": 60, "not_found_topic_words": 3,
    "decline_precision": 0.8, "regularisation_c": 1.0,
}


def test_config_values_are_pinned() -> None:
    assert asdict(DEFAULT_CONFIG) == PINNED


def test_the_shipped_threshold_is_the_one_chosen_for_the_stated_decline_precision() -> None:
    model = load_model()
    assert model.training["decline_precision_target"] == DEFAULT_CONFIG.decline_precision
    assert model.training["decline_precision_out_of_fold"] >= DEFAULT_CONFIG.decline_precision
    assert set(model.training["sources"]) >= {"project", "declined", "generated"}
