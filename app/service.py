"""AnswerService: question in, cited Answer out. The one object the CLI, the chat and eval use.

The constructor is light; the index (and the LLM client, when configured) load on first use, once,
and are reused for every later question.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from app.answer.analysis import QuestionProfile, analyze
from app.answer.config import DEFAULT_CONFIG, AnswerConfig
from app.answer.decision import DecisionModel, load_model
from app.answer.pipeline import AnswerContext, Draft, answer, refuse
from app.answer.refusal import filter_refusal
from app.answer.rerank import answer_candidates, rerank
from app.answer.styles import composer
from app.text.inputs import prepare_question
from index.scope import Scope, detect_scope
from policyqa.config import Settings
from policyqa.model import DEFAULT_TOP_K, Answer, Clause, Document, Hit, Style
from policyqa.numerals import check_year

if TYPE_CHECKING:  # imported when first needed: `policyqa ask` starts without loading the index code
    from app.answer.corpus import CorpusStats
    from app.llm.answerer import LlmClient
    from app.llm.rewrite import Rewriter
    from index.contract import Mode, SearchIndex
    from index.filters import Filters

MIN_RETRIEVED = 10  # the JSON contract lists at least the top 10 clauses
SCOPED_EXTRA = 5  # clauses fetched from the documents a question names, besides the global top k

# Retrieval results by their inputs, shared by services that rank alike (eval: one model at several
# decline thresholds, same index and question map); the search and ranking run once per question
RetrievalMemo = dict[tuple[Any, ...], tuple[tuple[Hit, ...], tuple[Hit, ...]]]


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


class AnswerService:
    """Answers questions over the index in `settings`, offline or with the configured LLM."""

    def __init__(self, settings: Settings, *, progress: bool = False, index: SearchIndex | None = None,
                 model: DecisionModel | None = None, config: AnswerConfig = DEFAULT_CONFIG,
                 retrievals: RetrievalMemo | None = None) -> None:
        self._settings = settings
        self._progress = progress
        self._lock = threading.Lock()
        self._index = index  # given by tests and tools that already hold one
        self._model = model  # given by eval to score a model trained on other questions
        self._config = config
        self._retrievals = retrievals  # given by eval to services whose models rank alike
        self._llm: LlmClient | None = None
        self._rewriter: Rewriter | None = None
        self._llm_notices: list[str] = []
        self._corpus: tuple[SearchIndex, int, CorpusStats] | None = None
        self._validity: tuple[SearchIndex, int, Mapping[str, Clause]] | None = None

    @property
    def settings(self) -> Settings:
        """The settings this service answers with (read-only)."""
        return self._settings

    # -- lazily loaded parts ------------------------------------------------------------------
    def _search_index(self) -> SearchIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from index.ensure import ensure_index

                    self._index = ensure_index(self._settings, progress=self._progress)
        return self._index

    def _llm_answerer(self) -> LlmClient | None:
        if self._llm is None and self._settings.llm_configured:
            with self._lock:
                if self._llm is None:
                    from app.llm.answerer import LlmAnswerer

                    self._llm = LlmAnswerer(self._settings, self._config)
        return self._llm

    def _question_rewriter(self) -> Rewriter | None:
        """The LLM's rewriter of questions into the documents' wording (None: search without it)."""
        if self._rewriter is None and self._settings.llm_configured and self._settings.llm_rewrite:
            with self._lock:
                if self._rewriter is None:
                    from app.llm.rewrite import QueryRewriter

                    self._rewriter = QueryRewriter(self._settings)
        return self._rewriter

    def _decision_model(self) -> DecisionModel:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = load_model()
        return self._model

    def _corpus_stats(self, index: SearchIndex) -> CorpusStats:
        """Token statistics and text of the indexed clauses, built once per loaded index."""
        if self._corpus is None or self._corpus[0] is not index or self._corpus[1] != index.generation:
            from app.answer.corpus import CorpusStats

            stats = CorpusStats(index.documents, len(index.clauses), index.document_frequencies(), index.phrases())
            self._corpus = (index, index.generation, stats)
        return self._corpus[2]

    def _validity_clauses(self, index: SearchIndex) -> Mapping[str, Clause]:
        """Per document, the clause stating its validity (looked for once per loaded index)."""
        if self._validity is None or self._validity[0] is not index or self._validity[1] != index.generation:
            from app.answer.validity import ValidityClauses

            self._validity = (index, index.generation, ValidityClauses(index.documents, index.clauses_of))
        return self._validity[2]

    def documents(self) -> list[Document]:
        """The documents in the index."""
        return list(self._search_index().documents)

    def notices(self) -> list[str]:
        """Things the UI should show once: embedder fallback, LLM fallbacks."""
        index_notices = self._search_index().notices
        found = list(index_notices() if callable(index_notices) else index_notices)
        return found + list(dict.fromkeys(self._llm_notices))

    # -- answering ----------------------------------------------------------------------------
    def scope(self, query: str) -> Scope:
        """The region and years an already prepared query names, against the loaded index's documents."""
        return detect_scope(query, list(self._search_index().documents))

    def analyze(self, query: str, scope: Scope | None = None) -> QuestionProfile:
        """The question's profile against the loaded index (stage 1 of the answer pipeline)."""
        index = self._search_index()
        return analyze(query, list(index.documents), self._corpus_stats(index), self._config,
                       self.scope(query) if scope is None else scope)

    def retrieve(self, query: str, *, top_k: int = DEFAULT_TOP_K, region: str | None = None, year: int | None = None,
                 doc_id: str | None = None, retrieval_mode: Mode = "hybrid",
                 scope: Scope | None = None) -> tuple[list[Hit], list[Hit]]:
        """(retrieved hits for the JSON, answer candidates) for an already prepared query."""
        index = self._search_index()
        scope = self.scope(query) if scope is None else scope
        return self._retrieve(index, query, scope, max(1, top_k), _user_filters(region, year, doc_id),
                              self.analyze(query, scope), retrieval_mode)

    def ranking_pool(self, query: str, scope: Scope) -> tuple[list[Hit], frozenset[str]]:
        """What the ranking model reorders for an already prepared query (no filter): the fused top
        clauses and the named region/year's, and the latter's clause ids (training reads these)."""
        return self._search(self._search_index(), query, scope, self._ranking_depth(MIN_RETRIEVED),
                            _user_filters(None, None, None))

    def _ranking_depth(self, top_k: int) -> int:
        """How many fused clauses the ranking model reorders when `top_k` are asked for (answering
        and training must read the same pool)."""
        return max(top_k, MIN_RETRIEVED, self._config.rerank_depth)

    def ask(self, question: str, *, top_k: int = DEFAULT_TOP_K, region: str | None = None, year: int | None = None,
            doc_id: str | None = None, style: Style = "default", today: date | None = None,
            retrieval_mode: Mode = "hybrid") -> Answer:
        """Answer one question with clause citations (retrieval_mode: "hybrid", "bm25" or "dense")."""
        final: Answer | None = None
        for piece in self.ask_stream(question, top_k=top_k, region=region, year=year, doc_id=doc_id,
                                     style=style, today=today, retrieval_mode=retrieval_mode):
            if isinstance(piece, Answer):
                final = piece
        assert final is not None
        return final

    def ask_stream(self, question: str, *, top_k: int = DEFAULT_TOP_K, region: str | None = None,
                   year: int | None = None, doc_id: str | None = None, style: Style = "default",
                   today: date | None = None, retrieval_mode: Mode = "hybrid") -> Iterator[str | Answer]:
        """Text pieces as they are ready, then the final Answer (whose text is authoritative)."""
        started = time.perf_counter()
        check_year(year)  # the web's /ask and eval call here too, not only the command line
        query, notes = prepare_question(question)
        today = today or date.today()
        top_k = max(1, top_k)
        index = self._search_index()
        documents = list(index.documents)
        chosen = _user_filters(region, year, doc_id)
        accepted = [d for d in documents if chosen.accepts(d)]
        matches_nothing = not chosen.empty and not accepted
        rewriter = self._question_rewriter() if retrieval_mode == "hybrid" else None
        rewrite, rewrite_ms = rewriter.rewrite(query) if rewriter else ("", 0.0)
        scope = detect_scope(query, documents)  # once: the search prefers it, the answer checks it
        profile = analyze(query, documents, self._corpus_stats(index), self._config, scope)
        hits, candidates = self._retrieve(index, query, scope, top_k, chosen, profile, retrieval_mode, rewrite)
        rewritten = {"rewrite": rewrite, "rewrite_ms": rewrite_ms} if rewriter else {}
        filter_notes = ("没有符合所选地区或年份的政策文件。",) if matches_nothing else ()
        retrieve_ms = _ms(started)
        answer_started = time.perf_counter()
        model = self._decision_model().for_semantic(index.semantic_model is not None)
        context = AnswerContext(documents=tuple(documents), searched=tuple(accepted or documents),
                                model=model, validity=self._validity_clauses(index), today=today,
                                style=style, config=self._config, mentioned=self._corpus_stats(index).mentions)
        if matches_nothing:  # the user's own filter matches no document: say so, and what there is
            draft = refuse(filter_refusal(chosen.regions, chosen.years), profile, context)
        else:
            draft = answer(profile, candidates, context)
        base = dict(question=question, retrieved=tuple(hits), notes=notes + filter_notes)
        llm = self._llm_answerer() if draft.found and not draft.final else None
        if llm is None:
            yield from _pieces(draft.text)
            checks = {"llm": "skipped: no supporting clause", **rewritten} if self._settings.llm_configured else {}
            yield _answer(draft, base, "extractive", checks, retrieve_ms, answer_started, started)
            return
        llm_clauses = _llm_context(draft, candidates, self._settings.llm_context_clauses)
        result = None
        streamed = False
        for piece in llm.stream(query, llm_clauses, style=style, today=today,
                                deadline_s=self._settings.llm_timeout_s):
            if isinstance(piece, str):
                streamed = True
                yield piece
            else:
                result = piece
        if result is None or result.fallback_reason:
            reason = result.fallback_reason if result else "no result"
            self._llm_notices.append(f"大模型回答未通过检查或不可用（{reason}），已改用离线摘录回答。")
            checks = dict(result.checks if result else {}, fallback_reason=reason, **rewritten)
            if streamed:
                yield "\n（大模型回答未完成，以下为离线摘录回答）\n"
            yield from _pieces(draft.text)
            yield _answer(draft, base, "extractive-fallback", checks, retrieve_ms, answer_started, started)
            return
        # the same draft and expiry flags as the offline answer, from the same code
        flags = composer(style).notes([c.clause.doc for c in result.citations], today)
        if flags:
            yield flags
        text = result.text + flags
        llm_draft = Draft(True, text, result.citations, (), draft.outcome)
        yield _answer(llm_draft, base, result.mode, {**result.checks, **rewritten}, retrieve_ms, answer_started, started)

    def _retrieve(self, index: SearchIndex, query: str, scope: Scope, top_k: int, filters: Filters,
                  profile: QuestionProfile, mode: Mode = "hybrid", rewrite: str = "") -> tuple[list[Hit], list[Hit]]:
        """Retrieved hits (for the JSON) and answer candidates. Hybrid retrieval reorders the fused top
        clauses by the ranking model (app/answer/rerank.py); one retriever's mode keeps its own order.
        `rewrite` (the LLM's wording) is one more ranking."""
        if self._retrievals is None:
            return self._retrieve_once(index, query, scope, top_k, filters, profile, mode, rewrite)
        key = (query, scope, top_k, filters, mode, rewrite)  # the profile follows from query and scope
        if key not in self._retrievals:
            hits, candidates = self._retrieve_once(index, query, scope, top_k, filters, profile, mode, rewrite)
            self._retrievals[key] = (tuple(hits), tuple(candidates))
        hits_memo, candidates_memo = self._retrievals[key]
        return list(hits_memo), list(candidates_memo)

    def _retrieve_once(self, index: SearchIndex, query: str, scope: Scope, top_k: int, filters: Filters,
                       profile: QuestionProfile, mode: Mode, rewrite: str) -> tuple[list[Hit], list[Hit]]:
        shown = max(top_k, MIN_RETRIEVED)
        if mode != "hybrid":
            hits, scoped = self._search(index, query, scope, shown, filters, mode, rewrite)
            return hits[:shown], answer_candidates(hits, scoped, top_k)
        hits, scoped = self._search(index, query, scope, self._ranking_depth(top_k), filters, mode, rewrite)
        model = self._decision_model().for_semantic(index.semantic_model is not None)
        ranked = rerank(model, profile, hits)
        return ranked[:shown], answer_candidates(ranked, scoped, top_k)

    def _search(self, index: SearchIndex, query: str, scope: Scope, depth: int, filters: Filters,
                mode: Mode = "hybrid", rewrite: str = "") -> tuple[list[Hit], frozenset[str]]:
        """The fused top `depth` hits, then (with no filter of the user's) the clauses of the
        region/indexed years the question names (`scope`) that a search restricted to them found
        and the fused list lacks; and those restricted hits' clause ids."""
        from index.filters import Filters

        hits = index.search(query, top_k=depth, filters=None if filters.empty else filters,
                            mode=mode, rewrite=rewrite, scope=scope)
        regions, years = scope.regions, scope.indexed_years
        if not filters.empty or not (regions or years):
            return hits, frozenset()
        scoped = index.search(query, top_k=SCOPED_EXTRA, filters=Filters(regions=regions, years=years),
                              mode=mode, rewrite=rewrite, scope=scope)
        seen = {h.clause.clause_id for h in hits}
        return hits + [h for h in scoped if h.clause.clause_id not in seen], frozenset(h.clause.clause_id for h in scoped)


def _user_filters(region: str | None, year: int | None, doc_id: str | None) -> Filters:
    """The index.filters.Filters for what the user chose (empty when nothing was)."""
    from index.filters import Filters

    return Filters(regions=(region,) if region else (), years=(year,) if year else (),
                   doc_ids=(doc_id,) if doc_id else ())


def _llm_context(draft: Draft, candidates: list[Hit], size: int) -> list[Hit]:
    """Clauses for the model: the ones the offline answer cites first, then the next best."""
    cited = {item.clause.clause_id for item in draft.items}
    first = [h for h in candidates if h.clause.clause_id in cited]
    rest = [h for h in candidates if h.clause.clause_id not in cited]
    return (first + rest)[:max(size, len(first))]


def _pieces(text: str) -> Iterator[str]:
    """The offline answer in a few pieces (one per line), for streaming displays."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        yield line + ("\n" if i < len(lines) - 1 else "")


def _answer(draft: Draft, base: dict[str, Any], mode: str, checks: dict[str, Any],
            retrieve_ms: float, answer_started: float, started: float) -> Answer:
    return Answer(found=draft.found, text=draft.text, citations=draft.citations, mode=mode, checks=checks,
                  outcome=draft.outcome, reason=draft.reason,
                  timings_ms={"retrieve": retrieve_ms, "answer": _ms(answer_started), "total": _ms(started)},
                  **base)
