"""Sentences and comma segments of a clause's text, as offset spans of the original string.

Quotes must be verbatim substrings of `Clause.text`, so every unit here is a (start, end) range of
the original text. The index embeds each sentence and the answer layer reads the same sentences:
one splitter, used by both.
"""
from __future__ import annotations

from dataclasses import dataclass

from ingest.responsibility import responsibility_start

SENTENCE_ENDS = "。；;！？!?\n"
SEGMENT_ENDS = "，,：:"
# Closing marks that belong to the sentence they follow (“…。” or （…）。).
CLOSERS = "”’\"'）)」』】"


@dataclass(frozen=True)
class Span:
    """A range [start, end) of a text, with the substring it covers."""

    start: int
    end: int
    text: str


def _trimmed(text: str, start: int, end: int) -> Span | None:
    """The span [start, end) without surrounding whitespace or bullets; None when empty."""
    while start < end and (text[start].isspace() or text[start] in "-•·"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end]) if end > start else None


def _split(text: str, start: int, end: int, enders: str) -> list[Span]:
    """Cut text[start:end] after each ender (and any closing marks glued to it)."""
    spans: list[Span] = []
    piece_start = start
    i = start
    while i < end:
        if text[i] in enders:
            i += 1
            while i < end and text[i] in CLOSERS:
                i += 1
            span = _trimmed(text, piece_start, i)
            if span:
                spans.append(span)
            piece_start = i
        else:
            i += 1
    span = _trimmed(text, piece_start, end)
    if span:
        spans.append(span)
    return spans


def split_sentences(text: str) -> list[Span]:
    """Sentences of `text` (ending at 。；！？ or a line break), as offset spans."""
    spans = _split(text, 0, len(text), SENTENCE_ENDS)
    # A parenthesised tail such as "(责任单位:…)" is its own unit even without a full stop.
    result: list[Span] = []
    for span in spans:
        cut = responsibility_start(span.text)
        if cut > 0:
            head = _trimmed(text, span.start, span.start + cut)
            tail = _trimmed(text, span.start + cut, span.end)
            result.extend(s for s in (head, tail) if s)
        else:
            result.append(span)
    return result


def split_segments(text: str, span: Span) -> list[Span]:
    """Comma-separated segments of one sentence span, as offset spans of `text`."""
    return _split(text, span.start, span.end, SEGMENT_ENDS)


def cover(text: str, spans: list[Span]) -> Span:
    """The smallest span of `text` covering all `spans` (a contiguous, verbatim quote)."""
    start = min(s.start for s in spans)
    end = max(s.end for s in spans)
    return Span(start, end, text[start:end])
