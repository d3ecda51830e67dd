"""What every index backend offers the answer layer: the contract everything above the index sees.

`SearchIndex` (a loaded index, however it is stored), its `SearchConfig` (fusion weights and
depths), the retrieval modes and phrase lookups. The backends (index/backend.py lists them) sit
above this module; nothing here imports one.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from index.filters import Filters
from index.scope import Scope
from policyqa.model import Clause, Document, Hit

if TYPE_CHECKING:
    from index.embedders import Embedder
    from index.semantic import E5Embedder

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
    # the fourth: clauses by the neural model's most similar sentence (index/semantic_store.py), the
    # question mapped towards answering sentences (index/query_map.py). Chosen on answers, decision
    # retrained each time: 1.5 -> 2.5 raised the training set's cross-validated key facts 0.688 ->
    # 0.697 (refusals 0.216 -> 0.203, declines equal) and the development set's 0.867 -> 0.900
    semantic_weight: float = 2.5
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
    def semantic_model(self) -> E5Embedder | None:
        """The neural sentence model questions are embedded with (None: it does not run here);
        training swaps its query map to score each question with a map fitted without it."""
        ...

    @property
    def embedder_info(self) -> dict: ...

    def search(self, query: str, top_k: int = 10, filters: Filters | None = None,
               mode: str = "hybrid", rewrite: str = "", scope: Scope | None = None) -> list[Hit]:
        """The top_k clauses for `query`, best first; filters apply before truncation; `rewrite` (the
        question in the documents' wording) is fused as one more ranking; `scope`, the region and
        years the question names (detected from `query` when not given), is preferred."""
        ...

    def search_many(self, queries: list[str], top_k: int = 10, filters: Filters | None = None,
                    mode: str = "hybrid", rewrites: Sequence[str] | None = None,
                    scopes: Sequence[Scope] | None = None) -> list[list[Hit]]: ...
