"""`policyqa ingest`: build or update the index incrementally, and swap it in atomically."""
from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from index import atomic, sources
from index.backend import backend_of
from index.dense import choose_layout
from index.embedders import EmbedderChoice, load_embedder, resolve_embedder, resolve_local
from index.entries import FileEntry, assemble, embed_entries, reused_entry
from index.local_files import (
    EMBEDDER_DIR,
    FORMAT_VERSION,
    StoredIndex,
    older_format_files,
    parts_intact,
    read_index,
    read_manifest,
    write_index,
)
from index.offline_embedder import KIND as OFFLINE_KIND
from index.offline_embedder import OfflineEmbedder
from index.pieces import bm25_text
from index.report import IngestReport
from index.semantic import MODEL_NAME as SEMANTIC_MODEL
from index.semantic import semantic_embedder, unavailable_reason
from index.semantic_store import SemanticSentences
from index.sentences import ROWS_FILE as SENTENCE_ROWS
from index.sentences import clause_sentences
from index.tokenize import tokenize
from policyqa.config import Settings
from policyqa.errors import BadFileError, IndexMissingError, IndexUnreadableError, UserError
from policyqa.model import Clause, Document

Loader = Callable[[Path], tuple[Document, list[Clause]]]


def _embedder_matches(info: dict, choice: EmbedderChoice) -> bool:
    return info.get("kind") == choice.kind and info.get("model") == choice.model


def _up_to_date(manifest: dict, hashes: dict[str, str], spec: str) -> tuple[bool, str]:
    """True when the same files with the same bytes were indexed by the embedder `spec` gives."""
    files = manifest.get("files", {})
    if set(files) != set(hashes) or any(files[p]["content_hash"] != h for p, h in hashes.items()):
        return False, ""
    info = manifest.get("embedder", {})
    local = resolve_local(spec)
    if local is not None:
        return _embedder_matches(info, local), ""
    # The configured model is not on this machine; an index built by the fallback stays valid.
    if info.get("kind") == OFFLINE_KIND:
        return True, f"配置的嵌入模型 {spec} 本机不可用，索引沿用离线嵌入。"
    return False, ""


def _semantic_current(manifest: dict, settings: Settings) -> bool:
    """Whether the index's sentence vectors are what this machine would build now (the model
    present, or absent, alike): an index built without the model gains its vectors once it runs."""
    wanted = "" if unavailable_reason(settings.semantic_model) else SEMANTIC_MODEL
    return manifest.get("semantic", {}).get("model", "") == wanted


def _previous(target: Path) -> StoredIndex | None:
    try:
        return read_index(target, with_tokens=True)
    except (IndexMissingError, IndexUnreadableError):
        return None  # no index or an unreadable one: build from scratch


def ingest_paths(paths: list[Path], settings: Settings, progress: bool = False, *,
                 loader: Loader | None = None, replace: bool = False) -> IngestReport:
    """Add `paths` (none: the bundled corpus) to the index at settings.index_dir, or update them.

    Files indexed before and not named now stay as they are; with `replace` the index holds exactly
    `paths` afterwards (the others are removed, and the report names them).
    `loader` turns one file into its document and clauses (default: ingest/ via sources.load_file);
    benchmarks pass their own to index synthetic corpora through the same path.
    """
    writer = backend_of(settings).write()
    if writer is not None:  # the backend keeps the index elsewhere: the writer runs this on a folder of it
        return writer(settings, lambda work: ingest_paths(paths, work, progress, loader=loader, replace=replace),
                      lambda manifest: unchanged_report(paths, settings, manifest, replace=replace))
    start = time.perf_counter()
    target = Path(settings.index_dir)
    with atomic.writer_lock(target):  # the index is read and written by one writer at a time
        return _ingest_locked(paths, settings, progress, loader, replace, target, start)


def unchanged_report(paths: list[Path], settings: Settings, manifest: dict, *, replace: bool = False) -> IngestReport | None:
    """The report of an ingest of `paths` into the index `manifest` describes, when that ingest
    would leave it as it is (the same files, bytes, embedder and sentence model); None otherwise.
    A store held elsewhere (Milvus) asks this before it copies anything out."""
    start = time.perf_counter()
    report = IngestReport(index_dir=Path(settings.index_dir))
    hashes = _indexed_hashes(paths, manifest, replace, report)
    fresh, notice = _up_to_date(manifest, hashes, settings.embed_model)
    if report.errors or not fresh or not _semantic_current(manifest, settings):
        return None
    return _unchanged(report, manifest, sorted(hashes), notice, start)


def _unchanged(report: IngestReport, manifest: dict, files: list[str], notice: str, start: float) -> IngestReport:
    report.unchanged = files
    report.clause_count = manifest["clause_count"]
    report.embedder = f"{manifest['embedder']['kind']}:{manifest['embedder']['model']}"
    report.notices += [notice] if notice else []
    report.seconds = time.perf_counter() - start
    return report


def _ingest_locked(paths: list[Path], settings: Settings, progress: bool, loader: Loader | None, replace: bool,
                   target: Path, start: float) -> IngestReport:
    atomic.recover(target)
    report = IngestReport(index_dir=target)
    try:
        manifest = read_manifest(target)
    except (IndexMissingError, IndexUnreadableError):  # an explicit ingest rebuilds a damaged index
        manifest = None
    hashes = _indexed_hashes(paths, manifest, replace, report)
    if manifest is None and not replace:
        _reread_older_format(target, hashes, report)
    return _update_folder(target, hashes, manifest, settings, progress, report, start, loader)


def _indexed_hashes(paths: list[Path], manifest: dict | None, replace: bool, report: IngestReport) -> dict[str, str]:
    """{path: content hash} of every file the index is to hold after an ingest of `paths` (read
    errors go to the report): the files named, and unless `replace` the ones indexed before."""
    files, expand_errors = sources.expand_paths(paths)
    report.errors.extend(str(e) for e in expand_errors)
    hashes: dict[str, str] = {}
    for path in files:
        try:
            hashes[str(path)] = sources.file_hash(path)
        except OSError as error:
            report.errors.append(f"{path}：无法读取（{error.strerror or error}）")
    if manifest is not None and not replace:  # adding is the default: keep what is there, as it is
        synced = [Path(p).resolve() for p in paths if Path(p).is_dir()]
        named = {digest: path for path, digest in hashes.items()}
        for path, info in manifest.get("files", {}).items():
            # a folder named again is taken as it is now: its files that are gone are removed
            if any(Path(path).is_relative_to(folder) for folder in synced):
                continue
            moved_to = named.get(info["content_hash"])
            if moved_to is not None and moved_to != path and not Path(path).exists():
                report.notices.append(f"{path} 已移到 {moved_to}，索引随之更新")  # the same file, moved
                continue
            hashes.setdefault(path, info["content_hash"])
    return hashes


def _reread_older_format(target: Path, hashes: dict[str, str], report: IngestReport) -> None:
    """An index of an older format keeps its files: they are read again from disk (what an index
    holds of a file changes with the format), the ones no longer there are named."""
    older = older_format_files(target)
    if older is None:
        return
    version, paths = older
    gone = []
    for path in paths:
        try:
            hashes.setdefault(path, sources.file_hash(Path(path)))
        except OSError:
            gone.append(path)
    report.notices.append(f"索引格式已更新（{version} → {FORMAT_VERSION}），已从原文件重新建立"
                          + (f"；这些文件已不在原处，未再收录：{'、'.join(gone)}" if gone else ""))


def remove_documents(names: list[str], settings: Settings) -> IngestReport:
    """Remove the documents named by doc id or file path from the index; the rest stay as they are."""
    writer = backend_of(settings).write()
    if writer is not None:
        return writer(settings, lambda work: remove_documents(names, work), lambda manifest: None)
    start = time.perf_counter()
    target = Path(settings.index_dir)
    with atomic.writer_lock(target):
        return _remove_locked(names, settings, target, start)


def _remove_locked(names: list[str], settings: Settings, target: Path, start: float) -> IngestReport:
    atomic.recover(target)
    manifest = read_manifest(target)
    files = manifest.get("files", {})
    wanted = set(names)
    doomed = {p for p, info in files.items() if p in wanted or info.get("doc_id") in wanted
              or str(Path(p).resolve()) in {str(Path(n).resolve()) for n in wanted}}
    unknown = [n for n in names if not any(n in (p, files[p].get("doc_id")) or
                                           str(Path(n).resolve()) == str(Path(p).resolve()) for p in doomed)]
    if unknown:
        known = "、".join(sorted(info.get("doc_id", p) for p, info in files.items()))
        raise UserError(f"索引中没有 {'、'.join(unknown)}；现有文件：{known}。索引未改动。")
    if len(doomed) == len(files):
        raise UserError("不能移除索引中的全部文件；要换一批文件，请用 policyqa ingest 文件… --replace。索引未改动。")
    hashes = {p: info["content_hash"] for p, info in files.items() if p not in doomed}
    return _update_folder(target, hashes, manifest, settings, False, IngestReport(index_dir=target), start, None)


def _update_folder(target: Path, hashes: dict[str, str], manifest: dict | None, settings: Settings,
                   progress: bool, report: IngestReport, start: float, loader: Loader | None) -> IngestReport:
    """Write the index folder for exactly the files of `hashes`, unless it already holds just those."""
    if manifest is not None:
        fresh, notice = _up_to_date(manifest, hashes, settings.embed_model)
        # an index from before sentence matching is brought up to date (its vectors are reused)
        current = SENTENCE_ROWS in manifest.get("parts", {})
        if fresh and current and _semantic_current(manifest, settings) and parts_intact(target, manifest):
            return _unchanged(report, manifest, sorted(hashes), notice, start)
    return _rebuild(target, hashes, manifest, settings, progress, report, start, loader or sources.load_file)


def _rebuild(target: Path, hashes: dict[str, str], manifest: dict | None, settings: Settings,
             progress: bool, report: IngestReport, start: float, loader: Loader) -> IngestReport:
    choice = resolve_embedder(settings.embed_model, announce=False)  # the report carries the notice
    report.notices += [choice.notice] if choice.notice else []
    previous = _previous(target) if manifest is not None else None
    prev_files = previous.manifest["files"] if previous else {}
    same_embedder = previous is not None and _embedder_matches(previous.embedder_info, choice)

    loaded: dict[str, FileEntry] = {}
    for path, digest in hashes.items():
        if prev_files.get(path, {}).get("content_hash") == digest:
            continue
        try:
            document, clauses = loader(Path(path))
            loaded[path] = FileEntry(path, digest, document, clauses)
        except BadFileError as error:
            report.errors.append(str(error))
            if path in prev_files:
                report.kept_after_error.append(path)
    kept = [p for p in hashes if p not in loaded and p in prev_files]
    kept_clauses = sum(prev_files[p]["clauses"] for p in kept)
    new_clauses = sum(len(e.clauses) for e in loaded.values())
    # The offline embedder is fitted on the corpus: keep its fit (and the stored vectors) unless most
    # of the corpus is new, when a refit describes the new text better.
    reuse_vectors = same_embedder and (choice.kind != OFFLINE_KIND or kept_clauses >= new_clauses)

    entries: list[FileEntry] = []
    seen_docs: dict[str, str] = {}
    for path in hashes:
        entry = loaded.get(path) or (reused_entry(previous, path, reuse_vectors)
                                     if previous is not None and path in kept else None)
        if entry is None:
            continue
        if entry.document.doc_id in seen_docs:
            report.errors.append(f"{path}：文档编号 {entry.document.doc_id} 与 {seen_docs[entry.document.doc_id]} 重复，已跳过")
            continue
        seen_docs[entry.document.doc_id] = path
        entries.append(entry)
        if path in loaded:
            (report.updated if path in prev_files else report.added).append(path)
        elif path not in report.kept_after_error:
            report.unchanged.append(path)
    report.removed = sorted(p for p in prev_files if p not in hashes)
    if not entries:
        raise UserError("没有可建立索引的文件，现有索引未改动。\n" + "\n".join(report.errors))
    unchanged = not (report.added or report.updated or report.removed)
    if (same_embedder and previous is not None and previous.sentences is not None and unchanged
            and _semantic_current(previous.manifest, settings)):
        report.clause_count = previous.manifest["clause_count"]  # only bad files: nothing to write
        report.embedder = f"{choice.kind}:{choice.model}"
        report.seconds = time.perf_counter() - start
        return report

    for entry in entries:
        if entry.tokens is None:
            entry.tokens = [tokenize(bm25_text(c)) for c in entry.clauses]
        if entry.sentence_tokens is None:
            entry.sentence_tokens = [[tokenize(s) for s in clause_sentences(c)] for c in entry.clauses]
    if not reuse_vectors:
        for entry in entries:
            entry.vectors = None
    if choice.kind == OFFLINE_KIND:
        fitted = previous.folder / EMBEDDER_DIR if (previous and previous.folder and reuse_vectors) else None
        clauses = [c for e in entries for c in e.clauses]
        embedder = load_embedder(choice, fitted_dir=fitted, fit_texts=[bm25_text(c) for c in clauses],
                                 fit_words=[t for e in entries for t in (e.tokens or [])])
    else:
        embedder = load_embedder(choice)
    report.embedded_pieces = embed_entries(entries, embedder, progress)
    semantic_model, semantic_notice = semantic_embedder(settings.semantic_model, settings.cache_folder)
    report.notices += [semantic_notice] if semantic_notice else []
    dim = next((e.vectors.shape[1] for e in entries if e.vectors is not None and len(e.vectors)), None)
    dim = dim or int(embedder.dim)
    report.embedder = f"{choice.kind}:{choice.model}"
    report.clause_count = sum(len(e.clauses) for e in entries)
    piece_count = sum(sum(e.piece_counts or []) for e in entries)
    layout = choose_layout(piece_count, settings.exact_search_below)
    new_manifest = {
        "format_version": FORMAT_VERSION,
        "embedder": {"kind": choice.kind, "model": choice.model, "dim": dim,
                     "query_instruction": getattr(embedder, "query_instruction", ""),
                     "fallback_for": settings.embed_model if choice.is_fallback else ""},
        "files": {e.path: {"content_hash": e.content_hash, "doc_id": e.document.doc_id,
                           "clauses": len(e.clauses)} for e in entries},
        "clause_count": report.clause_count,
        "semantic": {"kind": semantic_model.kind, "model": semantic_model.model, "dim": semantic_model.dim}
                    if semantic_model else {"unavailable": semantic_notice},
        "piece_count": piece_count,
        "dense_index": layout.to_json(),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(time.perf_counter() - start, 3),
    }
    stored = assemble(entries, new_manifest, dim, layout)
    if semantic_model is not None:  # sentences cached by text: only new wording is embedded
        stored.semantic = SemanticSentences.build(stored.clauses, semantic_model, settings.exact_search_below)
        stored.manifest["semantic_index"] = stored.semantic.layout.to_json()
    staging = atomic.staging_dir(target, "build")
    try:
        write_index(staging, stored, embedder if isinstance(embedder, OfflineEmbedder) else None)
        atomic.swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # the previous index is untouched
        raise
    report.written = True
    report.seconds = time.perf_counter() - start
    return report
