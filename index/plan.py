"""Which files an ingest or removal leaves in the index, and which of them it reads again.

Pure decisions on a manifest (the files an index holds, with their content hashes) shared by the
writers: the index folder (index/build.py) and a store held elsewhere that writes only what changed
(index/milvus_delta.py). The only I/O is hashing and loading the files named.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from index import sources
from index.embedders import EmbedderChoice, resolve_local
from index.entries import FileEntry
from index.local_files import FORMAT_VERSION, older_format_files
from index.offline_embedder import KIND as OFFLINE_KIND
from index.pieces import bm25_text
from index.report import IngestReport
from index.semantic import MODEL_NAME as SEMANTIC_MODEL
from index.semantic import unavailable_reason
from index.sentences import clause_sentences
from index.tokenize import tokenize
from policyqa.config import Settings
from policyqa.errors import BadFileError, UserError
from policyqa.model import Clause, Document

Loader = Callable[[Path], tuple[Document, list[Clause]]]


def embedder_matches(info: dict, choice: EmbedderChoice) -> bool:
    return info.get("kind") == choice.kind and info.get("model") == choice.model


def up_to_date(manifest: dict, hashes: dict[str, str], spec: str) -> tuple[bool, str]:
    """True when the same files with the same bytes were indexed by the embedder `spec` gives."""
    files = manifest.get("files", {})
    if set(files) != set(hashes) or any(files[p]["content_hash"] != h for p, h in hashes.items()):
        return False, ""
    info = manifest.get("embedder", {})
    local = resolve_local(spec)
    if local is not None:
        return embedder_matches(info, local), ""
    # The configured model is not on this machine; an index built by the fallback stays valid.
    if info.get("kind") == OFFLINE_KIND:
        return True, f"配置的嵌入模型 {spec} 本机不可用，索引沿用离线嵌入。"
    return False, ""


def semantic_current(manifest: dict, settings: Settings) -> bool:
    """Whether the index's sentence vectors are what this machine would build now (the model
    present, or absent, alike): an index built without the model gains its vectors once it runs."""
    wanted = "" if unavailable_reason(settings.semantic_model) else SEMANTIC_MODEL
    return manifest.get("semantic", {}).get("model", "") == wanted


def unchanged(report: IngestReport, manifest: dict, files: list[str], notice: str, start: float) -> IngestReport:
    """`report` as the report of a write that found the index already holding `files`."""
    report.unchanged = files
    report.clause_count = manifest["clause_count"]
    report.embedder = f"{manifest['embedder']['kind']}:{manifest['embedder']['model']}"
    report.notices += [notice] if notice else []
    report.seconds = time.perf_counter() - start
    return report


def files_after_ingest(paths: list[Path], manifest: dict | None, replace: bool, report: IngestReport) -> dict[str, str]:
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


def reread_older_format(target: Path, hashes: dict[str, str], report: IngestReport) -> None:
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


def files_after_removal(names: list[str], manifest: dict) -> dict[str, str]:
    """{path: content hash} of the files left when the documents `names` (doc ids or file paths)
    are removed; UserError, before anything is written, for a name the index does not hold or for
    removing every file."""
    files = manifest.get("files", {})
    wanted = set(names)
    resolved = {str(Path(n).resolve()) for n in wanted}
    doomed = {p for p, info in files.items() if p in wanted or info.get("doc_id") in wanted
              or str(Path(p).resolve()) in resolved}
    unknown = [n for n in names if not any(n in (p, files[p].get("doc_id")) or
                                           str(Path(n).resolve()) == str(Path(p).resolve()) for p in doomed)]
    if unknown:
        known = "、".join(sorted(info.get("doc_id", p) for p, info in files.items()))
        raise UserError(f"索引中没有 {'、'.join(unknown)}；现有文件：{known}。索引未改动。")
    if len(doomed) == len(files):
        raise UserError("不能移除索引中的全部文件；要换一批文件，请用 policyqa ingest 文件… --replace。索引未改动。")
    return {p: info["content_hash"] for p, info in files.items() if p not in doomed}


def load_changed(hashes: dict[str, str], indexed: dict[str, dict], loader: Loader,
                 report: IngestReport) -> dict[str, FileEntry]:
    """The files of `hashes` the index does not hold with these bytes, loaded; a file that fails
    goes to the report's errors (and, when the index held it before, to those kept as they were)."""
    loaded: dict[str, FileEntry] = {}
    for path, digest in hashes.items():
        if indexed.get(path, {}).get("content_hash") == digest:
            continue
        try:
            document, clauses = loader(Path(path))
            loaded[path] = FileEntry(path, digest, document, clauses)
        except BadFileError as error:
            report.errors.append(str(error))
            if path in indexed:
                report.kept_after_error.append(path)
    return loaded


def kept_paths(hashes: dict[str, str], loaded: dict[str, FileEntry], indexed: dict[str, dict]) -> list[str]:
    """The files whose clauses stay as the index holds them (unchanged, or failing now)."""
    return [p for p in hashes if p not in loaded and p in indexed]


def refit_needed(choice: EmbedderChoice, kept_clauses: int, new_clauses: int) -> bool:
    """The offline embedder is fitted on the corpus: its fit (and every stored vector) is kept
    unless most of the corpus is new, when a refit describes the new text better."""
    return choice.kind == OFFLINE_KIND and kept_clauses < new_clauses


def ordered_entries(hashes: dict[str, str], loaded: dict[str, FileEntry], indexed: dict[str, dict],
                    kept_entry: Callable[[str], FileEntry | None], report: IngestReport) -> list[FileEntry]:
    """The new index's files in order (that of `hashes`), each document once: a second file with a
    document number already taken is skipped with an error. Fills the report's added, updated,
    unchanged and removed."""
    kept = set(kept_paths(hashes, loaded, indexed))
    entries: list[FileEntry] = []
    seen_docs: dict[str, str] = {}
    for path in hashes:
        entry = loaded.get(path) or (kept_entry(path) if path in kept else None)
        if entry is None:
            continue
        if entry.document.doc_id in seen_docs:
            report.errors.append(f"{path}：文档编号 {entry.document.doc_id} 与 {seen_docs[entry.document.doc_id]} 重复，已跳过")
            continue
        seen_docs[entry.document.doc_id] = path
        entries.append(entry)
        if path in loaded:
            (report.updated if path in indexed else report.added).append(path)
        elif path not in report.kept_after_error:
            report.unchanged.append(path)
    report.removed = sorted(p for p in indexed if p not in hashes)
    if not entries:
        raise UserError("没有可建立索引的文件，现有索引未改动。\n" + "\n".join(report.errors))
    return entries


def tokenized(entries: Iterable[FileEntry]) -> None:
    """Give every entry without them its clauses' BM25 tokens and its sentences' tokens."""
    for entry in entries:
        if entry.tokens is None:
            entry.tokens = [tokenize(bm25_text(c)) for c in entry.clauses]
        if entry.sentence_tokens is None:
            entry.sentence_tokens = [[tokenize(s) for s in clause_sentences(c)] for c in entry.clauses]
