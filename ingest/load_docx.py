"""DOCX loader: the body's paragraphs and table cells, in document order (page headers/footers are not body)."""
from __future__ import annotations

import io
import zipfile
import zlib

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from policyqa.errors import BadFileError


def _paragraph_text(element) -> str:  # noqa: ANN001 - an lxml element of python-docx
    return "".join(node.text or "" for node in element.iter(qn("w:t")))


def _check_unpacked_size(raw: bytes, name: str) -> None:
    """Refuse a DOCX that would unpack to more than the file-size limit (a zip bomb)."""
    from ingest.loaders import max_file_bytes

    try:
        unpacked = sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise BadFileError(f"{name}：不是有效的 DOCX 文件，可能已损坏或被截断（damaged DOCX）") from error
    limit = max_file_bytes()
    if unpacked > limit:
        raise BadFileError(f"{name}：解压后超过 {limit // (1024 * 1024)} MB 的上限，不予读取"
                           f"（unpacks too large: possible zip bomb）")


def load_docx(raw: bytes, name: str) -> str:
    """Text of a .docx file, one paragraph per line."""
    _check_unpacked_size(raw, name)
    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError) as error:
        # a cut or bit-flipped archive fails in zipfile or in zlib, depending on where the damage is
        raise BadFileError(f"{name}：不是有效的 DOCX 文件，可能已损坏或被截断（damaged DOCX）") from error
    except etree.XMLSyntaxError as error:  # broken XML, or an entity bomb lxml refuses to expand
        raise BadFileError(f"{name}：DOCX 内部的 XML 已损坏或不安全，无法读取（{error.msg}）（bad XML in DOCX）") from error
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append(_paragraph_text(block))
        elif block.tag == qn("w:tbl"):
            lines.extend(_paragraph_text(p) for p in block.iter(qn("w:p")))
    return "\n".join(lines)
