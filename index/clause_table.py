"""The clause records of an index, read by row: a query decodes the few clauses it retrieves.

At a million clauses, holding every record as an object costs gigabytes and a minute to load. The
index folder stores, beside `clauses.jsonl`, one row per clause of three numbers (where its line
starts, its document's position in documents.jsonl, a hash of its id): the records file is
memory-mapped and a row is decoded when asked for (the recently used ones kept). An index being
built holds its clauses in a list and answers the same questions.
"""
from __future__ import annotations

import hashlib
import json
import mmap
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import overload

import numpy as np

from policyqa.model import Clause, Document

ROWS_FILE = "clause_rows.npy"  # per clause: line start in clauses.jsonl, document position, id hash
DECODED_CACHE = 16_384  # decoded records kept: a few answers' worth of candidates, a few MB


def id_hash(clause_id: str) -> int:
    """A 64-bit hash of a clause id (signed, as numpy's int64 holds it)."""
    return int.from_bytes(hashlib.blake2b(clause_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little", signed=True)


class ClauseRows(Sequence[Clause]):
    """Clauses addressed by row, however they are stored: slices and negative rows are handled
    here, `_clause_at` reads one row in range."""

    @overload
    def __getitem__(self, row: int) -> Clause: ...

    @overload
    def __getitem__(self, row: slice) -> list[Clause]: ...

    def __getitem__(self, row: int | slice) -> Clause | list[Clause]:
        if isinstance(row, slice):
            return [self._clause_at(r) for r in range(*row.indices(len(self)))]
        row = int(row)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(f"clause row {row} out of range")
        return self._clause_at(row)

    def _clause_at(self, row: int) -> Clause:
        raise NotImplementedError


class ClauseTable(ClauseRows):
    """Clause i of the index for every row i; by id; the rows of a document."""

    def __init__(self, documents: Sequence[Document], document_of_row: np.ndarray, id_hashes: np.ndarray,
                 held: Sequence[Clause] | None = None, records: mmap.mmap | None = None,
                 line_starts: np.ndarray | None = None) -> None:
        self._documents = list(documents)
        self.document_of_row = document_of_row.astype(np.int64, copy=False)
        self._hashes = id_hashes.astype(np.int64, copy=False)
        self._hash_order = np.argsort(self._hashes, kind="stable")
        self._sorted_hashes = self._hashes[self._hash_order]
        self._held = held
        self._records = records
        self._starts = line_starts
        self._decode = lru_cache(maxsize=DECODED_CACHE)(self._decode_row)

    @classmethod
    def holding(cls, clauses: Sequence[Clause], documents: Sequence[Document]) -> ClauseTable:
        """A table over clauses in memory (an index being built, or one read whole)."""
        position = {d.doc_id: i for i, d in enumerate(documents)}
        return cls(documents, np.asarray([position[c.doc.doc_id] for c in clauses], dtype=np.int64),
                   np.asarray([id_hash(c.clause_id) for c in clauses], dtype=np.int64), held=list(clauses))

    def rows_file(self, line_starts: Sequence[int]) -> np.ndarray:
        """The rows file's content for these clauses written at `line_starts` (bytes) of the records file."""
        return np.column_stack([np.asarray(line_starts, dtype=np.int64).reshape(-1), self.document_of_row,
                                self._hashes])

    @classmethod
    def mapped(cls, records_file: Path, rows_file: Path, documents: Sequence[Document]) -> ClauseTable:
        """A table reading `records_file` (one JSON record per line) by the rows `rows_file` holds."""
        table = np.load(rows_file, allow_pickle=False)
        if table.ndim != 2 or table.shape[1] != 3:
            raise ValueError(f"{rows_file.name} 的形状 {table.shape} 不对")
        if table.size and int(table[:, 1].max()) >= len(documents):
            raise ValueError(f"{rows_file.name} 指向不存在的文件")
        with records_file.open("rb") as handle:
            size = records_file.stat().st_size
            records = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        starts = np.append(table[:, 0], size)
        if len(table) and (records is None or np.any(np.diff(starts) <= 0)):
            raise ValueError(f"{rows_file.name} 与 {records_file.name} 不符")
        return cls(documents, table[:, 1], table[:, 2], records=records, line_starts=starts)

    def __len__(self) -> int:
        return len(self.document_of_row)

    def _clause_at(self, row: int) -> Clause:
        return self._decode(row)

    def __iter__(self) -> Iterator[Clause]:
        # straight through without filling the cache: a full pass would only evict what queries use
        for row in range(len(self)):
            yield self._decode_row(row)

    def _decode_row(self, row: int) -> Clause:
        if self._held is not None:
            return self._held[row]
        assert self._records is not None and self._starts is not None
        data = json.loads(self._records[int(self._starts[row]):int(self._starts[row + 1])])
        return Clause.from_json(data, self._documents[int(self.document_of_row[row])])

    def row_of(self, clause_id: str) -> int | None:
        """The row of the clause with this id, or None."""
        wanted = id_hash(clause_id)
        at = int(np.searchsorted(self._sorted_hashes, wanted))
        while at < len(self._sorted_hashes) and self._sorted_hashes[at] == wanted:
            row = int(self._hash_order[at])
            if self._decode(row).clause_id == clause_id:  # a 64-bit collision is possible, if unlikely
                return row
            at += 1
        return None

    def rows_of(self, doc_id: str) -> np.ndarray:
        """The rows of a document's clauses, in order."""
        position = next((i for i, d in enumerate(self._documents) if d.doc_id == doc_id), None)
        return np.zeros(0, dtype=np.int64) if position is None else np.flatnonzero(self.document_of_row == position)
