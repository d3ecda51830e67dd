"""A document's standing and the words for it."""
from __future__ import annotations

from datetime import date

from policyqa.model import STATUS_DRAFT, Document
from policyqa.status import STANDING_LABELS, Standing, publication_label, standing

TODAY = date(2025, 6, 1)


def test_a_draft_is_a_draft_even_when_its_period_is_over() -> None:
    draft = Document("d", "草案", status=STATUS_DRAFT, valid_until="2024-12-31")
    assert standing(draft, TODAY) is Standing.DRAFT and publication_label(draft) == "征求意见稿"


def test_in_force_only_when_a_running_validity_is_stated() -> None:
    assert standing(Document("a", "旧", valid_until="2024-12-31"), TODAY) is Standing.EXPIRED
    assert standing(Document("b", "新", valid_until="2025-12-31"), TODAY) is Standing.IN_FORCE
    report = Document("c", "政府工作报告")
    assert standing(report, TODAY) is Standing.UNSTATED and publication_label(report) == "已印发"
    assert [STANDING_LABELS[s] for s in Standing] == ["征求意见稿", "已过期", "现行有效", "未注明有效期"]
