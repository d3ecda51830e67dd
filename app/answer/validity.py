"""Questions about a document's validity ("还有效吗", "有效期到什么时候"), answered from the document.

The validity statement is a fact of the whole document (Document.validity / valid_until, read by
ingest from a closing clause such as "……均为2023年全年实施有效"), not of any one measure, so
retrieval by topic words rarely finds it. Such a question is answered by quoting that statement
verbatim from the clause that contains it, citing the clause, and saying whether the validity has
ended as of today.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from app.answer.analysis import QuestionProfile
from app.answer.names import validity_period
from app.text.spans import normalise, split_sentences
from policyqa.model import STATUS_DRAFT, Citation, Clause, Document
from policyqa.status import CHECK_LATEST, DRAFT_CAVEAT

# Asking whether the document still applies, or until when.
ASKS_VALIDITY = re.compile(r"还有效|仍然?有效|是否有效|有没有效|有效吗|有效期|过期|失效|到期|还适用|还能用|废止"
                           r"|截止.{0,4}(时间|日期|哪天|什么时候)")
# Words of such a question that are not its topic (the document itself is named by scope words).
_VALIDITY_WORDS = re.compile(r"有效|期限|期|过期|失效|到期|适用|截止|时间|日期|多久|多长")


def asks_document_validity(profile: QuestionProfile, topic_rarity: float) -> bool:
    """True when the question asks whether a document is (still) valid, about no specific measure."""
    if not ASKS_VALIDITY.search(profile.question):
        return False
    topic = [t for t in (*profile.terms, *profile.foreign) if not _VALIDITY_WORDS.search(t.word)
             and not ASKS_VALIDITY.search(t.word) and t.rarity >= topic_rarity]
    return not topic


def validity_clause(doc: Document, clauses: Iterable[Clause]) -> Clause | None:
    """The first of the document's clauses that states its validity (as Document.validity)."""
    statement = normalise(doc.validity)
    return next((c for c in clauses if statement in normalise(c.text)), None) if statement else None


class ValidityClauses(Mapping[str, Clause]):
    """Per document id, the clause that states the document's validity, looked for among that
    document's clauses when first asked (a large index is never read whole for it)."""

    def __init__(self, documents: Iterable[Document], clauses_of: Callable[[str], Iterable[Clause]]) -> None:
        self._documents = {d.doc_id: d for d in documents}
        self._clauses_of = clauses_of
        self._found: dict[str, Clause | None] = {}

    def _lookup(self, doc_id: str) -> Clause | None:
        if doc_id not in self._found:
            doc = self._documents.get(doc_id)
            self._found[doc_id] = None if doc is None else validity_clause(doc, self._clauses_of(doc_id))
        return self._found[doc_id]

    def __getitem__(self, doc_id: str) -> Clause:
        found = self._lookup(doc_id)
        if found is None:
            raise KeyError(doc_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return (doc_id for doc_id in self._documents if self._lookup(doc_id) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _names_title(question: str, doc: Document, piece: int) -> bool:
    """Whether `question` holds `piece` consecutive characters of `doc`'s title."""
    title = normalise(doc.title)
    return any(title[i:i + piece] in question for i in range(len(title) - piece + 1))


def documents_asked(question: str, documents: list[Document], ranked: list[Document],
                    in_scope: Callable[[Document], bool] | None, title_piece: int) -> list[Document]:
    """The documents the question is about: those of the named region/year, else all (best
    retrieved first); narrowed to those whose title the question quotes, if any."""
    order = {doc.doc_id: i for i, doc in enumerate(reversed(ranked))}  # best retrieved: highest
    pool = sorted((d for d in documents if in_scope is None or in_scope(d)), key=lambda d: -order.get(d.doc_id, -1))
    titled = [d for d in pool if _names_title(question, d, title_piece)]
    return titled or pool


def _statement(clause: Clause, doc: Document) -> str:
    """The sentence of `clause` that holds the validity statement, verbatim."""
    statement = normalise(doc.validity)
    return next((s.text for s in split_sentences(clause.text) if statement in normalise(s.text)), clause.text)


def expiry_note(doc: Document, today: date) -> str:
    """"该政策有效期为2023年，现已过期，请以最新文件为准" (or still in force), from valid_until."""
    period = validity_period(doc)
    if not period:
        return ""
    draft = f"{DRAFT_CAVEAT}。" if doc.status == STATUS_DRAFT else ""
    if doc.expired_on(today):
        return f"该政策有效期为{period}，现已过期，{CHECK_LATEST}。{draft}"
    return f"该政策有效期为{period}，目前仍在有效期内。{draft}"


@dataclass(frozen=True)
class ValidityStatement:
    """One asked document's validity statement, cited, and whether it has ended as of today."""

    doc: Document
    citation: Citation  # the clause holding the statement, the statement verbatim as its quote
    expiry: str  # expiry_note as of today

    def line(self, head: str) -> str:
        """"{head}：{the statement}[n]。{expiry}": one document's line, named as the style names it."""
        return f"{head}：{self.citation.quote.rstrip('。')}[{self.citation.n}]。{self.expiry}"


def validity_statements(docs: list[Document], clauses: Mapping[str, Clause], today: date) -> list[ValidityStatement]:
    """The validity statement of each asked document that states one, numbered for citing."""
    statements: list[ValidityStatement] = []
    for doc in docs:
        clause = clauses.get(doc.doc_id)
        if clause is not None:
            citation = Citation(n=len(statements) + 1, clause=clause, quote=_statement(clause, doc))
            statements.append(ValidityStatement(doc, citation, expiry_note(doc, today)))
    return statements
