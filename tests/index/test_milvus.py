"""The Milvus backend: Milvus Lite started from a temp path (or the server in MILVUS_URI).

Synchronisation by document hash, filters as escaped expressions, the analyzer and embedder
recorded with the collections, and the guard against an incompatible milvus-lite.
"""
from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

import pytest

import index.build
from index.backend import ensure_index, open_index
from index.filters import Filters
from index.milvus_store import CLAUSES, DOCUMENTS, PIECES, SENTENCES, MilvusStore, filter_expression, is_lite
from policyqa.config import Settings
from policyqa.errors import IndexMismatchError, IndexMissingError
from policyqa.model import Document
from tests.conftest import MILVUS_URI

pytestmark = pytest.mark.usefixtures("line_loader")


def _settings(tmp_path: Path, analyzer: str = "jieba") -> Settings:
    folder = tmp_path / "index"
    return Settings(index_dir=folder, embed_model="offline", index_backend="milvus",
                    milvus_uri=MILVUS_URI or str(tmp_path / "milvus" / "policy.db"),
                    milvus_token=os.environ.get("MILVUS_TOKEN", ""), milvus_analyzer=analyzer)


def _counts(settings: Settings) -> dict[str, int]:
    store = MilvusStore.for_settings(settings)
    try:
        return {name: store.count(name) for name in (CLAUSES, PIECES, SENTENCES)}
    finally:
        store.close()


@pytest.mark.skipif(bool(MILVUS_URI) and not is_lite(MILVUS_URI), reason="guards the embedded Milvus Lite")
def test_the_installed_milvus_lite_is_the_2_5_core_and_scores_bm25_positively(small_corpus: Path,
                                                                             tmp_path: Path) -> None:
    assert importlib.metadata.version("milvus-lite").startswith("2.5.")  # 3.x: negative BM25, no filters
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    store = MilvusStore.for_settings(settings)
    try:
        found = store.keyword(CLAUSES, store.query_text("出口信用保险保费补助"), 5, "")
        assert found and all(score > 0 for _, score in found)
        filtered = store.keyword(CLAUSES, store.query_text("出口信用保险保费补助"), 5, 'region in ["瑞安市"]')
        assert filtered and {c.split("-")[0] for c, _ in filtered} == {"ra"}
    finally:
        store.close()


def test_ingest_writes_milvus_and_a_second_ingest_only_what_changed(small_corpus: Path, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    first = _counts(settings)
    assert first[CLAUSES] == 8 and first[PIECES] >= 8 and first[SENTENCES] >= 8
    again = index.build.ingest_paths([small_corpus], settings)
    assert "Milvus：写入 0 份文件，移除 0 份" in again.notices
    (small_corpus / "wz.txt").write_text("对企业短期出口信用保险保费给予不低于80%的补助经费。\n", encoding="utf-8")
    changed = index.build.ingest_paths([small_corpus], settings)
    assert "Milvus：写入 1 份文件，移除 0 份" in changed.notices and _counts(settings)[CLAUSES] == 6
    hits = open_index(settings).search("短期出口信用保险保费补助比例", top_k=3)
    assert "80%" in hits[0].clause.text
    index.build.remove_documents(["yq"], settings)
    assert _counts(settings)[CLAUSES] == 4
    assert all(h.clause.doc.doc_id != "yq" for h in open_index(settings).search("出口信用保险", top_k=10))


def test_search_filters_run_in_milvus_and_match_the_faiss_backend(small_corpus: Path, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    milvus = open_index(settings)
    faiss = open_index(settings.with_overrides(index_backend="faiss"))  # the same folder, FAISS files
    for filters in (Filters(regions=("乐清",)), Filters(years=(2023,)), Filters(doc_ids=("wz",))):
        for mode in ("hybrid", "bm25", "dense"):
            got = [h.clause.clause_id for h in milvus.search("出口信用保险保费补助", 8, filters, mode)]
            assert got and all(filters.accepts(milvus.clause(c).doc) for c in got)  # type: ignore[union-attr]
            want = [h.clause.clause_id for h in faiss.search("出口信用保险保费补助", 8, filters, mode)]
            assert set(got) == set(want), (filters, mode)
    assert milvus.search("出口信用保险", filters=Filters(years=(1999,))) == []


def test_an_index_folder_and_a_milvus_that_disagree_are_not_opened(small_corpus: Path, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    before = _counts(settings)
    store = MilvusStore.for_settings(settings)  # as a sync cut short leaves it: rows, but no hash yet
    store.client.delete(DOCUMENTS, filter='doc_id == "wz"')
    store.close()
    with pytest.raises(IndexMismatchError, match="policyqa ingest"):
        open_index(settings)
    index.build.ingest_paths([small_corpus], settings)  # the next ingest rewrites that document
    assert _counts(settings) == before and open_index(settings).search("出口信用保险", top_k=3)
    with pytest.raises(IndexMismatchError):  # collections cut by the other analyzer
        open_index(settings.with_overrides(milvus_analyzer="chinese"))
    index.build.ingest_paths([small_corpus], settings.with_overrides(milvus_analyzer="chinese"))
    assert open_index(settings.with_overrides(milvus_analyzer="chinese")).search("出口信用保险", top_k=3)


def test_a_second_client_with_no_index_folder_leaves_the_shared_store_as_it_is(small_corpus: Path,
                                                                                tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    before = _counts(settings)
    second = settings.with_overrides(index_dir=tmp_path / "second-server")
    with pytest.raises(IndexMissingError, match="已有 3 份文件的索引"):
        ensure_index(second)
    assert not (tmp_path / "second-server" / "manifest.json").exists()
    assert _counts(settings) == before and open_index(settings).search("腾笼换鸟", top_k=1)[0].clause.clause_id == "ra-3"
    fresh = settings.with_overrides(index_dir=tmp_path / "fresh", milvus_uri=str(tmp_path / "empty" / "policy.db"))
    assert ensure_index(fresh).search("出口信用保险", top_k=1)  # an empty store: built from the bundled files


def test_filter_expressions_are_escaped_and_regions_named_as_the_documents_write_them() -> None:
    docs = [Document("a", "甲", region="乐清市", year=2023), Document("b", "乙", region="温州市", year=2024)]
    assert filter_expression(Filters(regions=("乐清",), years=(2023,)), docs) == 'region in ["乐清市"] and year in [2023]'
    tricky = filter_expression(Filters(doc_ids=('x" or doc_id != "', "back\\slash")), docs)
    assert tricky == 'doc_id in ["back\\\\slash", "x\\" or doc_id != \\""]'
    assert filter_expression(Filters(), docs) == "" and filter_expression(None, docs) == ""


def test_a_backend_name_that_is_not_one_is_refused_before_anything_is_written(small_corpus: Path,
                                                                              tmp_path: Path) -> None:
    from policyqa.errors import UserError

    settings = _settings(tmp_path).with_overrides(index_backend="milvis")
    with pytest.raises(UserError, match="faiss、milvus"):
        index.build.ingest_paths([small_corpus], settings)
    assert not settings.index_dir.exists()
    with pytest.raises(UserError, match="POLICYQA_INDEX_BACKEND"):
        open_index(settings)
