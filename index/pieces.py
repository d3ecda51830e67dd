"""Long clauses are split into pieces for embedding; every piece keeps its clause's id."""
from __future__ import annotations

import re
from collections.abc import Iterable

from index.tokenize import normalise
from policyqa.model import Clause

MAX_PIECE_CHARS = 360  # about 256-512 model tokens of Chinese; longer inputs would be truncated
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])")


def split_text(text: str, max_chars: int = MAX_PIECE_CHARS) -> list[str]:
    """Split at sentence ends into pieces of at most `max_chars` (a longer sentence is cut)."""
    if len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in (s for s in _SENTENCE_END.split(text) if s):
        while len(sentence) > max_chars:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:max_chars])
            sentence = sentence[max_chars:]
        if len(current) + len(sentence) > max_chars:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return pieces


def topic_heading(clause: Clause) -> str:
    """The innermost heading, which names the topic of short items like “3. 加大外贸支持力度”."""
    return clause.path[-1] if clause.path else ""


def embedding_pieces(clause: Clause, max_chars: int | None = MAX_PIECE_CHARS) -> list[str]:
    """Texts to embed for one clause: its heading context plus each piece of its text, then the
    glossary entries of the terms it uses (one piece each, led by its lead phrase).

    With no length limit (the offline embedder) the one piece is `bm25_text(clause)` followed by
    the glossary entries, so its jieba tokens are mostly those BM25 already computed.
    """
    if max_chars is None:
        return ["\n".join((bm25_text(clause), *clause.glossary))]
    context = topic_heading(clause)
    prefix = f"{context}\n" if context and context not in clause.text else ""
    title = clause.title if clause.title and clause.title not in clause.text[:len(clause.title) + 8] else ""
    pieces = split_text(clause.text, max_chars)
    # Later pieces repeat the lead phrase so each piece still says what the measure is about.
    lead = clause.title or pieces[0][:30]
    return [prefix + (title + "\n" if title else "") + (piece if i == 0 else f"{lead}：{piece}")
            for i, piece in enumerate(pieces)] + [f"{lead}\n{entry}"[:max_chars] for entry in clause.glossary]


def bm25_text(clause: Clause) -> str:
    """The text BM25 indexes for a clause: its heading context, title and text. Not its glossary
    entries: measured, they cost the development set one first-ranked answer (they are searched as
    sentences and embedded instead)."""
    parts = [topic_heading(clause), clause.title if clause.title not in clause.text else "", clause.text]
    return "\n".join(p for p in parts if p)


def judged_text(clause: Clause) -> str:
    """The text a clause is found and judged by: its headings, lead phrase and text, normalised."""
    return normalise(" ".join((*clause.path, clause.title, clause.text)))


def corpus_text(clauses: Iterable[Clause]) -> str:
    """Every clause's judged text, one per line: what "do the documents mention this?" is asked of."""
    return "\n".join(judged_text(c) for c in clauses)
