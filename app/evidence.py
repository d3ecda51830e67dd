"""Choosing, inside one retrieved clause, the verbatim sentences that answer a question."""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.question import QuestionProfile
from app.scoring import (
    asked_evidence, coverage, missing_specific, names_any_benefit, names_benefit, sentence_score,
    specific_coverage,
)
from app.textspan import Span, cover, is_responsibility, normalise, split_segments, split_sentences
from app.vocabulary import clause_context
from policyqa.model import Clause

MAX_QUOTE_CHARS = 160  # a longer sentence is narrowed to its best comma segments
MAX_HOTLINE_FRAGMENT = 60
MORE_FIGURES_MIN = 0.8  # another figure sentence is quoted when it scores this share of the best
_DIGIT = re.compile(r"\d")
CONTINUATION = re.compile(r"^(其中|同时|此外|并且|并|对此)")


@dataclass(frozen=True)
class Evidence:
    """The part of one clause that answers the question, with the features used to trust it."""

    clause: Clause
    rank: int  # retrieval rank, from 1
    spans: tuple[Span, ...]  # verbatim pieces of clause.text, in text order
    fragments: tuple[Span, ...]  # shorter verbatim pieces for read-aloud answers, best first
    score: float  # best sentence score
    clause_coverage: float
    sentence_coverage: float
    evidence: float
    missing: tuple[str, ...]  # specific question terms the clause (with its headings) lacks
    benefit_named: bool = False  # a quoted sentence names the benefit the question asks about

    @property
    def quote(self) -> str:
        """The sentence(s) the answer rests on, verbatim (one contiguous piece when short)."""
        whole = cover(self.clause.text, list(self.spans))
        return whole.text if len(whole.text) <= 2 * MAX_QUOTE_CHARS else self.spans[0].text


def _narrow(text: str, sentence: Span, profile: QuestionProfile, clause_cov: float, kind: str) -> Span:
    """A long sentence cut down to the contiguous comma segments that carry the answer."""
    if len(sentence.text) <= MAX_QUOTE_CHARS:
        return sentence
    segments = split_segments(text, sentence)
    scores = [sentence_score(profile, normalise(s.text), clause_cov, kind) for s in segments]
    best = max(range(len(segments)), key=lambda i: scores[i])
    lo = hi = best
    while True:  # grow towards the better-scoring neighbour while it adds something and fits
        options = [i for i in (lo - 1, hi + 1) if 0 <= i < len(segments) and scores[i] > 0.2]
        options.sort(key=lambda i: -scores[i])
        grown = False
        for i in options:
            new_lo, new_hi = min(lo, i), max(hi, i)
            if segments[new_hi].end - segments[new_lo].start <= MAX_QUOTE_CHARS:
                lo, hi, grown = new_lo, new_hi, True
                break
        if not grown:
            return cover(text, segments[lo:hi + 1])


def _fragments(text: str, spans: list[Span], profile: QuestionProfile, kind: str) -> tuple[Span, ...]:
    """Comma segments of the chosen spans that carry the asked fact or name the topic, best first."""
    ranked: list[tuple[float, float, int, Span]] = []
    for span in spans:
        for segment in split_segments(text, span):
            norm = normalise(segment.text)
            ev, cov = asked_evidence(profile, norm, kind), coverage(profile, norm)
            figure = 1.0 if profile.asks_figure and _DIGIT.search(norm) and names_benefit(profile, norm) else 0.0
            if (ev >= 0.5 or cov > 0) and len(segment.text) <= MAX_HOTLINE_FRAGMENT:
                ranked.append((-max(ev, 0.5 * figure), -cov, segment.start, segment))
    ranked.sort(key=lambda row: row[:3])
    carrying = [row for row in ranked if row[0] <= -0.5]
    if carrying:  # read out the figures, not the preamble around them
        ranked = carrying
    return tuple(row[3] for row in ranked) or (spans[0],)


def _more_figures(profile: QuestionProfile, candidates: list[Span], norms: dict[int, str],
                  scores: dict[int, float], best: Span, chosen: list[Span]) -> list[Span]:
    """Other sentences of the clause stating the asked figure for the same topic, nearly as good."""
    room = 2 * MAX_QUOTE_CHARS - sum(len(s.text) for s in chosen)
    best_topic = specific_coverage(profile, norms[best.start])
    best_lacks_figure = asked_evidence(profile, norms[best.start]) < 1  # then a same-clause figure helps
    extra: list[Span] = []
    for span in sorted(candidates, key=lambda s: -scores[s.start]):
        if span in chosen or scores[span.start] < MORE_FIGURES_MIN * scores[best.start]:
            continue
        norm = norms[span.start]
        topic = specific_coverage(profile, norm)
        # a figure of another topic never joins; "其中…" sentences of the same topic do
        same_topic = topic > 0 and (topic >= MORE_FIGURES_MIN * best_topic or best_lacks_figure)
        if asked_evidence(profile, norm) >= 1 and same_topic and len(span.text) <= room:
            extra.append(span)
            room -= len(span.text)
        if len(extra) == 2:
            break
    return extra


def clause_evidence(profile: QuestionProfile, clause: Clause, rank: int) -> Evidence | None:
    """The best answering sentences of `clause` and its support features; None if it has no text."""
    text = clause.text
    sentences = split_sentences(text)
    if not sentences:
        return None
    context = clause_context(clause)  # headings count: "乡村振兴领域 › …安排奖补资金"
    clause_cov = coverage(profile, context)
    wants_units = "responsible" in profile.kinds
    candidates = [s for s in sentences if wants_units or not is_responsibility(s.text)] or sentences
    norms = {s.start: normalise(s.text) for s in candidates}
    scores = {s.start: sentence_score(profile, norms[s.start], clause_cov, clause.kind) for s in candidates}
    best = max(candidates, key=lambda s: (scores[s.start], -s.start))
    if clause.kind == "glossary" and len(text) <= 2 * MAX_QUOTE_CHARS:
        chosen = [Span(0, len(text), text)]
    else:
        chosen = [_narrow(text, best, profile, clause_cov, clause.kind)]
        position = candidates.index(best)
        if CONTINUATION.match(best.text) and position > 0:
            chosen.append(candidates[position - 1])  # "其中…" needs the sentence it continues
        if profile.asks_figure:
            chosen += _more_figures(profile, candidates, norms, scores, best, chosen)
        if wants_units:
            unit = next((s for s in sentences if is_responsibility(s.text)), None)
            if unit and unit not in chosen:
                chosen.append(unit)
    chosen.sort(key=lambda s: s.start)
    lead = normalise(clause.title) + "\n"
    topical = [norms[s.start] for s in candidates if not is_responsibility(s.text)] or [norms[best.start]]
    return Evidence(
        clause=clause,
        rank=rank,
        spans=tuple(chosen),
        fragments=_fragments(text, chosen, profile, clause.kind),
        score=scores[best.start],
        clause_coverage=clause_cov,
        # a clause's lead phrase is the subject of each of its sentences ("保障和改善民生 › …安排资金")
        sentence_coverage=max(coverage(profile, lead + norm) for norm in topical),
        evidence=max(asked_evidence(profile, normalise(s.text), clause.kind) for s in chosen),
        missing=tuple(missing_specific(profile, context)),
        benefit_named=any(names_any_benefit(profile, normalise(s.text)) for s in chosen),
    )
