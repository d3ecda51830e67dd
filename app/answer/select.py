"""Choosing what to cite: the clauses that answer, and inside each the sentences that state it.

- Clauses: those whose answer probability reaches the model's threshold and a share of the best's;
  the named region/year's documents lead, a few per document.
- Sentences: the best by the sentence model; every other sentence nearly as good that states the
  asked fact; for a multi-part question the best sentence for each part; a continuation ("其中…")
  keeps the sentence it continues. A long sentence is narrowed to its best comma segments.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.answer.analysis import Part, QuestionProfile
from app.answer.config import AnswerConfig
from app.answer.decision import Scored
from app.answer.evidence import SentenceEvidence, bigram_coverage, coverage, term_present
from app.answer.kinds import STATES_FULLY, Kind, is_stated, states
from app.text.spans import Span, cover, is_responsibility, normalise, split_segments
from index.scope import is_year
from policyqa.model import Clause

CONTINUATION = re.compile(r"^(其中|同时|此外|并且|并|对此|另外)")
_DIGIT = re.compile(r"\d")
# a segment that names who or what a measure is for and ends there ("对…的，"): the next one says what
_CONDITION_END = re.compile(r"的[，,]\s*$")


@dataclass(frozen=True)
class Item:
    """One cited clause: its verbatim spans, read-aloud fragments, and whether it states the asked fact."""

    clause: Clause
    spans: tuple[Span, ...]  # verbatim pieces of clause.text, in text order
    fragments: tuple[Span, ...]  # shorter verbatim pieces for read-aloud answers, best first
    probability: float
    stated: bool  # the spans carry the asked kind of fact (or none was asked)
    quote: str  # the sentence(s) the answer rests on, verbatim (one contiguous piece when short)


def choose_clauses(scored: list[Scored], profile: QuestionProfile, threshold: float,
                   config: AnswerConfig, document_threshold: float = 1.0) -> list[Scored]:
    """The candidates worth citing, best first: above the threshold (or, for another document's
    best clause, above the document threshold), named scope first, few per document."""
    passing = sorted((s for s in scored if s.probability >= threshold), key=lambda s: -s.probability)
    if not passing:
        return []
    # other documents answering the same question, each with its own line
    passing += sorted((s for s in scored if s.probability < threshold and s.document_probability >= document_threshold),
                      key=lambda s: -s.document_probability)
    if profile.names_scope:
        passing.sort(key=lambda s: not profile.covers(s.candidate.hit.clause))  # stable: order kept within
    floor = config.relative_probability * passing[0].probability
    eligible: list[tuple[Scored, int]] = []  # (candidate, how many of its document come before it)
    per_doc: dict[str, int] = {}
    for s in passing:
        doc_id = s.candidate.hit.clause.doc.doc_id
        below = s.probability < floor and s.document_probability < document_threshold
        if below or per_doc.get(doc_id, 0) >= config.max_per_document:
            continue
        eligible.append((s, per_doc.get(doc_id, 0)))
        per_doc[doc_id] = per_doc.get(doc_id, 0) + 1
    # more than fit: a document not yet cited comes before a second clause of a cited one (the named
    # scope's first), so the cap drops a document's second clause rather than a whole document
    outside = [profile.names_scope and not profile.covers(s.candidate.hit.clause) for s, _ in eligible]
    order = sorted(range(len(eligible)), key=lambda i: (outside[i], eligible[i][1] > 0, i))
    return [eligible[i][0] for i in sorted(order[:config.max_citations])]


def _segment_score(profile: QuestionProfile, text: str) -> float:
    norm = normalise(text)
    return coverage(profile.focus_terms, norm) + bigram_coverage(profile.bigrams, norm) + states(
        profile.kinds, profile.unit, norm)


def narrow(text: str, sentence: Span, profile: QuestionProfile, config: AnswerConfig) -> Span:
    """A long sentence cut down to the contiguous comma segments that carry the answer."""
    if len(sentence.text) <= config.max_quote_chars:
        return sentence
    segments = split_segments(text, sentence)
    scores = [_segment_score(profile, s.text) for s in segments]
    lo = hi = max(range(len(segments)), key=lambda i: scores[i])
    while True:  # grow towards the better neighbour while it adds something and fits
        options = sorted((i for i in (lo - 1, hi + 1) if 0 <= i < len(segments) and scores[i] > 0),
                         key=lambda i: -scores[i])
        for i in options:
            new_lo, new_hi = min(lo, i), max(hi, i)
            if segments[new_hi].end - segments[new_lo].start <= config.max_quote_chars:
                lo, hi = new_lo, new_hi
                break
        else:
            return cover(text, segments[lo:hi + 1])


def states_part(part: Part, text: str) -> float:
    """How fully the normalised `text` states one part of a multi-part question: its kind of fact,
    or, for a part asking yes or no ("能顺带加装电梯吗": no kind), every word of it."""
    if part.kinds:
        return states(part.kinds, part.unit, text)
    return STATES_FULLY if part.terms and all(term_present(t, text) for t in part.terms) else 0.0


def best_stating(part: Part, texts: Sequence[str], lead: str | None = None) -> int | None:
    """Of the normalised `texts`, the one that best states what one part of the question asks, if any
    does; None for a part with no words of its own ("报会几家", "多少用能": any figure would do).

    With `lead` (the normalised lead phrase of the clause whose sentences `texts` are), a sentence that
    even with it holds none of the asked item's words the part names does not state the part: its
    figure is a neighbouring measure's ("按上级拨付经费的25%" for "按研发费用的百分之几补"). Without it
    (read-aloud fragments of sentences already chosen: the item may stand in another segment) any does."""
    if not part.terms:
        return None
    items = [t for t in part.terms if t.item] if lead is not None else []
    best, best_value = None, 0.0
    for i, text in enumerate(texts):
        if items and not any(term_present(t, f"{lead}{text}") for t in items):
            continue
        stated = states_part(part, text)
        value = coverage(part.terms, text) + stated
        if is_stated(stated) and value > best_value:
            best, best_value = i, value
    return best


def _unstated_segments(text: str, spans: list[Span], profile: QuestionProfile) -> list[Span]:
    """For an answer without the asked figure: the comma segments naming the topic, with no number
    (quoting another measure's figure beside "文件未写明具体金额" would mislead)."""
    kept = []
    for span in spans:
        segments = [s for s in split_segments(text, span) if not _DIGIT.search(s.text)]
        ranked = sorted(segments, key=lambda s: -coverage(profile.focus_terms, normalise(s.text)))
        if ranked and coverage(profile.focus_terms, normalise(ranked[0].text)) > 0:
            kept.append(ranked[0])
    return kept


# words around a year that still only say when ("到2025年", "2024年起")
_TIME_WORDS = re.compile(r"^(?:到|至|自|从|在)|(?:起|底|内|前|末|以来)$")


def _names_only_a_year(segment: str) -> bool:
    return is_year(_TIME_WORDS.sub("", segment.strip().rstrip("，,、").strip()).strip())


def _labelled_segments(text: str, span: Span, longest: int) -> list[Span]:
    """The comma segments of `span`, a label joined to the next: read aloud, one ending in a colon
    ("“一芯一港两基地”（P16）：") or naming only a year ("2025年，") says nothing without what it
    labels, and a ratio ("按3:4分担", "缩小至1.77:1") is one figure. A segment opening with "其中"
    is read with the one it is part of when both fit in `longest` characters: "其中涉美出口信用保险的
    保费给予80%的补助" alone would read as the rate, which is the 60% before it. So is a condition ending
    in "的" with what follows it: "对个人出租住房经营乡村旅游的" says who, the next segment what they get."""
    merged: list[Span] = []
    for segment in split_segments(text, span):
        joined_fits = bool(merged) and segment.end - merged[-1].start <= longest
        if merged and (merged[-1].text.rstrip().endswith(("：", ":")) or _names_only_a_year(merged[-1].text)
                       or (joined_fits and (segment.text.lstrip().startswith("其中")
                                            or _CONDITION_END.search(merged[-1].text)))):
            merged[-1] = cover(text, [merged[-1], segment])
        else:
            merged.append(segment)
    return merged


def fragments(text: str, spans: list[Span], profile: QuestionProfile, config: AnswerConfig) -> tuple[Span, ...]:
    """Comma segments of the chosen spans that carry the asked fact or name the topic, best first:
    for a figure, those stating it; for another kind (a condition), those naming the asked words
    most fully, as choose_sentences reads them (the kind's usual words, "符合", "对…的", are a weak
    sign: "采购人可依法采用单一来源采购方式" answers "能不能走单一来源采购" without them)."""
    ranked: list[tuple[float, float, int, Span]] = []
    longer: list[tuple[float, float, int, Span]] = []
    for span in spans:
        for segment in _labelled_segments(text, span, config.hotline_fragment_chars):
            norm = normalise(segment.text)
            # a multi-part question's part asks its own unit ("多少家", then "多少亩"): stating either counts
            stated = max([states(profile.kinds, profile.unit, norm), *(states_part(p, norm) for p in profile.parts)])
            cov = coverage(profile.focus_terms, norm)
            if is_stated(stated) or cov > 0:
                fits = len(segment.text) <= config.hotline_fragment_chars
                (ranked if fits else longer).append((-stated, -cov, segment.start, segment))
    key = (lambda row: row[:3]) if profile.asks_figure else (lambda row: (row[1], row[0], row[2]))
    ranked.sort(key=key)
    # a segment too long to read comfortably (a list of who qualifies) is read only when it says more
    # of what was asked than any that fits: else the answer read out is a neighbouring clause's
    best_longer = min(longer, key=key, default=None)
    if best_longer is not None and (not ranked or key(best_longer)[:2] < key(ranked[0])[:2]):
        ranked.insert(0, best_longer)
    if not profile.asks_figure:
        # all questions of the three sets read aloud: 12 answers hold more key facts, none fewer
        return tuple(row[3] for row in ranked) or (spans[0],)
    carrying = [row for row in ranked if is_stated(-row[0])]
    return tuple(row[3] for row in (carrying or ranked)) or (spans[0],)


def _asked_words(profile: QuestionProfile, sentences: tuple[SentenceEvidence, ...], indexes: list[int]) -> set[str]:
    """The asked words, the asked item's included, that the sentences at `indexes` hold themselves
    (without the clause's lead)."""
    return {t.word for t in (*profile.focus_terms, *profile.items)
            if any(term_present(t, sentences[i].norm) for i in indexes)}


def choose_sentences(scored: Scored, profile: QuestionProfile, config: AnswerConfig) -> Item:
    """The verbatim sentences of one cited clause that answer the question."""
    clause = scored.candidate.hit.clause
    sentences = scored.candidate.sentences
    probs = scored.sentence_probs
    wants_units = Kind.RESPONSIBLE in profile.kinds
    usable = [i for i, s in enumerate(sentences) if wants_units or not is_responsibility(s.span.text)] or list(
        range(len(sentences)))
    order = sorted(usable, key=lambda i: (-probs[i], i))
    best = order[0]
    picked = [best]
    for part in profile.parts:
        i = best_stating(part, [sentence.norm for sentence in sentences], normalise(clause.title))
        if i is not None and i in usable and i not in picked:
            picked.append(i)
    # when the best sentence names what was asked but states no figure, a further sentence's figure
    # answers only if it covers the question's words as much: "出境参展…提高出境费用补助" is not
    # answered by the next sentence's 60% for credit insurance
    coverage_floor = (sentences[best].feature("term_coverage")
                  if not is_stated(sentences[best].feature("states")) else 0.0)
    quoted_words = _asked_words(profile, sentences, picked)
    best_items = {t.word for t in profile.items if term_present(t, sentences[best].norm)}
    for i in order[1:]:
        if len(picked) >= config.max_sentences:
            break
        if i in picked or probs[i] < config.sentence_relative * probs[best]:
            continue
        own_words = _asked_words(profile, sentences, [i])
        if profile.kinds:
            # ... and it names something asked that the sentences quoted so far do not, or the asked
            # item as fully as the best sentence does: another figure of the clause that only repeats
            # an asked word ("家电…最高补贴2000元/件" beside "燃油车最高补贴1.3万元/辆" for "油车换电车
            # 能补多少") is a neighbour; "融资担保公司基准担保费率维持在0.5%以下" beside "平均担保费率
            # 不高于1%" is a second answer about the same item. Training set cross-validated and
            # development set: the same key facts, 10 of 261 answers shorter (with new words alone,
            # 12, but the project set's coll-020 lost its 0.5%)
            # A kind that is not a figure ("能不能…": a condition) is recognised by its usual words
            # ("符合", "对…的"), which an answer need not use ("采购人可依法采用单一来源采购方式"): a
            # sentence holding the asked words more fully than the best one answers without them
            # (training set cross-validated: one more right, T118; the project set's coll-051 too)
            fuller = (not profile.asks_figure
                      and sentences[i].feature("own_coverage") > sentences[best].feature("own_coverage"))
            joins = ((is_stated(sentences[i].feature("states")) or fuller)
                     and (bool(own_words - quoted_words) or bool(best_items) and own_words >= best_items)
                     and sentences[i].feature("term_coverage") >= coverage_floor)
        else:  # no kind of fact is asked ("有没有…"), so no sentence states one: a sentence the sentence
            # model rates close to the best and holding the asked words as fully is as likely the answer
            joins = sentences[i].feature("own_coverage") >= sentences[best].feature("own_coverage") > 0
        if joins:
            picked.append(i)
            quoted_words |= own_words
    for i in list(picked):
        if CONTINUATION.match(sentences[i].span.text) and i > 0 and i - 1 not in picked:
            picked.append(i - 1)
    lead_in = len(sentences[best].span.text) < config.min_quote_chars and not is_stated(sentences[best].feature("states"))
    follow_up = best + 1 if lead_in and best + 1 in usable and best + 1 not in picked else None
    if follow_up is not None:
        picked.append(follow_up)  # a short lead-in ("优化实施人才新政4.0版。") is followed by its details
    if wants_units:
        unit_line = next((i for i, s in enumerate(sentences) if is_responsibility(s.span.text)), None)
        if unit_line is not None and unit_line not in picked:
            picked.append(unit_line)
    spans = sorted((narrow(clause.text, sentences[i].span, profile, config) for i in picked), key=lambda s: s.start)
    # the sentence after a lead-in is quoted for context; it answers only when the sentence model
    # rates it as it would a sentence picked on its own ("提高电动自行车新车购买补贴力度。" is not
    # answered by the next sentence's phone subsidy)
    on_merit = [i for i in picked if i != follow_up or probs[i] >= config.sentence_relative * probs[best]]
    stated = not profile.kinds or any(is_stated(sentences[i].feature("states")) for i in on_merit)
    if profile.asks_figure and not stated:
        spans = _unstated_segments(clause.text, spans, profile) or spans
    whole = cover(clause.text, spans)
    quote = whole.text if len(whole.text) <= config.max_whole_quote_chars else spans[0].text
    return Item(clause, tuple(spans), fragments(clause.text, spans, profile, config), scored.probability, stated, quote)
