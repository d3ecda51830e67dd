"""One file's part of a new index: reused from the previous index or embedded now, then joined."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from index.bm25 import Bm25Index
from index.clause_table import ClauseTable
from index.dense import DenseIndex, DenseLayout
from index.local_files import StoredIndex
from index.offline_embedder import OfflineEmbedder
from index.pieces import MAX_PIECE_CHARS, embedding_pieces
from index.sentences import SentenceIndex
from index.tokenize import tokenize
from policyqa.model import Clause, Document

if TYPE_CHECKING:
    from index.embedders import Embedder

EMBED_BATCH = 256


@dataclass
class FileEntry:
    """One file's part of the new index; tokens/vectors are None until computed or reused."""

    path: str
    content_hash: str
    document: Document
    clauses: list[Clause]
    tokens: list[list[str]] | None = None
    sentence_tokens: list[list[list[str]]] | None = None  # per clause, its sentences' tokens
    vectors: np.ndarray | None = None  # piece vectors, in clause order
    piece_counts: list[int] | None = None  # pieces per clause



def reused_entry(previous: StoredIndex, path: str, with_vectors: bool) -> FileEntry:
    """The part of the previous index that came from `path`."""
    info = previous.manifest["files"][path]
    rows = previous.clauses.rows_of(info["doc_id"]).tolist()
    clauses = [previous.clauses[i] for i in rows]
    entry = FileEntry(path, info["content_hash"], clauses[0].doc if clauses else
                      next(d for d in previous.documents if d.doc_id == info["doc_id"]), clauses,
                      tokens=[previous.tokens[i] for i in rows] if previous.tokens else None,
                      sentence_tokens=[previous.sentence_tokens[i] for i in rows] if previous.sentence_tokens else None)
    if with_vectors:
        piece_rows = previous.dense.piece_rows
        pieces = np.flatnonzero(np.isin(piece_rows, rows))
        entry.vectors = previous.dense.vectors_of(pieces)
        entry.piece_counts = [int(n) for n in np.bincount(piece_rows[pieces], minlength=max(rows, default=-1) + 1)[rows]]
    return entry


def _pieces_of(entry: FileEntry, max_chars: int | None) -> tuple[list[str], list[list[str]] | None]:
    """An entry's texts to embed and, when each clause is one piece, its jieba tokens to reuse (the
    BM25 tokens, plus those of the glossary entries the piece adds)."""
    per_clause = [embedding_pieces(c, max_chars) for c in entry.clauses]
    entry.piece_counts = [len(p) for p in per_clause]
    texts = [t for pieces in per_clause for t in pieces]
    if max_chars is not None or entry.tokens is None:
        return texts, None
    return texts, [tokens + [w for note in clause.glossary for w in tokenize(note)]
                   for tokens, clause in zip(entry.tokens, entry.clauses, strict=True)]


def embed_entries(entries: list[FileEntry], embedder: Embedder, progress: bool) -> int:
    """Embed the pieces of every entry without vectors; returns how many pieces were embedded."""
    from tqdm import tqdm

    todo = [e for e in entries if e.vectors is None]
    max_chars = getattr(embedder, "max_piece_chars", MAX_PIECE_CHARS)
    texts: list[str] = []
    words: list[list[str]] = []
    for entry in todo:
        entry_texts, entry_words = _pieces_of(entry, max_chars)
        texts.extend(entry_texts)
        words.extend(entry_words or [])
    if not texts:
        return 0
    batches = []
    with tqdm(total=len(texts), desc="嵌入条款", unit="段", disable=not progress) as bar:
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start:start + EMBED_BATCH]
            if words and isinstance(embedder, OfflineEmbedder):  # reuses the BM25 tokens, not jieba again
                batches.append(embedder.embed_passages(batch, words=words[start:start + EMBED_BATCH]))
            else:
                batches.append(embedder.embed_passages(batch))
            bar.update(len(batch))
    vectors = np.vstack(batches)
    offset = 0
    for entry in todo:
        count = sum(entry.piece_counts or [])
        entry.vectors = vectors[offset:offset + count]
        offset += count
    return len(texts)


def assemble(entries: list[FileEntry], manifest: dict, dim: int, layout: DenseLayout | None = None) -> StoredIndex:
    """Concatenate entries into one StoredIndex (rows in file order); the dense index laid out as
    `layout` says (exact search by default)."""
    clauses = [c for e in entries for c in e.clauses]
    tokens = [t for e in entries for t in (e.tokens or [])]
    piece_rows = np.repeat(np.arange(len(clauses)), [n for e in entries for n in (e.piece_counts or [])])
    vectors = (np.vstack([e.vectors for e in entries if e.vectors is not None and len(e.vectors)])
               if any(e.vectors is not None and len(e.vectors) for e in entries)
               else np.zeros((0, dim), dtype=np.float32))
    documents = list({e.document.doc_id: e.document for e in entries}.values())
    sentence_tokens = [s for e in entries for s in (e.sentence_tokens or [])]
    return StoredIndex(manifest, documents, ClauseTable.holding(clauses, documents), tokens,
                       DenseIndex.build(vectors, piece_rows, dim, layout),
                       Bm25Index.build(tokens), sentences=SentenceIndex.build(sentence_tokens),
                       sentence_tokens=sentence_tokens)
