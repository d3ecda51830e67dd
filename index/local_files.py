"""The index folder on disk: manifest, documents, clauses, tokens, FAISS, BM25, offline embedder.

Everything is JSON, JSON lines, .npy or FAISS's own format; nothing is pickled.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.bm25 import Bm25Index
from index.clause_table import ROWS_FILE as CLAUSE_ROWS
from index.clause_table import ClauseTable
from index.dense import DenseIndex
from index.pieces import corpus_text
from index.semantic_store import SemanticSentences
from index.sentences import SentenceIndex
from policyqa.errors import IndexMissingError, IndexUnreadableError
from policyqa.model import Clause, Document

if TYPE_CHECKING:
    from index.offline_embedder import OfflineEmbedder

# 2: clauses carry their glossary entries (searched as sentences, embedded); 3: the neural vectors are
# of sentence fragments (index/semantic_store.py), not whole sentences; 4: and of glossary entries' fragments
FORMAT_VERSION = 4
MANIFEST = "manifest.json"
DOCUMENTS = "documents.jsonl"
CLAUSES = "clauses.jsonl"
TOKENS = "tokens.jsonl"
SENTENCE_TOKENS = "sentence_tokens.jsonl"  # per clause: its sentences' tokens
# every clause's judged text (index/pieces.py), one per line: what the answer layer asks "do the
# documents mention this?" of; written at ingest so a starting service does not normalise them all
JUDGED_TEXT = "judged_text.txt"
BM25_DIR = "bm25"
EMBEDDER_DIR = "embedder"


@dataclass
class StoredIndex:
    """Everything an index folder holds, in memory; row i of every part is clause i."""

    manifest: dict[str, Any]
    documents: list[Document]
    clauses: ClauseTable
    tokens: list[list[str]]
    dense: DenseIndex
    bm25: Bm25Index
    folder: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    sentences: SentenceIndex | None = None  # None in an index built before sentence matching
    sentence_tokens: list[list[list[str]]] = field(default_factory=list)
    semantic: SemanticSentences | None = None  # None when built without the neural sentence model
    judged_text: str | None = None  # None in an index built before it was stored

    def corpus_text(self) -> str:
        """Every clause's judged text, one per line (read from the folder, else made here)."""
        if self.judged_text is None:
            self.judged_text = corpus_text(self.clauses)
        return self.judged_text

    @property
    def embedder_info(self) -> dict[str, Any]:
        return dict(self.manifest.get("embedder", {}))


def _json(data: Any, indent: int | None = None) -> str:
    """JSON text that UTF-8 can hold: a file name that was not UTF-8 (lone surrogates) is written
    \\u-escaped, which reads back to the same name."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, ensure_ascii=True, indent=indent)
    return text


def _write_lines(path: Path, rows: Iterable[Any]) -> list[int]:
    """Write one JSON value per line; returns where each line starts (in bytes)."""
    starts = []
    written = 0
    with path.open("wb") as out:
        for row in rows:
            line = (_json(row) + "\n").encode("utf-8")
            starts.append(written)
            out.write(line)
            written += len(line)
    return starts


def _read_lines(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _interned(row: Any) -> Any:
    """A token row (a list of words, or of such lists) with each word one shared string, as
    index.tokenize gives them."""
    return [sys.intern(t) if isinstance(t, str) else _interned(t) for t in row]


def _read_token_lines(path: Path) -> list[Any]:
    """Token rows, interned line by line: a re-ingest holds every clause's tokens again."""
    with path.open(encoding="utf-8") as lines:
        return [_interned(json.loads(line)) for line in lines if line.strip()]


def average_token_count(folder: Path) -> float:
    """The mean number of BM25 tokens per clause of the index at `folder`, read line by line (a
    writer that syncs the folder elsewhere needs this, not every clause's tokens held at once)."""
    total = lines = 0
    with (folder / TOKENS).open(encoding="utf-8") as rows:
        for line in rows:
            if line.strip():
                total += len(json.loads(line))
                lines += 1
    return total / max(lines, 1)


def _fsync_tree(folder: Path) -> None:
    """Flush files to disk before the swap, so a power cut cannot leave half-written files."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def write_index(folder: Path, stored: StoredIndex, offline_embedder: OfflineEmbedder | None = None) -> None:
    """Write every part of `stored` into the (new, empty) `folder`; the manifest goes last."""
    folder.mkdir(parents=True, exist_ok=False)
    _write_lines(folder / DOCUMENTS, [d.to_json() for d in stored.documents])
    starts = _write_lines(folder / CLAUSES, (c.to_json() for c in stored.clauses))
    np.save(folder / CLAUSE_ROWS, stored.clauses.rows_file(starts), allow_pickle=False)
    _write_lines(folder / TOKENS, stored.tokens)
    (folder / JUDGED_TEXT).write_text(stored.corpus_text(), encoding="utf-8")
    if stored.sentences is not None:
        _write_lines(folder / SENTENCE_TOKENS, stored.sentence_tokens)
        stored.sentences.save(folder)
    if stored.semantic is not None:
        stored.semantic.save(folder)
    stored.dense.save(folder)
    (folder / BM25_DIR).mkdir()
    stored.bm25.save(folder / BM25_DIR)
    if offline_embedder is not None:
        offline_embedder.save(folder / EMBEDDER_DIR)
    manifest = {**stored.manifest, "parts": _part_sizes(folder)}
    (folder / MANIFEST).write_text(_json(manifest, indent=2), encoding="utf-8")
    _fsync_tree(folder)


def _part_sizes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}


def parts_intact(folder: Path, manifest: dict[str, Any]) -> bool:
    """Whether every file the manifest lists is there with its recorded size (a cheap damage check)."""
    try:
        return _part_sizes(folder) == manifest.get("parts")
    except OSError:
        return False


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the index at `folder`; IndexMissingError when there is none, IndexUnreadableError when damaged."""
    path = folder / MANIFEST
    if not path.is_file():
        raise IndexMissingError(f"索引不存在：{folder}。请先运行 policyqa ingest --index {folder}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexUnreadableError(f"索引清单无法读取（{error}）：{path}。请运行 policyqa ingest 重建") from error
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnreadableError(f"索引格式版本 {manifest.get('format_version')} 与本程序（{FORMAT_VERSION}）不符："
                                f"{folder}。请运行 policyqa ingest --index {folder} 重建")
    return manifest


def older_format_files(folder: Path) -> tuple[int | None, list[str]] | None:
    """(its format version, its file paths) when `folder` holds an index of another format version
    whose manifest is readable; None otherwise (no index, a current one, or a damaged manifest)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format_version") == FORMAT_VERSION:
        return None
    return manifest.get("format_version"), list(manifest.get("files", {}))


def _clause_table(folder: Path, documents: list[Document]) -> ClauseTable:
    """The clause records, read by row; an index written before the rows file existed is read whole."""
    if (folder / CLAUSE_ROWS).is_file():
        return ClauseTable.mapped(folder / CLAUSES, folder / CLAUSE_ROWS, documents)
    by_id = {d.doc_id: d for d in documents}
    return ClauseTable.holding([Clause.from_json(c, by_id[c["doc_id"]]) for c in _read_lines(folder / CLAUSES)],
                               documents)


def read_index(folder: Path, with_tokens: bool = False) -> StoredIndex:
    """Load the index at `folder` (tokens only when a build needs them)."""
    manifest = read_manifest(folder)
    try:
        documents = [Document.from_json(d) for d in _read_lines(folder / DOCUMENTS)]
        clauses = _clause_table(folder, documents)
        tokens = _read_token_lines(folder / TOKENS) if with_tokens else []
        dense = DenseIndex.load(folder)
        bm25 = Bm25Index.load(folder / BM25_DIR)
        sentences = SentenceIndex.load(folder)
        semantic = SemanticSentences.load(folder, len(clauses))
        sentence_tokens = (_read_token_lines(folder / SENTENCE_TOKENS)
                           if with_tokens and (folder / SENTENCE_TOKENS).is_file() else [])
        judged = (folder / JUDGED_TEXT).read_text(encoding="utf-8") if (folder / JUDGED_TEXT).is_file() else None
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise IndexUnreadableError(f"索引文件损坏（{type(error).__name__}: {error}）：{folder}。"
                                f"请运行 policyqa ingest --index {folder} 重建") from error
    if len(clauses) != manifest.get("clause_count"):
        raise IndexUnreadableError(f"索引不完整（条款数与清单不符）：{folder}。请运行 policyqa ingest 重建")
    return StoredIndex(manifest, documents, clauses, tokens, dense, bm25, folder,
                       sentences=sentences, sentence_tokens=sentence_tokens, semantic=semantic, judged_text=judged)
