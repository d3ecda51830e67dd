"""Building, reopening, updating and protecting the index folder (tiny files, line loader)."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

import index.atomic
import index.build
from index.backend import open_index
from index.ensure import ensure_index
from index.filters import Filters
from index.offline_embedder import OfflineEmbedder
from policyqa.config import Settings
from policyqa.errors import IndexMissingError, IndexUnreadableError, UserError

pytestmark = pytest.mark.usefixtures("line_loader")


def _settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index", embed_model="offline")


def _record_embeds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    embedded: list[str] = []
    original = OfflineEmbedder.embed_passages

    def recording(self, texts, words=None):
        embedded.extend(texts)
        return original(self, texts, words)

    monkeypatch.setattr(OfflineEmbedder, "embed_passages", recording)
    return embedded


def test_build_persist_reload_search(small_corpus: Path, tmp_path: Path):
    settings = _settings(tmp_path)
    report = index.build.ingest_paths([small_corpus], settings)
    assert report.written and len(report.added) == 3 and report.clause_count == 8
    assert "新增 3" in report.summary() and "offline" in report.summary()
    manifest = json.loads((settings.index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedder"]["kind"] == "offline" and manifest["clause_count"] == 8
    assert all(len(f["content_hash"]) == 64 for f in manifest["files"].values())
    opened = open_index(settings)
    assert len(opened.clauses) == 8 and {d.doc_id for d in opened.documents} == {"wz", "ra", "yq"}
    for mode in ("hybrid", "bm25", "dense"):
        hits = opened.search("腾笼换鸟", top_k=3, mode=mode)
        assert hits[0].clause.clause_id == "ra-3" and hits[0].source == mode and mode in hits[0].ranks \
            or mode == "hybrid" and hits[0].clause.clause_id == "ra-3"
    hits = opened.search("出口信用保险保费补助", top_k=8, filters=Filters(regions=("乐清",)))
    assert hits and {h.clause.doc.region for h in hits} == {"乐清市"}
    assert opened.search("出口信用保险", filters=Filters(years=(1999,))) == []
    assert opened.search("   ") == []
    with pytest.raises(UserError):
        opened.search("出口", mode="magic")


def test_region_named_in_question_is_preferred_not_filtered(small_corpus: Path, tmp_path: Path):
    index.build.ingest_paths([small_corpus], _settings(tmp_path))
    opened = open_index(_settings(tmp_path))
    plain = opened.search("出口信用保险保费补助", top_k=8)
    scoped = opened.search("温州出口信用保险保费补助", top_k=8)
    assert scoped[0].clause.doc.region == "温州市"
    assert {h.clause.doc.region for h in scoped} == {h.clause.doc.region for h in plain}  # none hidden


def test_unchanged_corpus_is_a_fast_no_op(small_corpus: Path, tmp_path: Path, monkeypatch):
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    monkeypatch.setattr(index.build, "load_embedder", lambda *a, **k: pytest.fail("model loaded"))
    monkeypatch.setattr(index.sources, "load_file", lambda p: pytest.fail("file re-read"))
    report = index.build.ingest_paths([small_corpus], settings)
    assert not report.written and len(report.unchanged) == 3 and report.seconds < 1.0
    assert "无需改动" in report.summary()


def test_changed_file_alone_is_re_embedded_and_removed_file_loses_clauses(
        small_corpus: Path, tmp_path: Path, monkeypatch):
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    before = {c.clause_id: c for c in open_index(settings).clauses}
    embedded = _record_embeds(monkeypatch)
    (small_corpus / "yq.txt").write_text("支持规上企业开展数字化改造，给予补助。\n", encoding="utf-8")
    report = index.build.ingest_paths([small_corpus], settings)
    assert report.updated == [str((small_corpus / "yq.txt").resolve())] and len(report.unchanged) == 2
    assert len(embedded) == 1 and "数字化改造" in embedded[0]
    opened = open_index(settings)
    assert opened.search("数字化改造", top_k=1)[0].clause.clause_id == "yq-1"
    assert opened.clause("wz-1") == before["wz-1"] and opened.clause("yq-2") is None
    # unchanged clauses keep their vectors: the same dense ranking as before for their text
    assert opened.search("腾笼换鸟", top_k=1, mode="dense")[0].clause.clause_id == "ra-3"

    embedded.clear()
    (small_corpus / "wz.txt").unlink()
    report = index.build.ingest_paths([small_corpus], settings)
    assert len(report.removed) == 1 and embedded == []
    opened = open_index(settings)
    assert {c.doc.doc_id for c in opened.clauses} == {"ra", "yq"}
    assert all(h.clause.doc.doc_id != "wz" for h in opened.search("专精特新小巨人", top_k=10))


def test_bad_file_keeps_its_old_clauses_and_all_bad_leaves_index_untouched(
        small_corpus: Path, tmp_path: Path):
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    (small_corpus / "ra.txt").write_text("BAD\n", encoding="utf-8")
    report = index.build.ingest_paths([small_corpus], settings)
    assert report.errors and "ra.txt" in report.summary() and report.kept_after_error
    assert open_index(settings).clause("ra-3") is not None
    manifest_before = (settings.index_dir / "manifest.json").read_bytes()
    (tmp_path / "new.txt").write_text("BAD\n", encoding="utf-8")
    report = index.build.ingest_paths([tmp_path / "new.txt", tmp_path / "missing.txt"], settings)
    assert len(report.errors) == 2 and not report.written  # added nothing; what was there stays
    assert (settings.index_dir / "manifest.json").read_bytes() == manifest_before
    with pytest.raises(UserError, match="现有索引未改动"):
        index.build.ingest_paths([tmp_path / "new.txt", tmp_path / "missing.txt"], settings, replace=True)
    assert (settings.index_dir / "manifest.json").read_bytes() == manifest_before


def test_adding_a_file_keeps_the_others_and_removal_is_explicit(small_corpus: Path, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus / "ra.txt", small_corpus / "wz.txt"], settings)
    report = index.build.ingest_paths([small_corpus / "yq.txt"], settings)
    assert len(report.added) == 1 and len(report.unchanged) == 2 and not report.removed
    assert {c.doc.doc_id for c in open_index(settings).clauses} == {"ra", "wz", "yq"}
    report = index.build.remove_documents(["wz"], settings)
    assert report.removed and "已移除：wz.txt" in report.summary()
    assert {c.doc.doc_id for c in open_index(settings).clauses} == {"ra", "yq"}
    with pytest.raises(UserError, match="索引中没有 nope"):
        index.build.remove_documents(["nope"], settings)
    report = index.build.ingest_paths([small_corpus / "ra.txt"], settings, replace=True)
    assert {c.doc.doc_id for c in open_index(settings).clauses} == {"ra"} and len(report.removed) == 1


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_crash_mid_write_leaves_previous_index_loadable_and_unchanged(
        small_corpus: Path, tmp_path: Path, monkeypatch, failure):
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    files_before = {p.relative_to(settings.index_dir): p.read_bytes()
                    for p in settings.index_dir.rglob("*") if p.is_file()}
    (small_corpus / "wz.txt").write_text("全新的温州政策条款：首版次软件奖励。\n", encoding="utf-8")

    def crash(self, folder):
        raise failure

    monkeypatch.setattr(index.bm25.Bm25Index, "save", crash)
    with pytest.raises(type(failure)):
        index.build.ingest_paths([small_corpus], settings)
    files_after = {p.relative_to(settings.index_dir): p.read_bytes()
                   for p in settings.index_dir.rglob("*") if p.is_file()}
    assert files_after == files_before
    # no staging folder is left behind (the writer lock's file stays: it is the lock, not data)
    lock = index.atomic.lock_path(settings.index_dir)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".index") and p != lock] == []
    assert open_index(settings).clause("wz-3") is not None


def test_crash_between_renames_is_recovered(small_corpus: Path, tmp_path: Path, monkeypatch):
    import index.atomic as atomic

    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    (small_corpus / "wz.txt").write_text("温州新条款。\n", encoding="utf-8")
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)  # the non-Linux path
    real_replace = atomic.os.replace
    calls = []

    def replace_then_die(src, dst):
        calls.append(src)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace_then_die)
    with pytest.raises(KeyboardInterrupt):
        index.build.ingest_paths([small_corpus], settings)
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert not settings.index_dir.exists()  # died with the old index set aside
    report = index.build.ingest_paths([small_corpus], settings)
    assert report.written and report.updated  # recovered the old one, then updated it
    assert open_index(settings).search("温州新条款", top_k=1)[0].clause.clause_id == "wz-1"


def test_open_missing_index_says_how_to_build(tmp_path: Path):
    with pytest.raises(IndexMissingError, match="policyqa ingest"):
        open_index(_settings(tmp_path))


def test_damaged_index_is_refused_kept_and_rebuilt_only_on_request(small_corpus: Path, tmp_path: Path):
    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    clauses_file = settings.index_dir / "clauses.jsonl"
    clauses_file.write_text(clauses_file.read_text(encoding="utf-8")[:50], encoding="utf-8")
    with pytest.raises(IndexUnreadableError, match="policyqa ingest"):
        open_index(settings)
    with pytest.raises(IndexUnreadableError):  # auto-build must not replace what may be the user's index
        ensure_index(settings)
    assert len(clauses_file.read_text(encoding="utf-8")) == 50
    report = index.build.ingest_paths([small_corpus], settings)  # an explicit ingest rebuilds it
    assert report.written and len(open_index(settings).clauses) == 8


def test_offline_embedder_round_trip(tmp_path: Path):
    texts = ["出口信用保险保费补助", "腾笼换鸟整治低效用地", "专精特新企业奖励", "出境参展展位费补助"]
    fitted = OfflineEmbedder.fit(texts, dim=3)
    vectors = fitted.embed_passages(texts)
    assert vectors.shape == (4, 3) and vectors.dtype.name == "float32"
    assert abs(float((vectors ** 2).sum(axis=1).max()) - 1.0) < 1e-5
    fitted.save(tmp_path)
    reloaded = OfflineEmbedder.load(tmp_path)
    assert (reloaded.embed_queries(texts) == vectors).all()
    assert not list(tmp_path.glob("*.pkl"))


@pytest.mark.slow
def test_ensure_index_builds_the_bundled_corpus_when_missing(tmp_path: Path, capsys, caplog):

    with caplog.at_level(logging.INFO, logger="index"):
        opened = ensure_index(_settings(tmp_path), progress=True)
    assert "正在用内置政策文件建立" in caplog.text and "索引已更新" in caplog.text  # says what it does
    assert "嵌入条款" in capsys.readouterr().err  # with a progress bar
    assert {d.doc_id for d in opened.documents} == {p.stem for p in index.sources.expand_paths([])[0]}


def test_an_index_without_sentence_matching_is_completed_by_the_next_ingest(small_corpus: Path, tmp_path: Path) -> None:
    import shutil

    from index.sentences import BM25_DIR, ROWS_FILE

    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    folder = settings.index_dir
    shutil.rmtree(folder / BM25_DIR)  # as an index built before sentence matching existed
    (folder / ROWS_FILE).unlink()
    (folder / "sentence_tokens.jsonl").unlink()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["parts"] = {k: v for k, v in manifest["parts"].items() if "sentence" not in k}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert open_index(settings).search("数字化改造", top_k=1)  # still opens and answers
    report = index.build.ingest_paths([small_corpus], settings)
    assert report.written and (folder / ROWS_FILE).is_file()
    assert not index.build.ingest_paths([small_corpus], settings).written  # and is a no-op after that


def test_an_index_of_an_older_format_is_refused_then_rebuilt_from_its_own_files(small_corpus: Path, tmp_path: Path) -> None:
    from index.local_files import FORMAT_VERSION

    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus / "ra.txt", small_corpus / "wz.txt"], settings)
    manifest_file = settings.index_dir / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["format_version"] = FORMAT_VERSION - 1  # as written by the previous release
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    (small_corpus / "wz.txt").rename(tmp_path / "wz-moved.txt")  # one of its files is gone since
    with pytest.raises(IndexUnreadableError, match="policyqa ingest"):
        open_index(settings)
    report = index.build.ingest_paths([small_corpus / "yq.txt"], settings)  # adding a file rebuilds it
    assert f"索引格式已更新（{FORMAT_VERSION - 1} → {FORMAT_VERSION}）" in report.summary()
    assert "wz.txt" in report.summary()  # the file no longer there is named
    assert {c.doc.doc_id for c in open_index(settings).clauses} == {"ra", "yq"}


def test_opening_an_older_format_index_rebuilds_it_from_its_files_only_when_all_are_there(
        small_corpus: Path, tmp_path: Path) -> None:
    from index.local_files import FORMAT_VERSION

    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus / "ra.txt", small_corpus / "wz.txt"], settings, replace=True)
    manifest_file = settings.index_dir / "manifest.json"

    def age() -> None:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        manifest["format_version"] = FORMAT_VERSION - 1
        manifest_file.write_text(json.dumps(manifest), encoding="utf-8")

    age()
    opened = ensure_index(settings)  # what `policyqa serve` and `ask` do: same files, new format
    assert {d.doc_id for d in opened.documents} == {"ra", "wz"}  # not the bundled corpus, not fewer
    age()
    (small_corpus / "wz.txt").unlink()  # a file gone: rebuilding would lose it, so only ingest may
    with pytest.raises(IndexUnreadableError, match="policyqa ingest"):
        ensure_index(settings)


def test_a_folder_moved_and_ingested_again_is_the_same_documents_without_errors(tmp_path, corpus_files) -> None:
    import shutil

    from index.build import ingest_paths
    from policyqa.config import Settings

    settings = Settings(index_dir=tmp_path / "index", embed_model="offline", semantic_model="off")
    first = tmp_path / "A"
    first.mkdir()
    shutil.copy(corpus_files[-1], first)
    ingest_paths([first], settings)
    moved = tmp_path / "B"
    first.rename(moved)
    report = ingest_paths([moved], settings)
    assert not report.errors, report.errors
    assert any("已移到" in n for n in report.notices)
    manifest = json.loads((settings.index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [Path(p).parent for p in manifest["files"]] == [moved.resolve()]


def test_tokens_read_back_for_a_re_ingest_share_one_string_per_word(small_corpus: Path, tmp_path: Path) -> None:
    from index.local_files import read_index

    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    stored = read_index(settings.index_dir, with_tokens=True)
    words = [w for row in stored.tokens for w in row] + [w for rows in stored.sentence_tokens for r in rows for w in r]
    assert len(words) > len(set(words))  # some word occurs more than once
    first: dict[str, str] = {}
    assert all(first.setdefault(w, w) is w for w in words)


def test_the_clauses_judged_text_is_stored_at_ingest_not_made_when_a_service_starts(
        small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.service import AnswerService
    from index.pieces import judged_text

    settings = _settings(tmp_path)
    index.build.ingest_paths([small_corpus], settings)
    opened = open_index(settings)
    stored = (settings.index_dir / "judged_text.txt").read_text(encoding="utf-8")
    assert stored.split("\n") == [judged_text(c) for c in opened.clauses]

    def refuse(clause):  # at start-up the answer layer reads the stored text
        raise AssertionError("normalised again at start-up")

    monkeypatch.setattr("index.pieces.judged_text", refuse)  # what index.pieces.corpus_text would call
    service = AnswerService(settings, index=open_index(settings))
    assert service.ask("腾笼换鸟").citations
    assert service.analyze("腾笼换鸟").terms  # the corpus statistics were built
