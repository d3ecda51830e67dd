"""Plain-text loader: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK detected."""
from __future__ import annotations

import unicodedata

from charset_normalizer import from_bytes

from policyqa.errors import BadFileError

# Tried in order after UTF-8; GB18030 is a superset of GBK and GB2312.
_FALLBACK_ENCODINGS = ("gb18030", "big5")
_MAX_CONTROL_SHARE = 0.01


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f\v")
    return "\x00" in text or controls > _MAX_CONTROL_SHARE * max(len(text), 1)


def decode_text(raw: bytes, name: str) -> str:
    """Bytes of a text file -> str, or BadFileError if they are not text in a known encoding."""
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", raw)]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", raw)]
    else:
        if b"\x00" in raw:
            raise BadFileError(f"{name}：看起来是二进制文件，不是文本（binary file, not text）")
        candidates = [("utf-8", raw)] + [(encoding, raw) for encoding in _FALLBACK_ENCODINGS]
    for encoding, data in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _looks_binary(text):
            return text
    best = from_bytes(raw).best()
    if best is not None and not _looks_binary(str(best)):
        return str(best)
    raise BadFileError(f"{name}：无法识别文本编码，可能是二进制文件（unknown encoding or binary file）")


def load_txt(raw: bytes, name: str) -> str:
    """Text of a .txt file."""
    return decode_text(raw, name)
