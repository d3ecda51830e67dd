"""`policyqa ingest`: build or update the index incrementally, and swap it in atomically."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from index import atomic, sources
from index.backend import Change, backend_of
from index.dense import choose_layout
from index.embedders import load_embedder, resolve_embedder
from index.entries import assemble, embed_entries, reused_entry
from index.local_files import (
    EMBEDDER_DIR,
    FORMAT_VERSION,
    StoredIndex,
    parts_intact,
    read_index,
    read_manifest,
    write_index,
)
from index.offline_embedder import KIND as OFFLINE_KIND
from index.offline_embedder import OfflineEmbedder
from index.pieces import bm25_text
from index.plan import (
    Loader,
    embedder_matches,
    files_after_ingest,
    files_after_removal,
    kept_paths,
    load_changed,
    ordered_entries,
    refit_needed,
    reread_older_format,
    semantic_current,
    tokenized,
    unchanged,
    up_to_date,
)
from index.report import IngestReport
from index.semantic import semantic_embedder
from index.semantic_store import SemanticSentences
from index.sentences import ROWS_FILE as SENTENCE_ROWS
from policyqa.config import Settings
from policyqa.errors import IndexMissingError, IndexUnreadableError


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
    if writer is not None:  # the backend keeps the index elsewhere: its writer takes the change
        return writer(settings, Change(
            files_after=lambda manifest, report: files_after_ingest(paths, manifest, replace, report),
            on_folder=lambda work: ingest_paths(paths, work, progress, loader=loader, replace=replace),
            loader=loader, progress=progress))
    start = time.perf_counter()
    target = Path(settings.index_dir)
    with atomic.writer_lock(target):  # the index is read and written by one writer at a time
        return _ingest_locked(paths, settings, progress, loader, replace, target, start)


def _ingest_locked(paths: list[Path], settings: Settings, progress: bool, loader: Loader | None, replace: bool,
                   target: Path, start: float) -> IngestReport:
    atomic.recover(target)
    report = IngestReport(index_dir=target)
    try:
        manifest = read_manifest(target)
    except (IndexMissingError, IndexUnreadableError):  # an explicit ingest rebuilds a damaged index
        manifest = None
    hashes = files_after_ingest(paths, manifest, replace, report)
    if manifest is None and not replace:
        reread_older_format(target, hashes, report)
    return _update_folder(target, hashes, manifest, settings, progress, report, start, loader)


def remove_documents(names: list[str], settings: Settings) -> IngestReport:
    """Remove the documents named by doc id or file path from the index; the rest stay as they are."""
    writer = backend_of(settings).write()
    if writer is not None:
        return writer(settings, Change(files_after=lambda manifest, report: files_after_removal(names, manifest),
                                       on_folder=lambda work: remove_documents(names, work)))
    start = time.perf_counter()
    target = Path(settings.index_dir)
    with atomic.writer_lock(target):
        return _remove_locked(names, settings, target, start)


def _remove_locked(names: list[str], settings: Settings, target: Path, start: float) -> IngestReport:
    atomic.recover(target)
    manifest = read_manifest(target)
    hashes = files_after_removal(names, manifest)
    return _update_folder(target, hashes, manifest, settings, False, IngestReport(index_dir=target), start, None)


def _update_folder(target: Path, hashes: dict[str, str], manifest: dict | None, settings: Settings,
                   progress: bool, report: IngestReport, start: float, loader: Loader | None) -> IngestReport:
    """Write the index folder for exactly the files of `hashes`, unless it already holds just those."""
    if manifest is not None:
        fresh, notice = up_to_date(manifest, hashes, settings.embed_model)
        # an index from before sentence matching is brought up to date (its vectors are reused)
        current = SENTENCE_ROWS in manifest.get("parts", {})
        if fresh and current and semantic_current(manifest, settings) and parts_intact(target, manifest):
            return unchanged(report, manifest, sorted(hashes), notice, start)
    return _rebuild(target, hashes, manifest, settings, progress, report, start, loader or sources.load_file)


def _rebuild(target: Path, hashes: dict[str, str], manifest: dict | None, settings: Settings,
             progress: bool, report: IngestReport, start: float, loader: Loader) -> IngestReport:
    choice = resolve_embedder(settings.embed_model, announce=False)  # the report carries the notice
    report.notices += [choice.notice] if choice.notice else []
    previous = _previous(target) if manifest is not None else None
    prev_files = previous.manifest["files"] if previous else {}
    same_embedder = previous is not None and embedder_matches(previous.embedder_info, choice)

    loaded = load_changed(hashes, prev_files, loader, report)
    kept_clauses = sum(prev_files[p]["clauses"] for p in kept_paths(hashes, loaded, prev_files))
    new_clauses = sum(len(e.clauses) for e in loaded.values())
    reuse_vectors = same_embedder and not refit_needed(choice, kept_clauses, new_clauses)
    entries = ordered_entries(hashes, loaded, prev_files,
                              lambda path: reused_entry(previous, path, reuse_vectors) if previous else None, report)
    nothing_changed = not (report.added or report.updated or report.removed)
    if (same_embedder and previous is not None and previous.sentences is not None and nothing_changed
            and semantic_current(previous.manifest, settings)):
        report.clause_count = previous.manifest["clause_count"]  # only bad files: nothing to write
        report.embedder = f"{choice.kind}:{choice.model}"
        report.seconds = time.perf_counter() - start
        return report

    tokenized(entries)
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
