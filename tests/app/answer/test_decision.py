"""The trained decision: model arithmetic, the JSON file, and what its learned weights mean."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from app.answer.decision import (
    CLAUSE_FEATURES,
    DOCUMENT_FEATURES,
    MODEL_FILE,
    DecisionModel,
    LinearModel,
    document_ranks,
    document_rows,
    echo,
    load_model,
    other_documents,
    score_candidates,
)
from app.answer.evidence import SENTENCE_FEATURES, read_candidates
from app.text.spans import han_pairs
from policyqa.errors import UserError
from policyqa.model import Clause, Hit

from ..answer_fakes import CLAUSES, RUIAN_2025, WENZHOU_2024


def test_linear_model_is_a_standardised_logistic() -> None:
    model = LinearModel(("a", "b"), (1.0, 0.0), (2.0, 1.0), (2.0, -1.0), 0.5)
    z = 0.5 + 2.0 * (3.0 - 1.0) / 2.0 - 1.0 * 1.0
    assert model.probability((3.0, 1.0)) == pytest.approx(1 / (1 + math.exp(-z)))


def test_scoring_a_matrix_gives_each_row_s_probability_a_missing_feature_counting_as_its_mean() -> None:
    import numpy as np

    model = LinearModel(("a", "b"), (1.0, 0.0), (2.0, 1.0), (2.0, -1.0), 0.5)
    rows = np.array([[3.0, 1.0], [-40.0, 90.0], [math.nan, 2.0], [1.0, math.nan]])
    # z by hand: 0.5 + 2(a - 1)/2 - b, a missing value adding nothing, z held within ±50
    expected = [1 / (1 + math.exp(-z)) for z in (1.5, -50.0, -1.5, 0.5)]
    assert model.probabilities(rows) == pytest.approx(expected, rel=1e-12)
    assert [model.probability(r) for r in rows] == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError):
        model.probability((1.0,))  # a row of another model's features


def test_the_shipped_model_is_json_with_the_code_s_feature_names() -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert tuple(data["sentence"]["features"]) == SENTENCE_FEATURES
    assert tuple(data["clause"]["features"]) == CLAUSE_FEATURES
    assert 0 < data["threshold"] < 1 and len(data["training"]["data_sha256"]) == 64
    assert DecisionModel.from_json(data) == load_model()


def test_a_model_with_other_features_is_refused(tmp_path: Path) -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["clause"]["features"] = data["clause"]["features"][:-1]
    bad = tmp_path / "decision.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UserError, match="train-decision"):
        load_model(bad)
    with pytest.raises(UserError):
        load_model(tmp_path / "missing.json")


def test_a_model_file_from_before_the_unscoped_document_threshold_is_refused(tmp_path: Path) -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    shipped = load_model()
    assert shipped.document_threshold_for(False) < shipped.document_threshold_for(True)
    del data["unscoped_document_threshold"]
    old = tmp_path / "decision.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UserError, match="旧格式.*train-decision"):
        load_model(old)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = load_model()
    model.save(tmp_path / "m.json")
    assert load_model(tmp_path / "m.json") == model


@pytest.mark.parametrize(("feature", "direction"), [
    ("clause_coverage", 1), ("scope_match", 1), ("document_reciprocal_rank", 1),
    ("figure_unstated", -1), ("scope_mismatch", -1),
])
def test_learned_weights_point_the_sensible_way(feature: str, direction: int) -> None:
    clause = load_model().clause
    assert clause.coef[clause.features.index(feature)] * direction > 0


def _joint(model, names: tuple[str, ...]) -> float:  # noqa: ANN001 - a LinearModel
    """The effect of raising correlated features together by one standard deviation each: one of
    them alone may take a negative weight that only corrects its neighbours."""
    return sum(model.coef[model.features.index(name)] for name in names)


def test_the_neural_similarity_raises_a_clause_with_or_without_its_neighbours() -> None:
    model = load_model()
    assert _joint(model.clause, ("semantic_best", "semantic_lead")) > 0
    assert model.sentence.coef[model.sentence.features.index("semantic")] > 0
    # the model for a machine without the neural model gives its features no weight at all
    fallback = model.without_semantic
    assert fallback is not None
    for part in (fallback.sentence, fallback.clause, fallback.document):
        for name in ("semantic", "semantic_best", "semantic_lead", "semantic_reciprocal_rank"):
            if name in part.features:
                assert part.coef[part.features.index(name)] == 0.0, name


def test_sentence_weights_favour_coverage_and_the_asked_fact() -> None:
    sentence = load_model().sentence
    assert _joint(sentence, ("term_coverage", "own_coverage", "bigram_coverage")) > 0
    assert sentence.coef[sentence.features.index("states")] > 0


def test_the_clause_stating_the_asked_figure_scores_highest(profile_of) -> None:
    profile = profile_of("瑞安外贸企业出口信用保险补助比例是多少")
    hits = [Hit(c, 1.0 / (i + 1), "hybrid", {"bm25": i + 1, "dense": i + 1}) for i, c in enumerate(CLAUSES)]
    scored = score_candidates(load_model(), profile, read_candidates(profile, hits))
    best = max(scored, key=lambda s: s.probability)
    assert best.candidate.hit.clause.clause_id == "r23-trade"


def test_document_ranks_count_within_each_document() -> None:
    hits = [Hit(c, 1.0, "hybrid") for c in CLAUSES]
    from app.answer.evidence import Candidate
    candidates = [Candidate(h, i, "", 0.0, ()) for i, h in enumerate(hits, 1)]
    assert document_ranks(candidates) == [1, 1, 1, 2, 2]


def test_each_other_document_is_scored_by_its_likeliest_clause(profile_of) -> None:
    profile = profile_of("外贸企业出口信用保险补助比例是多少")
    hits = [Hit(c, 1.0 / (i + 1), "hybrid", {"bm25": i + 1, "dense": i + 1}) for i, c in enumerate(CLAUSES)]
    model = load_model()
    scored = score_candidates(model, profile, read_candidates(profile, hits))
    top_doc = max(scored, key=lambda s: s.probability).candidate.hit.clause.doc.doc_id
    with_document_p = [s for s in scored if s.document_probability > 0]
    assert with_document_p and all(s.candidate.hit.clause.doc.doc_id != top_doc for s in with_document_p)
    assert len({s.candidate.hit.clause.doc.doc_id for s in with_document_p}) == len(with_document_p)
    for listed in with_document_p:  # the one of its document the document model rates highest
        doc_id = listed.candidate.hit.clause.doc.doc_id
        rivals = [model.document.probability(document_rows(profile, scored, [i])[0])
                  for i, s in enumerate(scored) if s.candidate.hit.clause.doc.doc_id == doc_id]
        assert listed.document_probability == pytest.approx(max(rivals))
    assert other_documents(scored) == [i for i, s in enumerate(scored) if s.candidate.hit.clause.doc.doc_id != top_doc]


def test_han_pairs_are_broken_by_figures_and_punctuation() -> None:
    assert han_pairs("2024年创建省级未来乡村20个，") == {"年创", "创建", "建省", "省级", "级未", "未来", "来乡", "乡村"}
    assert han_pairs("20个") == frozenset() and han_pairs("") == frozenset()


def test_another_documents_line_of_the_same_measure_echoes_the_answer(profile_of) -> None:
    """The closest sentence counts: the line that repeats the answer's wording, not the clause's lead."""
    profile = profile_of("建设项目要占林地，今年能保障多少亩定额？")
    answer = read_candidates(profile, [Hit(Clause("a", RUIAN_2025, (), "30", "强化用林保障",
                                                  "全年争取建设项目使用林地定额不少于360亩。"), 1.0, "hybrid")])[0]
    other = Clause("b", WENZHOU_2024, (), "4", "要素保障",
                   "优先保障相应新增建设用地指标。2024年全市保障建设项目使用林地4000亩以上。")
    unrelated = Clause("c", WENZHOU_2024, (), "5", "用能保障", "保障新上重大项目用能200万吨标准煤以上。")
    same, far = read_candidates(profile, [Hit(other, 1.0, "hybrid"), Hit(unrelated, 0.5, "hybrid")])
    sentence = answer.sentences[0]
    shared = han_pairs(sentence.norm) & han_pairs(same.sentences[1].norm)
    pairs = han_pairs(sentence.norm)
    assert echo(same, pairs) == pytest.approx(len(shared) / len(pairs))
    assert echo(same, pairs) > echo(far, pairs) and echo(same, frozenset()) == 0.0


def test_the_document_model_reads_whether_the_question_names_a_place(profile_of) -> None:
    hits = [Hit(c, 1.0 / (i + 1), "hybrid", {"bm25": i + 1, "dense": i + 1}) for i, c in enumerate(CLAUSES)]
    names_no_scope = DOCUMENT_FEATURES.index("names_no_scope")
    for question, expected in (("出口信用保险补助比例是多少", 1.0), ("瑞安出口信用保险补助比例是多少", 0.0)):
        profile = profile_of(question)
        scored = score_candidates(load_model(), profile, read_candidates(profile, hits))
        assert {row[names_no_scope] for row in document_rows(profile, scored, other_documents(scored))} == {expected}


def test_a_retriever_that_did_not_run_reads_as_agreeing_with_the_ranking(profile_of) -> None:
    from app.answer.decision import CLAUSE_FEATURES

    profile = profile_of("出口信用保险补助比例是多少")
    only_bm25 = [Hit(c, 1.0 / (i + 1), "bm25", {"bm25": i + 1}) for i, c in enumerate(CLAUSES)]
    both = [Hit(c, 1.0 / (i + 1), "hybrid", {"bm25": i + 1, "dense": i + 1}) for i, c in enumerate(CLAUSES)]
    dense = CLAUSE_FEATURES.index("dense_reciprocal_rank")
    single = score_candidates(load_model(), profile, read_candidates(profile, only_bm25))
    hybrid = score_candidates(load_model(), profile, read_candidates(profile, both))
    assert [s.features[dense] for s in single] == [s.features[dense] for s in hybrid]
    assert [round(s.probability, 9) for s in single] == [round(s.probability, 9) for s in hybrid]
