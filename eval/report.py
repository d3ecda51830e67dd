"""Writing an evaluation run to a folder: JSON summary, TREC files, Markdown report, PNG charts."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from eval.retrieval_metrics import METRIC_NAMES
from eval.trec import write_qrels, write_run

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ANSWER_METRICS = ("key_fact_accuracy", "all_key_facts", "citation_precision", "citation_recall",
                  "unsupported_number_rate", "rejection_accuracy", "false_refusal_rate")
REPRODUCE = "policyqa eval --out eval/reports/latest"


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def retrieval_table(summary: dict) -> str:
    """Configs side by side: R@1/5/10, RR@10, nDCG@10, latency."""
    rows = []
    for config, scores in summary["retrieval"].items():
        overall = scores["overall"]
        rows.append([config, scores["units"], *(overall.get(m) for m in METRIC_NAMES),
                     f"{scores['latency_p50_ms']:.1f}", f"{scores['latency_p95_ms']:.1f}"])
    return _table(["config", "units", *METRIC_NAMES, "p50 ms", "p95 ms"], rows)


def answer_table(summary: dict) -> str:
    """Answer metrics per answering config."""
    rows = [[config, *(scores["overall"].get(m) for m in ANSWER_METRICS), _chars(scores["overall"].get("answer_chars")),
             f"{scores['overall']['latency_p50_ms']:.1f}", f"{scores['overall']['latency_p95_ms']:.1f}"]
            for config, scores in summary["answers"].items()]
    return _table(["config", *ANSWER_METRICS, "answer chars", "p50 ms", "p95 ms"], rows)


def _chars(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def per_kind_tables(summary: dict) -> str:
    """R@10 per kind and config; answer metrics per kind for each answering config."""
    kinds = sorted(summary["kinds"])
    configs = list(summary["retrieval"])
    rows = [[kind, *(summary["retrieval"][c]["per_kind"].get(kind, {}).get("R@10") for c in configs)]
            for kind in kinds]
    parts = ["### Recall@10 per kind\n", _table(["kind", *configs], rows)]
    for config, scores in summary["answers"].items():
        rows = [[kind, scores["per_kind"].get(kind, {}).get("n"),
                 *(scores["per_kind"].get(kind, {}).get(m) for m in ANSWER_METRICS)] for kind in kinds]
        parts += [f"\n### Answer metrics per kind ({config})\n", _table(["kind", "n", *ANSWER_METRICS], rows)]
    return "\n".join(parts)


def render_markdown(summary: dict, charts: list[str]) -> str:
    """The whole report as Markdown."""
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(summary["kinds"].items()))
    lines = [
        "# 政策问答 evaluation report", "",
        f"Generated {summary['generated']} · {summary['questions']} questions ({kinds}) · "
        f"embedder `{summary['embedder'].get('kind', '?')}:{summary['embedder'].get('model', '?')}`", "",
        f"Reproduce: `{REPRODUCE}`", "",
        "## Retrieval (top 10)", "", retrieval_table(summary), "",
        "Relevant = the clause (naive: the chunk) holds a gold span. Metrics by `ir_measures`; "
        "TREC qrels and runs in `trec/`.", "",
    ]
    unmatched = {c: s["unmatched_queries"] for c, s in summary["retrieval"].items() if s["unmatched_queries"]}
    if unmatched:
        lines += [f"Questions whose gold span no unit holds (not scored): {unmatched}", ""]
    if summary["answers"]:
        lines += ["## Answers", "", answer_table(summary), ""]
    lines += [note for note in summary.get("notes", [])] + [""]
    if summary.get("judge"):
        lines += ["## LLM judge", "", "```", json.dumps(summary["judge"], ensure_ascii=False, indent=1), "```", ""]
    lines += ["## Per kind", "", per_kind_tables(summary), "", "## Charts", ""]
    lines += [f"![{name}]({name})" for name in charts]
    return "\n".join(lines) + "\n"


def draw_charts(summary: dict, out_dir: Path) -> list[str]:
    """PNG charts (English labels: a CJK font may be missing); returns the file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = []
    configs = list(summary["retrieval"])
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / max(1, len(configs))
    for i, config in enumerate(configs):
        values = [summary["retrieval"][config]["overall"].get(m, 0.0) for m in METRIC_NAMES]
        ax.bar(np.arange(len(METRIC_NAMES)) + i * width, values, width, label=config)
    ax.set_xticks(np.arange(len(METRIC_NAMES)) + width * (len(configs) - 1) / 2, METRIC_NAMES)
    ax.set_ylim(0, 1)
    ax.set_title("Retrieval by configuration")
    ax.legend(loc="lower right")
    names.append(_save(fig, out_dir, "retrieval.png"))

    kinds = sorted(k for k in summary["kinds"] if k != "unanswerable")
    fig, ax = plt.subplots(figsize=(10, 4))
    for i, config in enumerate(configs):
        values = [summary["retrieval"][config]["per_kind"].get(k, {}).get("R@10", 0.0) for k in kinds]
        ax.bar(np.arange(len(kinds)) + i * width, values, width, label=config)
    ax.set_xticks(np.arange(len(kinds)) + width * (len(configs) - 1) / 2, kinds, rotation=30, ha="right")
    ax.set_ylim(0, 1)
    ax.set_title("Recall@10 per question kind")
    ax.legend(loc="lower right")
    names.append(_save(fig, out_dir, "recall_per_kind.png"))

    for config, scores in summary["answers"].items():
        values = [scores["overall"].get(m) or 0.0 for m in ANSWER_METRICS]
        fig, ax = plt.subplots(figsize=(9, 4))
        ax.barh(list(ANSWER_METRICS), values, color="tab:green")
        ax.set_xlim(0, 1)
        ax.invert_yaxis()
        ax.set_title(f"Answer metrics ({config})")
        names.append(_save(fig, out_dir, f"answers_{config}.png"))
    return names


def _save(fig: Figure, out_dir: Path, name: str) -> str:
    fig.tight_layout()
    fig.savefig(out_dir / name, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return name


def write_outputs(evaluation: dict, out_dir: Path) -> Path:
    """Write summary.json, details.json, trec/*, charts and report.md; returns the report path."""
    out_dir = Path(out_dir)
    (out_dir / "trec").mkdir(parents=True, exist_ok=True)
    summary = evaluation["summary"]
    for name, qrels in evaluation["qrels"].items():
        write_qrels(out_dir / "trec" / f"qrels.{name}.txt", qrels)
    for config, run in evaluation["runs"].items():
        write_run(out_dir / "trec" / f"run.{config}.txt", run, config)
    details = {"retrieval": {c: s.pop("per_query") for c, s in summary["retrieval"].items()},
               "answers": {c: s.pop("per_question") for c, s in summary["answers"].items()}}
    (out_dir / "details.json").write_text(json.dumps(details, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    charts = draw_charts(summary, out_dir)
    report = out_dir / "report.md"
    report.write_text(render_markdown(summary, charts), encoding="utf-8")
    return report
