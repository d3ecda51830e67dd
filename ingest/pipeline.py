"""The ingest pipeline: one file -> its Document and its clauses; many files with errors collected per file."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from ingest.clauses import build_clauses
from ingest.glossary import attach_glossary
from ingest.loaders import load_text
from ingest.metadata import build_document
from ingest.repair import repair_text
from ingest.sections import DocumentParts, join_title, split_parts
from ingest.structure import parse_paragraphs
from policyqa.errors import BadFileError
from policyqa.model import Clause, Document

log = logging.getLogger(__name__)
_REPORT_TITLE = re.compile(r"工作报告$|^政府工作报告")


def is_report(parts: DocumentParts) -> bool:
    """A work report (政府工作报告) has numbered sections but no numbered measures."""
    return bool(_REPORT_TITLE.search(join_title(parts.title)))


def document_from_text(path: Path, raw: bytes, text: str) -> tuple[Document, list[Clause]]:
    """Structure, metadata and clauses of an already extracted text (pure: no file access)."""
    parts = split_parts(text)
    report = is_report(parts)
    paragraphs = parse_paragraphs(parts.body, report=report)
    body_text = "\n".join(repair_text(p.text) for p in paragraphs)
    doc = build_document(path, raw, parts, body_text)
    clauses = attach_glossary(build_clauses(doc, paragraphs, report=report))
    if not clauses:
        raise BadFileError(f"{path}：没有找到可用的正文条文（no clauses found）")
    return doc, clauses


def load_document(path: Path) -> tuple[Document, list[Clause]]:
    """One file -> its Document and clauses; BadFileError names the file and why it cannot be used."""
    path = Path(path)
    raw, text = load_text(path)
    return document_from_text(path, raw, text)


def load_clauses(path: Path) -> list[Clause]:
    """One file -> its clauses (each carries its Document)."""
    return load_document(path)[1]


def load_many(paths: list[Path]) -> tuple[list[tuple[Document, list[Clause]]], list[BadFileError]]:
    """Load several files; a bad file adds an error and never stops the others."""
    loaded: list[tuple[Document, list[Clause]]] = []
    errors: list[BadFileError] = []
    for path in paths:
        try:
            loaded.append(load_document(Path(path)))
        except BadFileError as error:
            errors.append(error)
        except Exception as error:  # noqa: BLE001 - a parser bug on one file must not stop the batch
            log.exception("unexpected error while loading %s", path)
            errors.append(BadFileError(f"{path}：解析失败（{type(error).__name__}: {error}）"))
    return loaded, errors
