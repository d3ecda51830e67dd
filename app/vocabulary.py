"""What the indexed documents talk about at all, and which question words are everyday Chinese.

Used to sort the words of a question that no document contains into two groups:
- everyday words ("多久", "这边", "打算", "家里"): how people talk, not what they ask about;
  they are dropped from the topic, so colloquial phrasing does not cause a refusal;
- rare words ("契税", "安家费", "光伏"): a subject these documents never mention; the
  question is declined, whatever merely similar clause retrieval returns.
"Everyday" is judged by the word's frequency in jieba's general-language dictionary (the one the
index tokenizer already loaded), so no word list is kept here.
"""
from __future__ import annotations

from collections.abc import Iterable

from app.textspan import normalise
from policyqa.model import Clause

# A word at least this frequent per million words of general Chinese is everyday language.
# Question fillers seen in calibration sit at >= 15 per million ("这边" 901/60M), subjects the corpus
# lacks at <= 6 ("荒山" 351/60M, "养老金" 99/60M); any value in 7–14 decides the same.
COMMON_PER_MILLION = 10.0


def clause_context(clause: Clause) -> str:
    """The text a clause's topic is judged on: its headings, lead phrase and text, normalised."""
    return normalise(" ".join((*clause.path, clause.title, clause.text)))


class Vocabulary:
    """The normalised text of every indexed clause, for "does any document say this word" checks."""

    def __init__(self, clauses: Iterable[Clause]) -> None:
        clauses = list(clauses)
        self._text = "\n".join(clause_context(c) for c in clauses)
        self._titles = tuple({normalise(c.doc.title) for c in clauses if c.doc.title})
        self._cache: dict[str, bool] = {}

    def mentions(self, word: str) -> bool:
        """True when some clause (or its headings) contains `word`."""
        if word not in self._cache:
            self._cache[word] = word in self._text
        return self._cache[word]


    def names_document(self, word: str) -> bool:
        """True when `word` is part of a document's title ("工作方案", "政府工作报告")."""
        return len(word) >= 2 and any(word in title for title in self._titles)


def is_everyday(word: str) -> bool:
    """True for a word common in general Chinese (by jieba's dictionary frequency)."""
    from index.tokenize import _tokenizer

    tokenizer = _tokenizer()
    frequency = tokenizer.FREQ.get(word) or 0
    return frequency * 1_000_000 / max(tokenizer.total, 1) >= COMMON_PER_MILLION
