"""A document's status as people are told it: the one home of that wording.

Every surface (answer text, citation cards, the JSON's text form, the LLM prompt, `policyqa
clauses`) names a draft, an expired document and one in force with these words.
"""
from __future__ import annotations

import datetime
from enum import StrEnum

from policyqa.model import STATUS_DRAFT, Document


class Standing(StrEnum):
    """Where a document stands on a given day (the value is also the card's CSS class)."""

    DRAFT = "draft"
    EXPIRED = "expired"
    IN_FORCE = "inforce"
    UNSTATED = "unstated"  # states no validity (a work report): not vouched for as in force


STANDING_LABELS = {Standing.DRAFT: "征求意见稿", Standing.EXPIRED: "已过期", Standing.IN_FORCE: "现行有效",
                   Standing.UNSTATED: "未注明有效期"}
ISSUED_LABEL = "已印发"
DRAFT_CAVEAT = "该文件为征求意见稿，尚未正式印发，请以正式文件为准"
CHECK_LATEST = "请以最新文件为准"


def standing(doc: Document, today: datetime.date) -> Standing:
    """Draft first (a draft is never in force), then expired, then in force if it states a validity."""
    if doc.status == STATUS_DRAFT:
        return Standing.DRAFT
    if doc.expired_on(today):
        return Standing.EXPIRED
    return Standing.IN_FORCE if doc.valid_until else Standing.UNSTATED


def publication_label(doc: Document) -> str:
    """"征求意见稿" or "已印发"."""
    return STANDING_LABELS[Standing.DRAFT] if doc.status == STATUS_DRAFT else ISSUED_LABEL
