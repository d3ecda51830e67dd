"""The Milvus backend, write side: an ingest or removal against the index Milvus holds.

Milvus is the store of record, so a writer starts from what Milvus holds, not from a folder of its
own. Under the store's writer lock (index/milvus_lock.py) it decides, on the catalogue, which files
the index is to hold. When that is what the store holds, nothing is done. When the change leaves
most rows as they are, only the changed documents are read, embedded and written
(index/milvus_delta.py). Otherwise (another embedder, a refit, the sentence model appearing) it
exports the index into a temporary work folder, runs the same incremental ingest as the FAISS
backend there, and writes the documents that changed back. Either way the new rows are written
first, then the catalogue that shows them, then the replaced rows are deleted. The work folder is
deleted afterwards: nothing of the index stays on the writer's disk. Two writers, on one machine or
several, each see the other's documents.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from index.atomic import writer_lock
from index.backend import Change
from index.entries import FileEntry, assemble
from index.local_files import EMBEDDER_DIR, StoredIndex, average_token_count, read_index, write_index
from index.milvus_catalogue import Catalogue, read_catalogue, show
from index.milvus_delta import write_changed
from index.milvus_lock import HeldLock, milvus_writer_lock
from index.milvus_store import (
    CLAUSES,
    PIECES,
    SEMANTIC,
    SENTENCES,
    MilvusStore,
    SyncReport,
    document_versions,
    is_lite,
    milvus_uri,
    rows_made_by,
)
from index.offline_embedder import FILES as EMBEDDER_FILES
from index.offline_embedder import OfflineEmbedder
from index.pieces import bm25_text
from index.plan import semantic_current, unchanged, up_to_date
from index.report import IngestReport
from index.semantic_store import SemanticSentences
from index.sentences import clause_sentences
from index.tokenize import tokenize
from policyqa.config import Settings
from policyqa.model import Clause

log = logging.getLogger(__name__)
# a writer's work folder in the temporary folder: the prefix, the writer's process id, a random part
WORK_PREFIX = "policyqa-milvus-"


def write_through_milvus(settings: Settings, change: Change) -> IngestReport:
    """Apply `change` (an ingest or removal) to the index the configured Milvus holds: nothing when
    the store already holds what it would make; only the changed documents when that is all it
    touches (index/milvus_delta.py); else the whole index, exported to a work folder."""
    start = time.perf_counter()
    uri = milvus_uri(settings)
    # on Lite the writers share a machine: a file lock held until the store is closed keeps the next
    # writer from opening the file while this one's server is still writing it
    with writer_lock(Path(f"{uri}-writer")) if is_lite(uri) else nullcontext():
        report = _write(settings, change, start)
    report.index_dir = Path(uri)
    report.seconds = time.perf_counter() - start
    return report


def _write(settings: Settings, change: Change, start: float) -> IngestReport:
    remove_abandoned_work()
    store = MilvusStore.for_settings(settings, create=True)
    try:
        with milvus_writer_lock(store) as lock:
            catalogue = read_catalogue(store)
            if catalogue is not None and store.holds_rows_for(catalogue.manifest):
                report = IngestReport(index_dir=Path(store.uri))
                hashes = change.files_after(catalogue.manifest, report)
                fresh, notice = up_to_date(catalogue.manifest, hashes, settings.embed_model)
                if fresh and not report.errors and semantic_current(catalogue.manifest, settings):
                    return unchanged(report, catalogue.manifest, sorted(hashes), notice, start)
                written = write_changed(store, catalogue, hashes, settings, change, report, lock)
                if written is not None:
                    return written
            return _write_whole(store, catalogue, settings, change, lock)
    finally:
        store.close()


def _write_whole(store: MilvusStore, catalogue: Catalogue | None, settings: Settings, change: Change,
                 lock: HeldLock) -> IngestReport:
    """The change run on the whole index, exported to a work folder that is deleted afterwards."""
    work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-")) / "index"
    try:
        if catalogue is not None:
            export_index(store, catalogue, work)
        # the folder is only read back to be written to Milvus: no search graph is built for it
        report = change.on_folder(settings.with_overrides(index_dir=work, index_backend="faiss",
                                                          exact_search_below=sys.maxsize))
        synced = sync(store, read_index(work), catalogue, lock)
    finally:
        shutil.rmtree(work.parent, ignore_errors=True)
    report.notices.append(f"Milvus：写入 {len(synced.written)} 份文件，移除 {len(synced.removed)} 份")
    return report


def remove_abandoned_work(root: Path | None = None) -> list[Path]:
    """Delete the work folders of writers on this machine that died mid-write (killed: their
    `finally` never ran); a folder whose writer still runs is left alone. The folders removed."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{WORK_PREFIX}*"):
        owner = folder.name[len(WORK_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and not _running(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's process
        pass
    return True


def _rows_by_clause(store: MilvusStore, collection: str, doc_id: str, version: str,
                    fields: list[str]) -> dict[str, list[dict]]:
    """A document's rows in `collection`, grouped by clause row and in order within each."""
    grouped: dict[str, list[dict]] = {}
    for row in store.document_rows(collection, doc_id, version, fields):
        grouped.setdefault(row["clause_row"], []).append(row)
    return {key: sorted(rows, key=lambda r: r["n"]) for key, rows in grouped.items()}


def export_index(store: MilvusStore, catalogue: Catalogue, folder: Path) -> None:
    """Write the index Milvus holds into `folder`, as the FAISS backend lays it out."""
    paths = {info["doc_id"]: path for path, info in catalogue.manifest.get("files", {}).items()}
    dim = int(catalogue.manifest.get("embedder", {}).get("dim") or 0)
    with_semantic = store.client.has_collection(SEMANTIC) and bool(catalogue.manifest.get("semantic", {}).get("dim"))
    entries = []
    semantic: list[list[dict]] = []  # per clause, its neural vectors' rows in order
    for document in catalogue.documents:
        version = catalogue.versions[document.doc_id]
        clause_rows = sorted(store.document_rows(CLAUSES, document.doc_id, version, ["record", "text"]),
                             key=lambda r: r["n"])
        sentences = _rows_by_clause(store, SENTENCES, document.doc_id, version, ["text"])
        pieces = _rows_by_clause(store, PIECES, document.doc_id, version, ["vector"])
        sentence_vectors = (_rows_by_clause(store, SEMANTIC, document.doc_id, version, ["vector", "in_text"])
                            if with_semantic else {})
        clauses = [Clause.from_json(json.loads(r["record"]), document) for r in clause_rows]
        tokens, sentence_tokens, vectors, piece_counts = [], [], [], []
        for row, clause in zip(clause_rows, clauses, strict=True):
            tokens.append(store.tokens_of(row["text"], bm25_text(clause)))
            texts = clause_sentences(clause)
            held = sentences.get(row["row_id"], [])
            sentence_tokens.append([store.tokens_of(h["text"], text) for h, text in zip(held, texts, strict=True)]
                                   if len(held) == len(texts) else [tokenize(t) for t in texts])
            own = pieces.get(row["row_id"], [])
            vectors += [p["vector"] for p in own]
            piece_counts.append(len(own))
            semantic.append(sentence_vectors.get(row["row_id"], []))
        entries.append(FileEntry(paths[document.doc_id], catalogue.manifest["files"][paths[document.doc_id]]["content_hash"],
                                 document, clauses, tokens, sentence_tokens,
                                 np.asarray(vectors, dtype=np.float32).reshape(-1, dim), piece_counts))
    manifest = {k: v for k, v in catalogue.manifest.items() if k not in ("parts", "dense_index", "semantic_index")}
    stored = assemble(entries, manifest, dim)
    stored.manifest["dense_index"] = stored.dense.layout.to_json()  # exact: this folder is not searched
    if with_semantic:
        dim = int(catalogue.manifest["semantic"]["dim"])
        stored.semantic = SemanticSentences(
            np.asarray([r["vector"] for rows in semantic for r in rows], dtype=np.float32).reshape(-1, dim),
            np.concatenate([[0], np.cumsum([len(rows) for rows in semantic])]),
            np.asarray([sum(bool(r["in_text"]) for r in rows) for rows in semantic]))
    embedder = OfflineEmbedder.from_files(catalogue.embedder_files) if catalogue.embedder_files else None
    write_index(folder, stored, embedder)


def _embedder_files(folder: Path) -> dict[str, bytes]:
    """The fitted offline embedder's files in an index folder ({} for a model's index)."""
    return ({name: (folder / EMBEDDER_DIR / name).read_bytes() for name in EMBEDDER_FILES}
            if (folder / EMBEDDER_DIR).is_dir() else {})


def sync(store: MilvusStore, stored: StoredIndex, previous: Catalogue | None, lock: HeldLock) -> SyncReport:
    """Make Milvus hold exactly the documents of `stored`: the changed ones written at their new
    version, then the catalogue that shows them, then the replaced rows deleted."""
    assert stored.folder is not None
    files = _embedder_files(stored.folder)
    versions = document_versions(stored.manifest, rows_made_by(files, stored.semantic is not None))
    if store.prepare(stored):
        previous = None  # another embedder or analyzer: every row is written again
    held = previous.versions if previous is not None else {}
    fresh = {d for d in versions if held.get(d) != versions[d]}
    manifest = {k: v for k, v in stored.manifest.items() if k != "parts"}
    if (previous is not None and not fresh and versions.keys() == held.keys()
            and previous.manifest.get("files") == manifest.get("files")):
        return SyncReport((), ())
    store.write_documents(stored, versions, fresh)
    clause_counts = {info["doc_id"]: int(info["clauses"]) for info in manifest.get("files", {}).values()}
    frequencies = {t: n for t, n in stored.bm25.document_frequencies().items() if n > 0}
    return show(store, Catalogue(manifest, list(stored.documents), versions, clause_counts, frequencies,
                                 average_token_count(stored.folder), files), held, lock)
