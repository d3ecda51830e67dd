"""A changed write to Milvus that copies nothing out of it: only the files that changed are read,
chunked, embedded and written, and the catalogue's corpus statistics are updated by difference.

The store keeps the offline embedder's fit, so a new file embedded here gets the vectors a full
rebuild would give it, and every unchanged document keeps its rows. The document frequencies and
the mean clause length lose the replaced documents' clauses (their words read back from Milvus)
and gain the new ones'. Where a change touches every row (another embedder, a refit because most
of the corpus is new, the neural sentence model appearing or gone, another index format) this
returns None and the writer takes the whole-index path (index/milvus_writer.py).
"""
from __future__ import annotations

import json
import sys
import time
from collections import Counter
from dataclasses import dataclass

from index import sources
from index.backend import Change
from index.embedders import EmbedderChoice, load_embedder, resolve_embedder
from index.entries import FileEntry, assemble, embed_entries
from index.local_files import FORMAT_VERSION, StoredIndex
from index.milvus_catalogue import Catalogue, show
from index.milvus_lock import HeldLock
from index.milvus_store import CLAUSES, PIECES, MilvusStore, document_versions, rows_made_by
from index.offline_embedder import KIND as OFFLINE_KIND
from index.offline_embedder import OfflineEmbedder
from index.pieces import bm25_text
from index.plan import (
    embedder_matches,
    kept_paths,
    load_changed,
    ordered_entries,
    refit_needed,
    semantic_current,
    tokenized,
)
from index.report import IngestReport
from index.semantic import semantic_embedder
from index.semantic_store import SemanticSentences
from policyqa.config import Settings
from policyqa.model import Clause


@dataclass(frozen=True)
class DeltaPlan:
    """What a changed write is to do: the embedder, every file's entry in order (those read again
    with their clauses), each document's clause count and row version, and the new manifest."""

    choice: EmbedderChoice
    entries: list[FileEntry]
    clause_counts: dict[str, int]
    manifest: dict
    versions: dict[str, str]

    def written(self, held: dict[str, str]) -> list[FileEntry]:
        """The entries whose documents the store does not hold in this version."""
        return [e for e in self.entries if held.get(e.document.doc_id) != self.versions[e.document.doc_id]]


def plan_change(catalogue: Catalogue, hashes: dict[str, str], settings: Settings, change: Change,
                report: IngestReport) -> DeltaPlan | None:
    """The changed write that makes the store hold exactly the files of `hashes` (read errors and
    the added, updated and removed files go to `report`); None when the change needs the whole index
    rebuilt."""
    manifest = catalogue.manifest
    choice = resolve_embedder(settings.embed_model, announce=False)
    if (manifest.get("format_version") != FORMAT_VERSION or not semantic_current(manifest, settings)
            or not embedder_matches(manifest.get("embedder", {}), choice)):
        return None
    indexed: dict[str, dict] = manifest.get("files", {})
    loaded = load_changed(hashes, indexed, change.loader or sources.load_file, report)
    kept_clauses = sum(indexed[p]["clauses"] for p in kept_paths(hashes, loaded, indexed))
    if refit_needed(choice, kept_clauses, sum(len(e.clauses) for e in loaded.values())):
        return None
    documents = catalogue.documents_by_id()
    entries = ordered_entries(hashes, loaded, indexed, lambda path: FileEntry(
        path, indexed[path]["content_hash"], documents[indexed[path]["doc_id"]], []), report)
    clause_counts = {e.document.doc_id: len(e.clauses) if e.path in loaded else catalogue.clause_counts[e.document.doc_id]
                     for e in entries}
    new_manifest = {**manifest, "files": {e.path: {"content_hash": e.content_hash, "doc_id": e.document.doc_id,
                                                   "clauses": clause_counts[e.document.doc_id]} for e in entries},
                    "clause_count": sum(clause_counts.values())}
    with_semantic = bool(manifest.get("semantic", {}).get("dim"))
    versions = document_versions(new_manifest, rows_made_by(catalogue.embedder_files, with_semantic))
    return DeltaPlan(choice, entries, clause_counts, new_manifest, versions)


def write_changed(store: MilvusStore, catalogue: Catalogue, hashes: dict[str, str], settings: Settings,
                  change: Change, report: IngestReport, lock: HeldLock) -> IngestReport | None:
    """Make the store hold exactly the files of `hashes`, writing only the documents that changed;
    None (nothing written) when the change needs the whole index rebuilt."""
    start = time.perf_counter()
    plan = plan_change(catalogue, hashes, settings, change, report)
    if plan is None:
        return None
    report.notices += [plan.choice.notice] if plan.choice.notice else []
    report.embedder = f"{plan.choice.kind}:{plan.choice.model}"
    report.clause_count = plan.manifest["clause_count"]
    if not (report.added or report.updated or report.removed):
        return report  # only files that failed to load: nothing to write

    held = catalogue.versions
    written = plan.written(held)
    if written:
        changed = _embedded(written, catalogue, plan.manifest, plan.choice, settings, change.progress)
        if changed is None:
            return None  # the sentence model did not load though it should: the whole path says why
        report.embedded_pieces = int(changed.dense.piece_rows.size)
        store.write_documents(changed, plan.versions, {e.document.doc_id for e in written})

    gone = {d: v for d, v in held.items() if plan.versions.get(d) != v}  # replaced or removed: their rows go
    frequencies, total_length, gone_pieces = _without(store, catalogue, gone)
    for entry in written:
        for tokens in entry.tokens or []:
            frequencies.update(set(tokens))
            total_length += len(tokens)
    new_manifest = {**plan.manifest,
                    "piece_count": (int(catalogue.manifest.get("piece_count", 0)) - gone_pieces
                                    + sum(sum(e.piece_counts or []) for e in written)),
                    "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "build_seconds": round(time.perf_counter() - start, 3)}

    shown = show(store, Catalogue(new_manifest, [e.document for e in plan.entries], plan.versions,
                                  plan.clause_counts, {t: n for t, n in frequencies.items() if n > 0},
                                  total_length / max(report.clause_count, 1), catalogue.embedder_files), held, lock)
    report.notices.append(f"Milvus：写入 {len(shown.written)} 份文件，移除 {len(shown.removed)} 份")
    report.written = True
    return report


def _embedded(written: list[FileEntry], catalogue: Catalogue, manifest: dict, choice: EmbedderChoice,
              settings: Settings, progress: bool) -> StoredIndex | None:
    """The new documents' clauses, tokens and vectors (with the store's embedder fit), as the rows
    Milvus is given are made from them; None when the store has sentence vectors and the model
    to make them does not load."""
    semantic_model = None
    if manifest.get("semantic", {}).get("dim"):
        semantic_model = semantic_embedder(settings.semantic_model, settings.cache_folder)[0]
        if semantic_model is None:
            return None
    tokenized(written)
    embedder = (OfflineEmbedder.from_files(catalogue.embedder_files) if choice.kind == OFFLINE_KIND
                else load_embedder(choice))
    embed_entries(written, embedder, progress)
    changed = assemble(written, manifest, int(manifest["embedder"]["dim"]))
    if semantic_model is not None:  # sentences cached by text: only new wording is embedded
        changed.semantic = SemanticSentences.build(changed.clauses, semantic_model, exact_below=sys.maxsize)
    return changed


def _without(store: MilvusStore, catalogue: Catalogue, gone: dict[str, str]) -> tuple[Counter[str], float, int]:
    """The catalogue's document frequencies and total BM25 words without the clauses of the `gone`
    documents (read back from Milvus), and how many dense pieces those documents had."""
    frequencies: Counter[str] = Counter(catalogue.document_frequencies)
    total_length = catalogue.average_length * catalogue.clause_count
    pieces = 0
    documents = catalogue.documents_by_id()
    for doc_id, version in sorted(gone.items()):
        for row in store.document_rows(CLAUSES, doc_id, version, ["record", "text"]):
            clause = Clause.from_json(json.loads(row["record"]), documents[doc_id])
            tokens = store.tokens_of(row["text"], bm25_text(clause))
            frequencies.subtract(set(tokens))
            total_length -= len(tokens)
        pieces += len(store.document_rows(PIECES, doc_id, version, []))
    return frequencies, total_length, pieces

