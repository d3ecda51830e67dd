"""Retrieval benchmark: ingest time, index size, query latency (bm25/dense/hybrid), peak memory.

Run `python -m eval.benchmark_retrieval [--clauses 100000 1000000] [--skip-large] [--semantic off]`.
Corpora: the bundled one, and synthetic ones of N clauses made by recombining real sentences of the
bundled clauses (seeded). Queries are timed in a fresh subprocess so its peak memory is the memory
needed to serve the index; the same process reports the dense index's layout (exact, or HNSW from
POLICYQA_EXACT_SEARCH_BELOW pieces) and its recall@10 against exact search over the same vectors.
Results: eval/bench/retrieval.json and eval/bench/retrieval.md.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from eval.answer_metrics import p50_p95, percentile
from index.plan import Loader
from policyqa.config import BUNDLED_CORPUS, Settings
from policyqa.model import Clause, Document

if TYPE_CHECKING:
    from index.contract import SearchIndex

OUT_DIR = Path(__file__).resolve().parent / "bench"
QUERIES = [
    "外贸企业出口信用保险补助比例是多少", "温州2024年对企业出口信用保险保费补助多少", "我们厂去国外参展政府给报销多少",
    "专精特新小巨人企业有什么奖励", "首台套产品有什么补助", "腾笼换鸟怎么支持", "规上企业技术改造补助",
    "乐清市的人才政策", "瑞安2025年跨境电商扶持", "高企认定奖励多少", "亩均效益评价", "以旧换新补贴",
    "贷款贴息政策", "融资担保费补助", "小微企业社保费减免", "新能源汽车消费补贴", "农业产业园建设",
    "数字化改造项目补助比例", "外贸企业汇率避险", "稳岗返还", "招商引资重大项目奖励", "首版次软件",
    "制造业中长期贷款", "服务业重大项目", "养老服务资金补助", "文旅消费券", "建筑业企业奖励",
    "科技型中小企业研发费用", "出口信保", "企业上市奖励",
]
SPLIT = re.compile(r"(?<=[。；！？])")
REGIONS = [("温州市", 2024), ("瑞安市", 2023), ("乐清市", 2023), ("瑞安市", 2025)]


def peak_rss_mb() -> float:
    """Peak resident memory of this process: VmHWM (getrusage's maxrss survives fork+exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def synthetic_loader(sentences: list[str], clauses_per_file: int) -> Loader:
    """A loader making `clauses_per_file` clauses of 2-3 recombined sentences from a seed file."""
    def load(path: Path) -> tuple[Document, list[Clause]]:
        seed = int(path.read_text(encoding="utf-8"))
        rng = random.Random(seed)
        region, year = REGIONS[seed % len(REGIONS)]
        doc = Document(doc_id=path.stem, title=f"合成政策{seed}", region=region, year=year,
                       source_path=str(path), content_hash=hashlib.sha256(path.read_bytes()).hexdigest())
        clauses = []
        for i in range(clauses_per_file):
            text = "".join(rng.sample(sentences, rng.choice((2, 3))))
            clauses.append(Clause(clause_id=f"{path.stem}:{i + 1}", doc=doc, path=(f"{rng.randint(1, 8)}、领域",),
                                  number=str(i + 1), title=text[:12], text=f"{i + 1}. {text}", locator=str(i + 1),
                                  ordinal=i))
        return doc, clauses
    return load


def real_sentences(index_dir: Path) -> list[str]:
    from index.backend import open_index

    opened = open_index(Settings(index_dir=index_dir, embed_model="offline"))
    return [s for c in opened.clauses for s in SPLIT.split(c.text) if len(s) >= 12]


def synthetic_corpus(folder: Path, clauses: int, seed_index: Path,
                     per_file: int = 1000) -> tuple[Path, Loader]:
    """A folder of seed files and the loader that makes `clauses` clauses from them (sentences of
    the index at `seed_index`, recombined). Files already there are written again (a run stopped
    while one of them was changed gets it back)."""
    folder.mkdir(exist_ok=True)
    for n in range(max(1, clauses // per_file)):
        (folder / f"synthetic-{n:04d}.txt").write_text(str(n), encoding="utf-8")
    return folder, synthetic_loader(real_sentences(seed_index), per_file)


def build(paths: list[Path], index_dir: Path, loader: Loader | None = None, semantic: str = "e5") -> dict:
    from index.build import ingest_paths
    from policyqa.config import load_settings

    settings = load_settings().with_overrides(index_dir=index_dir, embed_model="offline", semantic_model=semantic)
    started = time.perf_counter()
    report = ingest_paths(paths, settings, progress=True, loader=loader)
    ingest_s = time.perf_counter() - started
    started = time.perf_counter()
    again = ingest_paths(paths, settings, loader=loader)
    return {"clauses": report.clause_count, "ingest_s": round(ingest_s, 2),
            "reingest_unchanged_s": round(time.perf_counter() - started, 3), "reingest_wrote": again.written,
            "index_bytes": folder_size(index_dir),
            "build_peak_rss_mb": peak_rss_mb()}


def serve(index_dir: Path, rounds: int, ef_sweep: Sequence[int] = ()) -> dict:
    """Open the index and time every query in every mode (runs in its own process)."""
    from index.backend import open_index
    from index.tokenize import tokenize_query

    started = time.perf_counter()
    opened = open_index(Settings(index_dir=index_dir, embed_model="offline"))
    open_s = time.perf_counter() - started
    for query in QUERIES[:3]:  # warm-up: jieba dictionary, FAISS, first allocations
        opened.search(query, 10)
    latencies: dict[str, list[float]] = {"bm25": [], "dense": [], "hybrid": []}
    for _ in range(rounds):
        for query in QUERIES:
            for mode in latencies:
                tokenize_query.cache_clear()  # time tokenisation too, not the cache
                started = time.perf_counter()
                opened.search(query, 10, mode=mode)
                latencies[mode].append((time.perf_counter() - started) * 1000)
    first_answer_s, latencies["answer"] = answer_latencies(index_dir, opened)
    serve_rss = peak_rss_mb()  # before the exact copy below, which serving never makes
    latencies["sentences"] = sentence_latencies(index_dir, rounds, opened.config.candidates)
    return {"open_s": round(open_s, 3), "queries": len(QUERIES) * rounds, "first_answer_s": first_answer_s,
            "latency_ms": {mode: p50_p95(v) for mode, v in latencies.items() if v},
            "serve_peak_rss_mb": serve_rss, **dense_recall(index_dir, ef_sweep)}


def sentence_latencies(index_dir: Path, rounds: int, depth: int) -> list[float]:
    """Milliseconds of the sentence-level ranking alone (hybrid search's third ranking), for every
    query: the index's sentence BM25 opened on its own, as the search opens it."""
    from index.sentences import SentenceIndex
    from index.tokenize import tokenize_query

    sentences = SentenceIndex.load(index_dir)
    if sentences is None:
        return []
    timed = []
    for _ in range(rounds):
        for query in QUERIES:
            tokenize_query.cache_clear()
            started = time.perf_counter()
            sentences.search(tokenize_query(query), depth)
            timed.append((time.perf_counter() - started) * 1000)
    return timed


def answer_latencies(index_dir: Path, opened: SearchIndex) -> tuple[float, list[float]]:
    """Seconds to the first answer over an opened index (the answer layer reads the corpus text and
    statistics then), and the milliseconds of every benchmark question answered after it."""
    from app.service import AnswerService

    service = AnswerService(Settings(index_dir=index_dir, embed_model="offline"), index=opened)
    started = time.perf_counter()
    service.ask(QUERIES[0])
    first = round(time.perf_counter() - started, 3)
    warm = []
    for query in QUERIES:
        started = time.perf_counter()
        service.ask(query)
        warm.append((time.perf_counter() - started) * 1000)
    return first, warm


def dense_recall(index_dir: Path, ef_sweep: Sequence[int] = ()) -> dict:
    """The dense index's layout, and the share of exact search's 10 best clauses it returns for the
    benchmark's queries (1.0 for an exact index); for an HNSW index also the recall and latency at
    each candidate count of `ef_sweep` (how the layout's ef_search was chosen)."""
    from index.dense import DenseIndex
    from index.embedders import load_embedder
    from index.local_files import EMBEDDER_DIR

    dense = DenseIndex.load(index_dir)
    layout = dense.layout.to_json()
    if dense.layout.kind == "flat":
        return {"dense_index": layout, "dense_recall_at_10": 1.0}
    exact = DenseIndex.build(dense.vectors_of(np.arange(dense.size)), dense.piece_rows, dense.dim)
    vectors = load_embedder("offline", fitted_dir=index_dir / EMBEDDER_DIR).embed_queries(QUERIES)
    truths = [set(exact.search(vector, 10)[0].tolist()) for vector in vectors]

    def recall() -> float:
        found = [set(dense.search(vector, 10)[0].tolist()) for vector in vectors]
        return round(float(np.mean([len(t & f) / max(len(t), 1) for t, f in zip(truths, found, strict=True)])), 3)

    result: dict[str, Any] = {"dense_index": layout, "dense_recall_at_10": recall()}
    sweep = {}
    for ef in ef_sweep:
        dense.set_ef_search(ef)
        latencies = []
        for vector in vectors:
            started = time.perf_counter()
            dense.search(vector, 10)
            latencies.append((time.perf_counter() - started) * 1000)
        sweep[str(ef)] = {"recall_at_10": recall(), "p50_ms": round(percentile(latencies, 50), 2),
                          "p95_ms": round(percentile(latencies, 95), 2)}
    if sweep:
        result["ef_search_sweep"] = sweep
    return result


def serve_in_subprocess(index_dir: Path, rounds: int, ef_sweep: Sequence[int] = ()) -> dict:
    output = subprocess.run([sys.executable, "-m", "eval.benchmark_retrieval", "--serve", str(index_dir),
                             "--rounds", str(rounds), "--ef-search", *map(str, ef_sweep)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def write_results(stem: str, results: dict, render: Callable[[dict], str]) -> str:
    """Write bench/<stem>.json and .md and return the markdown. Corpora this run did not measure
    (`--skip-large`) are carried over from the previous file, with the date they were measured."""
    path = OUT_DIR / f"{stem}.json"
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    carried = dict(results.get("carried_over", {}))
    for name, rows in previous.get("corpora", {}).items():
        if name not in results["corpora"]:
            results["corpora"][name] = rows
            carried[name] = previous.get("carried_over", {}).get(name, previous.get("date", "?"))
    if carried:
        results["carried_over"] = carried
    text = render(results)
    if carried:
        text += "\nCarried over from earlier runs: " + "; ".join(f"{n} ({d})" for n, d in carried.items()) + ".\n"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    (OUT_DIR / f"{stem}.md").write_text(text, encoding="utf-8")
    return text


def markdown(results: dict) -> str:
    lines = ["# Retrieval benchmark (offline embedder)", "",
             f"Machine: {results['machine']}; {results['date']}.", "",
             "| corpus | clauses | ingest s | unchanged re-ingest s | index MB | open s | "
             "bm25 p50/p95 ms | dense p50/p95 ms | sentences p50/p95 ms | hybrid p50/p95 ms | first answer s | "
             "answer p50/p95 ms | peak RSS build / serve MB | dense index | recall@10 vs exact |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"]
    for name, r in results["corpora"].items():
        lat = r["latency_ms"]
        lines.append(f"| {name} | {r['clauses']} | {r['ingest_s']} | {r['reingest_unchanged_s']} | "
                     f"{r['index_bytes'] / 1e6:.1f} | {r['open_s']} | "
                     + " | ".join(_p50_p95(lat, m) for m in ("bm25", "dense", "sentences", "hybrid"))
                     + f" | {r.get('first_answer_s', '–')} | {_p50_p95(lat, 'answer')}"
                     + f" | {r['build_peak_rss_mb']} / {r['serve_peak_rss_mb']} | "
                     f"{_layout_name(r.get('dense_index', {}))} | {r.get('dense_recall_at_10', '–')} |")
    sweeps = [(name, ef, r) for name, row in results["corpora"].items()
              for ef, r in row.get("ef_search_sweep", {}).items()]
    if sweeps:
        lines += ["", "| corpus | HNSW ef_search | recall@10 vs exact | dense p50/p95 ms |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {name} | {ef} | {r['recall_at_10']} | {r['p50_ms']} / {r['p95_ms']} |" for name, ef, r in sweeps]
    lines += ["", f"Neural sentence model at ingest: {results.get('semantic', 'e5')}.",
              "Targets: hybrid p95 ≤ 30 ms (bundled), ≤ 150 ms (100,000 clauses), ≤ 100 ms and recall@10 ≥ 0.95 "
              "(1,000,000 clauses)."]
    return "\n".join(lines) + "\n"


def _p50_p95(latency_ms: dict, mode: str) -> str:
    return f"{latency_ms[mode]['p50']} / {latency_ms[mode]['p95']}" if mode in latency_ms else "–"


def _layout_name(layout: dict) -> str:
    """"flat", or "hnsw" with how its vectors are held ("hnsw fp16")."""
    kind = layout.get("kind", "flat")
    return f"{kind} {layout['vectors']}" if kind == "hnsw" and "vectors" in layout else kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clauses", type=int, nargs="+", default=[100_000], help="sizes of the synthetic corpora")
    parser.add_argument("--semantic", default="e5", choices=("e5", "off"),
                        help="the neural sentence model at ingest (off: as a corpus too large to embed)")
    parser.add_argument("--skip-large", action="store_true", help="only the bundled corpus")
    parser.add_argument("--rounds", type=int, default=3, help="times each query is run per mode")
    parser.add_argument("--ef-search", type=int, nargs="*", default=[],
                        help="for an HNSW index, also recall and latency at these candidate counts")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        print(json.dumps(serve(args.serve, args.rounds, args.ef_search)))
        return 0
    import os
    import platform

    results: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "date": time.strftime("%Y-%m-%d %H:%M"), "semantic": args.semantic, "corpora": {}}
    with tempfile.TemporaryDirectory(prefix="policyqa-bench-") as tmp:
        work = Path(tmp)
        bundled = work / "bundled-index"
        results["corpora"]["bundled"] = build([BUNDLED_CORPUS], bundled, semantic=args.semantic)
        results["corpora"]["bundled"].update(serve_in_subprocess(bundled, args.rounds))
        for size in [] if args.skip_large else args.clauses:
            files, loader = synthetic_corpus(work / f"synthetic-{size}", size, bundled)
            large = work / f"index-{size}"
            name = f"synthetic-{size}"
            results["corpora"][name] = build([files], large, loader, args.semantic)
            results["corpora"][name].update(serve_in_subprocess(large, args.rounds, args.ef_search))
            shutil.rmtree(large, ignore_errors=True)  # the next size needs the disk
    print(write_results("retrieval", results, markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
