"""Matching forms of text (normalised, squeezed) and the offset splitter's units, for the answer layer.

The splitter itself (sentences, comma segments as offset spans) lives in ingest/spans.py: the index
embeds the same sentences the answer layer reads.
"""
from __future__ import annotations

import re
import unicodedata

from ingest.responsibility import responsibility_start
from ingest.spans import Span, cover, split_segments, split_sentences

__all__ = ["Span", "cover", "split_segments", "split_sentences", "squeeze", "normalise", "is_responsibility"]
_WHITESPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Width- and whitespace-insensitive form with letter case kept (for showing a question back)."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def normalise(text: str) -> str:
    """Width-, case-, whitespace- and script-insensitive form used for matching (never for quoting):
    traditional characters read as simplified, so a Big5 document matches a simplified question."""
    from index.tokenize import to_simplified

    return to_simplified(squeeze(text).lower())


def is_responsibility(sentence: str) -> bool:
    """True for the "(责任单位:…)" unit of a clause."""
    return responsibility_start(sentence) == 0
