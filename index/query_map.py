"""A fitted linear map that carries the neural model's question vectors towards the sentences that answer them.

e5 puts a question ("query: 瑞安政府口袋里拿出来搞科研的钱每年涨多少") and the sentence that answers it
("passage: 确保全市财政科技投入年均增长15%以上") further apart than the question's wording from other
questions'. A map M (384 x 384) fitted by ridge regression towards the identity on labelled
questions (each question's vector -> the vectors of its gold sentences) closes part of that gap for
wording it never saw: on the training set, with every question mapped by an M fitted without it
(and without any question about the same clause), the e5 sentence ranking alone finds the gold
clause in its top 5 for 0.81 of the questions instead of 0.70 (paraphrases 0.48 instead of 0.24).

Only questions are mapped: the sentence vectors of an index stay what the model made, so an index
need not be rebuilt when the map is refitted (`policyqa train-decision` fits it, eval/query_maps.py).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MAP_FILE = Path(__file__).resolve().parent / "data" / "query_map.npy"


def normal_equations(questions: np.ndarray, answers: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(sum q q^T, sum q (s - q)^T) over every (question, gold sentence) pair: sums, so that the map of
    any subset of questions is the sums of its groups solved once."""
    dim = questions.shape[1]
    gram = np.zeros((dim, dim))
    cross = np.zeros((dim, dim))
    for question, targets in zip(questions.astype(np.float64), answers, strict=True):
        targets = np.asarray(targets, dtype=np.float64).reshape(-1, dim)
        gram += len(targets) * np.outer(question, question)
        cross += np.outer(question, (targets - question).sum(axis=0))
    return gram, cross


def solve_query_map(gram: np.ndarray, cross: np.ndarray, ridge: float) -> np.ndarray:
    """M minimising sum over pairs of |q M - s|^2 + ridge |M - I|^2: towards the identity, so that with
    few questions the map stays close to the model's own similarity."""
    dim = gram.shape[0]
    return (np.eye(dim) + np.linalg.solve(gram + ridge * np.eye(dim), cross)).astype(np.float32)


def fit_query_map(questions: np.ndarray, answers: Sequence[np.ndarray], ridge: float) -> np.ndarray:
    """The map fitted on `questions` (n, d), `answers[i]` the (m_i, d) vectors of question i's gold sentences."""
    return solve_query_map(*normal_equations(questions, answers), ridge)


def apply_query_map(vectors: np.ndarray, matrix: np.ndarray | None) -> np.ndarray:
    """Question vectors mapped by `matrix` and scaled back to unit length (unchanged when None)."""
    if matrix is None or not len(vectors):
        return vectors
    mapped = np.asarray(vectors, dtype=np.float32) @ matrix
    norms = np.linalg.norm(mapped, axis=1, keepdims=True)
    return (mapped / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def write_query_map(matrix: np.ndarray, path: Path = MAP_FILE) -> None:
    """Write the map atomically (a reader never sees half a file); numpy format, no pickle."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    with partial.open("wb") as handle:
        np.save(handle, np.asarray(matrix, dtype=np.float32), allow_pickle=False)
    partial.replace(path)


def load_query_map(path: Path = MAP_FILE, dim: int = 384) -> tuple[np.ndarray | None, str]:
    """(the map, "") or (None, why it is not used, in the words shown to the user)."""
    try:
        matrix = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        log.info("query map unreadable: %s", error)
        return None, f"问句映射 {path.name} 无法读取，神经句向量按原始问句计算（运行 policyqa train-decision 可重建）。"
    if matrix.shape != (dim, dim) or not np.isfinite(matrix).all():
        return None, f"问句映射 {path.name} 的形状或数值不对，神经句向量按原始问句计算（运行 policyqa train-decision 可重建）。"
    return matrix.astype(np.float32), ""
