"""Which files an ingest covers, their content hashes, and loading one through `ingest/`."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ingest.loaders import SUPPORTED_SUFFIXES, not_a_regular_file
from ingest.names import readable_name
from policyqa.config import BUNDLED_CORPUS
from policyqa.errors import BadFileError
from policyqa.model import Clause, Document


def folder_files(folder: Path) -> tuple[list[Path], list[BadFileError]]:
    """The supported regular files under `folder` (hidden ones left out, links to folders not
    followed), and a sentence for each entry skipped: a pipe, a device, a link loop or a broken
    link named like a document, and each sub-folder that cannot be read."""
    found: list[Path] = []
    errors: list[BadFileError] = []

    def unreadable(error: OSError) -> None:
        name = readable_name(str(error.filename or folder))
        errors.append(BadFileError(f"{name}：文件夹无法读取（{error.strerror or error}）"))

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(root) / name
            if name.startswith(".") or path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            problem = not_a_regular_file(path)
            if problem:
                errors.append(BadFileError(f"{readable_name(str(path))}：{problem}，已跳过"))
            else:
                found.append(path)
    return found, errors


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[BadFileError]]:
    """Files to ingest: folders expand to their supported files; none given means the bundled corpus."""
    suffixes = SUPPORTED_SUFFIXES
    files: list[Path] = []
    errors: list[BadFileError] = []
    for given in paths or [BUNDLED_CORPUS]:
        path = Path(given).expanduser()
        if path.is_dir():
            found, skipped = folder_files(path)
            errors.extend(skipped)
            if not found and not skipped:
                errors.append(BadFileError(f"{path}：文件夹里没有可读取的文件（支持 {'、'.join(suffixes)}）"))
            files.extend(found)
        elif not (problem := not_a_regular_file(path)):
            files.append(path)  # ingest/ gives the clear message when the type is unsupported
        else:
            errors.append(BadFileError(f"{readable_name(str(path))}：{problem}"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, errors


def file_hash(path: Path) -> str:
    """sha256 of the file's bytes (the same value ingest/ records as Document.content_hash)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_file(path: Path) -> tuple[Document, list[Clause]]:
    """One file's document and clauses via ingest/; BadFileError naming the file when it cannot."""
    from ingest.pipeline import load_many

    try:
        loaded, errors = load_many([path])
    except BadFileError:
        raise
    except OSError as error:
        raise BadFileError(f"{path}：无法读取（{error.strerror or error}）") from error
    if errors:
        raise errors[0]
    if not loaded:
        raise BadFileError(f"{path}：没有得到任何条款")
    return loaded[0]
