"""The trained decision: which sentence of a clause answers, and whether a clause answers at all.

Two logistic models, fitted by `policyqa train-decision` (eval/decision_training.py) and stored as
JSON (feature names, standardisation, coefficients, threshold, training-data hash), never pickled:
- the sentence model ranks the sentences of a clause (P that a sentence states the answer);
- the ranking model orders the fused top clauses by P that a clause holds the answer, from the
  clause model's features (app/answer/rerank.py);
- the clause model gives P that a retrieved clause holds the answer, from features that do not
  depend on having seen the question's words (ranks, IDF coverage, whether the asked fact is
  stated, scope). A question is answered when some clause reaches the threshold, chosen at
  training time for a stated precision of declines;
- the document model gives P that a clause of another document answers too (the same question
  differently answered by another region or year), each document represented by its likeliest
  clause, with its own thresholds, chosen for a stated chance of those extra documents: a lower one
  when the question names no region or year (then several documents are expected to answer).
"""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from app.answer.analysis import QuestionProfile, Term
from app.answer.evidence import MISSING, SENTENCE_FEATURES, Candidate, SentenceEvidence, term_present
from app.answer.kinds import STATES_FULLY
from app.text.spans import han_pairs, normalise
from policyqa.errors import UserError

MODEL_FILE = Path(__file__).resolve().parent / "data" / "decision.json"
# Definitions of trained features, not tuning values: changing one changes what the shipped model's
# coefficients mean, so it needs retraining (`policyqa train-decision`).
RAREST_ASKED = 2  # "rarest_in_sentence" reads the asked words this rare, rarest first

CLAUSE_FEATURES = (
    "reciprocal_rank",  # 1 / fused rank
    "bm25_reciprocal_rank",  # 1 / BM25 rank, 0 when BM25 did not find it
    "dense_reciprocal_rank",
    "score_ratio",  # fused score / the best fused score
    "margin",  # (best - second best) / best fused score: how clearly retrieval chose
    "document_reciprocal_rank",  # 1 / rank among the candidates of the same document
    "clause_coverage",  # IDF-weighted share of the topic words in the clause with its headings
    "best_sentence_probability",
    "best_sentence_coverage",
    "best_sentence_states",
    "figure_unstated",  # a number is asked and the best sentence states none
    "missing_share",  # rarity mass of the asked words this clause lacks / all asked words' rarity
    "max_missing_rarity",  # the rarest asked word this clause lacks (0 when it lacks none)
    "rarest_in_sentence",  # share of the two rarest asked words that the best sentence (with lead) holds
    "item_in_sentence",  # share of the asked item's words ("契税") the best sentence (with lead) holds
    "item_in_clause",  # the same in the clause with its headings
    "item_unknown",  # share of the asked item's words that no clause of the corpus holds at all
    "scope_match",  # the question names a region/year and the clause's document has it
    "scope_mismatch",  # the question names a region and the document is of another
    "no_terms",  # no question word is held by any clause
    "semantic_best",  # the neural model's best question-sentence cosine in the clause (NaN: model absent)
    "semantic_lead",  # that cosine minus the best of all candidates' (0 for the most similar clause)
    "semantic_reciprocal_rank",  # 1 / rank in the neural sentence ranking, 0 when not in it
)


@dataclass(frozen=True)
class LinearModel:
    """Standardised logistic regression: P = sigmoid(b + sum w_i (x_i - mean_i) / scale_i)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, values: Sequence[float]) -> float:
        """P for one row; a NaN value (a feature this machine cannot compute) counts as its mean."""
        return float(self.probabilities(np.asarray([values], dtype=float))[0])

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P of every row of a matrix at once (training scores thousands of rows per fit)."""
        if rows.shape[1] != len(self.coef):
            raise ValueError(f"{rows.shape[1]} feature values for a model of {len(self.coef)}")
        terms = (rows - np.asarray(self.mean)) / np.asarray(self.scale) * np.asarray(self.coef)
        z = self.intercept + np.where(np.isnan(rows), 0.0, terms).sum(axis=1)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))

    def to_json(self) -> dict[str, Any]:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef), "intercept": self.intercept}

    @classmethod
    def from_json(cls, data: dict[str, Any], expected: tuple[str, ...]) -> LinearModel:
        names = tuple(data["features"])
        if names != expected:
            raise UserError(f"决策模型的特征 {names} 与代码的 {expected} 不一致，请运行 policyqa train-decision 重建")
        return cls(names, tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), float(data["intercept"]))


# The document model reads a clause of another document than the answer's best one: the clause
# features, how sure the clause model is of it and of the best answer, how closely it repeats the
# best answer's wording (another region's or year's line of the same measure does), and whether the
# question names no region or year (then several documents may each answer it).
DOCUMENT_FEATURES = (*CLAUSE_FEATURES, "clause_probability", "best_probability", "echoes_best_answer",
                     "names_no_scope")


@dataclass(frozen=True)
class DecisionModel:
    """The sentence, ranking, clause and document models and their thresholds, with how they were trained."""

    sentence: LinearModel
    ranker: LinearModel  # orders the fused top clauses (app/answer/rerank.py)
    clause: LinearModel
    threshold: float
    document: LinearModel
    document_threshold: float  # for a question naming a region or year
    unscoped_document_threshold: float  # for one naming neither
    training: dict[str, Any] = field(default_factory=dict)
    # fitted on the same questions answered without the neural model, for a machine that cannot run
    # it: reading its features as their training mean left a model that leans on them declining
    without_semantic: DecisionModel | None = None

    def for_semantic(self, available: bool) -> DecisionModel:
        """The model for answers with (self) or without the neural model's features."""
        return self if available or self.without_semantic is None else self.without_semantic

    def document_threshold_for(self, names_scope: bool) -> float:
        """The document threshold for a question that names a region or year (or names neither)."""
        return self.document_threshold if names_scope else self.unscoped_document_threshold

    def to_json(self) -> dict[str, Any]:
        data = {"threshold": self.threshold, "document_threshold": self.document_threshold,
                "unscoped_document_threshold": self.unscoped_document_threshold,
                "sentence": self.sentence.to_json(), "ranker": self.ranker.to_json(), "clause": self.clause.to_json(),
                "document": self.document.to_json(), "training": self.training}
        if self.without_semantic is not None:
            data["without_semantic"] = self.without_semantic.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DecisionModel:
        if not {"document", "ranker", "unscoped_document_threshold"} <= data.keys():
            raise UserError("决策模型是旧格式（缺少文件模型、排序模型或不点地区时的文件阈值），"
                            "请运行 policyqa train-decision 重建")
        fallback = data.get("without_semantic")
        return cls(LinearModel.from_json(data["sentence"], SENTENCE_FEATURES),
                   LinearModel.from_json(data["ranker"], CLAUSE_FEATURES),
                   LinearModel.from_json(data["clause"], CLAUSE_FEATURES), float(data["threshold"]),
                   LinearModel.from_json(data["document"], DOCUMENT_FEATURES), float(data["document_threshold"]),
                   float(data["unscoped_document_threshold"]),
                   dict(data.get("training", {})), None if fallback is None else cls.from_json(fallback))

    def save(self, path: Path = MODEL_FILE) -> None:
        """Write the model as JSON (atomically: a reader never sees half a file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".json.tmp")
        partial.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        partial.replace(path)


def load_model(path: Path = MODEL_FILE) -> DecisionModel:
    """The trained model shipped with the answerer (or another file, for experiments)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UserError(f"无法读取决策模型 {path}（{error}）；请运行 policyqa train-decision 重建") from error
    return DecisionModel.from_json(data)


def sentence_probabilities(model: LinearModel, candidate: Candidate) -> list[float]:
    """P that each sentence of the candidate states the answer, in sentence order."""
    if not candidate.sentences:
        return []
    return model.probabilities(np.asarray([s.features for s in candidate.sentences], dtype=float)).tolist()


def _share(terms: Sequence[Term], text: str) -> float:
    """Share of `terms` that `text` holds (1 when there are none: nothing was missed)."""
    return sum(term_present(t, text) for t in terms) / len(terms) if terms else 1.0


def _reciprocal(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def _best_similarity(candidate: Candidate) -> float:
    values = [s.feature("semantic") for s in candidate.sentences]
    return MISSING if any(math.isnan(v) for v in values) else max(values)


def clause_features(profile: QuestionProfile, candidate: Candidate, best_score: float, margin: float,
                    document_rank: int, sentence_probs: Sequence[float],
                    retrievers: frozenset[str], top_similarity: float) -> tuple[float, ...]:
    """The CLAUSE_FEATURES of one candidate; `retrievers` are those that ran for the question (a
    retriever that did not run, in a single-retriever mode, is read as agreeing with the ranking);
    `top_similarity` is the best neural similarity of any candidate (NaN without the model)."""
    best = max(range(len(sentence_probs)), key=lambda i: sentence_probs[i])
    sentence = candidate.sentences[best]
    doc = candidate.hit.clause.doc
    asked = (*profile.focus_terms, *profile.focus_foreign)
    missing = [t.rarity for t in asked if not term_present(t, candidate.context)]
    rarity = sum(t.rarity for t in asked)
    rarest = sorted(asked, key=lambda t: -t.rarity)[:RAREST_ASKED]
    lead_and_sentence = normalise(candidate.hit.clause.title) + sentence.norm
    ranks = candidate.hit.ranks
    stated = sentence.feature("states")
    similarity = _best_similarity(candidate)
    return (
        _reciprocal(candidate.rank),
        _reciprocal(ranks.get("bm25") if "bm25" in retrievers else candidate.rank),
        _reciprocal(ranks.get("dense") if "dense" in retrievers else candidate.rank),
        candidate.hit.score / best_score if best_score > 0 else 0.0,
        margin,
        _reciprocal(document_rank),
        candidate.clause_coverage,
        sentence_probs[best],
        sentence.feature("term_coverage"),
        stated,
        float(profile.asks_figure and stated < STATES_FULLY),
        sum(missing) / rarity if rarity else 0.0,
        max(missing, default=0.0),
        sum(term_present(t, lead_and_sentence) for t in rarest) / len(rarest) if rarest else 0.0,
        _share(profile.items, lead_and_sentence),
        _share(profile.items, candidate.context),
        sum(t.idf == 0 for t in profile.items) / len(profile.items) if profile.items else 0.0,
        float(profile.names_scope and profile.covers(candidate.hit.clause)),
        float(bool(profile.regions) and doc.region not in profile.regions),
        float(not profile.terms),
        similarity,
        similarity - top_similarity,
        _reciprocal(ranks.get("semantic")) if not math.isnan(similarity) else MISSING,
    )


@dataclass(frozen=True)
class Scored:
    """A candidate with its sentence probabilities and the probability that it answers."""

    candidate: Candidate
    sentence_probs: tuple[float, ...]
    probability: float
    features: tuple[float, ...]
    # for the clause of each document other than the best answer's that most likely answers too: that P
    document_probability: float = 0.0


def other_documents(scored: Sequence[Scored]) -> list[int]:
    """Indexes of the candidates of every document but the one of the best candidate."""
    if not scored:
        return []
    top_doc = max(scored, key=lambda s: s.probability).candidate.hit.clause.doc.doc_id
    return [i for i, s in enumerate(scored) if s.candidate.hit.clause.doc.doc_id != top_doc]


def best_sentence(scored: Scored) -> SentenceEvidence | None:
    """The sentence of a scored candidate that the sentence model prefers (None without sentences)."""
    probs = scored.sentence_probs
    return scored.candidate.sentences[max(range(len(probs)), key=lambda i: probs[i])] if probs else None


def echo(candidate: Candidate, answer_pairs: frozenset[str]) -> float:
    """The largest share of the answer sentence's character pairs (`answer_pairs`, see han_pairs) that
    one sentence of `candidate` holds: another region's or year's line of the same measure repeats
    the answer's wording."""
    if not answer_pairs:
        return 0.0
    return max((len(answer_pairs & han_pairs(s.norm)) / len(answer_pairs) for s in candidate.sentences), default=0.0)


def document_rows(profile: QuestionProfile, scored: Sequence[Scored], indexes: Sequence[int]) -> list[tuple[float, ...]]:
    """The DOCUMENT_FEATURES of the candidates at `indexes` among a question's scored candidates
    (the best answer and its wording read once for all of them)."""
    top = max(scored, key=lambda s: s.probability)
    answer = best_sentence(top)
    answer_pairs = han_pairs(answer.norm) if answer is not None else frozenset()
    no_scope = float(not profile.names_scope)
    return [(*scored[i].features, scored[i].probability, top.probability, echo(scored[i].candidate, answer_pairs),
             no_scope) for i in indexes]


def document_ranks(candidates: Sequence[Candidate]) -> list[int]:
    """Each candidate's rank among the candidates of its own document, from 1."""
    seen: dict[str, int] = {}
    ranks = []
    for candidate in candidates:
        doc_id = candidate.hit.clause.doc.doc_id
        seen[doc_id] = seen.get(doc_id, 0) + 1
        ranks.append(seen[doc_id])
    return ranks


def margin_of(candidates: Sequence[Candidate]) -> tuple[float, float]:
    """(best fused score, margin of the best over the second) of a question's candidates."""
    scores = sorted((c.hit.score for c in candidates), reverse=True)
    best = scores[0]
    return best, (scores[0] - scores[1]) / best if len(scores) > 1 and best > 0 else 1.0


def candidate_features(sentence_model: LinearModel, profile: QuestionProfile,
                       candidates: Sequence[Candidate]) -> list[tuple[tuple[float, ...], tuple[float, ...]]]:
    """(sentence probabilities, CLAUSE_FEATURES) of each of a question's candidates: the one
    function answering and training both turn candidates into the clause model's input with."""
    if not candidates:
        return []
    best, margin = margin_of(candidates)
    retrievers = frozenset(name for c in candidates for name in c.hit.ranks)
    similarities = [_best_similarity(c) for c in candidates]
    top_similarity = MISSING if any(math.isnan(v) for v in similarities) else max(similarities)
    rows = []
    for candidate, document_rank in zip(candidates, document_ranks(candidates), strict=True):
        probs = tuple(sentence_probabilities(sentence_model, candidate))
        rows.append((probs, clause_features(profile, candidate, best, margin, document_rank, probs, retrievers,
                                            top_similarity)))
    return rows


def score_candidates(model: DecisionModel, profile: QuestionProfile, candidates: list[Candidate]) -> list[Scored]:
    """Every candidate scored by both models, in retrieved order."""
    rows = candidate_features(model.sentence, profile, candidates)
    if not rows:
        return []
    clause = model.clause.probabilities(np.asarray([features for _, features in rows], dtype=float))
    scored = [Scored(candidate, probs, float(p), features)
              for candidate, (probs, features), p in zip(candidates, rows, clause, strict=True)]
    others = other_documents(scored)
    if not others:
        return scored
    rows_of_others = np.asarray(document_rows(profile, scored, others), dtype=float)
    best: dict[str, tuple[int, float]] = {}  # each other document is listed by its likeliest clause
    for i, p in zip(others, model.document.probabilities(rows_of_others), strict=True):
        doc_id = scored[i].candidate.hit.clause.doc.doc_id
        if doc_id not in best or p > best[doc_id][1]:
            best[doc_id] = (i, float(p))
    for i, p in best.values():
        scored[i] = replace(scored[i], document_probability=p)
    return scored
