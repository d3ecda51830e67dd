"""Evidence: the sentences of the top retrieved clauses, each with the features the models read.

Pure functions of a QuestionProfile and clauses. Feature names are fixed tuples: the trained
model (app/answer/data/decision.json) stores the names it was fitted on and refuses others.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.answer.analysis import QuestionProfile, Term
from app.answer.kinds import states
from app.text.spans import Span, is_responsibility, normalise, split_sentences
from index.pieces import judged_text
from policyqa.model import Clause, Hit

SENTENCE_FEATURES = (
    "term_coverage",  # IDF-weighted share of the topic words in the sentence with its clause's lead phrase
    "own_coverage",  # the same in the sentence alone
    "bigram_coverage",  # share of the question's character pairs the sentence has (paraphrase-tolerant)
    "states",  # the sentence states the asked kind of fact (1 with the asked unit)
    "item_coverage",  # share of the asked item's words ("契税") in the sentence with its lead phrase
    "has_number",
    "responsibility_line",  # the "(责任单位:…)" line
    "first_sentence",
    "length",  # characters / 200, at most 1
    "semantic",  # the neural model's cosine of the question with the sentence (NaN: model absent)
)
LENGTH_SCALE = 200.0  # "length" is characters / this, at most 1 (a feature's definition: retrain on change)
MISSING = float("nan")  # a feature the running machine cannot compute: read as the training mean


@dataclass(frozen=True)
class SentenceEvidence:
    """One sentence of a candidate clause: where it is, and its features."""

    span: Span
    norm: str  # normalised text
    features: tuple[float, ...]  # in SENTENCE_FEATURES order

    def feature(self, name: str) -> float:
        return self.features[SENTENCE_FEATURES.index(name)]


@dataclass(frozen=True)
class Candidate:
    """One retrieved clause read for the answer."""

    hit: Hit
    rank: int  # position in the retrieved list, from 1
    context: str  # the clause's headings, lead phrase and text, normalised
    clause_coverage: float
    sentences: tuple[SentenceEvidence, ...]


def term_present(term: Term, text: str) -> bool:
    return any(form in text for form in term.forms)


def coverage(terms: tuple[Term, ...], text: str) -> float:
    """IDF-weighted share of `terms` that `text` contains, 0..1 (0 without terms)."""
    total = sum(t.idf for t in terms)
    return sum(t.idf for t in terms if term_present(t, text)) / total if total else 0.0


def bigram_coverage(bigrams: frozenset[str], text: str) -> float:
    return sum(b in text for b in bigrams) / len(bigrams) if bigrams else 0.0


def sentence_features(profile: QuestionProfile, terms: tuple[Term, ...], bigrams: frozenset[str],
                      lead: str, norm: str, raw: str, position: int, similarity: float = MISSING) -> tuple[float, ...]:
    """The SENTENCE_FEATURES of one normalised sentence (`raw` is its text as written)."""
    return (
        coverage(terms, lead + norm),
        coverage(terms, norm),
        bigram_coverage(bigrams, norm),
        states(profile.kinds, profile.unit, norm),
        sum(term_present(t, lead + norm) for t in profile.items) / len(profile.items) if profile.items else 1.0,
        float(any(c.isdigit() for c in norm)),
        float(is_responsibility(raw)),
        float(position == 0),
        min(len(norm) / LENGTH_SCALE, 1.0),
        similarity,
    )


@dataclass(frozen=True)
class ClauseReading:
    """What reading a clause takes that no question changes: its sentences as written and
    normalised, its lead phrase and the text it is judged by (normalised)."""

    spans: tuple[Span, ...]
    norms: tuple[str, ...]
    lead: str
    context: str


# A question reads about 30 clauses, most of them read for earlier questions too; normalising their
# text (width, case, traditional script) was a third of the time of answering. Keyed by the whole
# (frozen) clause: one re-ingested with other text under the same id is read afresh.
@lru_cache(maxsize=4096)
def clause_reading(clause: Clause) -> ClauseReading:
    """The question-independent reading of `clause` (computed once per distinct clause)."""
    spans = tuple(split_sentences(clause.text))
    return ClauseReading(spans, tuple(normalise(s.text) for s in spans), normalise(clause.title) + "\n",
                         judged_text(clause))


def read_candidate(profile: QuestionProfile, hit: Hit, rank: int) -> Candidate | None:
    """The candidate for one retrieved clause; None when the clause has no text."""
    reading = clause_reading(hit.clause)
    spans = reading.spans
    if not spans:
        return None
    bigrams = profile.bigrams
    # the index's similarities follow the same split; any other length means they are not for these
    similarity = hit.sentence_similarity if len(hit.sentence_similarity) == len(spans) else (MISSING,) * len(spans)
    sentences = []
    for position, (span, norm) in enumerate(zip(spans, reading.norms, strict=True)):
        features = sentence_features(profile, profile.focus_terms, bigrams, reading.lead, norm, span.text, position,
                                     similarity[position])
        sentences.append(SentenceEvidence(span, norm, features))
    return Candidate(hit, rank, reading.context, coverage(profile.focus_terms, reading.context), tuple(sentences))


def read_candidates(profile: QuestionProfile, hits: list[Hit]) -> list[Candidate]:
    """Candidates for `hits`, in retrieved order."""
    found = (read_candidate(profile, hit, rank) for rank, hit in enumerate(hits, start=1))
    return [c for c in found if c is not None]
