"""Index backends side by side in one run: FAISS + bm25s, Milvus Lite, and the llama-index default.

    python -m eval.benchmark_backends                 # bundled corpus and 100,000 synthetic clauses
    python -m eval.benchmark_backends --skip-large    # bundled corpus only
    python -m eval.benchmark_backends --clauses 1000000 --large-backends milvus
                                                      # one backend at 1M (the other's row kept)

Per backend and corpus: build time, re-ingest time with nothing changed and (synthetic corpus) with
one file of 1,000 clauses changed, index size on disk, open time, the first search's time (Milvus
Lite loads a collection when it is first searched), p50/p95 per retrieval mode, each query's first
(hybrid) search apart from its repeats (a reader keeps recent question vectors, and a Milvus reader the
sentence vectors it fetched),
peak RSS while building and while serving, and recall@5 / MRR@10 of the gold clause on the
project's questions and the development set (bundled corpus). Every build and every serving run is
a process of its own, and the backends take turns going first (corpus by corpus), so neither
inherits the other's warm caches. Milvus Lite serves from a process of its own: its peak memory is
reported beside the query process's.
Beside them, the pipeline a user would assemble from llama-index defaults over the same files:
VectorStoreIndex (default SentenceSplitter, the same offline embedder) + BM25Retriever, fused by
QueryFusionRetriever(num_queries=1, reciprocal rank) — its recall is scored on its own chunks.
Results: eval/bench/backends.json and .md. A run at 1M takes hours: `--work-dir FOLDER` keeps its
indexes and each finished stage's figures there, so a run that was stopped resumes at the stage it
was in (a build stopped halfway starts again; a re-ingest stopped halfway first settles the index).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.answer_metrics import p50_p95
from eval.benchmark_retrieval import (
    QUERIES,
    folder_size,
    peak_rss_mb,
    real_sentences,
    synthetic_corpus,
    synthetic_loader,
    write_results,
)
from eval.decision_training import evaluation_sources
from eval.questions import Question
from eval.retrieval_metrics import score_retrieval
from eval.trec import build_qrels, run_from_rankings
from index.backend import BACKENDS
from index.plan import Loader
from policyqa.config import BUNDLED_CORPUS, Settings

MODES = ("bm25", "dense", "hybrid")
# searched before timing (the first of them times a reader's first search); none is among QUERIES
WARM_UP = ("研发费用加计扣除", "人才引进补贴", "农村公路改造提升")
SYNTHETIC_PER_FILE = 1000  # clauses per synthetic file


def backend_settings(index_dir: Path, backend: str, semantic: str = "e5") -> Settings:
    return Settings(index_dir=index_dir, embed_model="offline", index_backend=backend, semantic_model=semantic,
                    milvus_uri=str(index_dir / "milvus.db") if backend == "milvus" else "")


def _settings_for(index_dir: Path, backend: str, loader: Loader | None) -> Settings:
    """A synthetic corpus (`loader`) is indexed without the neural sentence vectors: e5 on its ~300k
    sentences takes hours on 2 cores (eval/benchmark_retrieval.py measures that model's graph separately)."""
    return backend_settings(index_dir, backend, "e5" if loader is None else "off")


def build(paths: list[Path], index_dir: Path, backend: str, loader: Loader | None = None) -> dict[str, Any]:
    """Ingest into a new index on `backend` and time it."""
    from index.build import ingest_paths

    started = time.perf_counter()
    report = ingest_paths(paths, _settings_for(index_dir, backend, loader), loader=loader)
    ingest_s = time.perf_counter() - started
    lite = index_dir / "milvus.db"
    milvus_bytes = (lite.stat().st_size if lite.is_file() else folder_size(lite)) if lite.exists() else 0
    return {"clauses": report.clause_count, "ingest_s": round(ingest_s, 2),
            "catalogue_bytes": folder_size(index_dir) - milvus_bytes, "milvus_bytes": milvus_bytes,
            "build_peak_rss_mb": peak_rss_mb()}


def reingest(paths: list[Path], index_dir: Path, backend: str, loader: Loader | None = None,
             settle: bool = False) -> dict[str, Any]:
    """Time a re-ingest with nothing changed and, on a synthetic corpus, one with one file changed (its
    file is put back afterwards). `settle`: an earlier run stopped inside this stage, so the index may
    still hold the changed file; an untimed ingest first brings it back in line with the files."""
    from index.build import ingest_paths

    settings = _settings_for(index_dir, backend, loader)
    if settle:
        ingest_paths(paths, settings, loader=loader)
    started = time.perf_counter()
    ingest_paths(paths, settings, loader=loader)
    result: dict[str, Any] = {"reingest_unchanged_s": round(time.perf_counter() - started, 3)}
    if loader is not None:
        one = sorted(paths[0].glob("*.txt"))[-1]
        seed = one.read_text(encoding="utf-8")
        one.write_text(str(int(seed) + 1_000_000), encoding="utf-8")  # another seed: all its clauses new
        try:
            started = time.perf_counter()
            changed = ingest_paths(paths, settings, loader=loader)
            result["reingest_one_changed_s"] = round(time.perf_counter() - started, 2)
            result["reingest_one_changed_pieces"] = changed.embedded_pieces
        finally:
            one.write_text(seed, encoding="utf-8")
    return result


class Stages:
    """Each finished stage's figures, kept in `folder` so that a stopped run resumes where it was.
    A stage is one process of its own (see _in_subprocess); its figures are written atomically once
    it has finished, and reported on stderr as they come."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "stages"
        self.folder.mkdir(parents=True, exist_ok=True)

    def done(self, name: str) -> dict[str, Any] | None:
        path = self.folder / f"{name}.json"
        return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None

    def started(self, name: str) -> bool:
        return (self.folder / f"{name}.started").is_file()

    def run(self, name: str, *args: str) -> dict[str, Any]:
        kept = self.done(name)
        if kept is not None:
            print(f"{name}: kept from an earlier run", file=sys.stderr, flush=True)
            return kept
        (self.folder / f"{name}.started").touch()
        result = _in_subprocess(*args)
        path = self.folder / f"{name}.json"
        path.with_suffix(".tmp").write_text(json.dumps(result), encoding="utf-8")
        path.with_suffix(".tmp").replace(path)
        print(f"{name}: {json.dumps(result)}", file=sys.stderr, flush=True)
        return result


def measure(stages: Stages, label: str, folder: Path, backend: str, corpus_args: Sequence[str],
            serve_args: Sequence[str]) -> dict[str, Any]:
    """Build, re-ingest and serve one backend on one corpus, each a stage. A build with no figures
    kept did not finish: whatever it left in `folder` is removed first."""
    if stages.done(f"{label}-build") is None:
        shutil.rmtree(folder, ignore_errors=True)
    row = stages.run(f"{label}-build", "--build", str(folder), "--backend", backend, *corpus_args)
    settle = ("--settle",) if stages.started(f"{label}-reingest") else ()
    row.update(stages.run(f"{label}-reingest", "--reingest", str(folder), "--backend", backend, *corpus_args,
                          *settle))
    row.update(stages.run(f"{label}-serve", "--serve", str(folder), "--backend", backend, *serve_args))
    return row


def lite_server_peak_mb() -> float | None:
    """Peak resident memory of the Milvus Lite server this process started (None: none running)."""
    import os

    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip()) == os.getpid() and "milvus" in fields.get("Name", ""):
            return round(int(fields.get("VmHWM", "0 kB").split()[0]) / 1024, 1)
    return None


def _recall(rankings: dict[str, list[str]], questions: Sequence[Question],
            units: list[tuple[str, str, str]]) -> dict[str, float]:
    qrels = build_qrels(questions, units)
    scored = score_retrieval(qrels, run_from_rankings(rankings), {q.qid: q.kind for q in questions})["overall"]
    return {"R@5": round(scored["R@5"], 3), "RR@10": round(scored["RR@10"], 3)}


def serve(index_dir: Path, backend: str, rounds: int, with_recall: bool) -> dict[str, Any]:
    """Open the index and time every query in every mode (runs in its own process)."""
    from index.backend import open_index
    from index.tokenize import tokenize_query

    started = time.perf_counter()
    opened = open_index(backend_settings(index_dir, backend))
    open_s = time.perf_counter() - started
    # Milvus Lite loads a collection on its first search, not at open: at 1M clauses that load is
    # what a freshly started reader waits for, so it is reported beside the warm figures
    started = time.perf_counter()
    opened.search(WARM_UP[0], 10)
    first_search_s = time.perf_counter() - started
    for query in WARM_UP[1:]:
        opened.search(query, 10)
    # A reader keeps recent question vectors (and a Milvus reader the sentence vectors it fetched), so
    # a query searched again is cheaper than the first time: each query's first search (hybrid, as the
    # product asks) is reported on its own
    first_time: list[float] = []
    latencies: dict[str, list[float]] = {mode: [] for mode in MODES}
    for round_number in range(rounds):
        for query in QUERIES:
            for mode in ("hybrid", "bm25", "dense") if round_number == 0 else MODES:
                tokenize_query.cache_clear()
                started = time.perf_counter()
                opened.search(query, 10, mode=mode)
                elapsed = (time.perf_counter() - started) * 1000
                (first_time if round_number == 0 and mode == "hybrid" else latencies[mode]).append(elapsed)
    result: dict[str, Any] = {
        "open_s": round(open_s, 3), "first_search_s": round(first_search_s, 3),
        "first_time_hybrid_ms": p50_p95(first_time),
        "latency_ms": {m: p50_p95(v) for m, v in latencies.items() if v}}
    if with_recall:
        units = [(c.clause_id, c.doc.doc_id, c.text) for c in opened.clauses]
        result["recall"] = {}
        for source, questions in evaluation_sources().items():
            asked = [q for q in questions if q.answerable and source in ("project", "dev")]
            if asked:
                rankings = {q.qid: [h.clause.clause_id for h in opened.search(q.question, 10)] for q in asked}
                result["recall"][source] = _recall(rankings, asked, units)
    result["serve_peak_rss_mb"] = peak_rss_mb()  # before the exact search below opens a second reader
    if backend == "milvus":
        result["dense_recall_at_10"] = _recall_against_exact(opened, index_dir)
    server = lite_server_peak_mb()
    if server is not None:
        result["lite_server_peak_mb"] = server
    return result


def _recall_against_exact(opened: Any, index_dir: Path) -> float:
    """The share of exact search's 10 best clauses that the dense search returns for the benchmark's
    queries: Milvus Lite reads all of its inverted lists for the exact answer."""
    from index.backend import open_index
    from index.milvus_store import LITE_LISTS

    exact = open_index(backend_settings(index_dir, "milvus").with_overrides(milvus_nprobe=LITE_LISTS))
    found = 0
    for query in QUERIES:
        approximate = {h.clause.clause_id for h in opened.search(query, 10, mode="dense")}
        truth = {h.clause.clause_id for h in exact.search(query, 10, mode="dense")}
        found += len(approximate & truth)
    return round(found / (10 * len(QUERIES)), 3)


def llama_index_default(paths: list[Path], rounds: int) -> dict[str, Any]:
    """The peer: llama-index defaults over the same files and the same embedder, recall and latency."""
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core.embeddings import BaseEmbedding
    from llama_index.core.retrievers import QueryFusionRetriever
    from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
    from llama_index.retrievers.bm25 import BM25Retriever

    from index.embedders import load_embedder

    texts = [p.read_text(encoding="utf-8-sig") for p in paths]
    ours = load_embedder("offline", fit_texts=texts, probe=False, announce=False)

    class OfflineEmbedding(BaseEmbedding):
        """The product's offline embedder, as llama-index sees an embedding model."""

        def _get_query_embedding(self, query: str) -> list[float]:
            return ours.embed_queries([query])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return ours.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return ours.embed_passages(texts).tolist()

    LlamaSettings.llm = None
    started = time.perf_counter()
    index = VectorStoreIndex.from_documents([Document(text=t, doc_id=p.stem) for t, p in zip(texts, paths, strict=True)],
                                            embed_model=OfflineEmbedding())
    nodes = list(index.docstore.docs.values())
    retriever = QueryFusionRetriever(
        [index.as_retriever(similarity_top_k=10), BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=10)],
        similarity_top_k=10, num_queries=1, mode=FUSION_MODES.RECIPROCAL_RANK, use_async=False)
    build_s = time.perf_counter() - started
    units = [(n.node_id, n.ref_doc_id or "", n.get_content()) for n in nodes]
    latencies: list[float] = []
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            retriever.retrieve(query)
            latencies.append((time.perf_counter() - started) * 1000)
    recall = {}
    for source, questions in evaluation_sources().items():
        asked = [q for q in questions if q.answerable and source in ("project", "dev")]
        if asked:
            rankings = {q.qid: [n.node.node_id for n in retriever.retrieve(q.question)] for q in asked}
            recall[source] = _recall(rankings, asked, units)
    return {"chunks": len(nodes), "ingest_s": round(build_s, 2),
            "latency_ms": {"hybrid": p50_p95(latencies)},
            "recall": recall, "serve_peak_rss_mb": peak_rss_mb()}


def _in_subprocess(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "eval.benchmark_backends", *args], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


TABLE_COLUMNS = ("corpus", "backend", "units", "build s", "unchanged re-ingest s", "one file changed re-ingest s",
                 "disk MB (catalogue + Milvus)", "open s", "first search s", "bm25 p50/p95 ms", "dense p50/p95 ms",
                 "hybrid p50/p95 ms", "hybrid, query's first search p50/p95 ms", "dense recall@10 vs exact",
                 "R@5 / MRR@10 project", "R@5 / MRR@10 dev", "peak RSS build / serve MB")


def markdown(results: dict[str, Any]) -> str:
    # the alignment row is made from the header, so a column added to one cannot be missed in the other
    lines = ["# Index backends side by side (offline embedder)", "",
             f"Machine: {results['machine']}; {results['date']}.", "",
             "| " + " | ".join(TABLE_COLUMNS) + " |",
             "| --- | --- |" + " ---: |" * (len(TABLE_COLUMNS) - 2)]
    for corpus, by_backend in results["corpora"].items():
        for backend, r in by_backend.items():
            lat = r.get("latency_ms", {})
            cells = [f"{lat[m]['p50']} / {lat[m]['p95']}" if m in lat else "–" for m in MODES]
            first = r.get("first_time_hybrid_ms")
            cells.append(f"{first['p50']} / {first['p95']}" if first else "–")
            recall = r.get("recall", {})
            rec = [f"{recall[s]['R@5']} / {recall[s]['RR@10']}" if s in recall else "–" for s in ("project", "dev")]
            disk = (f"{r['catalogue_bytes'] / 1e6:.1f} + {r['milvus_bytes'] / 1e6:.1f}" if "catalogue_bytes" in r
                    else "in memory")
            serve_mb = f"{r.get('serve_peak_rss_mb', '–')}" + (f" + {r['lite_server_peak_mb']} (Lite server)"
                                                              if "lite_server_peak_mb" in r else "")
            lines.append(f"| {corpus} | {backend} | {r.get('clauses', r.get('chunks'))} | {r['ingest_s']} | "
                         f"{r.get('reingest_unchanged_s', '–')} | {r.get('reingest_one_changed_s', '–')} | "
                         f"{disk} | {r.get('open_s', '–')} | {r.get('first_search_s', '–')} | "
                         + " | ".join(cells) + f" | {r.get('dense_recall_at_10', '–')} | " + " | ".join(rec)
                         + f" | {r.get('build_peak_rss_mb', '–')} / {serve_mb} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clauses", type=int, default=100_000, help="size of the synthetic corpus")
    parser.add_argument("--skip-large", action="store_true", help="only the bundled corpus")
    parser.add_argument("--rounds", type=int, default=3, help="times each query is run per mode")
    parser.add_argument("--large-backends", nargs="+", choices=BACKENDS, default=list(BACKENDS),
                        help="backends measured on the synthetic corpus (default: all)")
    parser.add_argument("--work-dir", type=Path,
                        help="keep indexes and finished stages here; a run stopped halfway resumes from it")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--reingest", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--settle", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--files", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--backend", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--recall", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--peer", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        print(json.dumps(serve(args.serve, args.backend, args.rounds, args.recall)))
        return 0
    if args.build or args.reingest:
        # the synthetic corpus's loader is made again from the seed index's sentences
        paths, loader = (([BUNDLED_CORPUS], None) if args.files is None else
                         ([args.files], synthetic_loader(real_sentences(args.seed), SYNTHETIC_PER_FILE)))
        print(json.dumps(build(paths, args.build, args.backend, loader) if args.build else
                         reingest(paths, args.reingest, args.backend, loader, args.settle)))
        return 0
    bundled_files = sorted(BUNDLED_CORPUS.glob("*.txt"))
    if args.peer:
        print(json.dumps(llama_index_default(bundled_files, args.rounds)))
        return 0
    import os
    import platform

    results: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                          f"Python {platform.python_version()}",
                               "date": time.strftime("%Y-%m-%d %H:%M"), "corpora": {}}
    with contextlib.ExitStack() as cleanup:
        work = args.work_dir or Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="policyqa-backends-")))
        stages = Stages(work)
        rounds = ("--rounds", str(args.rounds))
        bundled: dict[str, Any] = {}
        for backend in BACKENDS:
            bundled[backend] = measure(stages, f"bundled-{backend}", work / f"bundled-{backend}", backend, (),
                                       (*rounds, "--recall"))
        bundled["llama-index default"] = stages.run("bundled-llama-index", "--peer", *rounds)
        results["corpora"]["bundled"] = bundled
        if not args.skip_large:
            from index.build import ingest_paths

            seed = work / "seed"  # the synthetic clauses' sentences (on a resumed run: an unchanged re-ingest)
            ingest_paths([BUNDLED_CORPUS], backend_settings(seed, "faiss"))
            files, _ = synthetic_corpus(work / f"synthetic-{args.clauses}", args.clauses, seed, SYNTHETIC_PER_FILE)
            large: dict[str, Any] = {}
            for backend in [b for b in reversed(BACKENDS) if b in args.large_backends]:  # the other goes first
                label = f"synthetic-{args.clauses}-{backend}"
                large[backend] = measure(stages, label, work / label, backend,
                                         ("--files", str(files), "--seed", str(seed)), rounds)
            results["corpora"][f"synthetic-{args.clauses}"] = large
    print(write_results("backends", results, markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
