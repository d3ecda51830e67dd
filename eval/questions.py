"""The evaluation question set: loading, span matching and mechanical checks of the gold data.

Gold references point at a document and a short verbatim span, never at a clause id, so they
survive re-chunking: a clause is relevant when its text contains the span (match-key normalised).
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from policyqa.model import Clause

QUESTIONS_FILE = Path(__file__).resolve().parent / "questions.jsonl"
# Questions written independently in users' own words; kept beside the project, not in it. The
# training set (291) is for fitting; the development set (70) only for choosing settings, never
# trained on, so that its score stays an honest estimate.
SHARED_DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "dev"
DEV_QUESTIONS_FILE = SHARED_DEV / "questions.jsonl"
TRAIN_QUESTIONS_FILE = SHARED_DEV / "train.jsonl"
KINDS = (
    "fact", "colloquial", "cross-document", "responsible-unit", "budget", "definition",
    "eligibility", "ambiguous-region", "year-trap", "unanswerable",
)
# further kinds of the shared sets written in users' words (development and training)
DEV_KINDS = ("hotline", "keyword", "multi-part", "paraphrase", "cross-doc", "not-stated")
_WHITESPACE = re.compile(r"\s+")


def _local_match_key(text: str) -> str:
    """NFKC (full-width -> half-width) and no whitespace: extraction damage does not matter."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def match_key(text: str) -> str:
    """Canonical form for span matching; the ingest's own function when it exists."""
    try:
        from ingest.repair import match_key as ingest_match_key
    except ImportError:
        return _local_match_key(text)
    return ingest_match_key(text)


@dataclass(frozen=True)
class GoldRef:
    """Where the answer to a question lives: document, locator as printed, verbatim span."""

    doc_id: str
    locator: str
    span: str


@dataclass(frozen=True)
class Question:
    """One evaluation question with its gold references and the facts an answer must contain."""

    qid: str
    question: str
    kind: str
    refs: tuple[GoldRef, ...]
    key_facts: tuple[str, ...]
    answerable: bool
    # Unanswerable because the documents name the benefit but state no figure: declining, or
    # quoting the clause with a "no figure stated" caveat, are both right; stating a figure is not.
    figure_absent: bool = False

    @property
    def doc_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ref.doc_id for ref in self.refs))


def _refs_from_gold(gold: list[dict]) -> list[dict]:
    """The development set's `gold` ({file, span, where}) as `refs` ({doc_id, locator, span})."""
    return [{"doc_id": Path(g["file"]).stem, "locator": g.get("where", ""), "span": g["span"]} for g in gold]


def parse_question(data: dict) -> Question:
    """One JSON object of a question file -> Question; raises ValueError on a malformed row.

    Both formats are read: the project's (`refs`) and the development set's (`gold`).
    """
    if "gold" in data and "refs" not in data:
        data = dict(data, refs=_refs_from_gold(data["gold"]))
    missing = {"id", "question", "kind", "refs", "key_facts", "answerable"} - data.keys()
    if missing:
        raise ValueError(f"question {data.get('id', '?')}: missing fields {sorted(missing)}")
    if data["kind"] not in KINDS + DEV_KINDS:
        raise ValueError(f"question {data['id']}: unknown kind {data['kind']!r}")
    refs = tuple(GoldRef(r["doc_id"], r.get("locator", ""), r["span"]) for r in data["refs"])
    return Question(
        qid=data["id"], question=data["question"], kind=data["kind"], refs=refs,
        key_facts=tuple(data["key_facts"]), answerable=bool(data["answerable"]),
        # "not-stated" (shared sets): the topic's clause is given as gold, the asked figure is not in it
        figure_absent=bool(data.get("figure_absent", False)) or data["kind"] == "not-stated",
    )


def load_questions(path: Path = QUESTIONS_FILE) -> list[Question]:
    """Read the question set (JSON lines); blank lines are skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [parse_question(json.loads(line)) for line in lines if line.strip()]


def check_against_texts(questions: Sequence[Question], doc_texts: dict[str, str]) -> list[str]:
    """Problems with the gold data against raw document texts (empty list when all is well).

    Every span must occur exactly once in its document; every key fact must occur in one of the
    referenced documents; answerable questions need refs and facts, unanswerable ones neither.
    """
    keyed = {doc_id: match_key(text) for doc_id, text in doc_texts.items()}
    problems: list[str] = []
    seen: set[str] = set()
    for q in questions:
        if q.qid in seen:
            problems.append(f"{q.qid}: duplicate id")
        seen.add(q.qid)
        if q.answerable != bool(q.refs) or q.answerable != bool(q.key_facts):
            problems.append(f"{q.qid}: answerable={q.answerable} but refs/key facts disagree")
        for ref in q.refs:
            if ref.doc_id not in keyed:
                problems.append(f"{q.qid}: unknown document {ref.doc_id}")
                continue
            count = keyed[ref.doc_id].count(match_key(ref.span))
            if count != 1:
                problems.append(f"{q.qid}: span {ref.span!r} occurs {count}x in {ref.doc_id}")
        texts = [keyed[d] for d in q.doc_ids if d in keyed]
        for fact in q.key_facts:
            if not any(match_key(fact) in text for text in texts):
                problems.append(f"{q.qid}: key fact {fact!r} not in {list(q.doc_ids)}")
    return problems


def check_against_clauses(questions: Sequence[Question], clauses: Sequence[Clause]) -> list[str]:
    """Problems with the gold data against the clauses the ingest produces.

    Each span must lie inside exactly one clause (a span cut by a clause boundary, or repeated,
    makes relevance ambiguous), and each key fact inside one of the question's gold clauses.
    Pieces of one long clause share its id, so clauses are counted by id.
    """
    keyed = [(c.clause_id, c.doc.doc_id, match_key(c.text)) for c in clauses]
    problems: list[str] = []
    for q in questions:
        gold_texts: list[str] = []
        for ref in q.refs:
            span = match_key(ref.span)
            holding = {cid: text for cid, doc_id, text in keyed if doc_id == ref.doc_id and span in text}
            if len(holding) != 1:
                problems.append(f"{q.qid}: span {ref.span!r} in {len(holding)} clauses of {ref.doc_id}")
            gold_texts.extend(holding.values())
        for fact in q.key_facts:
            if gold_texts and not any(match_key(fact) in text for text in gold_texts):
                problems.append(f"{q.qid}: key fact {fact!r} not in its gold clause(s)")
    return problems
