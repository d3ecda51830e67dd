"""Checking a generated answer sentence by sentence against the clauses it cites.

A *unit* is the text up to and including a run of citation markers (and the punctuation after
it), or the tail of the answer. Units are checked as they complete, so a stream shows only text
that has passed. Each sentence of a unit is held against the clauses the unit cites:

- its markers name supplied clauses (others are removed);
- every figure (an amount of money, a percentage, or a quantity with its unit: 7000亩) is stated,
  as the same kind of quantity in the same unit, in one *sentence* of a cited clause; the words the
  answer puts beside the figure that the clause uses occur in that sentence, and not only beside
  another figure of it ("垦造耕地7000亩，建设高标准农田2万亩"); where the sentence pairs items with
  figures ("国家级、省级……分别最高奖励500万元、250万元"), the answer names the figure's own item, in
  its own pairing too; a bound it puts on the figure (不超过/最高 against 不低于/至少) is the clause's;
- other numbers occur in a cited clause or its document's metadata (year, 文号, dates);
- a negation (不给予, 没有) and a place name occur in a cited clause: a negation added or a figure
  moved to another region is a different statement;
- a sentence without figures uses the words of a cited clause rather than another supplied one;
  once something is cited, a sentence saying nothing was found is left out (it contradicts it).

A failing sentence is replaced by the verbatim clause sentence that states all its figures (cited
as that clause) when there is one, and dropped otherwise. Pure functions.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from app.answer.config import DEFAULT_CONFIG
from app.answer.corpus import is_quantity, place_names
from app.text import numbers
from app.text.spans import normalise, split_sentences
from index.tokenize import segment
from policyqa.model import Clause

# Markers as models write them: [1], 【1】, ［1］, [1,2], [1][2].
_MARKER_RUN = re.compile(r"(?:\s*[\[【［]\s*\d{1,3}(?:\s*[,，、]\s*\d{1,3})*\s*[\]】］])+")
_MARKER_NUMBERS = re.compile(r"\d{1,3}")
_TRAILING = re.compile(r"^[。；;，,！!？?）)]*")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?\n]*")
# Where the prompt's clause text starts (prompts/clause.txt): a model that copies the header
# line instead of answering is cut back to the clause text it copied.
ECHO_MARK = "原文："
_PAIRED = "分别"
_ENUMERATION_LAST = re.compile(r"[和及与]")
_GAP = re.compile(r"^[、，,和及与\s]*$")
FIGURE_KINDS = ("money", "percent")
_REPLACED = "\x01"  # tags a kept piece that is a clause sentence standing in for the model's
MAX_ITEM_CHARS = 8  # the last item of a 、 list is cut at the shared ending ("瑞安市级…" -> "瑞安市级") this soon
MIN_WORD = 2  # shorter jieba words (的, 对, 元) say nothing about what a figure belongs to
# A bound written before a figure (within a few characters) or right after it.
_UPPER_BEFORE = re.compile(r"(?:不超过|不高于|不多于|最高|最多|上限|封顶)[^，,；;。]{0,6}$")
_LOWER_BEFORE = re.compile(r"(?:不低于|不少于|至少|最低|最少|起码)[^，,；;。]{0,6}$")
_UPPER_AFTER = re.compile(r"^\s*(?:以下|以内|之内|封顶)")
_LOWER_AFTER = re.compile(r"^\s*(?:以上|起)")
# "不给予", "不予", "没有": a negation the cited clause must share; the bound words are not negations
_NEGATION = re.compile(r"不(?!超过|高于|多于|低于|少于|足|同|断|仅|限)[\u4e00-\u9fff]|没有|并未")
# what a model says when it found nothing; beside a cited answer it contradicts it
_NOT_FOUND = re.compile(r"未(?:能)?(?:找到|检索到|查到|涉及|提及)|没有(?:找到|查到|相关)|无相关")


@dataclass(frozen=True)
class SourceSentence:
    """One sentence of a supplied clause, with its figures and, for paired lists, each figure's item."""

    n: int
    text: str
    figures: tuple[numbers.Mention, ...]
    items: tuple[str, ...] = ()  # items[i] names figures[i] when the sentence pairs them ("分别")
    bounds: tuple[str, ...] = ()  # bounds[i]: "upper", "lower" or "" for figures[i]
    segments: tuple[str, ...] = ()  # segments[i]: the comma segment holding figures[i] (normalised)

    @cached_property
    def norm(self) -> str:
        return normalise(self.text)


@dataclass(frozen=True)
class Supplied:
    """The clauses given to the model, by their prompt number, split into checkable sentences."""

    clauses: dict[int, Clause]
    headers: tuple[str, ...] = ()  # the prompt's header line of each clause (copying one says nothing)

    @cached_property
    def header_norms(self) -> tuple[str, ...]:
        return tuple(normalise(h) for h in self.headers)

    @cached_property
    def sentences(self) -> dict[int, tuple[SourceSentence, ...]]:
        return {n: tuple(_source_sentence(n, s.text) for s in split_sentences(clause.text))
                for n, clause in self.clauses.items()}

    @cached_property
    def texts(self) -> dict[int, str]:
        return {n: normalise(clause.text) for n, clause in self.clauses.items()}

    @cached_property
    def headings(self) -> dict[int, str]:
        """Per clause, what names it besides its sentences: titles, region, units (normalised)."""
        return {n: normalise(" ".join([clause.title, *clause.path, clause.doc.title, clause.doc.region,
                                       *clause.responsible_units, clause.lead_department]))
                for n, clause in self.clauses.items()}

    @cached_property
    def vocabulary(self) -> dict[int, str]:
        """Per clause, the normalised text a plain word of the answer may come from."""
        return {n: normalise(" ".join(clause_sources(clause) + [clause.title, clause.doc.title, clause.doc.region,
                                                                  *clause.responsible_units, clause.lead_department]))
                for n, clause in self.clauses.items()}


@dataclass(frozen=True)
class UnitCheck:
    """One checked unit: the text kept (markers as [n] of the supplied clauses) and what was cut."""

    text: str
    cited: tuple[int, ...]
    removed_markers: tuple[int, ...] = ()
    dropped: tuple[str, ...] = ()  # sentences removed: a figure or word no cited clause supports
    unsupported: tuple[str, ...] = ()  # the figures, negations or places (as written) that made a sentence fail
    replaced: tuple[str, ...] = ()  # sentences exchanged for the clause sentence stating their figures
    misattributed: tuple[str, ...] = ()  # figures put beside another item than the clause gives them


def take_units(buffer: str, final: bool) -> tuple[list[str], str]:
    """Complete units at the start of `buffer`, and the rest (all of it is a unit when final)."""
    units: list[str] = []
    start = 0
    for match in _MARKER_RUN.finditer(buffer):
        end = match.end()
        if end == len(buffer) and not final:
            break  # the run may go on ("[1]" then "[2]")
        tail = _TRAILING.match(buffer[end:])
        end += tail.end() if tail else 0
        if end == len(buffer) and not final:
            break
        units.append(buffer[start:end])
        start = end
    rest = buffer[start:]
    if final and rest.strip():
        units.append(rest)
        rest = ""
    return units, rest


def clause_sources(clause: Clause) -> list[str]:
    """Texts a number may come from: the clause, and its document's year, 文号, validity and position."""
    doc = clause.doc
    return [clause.text, clause.locator, clause.number, doc.doc_number, str(doc.year or ""),
            doc.valid_until, doc.date, doc.validity]


def is_figure(mention: numbers.Mention) -> bool:
    """Money, a percentage, or a quantity with its unit: what an answer must not move or change."""
    return mention.kind in FIGURE_KINDS or bool(mention.measure)


def _source_sentence(n: int, text: str) -> SourceSentence:
    """`text` kept verbatim (it may be quoted); figures read from its NFKC form."""
    width_free = unicodedata.normalize("NFKC", text)
    located = [(s, e, m) for s, e, m in numbers.located(width_free) if is_figure(m)]
    figures = tuple(m for _, _, m in located)
    return SourceSentence(n, text, figures, _paired_items(width_free, located, figures),
                          tuple(_bound(width_free, s, e) for s, e, _ in located),
                          tuple(normalise(_segment_at(width_free, s)) for s, _, _ in located))


def _bound(text: str, start: int, end: int) -> str:
    """"upper" or "lower" when the figure at [start, end) of `text` is written as a bound, else ""."""
    before, after = text[:start], text[end:]
    if _UPPER_BEFORE.search(before) or _UPPER_AFTER.match(after):
        return "upper"
    if _LOWER_BEFORE.search(before) or _LOWER_AFTER.match(after):
        return "lower"
    return ""


def _segment_at(text: str, position: int) -> str:
    """The comma segment of `text` around `position`."""
    start = max(text.rfind(c, 0, position) for c in "，,：:；;") + 1
    ends = [i for i in (text.find(c, position) for c in "，,：:；;") if i >= 0]
    return text[start:min(ends, default=len(text))]


def _paired_items(text: str, located: list[tuple[int, int, numbers.Mention]],
                  figures: tuple[numbers.Mention, ...]) -> tuple[str, ...]:
    """For "A、B、C……分别……x、y、z": the item of each figure (empty when the sentence pairs nothing)."""
    at = text.find(_PAIRED)
    if at < 0:
        return ()
    run: list[numbers.Mention] = []
    previous_end = -1
    for start, end, mention in located:
        if start < at:
            continue
        if run and not _GAP.match(text[previous_end:start]):
            break
        run.append(mention)
        previous_end = end
    parts = re.split(r"[；;]", text[:at])[-1].split("、")
    if len(parts) == len(run) - 1 and _ENUMERATION_LAST.search(parts[-1]):
        head, tail = _ENUMERATION_LAST.split(parts[-1], maxsplit=1)
        parts[-1:] = [head, tail]
    if len(run) < 2 or len(parts) < len(run):
        return ()
    parts = parts[-len(run):]
    items = [_last_word(parts[0]), *(p.strip() for p in parts[1:-1]), _first_item(parts[-1], parts[1:-1])]
    by_figure = dict(zip((id(m) for m in run), items, strict=True))
    return tuple(by_figure.get(id(m), "") for m in figures)


def _last_word(text: str) -> str:
    words = segment(re.split(r"[，,]", text)[-1])
    if not words:
        return ""
    return words[-1] if len(words[-1]) >= MIN_WORD or len(words) == 1 else words[-2] + words[-1]


def _first_item(text: str, middle: list[str]) -> str:
    """The item at the start of the list's last part ("瑞安市级科技企业孵化器" -> "瑞安市级")."""
    endings = {m.strip()[-1] for m in middle if m.strip()}
    if len(endings) == 1:
        cut = text.find(endings.pop())
        if 0 < cut < MAX_ITEM_CHARS:
            return text[:cut + 1]
    words = segment(text)
    if not words:
        return ""
    return words[0] if len(words[0]) >= MIN_WORD or len(words) == 1 else words[0] + words[1]


def _named_items(items: tuple[str, ...], answer: str) -> set[int]:
    """Positions of the items the answer text names (an item inside a longer named one does not count)."""
    named = {i for i, item in enumerate(items) if len(item) >= MIN_WORD and normalise(item) in answer}
    return {i for i in named
            if not any(j != i and normalise(items[i]) in normalise(items[j]) for j in named)}


def _words(text: str) -> list[str]:
    return [w for w in segment(normalise(text)) if len(w) >= MIN_WORD and not w.isdigit()]


def _item_words(segment_text: str, supplied: Supplied) -> list[str]:
    """The words beside a figure that some supplied clause uses (a model's own wording says nothing;
    a unit such as 万元 names nothing)."""
    return [w for w in _words(segment_text) if not is_quantity(w)
            and any(w in text for text in supplied.vocabulary.values())]


def _about(source: SourceSentence, words: list[str], supplied: Supplied) -> bool:
    """True when every word is in the sentence or names its clause (title, region, units)."""
    return all(w in source.norm or w in supplied.headings[source.n] for w in words)


@dataclass(frozen=True)
class _Said:
    """One figure of the answer with what the answer puts around it."""

    figure: numbers.Mention
    segment: str  # the comma segment holding it
    sentence: str
    item: str = ""  # its item when the answer's own sentence pairs items with figures ("分别")
    bound: str = ""


def _figure_supported(said: _Said, cited: tuple[int, ...], supplied: Supplied) -> str:
    """"" when a cited sentence states the figure about the words beside it; else why not."""
    reason = "unsupported"
    words = _item_words(said.segment, supplied) or _item_words(said.sentence, supplied)
    if not words:
        return reason  # a bare figure ("50万元") says nothing of what it is for
    for n in cited:
        for source in supplied.sentences[n]:
            positions = [i for i, m in enumerate(source.figures) if _same_figure(said.figure, m)]
            if not positions or not _about(source, words, supplied):
                continue
            if source.items:
                named = (_named_items(source.items, normalise(said.item)) if said.item else
                         _named_items(source.items, normalise(said.segment))
                         or _named_items(source.items, normalise(said.sentence)))
                if named and not any(i in named for i in positions):
                    reason = "misattributed"
                    continue
            own = [i for i in positions if not _beside_another_figure(source, i, words)]
            if not own:
                reason = "misattributed"
                continue
            if said.bound and all(source.bounds[i] and source.bounds[i] != said.bound for i in own):
                continue  # 不低于 where the clause says 不超过
            return ""
    return reason


def _beside_another_figure(source: SourceSentence, i: int, words: list[str]) -> bool:
    """True when a word the answer puts beside figure i stands, in the clause sentence, only in the
    segment of another figure ("建设高标准农田7000亩" against "垦造耕地7000亩，建设高标准农田2万亩")."""
    own = source.segments[i]
    others = [seg for j, seg in enumerate(source.segments) if seg != own]
    return any(w not in own and any(w in seg for seg in others) for w in words)


def _same_figure(answer: numbers.Mention, source: numbers.Mention) -> bool:
    return answer.kind == source.kind and answer.measure == source.measure and numbers.supported(answer, [source])


def _said_figures(text: str, located: list[tuple[int, int, numbers.Mention]]) -> list[_Said]:
    """The figures among the `located` numbers of an answer sentence (NFKC form), each with its
    segment, paired item and bound."""
    located = [(s, e, m) for s, e, m in located if is_figure(m)]
    figures = tuple(m for _, _, m in located)
    items = _paired_items(text, located, figures) or ("",) * len(figures)
    return [_Said(m, _segment_at(text, s), text, item, _bound(text, s, e))
            for (s, e, m), item in zip(located, items, strict=True)]


def _foreign_words(text: str, cited: tuple[int, ...], supplied: Supplied) -> list[str]:
    """Negations and place names of `text` that no cited clause has: a different statement."""
    cited_text = " ".join(supplied.vocabulary[n] for n in cited)
    norm = normalise(text)
    negations = [m.group(0) for m in _NEGATION.finditer(norm)]
    known_places = place_names()
    places = [w for w in segment(norm) if w in known_places]
    return [w for w in negations + places if w not in cited_text]


def _verbatim_home(said: str, supplied: Supplied, cited: tuple[int, ...]) -> int | None:
    """The supplied clause whose text holds this sentence word for word (a cited one first), or None.
    A piece with no word but quantities ("50万元") is no quotation: it says nothing of what it is for."""
    if len(said) < 2 * MIN_WORD or all(is_quantity(w) for w in _words(said)):
        return None
    order = [*cited, *(n for n in supplied.clauses if n not in cited)]
    return next((n for n in order if said in supplied.texts[n]), None)


def _clause_wording(said: str, supplied: Supplied, n: int, fallback: str) -> str:
    """The sentence of clause n that holds `said` word for word, as the clause writes it (the
    model's copy may have its punctuation in half width)."""
    return next((source.text for source in supplied.sentences[n] if said in source.norm), fallback)


def _echoes_header(text: str, supplied: Supplied) -> bool:
    """True for a sentence that only repeats (part of) a clause's header line from the prompt."""
    norm = normalise(_MARKER_RUN.sub("", text)).rstrip("。；;，,")
    return len(norm) >= MIN_WORD and any(norm in header for header in supplied.header_norms)


def _words_supported(sentence: str, cited: tuple[int, ...], supplied: Supplied, min_share: float) -> bool:
    """A sentence without figures uses the words of a cited clause rather than of another supplied one."""
    known = [w for w in _words(sentence) if any(w in text for text in supplied.vocabulary.values())]
    if not known:
        return True
    own = sum(1 for w in known if any(w in supplied.vocabulary[n] for n in cited))
    return own >= min_share * len(known)


def _replacement(sentence: str, figures: list[numbers.Mention], supplied: Supplied) -> SourceSentence | None:
    """The supplied clause sentence stating every figure of `sentence` about the words beside it (its
    own paired items aside: quoted whole, the sentence pairs them right), sharing most of its wording."""
    answer = normalise(sentence)
    words = _item_words(sentence, supplied)
    if not words:
        return None  # a bare figure: which sentence stating it was meant cannot be told
    pairs = {answer[i:i + 2] for i in range(len(answer) - 1)}
    best: tuple[int, SourceSentence] | None = None
    for sources in supplied.sentences.values():
        for source in sources:
            if not all(any(_same_figure(f, m) for m in source.figures) for f in figures):
                continue
            if not _about(source, words, supplied):
                continue
            overlap = len(pairs & {source.norm[i:i + 2] for i in range(len(source.norm) - 1)})
            if best is None or overlap > best[0]:
                best = (overlap, source)
    return best[1] if best else None


@dataclass
class _Outcome:
    kept: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    misattributed: list[str] = field(default_factory=list)


def check_unit(unit: str, supplied: Supplied, cited_before: set[int], *,
               min_word_share: float = DEFAULT_CONFIG.llm_word_share,
               shown: set[str] | None = None) -> UnitCheck:
    """Keep valid markers; keep, replace or drop each sentence by what the cited clauses state.

    `shown` holds the sentences already shown (normalised); a repeat is left out, and the caller's
    set is updated, so a stream checked unit by unit says each thing once.
    """
    shown = set() if shown is None else shown
    markers = [int(n) for run in _MARKER_RUN.findall(unit) for n in _MARKER_NUMBERS.findall(run)]
    valid = tuple(dict.fromkeys(n for n in markers if n in supplied.clauses))
    removed = tuple(dict.fromkeys(n for n in markers if n not in supplied.clauses))
    body = _MARKER_RUN.sub("\x00", unit)  # a placeholder where the markers stood
    cited = valid or tuple(sorted(cited_before))
    plain_mentions = [m for n in cited for text in clause_sources(supplied.clauses[n]) for m in numbers.mentions(text)]
    outcome = _Outcome()
    extra_cited: list[int] = []
    for sentence in _SENTENCE.findall(body) or [body]:
        if ECHO_MARK in sentence:
            sentence = sentence.split(ECHO_MARK)[-1]
        text = sentence.replace("\x00", "")
        if not text.strip():
            outcome.kept.append(sentence)
            continue
        if _echoes_header(text, supplied) or (cited and _NOT_FOUND.search(text)):
            outcome.dropped.append(text.strip())
            continue
        checkable = numbers.prepare(text)
        said = normalise(checkable).rstrip("。；;，,")
        if said in shown:
            continue
        home = _verbatim_home(said, supplied, cited)
        if home is not None and home not in cited:
            # copied from another supplied clause than the one it cites: cite that clause, in its own words
            shown.add(said)
            outcome.replaced.append(text.strip())
            outcome.kept.append(_REPLACED + _clause_wording(said, supplied, home, checkable.strip()).rstrip("。；;")
                                + f"[{home}]。")
            extra_cited.append(home)
            continue
        located = numbers.located(checkable)
        figures = [m for _, _, m in located if is_figure(m)]
        failed: list[str] = []
        for said_figure in _said_figures(checkable, located):
            why = _figure_supported(said_figure, cited, supplied)
            if why:
                failed.append(said_figure.figure.raw)
                if why == "misattributed":
                    outcome.misattributed.append(said_figure.figure.raw)
        failed += [m.raw for _, _, m in located if not is_figure(m) and not numbers.supported(m, plain_mentions)]
        failed += _foreign_words(checkable, cited, supplied) if home is None else []
        words_ok = bool(figures) or _words_supported(checkable, cited, supplied, min_word_share)
        if home is not None or (not failed and words_ok):
            shown.add(said)
            outcome.kept.append(sentence)
            continue
        outcome.unsupported.extend(f for f in failed if f not in outcome.misattributed)
        source = _replacement(checkable, figures, supplied) if figures else None
        if source is not None and normalise(source.text).rstrip("。；;，,") in shown:
            continue  # the clause sentence standing in for it is already shown
        if source is not None:
            shown.add(normalise(source.text).rstrip("。；;，,"))
            outcome.replaced.append(text.strip())
            outcome.kept.append(_REPLACED + source.text.rstrip("。；;") + f"[{source.n}]。")
            extra_cited.append(source.n)
        else:
            outcome.dropped.append(text.strip())
    text = _with_markers(outcome.kept, "".join(f"[{n}]" for n in valid))
    own_kept = any(p.strip("\x00").strip() and not p.startswith(_REPLACED) for p in outcome.kept)
    kept_cited = tuple(dict.fromkeys([*(valid if own_kept else ()), *extra_cited]))
    return UnitCheck(text=text, cited=kept_cited, removed_markers=removed, dropped=tuple(outcome.dropped),
                     unsupported=tuple(outcome.unsupported), replaced=tuple(outcome.replaced),
                     misattributed=tuple(outcome.misattributed))


def _with_markers(kept: list[str], markers: str) -> str:
    """The kept sentences joined, the unit's markers where the model put them or after each run of
    its own sentences; a replacement sentence carries its own marker."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        text = "".join(run)
        run.clear()
        if not text.replace("\x00", "").strip():
            return  # markers left alone after a replaced sentence: that sentence carries its own
        if "\x00" in text:
            text = text.replace("\x00", markers, 1).replace("\x00", "")
        elif markers and text.strip():
            text = _attach(text, markers)
        out.append(text)

    for piece in kept:
        if piece.startswith(_REPLACED):
            flush()
            out.append(piece[len(_REPLACED):])
        else:
            run.append(piece)
    flush()
    return "".join(out)


def _attach(text: str, markers: str) -> str:
    """Markers put before the final punctuation of `text`."""
    stripped = text.rstrip()
    core = stripped.rstrip("。；;，,！!？?")
    return core + markers + stripped[len(core):] + text[len(stripped):]


@dataclass
class Renumbering:
    """Supplied clause numbers mapped to citation numbers in order of first use."""

    mapping: dict[int, int] = field(default_factory=dict)

    def apply(self, text: str) -> str:
        """`text` with every [n] of a supplied clause renumbered."""
        def renumber(match: re.Match[str]) -> str:
            n = int(match.group(1))
            if n not in self.mapping:
                self.mapping[n] = len(self.mapping) + 1
            return f"[{self.mapping[n]}]"

        return re.sub(r"\[(\d{1,3})\]", renumber, text)
