from index.fusion import ranked_hits, ranks_of, reciprocal_rank_fusion
from index.scope import Scope, detect_scope
from policyqa.model import Clause, Document


def test_rrf_sums_reciprocal_ranks():
    fused = dict(reciprocal_rank_fusion({"a": ["x", "y", "z"], "b": ["y", "z", "x"]}, k=60))
    assert fused["y"] == 1 / 62 + 1 / 61
    assert fused["x"] == 1 / 61 + 1 / 63
    assert fused["z"] == 1 / 63 + 1 / 62


def test_rrf_order_best_first_and_agreement_wins():
    fused = reciprocal_rank_fusion({"bm25": ["a", "b", "c"], "dense": ["b", "a", "d"]}, k=60)
    assert [item for item, _ in fused][:2] in (["a", "b"], ["b", "a"])
    assert [item for item, _ in fused][2:] == ["c", "d"]


def test_rrf_weights_shift_the_winner():
    rankings = {"bm25": ["a", "b", "c"], "dense": ["c", "b", "a"]}
    assert reciprocal_rank_fusion(rankings, {"bm25": 2.0, "dense": 1.0})[0][0] == "a"
    assert reciprocal_rank_fusion(rankings, {"bm25": 1.0, "dense": 2.0})[0][0] == "c"
    assert [i for i, _ in reciprocal_rank_fusion(rankings, {"bm25": 1.0, "dense": 0.0})] == ["a", "b", "c"]


def test_rrf_ties_keep_first_seen_order_and_small_k_sharpens():
    fused = reciprocal_rank_fusion({"a": ["x", "y", "z"], "b": ["y", "x", "w"]}, k=1)
    assert [i for i, _ in fused] == ["x", "y", "z", "w"]
    assert fused[0][1] == 1 / 2 + 1 / 3
    assert reciprocal_rank_fusion({}, k=60) == []


def test_ranks_of_reports_each_retriever():
    assert ranks_of({"bm25": ["a", "b"], "dense": ["b", "c"]}) == {
        "a": {"bm25": 1}, "b": {"bm25": 2, "dense": 1}, "c": {"dense": 2}}


def test_fusion_reads_only_the_clauses_it_returns_and_boosts_by_each_rows_document():
    ruian = Document(doc_id="ra", title="瑞安方案", region="瑞安市", year=2023)
    wenzhou = Document(doc_id="wz", title="温州政策", region="温州市", year=2024)
    document = {f"r{i}": (ruian if i % 2 else wenzhou) for i in range(40)}
    rows = list(document)
    read: list[list[str]] = []

    def clauses_of(asked: list[str]) -> list[Clause | None]:
        read.append(list(asked))
        return [Clause(row, document[row], (), "", "", row) for row in asked]

    hits = ranked_hits({"bm25": rows, "dense": rows[::-1]}, {"bm25": {}, "dense": {}}, clauses_of,
                       document.__getitem__, detect_scope("瑞安的补贴", [ruian, wenzhou]), mode="hybrid", top_k=5,
                       weights={"bm25": 1.0, "dense": 1.0}, rrf_k=60, scope_boost=0.1)
    assert read == [[h.clause.clause_id for h in hits]] and len(hits) == 5  # one batch, the top 5 only
    assert all(h.clause.doc is ruian for h in hits)  # the named region's rows lead (fused scores tie)
    # a row whose clause is gone since the search (a document replaced meanwhile) is left out
    gone = ranked_hits({"bm25": rows}, {"bm25": dict.fromkeys(rows, 1.0)},
                       lambda asked: [None if row == "r0" else Clause(row, document[row], (), "", "", row)
                                      for row in asked],
                       document.__getitem__, Scope(), mode="bm25", top_k=3,
                       weights={}, rrf_k=60, scope_boost=0.1)
    assert [h.clause.clause_id for h in gone] == ["r1", "r2"]
