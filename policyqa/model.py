"""The shared data model: one record type per unit, used by ingest, index, app and eval.

Records are frozen; stages return new records instead of mutating the ones they receive.
"""
from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from policyqa.errors import UserError

STATUS_ISSUED = "issued"
STATUS_DRAFT = "draft"

# How an answer is worded: for reading on screen, or short enough to read out on the 12345 line.
Style = Literal["default", "hotline"]
STYLES: tuple[Style, ...] = get_args(Style)
DEFAULT_TOP_K = 10  # clauses retrieved and read when the asker names no number (`ask --top-k`, the chat)


def as_style(text: str) -> Style:
    """The style named by `text`; UserError for any other word (from the API or the command line)."""
    for style in STYLES:
        if text == style:
            return style
    raise UserError(f"style 只能是 {' 或 '.join(STYLES)}，而不是 {text!r}")


@dataclass(frozen=True)
class Document:
    """One policy file with the facts a user needs beside its clauses."""

    doc_id: str  # stable slug derived from the file name, e.g. "wenzhou-2024-policies"
    title: str
    doc_number: str = ""  # 文号 as written, e.g. "温政办〔2024〕11号"; "" when none
    issuer: str = ""  # e.g. "温州市人民政府办公室"
    region: str = ""  # e.g. "温州市"
    year: int | None = None
    date: str = ""  # ISO date of issue, "" when unknown
    status: str = STATUS_ISSUED  # STATUS_ISSUED or STATUS_DRAFT (征求意见稿)
    validity: str = ""  # the statement as written, e.g. "均为2023年全年实施有效"
    valid_until: str = ""  # ISO date the validity ends, "" when open-ended or unknown
    source_path: str = ""
    content_hash: str = ""  # sha256 of the file's bytes

    def expired_on(self, today: datetime.date) -> bool:  # module-qualified: `date` is also a field
        """True when the document states a validity that ended before `today`."""
        return bool(self.valid_until) and datetime.date.fromisoformat(self.valid_until) < today

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Clause:
    """One policy measure (or one unnumbered paragraph): the unit embedded, retrieved and cited."""

    clause_id: str  # stable across re-ingests of an unchanged file
    doc: Document
    path: tuple[str, ...]  # headings above the clause, outermost first
    number: str  # the measure's number as written ("44", "二十六", "3"); "" when unnumbered
    title: str  # lead phrase
    text: str  # full cleaned text, including the lead phrase
    locator: str = ""  # compact position for citing aloud, e.g. "六、(二)3" or "44"
    responsible_units: tuple[str, ...] = ()  # as listed, lead unit first
    lead_unit: str = ""
    lead_department: str = ""  # of the clause's area, e.g. "市商务局" from "由市商务局牵头实施"
    kind: str = "measure"  # "measure" | "prose" | "paragraph" | "glossary"
    ordinal: int = 0  # position within the document, from 0
    # The document's 名词解释 entries for terms this clause uses ("五个零" -> what the five are): text
    # the clause can be found by, never quoted as its wording.
    glossary: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The `policyqa clauses --json` object: clause fields plus the document's metadata."""
        data = {
            "clause_id": self.clause_id,
            "number": self.number,
            "title": self.title,
            "path": list(self.path),
            "locator": self.locator,
            "text": self.text,
            "responsible_units": list(self.responsible_units),
            "lead_unit": self.lead_unit,
            "lead_department": self.lead_department,
            "kind": self.kind,
            "ordinal": self.ordinal,
            "glossary": list(self.glossary),
        }
        doc = self.doc
        data.update(
            doc_id=doc.doc_id,
            doc_title=doc.title,
            doc_number=doc.doc_number,
            issuer=doc.issuer,
            region=doc.region,
            year=doc.year,
            date=doc.date,
            status=doc.status,
            validity=doc.validity,
            valid_until=doc.valid_until,
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], doc: Document) -> Clause:
        return cls(
            clause_id=data["clause_id"],
            doc=doc,
            path=tuple(data.get("path", ())),
            number=data.get("number", ""),
            title=data.get("title", ""),
            text=data["text"],
            locator=data.get("locator", ""),
            responsible_units=tuple(data.get("responsible_units", ())),
            lead_unit=data.get("lead_unit", ""),
            lead_department=data.get("lead_department", ""),
            kind=data.get("kind", "measure"),
            ordinal=data.get("ordinal", 0),
            glossary=tuple(data.get("glossary", ())),
        )


@dataclass(frozen=True)
class Hit:
    """A clause found by a retriever, with its score and which retriever found it."""

    clause: Clause
    score: float
    source: str  # "bm25" | "dense" | "hybrid"
    ranks: dict[str, int] = field(default_factory=dict)  # rank per retriever, from 1, for fused hits
    # the neural model's cosine of the question with each sentence of the clause (its closest
    # fragment), in text order (ingest/spans.py's split); empty when the model did not run
    sentence_similarity: tuple[float, ...] = ()
    # P of the ranking model that ordered the hit (app/answer/rerank.py); None: the retrievers' order
    reranked: float | None = None

    @property
    def order_score(self) -> float:
        """The score its list is ordered by: the ranking model's P when it reordered the list."""
        return self.score if self.reranked is None else self.reranked


@dataclass(frozen=True)
class Citation:
    """A clause an answer rests on, with the sentence(s) quoted from it."""

    n: int
    clause: Clause
    quote: str  # verbatim from clause.text


# What an answer is (the JSON's `outcome`):
# - answered: the cited sentences state what was asked;
# - not_stated: the documents address the topic but do not give the asked figure (the related
#   clause is cited, no figure of its own is stated);
# - not_found: nothing in the documents addresses it;
# - unknown_place / missing_scope: the question names a place, or a region and year, that no indexed
#   document covers (the answer says what is covered);
# - validity: the document's own validity statement answers a "还有效吗" question.
Outcome = Literal["answered", "not_stated", "not_found", "unknown_place", "missing_scope", "validity"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)

# Why an answer states no figure (the JSON's `reason`; null when it states what was asked), each
# with the outcome it gives (app/answer/refusal.py decides them all):
Reason = Literal[
    "nothing_to_look_up",  # the question is only figures ("150万元")
    "unknown_place",  # a place no indexed document is of
    "year_not_covered",  # the named region has no document of the named year, nor a clause naming it
    "filter_matches_nothing",  # the user's own region/year filter matches no document
    "declined",  # the decision found no clause that answers
    "scope_says_nothing",  # only other places'/years' clauses answer a question naming its own
    "figures_beside_topic",  # a figure is asked; the clauses name the topic only beside other figures
    "figure_not_stated",  # a figure is asked; the related clauses, cited, do not state it
    "validity_not_stated",  # a validity question about documents that state no validity
]
REASON_OUTCOME: dict[Reason, Outcome] = {
    "nothing_to_look_up": "not_found", "unknown_place": "unknown_place", "year_not_covered": "missing_scope",
    "filter_matches_nothing": "missing_scope", "declined": "not_found", "scope_says_nothing": "not_found",
    "figures_beside_topic": "not_found", "figure_not_stated": "not_stated", "validity_not_stated": "not_found",
}


@dataclass(frozen=True)
class Answer:
    """A cited answer to one question."""

    question: str
    found: bool
    text: str  # with [n] markers pointing at citations
    citations: tuple[Citation, ...] = ()
    retrieved: tuple[Hit, ...] = ()
    mode: str = "extractive"
    timings_ms: dict[str, float] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)  # post-generation checks (LLM mode)
    notes: tuple[str, ...] = ()  # things the user should know (fallbacks, filters applied)
    outcome: Outcome = "answered"
    reason: Reason | None = None  # why no figure is stated (None: the answer states it)
