"""Whether a retrieved clause supports an answer, and which supported clauses to cite.

Features (per clause in `app.evidence`, from pure functions in `app.scoring`; question words in
`app.question`, corpus words in `app.vocabulary`):
- topic terms after synonym expansion: colloquial aliases of index/data/synonyms.tsv ("国外" ->
  境外/出境, "补多少" -> 补助/补贴, "找谁" -> 责任单位) become terms matched by their policy wording;
  aliases that only say what is asked ("啥意思") set the question kind instead. Words that name a
  document ("方案", "政府工作报告") are scope, like region and year names.
- a colloquial alias inside a longer word counts in its policy wording when the documents use the
  result ("体育比赛" -> "体育赛事", app.vocabulary.Vocabulary.aliased_forms). Quantities of the
  asker's case ("每人", "三岁", "两千万"), deictics and approximators ("这边", "大概") are not topic;
  "最高/上限…多少" without a money word asks for a figure ("容积率最高多少"), not a sum.
- corpus check: a question word no document contains is dropped when it is everyday Chinese
  ("多久", "这边": jieba dictionary frequency, app.vocabulary.COMMON_PER_MILLION) and is `foreign`
  when rare ("契税"). A foreign word counts as a missing term; when it names the asked thing
  (right before a benefit word, or next to 多少/几: "开业补贴", "面额多少") nothing supports an answer.
- `missing`: share of the specific terms (plus foreign words) the clause — with its headings — lacks.
- `sentence_coverage` / `clause_coverage`: weighted share of the topic terms in the best sentence
  (with the clause's lead phrase, the subject of its sentences) / the clause (generic words weigh 0.35).
- `evidence`: whether the quoted sentences carry the asked type of fact — a %, a sum, a count of the
  asked unit, a responsible unit, a definition — 0..1; a figure only counts in a sentence on the
  asked topic that names the asked benefit; "按规定给予补助" is 0.5 (a rule, not a figure).

Decision:
1. on topic: missing share <= MISSING_MAX (the best clause may lack one of three specific words —
   everyday phrasing the synonym table does not know —, further citations must lack none),
   sentence coverage >= SENTENCE_MIN, clause coverage >= CLAUSE_MIN;
2. the asked fact is stated (evidence >= STATED_MIN) -> cited as the answer;
3. otherwise, when the clause has the whole topic and names the asked benefit (a "how much"
   question) or uses the asked term (a "what is" question), it is quoted with a plain
   "（文件未写明具体比例）" / "（文件未对此作专门解释…）" — found, never a figure of another measure;
   A "how much" question needs at least one specific topic word: when segmentation leaves only
   generic ones ("生三孩" cut into characters, leaving "补贴"), no clause is on topic.
4. otherwise not supported. A question naming a region and a year needs a cited document of both
   (app.offline), else "not found there", with the places that do have clauses named; the best
   supported clause of the named region/year leads the answer even when another place's scores higher.
Questions about a document's validity ("还有效吗", "有效期到什么时候", no measure named) skip this:
app.validity quotes the document's own validity statement, cites its clause and says whether it
has ended as of today; a region/year without such a document is "not found".

Calibrated on tests/app/data/answerability.jsonl (50 questions: answerable, answerable only with
the "not stated" caveat, validity questions, and unanswerable near misses) and on the even-numbered
ids of eval/questions.jsonl; the odd ids are held out. All 50 calibration questions are decided
correctly (tests/app/test_answerability.py). MISSING_MAX: 0 refused most colloquial questions
(one filler word sufficed), 0.25 and 0.34 kept all unanswerable calibration questions declined,
0.5 answered four of them with similar clauses; 0.34 is the largest safe value.
"""
from __future__ import annotations

from collections.abc import Callable

from app.evidence import Evidence
from app.question import QuestionProfile
from app.vocabulary import clause_context
from policyqa.model import Document

MISSING_MAX = 0.34  # share of the specific terms' weight a clause may lack
SENTENCE_MIN = 0.4
CLAUSE_MIN = 0.5
STATED_MIN = 0.6  # evidence at which the asked fact counts as stated (a figure, not "按规定")
RELATIVE_MIN = 0.6  # another clause is cited when its score is at least this share of the best
MAX_CITATIONS = 5
MAX_PER_DOCUMENT = 2
EVIDENCE_KINDS = frozenset({"ratio", "amount", "budget", "figure", "responsible", "definition"})


def missing_share(profile: QuestionProfile, item: Evidence) -> float:
    """Share of the question's specific words that the clause lacks (words no document has included)."""
    specific = [t for t in profile.terms if t.weight == 1.0]
    total = len(specific) + len(profile.foreign)
    lacking = sum(t.word in item.missing for t in specific) + len(profile.foreign)
    return lacking / total if total else 0.0


def on_topic(profile: QuestionProfile, item: Evidence) -> bool:
    """True when the clause is about what the question asks about, not merely similar."""
    if not profile.terms or profile.foreign_benefit or missing_share(profile, item) > MISSING_MAX:
        return False
    if profile.asks_figure and not any(t.weight == 1.0 for t in profile.terms):
        return False  # "how much" with only generic words left (补贴, 企业): any figure would be a guess
    return item.sentence_coverage >= SENTENCE_MIN and item.clause_coverage >= CLAUSE_MIN


def states_fact(profile: QuestionProfile, item: Evidence) -> bool:
    """True when the quoted sentences carry the kind of fact asked for (or none was asked)."""
    return not profile.kinds & EVIDENCE_KINDS or item.evidence >= STATED_MIN


def may_say_unstated(profile: QuestionProfile, item: Evidence) -> bool:
    """True when quoting the clause with "未写明…" answers honestly: it is about the asked benefit
    (a "how much" question) or it uses the asked term without defining it (a "what is" question)."""
    if item.missing or profile.foreign or any(q not in clause_context(item.clause) for q in profile.qualifiers):
        return False  # without the asked fact, only a clause on exactly this topic is worth quoting
    if profile.asks_figure:
        return item.benefit_named
    return "definition" in profile.kinds


def supports(profile: QuestionProfile, item: Evidence) -> bool:
    """True when the clause answers the question, stating the asked fact or honestly lacking it."""
    return on_topic(profile, item) and (states_fact(profile, item) or may_say_unstated(profile, item))


def choose(profile: QuestionProfile, items: list[Evidence],
           in_scope: Callable[[Document], bool] | None = None) -> list[Evidence]:
    """The supported clauses worth citing, best first, a few per document.

    `in_scope` says which documents the question names (region/year): the best supported clause
    of those leads, so a slightly weaker clause of the named place is not crowded out by another's.
    """
    supported = sorted((i for i in items if supports(profile, i)),
                       key=lambda i: (not states_fact(profile, i), -i.score, i.rank))
    if not supported:
        return []
    named = [i for i in supported if in_scope is not None and in_scope(i.clause.doc)]
    if named and named[0] is not supported[0]:
        supported.remove(named[0])
        supported.insert(0, named[0])
    floor = RELATIVE_MIN * supported[0].score
    chosen: list[Evidence] = []
    per_doc: dict[str, list[Evidence]] = {}
    for item in supported:
        doc_items = per_doc.setdefault(item.clause.doc.doc_id, [])
        if item.score < floor or len(doc_items) >= MAX_PER_DOCUMENT:
            continue
        if chosen and item.missing:
            continue  # only the best clause may lack a term; further citations cover the whole topic
        if doc_items and item.score < 0.85 * doc_items[0].score:
            continue  # a second clause of the same document only when nearly as good
        doc_items.append(item)
        chosen.append(item)
        if len(chosen) == MAX_CITATIONS:
            break
    return chosen
