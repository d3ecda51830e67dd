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

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from app.textspan import normalise
from policyqa.model import Clause

# A word at least this frequent per million words of general Chinese is everyday language.
# Question fillers seen in calibration sit at >= 15 per million ("这边" 901/60M), subjects the corpus
# lacks at <= 6 ("荒山" 351/60M, "养老金" 99/60M); any value in 7–14 decides the same.
COMMON_PER_MILLION = 10.0
_ASKED_AFTER = re.compile(r"[是有为能可给要]{0,2}(多少|几)")  # "面额多少", "标准是多少"
_ASKED_BEFORE = re.compile(r"(多少|几)[个项元张次]?$")  # "多少安家费"
_DIGIT = re.compile(r"\d")
_MODAL_VERB = re.compile(r"^[能可会要想该][\u4e00-\u9fff]$")  # "能免", "可报": how it is asked, not what


class TopicWord(Protocol):
    """What the corpus check needs of a question's topic term (app.question.Term)."""

    word: str
    weight: float
    position: int
    alternatives: tuple[str, ...]

    @property
    def forms(self) -> tuple[str, ...]: ...

    @property
    def is_benefit(self) -> bool: ...


T = TypeVar("T", bound=TopicWord)


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
        """True when some clause (or its headings) contains `word` (case-insensitive)."""
        if word not in self._cache:
            self._cache[word] = word.lower() in self._text
        return self._cache[word]

    def partly_mentions(self, word: str) -> bool:
        """A long word whose two-character pieces the documents mostly use ("过路费用" ~ "过路费")."""
        if len(word) < 3:
            return False
        grams = [word[i:i + 2] for i in range(len(word) - 1)]
        return sum(self.mentions(g) for g in grams) / len(grams) >= 0.5

    def names_document(self, word: str) -> bool:
        """True when `word` is part of a document's title ("工作方案", "政府工作报告")."""
        return len(word) >= 2 and any(word in title for title in self._titles)

    def joined_words(self, words: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
        """Adjacent single characters joined back when the documents use the result ("小"+"微" -> "小微").

        jieba (HMM off) cuts a word missing from its dictionary into characters, which are too short
        to be topic terms; joined, they are a word when some document writes them together.
        """
        joined: list[tuple[str, int]] = []
        run: list[tuple[str, int]] = []
        for word, start in [*words, ("", -1)]:
            if len(word) == 1 and (not run or run[-1][1] + 1 == start):
                run.append((word, start))
                continue
            text = "".join(w for w, _ in run)
            if len(run) > 1 and self.mentions(text):
                joined.append((text, run[0][1]))
            run = [(word, start)] if len(word) == 1 else []
        return joined

    def aliased_forms(self, word: str) -> tuple[str, ...]:
        """The word with a colloquial alias inside it replaced by its policy wording, where the
        documents use the result ("体育比赛" -> "体育赛事"; index/data/synonyms.tsv)."""
        from index.tokenize import synonyms

        forms: list[str] = []
        for alias, targets in synonyms():
            if alias in word and alias != word:
                forms += [word.replace(alias, t) for t in targets if self.mentions(word.replace(alias, t))]
        return tuple(dict.fromkeys(forms))


def is_everyday(word: str) -> bool:
    """True for a word common in general Chinese (by jieba's dictionary frequency)."""
    from index.tokenize import dictionary_total, word_frequency

    return word_frequency(word) * 1_000_000 / dictionary_total() >= COMMON_PER_MILLION


def _names_asked(term: TopicWord, text: str, benefit_starts: set[int]) -> bool:
    """True when the term names the asked thing: right before a benefit word or next to 多少/几."""
    end = term.position + len(term.word)
    return (end in benefit_starts or bool(_ASKED_AFTER.match(text, end))
            or bool(_ASKED_BEFORE.search(text[:term.position])))


def sort_by_corpus(terms: Sequence[T], vocabulary: Vocabulary, text: str) -> tuple[list[T], list[str], bool]:
    """Terms some document mentions (kept), everyday words none does (dropped), rare ones (foreign),
    and whether a word no document has names the benefit asked about."""
    kept: list[T] = []
    foreign: list[str] = []
    foreign_benefit = False
    benefit_starts = {t.position for t in terms if t.is_benefit}
    for term in terms:
        if vocabulary.names_document(term.word):
            continue  # "方案", "政府工作报告": which document, like a region name, not the topic
        names_benefit_kind = _names_asked(term, text, benefit_starts)
        if any(vocabulary.mentions(form) for form in term.forms) or vocabulary.partly_mentions(term.word):
            kept.append(term)
            continue
        aliased = vocabulary.aliased_forms(term.word)
        if aliased:  # "体育比赛" said for "体育赛事": the same topic in policy wording
            kept.append(dataclasses.replace(term, alternatives=(*term.alternatives, *aliased)))  # type: ignore[type-var]
        elif (_DIGIT.search(term.word) or term.weight < 1.0 or _MODAL_VERB.match(term.word)
              or (is_everyday(term.word) and not names_benefit_kind)):
            continue  # a figure, a generic word or everyday speech: not what the question is about
        else:
            foreign.append(term.word)
            foreign_benefit = foreign_benefit or names_benefit_kind
    return kept, foreign, foreign_benefit
