"""The found/not-found decision on the labelled questions it was calibrated on (see app/support.py)."""
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
        if answer.found != item["answerable"] or not set(item.get("docs", ())) <= cited:
            wrong.append((item["question"], answer.found, sorted(cited)))
    assert not wrong, wrong
    assert sum(i["answerable"] for i in LABELLED) >= 15 and sum(not i["answerable"] for i in LABELLED) >= 15
