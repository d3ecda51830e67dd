"""Regression gates: flat metric names, floors from eval/expected.yaml and --fail-under.

A metric name is `retrieval.<config>.<metric>` or `answers.<config>.<metric>`, e.g.
`retrieval.hybrid.R@10`, `answers.hybrid.key_fact_accuracy`; a short name (`hybrid.R@10`,
`hybrid.key_fact_accuracy`) is looked up under retrieval, then answers; the full run adds
`sources.<source>.<model>.<metric>` (answers per question source). Metrics where lower is better
(rates of failure, latencies) are gated as ceilings.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from policyqa.errors import UserError

EXPECTED_FILE = Path(__file__).resolve().parent / "expected.yaml"
LOWER_IS_BETTER = ("false_refusal_rate", "unsupported_number_rate", "contradicting_note_rate", "answer_chars",
                   "latency_p50_ms", "latency_p95_ms")


def flatten(summary: dict) -> dict[str, float]:
    """Overall metrics of a run summary as {dotted name: value} (undefined metrics left out)."""
    flat: dict[str, float] = {}
    # answers per question source (the full run): `sources.<source>.<model>.<metric>`, e.g.
    # sources.train.cross_validated.key_fact_accuracy, the figures of questions the model never saw
    for source, models in summary.get("answers_by_source", {}).items():
        for model, scores in models.items():
            flat.update(_numbers(f"sources.{source}.{model}", scores.get("overall", {})))
    for section in ("retrieval", "answers"):
        for config, scores in summary.get(section, {}).items():
            values = dict(scores.get("overall", {}))
            if section == "retrieval":
                values.update({k: scores[k] for k in ("latency_p50_ms", "latency_p95_ms") if k in scores})
            flat.update(_numbers(f"{section}.{config}", values))
    return flat


def _numbers(prefix: str, values: dict) -> dict[str, float]:
    """{prefix.metric: value} of the defined metrics (not the question count)."""
    return {f"{prefix}.{metric}": float(value) for metric, value in values.items()
            if isinstance(value, (int, float)) and metric != "n"}


def resolve(name: str, flat: dict[str, float]) -> str:
    """The full metric name for `name`, or a UserError listing what exists."""
    for candidate in (name, f"retrieval.{name}", f"answers.{name}"):
        if candidate in flat:
            return candidate
    raise UserError(f"未知的指标 {name}；可用：{', '.join(sorted(flat))}")


def parse_thresholds(items: Iterable[str]) -> dict[str, float]:
    """`METRIC=VALUE` strings -> {metric: value}; a clear error for a malformed one."""
    thresholds: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            thresholds[name.strip()] = float(value)
        except ValueError:
            raise UserError(f"--fail-under 需要 指标=数值 的形式，例如 hybrid.R@10=0.8；收到：{item}") from None
    return thresholds


def load_expected(path: Path = EXPECTED_FILE, section: str = "bounds") -> dict[str, float]:
    """The floors (and ceilings) recorded in expected.yaml as {metric: bound}: "bounds" for every
    run, "held_out" for the figures per question source that only the full run computes."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    bounds = data.get(section, {})
    if not isinstance(bounds, dict):
        raise UserError(f"{path}: '{section}' must map metric names to numbers")
    return {str(k): float(v) for k, v in bounds.items()}


def check(flat: dict[str, float], bounds: dict[str, float]) -> list[str]:
    """Every bound the run misses, as a readable line (empty when all hold)."""
    failures = []
    for name, bound in bounds.items():
        full = resolve(name, flat)
        value = flat[full]
        lower_better = full.rsplit(".", 1)[-1] in LOWER_IS_BETTER
        if (value > bound) if lower_better else (value < bound):
            relation = "above the ceiling" if lower_better else "below the floor"
            failures.append(f"{full} = {value:.4f} is {relation} {bound:.4f}")
    return failures
