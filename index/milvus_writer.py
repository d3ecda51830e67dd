"""The Milvus backend, write side: an ingest or removal against the index Milvus holds.

Milvus is the store of record, so a writer starts from what Milvus holds, not from a folder of its
own: under the store's writer lock (index/milvus_lock.py) it exports the index into a temporary work
folder, runs the same incremental ingest as the FAISS backend there (unchanged documents keep their
clauses, tokens and vectors; the offline embedder keeps its fit), writes the documents that changed
back to Milvus, publishes the new catalogue and deletes the rows it replaced. The work folder is
deleted afterwards: nothing of the index stays on the writer's disk. Two writers, on one machine or
several, each see the other's documents.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from index.atomic import writer_lock
from index.backend import Unchanged, Update
from index.entries import FileEntry, assemble
from index.local_files import EMBEDDER_DIR, StoredIndex, average_token_count, read_index, write_index
from index.milvus_catalogue import Catalogue, publish, read_catalogue
from index.milvus_lock import milvus_writer_lock
from index.milvus_store import (
    CLAUSES,
    MAX_TEXT_BYTES,
    PIECES,
    SEMANTIC,
    SENTENCES,
    MilvusStore,
    SyncReport,
    document_versions,
    is_lite,
    milvus_uri,
)
from index.offline_embedder import FILES as EMBEDDER_FILES
from index.offline_embedder import OfflineEmbedder
from index.pieces import bm25_text
from index.report import IngestReport
from index.semantic_store import SemanticSentences
from index.sentences import clause_sentences
from index.tokenize import tokenize
from policyqa.config import Settings
from policyqa.model import Clause

log = logging.getLogger(__name__)
# a writer's work folder in the temporary folder: the prefix, the writer's process id, a random part
WORK_PREFIX = "policyqa-milvus-"


def write_through_milvus(settings: Settings, update: Update, unchanged: Unchanged) -> IngestReport:
    """Run `update` (an ingest or removal on the FAISS backend) on the index the configured Milvus
    holds, exported to a work folder, and write its result back to Milvus; nothing is exported when
    `unchanged` finds the store already holds what the update would make."""
    start = time.perf_counter()
    uri = milvus_uri(settings)
    # on Lite the writers share a machine: a file lock held until the store is closed keeps the next
    # writer from opening the file while this one's server is still writing it
    with writer_lock(Path(f"{uri}-writer")) if is_lite(uri) else nullcontext():
        return _write(settings, update, unchanged, start)


def _write(settings: Settings, update: Update, unchanged: Unchanged, start: float) -> IngestReport:
    remove_abandoned_work()
    store = MilvusStore.for_settings(settings, create=True)
    try:
        with milvus_writer_lock(store):
            catalogue = read_catalogue(store)
            same = (unchanged(catalogue.manifest)
                    if catalogue is not None and store.holds_rows_for(catalogue.manifest) else None)
            if same is not None:
                same.index_dir, same.seconds = Path(store.uri), time.perf_counter() - start
                return same
            work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-")) / "index"
            try:
                if catalogue is not None:
                    export_index(store, catalogue, work)
                report = update(settings.with_overrides(index_dir=work, index_backend="faiss"))
                synced = sync(store, read_index(work), catalogue)
            finally:
                shutil.rmtree(work.parent, ignore_errors=True)
    finally:
        store.close()
    report.index_dir = Path(store.uri)
    report.notices.append(f"Milvus：写入 {len(synced.written)} 份文件，移除 {len(synced.removed)} 份")
    report.seconds = time.perf_counter() - start
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


def _tokens(store: MilvusStore, stored_text: str, original: str) -> list[str]:
    """The jieba tokens of a text, from what Milvus was given when that is them whole."""
    if store.analyzer == "jieba" and len(stored_text.encode("utf-8")) < MAX_TEXT_BYTES:
        return stored_text.split()
    return tokenize(original)


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
            tokens.append(_tokens(store, row["text"], bm25_text(clause)))
            texts = clause_sentences(clause)
            held = sentences.get(row["row_id"], [])
            sentence_tokens.append([_tokens(store, h["text"], text) for h, text in zip(held, texts, strict=True)]
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


def sync(store: MilvusStore, stored: StoredIndex, previous: Catalogue | None) -> SyncReport:
    """Make Milvus hold exactly the documents of `stored`: the changed ones written at their new
    version, then the catalogue that shows them, then the replaced rows deleted."""
    assert stored.folder is not None
    files = _embedder_files(stored.folder)
    # what makes every row differ though no file changed: the offline embedder's fit, the neural
    # model's sentence vectors present or not
    made_by = b"".join(files[name] for name in sorted(files)) + str(stored.semantic is not None).encode()
    versions = document_versions(stored.manifest, hashlib.sha1(made_by).hexdigest()[:12])
    if store.prepare(stored):
        previous = None  # another embedder or analyzer: every row is written again
    held = previous.versions if previous is not None else {}
    fresh = {d for d in versions if held.get(d) != versions[d]}
    removed = sorted(d for d in held if d not in versions)
    manifest = {k: v for k, v in stored.manifest.items() if k != "parts"}
    if previous is not None and not fresh and not removed and previous.manifest.get("files") == manifest.get("files"):
        return SyncReport((), ())
    store.write_documents(stored, versions, fresh)
    clause_counts = {info["doc_id"]: int(info["clauses"]) for info in manifest.get("files", {}).values()}
    average_length = average_token_count(stored.folder)
    publish(store, Catalogue(manifest, list(stored.documents), versions, clause_counts,
                             stored.bm25.document_frequencies(), average_length, files))
    for doc_id in sorted(fresh):
        store.delete_version(doc_id, versions[doc_id], keep=True)
    for doc_id in removed:
        store.delete_document(doc_id)
    store.seal()
    return SyncReport(tuple(sorted(fresh)), tuple(removed))
