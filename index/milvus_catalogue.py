"""The catalogue in Milvus: what a query process reads once at start, besides the rows it retrieves.

It holds the documents (in order, with their versions and clause counts), the manifest of the
build, the clauses' token document frequencies (computed at ingest, so no reader tokenises the
corpus) and the fitted offline embedder's files. Each publication is a generation: its chunks are
written first, then one pointer row that makes it current; a reader takes the newest complete
generation, so it never reads half a catalogue. Older generations are deleted afterwards.
"""
from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

from index.milvus_lock import HeldLock
from index.milvus_store import CATALOGUE, MilvusStore, SyncReport
from policyqa.model import Document

CHUNK_CHARS = 60_000  # base64 characters per row: a VARCHAR holds 65,535 bytes
POINTER = "pointer"
READ_ATTEMPTS = 5  # a generation deleted while being read is read again at the newest


@dataclass
class Catalogue:
    """Everything but the rows: documents, versions, statistics, the offline embedder's files."""

    manifest: dict[str, Any]
    documents: list[Document]
    versions: dict[str, str]  # doc_id -> the version of its rows this catalogue shows
    clause_counts: dict[str, int]  # doc_id -> its clauses
    document_frequencies: dict[str, int]
    average_length: float = 0.0  # BM25 words per clause (what the keyword feedback scores by)
    embedder_files: dict[str, bytes] = field(default_factory=dict)
    generation: int = 0

    @property
    def clause_count(self) -> int:
        return sum(self.clause_counts.values())

    def documents_by_id(self) -> dict[str, Document]:
        return {d.doc_id: d for d in self.documents}


def _table(store: MilvusStore) -> None:
    store.create_table(CATALOGUE, {"name": "text", "payload": "text", "generation": "int", "chunk": "int"})


def _parts(catalogue: Catalogue) -> dict[str, bytes]:
    head = {"manifest": catalogue.manifest, "documents": [d.to_json() for d in catalogue.documents],
            "versions": catalogue.versions, "clause_counts": catalogue.clause_counts,
            "average_length": catalogue.average_length}
    parts = {"head": json.dumps(head, ensure_ascii=False).encode("utf-8"),
             "df": json.dumps(catalogue.document_frequencies, ensure_ascii=False).encode("utf-8")}
    parts.update({f"embedder/{name}": data for name, data in catalogue.embedder_files.items()})
    return parts


def publish(store: MilvusStore, catalogue: Catalogue) -> int:
    """Write `catalogue` as the next generation and make it current; returns its number. Only a
    writer holding the lock (index/milvus_lock.py) publishes."""
    _table(store)
    generations = [int(r["generation"]) for r in store.rows_of(CATALOGUE, f'name == "{POINTER}"', ["generation"])]
    # past every generation seen, and past the clock: a dropped table does not restart the count
    generation = max([*generations, time.time_ns() // 1000]) + 1
    counts: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for name, data in _parts(catalogue).items():
        text = base64.b64encode(data).decode("ascii")
        chunks = [text[i:i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)] or [""]
        counts[name] = len(chunks)
        rows += [{"key": f"{generation:020d}/{name}/{n:06d}", "name": name, "payload": chunk,
                  "generation": generation, "chunk": n, "marker": [0.0, 0.0]} for n, chunk in enumerate(chunks)]
    for start in range(0, len(rows), 100):
        store.client.insert(CATALOGUE, rows[start:start + 100])
    store.client.insert(CATALOGUE, [{"key": f"{POINTER}/{generation:020d}", "name": POINTER,
                                     "payload": json.dumps(counts), "generation": generation, "chunk": 0,
                                     "marker": [0.0, 0.0]}])
    store.client.delete(CATALOGUE, filter=f"generation < {generation}")
    catalogue.generation = generation
    return generation


def show(store: MilvusStore, catalogue: Catalogue, held: dict[str, str], lock: HeldLock) -> SyncReport:
    """Make `catalogue` what readers see, once the rows of its new document versions are written:
    publish it while the lock is still this writer's, then delete the rows it no longer names (the
    `held` versions it replaced, the documents it dropped) and seal what was written."""
    fresh = sorted(d for d, version in catalogue.versions.items() if held.get(d) != version)
    removed = sorted(d for d in held if d not in catalogue.versions)
    lock.confirm()
    publish(store, catalogue)
    for doc_id in fresh:
        store.delete_version(doc_id, catalogue.versions[doc_id], keep=True)
    for doc_id in removed:
        store.delete_document(doc_id)
    store.seal()
    return SyncReport(tuple(fresh), tuple(removed))


def current_generation(store: MilvusStore) -> int:
    """The newest published generation (0: none)."""
    if not store.client.has_collection(CATALOGUE):
        return 0
    rows = store.rows_of(CATALOGUE, f'name == "{POINTER}"', ["generation"])
    return max((int(r["generation"]) for r in rows), default=0)


def read_catalogue(store: MilvusStore) -> Catalogue | None:
    """The current catalogue, or None when nothing was ever published."""
    for _ in range(READ_ATTEMPTS):
        generation = current_generation(store)
        if not generation:
            return None
        found = _read_generation(store, generation)
        if found is not None:
            return found
    raise RuntimeError("Milvus 中的索引目录在读取时一再被替换")


def _read_generation(store: MilvusStore, generation: int) -> Catalogue | None:
    """One generation, or None when some of it is gone (a newer one replaced it meanwhile)."""
    rows = store.rows_of(CATALOGUE, f"generation == {generation}", ["name", "chunk", "payload"])
    pointer = [r for r in rows if r["name"] == POINTER]
    if not pointer:
        return None
    counts: dict[str, int] = json.loads(pointer[0]["payload"])
    chunks: dict[str, dict[int, str]] = {}
    for row in rows:
        chunks.setdefault(row["name"], {})[int(row["chunk"])] = row["payload"]
    if any(len(chunks.get(name, {})) != count for name, count in counts.items()):
        return None
    parts = {name: base64.b64decode("".join(chunks[name][n] for n in range(count)))
             for name, count in counts.items()}
    head = json.loads(parts["head"])
    return Catalogue(manifest=head["manifest"], documents=[Document.from_json(d) for d in head["documents"]],
                     versions=head["versions"], clause_counts={k: int(v) for k, v in head["clause_counts"].items()},
                     document_frequencies=json.loads(parts["df"]), average_length=float(head.get("average_length", 0.0)),
                     embedder_files={name.split("/", 1)[1]: data for name, data in parts.items()
                                     if name.startswith("embedder/")},
                     generation=generation)
