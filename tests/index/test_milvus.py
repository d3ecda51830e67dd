"""The Milvus backend: Milvus Lite started from a temp path (or the server in MILVUS_URI).

Milvus is the store of record: a query process needs no local folder and never writes; writers
start from what Milvus holds, under a lock record in Milvus, and a reader sees each document's old
or new rows, never a mix. Also: filters as escaped expressions, the analyzer and embedder recorded
with the collections, and the guard against an incompatible milvus-lite.
"""
from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import index.build
import index.milvus_catalogue
import index.milvus_writer
from cli.main import main as cli
from index.backend import open_index
from index.contract import SearchIndex
from index.ensure import ensure_index
from index.filters import Filters
from index.milvus_catalogue import current_generation, read_catalogue
from index.milvus_lock import WRITER, milvus_writer_lock
from index.milvus_store import CLAUSES, LOCKS, PIECES, SENTENCES, MilvusStore, filter_expression, is_lite
from index.milvus_writer import WORK_PREFIX
from ingest.spans import split_sentences
from policyqa.config import Settings
from policyqa.errors import IndexMismatchError, IndexMissingError, UserError
from policyqa.model import Document
from tests.conftest import MILVUS_URI

pytestmark = pytest.mark.usefixtures("line_loader")


def _settings(tmp_path: Path, analyzer: str = "jieba", folder: str = "index") -> Settings:
    return Settings(index_dir=tmp_path / folder, embed_model="offline", index_backend="milvus",
                    milvus_uri=MILVUS_URI or str(tmp_path / "milvus" / "policy.db"),
                    milvus_token=os.environ.get("MILVUS_TOKEN", ""), milvus_analyzer=analyzer)


def _counts(settings: Settings) -> dict[str, int]:
    store = MilvusStore.for_settings(settings)
    try:
        return {name: store.count(name) for name in (CLAUSES, PIECES, SENTENCES)}
    finally:
        store.close()


def _generation(settings: Settings) -> int:
    store = MilvusStore.for_settings(settings)
    try:
        return current_generation(store)
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
        versions = read_catalogue(store).versions  # type: ignore[union-attr]
        text = store.query_text("出口信用保险保费补助")
        found = store.keyword(CLAUSES, text, 5, "", versions)
        assert found and all(m.score > 0 for m in found)
        filtered = store.keyword(CLAUSES, text, 5, 'region in ["瑞安市"]', versions)
        assert filtered and {m.doc_id for m in filtered} == {"ra"} and {m.row.split("-")[0] for m in filtered} == {"ra"}
    finally:
        store.close()


def test_ingest_writes_milvus_and_a_second_ingest_only_what_changed(small_corpus: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    first = _counts(settings)
    assert first[CLAUSES] == 8 and first[PIECES] >= 8 and first[SENTENCES] >= 8
    exported = []
    export = index.milvus_writer.export_index
    monkeypatch.setattr(index.milvus_writer, "export_index", lambda *a: exported.append(a) or export(*a))
    again = index.build.ingest_paths([small_corpus], settings)
    # nothing changed: the store's catalogue says so, and nothing is copied out of Milvus
    assert not exported and not again.written and len(again.unchanged) == 3 and again.clause_count == 8
    assert _counts(settings) == first
    (small_corpus / "wz.txt").write_text("对企业短期出口信用保险保费给予不低于80%的补助经费。\n", encoding="utf-8")
    changed = index.build.ingest_paths([small_corpus], settings)
    assert "Milvus：写入 1 份文件，移除 0 份" in changed.notices and _counts(settings)[CLAUSES] == 6
    assert changed.updated == [str(small_corpus / "wz.txt")] and changed.embedded_pieces == 1
    hits = open_index(settings).search("短期出口信用保险保费补助比例", top_k=3)
    assert "80%" in hits[0].clause.text
    index.build.remove_documents(["yq"], settings)
    assert _counts(settings)[CLAUSES] == 4
    assert not exported  # one changed file, one removed: written without copying the store out
    assert all(h.clause.doc.doc_id != "yq" for h in open_index(settings).search("出口信用保险", top_k=10))


def _held(settings: Settings) -> dict:
    """What a store holds, as a reader sees it: the catalogue and every row's content."""
    store = MilvusStore.for_settings(settings)
    try:
        catalogue = read_catalogue(store)
        assert catalogue is not None
        rows = {name: sorted((r["row_id"], r.get("text"), r.get("record"), tuple(round(x, 5) for x in r.get("vector", ())))
                             for r in store.rows_of(name, "", ["row_id", *fields]))
                for name, fields in ((CLAUSES, ["text", "record"]), (SENTENCES, ["text"]), (PIECES, ["vector"]))}
        manifest = {k: v for k, v in catalogue.manifest.items() if k not in ("built_at", "build_seconds")}
        return {"manifest": manifest, "documents": [d.doc_id for d in catalogue.documents],
                "versions": catalogue.versions, "clause_counts": catalogue.clause_counts,
                "df": catalogue.document_frequencies, "average_length": round(catalogue.average_length, 9),
                "embedder": catalogue.embedder_files, "rows": rows}
    finally:
        store.close()


def test_a_changed_write_copies_nothing_out_and_leaves_what_the_whole_index_path_leaves(
        small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    delta, whole = _settings(tmp_path, folder="a"), _settings(tmp_path, folder="b")
    whole = whole.with_overrides(milvus_uri=str(tmp_path / "milvus-b" / "policy.db"))
    for settings in (delta, whole):
        index.build.ingest_paths([small_corpus], settings)
    (small_corpus / "wz.txt").write_text("对企业短期出口信用保险保费给予不低于80%的补助经费。\n支持企业出境参展。\n",
                                         encoding="utf-8")
    (small_corpus / "lc.txt").write_text("对新引进的机器人企业给予一次性奖励50万元。\n", encoding="utf-8")
    exported: list[object] = []
    export = index.milvus_writer.export_index
    monkeypatch.setattr(index.milvus_writer, "export_index", lambda *a: exported.append(a) or export(*a))
    changes = [lambda s: index.build.ingest_paths([small_corpus], s), lambda s: index.build.remove_documents(["yq"], s)]
    for change in changes:
        report = change(delta)
        assert report.written and not exported
    with monkeypatch.context() as forced:  # the same changes on the whole-index path
        forced.setattr(index.milvus_writer, "write_changed", lambda *a: None)
        for change in changes:
            change(whole)
    assert len(exported) == 2
    held = _held(delta)
    assert held["documents"] == ["lc", "ra", "wz"] and held["clause_counts"] == {"lc": 1, "ra": 3, "wz": 2}
    assert held["df"]["出口信用保险"] == 2 and "扩责" not in held["df"]  # yq's words left with it
    assert held == _held(whole)
    hits = open_index(delta).search("机器人企业奖励", top_k=1)
    assert hits[0].clause.doc.doc_id == "lc"


def test_a_change_that_is_most_of_the_corpus_refits_the_embedder_and_rewrites_every_row(
        small_corpus: Path, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    before = _held(settings)
    big = tmp_path / "big.txt"
    big.write_text("".join(f"对第{n}类新材料企业给予研发补助{n}0万元。\n" for n in range(1, 12)), encoding="utf-8")
    report = index.build.ingest_paths([big], settings)
    after = _held(settings)
    assert report.added == [str(big)] and after["embedder"] != before["embedder"]  # refitted on the new corpus
    assert "Milvus：写入 4 份文件，移除 0 份" in report.notices
    assert not set(after["versions"].values()) & set(before["versions"].values())


def test_a_writer_whose_lock_was_taken_over_publishes_nothing(small_corpus: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    generation = _generation(settings)
    write_documents = MilvusStore.write_documents

    def stalled(store, *args):  # the writer stalls past its lock's expiry; another writer takes it
        write_documents(store, *args)
        store.client.upsert(LOCKS, [{"key": WRITER, "owner": "rival:1:x", "expires": int(time.time()) + 60,
                                     "marker": [0.0, 0.0]}])

    monkeypatch.setattr(MilvusStore, "write_documents", stalled)
    (small_corpus / "wz.txt").write_text("对企业短期出口信用保险保费给予不低于80%的补助经费。\n", encoding="utf-8")
    with pytest.raises(UserError, match="已被 rival:1:x 接管"):
        index.build.ingest_paths([small_corpus], settings)
    assert _generation(settings) == generation
    hits = open_index(settings).search("短期出口信用保险保费补助比例", top_k=3)
    assert "70%" in hits[0].clause.text


def test_search_filters_run_in_milvus_and_match_the_faiss_backend(small_corpus: Path, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    milvus = open_index(settings)
    local = settings.with_overrides(index_backend="faiss", index_dir=tmp_path / "faiss")
    index.build.ingest_paths([small_corpus], local)
    faiss = open_index(local)
    for filters in (Filters(regions=("乐清",)), Filters(years=(2023,)), Filters(doc_ids=("wz",))):
        for mode in ("hybrid", "bm25", "dense"):
            got = [h.clause.clause_id for h in milvus.search("出口信用保险保费补助", 8, filters, mode)]
            assert got and all(filters.accepts(milvus.clause(c).doc) for c in got)  # type: ignore[union-attr]
            want = [h.clause.clause_id for h in faiss.search("出口信用保险保费补助", 8, filters, mode)]
            assert set(got) == set(want), (filters, mode)
    assert milvus.search("出口信用保险", filters=Filters(years=(1999,))) == []
    # the neural similarity of each sentence (its closest fragment) is the same from either store
    assert milvus.has_semantic and faiss.has_semantic
    same = {h.clause.clause_id: h.sentence_similarity for h in faiss.search("出口信用保险保费补助", 20)}
    hits = milvus.search("出口信用保险保费补助", 8)
    assert hits and any(h.clause.clause_id in same for h in hits)
    for hit in hits:
        assert len(hit.sentence_similarity) == len(split_sentences(hit.clause.text))
        if hit.clause.clause_id in same:
            assert hit.sentence_similarity == pytest.approx(same[hit.clause.clause_id], abs=1e-4)


def test_a_reader_keeps_the_sentence_vectors_it_fetched_up_to_its_bound(small_corpus: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import index.milvus_backend

    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    milvus = open_index(settings)
    assert milvus.has_semantic

    fetched: list[list[str]] = []
    fetch = MilvusStore.fragment_vectors
    monkeypatch.setattr(MilvusStore, "fragment_vectors",
                        lambda store, rows: fetched.append(list(rows)) or fetch(store, rows))

    def similarities(reader: SearchIndex) -> list[tuple[str, tuple[float, ...]]]:
        fetched.clear()
        return [(h.clause.clause_id, h.sentence_similarity) for h in reader.search("出口信用保险保费补助", 8)]

    first = similarities(milvus)
    assert any(similarity for _, similarity in first) and fetched
    assert similarities(milvus) == first and fetched == []  # every row kept
    # a reader keeping two rows fetches the others again, with the same vectors
    monkeypatch.setattr(index.milvus_backend, "CACHED_FRAGMENT_ROWS", 2)
    small = open_index(settings)
    assert similarities(small) == first and len(fetched[0]) > 2
    assert similarities(small) == first and fetched


def test_a_small_store_is_searched_exactly_however_few_inverted_lists_are_read(small_corpus: Path,
                                                                              tmp_path: Path) -> None:
    """POLICYQA_MILVUS_NPROBE sets how many of the vector index's lists a search reads; Lite builds
    that index only on large sealed segments, so a county's corpus is searched exactly at any value."""
    from policyqa.config import load_settings

    assert load_settings({"POLICYQA_MILVUS_NPROBE": "1024"}).milvus_nprobe == 1024
    assert load_settings({"POLICYQA_MILVUS_NPROBE": "0"}).milvus_nprobe == 64  # not a count: the default
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    hits = {}
    for nprobe in (1, 1024):
        opened = open_index(settings.with_overrides(milvus_nprobe=nprobe))
        hits[nprobe] = [(h.clause.clause_id, round(h.score, 4)) for h in opened.search("出口信用保险保费补助", 8, mode="dense")]
    assert hits[1] and hits[1] == hits[1024]


def test_a_query_process_needs_no_local_folder_and_a_writer_keeps_none(small_corpus: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    work_root = tmp_path / "tmp"
    work_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work_root))
    # a writer killed mid-write left its work folder; one of a writer still running is not touched
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True)
    abandoned = work_root / f"{WORK_PREFIX}{ended.stdout.strip()}-x1"
    running = work_root / f"{WORK_PREFIX}{os.getppid()}-x2"
    for folder in (abandoned, running):
        (folder / "index").mkdir(parents=True)
    writer = _settings(tmp_path, folder="writer")
    index.build.ingest_paths([small_corpus], writer)
    assert not writer.index_dir.exists() and list(work_root.iterdir()) == [running]  # no index left on its disk
    reader = _settings(tmp_path, folder="reader")
    opened = open_index(reader)
    assert [h.clause.clause_id for h in opened.search("腾笼换鸟", top_k=1)] == ["ra-3"]
    assert [c.clause_id for c in opened.clauses_of("yq")] == ["yq-1", "yq-2"] and len(opened.clauses) == 8
    assert opened.document_frequencies()["出口"] == 3
    assert opened.phrases().count("出口信用保险") == 3 and not opened.phrases().holds("最低工资")
    assert opened.phrases().count("70%") == 1 and opened.phrases().count("7_%") == 0  # wildcards are literal
    env = {"POLICYQA_INDEX_BACKEND": "milvus", "POLICYQA_INDEX_DIR": str(reader.index_dir),
           "POLICYQA_MILVUS_URI": reader.milvus_uri, "POLICYQA_EMBED_MODEL": "offline", "POLICYQA_LLM": "off"}
    result = CliRunner().invoke(cli, ["ask", "瑞安投保出口信用保险的保费补助比例是多少", "--json"], env=env)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert "60%" in answer["answer"] and answer["citations"][0]["clause_id"] == "ra-1"
    assert not reader.index_dir.exists()


def test_readers_never_write_and_an_empty_store_names_the_ingest(small_corpus: Path, tmp_path: Path) -> None:
    empty = _settings(tmp_path).with_overrides(milvus_uri=str(tmp_path / "empty" / "policy.db"))
    for opener in (open_index, ensure_index):
        with pytest.raises(IndexMissingError, match="policyqa ingest"):
            opener(empty)
    assert not (tmp_path / "empty").exists() and not empty.index_dir.exists()
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    before = (_counts(settings), _generation(settings))
    second = settings.with_overrides(index_dir=tmp_path / "second-server")
    assert ensure_index(second).search("腾笼换鸟", top_k=1)[0].clause.clause_id == "ra-3"
    assert (_counts(settings), _generation(settings)) == before and not second.index_dir.exists()


def test_a_reader_sees_each_document_old_or_new_never_a_mix(small_corpus: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    reader = open_index(settings)
    opened_at = reader.generation

    def texts() -> list[str]:
        return [h.clause.text for h in reader.search("温州短期出口信用保险保费补助", top_k=8)
                if h.clause.doc.doc_id == "wz"]

    seen_before_publishing: list[list[str]] = []
    publish = index.milvus_catalogue.publish

    def watched(store, catalogue):  # the new rows are written; the catalogue does not show them yet
        seen_before_publishing.append(texts())
        return publish(store, catalogue)

    monkeypatch.setattr(index.milvus_catalogue, "publish", watched)
    (small_corpus / "wz.txt").write_text("对企业短期出口信用保险保费给予不低于80%的补助经费。\n支持企业出境参展。\n",
                                         encoding="utf-8")
    index.build.ingest_paths([small_corpus], settings)
    assert seen_before_publishing and any("70%" in t for t in seen_before_publishing[0])
    assert not any("80%" in t for t in seen_before_publishing[0])
    after = texts()
    assert any("80%" in t for t in after) and not any("70%" in t for t in after)
    assert reader.generation != opened_at and len(reader.clauses) == 7  # the reader took up the new catalogue


def test_a_sync_cut_short_is_not_seen_and_the_next_ingest_completes_it(small_corpus: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    before = _counts(settings)

    def dies(store, catalogue):
        raise KeyboardInterrupt  # the writer stops after writing rows, before the catalogue

    monkeypatch.setattr(index.milvus_catalogue, "publish", dies)
    (small_corpus / "wz.txt").write_text("对企业短期出口信用保险保费给予不低于80%的补助经费。\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        index.build.ingest_paths([small_corpus], settings)
    assert _counts(settings)[CLAUSES] == before[CLAUSES] + 1  # the new version's row, not shown
    hits = open_index(settings).search("短期出口信用保险保费补助比例", top_k=3)
    assert "70%" in hits[0].clause.text and not any("80%" in h.clause.text for h in hits)
    monkeypatch.undo()
    index.build.ingest_paths([small_corpus], settings)  # the lock was released; this one finishes the job
    assert _counts(settings)[CLAUSES] == 6
    assert "80%" in open_index(settings).search("短期出口信用保险保费补助比例", top_k=3)[0].clause.text


def test_collections_cut_by_another_analyzer_are_refused_until_ingested_again(small_corpus: Path,
                                                                              tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    chinese = settings.with_overrides(milvus_analyzer="chinese")
    with pytest.raises(IndexMismatchError, match="POLICYQA_MILVUS_ANALYZER=jieba"):
        open_index(chinese)
    for analyzer in ("chinese", "milvus-jieba"):  # the raw text to Milvus's own analyzers
        own = settings.with_overrides(milvus_analyzer=analyzer)
        index.build.ingest_paths([small_corpus], own)
        assert {h.clause.clause_id for h in open_index(own).search("出口信用保险", top_k=3, mode="bm25")} == \
            {"wz-1", "ra-1", "yq-1"}


def test_the_writer_lock_waits_for_its_holder_and_takes_over_an_expired_one(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    store = MilvusStore.for_settings(settings, create=True)
    try:
        with milvus_writer_lock(store) as lock:
            with pytest.raises(UserError, match=f"正被 {lock.owner} 写入"):
                with milvus_writer_lock(store, wait_s=1.5, poll_s=0.2):
                    pass
        store.client.upsert(LOCKS, [{"key": WRITER, "owner": "dead-host:1:x", "expires": int(time.time()) - 1,
                                     "marker": [0.0, 0.0]}])
        with milvus_writer_lock(store, wait_s=1.5) as lock:
            assert lock.owner != "dead-host:1:x"
        assert store.client.query(LOCKS, filter="", limit=10) == []  # released
    finally:
        store.close()


DOC = "关于支持{name}发展的若干政策\n一、产业扶持\n1. 对新引进的{name}企业给予一次性奖励50万元。\n2. 支持{name}企业开拓市场。\n"


@pytest.mark.skipif(bool(MILVUS_URI), reason="the Lite file is this test's store")
def test_two_concurrent_ingests_on_two_machines_keep_both_documents(tmp_path: Path) -> None:
    uri = str(tmp_path / "shared" / "policy.db")
    processes = []
    for name in ("机器人", "新材料"):
        path = tmp_path / f"{name}.txt"
        path.write_text(DOC.format(name=name), encoding="utf-8")
        env = {**os.environ, "POLICYQA_EMBED_MODEL": "offline", "HF_HUB_OFFLINE": "1", "POLICYQA_INDEX_BACKEND": "milvus",
               "POLICYQA_MILVUS_URI": uri, "POLICYQA_INDEX_DIR": str(tmp_path / f"machine-{name}")}
        command = Path(sys.executable).with_name("policyqa")  # the console script of this environment
        processes.append(subprocess.Popen([str(command), "ingest", str(path)], env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    store = MilvusStore(uri)
    try:
        catalogue = read_catalogue(store)
        assert catalogue is not None and {d.doc_id for d in catalogue.documents} == {"机器人", "新材料"}
    finally:
        store.close()


def test_filter_expressions_are_escaped_and_regions_named_as_the_documents_write_them() -> None:
    docs = [Document("a", "甲", region="乐清市", year=2023), Document("b", "乙", region="温州市", year=2024)]
    assert filter_expression(Filters(regions=("乐清",), years=(2023,)), docs) == 'region in ["乐清市"] and year in [2023]'
    tricky = filter_expression(Filters(doc_ids=('x" or doc_id != "', "back\\slash")), docs)
    assert tricky == 'doc_id in ["back\\\\slash", "x\\" or doc_id != \\""]'
    assert filter_expression(Filters(), docs) == "" and filter_expression(None, docs) == ""


def test_a_backend_name_that_is_not_one_is_refused_before_anything_is_written(small_corpus: Path,
                                                                              tmp_path: Path) -> None:
    settings = _settings(tmp_path).with_overrides(index_backend="milvis")
    with pytest.raises(UserError, match="faiss、milvus"):
        index.build.ingest_paths([small_corpus], settings)
    assert not settings.index_dir.exists()
    with pytest.raises(UserError, match="POLICYQA_INDEX_BACKEND"):
        open_index(settings)
