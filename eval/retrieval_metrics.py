"""Retrieval metrics computed by ir_measures, per query, overall and per question kind."""
from __future__ import annotations

from collections import defaultdict
from statistics import fmean

import ir_measures
from ir_measures import RR, R, nDCG

from eval.trec import Qrels, Run

MEASURES = (R @ 1, R @ 5, R @ 10, RR @ 10, nDCG @ 10)
METRIC_NAMES = tuple(str(m) for m in MEASURES)  # "R@1", "R@5", "R@10", "RR@10", "nDCG@10"


def per_query_scores(qrels: Qrels, run: Run) -> dict[str, dict[str, float]]:
    """Every judged query's score for every measure; a query without hits scores 0.

    Queries whose qrels are empty (no unit holds their span) cannot be scored and are left out;
    callers report them separately.
    """
    judged = {qid: rels for qid, rels in qrels.items() if rels}
    scores = {qid: dict.fromkeys(METRIC_NAMES, 0.0) for qid in judged}
    if not judged:
        return scores
    for metric in ir_measures.iter_calc(MEASURES, judged, run):
        if metric.query_id in scores:
            scores[metric.query_id][str(metric.measure)] = float(metric.value)
    return scores


def aggregate(scores: dict[str, dict[str, float]], kinds: dict[str, str]) -> dict:
    """Means over all scored queries and per kind: {"overall": {...}, "per_kind": {...}, "n": …}."""
    def mean_of(qids: list[str]) -> dict[str, float]:
        return {name: fmean(scores[q][name] for q in qids) for name in METRIC_NAMES} if qids else {}

    by_kind: dict[str, list[str]] = defaultdict(list)
    for qid in scores:
        by_kind[kinds.get(qid, "?")].append(qid)
    return {
        "n": len(scores),
        "overall": mean_of(list(scores)),
        "per_kind": {kind: mean_of(qids) | {"n": len(qids)} for kind, qids in sorted(by_kind.items())},
    }


def score_retrieval(qrels: Qrels, run: Run, kinds: dict[str, str]) -> dict:
    """Per-query scores plus their aggregates, and the judged queries no unit could match."""
    scores = per_query_scores(qrels, run)
    summary = aggregate(scores, kinds)
    summary["per_query"] = scores
    summary["unmatched_queries"] = sorted(qid for qid, rels in qrels.items() if not rels)
    return summary
