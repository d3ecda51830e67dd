"""A small stand-in for app.service.AnswerService: same methods, answers from three fixed clauses."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from policyqa.config import Settings
from policyqa.errors import UserError
from policyqa.model import Answer, Citation, Clause, Document, Hit

RUIAN = Document(doc_id="ruian-2023-work-plan", title="瑞安市2023年稳进提质攻坚行动工作方案",
                 doc_number="瑞政发[2023]9号", region="瑞安市", year=2023, date="2023-02-20",
                 validity="均为2023年全年实施有效", valid_until="2023-12-31")
WENZHOU = Document(doc_id="wenzhou-2024-policies", title="温州市进一步推动经济高质量发展若干政策",
                   doc_number="温政办〔2024〕11号", region="温州市", year=2024, date="2024-02-23")
DRAFT = Document(doc_id="ruian-2025-work-plan-draft", title="瑞安市2025年工作方案（征求意见稿）",
                 region="瑞安市", year=2025, status="draft")
CLAUSES = {
    "瑞安市": Clause(
        clause_id="ruian-2023-work-plan#6.2.3", doc=RUIAN,
        path=("六、扩大内需和对外开放领域", "(二)承接举措"), number="3", title="加大外贸支持力度",
        text="3.加大外贸支持力度。企业投保出口(投资)信用保险的,给予保费 60%的补助。(责任单位:*市商务局、市经信局)",
        locator="六、(二)3", responsible_units=("市商务局", "市经信局"), lead_unit="市商务局",
        lead_department="市商务局"),
    "温州市": Clause(
        clause_id="wenzhou-2024-policies#44", doc=WENZHOU, path=("七、扩大开放政策",), number="44",
        title="打好外贸“稳拓调”组合拳", locator="44",
        text="44. 打好外贸“稳拓调”组合拳。对企业短期出口信用保险保费给予不低于70%的补助经费。"),
    "draft": Clause(
        clause_id="ruian-2025#26", doc=DRAFT, path=("四、扩大开放",), number="二十六", title="积极培育外贸新模式",
        locator="二十六", text="（二十六）积极培育外贸新模式。<b>对短期出口信用保险保费按规定给予补助。</b>"),
}


class FakeService:
    """Answers every question from the clause of the requested region (瑞安市 by default)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.calls: list[dict] = []

    def documents(self) -> list[Document]:
        return [RUIAN, WENZHOU, DRAFT]

    def notices(self) -> list[str]:
        return ["离线模式：使用内置的离线向量模型。"]

    def ask(self, question: str, *, top_k: int = 10, region: str | None = None, year: int | None = None,
            doc_id: str | None = None, style: str = "default") -> Answer:
        if not question.strip():
            raise UserError("问题不能为空。")
        self.calls.append({"question": question, "region": region, "year": year, "doc_id": doc_id,
                           "style": style})
        clause = CLAUSES["draft" if doc_id == DRAFT.doc_id else (region or "瑞安市")]
        quote = clause.text.split("。")[1] + "。"
        text = f"{clause.doc.region}：{quote}[1]" if style == "default" else f"简答：{quote}[1]"
        return Answer(question=question, found=True, text=text, citations=(Citation(1, clause, quote),),
                      retrieved=(Hit(clause, 1.0, "hybrid"),), timings_ms={"total": 1.0})

    def ask_stream(self, question: str, **options) -> Iterator[str | Answer]:
        answer = self.ask(question, **options)
        for start in range(0, len(answer.text), 8):
            yield answer.text[start:start + 8]
        yield answer


def fake_settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index", embed_model="offline", feedback_file=tmp_path / "feedback.jsonl")
