"""DOCX loader: the body's paragraphs and table cells, in document order (page headers/footers are not body)."""
from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn

from policyqa.errors import BadFileError


def _paragraph_text(element) -> str:  # noqa: ANN001 - an lxml element of python-docx
    return "".join(node.text or "" for node in element.iter(qn("w:t")))


def load_docx(raw: bytes, name: str) -> str:
    """Text of a .docx file, one paragraph per line."""
    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise BadFileError(f"{name}：不是有效的 DOCX 文件，可能已损坏或被截断（damaged DOCX）") from error
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append(_paragraph_text(block))
        elif block.tag == qn("w:tbl"):
            lines.extend(_paragraph_text(p) for p in block.iter(qn("w:p")))
    return "\n".join(lines)
