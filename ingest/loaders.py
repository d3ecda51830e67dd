"""Reading one file into text: checks the path, sniffs the content, picks the loader by extension."""
from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Callable

from ingest.names import readable_name
from policyqa.errors import BadFileError

# suffix -> (module, function). Loaders are imported on first use: pypdf, python-docx and lxml
# cost ~0.5 s, which a no-change re-ingest or a folder listing should not pay.
LOADERS: dict[str, tuple[str, str]] = {
    ".txt": ("ingest.load_txt", "load_txt"), ".text": ("ingest.load_txt", "load_txt"),
    ".md": ("ingest.load_txt", "load_txt"),
    ".pdf": ("ingest.load_pdf", "load_pdf"),
    ".docx": ("ingest.load_docx", "load_docx"),
    ".html": ("ingest.load_html", "load_html"), ".htm": ("ingest.load_html", "load_html"),
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(LOADERS)
SUPPORTED = " ".join(SUPPORTED_SUFFIXES)  # what the "unsupported type" message lists


def _loader(suffix: str) -> Callable[[bytes, str], str]:
    module, function = LOADERS[suffix]
    return getattr(import_module(module), function)


def _sniff(raw: bytes) -> str:
    """The format the bytes are in, whatever the extension says ("" when plain or unknown)."""
    head = raw[:512].lstrip().lower()
    if head.startswith(b"%pdf"):
        return ".pdf"
    if raw.startswith(b"PK\x03\x04"):
        return ".docx" if b"word/" in raw[:4096] or b"[Content_Types].xml" in raw[:4096] else ".zip"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return ".doc"
    if head.startswith((b"<!doctype html", b"<html")):
        return ".html"
    return ""


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or BadFileError saying plainly why they cannot be read."""
    name = readable_name(str(path))  # a GBK file name is shown as the user sees it
    if not path.exists():
        raise BadFileError(f"{name}：文件不存在（file not found）")
    if path.is_dir():
        raise BadFileError(f"{name}：这是文件夹，不是文件（a folder, not a file）")
    try:
        return path.read_bytes()
    except PermissionError as error:
        raise BadFileError(f"{name}：没有读取权限（permission denied）") from error
    except OSError as error:
        raise BadFileError(f"{name}：无法读取（{error.strerror or error}）") from error


def load_text(path: Path) -> tuple[bytes, str]:
    """The file's bytes and its extracted text; BadFileError for anything that is not a usable document."""
    raw = read_bytes(path)
    name = readable_name(str(path))  # a GBK file name is shown as the user sees it
    suffix = path.suffix.lower()
    if not raw.strip():
        raise BadFileError(f"{name}：文件为空（empty file）")
    if suffix not in LOADERS:
        hint = "；旧版 Word 请另存为 .docx" if suffix == ".doc" else ""
        raise BadFileError(f"{name}：不支持的文件类型“{suffix or '无扩展名'}”，支持 {SUPPORTED}{hint}"
                           f"（unsupported file type）")
    actual = _sniff(raw)
    if actual and LOADERS.get(actual) != LOADERS[suffix]:
        raise BadFileError(f"{name}：扩展名是 {suffix}，但内容是 {actual} 格式，请改正扩展名"
                           f"（extension does not match content）")
    text = _loader(suffix)(raw, name)
    if not text.strip():
        raise BadFileError(f"{name}：没有可读取的文字（no text）")
    return raw, text
