"""What every index backend offers the answer layer, and the choice between backends.

Two backends implement `SearchIndex`: the embedded default (index/local_backend.py: FAISS +
bm25s in one folder) and Milvus (index/milvus_backend.py: Milvus Lite from a file path, or a
Milvus server or cluster, holding everything: nothing on the query process's disk). Everything
above the index (answers, filters, eval) sees only this.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from index.embedders import Embedder
from index.filters import Filters
from policyqa.config import Settings
from policyqa.errors import IndexMissingError, IndexUnreadableError, UserError
from policyqa.model import Clause, Document, Hit

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "bm25", "dense"]
MODES = ("hybrid", "bm25", "dense")


@dataclass(frozen=True)
class SearchConfig:
    """Fusion weights, RRF constant, how strongly named regions/years are preferred, pool depth."""

    # weights and k chosen by cross-validation across question sets (policyqa eval's "fusion chosen"
    # table): fitted on either set, BM25 0.5 and sentences 1.0 against the dense ranking's 1.0
    weights: dict[str, float] = field(default_factory=lambda: {"bm25": 0.5, "dense": 1.0})
    rrf_k: int = 100
    # fused score x (1 + boost) for a document matching all named scope: a preference, never a filter.
    scope_boost: float = 0.1
    candidates: int = 50  # per retriever, before fusion and truncation
    # pseudo-relevance feedback on the keyword side (index/feedback.py): the first pass's best
    # clauses, the expansion words taken from them, and the expansion's share of the final score
    # (chosen on both question sets: off 0.989/0.945 R@5/MRR on the project's, 0.917/0.820 on the
    # development set; these 0.993/0.939 and 0.917/0.837)
    feedback_clauses: int = 5
    feedback_terms: int = 20
    feedback_weight: float = 0.2
    # the third ranking fused by RRF: clauses by their best sentence (index/sentences.py)
    sentence_weight: float = 1.0
    # the fourth: clauses by the neural model's most similar sentence (index/semantic_store.py)
    semantic_weight: float = 1.5
    # Rocchio on the dense query (weight of its nearest pieces' mean): measured in policyqa eval,
    # it changes MRR@10 by less than 0.01 on either question set, so it is off
    dense_feedback_weight: float = 0.0
    # the fifth, only with an LLM configured: clauses by BM25 of the question rewritten in the
    # documents' wording (app/llm/rewrite.py)
    rewrite_weight: float = 0.25

    @property
    def fusion_weights(self) -> dict[str, float]:
        """RRF weight of each ranking: BM25, dense, sentences, the neural sentence ranking, the rewrite's."""
        return {**self.weights, "sentences": self.sentence_weight, "semantic": self.semantic_weight,
                "rewrite": self.rewrite_weight}


class Phrases(Protocol):
    """Phrase lookups over every clause's judged text."""

    def holds(self, phrase: str) -> bool: ...

    def count(self, phrase: str) -> int:
        """How often the phrase occurs (the FAISS backend) or in how many clauses (Milvus)."""
        ...


class SearchIndex(Protocol):
    """A searchable index of clauses, however it is stored."""

    config: SearchConfig
    notices: tuple[str, ...]

    @property
    def generation(self) -> int:
        """Which state of the index this answers from: it changes when the index takes up what a
        writer published since it was opened (Milvus); what is derived from it is then derived again."""
        ...

    @property
    def documents(self) -> list[Document]: ...

    @property
    def clauses(self) -> Sequence[Clause]:
        """Every clause, by row (a large index reads them from disk as they are asked for: a full
        pass is for evaluation and small indexes)."""
        ...

    def clauses_of(self, doc_id: str) -> list[Clause]:
        """A document's clauses, in order."""
        ...

    def document_frequencies(self) -> dict[str, int]:
        """Per jieba token, how many clauses hold it (the answer layer's rarity of words)."""
        ...

    def phrases(self) -> Phrases:
        """Whether, and how often, the clauses' judged text (index/pieces.judged_text) holds a phrase:
        what the answer layer asks to know whether the documents mention something at all."""
        ...

    def clause(self, clause_id: str) -> Clause | None: ...

    @property
    def embedder(self) -> Embedder:
        """The query embedder (eval reuses it for baselines over the same model)."""
        ...

    @property
    def embedder_info(self) -> dict: ...

    def search(self, query: str, top_k: int = 10, filters: Filters | None = None,
               mode: str = "hybrid", rewrite: str = "") -> list[Hit]:
        """The top_k clauses for `query`, best first; filters apply before truncation; `rewrite` (the
        question in the documents' wording) is fused as one more ranking."""
        ...

    def search_many(self, queries: list[str], top_k: int = 10, filters: Filters | None = None,
                    mode: str = "hybrid", rewrites: Sequence[str] | None = None) -> list[list[Hit]]: ...


BACKENDS = ("faiss", "milvus")


def backend_of(settings: Settings) -> str:
    """The configured backend; UserError for a name that is not one (before anything is written)."""
    if settings.index_backend not in BACKENDS:
        raise UserError(f"未知的索引后端 {settings.index_backend!r}（POLICYQA_INDEX_BACKEND 可选：{'、'.join(BACKENDS)}）")
    return settings.index_backend


def open_index(settings: Settings, config: SearchConfig | None = None) -> SearchIndex:
    """The index the settings name, on their backend (IndexMissingError when there is none)."""
    if backend_of(settings) == "milvus":
        from index.milvus_backend import MilvusIndex

        return MilvusIndex.open(settings, config)
    from index.local_backend import LocalIndex

    return LocalIndex.open(settings, config)


def ensure_index(settings: Settings, progress: bool = False) -> SearchIndex:
    """Open the index, first building it from the bundled corpus when there is none (FAISS backend).

    A damaged index is not rebuilt here (IndexUnreadableError): it may hold the user's own
    documents, and only an explicit `policyqa ingest` should replace it. An index of an older
    format is rebuilt from exactly its own files when they are all still there (nothing is lost).
    A Milvus store is never written by a reader: an empty one is an error that names the ingest.
    """
    try:
        return open_index(settings)
    except IndexMissingError:
        if backend_of(settings) == "milvus":
            raise
        from index.build import ingest_paths  # here: a cold `ask` on an existing index never needs it

        log.info("尚无索引（%s），正在用内置政策文件建立（首次使用约需 10–20 秒）…", settings.index_dir)
        report = ingest_paths([], settings, progress=progress)
    except IndexUnreadableError:
        from index.local_files import older_format_files

        older = older_format_files(Path(settings.index_dir))
        if older is None or not older[1] or not all(Path(p).is_file() for p in older[1]):
            raise
        log.info("索引是旧格式（%s），正在用它原来的 %d 个文件重新建立…", older[0], len(older[1]))
        from index.build import ingest_paths

        report = ingest_paths([Path(p) for p in older[1]], settings, progress=progress, replace=True)
    log.info("%s", report.summary())
    return open_index(settings)
