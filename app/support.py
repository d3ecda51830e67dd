"""Whether a retrieved clause supports an answer, and which supported clauses to cite.

Features (computed per clause in `app.evidence`, from pure functions in `app.scoring`):
- `missing`: the question's specific topic terms (not generic words such as 补助/企业/支持, nor
  region/year words, which are scope) that the clause lacks even partly. A clause without the
  topic is merely similar: its figures would answer another question.
- `sentence_coverage` / `clause_coverage`: weighted share of the topic terms in the best sentence /
  the whole clause (generic words weigh 0.35).
- `evidence`: whether the chosen sentences carry the kind of fact asked for (a %, a sum, a count of
  the asked unit — "几类" wants "12类" —, a responsible unit, a definition), 0..1; 0.5 for a rule
  without a figure ("按规定给予补助"). A figure only counts in a sentence that names the benefit the
  question asks about (奖励/补贴/…): "企业上市奖励" is not answered by "再融资达到8亿元".

Rule: a clause supports the answer when it misses no specific term (MISSING_MAX), its best sentence
covers at least SENTENCE_MIN and the clause CLAUSE_MIN of the topic, and — when the question asks for
a figure, a unit or a definition — its sentences carry at least EVIDENCE_MIN of that fact. When the
question names a region or year and no supported clause comes from it, the answer is "not found"
there (app.offline), never another place's figure.

Calibrated on tests/app/data/answerability.jsonl (20 answerable, 16 unanswerable questions over the
bundled corpus, including near misses that share words with real clauses: 出境参展补助比例 next to the
60% insurance subsidy, 企业上市奖励 next to financing targets). All 36 are decided correctly;
tests/app/test_answerability.py keeps it so. A sweep over the thresholds
found the same decisions for SENTENCE_MIN 0.3–0.5, CLAUSE_MIN 0.4–0.7 and EVIDENCE_MIN 0.5–1.0,
and wrong ones for SENTENCE_MIN ≥ 0.6; the values below sit inside that plateau. The missing-term, benefit and scope
rules are what separate the near misses; the thresholds only stop weak partial matches.
"""
from __future__ import annotations

from app.evidence import Evidence
from app.question import QuestionProfile

MISSING_MAX = 0.0  # share of the specific terms' weight a clause may lack
SENTENCE_MIN = 0.4
CLAUSE_MIN = 0.5
EVIDENCE_MIN = 0.5
RELATIVE_MIN = 0.6  # another clause is cited when its score is at least this share of the best
MAX_CITATIONS = 5
MAX_PER_DOCUMENT = 2
EVIDENCE_KINDS = frozenset({"ratio", "amount", "budget", "figure", "responsible", "definition"})


def missing_share(profile: QuestionProfile, item: Evidence) -> float:
    """Share of the question's specific-term weight that the clause lacks."""
    specific = [t for t in profile.terms if t.weight == 1.0]
    return sum(t.word in item.missing for t in specific) / len(specific) if specific else 0.0


def supports(profile: QuestionProfile, item: Evidence) -> bool:
    """True when the clause answers the question rather than merely resembling it."""
    if not profile.terms or missing_share(profile, item) > MISSING_MAX:
        return False
    if item.sentence_coverage < SENTENCE_MIN or item.clause_coverage < CLAUSE_MIN:
        return False
    if profile.kinds & EVIDENCE_KINDS and item.evidence < EVIDENCE_MIN:
        return False
    return True


def choose(profile: QuestionProfile, items: list[Evidence]) -> list[Evidence]:
    """The supported clauses worth citing, best first, a few per document."""
    supported = sorted((i for i in items if supports(profile, i)), key=lambda i: (-i.score, i.rank))
    if not supported:
        return []
    floor = RELATIVE_MIN * supported[0].score
    chosen: list[Evidence] = []
    per_doc: dict[str, list[Evidence]] = {}
    for item in supported:
        doc_items = per_doc.setdefault(item.clause.doc.doc_id, [])
        if item.score < floor or len(doc_items) >= MAX_PER_DOCUMENT:
            continue
        if doc_items and item.score < 0.85 * doc_items[0].score:
            continue  # a second clause of the same document only when nearly as good
        doc_items.append(item)
        chosen.append(item)
        if len(chosen) == MAX_CITATIONS:
            break
    return chosen
