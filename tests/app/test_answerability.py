"""The found/not-found decision on the labelled questions it was calibrated on (see app/support.py).

`caveat` marks questions whose clause exists but does not state the asked figure or definition:
they are answered (found) with the clause quoted and "文件未写明…" said plainly.
"""
from __future__ import annotations

import json
from pathlib import Path

from app.service import AnswerService
from .answer_checks import TODAY, assert_grounded

LABELLED = [json.loads(line) for line in (Path(__file__).parent / "data" / "answerability.jsonl").open(encoding="utf-8")]


def test_decisions_match_labels(corpus_service: AnswerService) -> None:
    wrong = []
    for item in LABELLED:
        answer = corpus_service.ask(item["question"], today=TODAY)
        assert_grounded(answer)
        cited = {c.clause.doc.doc_id for c in answer.citations}
        best_line = answer.text.splitlines()[0]  # the best-supported document's part
        says_unstated = answer.found and ("未写明" in best_line or "未对此作专门解释" in best_line)
        if (answer.found != item["answerable"] or not set(item.get("docs", ())) <= cited
                or item.get("caveat", False) != says_unstated):
            wrong.append((item["question"], answer.found, sorted(cited), says_unstated))
    assert not wrong, wrong
    assert sum(i["answerable"] for i in LABELLED) >= 15 and sum(not i["answerable"] for i in LABELLED) >= 15
