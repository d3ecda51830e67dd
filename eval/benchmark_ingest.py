"""Ingest time against input size: texts up to 50 MB and HTML nested up to 100,000 levels.

python -m eval.benchmark_ingest [--max-mb 50] -> eval/bench/ingest.json
Times `policyqa clauses`' work (load, repair, structure, clauses) in this process on generated
inputs of growing size; linear time shows as a steady seconds-per-MB. Inputs: policy text repeated,
text with no Chinese punctuation at all (what made a validity pattern quadratic), and deeply nested
HTML (what made the HTML loader quadratic).
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from ingest.pipeline import load_document
from policyqa.config import BUNDLED_CORPUS, PROJECT_ROOT

OUTPUT = PROJECT_ROOT / "eval" / "bench" / "ingest.json"


def _policy_text(size: int) -> str:
    sample = (BUNDLED_CORPUS / "wenzhou-2024-policies.txt").read_text(encoding="utf-8")
    return (sample * (size // len(sample.encode("utf-8")) + 1))[: size // 3]


def _unpunctuated_text(size: int) -> str:
    line = "支持企业发展给予补助推动产业升级 " * 20 + "\n"
    return line * (size // len(line.encode("utf-8")) + 1)


def _nested_html(depth: int) -> str:
    return "<html><body>" + "<div>" * depth + "1. 支持外贸企业发展。" + "</div>" * depth + "</body></html>"


def _timed(folder: Path, name: str, text: str) -> dict:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    _, clauses = load_document(path)
    seconds = time.perf_counter() - started
    size_mb = path.stat().st_size / (1024 * 1024)
    return {"file": name, "mb": round(size_mb, 2), "seconds": round(seconds, 2),
            "seconds_per_mb": round(seconds / size_mb, 3) if size_mb else None, "clauses": len(clauses)}


def run(max_mb: int) -> dict:
    sizes = [s for s in (1, 5, 10, 25, 50) if s <= max_mb]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for mb in sizes:
            rows.append(_timed(Path(folder), f"policy-{mb}mb.txt", _policy_text(mb * 1024 * 1024)))
            rows.append(_timed(Path(folder), f"unpunctuated-{mb}mb.txt", _unpunctuated_text(mb * 1024 * 1024)))
        for depth in (10_000, 50_000, 100_000):
            rows.append(_timed(Path(folder), f"nested-{depth}.html", _nested_html(depth)) | {"depth": depth})
    return {"rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-mb", type=int, default=50)
    result = run(parser.parse_args().max_mb)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for row in result["rows"]:
        print(row)


if __name__ == "__main__":
    main()
