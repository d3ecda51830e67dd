"""A document's 名词解释 entries attached to the measures that use their terms (pure, no files)."""
from __future__ import annotations

from ingest.glossary import attach_glossary, term_forms
from ingest.pipeline import load_clauses
from policyqa.config import BUNDLED_CORPUS
from policyqa.model import Clause, Document

DOC = Document(doc_id="report", title="政府工作报告")


def _clause(n: int, text: str, kind: str = "paragraph", title: str = "") -> Clause:
    return Clause(clause_id=f"report:{n}", doc=DOC, path=(), number="", title=title, text=text, kind=kind)


def test_a_term_is_written_whole_or_by_its_quoted_label() -> None:
    assert term_forms("文化产业“双百”计划") == ("文化产业“双百”计划", "“双百”")
    assert term_forms("“五最优”环境") == ("“五最优”环境", "“五最优”")
    assert term_forms("“一芯一港两基地”") == ("“一芯一港两基地”",)
    assert term_forms("数字经济") == ("数字经济",)


def test_measures_using_a_term_carry_its_entry_and_the_rest_stay_as_they_are() -> None:
    entry = "营商环境优化提升“五个零”机制（P25）：倾听企业呼声“零距离”机制、提升办事效率“零延误”机制。"
    clauses = [
        _clause(1, "全面推行营商环境优化提升“五个零”机制。"),  # the whole term
        _clause(2, "落实“五个零”要求，服务企业。"),  # its quoted label only
        _clause(3, "五个零售网点。"),  # the label's characters without its marks: another matter
        _clause(4, entry, kind="glossary", title="营商环境优化提升“五个零”机制"),
    ]
    attached = attach_glossary(clauses)
    assert [c.glossary for c in attached] == [(entry,), (entry,), (), ()]
    assert [c.text for c in attached] == [c.text for c in clauses]  # the wording quoted stays the clause's own
    assert attach_glossary(clauses[:3]) == clauses[:3]  # no glossary: nothing changes


def test_every_term_of_the_bundled_report_reaches_the_measure_that_uses_it() -> None:
    clauses = load_clauses(BUNDLED_CORPUS / "ruian-2023-government-work-report.txt")
    entries = {c.text for c in clauses if c.kind == "glossary"}
    used = {note for c in clauses for note in c.glossary}
    assert len(entries) == 12 and used == entries
    two_terms = next(c for c in clauses if c.locator == "二、(八)第1段")
    assert [note.split("（")[0] for note in two_terms.glossary] == ["“两医两力”提升计划", "“三班三员”吹哨机制"]
