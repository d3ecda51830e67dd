"""Small synthetic documents, clauses and an in-memory index for answer tests without the corpus."""
from __future__ import annotations

from app.answer.analysis import QuestionProfile
from app.answer.decision import Scored
from app.answer.evidence import read_candidate
from app.text.spans import normalise
from index.filters import Filters
from index.scope import Scope
from index.searching import PhraseCounts
from policyqa.model import STATUS_DRAFT, Clause, Document, Hit

RUIAN_2023 = Document(doc_id="ruian-2023", title="瑞安市承接落实政策工作方案", doc_number="瑞政发[2023]9号",
                      region="瑞安市", year=2023, validity="均为2023年全年实施有效", valid_until="2023-12-31")
WENZHOU_2024 = Document(doc_id="wenzhou-2024", title="温州市推动经济高质量发展若干政策",
                        doc_number="温政办〔2024〕11号", region="温州市", year=2024, valid_until="2024-12-31")
RUIAN_2025 = Document(doc_id="ruian-2025", title="瑞安市2025年工作方案（征求意见稿）", region="瑞安市",
                      year=2025, status=STATUS_DRAFT, valid_until="2025-12-31")

CLAUSES = (
    Clause("r23-trade", RUIAN_2023, ("六、扩大内需和对外开放领域", "(二)承接举措"), "3", "加大外贸支持力度",
           "加大外贸支持力度。进一步扩大出口信用保险覆盖面,企业投保出口(投资)信用保险的,给予保费 60%的补助,"
           "其中涉美出口信用保险的保费给予 80%的补助,单个企业补贴不超过 150 万元。"
           "(责任单位:市经信局、市商务局、市金融工作服务中心)",
           locator="六、(二)3", responsible_units=("市经信局", "市商务局", "市金融工作服务中心"),
           lead_unit="市经信局", lead_department="市商务局"),
    Clause("w24-44", WENZHOU_2024, ("六、扩大内需政策",), "44", "打好外贸“稳拓调”组合拳",
           "打好外贸“稳拓调”组合拳。加强市级中小微出口企业统保平台建设，对企业短期出口信用保险保费给予不低于70%的补助经费。"
           "（责任单位：市商务局、市财政局）", locator="44", responsible_units=("市商务局", "市财政局"),
           lead_unit="市商务局"),
    Clause("r25-26", RUIAN_2025, ("四、扩大内需",), "二十六", "积极培育外贸新模式",
           "（二十六）积极培育外贸新模式。对短期出口信用保险保费按规定给予补助。支持外贸企业开展汇率避险。"
           "（责任单位：*市商务局、市财政局）", locator="二十六", responsible_units=("市商务局", "市财政局"),
           lead_unit="市商务局"),
    Clause("w24-22", WENZHOU_2024, ("三、制造业政策",), "22", "强化工业用地供应服务保障",
           "强化工业用地供应服务保障。工业用地容积率一般不低于 2.0，建筑系数达到 40%以上。", locator="22"),
    Clause("r23-talent", RUIAN_2023, ("二、科技创新领域",), "5", "加强人才引育",
           "加强人才引育。对新引进的博士给予最高 30 万元安家补助。（责任单位：市人才办）", locator="二、(二)5"),
)


class FakeIndex:
    """Ranks clauses by shared character pairs with the query; applies Filters like the real index."""

    def __init__(self, clauses: tuple[Clause, ...] = CLAUSES) -> None:
        self.clauses = list(clauses)
        self.notices = ("测试索引",)
        self.searches = 0
        self.scopes: list[Scope | None] = []  # the scope each search was given
        self.generation = 0
        self.semantic_model = None  # no neural model: answered by the decision fitted without it

    @property
    def documents(self) -> list[Document]:
        return list({c.doc.doc_id: c.doc for c in self.clauses}.values())

    def document_frequencies(self) -> dict[str, int]:
        """Token document frequencies with the index's own tokenizer, as the real index reports them."""
        from index.tokenize import tokenize

        counts: dict[str, int] = {}
        for clause in self.clauses:
            for token in set(tokenize(" ".join((*clause.path, clause.title, clause.text)))):
                counts[token] = counts.get(token, 0) + 1
        return counts

    def clauses_of(self, doc_id: str) -> list[Clause]:
        return [c for c in self.clauses if c.doc.doc_id == doc_id]

    def phrases(self) -> PhraseCounts:
        from index.pieces import corpus_text

        return PhraseCounts(corpus_text(self.clauses))

    def search(self, query: str, top_k: int = 10, filters: Filters | None = None, mode: str = "hybrid",
               rewrite: str = "", scope: Scope | None = None) -> list[Hit]:
        self.searches += 1
        self.scopes.append(scope)
        q = normalise(query)
        pairs = {q[i:i + 2] for i in range(len(q) - 1)}
        scored = []
        for clause in self.clauses:
            if filters and not filters.accepts(clause.doc):
                continue
            text = normalise(clause.text)
            score = len(pairs & {text[i:i + 2] for i in range(len(text) - 1)}) / (len(pairs) or 1)
            scored.append((clause, score))
        scored.sort(key=lambda pair: -pair[1])
        # like the real hybrid index: each hit carries its rank in both retrievers
        return [Hit(c, s, "hybrid", {"bm25": r, "dense": r}) for r, (c, s) in enumerate(scored[:top_k], 1)]


def scored(profile: QuestionProfile, clause: Clause, probability: float,
           sentence_probs: list[float] | None = None) -> Scored:
    """`clause` read for `profile` as retrieved first, with the given clause and sentence probabilities."""
    candidate = read_candidate(profile, Hit(clause, 1.0, "hybrid"), 1)
    assert candidate is not None
    probs = tuple(sentence_probs or [0.5] * len(candidate.sentences))
    return Scored(candidate, probs, probability, ())
