"""Reading a retrieved clause: its question-independent reading is reused, never stale."""
from __future__ import annotations

from dataclasses import replace

from app.answer.evidence import clause_reading, read_candidate
from app.text.spans import normalise
from policyqa.model import Hit

from ..answer_fakes import CLAUSES


def test_a_clause_reads_as_its_sentences_lead_and_judged_text() -> None:
    clause = CLAUSES[3]  # "强化工业用地供应服务保障。工业用地容积率一般不低于 2.0，…"
    reading = clause_reading(clause)
    assert [s.text for s in reading.spans][0] == "强化工业用地供应服务保障。"
    assert reading.norms == tuple(normalise(s.text) for s in reading.spans)
    assert "容积率一般不低于2.0" in reading.norms[1]
    assert reading.lead == normalise(clause.title) + "\n"
    assert reading.context.startswith("三、制造业政策")


def test_a_clause_re_ingested_with_other_text_under_the_same_id_is_read_afresh(profile_of) -> None:
    # readings are kept between questions: one kept by the clause's id alone would quote the old text
    before = CLAUSES[3]
    after = replace(before, text="强化工业用地供应服务保障。工业用地容积率一般不低于 3.0。")
    assert clause_reading(before).norms != clause_reading(after).norms
    profile = profile_of("温州工业用地容积率一般不低于多少")
    old = read_candidate(profile, Hit(before, 1.0, "hybrid"), 1)
    new = read_candidate(profile, Hit(after, 1.0, "hybrid"), 1)
    assert old is not None and new is not None
    assert "2.0" in old.sentences[1].norm and "3.0" in new.sentences[1].norm
    assert "3.0" in new.context and "2.0" not in new.context
