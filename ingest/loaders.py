"""Reading one file into text: checks the path, sniffs the content, picks the loader by extension."""
from __future__ import annotations

import errno
import stat
from collections.abc import Callable
from importlib import import_module
from pathlib import Path

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


def max_file_bytes() -> int:
    """The largest file read (POLICYQA_MAX_FILE_MB, default 200 MB)."""
    from policyqa.config import load_settings

    return load_settings().max_file_mb * 1024 * 1024


def not_a_regular_file(path: Path) -> str:
    """Why `path` cannot be read as a document file ("" when it is a regular file): missing, a folder,
    a named pipe or a device (reading would block or never end), a link loop."""
    try:
        mode = path.stat().st_mode  # follows links: a link to /dev/zero is a device
    except FileNotFoundError:
        return "链接指向的文件不存在（broken link）" if path.is_symlink() else "文件不存在（file not found）"
    except RuntimeError:
        return "符号链接形成循环（symlink loop）"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "符号链接形成循环（symlink loop）"
        return f"无法读取（{error.strerror or error}）"
    if stat.S_ISDIR(mode):
        return "这是文件夹，不是文件（a folder, not a file）"
    if stat.S_ISFIFO(mode):
        return "这是命名管道（FIFO），不是普通文件（a named pipe, not a regular file）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "这是设备文件，不是普通文件（a device, not a regular file）"
    if stat.S_ISSOCK(mode):
        return "这是套接字，不是普通文件（a socket, not a regular file）"
    return ""


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, or BadFileError saying plainly why they cannot be read.

    Regular files only, at most `limit` bytes (default: max_file_bytes()); a larger file is refused
    after reading no more than the limit.
    """
    name = readable_name(str(path))  # a GBK file name is shown as the user sees it
    problem = not_a_regular_file(path)
    if problem:
        raise BadFileError(f"{name}：{problem}")
    limit = max_file_bytes() if limit is None else limit
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except PermissionError as error:
        raise BadFileError(f"{name}：没有读取权限（permission denied）") from error
    except OSError as error:
        raise BadFileError(f"{name}：无法读取（{error.strerror or error}）") from error
    if len(raw) > limit:
        raise BadFileError(f"{name}：文件超过 {limit // (1024 * 1024)} MB 的上限（POLICYQA_MAX_FILE_MB 可调）"
                           f"（file too large）")
    return raw


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
