"""The index backends by name, and opening the configured one.

A backend is one module that implements `SearchIndex` (index/contract.py) and one line in
`BACKENDS`: how to open it, and how an ingest writes to it. The embedded default (FAISS + bm25s
in one folder, index/local_backend.py) and Milvus (index/milvus_backend.py reads,
index/milvus_writer.py writes: Milvus Lite from a file path, or a Milvus server or cluster, holding
everything, nothing on the query process's disk). The CLI, the benchmarks and the tests take the
names from here. Backends are imported by name when chosen, so this module imports none of them.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from index.contract import SearchConfig, SearchIndex
from policyqa.config import Settings
from policyqa.errors import UserError

if TYPE_CHECKING:
    from index.plan import Loader
    from index.report import IngestReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """An ingest or removal, as a backend that keeps its index elsewhere (Milvus) takes it: which
    files the index is to hold, decided on the store's manifest, so that the writer reads and writes
    only what changed; and the whole change run on an index folder, for changes that touch every row."""

    # the store's manifest, and the report so far (read errors and moves go there) -> {path: content
    # hash} of every file the index is to hold; UserError when the change is refused
    files_after: Callable[[dict, IngestReport], dict[str, str]]
    on_folder: Callable[[Settings], IngestReport]
    loader: Loader | None = None  # None: ingest/ via index/sources.load_file
    progress: bool = False


Writer = Callable[[Settings, Change], "IngestReport"]


@dataclass(frozen=True)
class Backend:
    """How to open one backend's index and how an ingest writes to it ("module:attribute" names,
    imported when the backend is chosen: a cold `ask` on FAISS never imports pymilvus)."""

    index: str  # the SearchIndex class, with `open(settings, config)`
    writer: str = ""  # "": an ingest writes the index folder itself
    built_when_missing: bool = False  # a reader may build the bundled corpus into an empty index

    def open(self, settings: Settings, config: SearchConfig | None) -> SearchIndex:
        opened: SearchIndex = _named(self.index).open(settings, config)
        return opened

    def write(self) -> Writer | None:
        return _named(self.writer) if self.writer else None


def _named(name: str) -> Any:
    module, attribute = name.split(":")
    return getattr(importlib.import_module(module), attribute)


BACKENDS: dict[str, Backend] = {
    "faiss": Backend("index.local_backend:LocalIndex", built_when_missing=True),
    "milvus": Backend("index.milvus_backend:MilvusIndex", "index.milvus_writer:write_through_milvus"),
}


def backend_of(settings: Settings) -> Backend:
    """The configured backend; UserError for a name that is not one (before anything is written)."""
    if settings.index_backend not in BACKENDS:
        raise UserError(f"未知的索引后端 {settings.index_backend!r}（POLICYQA_INDEX_BACKEND 可选：{'、'.join(BACKENDS)}）")
    return BACKENDS[settings.index_backend]


def open_index(settings: Settings, config: SearchConfig | None = None) -> SearchIndex:
    """The index the settings name, on their backend (IndexMissingError when there is none)."""
    return backend_of(settings).open(settings, config)
