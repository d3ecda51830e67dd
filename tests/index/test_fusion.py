from index.fusion import ranks_of, reciprocal_rank_fusion


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
