"""Question analysis: the kinds of fact asked, the topic words with their weights, scope and parts.

Topic words are the question's jieba tokens (the index's tokenizer), weighted by their IDF over the
indexed clauses; nothing is dropped by a word list: a generic word simply weighs little. Words no
clause contains are kept apart (`foreign`), weighed by their rarity in general Chinese.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property

from app.answer.config import DEFAULT_CONFIG, AnswerConfig
from app.answer.corpus import CorpusStats, general_rarity, is_quantity, place_names
from app.answer.kinds import (
    ASKED_UNIT,
    YES_NO,
    Kind,
    asking_match,
    asks,
    asks_datum,
    asks_figure,
    detect_kinds,
    question_kinds,
)
from app.text.spans import normalise
from index.filters import region_stem
from index.scope import Scope, blank_years, detect_scope, is_year, year_positions, years_written
from policyqa.model import Clause, Document

_PART_ENDS = re.compile(r"[？?；;。!！]")
_CLAUSE_ENDS = re.compile(r"[，,。！!？?；;：:]")

_NUMERIC = re.compile(r"^[\d.%％]+$")
# Words that point back to something named before ("这种情况", "这样的基地", "这方面的钱", "他");
# not place words ("这边", "那里"): they point at a place, not at the clause before.
_ANAPHOR = re.compile(r"[这那此该](?:种|样|个|些|类|项|方面)|[他她它其]")
# a number written as a year ("2024年") is the question's scope, not its item
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,20})[”\"」』]")
# "今年" in a question means each document's own year: the year a work plan or report is for
_THIS_YEAR = re.compile(r"今年|本年度")


@dataclass(frozen=True)
class Term:
    """A topic word of the question, with every form a clause may write it in and its weight."""

    word: str
    forms: tuple[str, ...]  # the word, then the policy wording of a colloquial alias
    idf: float  # over the indexed clauses; 0 when no clause holds it
    rarity: float  # 0..1 in general Chinese
    asked: bool = True  # in the clause(s) of the question that ask, not in the story around them
    item: bool = False  # next to the asking words: the thing whose figure or fact is asked ("契税")


@dataclass(frozen=True)
class Part:
    """One question of a multi-part question, with its own asked kinds and topic words."""

    text: str
    kinds: frozenset[Kind]
    unit: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class QuestionProfile:
    """Everything the later stages need to know about a question."""

    question: str  # normalised
    kinds: frozenset[Kind]
    unit: str  # the measure word of an asked quantity ("公里" in "多少公里"), "" when none
    terms: tuple[Term, ...]  # words some clause holds
    foreign: tuple[Term, ...]  # words no clause holds
    parts: tuple[Part, ...]  # two or more when the question asks several things
    regions: tuple[str, ...]  # indexed regions the question names
    years: tuple[int, ...]  # years the question names (indexed or not)
    unknown_places: tuple[str, ...]  # places named that no indexed document mentions
    # the question is quantities and nothing else ("150万元", "40%以上"): it names no policy matter
    quantities_only: bool = False
    pairs: tuple[tuple[str, int], ...] = ()  # index.scope.Scope.pairs: each region asked of its own year

    @property
    def asks_figure(self) -> bool:
        """A number answers what is asked."""
        return asks_figure(self.kinds)

    @property
    def asks_datum(self) -> bool:
        """A number or a date answers what is asked: a clause stating neither does not answer."""
        return asks_datum(self.kinds)

    @property
    def names_scope(self) -> bool:
        """True when the question names a region or a year."""
        return bool(self.regions or self.years)

    def years_of(self, region: str) -> tuple[int, ...]:
        """The years asked of `region`: its own when the question writes each region beside its year
        ("乐清2023年、温州2024年"), else every year named."""
        return tuple(y for r, y in self.pairs if r == region) if self.pairs else self.years

    def in_scope(self, doc: Document) -> bool:
        """True when `doc` is of the region and the year the question names (each if named)."""
        years = self.years_of(doc.region)
        return (not self.regions or doc.region in self.regions) and (not years or doc.year in years)

    def covers(self, clause: Clause) -> bool:
        """True when `clause` speaks for the region and year the question names. A heading that names
        a year speaks for that year, whatever the document's ("一、2022年主要工作回顾" in the 2023
        report: 2022's results, not 2023's targets), and so not for "今年", which is each document's own
        year; else the clause speaks for its document's."""
        if self.regions and clause.doc.region not in self.regions:
            return False
        heading_years = years_written("".join(clause.path), with_nian=True)
        years = self.years_of(clause.doc.region)
        if years and heading_years:
            return any(year in heading_years for year in years)
        if self.this_year and heading_years:  # "今年" is the document's year, not the one its review looks back on
            return clause.doc.year in heading_years
        return self.in_scope(clause.doc)

    @property
    def this_year(self) -> bool:
        """Asks of "今年" and names no year: each document's own year."""
        return not self.years and _THIS_YEAR.search(self.question) is not None

    # Derived once per question: the later stages read these for every sentence of every candidate.
    @cached_property
    def items(self) -> tuple[Term, ...]:
        """The asked item's words, in-corpus or not ("契税" in "契税能减免多少")."""
        return tuple(t for t in (*self.terms, *self.foreign) if t.item)

    @cached_property
    def _any_asked(self) -> bool:
        return any(t.asked for t in (*self.terms, *self.foreign))

    @cached_property
    def focus_terms(self) -> tuple[Term, ...]:
        """The topic words of the asking clauses (all topic words when those name none)."""
        return tuple(t for t in self.terms if t.asked) if self._any_asked else self.terms

    @cached_property
    def focus_foreign(self) -> tuple[Term, ...]:
        """The asked words no clause holds (all such words when the asking clauses name none)."""
        return tuple(t for t in self.foreign if t.asked) if self._any_asked else self.foreign

    @cached_property
    def bigrams(self) -> frozenset[str]:
        """Character pairs of the asked words, in-corpus or not (the paraphrase signal)."""
        words = [t.word for t in (*self.focus_terms, *self.focus_foreign)]
        return frozenset(w[i:i + 2] for w in words for i in range(len(w) - 1))


def _alias_terms(text: str, corpus: CorpusStats) -> list[Term]:
    """Colloquial aliases of index/data/synonyms.tsv in the question, matched by their policy wording."""
    from index.tokenize import synonyms

    found: list[Term] = []
    for alias, targets in synonyms():
        if alias in text and not any(alias in t.word for t in found):
            idf = max((corpus.idf(t) for t in targets if corpus.df(t)), default=0.0)
            # an alias is as specific as the policy wording it stands for ("补多少" ~ "补助")
            rarity = min(general_rarity(t) for t in targets)
            found.append(Term(alias, (alias, *targets), idf, rarity))
    return found


def _scope_words(documents: list[Document]) -> set[str]:
    regions = {d.region for d in documents if d.region}
    return regions | {region_stem(r) for r in regions}


def _quoted_terms(text: str, corpus: CorpusStats) -> list[Term]:
    """A phrase the user puts in quotes (“编制池”) is one word, however jieba would cut it."""
    found = []
    for phrase in dict.fromkeys(m.group(1) for m in _QUOTED.finditer(text)):
        df = corpus.count(phrase)
        found.append(Term(phrase, (phrase,), corpus.idf_of(df) if df else 0.0, general_rarity(phrase)))
    return found


def _joined_characters(text: str, corpus: CorpusStats) -> list[Term]:
    """Words jieba's dictionary lacks, which it cuts into single characters ("生三孩" -> 生/三/孩):
    the longest piece of each run of single characters that some clause writes ("三孩")."""
    from index.tokenize import segment, stop_words

    stops = stop_words()
    found: list[Term] = []
    run = ""
    for word in [*segment(text), ""]:
        if len(word) == 1 and "\u4e00" <= word <= "\u9fff" and word not in stops and not asks(word):
            run += word
            continue
        pieces = [run[i:j] for i in range(len(run)) for j in range(len(run), i + 1, -1)]
        piece = max((p for p in pieces if corpus.mentions(p)), key=len, default="")
        if piece:
            found.append(Term(piece, (piece,), corpus.idf_of(corpus.count(piece)), general_rarity(piece)))
        run = ""
    return found


def _topic_terms(text: str, corpus: CorpusStats, scope_words: set[str]) -> tuple[list[Term], list[Term]]:
    """(terms some clause holds, terms none does) of `text`, scope and document names left out."""
    from index.tokenize import tokenize

    blanked = blank_years(text)  # years are scope, like regions
    for word in sorted(scope_words, key=len, reverse=True):
        blanked = blanked.replace(word, " ")
    aliases = _alias_terms(blanked, corpus) + _quoted_terms(text, corpus)
    kept: list[Term] = [a for a in aliases if a.idf > 0] + _joined_characters(blanked, corpus)
    foreign: list[Term] = [a for a in aliases if a.idf == 0]
    seen = {t.word for t in (*aliases, *kept)}
    for word in dict.fromkeys(tokenize(blanked)):
        if (len(word) < 2 or word in seen or _NUMERIC.match(word) or is_year(word)
                or corpus.names_document(word) or any(word in a.word for a in aliases)):
            continue
        seen.add(word)
        term = Term(word, (word,), corpus.idf(word) if corpus.df(word) else 0.0, general_rarity(word))
        (kept if term.idf > 0 else foreign).append(term)
    return kept, foreign


def focus_text(text: str, min_words: int) -> str:
    """The clauses of the question that ask (with the clause before an asking clause that names
    too little on its own or points back to it): where the topic is, rather than the asker's story."""
    from index.tokenize import tokenize

    clauses = [c for c in _CLAUSE_ENDS.split(text) if c.strip()]
    asking = [i for i, c in enumerate(clauses) if asks(c)]
    if not asking:
        return text
    chosen: set[int] = set()
    for i in asking:
        chosen.add(i)
        leans = _ANAPHOR.search(clauses[i]) or len(
            [w for w in tokenize(clauses[i]) if len(w) >= 2 and not asks(w)]) < min_words
        if i > 0 and leans:
            chosen.add(i - 1)
    return "，".join(clauses[i] for i in sorted(chosen))


def _listed_asks(sentence: str) -> list[str]:
    """`sentence` cut at each "、" that ends an asking piece: "覆盖多少家、覆盖率要到多少" asks two
    things, "新建、改造多少个" one (a piece asking nothing stays with the ask next to it)."""
    pieces: list[str] = []
    pending = ""
    for piece in sentence.split("、"):
        pending = f"{pending}、{piece}" if pending else piece
        if asks(pending):
            pieces.append(pending)
            pending = ""
    if pending:  # words listed after the last ask belong to it ("建医院、养老院这类项目")
        pieces = [*pieces[:-1], "、".join([*pieces[-1:], pending])]
    return pieces


def _parts(text: str, terms: list[Term]) -> tuple[Part, ...]:
    """The separately asked questions of `text` (none when it asks one thing)."""
    pieces = [p for sentence in _PART_ENDS.split(text) for p in _listed_asks(sentence) if p.strip() and asks(p)]
    if len(pieces) < 2:
        return ()
    parts = []
    for piece in pieces:
        unit = ASKED_UNIT.search(piece)
        parts.append(Part(piece, detect_kinds(piece), unit.group(1) if unit else "",
                          tuple(t for t in terms if any(f in piece for f in t.forms))))
    return tuple(parts)


def _unknown_places(text: str, corpus: CorpusStats, regions: tuple[str, ...]) -> tuple[str, ...]:
    """Places the question names that no indexed document mentions (only when it names no indexed region)."""
    if regions:
        return ()
    from index.tokenize import tokenize

    names = place_names()
    return tuple(dict.fromkeys(w for w in tokenize(text) if w in names and not corpus.mentions(w)))


def _mark_asked(terms: list[Term], focus: str, items: set[str]) -> list[Term]:
    """The terms with `asked` (in the asking clauses) and `item` (part of the asked item) set."""
    return [replace(t, asked=any(f in focus for f in t.forms),
                    item=any(t.word in i or i in t.word for i in items)) for t in terms]


def asked_item_words(focus: str, before: int, after: int) -> set[str]:
    """The nouns nearest the asking words of `focus`: up to `before` in front of the first asking
    match and `after` behind it ("契税能减免多少" -> 契税; "给多少安家费" -> 安家费); in a yes/no
    question without asking words, up to `before` behind its "有没有" or "有…吗" ("有没有油价补贴" ->
    油价, 补贴; "老年食堂有补贴吗" -> 补贴)."""
    from app.answer.corpus import is_noun
    from index.tokenize import segment, word_frequency
    match = asking_match(focus)
    if match is None:
        match = YES_NO.search(focus)
        before, after = 0, before
    if match is None:
        return set()
    years = year_positions(focus)
    counted = ASKED_UNIT.match(focus, match.start())
    nouns: list[tuple[str, int]] = []
    position = 0
    for word in segment(focus):
        start = focus.find(word, position)
        position = start + len(word) if start >= 0 else position
        if len(word) < 2 or asks(word) or start in years:
            continue
        if counted and start == counted.end():
            # "新增几家慈善组织": what is counted is named right after its measure word, whatever
            # jieba tags the word ("慈善" is an adjective to it)
            return {word}
        # a noun of the dictionary, or a word it does not know at all ("5g", "aeo"), but not a year
        if is_noun(word) or word_frequency(word) == 0:
            nouns.append((word, start))
    ahead = [w for w, start in nouns if start + len(w) <= match.start()][-before:] if before else []
    behind = [w for w, start in nouns if start >= match.end()][:after] if after else []
    return set(ahead + behind)


def analyze(question: str, documents: list[Document], corpus: CorpusStats, config: AnswerConfig = DEFAULT_CONFIG,
            scope: Scope | None = None) -> QuestionProfile:
    """The profile of `question` against the indexed `documents` and their clauses; `scope`, the
    region and years it names, as the search had it (detected here when not given)."""
    from index.tokenize import expand_query

    text = normalise(question)
    scope = detect_scope(text, documents) if scope is None else scope
    terms, foreign = _topic_terms(text, corpus, _scope_words(documents))
    focus = focus_text(text, config.focus_min_words)
    items = asked_item_words(focus, config.item_words_before, config.item_words_after)
    terms, foreign = _mark_asked(terms, focus, items), _mark_asked(foreign, focus, items)
    units = ASKED_UNIT.findall(focus) or ASKED_UNIT.findall(text)
    parts = _parts(text, terms)
    return QuestionProfile(
        question=text,
        kinds=question_kinds(detect_kinds(expand_query(text)), [p.kinds for p in parts]),
        unit=units[-1] if units else "",
        terms=tuple(terms),
        foreign=tuple(foreign),
        parts=parts,
        regions=tuple(scope.regions),
        years=scope.named_years,
        unknown_places=_unknown_places(text, corpus, tuple(scope.regions)),
        quantities_only=_quantities_only(text),
        pairs=scope.pairs,
    )


def _quantities_only(text: str) -> bool:
    """True when every word of `text` but function words is a number or a measure of one."""
    from index.tokenize import segment, stop_words

    words = [w for w in segment(text) if w.strip() and w not in stop_words()]
    return bool(words) and all(is_quantity(w) for w in words)
