"""Plain-text loader: UTF-8 (with or without BOM, a few damaged bytes repaired), UTF-16 with BOM,
GB18030/GBK, Big5 and Latin-1 told apart by detection."""
from __future__ import annotations

import logging
import unicodedata

from charset_normalizer import from_bytes

from policyqa.errors import BadFileError

log = logging.getLogger(__name__)

# The encodings Chinese policy documents (and the odd Western one) come in; detection chooses among
# them only, so GBK, Big5 and Latin-1 text are told apart instead of the first that decodes winning.
_CANDIDATES = ["utf_8", "gb18030", "big5", "cp1252", "latin_1"]
_MAX_CONTROL_SHARE = 0.01
# A UTF-8 file with at most this many undecodable bytes (and, in a larger file, at most 1 in 1,000)
# is repaired: a couple of damaged bytes in a short file are damage, not a sign of another encoding.
_MAX_BAD_UTF8_BYTES = 16
_FEW_BAD_BYTES = 8  # one damaged byte can leave up to three undecodable ones
_TRIED = "UTF-8、UTF-16、GB18030/GBK、Big5、Latin-1"
_CONVERT_HINT = (f"已尝试的编码：{_TRIED}。如是其他编码，请先另存为 UTF-8"
                 "（例如 iconv -f 原编码 -t UTF-8 原文件 > 新文件.txt，或在记事本中“另存为 UTF-8”）")


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f\v")
    return "\x00" in text or controls > _MAX_CONTROL_SHARE * max(len(text), 1)


def _nearly_utf8(raw: bytes, name: str) -> str | None:
    """UTF-8 text with a few damaged bytes, each shown as U+FFFD (and a warning); None otherwise."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - raw.decode("utf-8", errors="ignore").count("\ufffd")
    if 0 < bad <= min(_MAX_BAD_UTF8_BYTES, max(_FEW_BAD_BYTES, len(raw) // 1000)) and not _looks_binary(text):
        log.warning("%s：%d 处无法识别的字节已替换为“\ufffd”（damaged UTF-8 repaired）", name, bad)
        return text
    return None


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text saved without its byte-order mark (NUL bytes on one side of most ASCII pairs),
    or None: decoded both ways, the reading that is text with characters of a script wins."""
    if len(raw) % 2 or len(raw) < 4:
        return None
    readings = []
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        letters = sum(1 for ch in text if ch.isalpha() or ch.isspace() or unicodedata.category(ch).startswith("P"))
        if not _looks_binary(text) and letters >= 0.8 * len(text):
            readings.append((letters, text))
    return max(readings)[1] if readings else None


def decode_text(raw: bytes, name: str) -> str:
    """Bytes of a text file -> str, or BadFileError if they are not text in a known encoding."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    if b"\x00" in raw:
        utf16 = _utf16_without_bom(raw)
        if utf16 is not None:
            return utf16
        raise BadFileError(f"{name}：看起来是二进制文件，不是文本（binary file, not text）。{_CONVERT_HINT}")
    try:
        text = raw.decode("utf-8")
        if not _looks_binary(text):
            return text
    except UnicodeDecodeError:
        repaired = _nearly_utf8(raw, name)
        if repaired is not None:
            return repaired
    best = from_bytes(raw, cp_isolation=_CANDIDATES).best()
    if best is not None and not _looks_binary(str(best)):
        return str(best)
    raise BadFileError(f"{name}：无法识别文本编码，可能是二进制文件（unknown encoding or binary file）。{_CONVERT_HINT}")


def load_txt(raw: bytes, name: str) -> str:
    """Text of a .txt file."""
    return decode_text(raw, name)
