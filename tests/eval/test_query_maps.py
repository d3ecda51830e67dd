"""Fitting the question map on labelled questions: which sentence fragments are gold, and that every question
can be embedded by a map that never saw it."""
from __future__ import annotations

import numpy as np

from eval.query_maps import QuestionMaps, fit_maps, gold_fragments, mapped_by, question_folds
from eval.questions import GoldRef, Question
from index.semantic_store import text_fragments


def _question(qid: str, text: str, doc_id: str, span: str) -> Question:
    return Question(qid, text, "colloquial", (GoldRef(doc_id, "", span),), (), True)


def test_gold_fragments_are_those_holding_the_span_even_across_a_boundary(corpus_settings) -> None:
    from index.backend import open_index

    index = open_index(corpus_settings)
    clause = next(c for c in index.clauses
                  if len(text_fragments(c)) >= 3 and all(len(f) > 24 for f in text_fragments(c)[:2]))
    first, second = text_fragments(clause)[:2]
    inside = _question("a", "?", clause.doc.doc_id, second[2:-2])
    assert gold_fragments(inside, index) == [second]
    ending = clause.text.index(first) + len(first)  # across the boundary, as the clause's text runs
    across = _question("b", "?", clause.doc.doc_id, clause.text[ending - 10:ending + 10])
    assert gold_fragments(across, index) == [first, second]
    assert gold_fragments(_question("c", "?", clause.doc.doc_id, "这句话不在任何文件里"), index) == []


def test_a_fold_split_is_reproducible_and_another_seed_draws_another() -> None:
    questions = [_question(f"q{i}", "?", "d", "x") for i in range(40)]
    default = question_folds(questions)
    assert default == question_folds(questions) and set(default.values()) == {0, 1, 2, 3, 4}
    assert question_folds(questions, seed=11) == question_folds(questions, seed=11) != default


def test_each_question_gets_a_map_fitted_without_its_fold(corpus_settings) -> None:
    from index.backend import open_index

    index = open_index(corpus_settings)
    model = index.semantic_model
    assert model is not None
    clauses = [c for c in index.clauses if len(c.text) > 40][:30]
    questions = [_question(f"q{i}", c.text[:12] + "是多少", c.doc.doc_id, c.text[:20]) for i, c in enumerate(clauses)]
    unanswerable = Question("u", "天气怎么样", "unanswerable", (), (), False)
    maps = fit_maps(model, index, {"train": questions + [unanswerable]}, ridge=2.0)
    folds = question_folds(questions + [unanswerable])
    assert isinstance(maps, QuestionMaps) and maps.pairs >= len(questions)
    assert ("train", "u") not in maps.folds  # nothing to fit on: it is asked with the shipped map
    assert maps.for_question("train", "u") is maps.shipped
    for q in questions:
        own = maps.for_question("train", q.qid)
        assert own is maps.without("train", folds[q.qid]) and not np.array_equal(own, maps.shipped)
    # a map fitted without a fold equals one fitted on the other folds' questions alone
    fold = folds[questions[0].qid]
    others = [q for q in questions if folds[q.qid] != fold]
    assert np.allclose(fit_maps(model, index, {"train": others}, ridge=2.0).shipped, maps.without("train", fold),
                       atol=1e-4)
    with mapped_by(model, maps.without("train", fold)):
        assert model.query_map is maps.without("train", fold)
    assert model.query_map is not maps.without("train", fold)  # restored
    # another fold split: the maps are fitted per fold of that split, and on every question alike
    other = fit_maps(model, index, {"train": questions}, ridge=2.0, seed=11)
    assert other.folds == {("train", qid): f for qid, f in question_folds(questions, seed=11).items()}
    assert other.folds != maps.folds
    assert np.allclose(other.shipped, fit_maps(model, index, {"train": questions}, ridge=2.0).shipped, atol=1e-4)
